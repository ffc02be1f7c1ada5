import { Algorithm, hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import { FieldCode } from '../../common/problem';
import {
  ARGON2_PARAMS,
  checkPasswordPolicy,
  hashPassword,
  isCommonPassword,
  needsRehash,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  verifyAgainstDummy,
  verifyPassword,
} from './passwords';

// argon2's verify as it is, watched: an unknown username must cost the same verification as a known one.
jest.mock('@node-rs/argon2', () => {
  const real = jest.requireActual('@node-rs/argon2');
  return { ...real, verify: jest.fn(real.verify) };
});

const person = { username: 'j.devries', name: 'Jan-Willem de Vries', email: 'jw.devries@school.example' };
const codes = (password: string, context: Parameters<typeof checkPasswordPolicy>[1] = person) =>
  checkPasswordPolicy(password, context).map((e) => e.code);

describe('checkPasswordPolicy', () => {
  it('asks for 12 to 128 characters', () => {
    expect(PASSWORD_MIN_LENGTH).toBe(12);
    expect(PASSWORD_MAX_LENGTH).toBe(128);
    expect(codes('Zomer-gr4s-k')).toEqual([]); // 12
    expect(codes('Zomer-gr4s-')).toEqual([FieldCode.TOO_SHORT]); // 11
    expect(codes('x'.repeat(128))).toEqual([]);
    expect(codes('x'.repeat(129))).toEqual([FieldCode.TOO_LONG]);
    expect(codes('')).toEqual([FieldCode.TOO_SHORT]);
  });

  it('answers in Dutch, for the field password', () => {
    const [error] = checkPasswordPolicy('kort', person);
    expect(error).toEqual({ field: 'password', code: FieldCode.TOO_SHORT, message: 'password: moet minstens 12 tekens lang zijn' });
  });

  it('allows spaces and any characters, without composition rules', () => {
    expect(codes('paard batterij nietje')).toEqual([]);
    expect(codes('alleenkleineletters')).toEqual([]);
    expect(codes('            ')).toEqual([]); // 12 spaces: no composition rules (the list catches the common ones)
  });

  it('counts Unicode code points after NFC normalisation', () => {
    const emoji = '\u{1F600}'; // two UTF-16 units, one code point
    expect(codes(emoji.repeat(12))).toEqual([]);
    expect(codes(emoji.repeat(11))).toEqual([FieldCode.TOO_SHORT]);
    expect(codes(emoji.repeat(128))).toEqual([]);
    expect(codes(emoji.repeat(129))).toEqual([FieldCode.TOO_LONG]);
    // "é" written as e + combining accent: 12 code points as typed, 6 once normalised.
    expect('e\u0301'.repeat(6)).toHaveLength(12);
    expect(codes('e\u0301'.repeat(6))).toEqual([FieldCode.TOO_SHORT]);
    expect(codes('\u00e9'.repeat(12))).toEqual([]);
  });

  it('refuses a password on the shipped list of common passwords, in any case', () => {
    for (const pw of ['password1234', 'PASSWORD1234', 'PassWord1234', 'qwerty123456', '1qaz2wsx3edc', 'Qazwsxedcrfv']) {
      expect(codes(pw, {})).toEqual(['PASSWORD_TOO_COMMON']);
    }
    expect(checkPasswordPolicy('qwerty123456', {})[0].message).toMatch(/^password: .*veelgebruikte wachtwoorden/);
    expect(codes('paard batterij nietje', {})).toEqual([]);
  });

  it('reads the list exactly, escaped characters included', () => {
    expect(isCommonPassword('yarabb`=100')).toBe(true);
    expect(isCommonPassword('\\\\xxxstarsondemand')).toBe(true);
    expect(isCommonPassword('Password1234')).toBe(true);
    expect(isCommonPassword('')).toBe(false);
  });

  it('refuses a password containing the username, the e-mail local part or a part of the name', () => {
    expect(codes('xx-J.deVries-2026')).toEqual(['PASSWORD_CONTAINS_PERSONAL_DATA']);
    expect(codes('mijn jw.devries sleutel')).toEqual(['PASSWORD_CONTAINS_PERSONAL_DATA']);
    expect(codes('Willem werkt hier graag')).toEqual(['PASSWORD_CONTAINS_PERSONAL_DATA']);
    expect(checkPasswordPolicy('xx-J.deVries-2026', person)[0].message).toBe('password: mag uw gebruikersnaam, naam of e-mailadres niet bevatten');
    // Parts shorter than 4 characters are not looked for ("jan", "de").
    expect(codes('jan de bakker bakt', person)).toEqual([]);
    expect(codes('bobbel bij de boom', { username: 'bob' })).toEqual([]);
    expect(codes('Zomer-gr4s-k', {})).toEqual([]);
  });

  it('reports every rule that fails', () => {
    expect(codes('j.devries', person)).toEqual([FieldCode.TOO_SHORT, 'PASSWORD_CONTAINS_PERSONAL_DATA']);
  });
});

describe('password hashing', () => {
  it('hashes with argon2id at the exported parameters and verifies the same password only', async () => {
    expect(ARGON2_PARAMS.memoryCost).toBeGreaterThanOrEqual(19456);
    expect(ARGON2_PARAMS.timeCost).toBeGreaterThanOrEqual(2);
    expect(ARGON2_PARAMS.parallelism).toBeGreaterThanOrEqual(1);
    const hash = await hashPassword('paard batterij nietje');
    const [, id, version, params] = hash.split('$');
    expect([id, version]).toEqual(['argon2id', 'v=19']);
    expect(params.split(',').sort()).toEqual([`m=${ARGON2_PARAMS.memoryCost}`, `p=${ARGON2_PARAMS.parallelism}`, `t=${ARGON2_PARAMS.timeCost}`]);
    expect(await verifyPassword(hash, 'paard batterij nietje')).toBe(true);
    expect(await verifyPassword(hash, 'paard batterij nietjes')).toBe(false);
    expect(await verifyPassword(hash, 'Paard batterij nietje')).toBe(false);
    expect(await verifyPassword(hash, '')).toBe(false);
  });

  it('salts each hash', async () => {
    expect(await hashPassword('paard batterij nietje')).not.toBe(await hashPassword('paard batterij nietje'));
  });

  it('verifies the NFC form, whichever way the password was typed', async () => {
    const hash = await hashPassword('caf\u00e9 op de hoek');
    expect(await verifyPassword(hash, 'cafe\u0301 op de hoek')).toBe(true);
  });

  it('does not truncate long passwords', async () => {
    const long = 'a'.repeat(127);
    const hash = await hashPassword(long + 'b');
    expect(await verifyPassword(hash, long + 'c')).toBe(false);
  });

  it('never matches a stored value that is not an argon2 hash', async () => {
    expect(await verifyPassword('', 'whatever')).toBe(false);
    expect(await verifyPassword('plain text', 'plain text')).toBe(false);
    expect(await verifyPassword('$argon2id$v=19$m=65536,t=2,p=1$broken', 'x')).toBe(false);
  });

  it('tells when a hash is weaker than the current parameters', async () => {
    expect(needsRehash(await hashPassword('paard batterij nietje'))).toBe(false);
    const owaspMinimum = await hashPassword('paard batterij nietje', { memoryCost: 19456, timeCost: 2, parallelism: 1 });
    expect(needsRehash(owaspMinimum)).toBe(ARGON2_PARAMS.memoryCost > 19456);
    expect(needsRehash(owaspMinimum, { memoryCost: 19456, timeCost: 2, parallelism: 1 })).toBe(false);
    const fewerPasses = await argon2Hash('x', { ...ARGON2_PARAMS, timeCost: 1, algorithm: Algorithm.Argon2id });
    expect(needsRehash(fewerPasses)).toBe(true);
    const argon2i = await argon2Hash('x', { ...ARGON2_PARAMS, algorithm: Algorithm.Argon2i });
    expect(needsRehash(argon2i)).toBe(true);
    // A different parallelism alone is not weaker.
    expect(needsRehash(await argon2Hash('x', { ...ARGON2_PARAMS, parallelism: 2, algorithm: Algorithm.Argon2id }))).toBe(false);
    expect(needsRehash('$2b$10$abcdefghijklmnopqrstuu')).toBe(true);
    expect(needsRehash('$argon2id$v=16$m=65536,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2g')).toBe(true);
    expect(needsRehash('$argon2id$m=65536,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2g')).toBe(true); // argon2 1.0: no version field
    expect(needsRehash('$argon2id$v=19$t=3,p=1,m=65536$c2FsdHNhbHQ$aGFzaGhhc2g')).toBe(false);
    expect(needsRehash('$argon2id$v=19$m=65536,t=3$c2FsdHNhbHQ$aGFzaGhhc2g')).toBe(true);
    expect(needsRehash('')).toBe(true);
  });

  it('does a real verification for an unknown username, and says no', async () => {
    expect(await verifyAgainstDummy('paard batterij nietje')).toBe(false);
    // The same argon2 work as for a known username: a verification against a hash at today's parameters, of the
    // password given, not a cheap early return. (Counted, not timed: a timing bound fails on a busy machine.)
    const verify = argon2Verify as jest.MockedFunction<typeof argon2Verify>;
    verify.mockClear();
    expect(await verifyAgainstDummy('fout wachtwoord')).toBe(false);
    expect(verify).toHaveBeenCalledTimes(1);
    const [hash, password] = verify.mock.calls[0];
    expect(password).toBe('fout wachtwoord');
    expect(typeof hash === 'string' && needsRehash(hash)).toBe(false);
    await expect(verify.mock.results[0].value).resolves.toBe(false);
  });
});
