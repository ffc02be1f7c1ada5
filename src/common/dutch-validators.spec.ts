import * as fc from 'fast-check';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import {
  ageOn,
  IS_BRIN,
  IS_ISO_DATE,
  IS_MUNICIPALITY_CODE,
  IS_PGN,
  IS_POSTCODE,
  IsBrin,
  IsIsoDate,
  isIsoDate,
  IsMunicipalityCode,
  IsPgn,
  IsPostcode,
  isValidBrin,
  isValidBsn,
  isValidMunicipalityCode,
  isValidOnderwijsnummer,
  isValidPgn,
  isValidPostcode,
  normalisePostcode,
  NormalisePgn,
  NormalisePostcode,
  pgnType,
} from './dutch-validators';

// ---------------------------------------------------------------------------
// Generators (independent re-implementation of the check digit computation)
// ---------------------------------------------------------------------------

/**
 * n cases per property, or fewer when the mutation run caps them (test/support/mutation-setup.ts sets a global
 * numRuns, which an explicit one would otherwise override): each mutant reruns these properties.
 */
const runs = (n: number): { numRuns: number } => ({ numRuns: Math.min(n, fc.readConfigureGlobal().numRuns ?? n) });

const digit = fc.integer({ min: 0, max: 9 });

/** 9*d1 + 8*d2 + ... + 2*d8 for the first eight digits. */
function weightedPrefixSum(digits: readonly number[]): number {
  return digits.slice(0, 8).reduce((acc, d, i) => acc + (9 - i) * d, 0);
}

const mod11 = (n: number): number => ((n % 11) + 11) % 11;

/**
 * Valid BSNs: 8 random digits plus the check digit d9 with
 * sum8 - d9 ≡ 0 (mod 11), i.e. d9 = sum8 mod 11. Skipped when that is 10
 * (no single digit works) and for the forbidden 000000000.
 */
const bsnArb: fc.Arbitrary<string> = fc
  .array(digit, { minLength: 8, maxLength: 8 })
  .map((first8) => {
    const check = mod11(weightedPrefixSum(first8));
    return check === 10 ? null : [...first8, check].join('');
  })
  .filter((s): s is string => s !== null && s !== '000000000');

/**
 * Valid onderwijsnummers: '10' + 6 random digits plus d9 with
 * sum8 - d9 ≡ 5 (mod 11), i.e. d9 = (sum8 - 5) mod 11; skipped when that is 10.
 */
const onderwijsnummerArb: fc.Arbitrary<string> = fc
  .array(digit, { minLength: 6, maxLength: 6 })
  .map((rest) => {
    const first8 = [1, 0, ...rest];
    const check = mod11(weightedPrefixSum(first8) - 5);
    return check === 10 ? null : [...first8, check].join('');
  })
  .filter((s): s is string => s !== null);

const nineDigitString = fc.array(digit, { minLength: 9, maxLength: 9 }).map((ds) => ds.join(''));

/** Replace the digit at `pos` by a guaranteed different digit. */
function mutateDigit(s: string, pos: number, delta: number): string {
  const replacement = String((Number(s[pos]) + delta) % 10);
  return s.slice(0, pos) + replacement + s.slice(pos + 1);
}

/** Reference 11-proof remainder, written differently from the implementation. */
function referenceRemainder(s: string): number {
  const weights = [9, 8, 7, 6, 5, 4, 3, 2, -1];
  return mod11(weights.reduce((acc, w, i) => acc + w * Number(s[i]), 0));
}

// ---------------------------------------------------------------------------
// BSN
// ---------------------------------------------------------------------------

