import { QueryFailedError } from 'typeorm';
import { ErrorCode, FieldCode, FieldError, ProblemError } from './problem';

/**
 * The unique keys of the schema, by constraint or index name: the field a person or system chose that collided, and
 * what to tell them. Two requests that create the same thing at once both pass the service's own "already exists"
 * check; the database decides, and the loser hears this (409), never a 500.
 */
const UNIQUE_KEYS: Record<string, [field: string, message: string]> = {
  user_account_username_key: ['username', 'deze gebruikersnaam is al in gebruik'],
  organisation_code_key: ['code', 'deze code is al in gebruik'],
  location_school_code_key: ['code', 'deze locatie bestaat al'],
  hardware_token_serial_key: ['serial', 'dit token is al geregistreerd'],
  routing_rule_municipality_kind_key: ['kind', 'voor deze soort bestaat al een routering'],
};

/** Seconds a client is asked to wait (Retry-After) when the database has no connection for it. */
export const BUSY_RETRY_SECONDS = 5;

/**
 * The database cannot take the request now: every connection of the pool stayed busy past its wait
 * (connectionTimeoutMillis), the server refuses connections (too many, starting up, shutting down), or the connection
 * broke. Not the request's fault and not a defect: the API answers 429 TOO_MANY_REQUESTS with Retry-After (the code
 * version 1 clients already handle by waiting and retrying; its enum of codes cannot grow within the version), the pages
 * 503 "Even te druk".
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const e = (error instanceof QueryFailedError ? error.driverError : error) as { code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  const code = typeof e.code === 'string' ? e.code : '';
  if (['53300', '57P01', '57P02', '57P03', 'ECONNREFUSED', 'ECONNRESET'].includes(code)) return true;
  const message = typeof e.message === 'string' ? e.message : '';
  return /^(timeout exceeded when trying to connect|Connection terminated)/.test(message);
}

/** The answer when the database cannot take the request now (with Retry-After: BUSY_RETRY_SECONDS). */
export function busy(): ProblemError {
  return new ProblemError(ErrorCode.TOO_MANY_REQUESTS, `Verzuimloket is even te druk om dit verzoek te verwerken; er is niets opgeslagen. Probeer het over ${BUSY_RETRY_SECONDS} seconden opnieuw.`);
}

/** A refusal for what the database refused because of the request's values; null for a fault of ours (a 500). */
export function problemOfDatabaseError(error: unknown): ProblemError | null {
  if (isDatabaseUnavailable(error)) return busy();
  if (!(error instanceof QueryFailedError)) return null;
  const pg = error.driverError as { code?: string; constraint?: string };
  const code = pg?.code ?? '';
  if (code === '23505') {
    const [field, message] = UNIQUE_KEYS[pg.constraint ?? ''] ?? ['algemeen', 'dit bestaat al'];
    const errors: FieldError[] = [{ field, code: FieldCode.ALREADY_EXISTS, message: `${field}: ${message}` }];
    return new ProblemError(ErrorCode.CONFLICT, 'Dit bestaat al: iemand maakte het tegelijk met u aan.', errors);
  }
  // Text the database cannot store (a NUL byte, broken JSON text): refused at the edge already; this is the second line.
  if (code === '22021' || code === '22P02' || code === '22P05' || code === '54000') {
    return new ProblemError(ErrorCode.VALIDATION_FAILED, 'De invoer bevat een teken of waarde die niet opgeslagen kan worden.', [
      { field: 'algemeen', code: FieldCode.INVALID_CHARACTER, message: 'algemeen: bevat een teken of waarde die niet opgeslagen kan worden' },
    ]);
  }
  // A row that another request deleted or changed meanwhile, or a transaction that lost a race: try again.
  if (code === '23503' || code === '40001' || code === '40P01') {
    return new ProblemError(ErrorCode.CONFLICT, 'Een ander verzoek veranderde tegelijk dezelfde gegevens. Probeer het opnieuw.');
  }
  return null;
}
