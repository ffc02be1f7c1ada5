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

/** A refusal for what the database refused because of the request's values; null for a fault of ours (a 500). */
export function problemOfDatabaseError(error: unknown): ProblemError | null {
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