describe('isValidBsn', () => {
  it.each(['111222333', '123456782'])('accepts known valid BSN %s', (bsn) => {
    expect(isValidBsn(bsn)).toBe(true);
    expect(pgnType(bsn)).toBe('BSN');
  });

  it.each([
    ['000000000', 'all zeros passes the sum but is forbidden'],
    ['12345678', '8 digits'],
    ['1234567820', '10 digits'],
    ['123456781', 'wrong check digit'],
    ['111222334', 'wrong check digit'],
    ['', 'empty'],
    ['12345678a', 'non-digit'],
    [' 123456782', 'leading space'],
    ['123456782 ', 'trailing space'],
    ['１２３４５６７８２', 'full-width digits'],
  ])('rejects %s (%s)', (bsn) => {
    expect(isValidBsn(bsn)).toBe(false);
  });

  it('rejects non-string input at runtime', () => {
    expect(isValidBsn(111222333 as unknown as string)).toBe(false);
    expect(isValidBsn(undefined as unknown as string)).toBe(false);
  });

  it('property: every generated BSN is valid', () => {
    fc.assert(
      fc.property(bsnArb, (bsn) => {
        expect(isValidBsn(bsn)).toBe(true);
        expect(pgnType(bsn)).toBe('BSN');
      }),
      runs(1000),
    );
  });

  it('property: changing any single digit of a valid BSN makes it invalid', () => {
    fc.assert(
      fc.property(
        bsnArb,
        fc.integer({ min: 0, max: 8 }),
        fc.integer({ min: 1, max: 9 }),
        (bsn, pos, delta) => {
          const mutated = mutateDigit(bsn, pos, delta);
          expect(mutated).not.toBe(bsn);
          expect(isValidBsn(mutated)).toBe(false);
        },
      ),
      runs(2000),
    );
  });

  it('property: agrees with a reference 11-proof on arbitrary 9-digit strings', () => {
    fc.assert(
      fc.property(nineDigitString, (s) => {
        expect(isValidBsn(s)).toBe(referenceRemainder(s) === 0 && s !== '000000000');
      }),
      runs(2000),
    );
  });

  it('property: strings that are not exactly 9 characters are rejected', () => {
    fc.assert(
      fc.property(
        fc.array(digit, { maxLength: 20 }).filter((ds) => ds.length !== 9),
        (ds) => {
          expect(isValidBsn(ds.join(''))).toBe(false);
        },
      ),
    );
  });
});

// ---------------------------------------------------------------------------
// Onderwijsnummer
// ---------------------------------------------------------------------------

describe('isValidOnderwijsnummer', () => {
  // 1,0,1,2,3,4,5,6 -> 9+0+7+12+15+16+15+12 = 86; 86 - 4 = 82 = 7*11 + 5.
  const handComputed = '101234564';

  it('accepts a hand-computed onderwijsnummer', () => {
    expect(isValidOnderwijsnummer(handComputed)).toBe(true);
    expect(isValidBsn(handComputed)).toBe(false);
    expect(pgnType(handComputed)).toBe('ONDERWIJSNUMMER');
  });

  it('accepts an onderwijsnummer computed with the generator, and rejects wrong lengths', () => {
    const [onr = ''] = fc.sample(onderwijsnummerArb, { numRuns: 1, seed: 42 });
    expect(onr).toMatch(/^10[0-9]{7}$/);
    expect(isValidOnderwijsnummer(onr)).toBe(true);
    expect(pgnType(onr)).toBe('ONDERWIJSNUMMER');

    expect(isValidOnderwijsnummer(onr + '8')).toBe(false); // 10 digits
    expect(isValidOnderwijsnummer(onr.slice(0, 8))).toBe(false); // 8 digits
    expect(isValidOnderwijsnummer('1012345678')).toBe(false);
    expect(isValidOnderwijsnummer('10123456')).toBe(false);
    expect(pgnType('1012345678')).toBeNull();
  });

  it.each([
    ['201234564', 'does not start with 10'],
    ['101234563', 'wrong check digit'],
    ['000000006', 'remainder 5 via a negative sum, but no 10 prefix'],
    ['10123456a', 'non-digit'],
  ])('rejects %s (%s)', (s) => {
    expect(isValidOnderwijsnummer(s)).toBe(false);
  });

  it('property: every generated onderwijsnummer is valid and is not a BSN', () => {
    fc.assert(
      fc.property(onderwijsnummerArb, (onr) => {
        expect(isValidOnderwijsnummer(onr)).toBe(true);
        expect(isValidBsn(onr)).toBe(false);
        expect(pgnType(onr)).toBe('ONDERWIJSNUMMER');
      }),
      runs(1000),
    );
  });

  it('property: changing any single digit of a valid onderwijsnummer makes it invalid', () => {
    fc.assert(
      fc.property(
        onderwijsnummerArb,
        fc.integer({ min: 0, max: 8 }),
        fc.integer({ min: 1, max: 9 }),
        (onr, pos, delta) => {
          const mutated = mutateDigit(onr, pos, delta);
          expect(mutated).not.toBe(onr);
          expect(isValidOnderwijsnummer(mutated)).toBe(false);
        },
      ),
      runs(2000),
    );
  });

  it('property: 9-digit strings not starting with 10 are never onderwijsnummers', () => {
    fc.assert(
      fc.property(nineDigitString, (s) => {
        fc.pre(!s.startsWith('10'));
        expect(isValidOnderwijsnummer(s)).toBe(false);
      }),
      runs(1000),
    );
  });

  it('property: agrees with a reference check on arbitrary 9-digit strings starting with 10', () => {
    fc.assert(
      fc.property(fc.array(digit, { minLength: 7, maxLength: 7 }), (rest) => {
        const s = '10' + rest.join('');
        expect(isValidOnderwijsnummer(s)).toBe(referenceRemainder(s) === 5);
      }),
      runs(2000),
    );
  });
});

