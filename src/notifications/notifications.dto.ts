import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsEmail, IsEnum, IsInt, IsOptional, IsString, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { MailFrequency } from '../identity/user.entity';
import { ToInteger } from '../common/validation';
import { FAILED_LIST_TEMPLATES, MailTemplate } from './outbox-message.entity';

export class MailboxInput {
  @ApiProperty({ type: String, nullable: true, example: 'leerplicht@gemeente.example', description: 'Het algemene e-mailadres; null: geen' })
  @ValidateIf((o: MailboxInput) => o.mailbox !== null)
  @IsDefined() @IsString() @IsEmail({}, { message: 'is geen geldig e-mailadres' }) @MaxLength(254)
  mailbox: string | null;
}

export class MailboxView {
  @ApiProperty({ type: String, nullable: true, example: 'leerplicht@gemeente.example' }) mailbox: string | null;
}

export class PreferenceInput {
  @ApiProperty({ enum: MailFrequency, description: 'IMMEDIATE: elke wijziging meteen; DAILY: één overzicht per dag; OFF: geen e-mail' })
  @IsDefined() @IsEnum(MailFrequency, { message: 'moet IMMEDIATE, DAILY of OFF zijn' })
  frequency: MailFrequency;
}

export class PreferenceView {
  @ApiProperty({ enum: MailFrequency }) frequency: MailFrequency;
}

export class FailedMailQuery {
  @ApiPropertyOptional({ type: 'integer', default: 50, description: 'Aantal per pagina (1-200, standaard 50)' }) @IsOptional() @ToInteger() @IsInt() @Min(1) @Max(200)
  limit?: number;
  @ApiPropertyOptional({ type: 'integer', default: 0, description: 'Overslaan (standaard 0)' }) @IsOptional() @ToInteger() @IsInt() @Min(0) @Max(1_000_000)
  offset?: number;
}

export class FailedMailView {
  @ApiProperty({ format: 'uuid', description: 'Ook het Message-ID van de e-mail' }) id: string;
  @ApiProperty({ description: 'Organisatie van de ontvanger' }) organisation: string;
  // The templates of version 1.0 of the contract: an answer's enum may not grow within a major version (docs/api-contract.md).
  @ApiProperty({ enum: FAILED_LIST_TEMPLATES }) template: MailTemplate;
  @ApiProperty() recipient: string;
  @ApiProperty() subject: string;
  @ApiProperty({ type: 'integer', nullable: true }) reportNumber: number | null;
  @ApiProperty({ type: 'integer' }) attempts: number;
  @ApiProperty({ type: String, nullable: true, description: 'Het laatste antwoord van de mailserver' }) lastError: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class FailedMailPage {
  @ApiProperty({ type: [FailedMailView] }) items: FailedMailView[];
  @ApiProperty({ type: 'integer' }) total: number;
}
