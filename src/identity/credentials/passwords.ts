import { randomBytes } from 'node:crypto';
import { Algorithm, hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import { FieldCode, FieldError } from '../../common/problem';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Passwords: the policy of OWASP ASVS 4.0.3 level 2 (V2.1) and storage with argon2id (V2.4).
 *
 * A password is compared, counted and hashed in its NFC form, so the same password typed on another keyboard or
 * system still matches. It is never truncated; spaces and every Unicode character count; there are no composition
 * rules (ASVS 2.1.9).
 */

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;
/** Parts of the username, e-mail address or name shorter than this are not looked for in the password. */
export const PERSONAL_PART_MIN_LENGTH = 4;

export interface Argon2Params {
  /** KiB */
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/**
 * argon2id parameters: stronger than OWASP's recommendation (m=19456 KiB, t=2, p=1) in memory and equal in passes;
 * about 0.13 s for one hash on the 2-core development machine. Raise them here: `needsRehash` then tells which
 * stored hashes to replace at the next successful sign-in.
 */
export const ARGON2_PARAMS: Readonly<Argon2Params & { outputLen: number }> = Object.freeze({
  memoryCost: 65536, // KiB (64 MiB)
  timeCost: 2,
  parallelism: 1,
  outputLen: 32,
});

let commonPasswords: Set<string> | undefined;

/** The shipped list of common passwords, lower-cased, built once on first use. */
function common(): Set<string> {
  if (!commonPasswords) {
    // Beside this file in src/ and, copied by the build, in dist/. The header lines come first and start with '# '.
    const lines = readFileSync(join(__dirname, 'common-passwords.txt'), 'utf8').split('\n');
    const first = lines.findIndex((line) => !line.startsWith('# '));
    commonPasswords = new Set(lines.slice(first).filter((line) => line.length > 0));
  }
  return commonPasswords;
}

/** Whether the password is on the shipped list of common passwords, in any case. */
export function isCommonPassword(password: string): boolean {
  return common().has(password.normalize('NFC').toLowerCase());
}

function codePoints(s: string): number {
  return Array.from(s).length;
}

/** The username, the e-mail address's local part and each part of the name, as far as long enough to look for. */
function personalParts(context: { username?: string; name?: string; email?: string }): string[] {
  const parts: string[] = [];
  if (context.username) parts.push(context.username);
  if (context.email) parts.push(context.email.split('@')[0]);
  if (context.name) parts.push(...context.name.split(/[\s,.-]+/u));
  return parts
    .map((p) => p.normalize('NFC').toLowerCase().trim())
    .filter((p) => codePoints(p) >= PERSONAL_PART_MIN_LENGTH);
}

/**
 * The policy's refusals of a new password, in Dutch, for field `password`; empty when the password is acceptable.
 * The codes PASSWORD_TOO_COMMON and PASSWORD_CONTAINS_PERSONAL_DATA are to be added to FieldCode.
 */
export function checkPasswordPolicy(password: string, context: { username?: string; name?: string; email?: string }): FieldError[] {
  const field = 'password';
  if (typeof password !== 'string') {
    return [{ field, code: FieldCode.WRONG_TYPE, message: `${field}: moet tekst zijn` }];
  }
  const errors: FieldError[] = [];
  const pw = password.normalize('NFC');
  const length = codePoints(pw);
  if (length < PASSWORD_MIN_LENGTH) {
    errors.push({ field, code: FieldCode.TOO_SHORT, message: `${field}: moet minstens ${PASSWORD_MIN_LENGTH} tekens lang zijn` });
  }
  if (length > PASSWORD_MAX_LENGTH) {
    errors.push({ field, code: FieldCode.TOO_LONG, message: `${field}: mag hoogstens ${PASSWORD_MAX_LENGTH} tekens lang zijn` });
  }
  const lower = pw.toLowerCase();
  if (common().has(lower)) {
    errors.push({
      field,
      code: 'PASSWORD_TOO_COMMON',
      message: `${field}: dit wachtwoord staat op een lijst van veelgebruikte wachtwoorden; kies een ander`,
    });
  }
  if (personalParts(context).some((part) => lower.includes(part))) {
    errors.push({
      field,
      code: 'PASSWORD_CONTAINS_PERSONAL_DATA',
      message: `${field}: mag uw gebruikersnaam, naam of e-mailadres niet bevatten`,
    });
  }
  return errors;
}

/** The argon2id hash (PHC string, with its own random salt) of the password's NFC form. */
export function hashPassword(password: string, params: Argon2Params = ARGON2_PARAMS): Promise<string> {
  return argon2Hash(password.normalize('NFC'), { ...ARGON2_PARAMS, ...params, algorithm: Algorithm.Argon2id });
}

/**
 * Whether the password matches the stored hash (argon2 compares in constant time). A hash that is not a valid
 * argon2 PHC string never matches.
 */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2Verify(hash, password.normalize('NFC'));
  } catch {
    return false;
  }
}

/** The algorithm, version and parameters of a PHC string (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`), or null. */
function phcParams(hash: string): { id: string; version: number; m: number; t: number; p: number } | null {
  const parts = hash.split('$');
  if (parts[0] !== '' || !/^argon2(id|i|d)$/.test(parts[1] ?? '')) return null;
  // Hashes of argon2 1.0 (0x10) carry no version field.
  const hasVersion = /^v=\d+$/.test(parts[2] ?? '');
  const version = hasVersion ? Number(parts[2].slice(2)) : 0x10;
  const rest = parts.slice(hasVersion ? 3 : 2);
  if (rest.length !== 3 || !rest[1] || !rest[2]) return null;
  const params = new Map<string, number>();
  for (const pair of rest[0].split(',')) {
    const match = /^([a-z]+)=(\d+)$/.exec(pair);
    if (!match) return null;
    params.set(match[1], Number(match[2]));
  }
  const [m, t, p] = [params.get('m'), params.get('t'), params.get('p')];
  if (m === undefined || t === undefined || p === undefined) return null;
  return { id: parts[1], version, m, t, p };
}

/**
 * Whether a stored hash should be replaced (at the next successful sign-in, when the password is known): not
 * argon2id, an older argon2 version, less memory or fewer passes than ARGON2_PARAMS, or not a hash we can read.
 * A different parallelism alone is not weaker and does not count.
 */
export function needsRehash(hash: string, params: Argon2Params = ARGON2_PARAMS): boolean {
  const phc = phcParams(hash);
  if (!phc) return true;
  return phc.id !== 'argon2id' || phc.version < 0x13 || phc.m < params.memoryCost || phc.t < params.timeCost;
}

let dummyHash: Promise<string> | undefined;

/** The hash that `verifyAgainstDummy` verifies against: of a random password nobody knows, at the current parameters. */
function dummy(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(32).toString('base64'));
  return dummyHash;
}

/**
 * Computes the dummy hash now rather than at the first unknown username (whose answer would otherwise take twice as
 * long). Call it at start-up.
 */
export async function prepareDummyHash(): Promise<void> {
  await dummy();
}

/**
 * For a username that does not exist (or has no password yet): does the same work as `verifyPassword`, so that the
 * time taken does not tell whether the username exists. Always false.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  await verifyPassword(await dummy(), password);
  return false;
}