describe('pgnType / isValidPgn', () => {
  it('property: BSN and onderwijsnummer never both hold; pgnType matches the predicates', () => {
    fc.assert(
      fc.property(fc.oneof(nineDigitString, bsnArb, onderwijsnummerArb), (s) => {
        const bsn = isValidBsn(s);
        const onr = isValidOnderwijsnummer(s);
        expect(bsn && onr).toBe(false);
        expect(pgnType(s)).toBe(bsn ? 'BSN' : onr ? 'ONDERWIJSNUMMER' : null);
        expect(isValidPgn(s)).toBe(bsn || onr);
      }),
      runs(2000),
    );
  });

  it('returns null for garbage', () => {
    expect(pgnType('')).toBeNull();
    expect(pgnType('000000000')).toBeNull();
    expect(pgnType('abcdefghi')).toBeNull();
  });
});

// ---------------------------------------------------------------------------
// BRIN, municipality code
// ---------------------------------------------------------------------------

describe('isValidBrin', () => {
  it.each(['00ZV', '32JK', '12AB', '1234', '99A1'])('accepts %s', (s) => {
    expect(isValidBrin(s)).toBe(true);
  });
  it.each(['00zv', '0ZV0', 'AB12', '00ZV1', '00Z', '', ' 00ZV', '00ZV ', '00-V'])('rejects %p', (s) => {
    expect(isValidBrin(s)).toBe(false);
  });
});

describe('isValidMunicipalityCode', () => {
  it.each(['GM0363', 'GM0014', 'GM1992', 'GM0000'])('accepts %s', (s) => {
    expect(isValidMunicipalityCode(s)).toBe(true);
  });
  // 'XGM0363' and ' GM0363': a code with something before it names no municipality (the pattern is anchored at both ends).
  it.each(['gm0363', 'GM363', 'GM03634', '0363', 'GM 0363', 'GMABCD', 'XX0363', '', 'XGM0363', ' GM0363', 'GM0363 '])('rejects %p', (s) => {
    expect(isValidMunicipalityCode(s)).toBe(false);
  });
});

// ---------------------------------------------------------------------------
// Postcode
// ---------------------------------------------------------------------------

describe('isValidPostcode', () => {
  it.each(['1234 AB', '1000 AA', '9999 ZZ', '1011 SB', '2511 SC'])('accepts %s', (s) => {
    expect(isValidPostcode(s)).toBe(true);
  });

  it.each([
    ['0123 AB', 'leading zero'],
    ['1234AB', 'no space'],
    ['1234  AB', 'two spaces'],
    ['1234 ab', 'lowercase'],
    ['1234 SA', 'never issued'],
    ['1234 SD', 'never issued'],
    ['1234 SS', 'never issued'],
    ['12345 AB', 'five digits'],
    ['1234 A', 'one letter'],
    ['1234 ABC', 'three letters'],
    ['1234 AB ', 'trailing space'],
    ['1234 AB1', 'a digit after the letters'],
    [' 1234 AB', 'leading space'],
    ['1234\tAB', 'tab'],
    ['', 'empty'],
  ])('rejects %p (%s)', (s) => {
    expect(isValidPostcode(s)).toBe(false);
  });
});

