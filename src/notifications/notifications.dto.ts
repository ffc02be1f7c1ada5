import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsEmail, IsEnum, IsInt, IsOptional, IsString, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { MailFrequency } from '../identity/user.entity';
import { ToInteger } from '../common/validation';
import { MailTemplate } from './outbox-message.entity';

export class MailboxInput {
  @ApiProperty({ nullable: true, example: 'leerplicht@gemeente.example', description: 'Het algemene e-mailadres; null: geen' })
  @ValidateIf((o: MailboxInput) => o.mailbox !== null)
  @IsDefined() @IsString() @IsEmail({}, { message: 'is geen geldig e-mailadres' }) @MaxLength(254)
  mailbox: string | null;
}

export class MailboxView {
  @ApiProperty({ nullable: true }) mailbox: string | null;
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
  @ApiPropertyOptional({ description: 'Aantal per pagina (1-200, standaard 50)' }) @IsOptional() @ToInteger() @IsInt() @Min(1) @Max(200)
  limit?: number;
  @ApiPropertyOptional({ description: 'Overslaan (standaard 0)' }) @IsOptional() @ToInteger() @IsInt() @Min(0) @Max(1_000_000)
  offset?: number;
}

export class FailedMailView {
  @ApiProperty({ format: 'uuid', description: 'Ook het Message-ID van de e-mail' }) id: string;
  @ApiProperty({ description: 'Organisatie van de ontvanger' }) organisation: string;
  @ApiProperty({ enum: MailTemplate }) template: MailTemplate;
  @ApiProperty() recipient: string;
  @ApiProperty() subject: string;
  @ApiPropertyOptional({ nullable: true }) reportNumber: number | null;
  @ApiProperty() attempts: number;
  @ApiPropertyOptional({ nullable: true, description: 'Het laatste antwoord van de mailserver' }) lastError: string | null;
  @ApiProperty() createdAt: string;
}

export class FailedMailPage {
  @ApiProperty({ type: [FailedMailView] }) items: FailedMailView[];
  @ApiProperty() total: number;
}
