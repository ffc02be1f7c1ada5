import { randomBytes } from 'node:crypto';
import { NodeCryptoPlugin } from '@otplib/plugin-crypto-node';
import { generateSync, verifySync } from '@otplib/totp';
import { generateTOTP } from '@otplib/uri';
import * as QRCode from 'qrcode';
import { AeadBox } from '../../common/aead-box';

/**
 * Time-based one-time codes (RFC 6238) for the second sign-in step, with otplib: 30-second steps, 6 digits, HMAC-SHA-1,
 * which is what authenticator apps and hardware tokens use. A code is accepted for the current step and the one before
 * (a person reading the code just as it changes), never for a later step, and never for a step at or before the last
 * one used on the account (replay).
 *
 * Secrets are handled as RFC 4648 base32 without padding (what the otpauth URI carries) and kept encrypted at rest
 * with `SecretBox`.
 *
 * otplib's umbrella package loads @scure/base 2, an ES module that jest's CommonJS runtime cannot require on Node 20;
 * its TOTP package with Node's own crypto does the same work without it.
 */

export const TOTP_PERIOD = 30;
export const TOTP_DIGITS = 6;
export const TOTP_ALGORITHM = 'sha1';
/** How far back a code may be: one step (seconds, as otplib takes it); nothing ahead. */
export const TOTP_TOLERANCE: [number, number] = [TOTP_PERIOD, 0];
/** Bytes of a new secret (160 bits, RFC 4226's recommendation) and the least a hardware token's seed may have. */
export const SECRET_BYTES = 20;
export const MIN_SEED_BYTES = 20;
/** otplib's upper bound for a secret. */
export const MAX_SEED_BYTES = 64;

const crypto = new NodeCryptoPlugin();

// ---------------------------------------------------------------------------
// Base32 (RFC 4648, upper case, no padding on output)
// ---------------------------------------------------------------------------

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    // Stryker disable next-line EqualityOperator: with > the five bits left at exactly 5 go out with the next byte's (or at the end), in the same place
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/**
 * Decodes base32 (either case, padding optional, no spaces), or null when it is not valid: a character outside the
 * alphabet, padding anywhere but at the end, a length no whole number of bytes gives, or non-zero leftover bits.
 */
