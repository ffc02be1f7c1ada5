import { createDecipheriv, randomBytes } from 'node:crypto';
import {
  base32Decode,
  base32Encode,
  codeAt,
  newSecret,
  otpauthUri,
  parseHardwareSeed,
  qrCodeSvg,
  SecretBox,
  timeStep,
  verifyCode,
} from './totp';

/** 10 seconds into a time step, so that "one step back" and "one step ahead" are unambiguous. */
const NOW = new Date('2026-03-02T09:00:10Z');
const STEP = timeStep(NOW);
const at = (steps: number) => new Date(NOW.getTime() + steps * 30_000);

describe('base32', () => {
  it('follows RFC 4648 (test vectors, without padding)', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'MY'],
      ['fo', 'MZXQ'],
      ['foo', 'MZXW6'],
      ['foob', 'MZXW6YQ'],
      ['fooba', 'MZXW6YTB'],
      ['foobar', 'MZXW6YTBOI'],
    ];
    for (const [plain, encoded] of vectors) {
      expect(base32Encode(Buffer.from(plain))).toBe(encoded);
      expect(Buffer.from(base32Decode(encoded)!).toString()).toBe(plain);
    }
    expect(Buffer.from(base32Decode('mzxw6ytboi======')!).toString()).toBe('foobar');
  });

  it('refuses what is not base32', () => {
    for (const s of ['MZXW6YTB1', 'MZX', 'MZ=XW', 'MZ XW', 'MZXW6YTBOJ' /* leftover bits set */]) expect(base32Decode(s)).toBeNull();
  });
});

