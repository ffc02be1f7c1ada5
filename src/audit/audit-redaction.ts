import { isValidPgn } from '../common/dutch-validators';

/**
 * The audit log never holds a password, a one-time or activation code, a TOTP seed, a session token, an API key
 * secret or a PGN (BSN or onderwijsnummer). AuditService.record enforces that for every entry, whatever the caller
 * passes:
 * - a details key (at any depth) whose name matches this pattern is dropped with its value. This also drops
 *   harmless keys such as `locationCode` or `tokenKind`: name them otherwise (`location`, `kind`);
 * - a value that cannot be shown as text (a Buffer or other binary, a function) is dropped: seeds and hashes are bytes;
 * - in every remaining text (details values, actor name, subject id) a 9-digit number that is a valid BSN or
 *   onderwijsnummer (not part of a UUID), and anything shaped like an API key, is replaced by REDACTED.
 */
export const FORBIDDEN_DETAIL_KEY = /password|wachtwoord|code|otp|seed|secret|token|pgn|bsn/i;

export const REDACTED = '[verwijderd]';

// A UUID (an account, key or report id) is matched first and kept whole: its hex groups can hold nine digits
// that happen to pass the eleven-test ("…-910710764be4").
const UUID_OR_NINE_DIGITS = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|(?<!\d)\d{9}(?!\d)/gi;
const API_KEY = /vzl_[A-Za-z0-9]{8}_[A-Za-z0-9_-]{20,}/g;
const MAX_DEPTH = 8;

/** A text with PGNs and API keys replaced. */
export function redactText(text: string): string {
  return text.replace(API_KEY, REDACTED).replace(UUID_OR_NINE_DIGITS, (match) => (match.length === 9 && isValidPgn(match) ? REDACTED : match));
}

export interface Redacted {
  details: Record<string, unknown>;
  /** How many keys or values were dropped (not which: a key's name could itself be sensitive). */
  dropped: number;
}

/** A JSON-safe copy of `details` without forbidden keys, binary values or PGNs. */
export function redactDetails(details: Record<string, unknown> | undefined | null): Redacted {
  const counter = { dropped: 0 };
  const out = details && typeof details === 'object' && !Array.isArray(details) ? clean(details, 0, counter) : {};
  return { details: out as Record<string, unknown>, dropped: counter.dropped };
}

const DROP = Symbol('drop');

function clean(value: unknown, depth: number, counter: { dropped: number }): unknown {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'string') return redactText(value);
  if (typeof value === 'number') return Number.isFinite(value) ? (Number.isInteger(value) && redactText(String(value)) === REDACTED ? REDACTED : value) : null;
  if (typeof value === 'bigint') return redactText(value.toString());
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value === undefined) return DROP; // as JSON would: not counted
  if (typeof value !== 'object' || ArrayBuffer.isView(value) || value instanceof ArrayBuffer || depth >= MAX_DEPTH) {
    counter.dropped++;
    return DROP;
  }
  if (Array.isArray(value)) {
    return value.map((v) => clean(v, depth + 1, counter)).filter((v) => v !== DROP);
  }
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (FORBIDDEN_DETAIL_KEY.test(key) || redactText(key) !== key) {
      counter.dropped++;
      continue;
    }
    const c = clean(v, depth + 1, counter);
    // defineProperty: a key named __proto__ stays a plain key.
    if (c !== DROP) Object.defineProperty(out, key, { value: c, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