export function base32Decode(input: string): Uint8Array | null {
  const s = input.toUpperCase().replace(/=+$/, '');
  if (!/^[A-Z2-7]*$/.test(s) || ![0, 2, 4, 5, 7].includes(s.length % 8)) return null;
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const ch of s) {
    buffer = (buffer << 5) | ALPHABET.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      out.push((buffer >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
    buffer &= (1 << bits) - 1;
  }
  if (buffer !== 0) return null;
  return Uint8Array.from(out);
}

function secretBytes(secret: string): Uint8Array {
  const bytes = base32Decode(secret);
  if (!bytes || bytes.length < 16 || bytes.length > MAX_SEED_BYTES) throw new Error('Geen geldig TOTP-geheim (base32).');
  return bytes;
}

// ---------------------------------------------------------------------------
// Secrets, enrolment and verification
// ---------------------------------------------------------------------------

/** A new random secret for an authenticator app, 20 bytes, as base32 (32 characters). */
export function newSecret(): string {
  return base32Encode(randomBytes(SECRET_BYTES));
}

/** The otpauth:// URI an authenticator app scans: label `issuer:accountName`, SHA-1, 6 digits, 30 seconds. */
export function otpauthUri(secret: string, accountName: string, issuer = 'Verzuimloket'): string {
  return generateTOTP({ issuer, label: accountName, secret, algorithm: TOTP_ALGORITHM, digits: TOTP_DIGITS, period: TOTP_PERIOD });
}

/** The URI as a QR code, an SVG document rendered on the server (no image service sees the secret). */
export function qrCodeSvg(uri: string): Promise<string> {
  // Stryker disable next-line StringLiteral: 'M' is also qrcode's default level; written out so that it is chosen, not inherited
  return QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M' });
}

/** The time step (RFC 6238's T) of a moment. */
export function timeStep(now: Date = new Date()): number {
  return Math.floor(epochSeconds(now) / TOTP_PERIOD);
}

function epochSeconds(at: Date): number {
  return Math.floor(at.getTime() / 1000);
}

/** The code for a secret at a moment. For tests and tools; the service only verifies. */
export function codeAt(secret: string, at: Date = new Date()): string {
  return generateSync({
    secret: secretBytes(secret),
    crypto,
    algorithm: TOTP_ALGORITHM,
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD,
    epoch: epochSeconds(at),
  });
}

export type CodeCheck = { ok: true; step: number } | { ok: false };

/**
 * Checks a code against the secret: exactly 6 digits (spaces removed), matching the current time step or the one
 * before, and later than `lastUsedStep` (the step of the last code accepted for the account, null if none). On
 * success, store the returned step as the account's new last used step.
 */
export function verifyCode(secret: string, code: string, lastUsedStep: number | null, now: Date = new Date()): CodeCheck {
  if (lastUsedStep !== null && !(Number.isSafeInteger(lastUsedStep) && lastUsedStep >= 0)) {
    throw new Error('lastUsedStep moet een geheel getal van 0 of meer zijn.');
  }
  const bytes = secretBytes(secret);
  // Stryker disable next-line Regex,StringLiteral: /\s/g removes the same spaces; any other text than '' fails the 6-digit test below alike
  const token = typeof code === 'string' ? code.replace(/\s+/g, '') : '';
  if (!/^[0-9]{6}$/.test(token)) return { ok: false };
  // Every step within reach is at or before the last one used (or the clock went back): nothing can be accepted.
  // Replay is refused three times over (here, by otplib's afterTimeStep, and by the comparison after it); each alone
  // refuses it, so a change to one of them is not noticed while the others stand. The tests hold the behaviour.
  // Stryker disable next-line ConditionalExpression,EqualityOperator,LogicalOperator: one of three refusals of replay (above)
  if (lastUsedStep !== null && lastUsedStep >= timeStep(now)) return { ok: false };
  const result = verifySync({
    secret: bytes,
    token,
    crypto,
    algorithm: TOTP_ALGORITHM,
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD,
    epoch: epochSeconds(now),
    epochTolerance: TOTP_TOLERANCE,
    // Stryker disable next-line ConditionalExpression,ObjectLiteral: one of three refusals of replay (above)
    ...(lastUsedStep !== null ? { afterTimeStep: lastUsedStep } : {}),
  });
  // Stryker disable next-line ConditionalExpression,EqualityOperator,LogicalOperator: one of three refusals of replay (above)
  if (!result.valid || (lastUsedStep !== null && result.timeStep <= lastUsedStep)) return { ok: false };
  return { ok: true, step: result.timeStep };
}

/**
 * A hardware token's seed as the vendor ships it: hex (40 or more hex digits, i.e. 20+ bytes) or base32 (RFC 4648,
 * padding optional), with spaces or line breaks anywhere. Returns the seed as base32 without padding, or null when it
 * is neither or shorter than 20 bytes (or longer than 64). A string of hex digits only is read as hex.
 */
export function parseHardwareSeed(input: string): string | null {
  if (typeof input !== 'string') return null;
  // Stryker disable next-line Regex: /\s/g removes the same spaces
  const s = input.replace(/\s+/g, '');
  let bytes: Uint8Array | null;
  if (/^(0x)?[0-9a-f]+$/i.test(s)) {
    // Stryker disable next-line Regex: the test above lets "0x" stand only at the start ("x" is no hex digit), so /0x/i is the same
    const hex = s.replace(/^0x/i, '');
    bytes = hex.length % 2 === 0 ? Uint8Array.from(Buffer.from(hex, 'hex')) : null;
  } else {
    bytes = base32Decode(s);
  }
  if (!bytes || bytes.length < MIN_SEED_BYTES || bytes.length > MAX_SEED_BYTES) return null;
  return base32Encode(bytes);
}

// ---------------------------------------------------------------------------
// Seeds at rest
// ---------------------------------------------------------------------------

/** Seals TOTP secrets and hardware-token seeds at rest, under the master key's "totp seed" purpose. */
export class SecretBox extends AeadBox {
  constructor(masterKey: Buffer) {
    super(masterKey, 'verzuimloket totp seed');
  }
}
