import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsEnum, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength, ValidateIf } from 'class-validator';
import { IsIsoDate } from '../common/dutch-validators';
import { ToInteger } from '../common/validation';
import { AUDIT_ACTIONS_V1, AuditAction, AuditOutcome, AuditSubjectType } from './audit-event.entity';

/** Filters of the audit log; all optional, combined with AND. Newest first, by keyset (`after`). */
export class AuditQuery {
  @ApiPropertyOptional({ enum: AuditSubjectType, description: 'Waarover: REPORT, USER, API_KEY, ... (verplicht bij subjectId)' })
  @ValidateIf((o: AuditQuery) => o.subjectType !== undefined || o.subjectId !== undefined)
  @IsDefined({ message: 'is verplicht bij subjectId' }) @IsEnum(AuditSubjectType)
  subjectType?: AuditSubjectType;

  @ApiPropertyOptional({ example: '12', description: 'Het meldingsnummer, of de id van een gebruiker of API-sleutel: "wie bekeek melding 12?"' })
  @IsOptional() @IsString() @MinLength(1) @MaxLength(100)
  subjectId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Wie handelde (gebruiker of API-sleutel): "wat deed deze persoon?"' })
  @IsOptional() @IsUUID('all', { message: 'is geen geldige id' })
  actorId?: string;

  @ApiPropertyOptional({ enum: AUDIT_ACTIONS_V1 }) @IsOptional() @IsEnum(AuditAction)
  action?: AuditAction;

  @ApiPropertyOptional({ enum: AuditOutcome }) @IsOptional() @IsEnum(AuditOutcome)
  outcome?: AuditOutcome;

  @ApiPropertyOptional({ example: '2026-11-01', description: 'Vanaf deze dag (Nederlandse tijd, JJJJ-MM-DD)' }) @IsOptional() @IsIsoDate()
  from?: string;

  @ApiPropertyOptional({ example: '2026-11-30', description: 'Tot en met deze dag (Nederlandse tijd, JJJJ-MM-DD)' }) @IsOptional() @IsIsoDate()
  to?: string;

  @ApiPropertyOptional({ type: 'integer', default: 50, description: 'Aantal per pagina (1-200, standaard 50)' }) @IsOptional() @ToInteger() @IsInt() @Min(1) @Max(200)
  limit?: number;

  @ApiPropertyOptional({ example: '1042', description: 'Vervolgcursor: nextCursor van de vorige pagina (de id van de laatste regel)' })
  @IsOptional() @IsString() @Matches(/^[1-9][0-9]{0,17}$/, { message: 'is geen geldige cursor' })
  after?: string;
}
