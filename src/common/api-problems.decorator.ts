import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';
import { ErrorCode } from './problem';

export class FieldErrorSchema {
  @ApiProperty({ description: 'Het veld, met punten en [index] voor geneste velden', example: 'pupil.pgn' })
  field: string;
  @ApiProperty({ description: 'Stabiele code van de fout', example: 'INVALID_PGN' })
  code: string;
  @ApiProperty({ description: 'Uitleg in het Nederlands', example: 'pupil.pgn: is geen geldig BSN of onderwijsnummer' })
  message: string;
}

export class ProblemSchema {
  @ApiProperty({ example: 'urn:verzuimloket:problem:validation-failed' }) type: string;
  @ApiProperty({ example: 'De invoer is niet juist' }) title: string;
  @ApiProperty({ example: 422 }) status: number;
  @ApiProperty({ enum: ErrorCode, description: 'Stabiele code van het probleem' }) code: ErrorCode;
  @ApiPropertyOptional() detail?: string;
  @ApiPropertyOptional({ type: [FieldErrorSchema] }) errors?: FieldErrorSchema[];
  @ApiPropertyOptional({ description: 'Bij 409 TRANSITION_NOT_ALLOWED: de statussen die wel mogen', type: [String] }) allowed?: string[];
  @ApiPropertyOptional({ description: 'Bij 500: noem deze code bij contact' }) correlationId?: string;
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Geen geldige JSON of verkeerde vorm (MALFORMED_JSON)',
  401: 'Geen of een ongeldige API-sleutel (UNAUTHENTICATED)',
  403: 'De sleutel heeft geen recht op deze handeling (FORBIDDEN)',
  404: 'Bestaat niet of is niet zichtbaar voor deze organisatie (NOT_FOUND)',
  409: 'Niet toegestaan in de huidige status (TRANSITION_NOT_ALLOWED, REPORT_CLOSED)',
  412: 'If-Match past niet bij de huidige versie (PRECONDITION_FAILED)',
  413: 'De inhoud is te groot (PAYLOAD_TOO_LARGE)',
  422: 'Een of meer velden zijn niet juist (VALIDATION_FAILED, met errors[]) of de Idempotency-Key is hergebruikt',
  428: 'If-Match ontbreekt (PRECONDITION_REQUIRED)',
};

/** Documents the problem+json answers a route can give. */
export function ApiProblems(...statuses: number[]) {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: DESCRIPTIONS[status], content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemSchema' } } } }),
    ),
  );
}