describe('TOTP', () => {
  const secret = newSecret();

  it('makes 160-bit secrets in base32', () => {
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(base32Decode(secret)).toHaveLength(20);
    expect(newSecret()).not.toBe(secret);
  });

  it('computes RFC 6238 codes (SHA-1, 6 digits, 30 seconds)', () => {
    // RFC 6238 appendix B, key "12345678901234567890", the last 6 of the 8 digits.
    const rfcKey = base32Encode(Buffer.from('12345678901234567890'));
    expect(codeAt(rfcKey, new Date(59_000))).toBe('287082');
    expect(codeAt(rfcKey, new Date(1111111109_000))).toBe('081804');
    expect(codeAt(rfcKey, new Date(2000000000_000))).toBe('279037');
  });

  it('accepts a code generated for now and returns its step', () => {
    expect(verifyCode(secret, codeAt(secret, NOW), null, NOW)).toEqual({ ok: true, step: STEP });
    expect(verifyCode(secret, codeAt(secret, NOW), STEP - 1, NOW)).toEqual({ ok: true, step: STEP });
  });

  it('never accepts the same time step twice', () => {
    const code = codeAt(secret, NOW);
    const first = verifyCode(secret, code, null, NOW);
    expect(first.ok).toBe(true);
    const lastUsed = first.ok ? first.step : -1;
    expect(verifyCode(secret, code, lastUsed, NOW)).toEqual({ ok: false });
    expect(verifyCode(secret, code, lastUsed, new Date(NOW.getTime() + 15_000))).toEqual({ ok: false });
    // ...nor an earlier one still within reach.
    expect(verifyCode(secret, codeAt(secret, at(-1)), lastUsed, NOW)).toEqual({ ok: false });
    // The next step's code is fine once its time has come.
    expect(verifyCode(secret, codeAt(secret, at(1)), lastUsed, at(1))).toEqual({ ok: true, step: STEP + 1 });
  });

  it('accepts a code from one step back', () => {
    expect(verifyCode(secret, codeAt(secret, at(-1)), null, NOW)).toEqual({ ok: true, step: STEP - 1 });
    expect(verifyCode(secret, codeAt(secret, at(-1)), STEP - 2, NOW)).toEqual({ ok: true, step: STEP - 1 });
    // At the very start of a step as well as at its end.
    expect(verifyCode(secret, codeAt(secret, new Date(STEP * 30_000 - 1)), null, new Date((STEP + 1) * 30_000 - 1000))).toEqual({ ok: true, step: STEP - 1 });
  });

  it('refuses a code from two steps back', () => {
    expect(verifyCode(secret, codeAt(secret, at(-2)), null, NOW)).toEqual({ ok: false });
    expect(verifyCode(secret, codeAt(secret, new Date((STEP - 1) * 30_000 - 1)), null, new Date(STEP * 30_000))).toEqual({ ok: false });
  });

  it('refuses a code from one step ahead', () => {
    expect(verifyCode(secret, codeAt(secret, at(1)), null, NOW)).toEqual({ ok: false });
    expect(verifyCode(secret, codeAt(secret, at(1)), null, new Date((STEP + 1) * 30_000 - 1))).toEqual({ ok: false });
  });

  it('takes exactly 6 digits, spaces removed', () => {
    const code = codeAt(secret, NOW);
    expect(verifyCode(secret, `${code.slice(0, 3)} ${code.slice(3)}`, null, NOW)).toEqual({ ok: true, step: STEP });
    expect(verifyCode(secret, ` ${code}\n`, null, NOW)).toEqual({ ok: true, step: STEP });
    for (const wrong of [code.slice(0, 5), `${code}0`, `0${code}`, '', 'abcdef', `${code.slice(0, 5)}x`, `-${code.slice(1)}`, '１２３４５６']) {
      expect(verifyCode(secret, wrong, null, NOW)).toEqual({ ok: false });
    }
  });

  it('refuses a wrong code and a code for another secret', () => {
    const code = codeAt(secret, NOW);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    expect(verifyCode(secret, wrong, null, NOW)).toEqual({ ok: false });
    expect(verifyCode(newSecret(), code, null, NOW)).toEqual({ ok: false });
  });

  it('refuses everything when the last used step is now or later (clock set back), without throwing', () => {
    expect(verifyCode(secret, codeAt(secret, NOW), STEP, NOW)).toEqual({ ok: false });
    expect(verifyCode(secret, codeAt(secret, NOW), STEP + 100, NOW)).toEqual({ ok: false });
  });

  it('throws on a last used step that is not a step, and on a stored secret that is not one, saying which', () => {
    for (const step of [-1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1]) {
      expect(() => verifyCode(secret, '123456', step, NOW)).toThrow('lastUsedStep moet een geheel getal van 0 of meer zijn.');
    }
    for (const stored of ['not base32!', base32Encode(Buffer.alloc(15, 0x41)), base32Encode(Buffer.alloc(65, 0x41))]) {
      expect(() => verifyCode(stored, '123456', null, NOW)).toThrow('Geen geldig TOTP-geheim (base32).');
      expect(() => codeAt(stored, NOW)).toThrow('Geen geldig TOTP-geheim (base32).');
    }
  });

  it('accepts the first code of an account whose last used step is 0', () => {
    expect(verifyCode(secret, codeAt(secret, NOW), 0, NOW)).toEqual({ ok: true, step: STEP });
  });

  it('refuses a code that is not text (a number in JSON) without throwing', () => {
    expect(verifyCode(secret, Number(codeAt(secret, NOW)) as unknown as string, null, NOW)).toEqual({ ok: false });
  });
});