describe('normalisePostcode', () => {
  it.each([
    ['1234ab', '1234 AB'],
    ['1234 ab', '1234 AB'],
    [' 1234AB ', '1234 AB'],
    ['1234 AB', '1234 AB'],
    ['1234  Ab', '1234 AB'],
    ['\t9999zz\n', '9999 ZZ'],
  ])('normalises %p to %p', (input, expected) => {
    expect(normalisePostcode(input)).toBe(expected);
  });

  it.each(['0123ab', '1234sa', '1234 SD', '1234ss', '12345ab', '1234a', '1234 ÄB', 'ab1234', '12 34AB', ''])(
    'returns null for %p',
    (input) => {
      expect(normalisePostcode(input)).toBeNull();
    },
  );

  const validPostcodeArb = fc
    .tuple(
      fc.integer({ min: 1000, max: 9999 }),
      fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'),
      fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'),
    )
    .map(([n, a, b]) => `${n} ${a}${b}`)
    .filter((p) => !['SA', 'SD', 'SS'].includes(p.slice(5)));

  it('property: valid postcodes are fixed points, and sloppy variants normalise to them', () => {
    fc.assert(
      fc.property(
        validPostcodeArb,
        fc.constantFrom('', ' ', '  '),
        fc.boolean(),
        fc.constantFrom('', ' ', '\t'),
        (pc, sep, lower, pad) => {
          expect(isValidPostcode(pc)).toBe(true);
          expect(normalisePostcode(pc)).toBe(pc);
          const letters = lower ? pc.slice(5).toLowerCase() : pc.slice(5);
          const sloppy = `${pad}${pc.slice(0, 4)}${sep}${letters}${pad}`;
          expect(normalisePostcode(sloppy)).toBe(pc);
        },
      ),
    );
  });

  it('property: result is always null or a valid postcode, and normalising is idempotent', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), (s) => {
        const n = normalisePostcode(s);
        if (n !== null) {
          expect(isValidPostcode(n)).toBe(true);
          expect(normalisePostcode(n)).toBe(n);
        }
      }),
    );
  });
});

// ---------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------

describe('isIsoDate', () => {
  it.each(['2026-01-01', '2024-02-29', '2000-02-29', '1900-01-01', '2100-12-31', '2026-04-30'])(
    'accepts %s',
    (s) => {
      expect(isIsoDate(s)).toBe(true);
    },
  );

  it.each([
    ['2026-02-30', 'no 30 February'],
    ['2026-02-29', 'not a leap year'],
    ['1900-02-29', '1900 is not a leap year'],
    ['2026-04-31', 'April has 30 days'],
    ['2026-13-01', 'month 13'],
    ['2026-00-10', 'month 0'],
    ['2026-01-00', 'day 0'],
    ['2026-01-32', 'day 32'],
    ['1899-12-31', 'before 1900'],
    ['2101-01-01', 'after 2100'],
    ['2026-1-01', 'unpadded month'],
    ['26-01-01', 'two-digit year'],
    ['20260101', 'basic format'],
    ['2026-01-01T00:00:00Z', 'date-time'],
    [' 2026-01-01', 'leading space'],
    ['2026/01/01', 'slashes'],
    ['', 'empty'],
  ])('rejects %p (%s)', (s) => {
    expect(isIsoDate(s)).toBe(false);
  });

  it('property: agrees with Date.UTC round-tripping for y/m/d combinations', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1850, max: 2150 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        (y, m, d) => {
          const s = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
          const dt = new Date(Date.UTC(y, m - 1, d));
          const real =
            m >= 1 && d >= 1 && dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
          expect(isIsoDate(s)).toBe(real && y >= 1900 && y <= 2100);
        },
      ),
      runs(2000),
    );
  });
});

