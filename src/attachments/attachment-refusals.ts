import { ErrorCode, FieldCode, ProblemError } from '../common/problem';

/**
 * Every reason an attachment is refused, with its Dutch message and its stable code. The codes are the API's existing
 * field codes (a new value of that enum would break version 1's clients); the message says which case it is.
 */
export enum Refusal {
  MISSING = 'MISSING',
  EMPTY = 'EMPTY',
  TOO_LARGE = 'TOO_LARGE',
  TOO_MANY = 'TOO_MANY',
  EXECUTABLE = 'EXECUTABLE',
  UNKNOWN_TYPE = 'UNKNOWN_TYPE',
  EXTENSION_MISMATCH = 'EXTENSION_MISMATCH',
  ENCRYPTED_OFFICE = 'ENCRYPTED_OFFICE',
  MACRO = 'MACRO',
  NOT_OFFICE = 'NOT_OFFICE',
  ZIP_BOMB = 'ZIP_BOMB',
  NOT_TEXT = 'NOT_TEXT',
  VIRUS = 'VIRUS',
  SCANNER_UNAVAILABLE = 'SCANNER_UNAVAILABLE',
}

export const ALLOWED_TEXT = 'PDF, PNG, JPEG, Word (.docx), Excel (.xlsx), CSV en tekst (.txt)';

const CODES: Record<Refusal, FieldCode> = {
  MISSING: FieldCode.REQUIRED,
  EMPTY: FieldCode.TOO_SMALL,
  TOO_LARGE: FieldCode.TOO_LARGE,
  TOO_MANY: FieldCode.TOO_MANY,
  EXECUTABLE: FieldCode.NOT_ALLOWED_VALUE,
  UNKNOWN_TYPE: FieldCode.NOT_ALLOWED_VALUE,
  EXTENSION_MISMATCH: FieldCode.INVALID_FORMAT,
  ENCRYPTED_OFFICE: FieldCode.NOT_ALLOWED_VALUE,
  MACRO: FieldCode.NOT_ALLOWED_VALUE,
  NOT_OFFICE: FieldCode.NOT_ALLOWED_VALUE,
  ZIP_BOMB: FieldCode.TOO_LARGE,
  NOT_TEXT: FieldCode.INVALID_FORMAT,
  VIRUS: FieldCode.NOT_ALLOWED_VALUE,
  SCANNER_UNAVAILABLE: FieldCode.NOT_ALLOWED_VALUE,
};

/** A refused attachment: 422 (413 when too large) naming the field `file`, nothing stored. */
export class AttachmentRefused extends ProblemError {
  constructor(readonly reason: Refusal, message: string) {
    super(
      reason === Refusal.TOO_LARGE ? ErrorCode.PAYLOAD_TOO_LARGE : ErrorCode.VALIDATION_FAILED,
      reason === Refusal.TOO_LARGE ? message : 'Het bestand is niet opgeslagen.',
      [{ field: 'file', code: CODES[reason], message: `file: ${message}` }],
    );
  }
}

export function refuse(reason: Refusal, message: string): AttachmentRefused {
  return new AttachmentRefused(reason, message);
}