describe('enrolment by QR code', () => {
  it('builds the otpauth URI an authenticator app reads', () => {
    const uri = new URL(otpauthUri('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', 'j.devries'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Verzuimloket:j.devries');
    expect(uri.searchParams.get('secret')).toBe('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
    expect(uri.searchParams.get('issuer')).toBe('Verzuimloket');
    for (const [name, value] of [['algorithm', 'SHA1'], ['digits', '6'], ['period', '30']]) {
      const given = uri.searchParams.get(name);
      if (given !== null) expect(given.toUpperCase()).toBe(value);
    }
    expect(decodeURIComponent(new URL(otpauthUri('JBSWY3DPEHPK3PXP', 'a@b.nl', 'Test Loket')).pathname)).toBe('/Test Loket:a@b.nl');
  });

  it('renders the URI as an SVG QR code on the server', async () => {
    const svg = await qrCodeSvg(otpauthUri(newSecret(), 'j.devries'));
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).toContain('<path');
    expect(svg.trimEnd()).toMatch(/<\/svg>$/);
  });
});

describe('parseHardwareSeed', () => {
  const bytes = Buffer.from('3132333435363738393031323334353637383930', 'hex'); // 20 bytes
  const base32 = base32Encode(bytes);

  it('reads hex and base32 of the same bytes to the same seed', () => {
    expect(base32).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    expect(parseHardwareSeed('3132333435363738393031323334353637383930')).toBe(base32);
    expect(parseHardwareSeed('3132 3334 3536 3738 3930\n3132 3334 3536 3738 3930')).toBe(base32);
    expect(parseHardwareSeed('0x3132333435363738393031323334353637383930')).toBe(base32);
    const upper = Buffer.from('ABCDEF0123456789ABCDEF0123456789ABCDEF01', 'hex');
    expect(parseHardwareSeed('ABCDEF0123456789ABCDEF0123456789ABCDEF01')).toBe(base32Encode(upper));
    expect(parseHardwareSeed('abcdef0123456789abcdef0123456789abcdef01')).toBe(base32Encode(upper));
    expect(parseHardwareSeed(base32)).toBe(base32);
    expect(parseHardwareSeed(base32.toLowerCase())).toBe(base32);
    expect(parseHardwareSeed('GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ')).toBe(base32);
  });

  it('accepts base32 with or without padding, and longer seeds', () => {
    const seed32 = randomBytes(32);
    const padded = base32Encode(seed32) + '===='; // 32 bytes: 52 characters, padded to 56
    expect(padded).toHaveLength(56);
    expect(parseHardwareSeed(padded)).toBe(base32Encode(seed32));
    expect(parseHardwareSeed(seed32.toString('hex'))).toBe(base32Encode(seed32));
  });

  it('gives a seed that verifies codes', () => {
    const seed = parseHardwareSeed('3132333435363738393031323334353637383930')!;
    expect(verifyCode(seed, '287082', null, new Date(59_000))).toEqual({ ok: true, step: 1 });
  });

  it('refuses what is not a seed of 20 to 64 bytes', () => {
    expect(parseHardwareSeed('')).toBeNull();
    expect(parseHardwareSeed('   ')).toBeNull();
    expect(parseHardwareSeed(randomBytes(19).toString('hex'))).toBeNull();
    expect(parseHardwareSeed(base32Encode(randomBytes(19)))).toBeNull();
    expect(parseHardwareSeed(randomBytes(65).toString('hex'))).toBeNull();
    expect(parseHardwareSeed('313233343536373839303132333435363738393')).toBeNull(); // odd number of hex digits
    expect(parseHardwareSeed('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJ1')).toBeNull(); // 1 is not base32
    expect(parseHardwareSeed('GEZDGNBV=GY3TQOJQGEZDGNBVGY3TQOJQ')).toBeNull();
    expect(parseHardwareSeed('seed: ' + base32)).toBeNull();
    expect(parseHardwareSeed('0x' + 'g1'.repeat(20))).toBeNull();
  });
});

describe('SecretBox', () => {
  const key = randomBytes(32);
  const box = new SecretBox(key);
  const seed = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

  it('opens what it sealed, and seals with a fresh IV each time', () => {
    const blob = box.seal(seed);
    expect(blob).toBeInstanceOf(Buffer);
    expect(blob.length).toBe(12 + 16 + seed.length);
    expect(blob.includes(Buffer.from(seed))).toBe(false);
    expect(box.open(blob)).toBe(seed);
    expect(new SecretBox(Buffer.from(key)).open(blob)).toBe(seed);
    expect(box.seal(seed).equals(blob)).toBe(false);
  });

  it('detects any change to the blob', () => {
    const blob = box.seal(seed);
    for (const i of [0, 11, 12, 27, 28, blob.length - 1]) {
      const tampered = Buffer.from(blob);
      tampered[i] ^= 0x01;
      expect(() => box.open(tampered)).toThrow();
    }
    expect(() => box.open(blob.subarray(0, blob.length - 1))).toThrow();
    expect(() => box.open(blob.subarray(0, 20))).toThrow();
  });

  it('does not open with another master key, and derives its key apart from the master key', () => {
    const blob = box.seal(seed);
    expect(() => new SecretBox(randomBytes(32)).open(blob)).toThrow();
    // Sealed directly under the master key (no HKDF) it would open with AES-GCM and `key`; it does not.
    const d = createDecipheriv('aes-256-gcm', key, blob.subarray(0, 12));
    d.setAuthTag(blob.subarray(12, 28));
    d.update(blob.subarray(28));
    expect(() => d.final()).toThrow();
  });

  it('binds a blob to its associated data when given', () => {
    const blob = box.seal(seed, 'user-1');
    expect(box.open(blob, 'user-1')).toBe(seed);
    expect(() => box.open(blob, 'user-2')).toThrow();
    expect(() => box.open(blob)).toThrow();
  });

  it('wants a 32-byte master key', () => {
    expect(() => new SecretBox(randomBytes(16))).toThrow();
  });
});

describe('hardware-token seeds as vendors ship them', () => {
  it('enrols a base32 seed whatever letter or digit it ends in (A-F and 2-7 are no reason to read it as hex)', () => {
    for (const last of 'ABCDEFGHQZ234567') {
      const seed = `GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJ${last}`;
      expect([last, parseHardwareSeed(seed)]).toEqual([last, seed]);
    }
    expect(parseHardwareSeed('CIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).toBe('CIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    // Starting with hex digits is no reason either.
    expect(parseHardwareSeed('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')).toBe('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567');
  });

  it('refuses hex with an odd number of digits instead of dropping the last one', () => {
    const hex41 = '3132333435363738393031323334353637383930' + '1';
    expect(parseHardwareSeed(hex41)).toBeNull();
    expect(parseHardwareSeed('0x' + hex41)).toBeNull();
    expect(parseHardwareSeed(hex41 + '0')).toBe(base32Encode(Buffer.from(hex41 + '0', 'hex')));
  });

  it('takes 20 to 64 bytes, both ends included', () => {
    for (const [n, ok] of [[19, false], [20, true], [64, true], [65, false]] as const) {
      const bytes = Buffer.alloc(n, 0x31);
      expect([n, 'hex', parseHardwareSeed(bytes.toString('hex')) !== null]).toEqual([n, 'hex', ok]);
      expect([n, 'base32', parseHardwareSeed(base32Encode(bytes)) !== null]).toEqual([n, 'base32', ok]);
    }
  });

  it('reads 0x only as a prefix', () => {
    expect(parseHardwareSeed('31' + '0x' + '32'.repeat(20))).toBeNull();
    expect(parseHardwareSeed('0X' + '32'.repeat(20))).toBe(base32Encode(Buffer.alloc(20, 0x32)));
  });

  it('reads nothing but text', () => {
    expect(parseHardwareSeed(12345 as unknown as string)).toBeNull();
    expect(parseHardwareSeed(null as unknown as string)).toBeNull();
  });
});

describe('stored secrets', () => {
  it('works with a secret of 16 to 64 bytes and refuses a shorter or longer one', () => {
    for (const [n, ok] of [[15, false], [16, true], [64, true], [65, false]] as const) {
      const secret = base32Encode(Buffer.alloc(n, 0x41));
      expect([n, (() => { try { codeAt(secret, NOW); return true; } catch { return false; } })()]).toEqual([n, ok]);
    }
  });
});

describe('the key that seals stored seeds (known answer)', () => {
  // Sealed once with master key 32 x 0x07 and associated data "account-1". If the label from which the key is derived
  // ("verzuimloket totp seed") or the derivation changes, every stored seed becomes unreadable after a deploy: this
  // fails first.
  const master = Buffer.alloc(32, 7);
  const SEALED = Buffer.from(
    '3d305a7ee895efcd7f3ca88c5148ba5a3e6dcddb7a401a4a2b581c3fc791a2c92bf6230a34fa8aee02b082807e1785bc3195f304570ae76a52af12d7',
    'hex',
  );

  it('still opens a seed sealed by an earlier release', () => {
    expect(new SecretBox(master).open(SEALED, 'account-1')).toBe('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
  });
});
