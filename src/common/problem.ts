/**
 * Errors of the service as RFC 9457 problem details. Every refusal carries a stable `code`; refusals of input
 * carry a list of `{field, code, message}` with Dutch messages. The codes are part of the API contract.
 */
export enum ErrorCode {
  VALIDATION_FAILED = 'VALIDATION_FAILED',
  MALFORMED_JSON = 'MALFORMED_JSON',
  PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE = 'UNSUPPORTED_MEDIA_TYPE',
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  CSRF_TOKEN_INVALID = 'CSRF_TOKEN_INVALID',
  NOT_FOUND = 'NOT_FOUND',
  TRANSITION_NOT_ALLOWED = 'TRANSITION_NOT_ALLOWED',
  REPORT_CLOSED = 'REPORT_CLOSED',
  CONFLICT = 'CONFLICT',
  IDEMPOTENCY_KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED',
  PRECONDITION_FAILED = 'PRECONDITION_FAILED',
  PRECONDITION_REQUIRED = 'PRECONDITION_REQUIRED',
  METHOD_NOT_ALLOWED = 'METHOD_NOT_ALLOWED',
  REQUEST_TIMEOUT = 'REQUEST_TIMEOUT',
  TOO_MANY_REQUESTS = 'TOO_MANY_REQUESTS',
  INTERNAL_ERROR = 'INTERNAL_ERROR',
}

/** Codes for a single field. */
export enum FieldCode {
  REQUIRED = 'REQUIRED',
  UNKNOWN_FIELD = 'UNKNOWN_FIELD',
  WRONG_TYPE = 'WRONG_TYPE',
  TOO_LONG = 'TOO_LONG',
  TOO_SHORT = 'TOO_SHORT',
  TOO_SMALL = 'TOO_SMALL',
  TOO_LARGE = 'TOO_LARGE',
  TOO_MANY = 'TOO_MANY',
  NOT_ALLOWED_VALUE = 'NOT_ALLOWED_VALUE',
  INVALID_FORMAT = 'INVALID_FORMAT',
  /** A NUL character or half of a UTF-16 surrogate pair: not text that can be stored. */
  INVALID_CHARACTER = 'INVALID_CHARACTER',
  INVALID_EMAIL = 'INVALID_EMAIL',
  INVALID_DATE = 'INVALID_DATE',
  INVALID_PGN = 'INVALID_PGN',
  INVALID_BRIN = 'INVALID_BRIN',
  INVALID_POSTCODE = 'INVALID_POSTCODE',
  INVALID_MUNICIPALITY_CODE = 'INVALID_MUNICIPALITY_CODE',
  UNKNOWN_MUNICIPALITY = 'UNKNOWN_MUNICIPALITY',
  UNKNOWN_ORGANISATION = 'UNKNOWN_ORGANISATION',
  NOT_A_RECEIVER = 'NOT_A_RECEIVER',
  DATE_IN_FUTURE = 'DATE_IN_FUTURE',
  DATE_TOO_OLD = 'DATE_TOO_OLD',
  END_BEFORE_BEGIN = 'END_BEFORE_BEGIN',
  END_DATE_REQUIRED = 'END_DATE_REQUIRED',
  AGE_DOES_NOT_FIT_KIND = 'AGE_DOES_NOT_FIT_KIND',
  DATE_OUTSIDE_PERIOD = 'DATE_OUTSIDE_PERIOD',
  EXPLANATION_REQUIRED = 'EXPLANATION_REQUIRED',
  UNKNOWN_LOCATION = 'UNKNOWN_LOCATION',
  UNKNOWN_REPORTER = 'UNKNOWN_REPORTER',
  INACTIVE = 'INACTIVE',
  ALREADY_EXISTS = 'ALREADY_EXISTS',
  TOO_SOON_AFTER_PREVIOUS = 'TOO_SOON_AFTER_PREVIOUS',
  INVALID_CURSOR = 'INVALID_CURSOR',
  SAME_AS_CURRENT = 'SAME_AS_CURRENT',
  PASSWORD_TOO_COMMON = 'PASSWORD_TOO_COMMON',
  PASSWORD_CONTAINS_PERSONAL_DATA = 'PASSWORD_CONTAINS_PERSONAL_DATA',
  WRONG_PASSWORD = 'WRONG_PASSWORD',
  WRONG_CODE = 'WRONG_CODE',
}

export interface FieldError {
  field: string;
  code: FieldCode | string;
  message: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  errors?: FieldError[];
  correlationId?: string;
  [extra: string]: unknown;
}

const TITLES: Record<ErrorCode, [number, string]> = {
  VALIDATION_FAILED: [422, 'De invoer is niet juist'],
  MALFORMED_JSON: [400, 'De inhoud is geen geldige JSON'],
  PAYLOAD_TOO_LARGE: [413, 'De inhoud is te groot'],
  UNSUPPORTED_MEDIA_TYPE: [415, 'Dit soort inhoud wordt niet geaccepteerd'],
  UNAUTHENTICATED: [401, 'Niet aangemeld'],
  FORBIDDEN: [403, 'Geen toestemming'],
  CSRF_TOKEN_INVALID: [403, 'Het formulier is verlopen of komt niet van Verzuimloket'],
  NOT_FOUND: [404, 'Niet gevonden'],
  TRANSITION_NOT_ALLOWED: [409, 'Deze statuswijziging is niet toegestaan'],
  REPORT_CLOSED: [409, 'De melding is niet meer open'],
  CONFLICT: [409, 'Conflict'],
  IDEMPOTENCY_KEY_REUSED: [422, 'Idempotency-Key al gebruikt voor een ander verzoek'],
  PRECONDITION_FAILED: [412, 'De melding is intussen gewijzigd'],
  PRECONDITION_REQUIRED: [428, 'If-Match ontbreekt'],
  METHOD_NOT_ALLOWED: [405, 'Methode niet toegestaan'],
  REQUEST_TIMEOUT: [408, 'Het verzoek kwam niet op tijd binnen'],
  TOO_MANY_REQUESTS: [429, 'Te veel verzoeken'],
  INTERNAL_ERROR: [500, 'Er ging iets mis aan onze kant'],
};

export function statusOf(code: ErrorCode): number {
  return TITLES[code][0];
}

/** A refusal the client can act on. Thrown anywhere; turned into problem+json in one place. */
export class ProblemError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail?: string,
    readonly errors?: FieldError[],
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail ?? TITLES[code][1]);
  }

  get status(): number {
    return statusOf(this.code);
  }

  toBody(): ProblemBody {
    const [status, title] = TITLES[this.code];
    return {
      type: `urn:verzuimloket:problem:${this.code.toLowerCase().replace(/_/g, '-')}`,
      title,
      status,
      code: this.code,
      // RFC 9457 makes detail optional; the Dutch API Design Rules (/core/error-handling/problem-details) require it.
      detail: this.detail ?? title,
      ...(this.errors ? { errors: this.errors } : {}),
      ...this.extra,
    };
  }
}

/** Shorthand for one or more field refusals (422). */
export function invalid(...errors: FieldError[]): ProblemError {
  return new ProblemError(ErrorCode.VALIDATION_FAILED, 'Een of meer velden zijn niet juist ingevuld.', errors);
}

export function notFound(what = 'Dit object bestaat niet of is niet voor u zichtbaar.'): ProblemError {
  return new ProblemError(ErrorCode.NOT_FOUND, what);
}