describe('ageOn', () => {
  it.each([
    ['2010-05-15', '2026-05-14', 15],
    ['2010-05-15', '2026-05-15', 16],
    ['2010-05-15', '2026-05-16', 16],
    ['2010-05-15', '2010-05-15', 0],
    ['2010-05-15', '2011-05-14', 0],
    ['2010-12-31', '2026-12-30', 15],
    ['2010-12-31', '2026-12-31', 16],
    ['2010-01-01', '2025-12-31', 15],
    ['2010-01-01', '2026-01-01', 16],
    // Leap-day birthday: in non-leap years reached on 1 March, not 28 February.
    ['2012-02-29', '2026-02-28', 13],
    ['2012-02-29', '2026-03-01', 14],
    ['2012-02-29', '2028-02-28', 15],
    ['2012-02-29', '2028-02-29', 16],
    ['2012-02-29', '2013-02-28', 0],
    ['2012-02-29', '2013-03-01', 1],
    // Born 28 Feb / 1 Mar around a leap day.
    ['2011-02-28', '2028-02-28', 17],
    ['2011-03-01', '2028-02-29', 16],
    ['2011-03-01', '2028-03-01', 17],
  ])('ageOn(%s, %s) = %i', (birth, on, expected) => {
    expect(ageOn(birth, on)).toBe(expected);
  });

  it('throws RangeError for invalid dates or onDate before birthDate', () => {
    expect(() => ageOn('2026-02-30', '2027-01-01')).toThrow(RangeError);
    expect(() => ageOn('2010-01-01', '2026-13-01')).toThrow(RangeError);
    expect(() => ageOn('2010-05-15', '2010-05-14')).toThrow(RangeError);
  });

  it('property: on the n-th anniversary the age is n, and the day before it is n-1', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1900, max: 2050 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 28 }),
        fc.integer({ min: 1, max: 50 }),
        (y, m, d, n) => {
          const pad = (v: number): string => String(v).padStart(2, '0');
          const birth = `${y}-${pad(m)}-${pad(d)}`;
          const anniversary = `${y + n}-${pad(m)}-${pad(d)}`;
          const before = new Date(Date.UTC(y + n, m - 1, d - 1)).toISOString().slice(0, 10);
          expect(ageOn(birth, anniversary)).toBe(n);
          expect(ageOn(birth, before)).toBe(n - 1);
        },
      ),
    );
  });
});

// ---------------------------------------------------------------------------
// class-validator decorators
// ---------------------------------------------------------------------------

class Dto {
  @IsPgn()
  pgn!: unknown;

  @IsBrin()
  brin!: unknown;

  @IsPostcode()
  postcode!: unknown;

  @IsMunicipalityCode()
  gemeente!: unknown;

  @IsIsoDate()
  datum!: unknown;
}

class EachDto {
  @IsPgn({ each: true })
  pgns!: unknown;

  @IsBrin({ message: 'eigen melding' })
  brin!: unknown;
}

function errorsByProperty(errors: ValidationError[]): Record<string, Record<string, string>> {
  return Object.fromEntries(errors.map((e) => [e.property, e.constraints ?? {}]));
}

describe('decorators', () => {
  const valid = {
    pgn: '123456782',
    brin: '00ZV',
    postcode: '1234 AB',
    gemeente: 'GM0363',
    datum: '2026-02-28',
  };

  it('accept valid values (BSN and onderwijsnummer)', () => {
    expect(validateSync(Object.assign(new Dto(), valid))).toEqual([]);
    expect(validateSync(Object.assign(new Dto(), { ...valid, pgn: '101234564' }))).toEqual([]);
  });

  it('report stable constraint names with Dutch default messages', () => {
    const dto = Object.assign(new Dto(), {
      pgn: '123456781',
      brin: '00zv',
      postcode: '1234ab',
      gemeente: 'GM363',
      datum: '2026-02-30',
    });
    expect(errorsByProperty(validateSync(dto))).toEqual({
      pgn: { [IS_PGN]: 'pgn is geen geldig BSN of onderwijsnummer' },
      brin: { [IS_BRIN]: 'brin is geen geldige BRIN-code' },
      postcode: { [IS_POSTCODE]: 'postcode is geen geldige postcode (1234 AB)' },
      gemeente: { [IS_MUNICIPALITY_CODE]: 'gemeente is geen geldige gemeentecode (GM0363)' },
      datum: { [IS_ISO_DATE]: 'datum is geen geldige datum (JJJJ-MM-DD)' },
    });
    expect([IS_PGN, IS_BRIN, IS_POSTCODE, IS_MUNICIPALITY_CODE, IS_ISO_DATE]).toEqual([
      'isPgn',
      'isBrin',
      'isPostcode',
      'isMunicipalityCode',
      'isIsoDate',
    ]);
  });

  it('reject non-string values', () => {
    const dto = Object.assign(new Dto(), { ...valid, pgn: 123456782, datum: new Date('2026-02-28') });
    expect(errorsByProperty(validateSync(dto))).toEqual({
      pgn: { [IS_PGN]: expect.any(String) },
      datum: { [IS_ISO_DATE]: expect.any(String) },
    });
  });

  it('support { each: true } and custom messages', () => {
    const ok = Object.assign(new EachDto(), { pgns: ['111222333', '101234564'], brin: '32JK' });
    expect(validateSync(ok)).toEqual([]);

    const bad = Object.assign(new EachDto(), { pgns: ['111222333', '111222334'], brin: 'x' });
    expect(errorsByProperty(validateSync(bad))).toEqual({
      pgns: { [IS_PGN]: 'elke waarde in pgns is geen geldig BSN of onderwijsnummer' },
      brin: { [IS_BRIN]: 'eigen melding' },
    });
  });
});

