import { Transform } from 'class-transformer';
/**
 * Validation of Dutch identifiers and formats used in absence reports
 * (verzuimmeldingen): persoonsgebonden nummer (BSN / onderwijsnummer),
 * BRIN code, postcode, CBS municipality code and ISO calendar dates.
 *
 * The predicate functions are pure and accept `unknown` defensively: anything
 * that is not a string is simply invalid (a BSN as a JSON number would lose
 * its leading zero, so numbers are deliberately rejected).
 *
 * The class-validator decorators at the bottom use stable constraint names
 * (see the `IS_*` constants); the error layer maps those names to API codes,
 * so do not rename them.
 */
import { ValidateBy, ValidationOptions } from 'class-validator';

// ---------------------------------------------------------------------------
// Persoonsgebonden nummer: BSN and onderwijsnummer
// ---------------------------------------------------------------------------

const NINE_DIGITS = /^[0-9]{9}$/;

/**
 * Weighted sum 9*d1 + 8*d2 + ... + 2*d8 - 1*d9 of a 9-digit string, reduced
 * to a remainder in 0..10 (never negative). Caller must ensure 9 ASCII digits.
 */
function elfproefRemainder(s: string): number {
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    // Stryker disable next-line ArithmeticOperator: + 48 adds 96 x (9+8+...+2) = 4,224 = 11 x 384 to the sum, nothing modulo 11
    sum += (9 - i) * (s.charCodeAt(i) - 48);
  }
  sum -= s.charCodeAt(8) - 48;
  return ((sum % 11) + 11) % 11;
}

/**
 * Burgerservicenummer: exactly 9 ASCII digits, passes the 11-proof
 * (weighted sum with weights 9..2 and -1 divisible by 11), not '000000000'.
 */
export function isValidBsn(s: string): boolean {
  return (
    typeof s === 'string' &&
    NINE_DIGITS.test(s) &&
    s !== '000000000' &&
    elfproefRemainder(s) === 0
  );
}

/**
 * Onderwijsnummer: exactly 9 ASCII digits starting with '10', whose weighted
 * sum (weights 9..2 and -1) leaves remainder 5 modulo 11.
 */
export function isValidOnderwijsnummer(s: string): boolean {
  return (
    typeof s === 'string' &&
    NINE_DIGITS.test(s) &&
    s.startsWith('10') &&
    elfproefRemainder(s) === 5
  );
}

export type PgnType = 'BSN' | 'ONDERWIJSNUMMER';

/**
 * Which kind of persoonsgebonden nummer `s` is, or null if it is neither.
 * The two are mutually exclusive (remainder 0 vs. remainder 5).
 */
export function pgnType(s: string): PgnType | null {
  if (isValidBsn(s)) return 'BSN';
  if (isValidOnderwijsnummer(s)) return 'ONDERWIJSNUMMER';
  return null;
}

/** True if `s` is a valid BSN or a valid onderwijsnummer. */
export function isValidPgn(s: string): boolean {
  return pgnType(s) !== null;
}

// ---------------------------------------------------------------------------
// BRIN, postcode, municipality code
// ---------------------------------------------------------------------------

export const BRIN_PATTERN = /^[0-9]{2}[A-Z0-9]{2}$/;

/** BRIN code of an institution: 2 digits + 2 uppercase letters/digits (00ZV, 32JK). */
export function isValidBrin(s: string): boolean {
  return typeof s === 'string' && BRIN_PATTERN.test(s);
}

export const POSTCODE_PATTERN = /^[1-9][0-9]{3} [A-Z]{2}$/;
/** Letter combinations PostNL never issues. */
const NEVER_ISSUED_POSTCODE_LETTERS: ReadonlySet<string> = new Set(['SA', 'SD', 'SS']);

/**
 * Dutch postcode in canonical form `1234 AB`: first digit 1-9, exactly one
 * space, uppercase letters, and not one of the never-issued combinations
 * SA, SD, SS.
 */
export function isValidPostcode(s: string): boolean {
  return (
    typeof s === 'string' &&
    POSTCODE_PATTERN.test(s) &&
    !NEVER_ISSUED_POSTCODE_LETTERS.has(s.slice(5))
  );
}

// Stryker disable next-line Regex: isValidPostcode checks the result again, so an anchor less lets nothing more through
const LOOSE_POSTCODE = /^[0-9]{4}[ \t]*[A-Za-z]{2}$/;

/**
 * Normalises user input such as '1234ab', '1234 ab' or ' 1234AB ' to the
 * canonical `1234 AB`. Surrounding whitespace is trimmed and spaces/tabs
 * between digits and letters are collapsed. Returns null if the result would
 * not be a valid postcode (wrong shape, leading 0, SA/SD/SS).
 */
export function normalisePostcode(s: string): string | null {
  if (typeof s !== 'string') return null;
  const trimmed = s.trim();
  if (!LOOSE_POSTCODE.test(trimmed)) return null;
  const compact = trimmed.replace(/[ \t]/g, '');
  const candidate = `${compact.slice(0, 4)} ${compact.slice(4).toUpperCase()}`;
  return isValidPostcode(candidate) ? candidate : null;
}

export const MUNICIPALITY_CODE_PATTERN = /^GM[0-9]{4}$/;

/** CBS municipality code: 'GM' followed by 4 digits (e.g. GM0363 Amsterdam). */
export function isValidMunicipalityCode(s: string): boolean {
  return typeof s === 'string' && MUNICIPALITY_CODE_PATTERN.test(s);
}

// ---------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------

const ISO_DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
const MIN_YEAR = 1900;
const MAX_YEAR = 2100;

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeapYear(y) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

