import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';
import { ErrorCode, FieldCode, invalid, ProblemError } from './problem';

export class FieldErrorSchema {
  @ApiProperty({ description: 'Het veld, met punten en [index] voor geneste velden', example: 'pupil.pgn' })
  field: string;
  @ApiProperty({ enum: FieldCode, enumName: 'FieldCode', description: 'Stabiele code van de fout', example: FieldCode.INVALID_PGN })
  code: FieldCode;
  @ApiProperty({ description: 'Uitleg in het Nederlands', example: 'pupil.pgn: is geen geldig BSN of onderwijsnummer' })
  message: string;
}

/** RFC 9457 problem details, as ProblemError.toBody() makes them. */
export class ProblemSchema {
  @ApiProperty({ format: 'uri', example: 'urn:verzuimloket:problem:validation-failed', description: 'urn:verzuimloket:problem: met de code' }) type: string;
  @ApiProperty({ example: 'De invoer is niet juist' }) title: string;
  @ApiProperty({ type: 'integer', minimum: 400, maximum: 599, example: 422 }) status: number;
  @ApiProperty({ enum: ErrorCode, enumName: 'ErrorCode', description: 'Stabiele code van het probleem' }) code: ErrorCode;
  @ApiProperty({ description: 'Uitleg voor dit geval, in het Nederlands' }) detail: string;
  @ApiPropertyOptional({ type: [FieldErrorSchema], description: 'Bij VALIDATION_FAILED: per veld wat er mis is' }) errors?: FieldErrorSchema[];
  @ApiPropertyOptional({ description: 'Bij 409 TRANSITION_NOT_ALLOWED: de statussen die wel mogen', type: [String] }) allowed?: string[];
  @ApiPropertyOptional({ format: 'uuid', description: 'Bij 500: noem deze code bij contact' }) correlationId?: string;
  @ApiPropertyOptional({ maxLength: 128, description: 'Bij 500: het verzoek-id (X-Request-Id) waaronder het verzoek in het log staat' }) requestId?: string;
}

/** What each status means, with the codes it can carry. */
export const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'Geen geldige JSON of te diep genest (MALFORMED_JSON)',
  401: 'Geen of een ongeldige API-sleutel of sessie (UNAUTHENTICATED)',
  403: 'Geen recht op deze handeling, bij een sessie een ontbrekend X-CSRF-Token, of een wijziging die de browser als afkomstig van een andere website aanmerkt (FORBIDDEN, CSRF_TOKEN_INVALID)',
  404: 'Bestaat niet of is niet zichtbaar voor deze organisatie (NOT_FOUND)',
  408: 'De inhoud kwam niet op tijd binnen (REQUEST_TIMEOUT)',
  409: 'Niet toegestaan in de huidige toestand, of tegelijk door een ander verzoek veranderd (TRANSITION_NOT_ALLOWED met allowed[], REPORT_CLOSED, CONFLICT)',
  412: 'If-Match past niet bij de huidige versie (PRECONDITION_FAILED)',
  413: 'De inhoud is te groot (PAYLOAD_TOO_LARGE)',
  415: 'De inhoud is geen JSON (UNSUPPORTED_MEDIA_TYPE)',
  422: 'Een of meer velden, parameters of het pad zijn niet juist (VALIDATION_FAILED, met errors[]) of de Idempotency-Key is hergebruikt (IDEMPOTENCY_KEY_REUSED)',
  428: 'If-Match ontbreekt (PRECONDITION_REQUIRED)',
  429: 'Te veel verzoeken van u, of Verzuimloket is even te druk; zie Retry-After (TOO_MANY_REQUESTS)',
  500: 'Er ging iets mis aan onze kant (INTERNAL_ERROR, met correlationId)',
};

const example = (error: ProblemError, summary = error.code) => ({ [error.code]: { summary, value: error.toBody() } });

/** One real answer per status, made by the same code that makes them at run time: examples cannot drift. */
export const PROBLEM_EXAMPLES: Record<number, Record<string, { summary: string; value: unknown }>> = {
  400: example(new ProblemError(ErrorCode.MALFORMED_JSON, 'De inhoud van het verzoek is geen geldige JSON.')),
  401: example(new ProblemError(ErrorCode.UNAUTHENTICATED)),
  403: example(new ProblemError(ErrorCode.FORBIDDEN)),
  404: example(new ProblemError(ErrorCode.NOT_FOUND, 'Deze melding bestaat niet.')),
  409: example(
    new ProblemError(ErrorCode.TRANSITION_NOT_ALLOWED, 'Van AFGESLOTEN kan de melding alleen naar IN_BEHANDELING.', undefined, { allowed: ['IN_BEHANDELING'] }),
  ),
  412: example(new ProblemError(ErrorCode.PRECONDITION_FAILED, 'De melding is gewijzigd sinds u haar las; lees haar opnieuw.')),
  413: example(new ProblemError(ErrorCode.PAYLOAD_TOO_LARGE, 'De inhoud van het verzoek is groter dan toegestaan.')),
  415: example(new ProblemError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'Stuur de inhoud als JSON (Content-Type: application/json).')),
  422: example(invalid({ field: 'pupil.pgn', code: FieldCode.INVALID_PGN, message: 'pupil.pgn: is geen geldig BSN of onderwijsnummer' })),
  408: example(new ProblemError(ErrorCode.REQUEST_TIMEOUT)),
  428: example(new ProblemError(ErrorCode.PRECONDITION_REQUIRED, 'Stuur If-Match mee met de ETag van de melding die u wijzigt.')),
  429: example(new ProblemError(ErrorCode.TOO_MANY_REQUESTS, 'U stuurde te veel verzoeken kort na elkaar. Wacht even (zie Retry-After) en probeer het dan opnieuw.')),
  500: {
    INTERNAL_ERROR: {
      summary: 'INTERNAL_ERROR',
      value: {
        ...new ProblemError(ErrorCode.INTERNAL_ERROR, 'Vermeld code 3f2c9a4e-8d1b-4c7e-9a65-0b1d2e3f4a5b als u contact opneemt.').toBody(),
        correlationId: '3f2c9a4e-8d1b-4c7e-9a65-0b1d2e3f4a5b',
        requestId: '3f2c9a4e-8d1b-4c7e-9a65-0b1d2e3f4a5b',
      },
    },
  },
};

/** Documents the problem+json answers a route can give (those every route of a kind can give are added in openapi.ts). */
export function ApiProblems(...statuses: number[]) {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: PROBLEM_DESCRIPTIONS[status],
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemSchema' } } },
      }),
    ),
  );
}