describe('input as people type it (NormalisePostcode, NormalisePgn)', () => {
  class Typed {
    @NormalisePostcode()
    postcode?: unknown;

    @NormalisePgn()
    pgn?: unknown;
  }
  const typed = (plain: Record<string, unknown>) => plainToInstance(Typed, plain);

  it('writes a postcode typed loosely as 1015 TK, and leaves anything else for the check to refuse', () => {
    expect(typed({ postcode: '1015tk' }).postcode).toBe('1015 TK');
    expect(typed({ postcode: ' 1015  TK ' }).postcode).toBe('1015 TK');
    expect(typed({ postcode: '0123 AB' }).postcode).toBe('0123 AB');
    expect(typed({ postcode: 'onbekend' }).postcode).toBe('onbekend');
    expect(typed({ postcode: 1015 }).postcode).toBe(1015);
    expect(typed({}).postcode).toBeUndefined();
  });

  it('writes a BSN typed in groups as its nine digits, and leaves anything else as it came', () => {
    expect(typed({ pgn: '1234 56 782' }).pgn).toBe('123456782');
    expect(typed({ pgn: '1234.56.782' }).pgn).toBe('123456782');
    expect(typed({ pgn: ' 123456782\t' }).pgn).toBe('123456782');
    expect(typed({ pgn: '1234-56-782' }).pgn).toBe('1234-56-782');
    expect(typed({ pgn: 'x 1234 56 782' }).pgn).toBe('x 1234 56 782');
    expect(typed({ pgn: '1234 56 782 x' }).pgn).toBe('1234 56 782 x');
    expect(typed({ pgn: 'a.b c' }).pgn).toBe('a.b c');
    expect(typed({ pgn: 123456782 }).pgn).toBe(123456782);
    expect(typed({}).pgn).toBeUndefined();
  });
});

describe('what is not text, and the last day of each month', () => {
  it('refuses a code sent as a number or a list, however right it looks', () => {
    expect(isValidOnderwijsnummer(101234567 as unknown as string)).toBe(false);
    expect(isValidBrin(['00ZV'] as unknown as string)).toBe(false);
    expect(isValidPostcode(['1234 AB'] as unknown as string)).toBe(false);
    expect(isValidMunicipalityCode(['GM0363'] as unknown as string)).toBe(false);
    expect(normalisePostcode(1234 as unknown as string)).toBeNull();
  });

  it('knows that April, June, September and November have 30 days', () => {
    for (const month of ['04', '06', '09', '11']) {
      expect([month, isIsoDate(`2026-${month}-30`), isIsoDate(`2026-${month}-31`)]).toEqual([month, true, false]);
    }
    for (const month of ['01', '03', '05', '07', '08', '10', '12']) expect([month, isIsoDate(`2026-${month}-31`)]).toEqual([month, true]);
  });

  it('says which date it could not read, or which came first', () => {
    expect(() => ageOn('2026-02-30', '2026-03-01')).toThrow('Invalid birthDate: 2026-02-30');
    expect(() => ageOn('2010-01-01', 'morgen')).toThrow('Invalid onDate: morgen');
    expect(() => ageOn('2026-03-02', '2026-03-01')).toThrow('onDate 2026-03-01 is before birthDate 2026-03-02');
  });
});