interface Ymd {
  y: number;
  m: number;
  d: number;
}

function parseIsoDate(s: string): Ymd | null {
  if (typeof s !== 'string') return null;
  const match = ISO_DATE.exec(s);
  if (!match) return null;
  const y = Number(match[1]);
  const m = Number(match[2]);
  const d = Number(match[3]);
  if (y < MIN_YEAR || y > MAX_YEAR) return null;
  if (m < 1 || m > 12) return null;
  if (d < 1 || d > daysInMonth(y, m)) return null;
  return { y, m, d };
}

/**
 * Strict `YYYY-MM-DD` (no time, no offset) that is a real calendar date with
 * a year in 1900..2100. Rejects e.g. 2026-02-30, 2026-13-01, 2026-2-1.
 */
export function isIsoDate(s: string): boolean {
  return parseIsoDate(s) !== null;
}

/**
 * Age in whole years on `onDate` of someone born on `birthDate` (both strict
 * ISO dates as accepted by {@link isIsoDate}). Pure calendar arithmetic, no
 * time zones involved.
 *
 * The birthday counts as reached on the day itself. Someone born on 29
 * February reaches the next age on 1 March in non-leap years (on 28 February
 * they are still the younger age); in leap years on 29 February.
 *
 * @throws RangeError if either date is invalid or `onDate` is before `birthDate`.
 */
export function ageOn(birthDate: string, onDate: string): number {
  const birth = parseIsoDate(birthDate);
  if (!birth) throw new RangeError(`Invalid birthDate: ${String(birthDate)}`);
  const on = parseIsoDate(onDate);
  if (!on) throw new RangeError(`Invalid onDate: ${String(onDate)}`);

  let age = on.y - birth.y;
  // Comparing (month, day) directly gives the 29 Feb -> 1 March rule for free:
  // in a non-leap year 28 Feb < 29 Feb (not yet reached) and 1 Mar > 29 Feb.
  if (on.m < birth.m || (on.m === birth.m && on.d < birth.d)) age--;
  if (age < 0) {
    throw new RangeError(`onDate ${onDate} is before birthDate ${birthDate}`);
  }
  return age;
}

// ---------------------------------------------------------------------------
// class-validator decorators
// ---------------------------------------------------------------------------

/** Constraint names; the error layer maps these to stable API codes. */
export const IS_PGN = 'isPgn';
export const IS_BRIN = 'isBrin';
export const IS_POSTCODE = 'isPostcode';
export const IS_MUNICIPALITY_CODE = 'isMunicipalityCode';
export const IS_ISO_DATE = 'isIsoDate';

/** Dutch default message; with `{ each: true }` prefixed by 'elke waarde in'. */
function dutchMessage(text: string, validationOptions?: ValidationOptions): () => string {
  const subject = validationOptions?.each ? 'elke waarde in $property' : '$property';
  return () => `${subject} ${text}`;
}

function stringDecorator(
  name: string,
  predicate: (s: string) => boolean,
  text: string,
  validationOptions?: ValidationOptions,
): PropertyDecorator {
  return ValidateBy(
    {
      name,
      validator: {
        // Stryker disable next-line ConditionalExpression: every predicate refuses what is not a string itself
        validate: (value: unknown): boolean => typeof value === 'string' && predicate(value),
        defaultMessage: dutchMessage(text, validationOptions),
      },
    },
    validationOptions,
  );
}

/** Valid BSN or onderwijsnummer (9-digit string). Constraint name 'isPgn'. */
export function IsPgn(validationOptions?: ValidationOptions): PropertyDecorator {
  return stringDecorator(IS_PGN, isValidPgn, 'is geen geldig BSN of onderwijsnummer', validationOptions);
}

/** Valid BRIN code. Constraint name 'isBrin'. */
export function IsBrin(validationOptions?: ValidationOptions): PropertyDecorator {
  return stringDecorator(IS_BRIN, isValidBrin, 'is geen geldige BRIN-code', validationOptions);
}

/** Postcode in canonical form '1234 AB'. Constraint name 'isPostcode'. */
export function IsPostcode(validationOptions?: ValidationOptions): PropertyDecorator {
  return stringDecorator(IS_POSTCODE, isValidPostcode, 'is geen geldige postcode (1234 AB)', validationOptions);
}

/** CBS municipality code 'GM' + 4 digits. Constraint name 'isMunicipalityCode'. */
export function IsMunicipalityCode(validationOptions?: ValidationOptions): PropertyDecorator {
  return stringDecorator(
    IS_MUNICIPALITY_CODE,
    isValidMunicipalityCode,
    'is geen geldige gemeentecode (GM0363)',
    validationOptions,
  );
}

/** Strict ISO calendar date YYYY-MM-DD (1900..2100). Constraint name 'isIsoDate'. */
export function IsIsoDate(validationOptions?: ValidationOptions): PropertyDecorator {
  return stringDecorator(IS_ISO_DATE, isIsoDate, 'is geen geldige datum (JJJJ-MM-DD)', validationOptions);
}

/**
 * Input as people type it, made canonical before it is validated (class-transformer), for the API and the pages alike:
 * a postcode "1015tk" or "1015  TK" becomes "1015 TK" (anything else is left for @IsPostcode to refuse).
 */
export function NormalisePostcode(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? normalisePostcode(value) ?? value : value));
}

/** A BSN or onderwijsnummer typed in groups ("1234 56 782", "1234.56.782") becomes its nine digits. */
export function NormalisePgn(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => (typeof value === 'string' && /^[\d\s.]+$/.test(value) ? value.replace(/[\s.]/g, '') : value));
}
