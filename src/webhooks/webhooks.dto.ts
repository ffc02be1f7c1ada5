import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsBoolean, IsDefined, IsEnum, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min,
} from 'class-validator';
import { NotNullWhenSent, ToInteger } from '../common/validation';
import { DeliveryStatus } from './webhook-delivery.entity';
import { DisabledReason, EndpointStatus, WebhookEndpoint } from './webhook-endpoint.entity';
import { EVENT_TYPES } from './webhook-event-types';

const TYPES_TEXT = `Welke wijzigingen het endpoint krijgt (CloudEvents-types): ${EVENT_TYPES.join(', ')}`;

export class NewWebhookInput {
  @ApiProperty({ example: 'https://leerlingvolgsysteem.example.nl/webhooks/verzuimloket', description: 'Adres dat de gebeurtenissen ontvangt: https (http alleen naar deze computer en niet in productie)' })
  @IsDefined() @IsString() @MaxLength(2000)
  url: string;
  @ApiPropertyOptional({ example: 'Leerlingvolgsysteem', description: 'Waarvoor het endpoint is (zonder persoonsgegevens)' })
  @IsOptional() @IsString() @MaxLength(200)
  description?: string;
  @ApiProperty({ enum: EVENT_TYPES, isArray: true, description: TYPES_TEXT })
  @IsDefined() @IsArray() @ArrayMinSize(1, { message: 'kies minstens één soort wijziging' }) @ArrayMaxSize(50) @ArrayUnique() @IsIn(EVENT_TYPES, { each: true })
  eventTypes: string[];
}

export class ChangeWebhookInput {
  @ApiPropertyOptional({ example: 'https://leerlingvolgsysteem.example.nl/webhooks/verzuimloket' })
  @NotNullWhenSent() @IsString() @MaxLength(2000)
  url?: string;
  @ApiPropertyOptional({ example: 'Leerlingvolgsysteem' })
  @NotNullWhenSent() @IsString() @MaxLength(200)
  description?: string;
  @ApiPropertyOptional({ enum: EVENT_TYPES, isArray: true, description: TYPES_TEXT })
  @NotNullWhenSent() @IsArray() @ArrayMinSize(1, { message: 'kies minstens één soort wijziging' }) @ArrayMaxSize(50) @ArrayUnique() @IsIn(EVENT_TYPES, { each: true })
  eventTypes?: string[];
  @ApiPropertyOptional({ description: 'false: uitzetten (er wordt niets meer verstuurd); true: weer aanzetten, ook na 410 of aanhoudende fouten' })
  @NotNullWhenSent() @IsBoolean()
  enabled?: boolean;
}

export class RotateSecretInput {
  @ApiPropertyOptional({ type: 'integer', default: 24, description: 'Uren dat het oude geheim ook nog ondertekent (0-168, standaard 24)' })
  @IsOptional() @IsInt() @Min(0) @Max(168)
  overlapHours?: number;
}

export class WebhookView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() url: string;
  @ApiProperty() description: string;
  @ApiProperty({ type: [String], description: `${TYPES_TEXT}. Er kunnen soorten bijkomen.` }) eventTypes: string[];
  @ApiProperty({ enum: EndpointStatus }) status: EndpointStatus;
  @ApiProperty({ enum: DisabledReason, nullable: true, description: 'GONE: de ontvanger antwoordde 410; FAILING: aanhoudend mislukt; BEHEERDER: uitgezet' })
  disabledReason: DisabledReason | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) disabledAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Sinds wanneer elke poging mislukt' }) failingSince: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Tot wanneer het vorige geheim ook ondertekent' })
  previousSecretExpiresAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;

  static of(e: WebhookEndpoint): WebhookView {
    const live = e.previousSecretExpiresAt && e.previousSecretExpiresAt.getTime() > Date.now() ? e.previousSecretExpiresAt.toISOString() : null;
    return {
      id: e.id, url: e.url, description: e.description, eventTypes: e.eventTypes, status: e.status, disabledReason: e.disabledReason,
      disabledAt: e.disabledAt?.toISOString() ?? null, failingSince: e.failingSince?.toISOString() ?? null, previousSecretExpiresAt: live,
      createdAt: e.createdAt.toISOString(), updatedAt: e.updatedAt.toISOString(),
    };
  }
}

export class IssuedWebhookView {
  @ApiProperty({ type: WebhookView }) endpoint: WebhookView;
  @ApiProperty({ example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw5NU1QBwZ7Jk=', description: 'Het geheim (Standard Webhooks, whsec_…): eenmalig getoond' })
  secret: string;
}

export class DeliveryQuery {
  @ApiPropertyOptional({ enum: DeliveryStatus }) @IsOptional() @IsEnum(DeliveryStatus) status?: DeliveryStatus;
  @ApiPropertyOptional({ description: 'Cursor uit de vorige aanroep (nextCursor): oudere bezorgingen' })
  @IsOptional() @IsString() @Matches(/^[1-9][0-9]{0,17}$/)
  after?: string;
  @ApiPropertyOptional({ type: 'integer', default: 50, description: 'Aantal (1-200, standaard 50)' }) @IsOptional() @ToInteger() @IsInt() @Min(1) @Max(200) limit?: number;
}

export class DeliveryView {
  @ApiProperty({ description: 'Nummer van de bezorging' }) id: string;
  @ApiProperty({ format: 'uuid', description: 'De webhook-id en CloudEvents-id: gelijk bij elke poging en bij opnieuw bezorgen' }) messageId: string;
  @ApiProperty({ description: 'CloudEvents-type' }) type: string;
  @ApiProperty({ type: 'integer', nullable: true, description: 'Meldingsnummer; null bij een testbericht' }) reportNumber: number | null;
  @ApiProperty({ enum: DeliveryStatus }) status: DeliveryStatus;
  @ApiProperty({ type: 'integer' }) attempts: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastAttemptAt: string | null;
  @ApiProperty({ type: 'integer', nullable: true, description: 'HTTP-status van het laatste antwoord; null: geen antwoord' }) lastStatusCode: number | null;
  @ApiProperty({ type: String, nullable: true, description: 'Begin van het laatste antwoord, of wat er misging' }) lastAnswer: string | null;
  @ApiProperty({ type: 'integer', nullable: true, description: 'Duur van de laatste poging in milliseconden' }) lastLatencyMs: number | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) deliveredAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class DeliveryPage {
  @ApiProperty({ type: [DeliveryView], description: 'Nieuwste eerst' }) items: DeliveryView[];
  @ApiProperty({ type: String, nullable: true, description: 'Voor de volgende (oudere) pagina; null: dit was de laatste' }) nextCursor: string | null;
}
