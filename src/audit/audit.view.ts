import { ApiProperty } from '@nestjs/swagger';
import { AUDIT_ACTIONS_V1, AuditAction, AuditActorType, AuditOutcome, AuditSubjectType } from './audit-event.entity';

export class AuditActorView {
  @ApiProperty({ enum: AuditActorType }) type: AuditActorType;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'Id van de gebruiker of API-sleutel; leeg voor systeem en onbekend' }) id: string | null;
  @ApiProperty({ example: 'A. de Vries', description: 'Naam zoals die toen was' }) name: string;
}

export class AuditSubjectView {
  @ApiProperty({ enum: AuditSubjectType }) type: AuditSubjectType;
  @ApiProperty({ type: String, example: '12', nullable: true }) id: string | null;
}

export class AuditEventView {
  @ApiProperty({ example: '1042' }) id: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-22T09:15:00.000Z' }) at: string;
  @ApiProperty({ type: AuditActorView }) actor: AuditActorView;
  @ApiProperty({ enum: AUDIT_ACTIONS_V1 }) action: AuditAction;
  @ApiProperty({ type: AuditSubjectView, nullable: true }) subject: AuditSubjectView | null;
  @ApiProperty({ enum: AuditOutcome }) outcome: AuditOutcome;
  @ApiProperty({ type: String, nullable: true, example: '192.0.2.10', description: 'Vanaf welk adres' }) clientIp: string | null;
  @ApiProperty({ description: 'Bijzonderheden per soort handeling; nooit wachtwoorden, codes, sleutels of PGN', type: 'object', additionalProperties: true })
  details: Record<string, unknown>;
}

export class AuditPage {
  @ApiProperty({ type: [AuditEventView] }) events: AuditEventView[];
  @ApiProperty({ type: String, nullable: true, description: 'Geef mee als after voor de volgende pagina; null: dit was de laatste' }) nextCursor: string | null;
}
