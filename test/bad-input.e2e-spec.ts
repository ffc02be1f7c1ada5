import request from 'supertest';
import { ApiKeysService } from '../src/identity/api-keys.service';
import { expectProblem, FieldError, fieldErrors, pairs } from './support/problems';
import { bornAged, bsn, Caller, daysAgo, reportBody, TestApp, TestSchool } from './support/test-app';

/**
 * Bad input on filing (POST /api/v1/reports) and changing (PATCH /api/v1/reports/:n) a report: every refusal is
 * problem+json with a stable code, names the field with its dotted path and a Dutch message, and leaves no trace
 * in the register. No request gets a 500.
 */

type Body = Record<string, unknown>;

/** Sets the value at a dotted path such as 'pupil.registeredAddress.postcode'; undefined removes the key. */
function set(body: Body, path: string, value: unknown): Body {
  const keys = path.split('.');
  let node = body;
  for (const k of keys.slice(0, -1)) node = node[k] as Body;
  const last = keys[keys.length - 1];
  if (value === undefined) delete node[last];
  else node[last] = value;
  return body;
}

const VALID_ADDRESS = { street: 'Dorpsstraat', houseNumber: 12, postcode: '1012 AB', place: 'Amsterdam', municipalityCode: 'GM0363' };

describe('bad input on the reports API', () => {
  let t: TestApp;
  let school: TestSchool;
  let other: TestSchool;
  let amsterdam: Caller;
  let inactiveLocationCode: string;
  let inactiveReporterId: string;
  let seed = 200000;

  /** A complete, valid 16U report with a pupil of its own, so that a case never collides with another's pupil. */
  const base = (overrides: Body = {}, pupil: Body = {}): Body => reportBody(school, overrides, { pgn: bsn((seed += 2)), ...pupil });

  async function traces(): Promise<{ reports: number; events: number }> {
    const [row] = await t.db.query(
      'SELECT (SELECT count(*) FROM report)::int AS reports, (SELECT count(*) FROM report_event)::int AS events',
    );
    return row;
  }

  /** Sends, expects the refusal, and checks that the register did not change. */
  async function refused(send: () => request.Test, status: number, code: string): Promise<request.Response> {
    const before = await traces();
    const res = await send();
    expectProblem(res, status, code);
    expect(await traces()).toEqual(before);
    return res;
  }

  /** A 422 on filing with exactly these `field CODE` pairs, and no trace. */
  async function fileRefused(body: unknown, expected: string[]): Promise<FieldError[]> {
    const res = await refused(() => school.post('/api/v1/reports', body as object), 422, 'VALIDATION_FAILED');
    const errors = fieldErrors(res);
    expect(pairs(errors)).toEqual([...expected].sort());
    return errors;
  }

  const raw = (method: 'post' | 'patch', path: string, key?: string) => {
    const r = request(t.http)[method](path);
    return key ? r.set('Authorization', `Bearer ${key}`) : r;
  };

  beforeAll(async () => {
    t = await TestApp.start();
    school = await t.newSchool();
    other = await t.newSchool('Andere school');
    amsterdam = await t.keyFor('GM0363');
    const loc = await school.post('/api/v1/locations', { code: '02', name: 'Dependance', municipalityCode: 'GM0363' }).expect(201);
    await school.patch(`/api/v1/locations/${loc.body.id}`, { active: false }).expect(200);
    inactiveLocationCode = `${school.org.code}02`;
    const rep = await school
      .post('/api/v1/reporters', { name: 'Oud-mentor', function: 'Mentor', phone: '020 765 4321', email: 'oud@school.example' })
      .expect(201);
    await school.patch(`/api/v1/reporters/${rep.body.id}`, { active: false }).expect(200);
    inactiveReporterId = rep.body.id;
  });
  afterAll(() => t.stop());

  describe('POST /api/v1/reports', () => {
    it('accepts the base body the cases below break (control)', async () => {
      await school.post('/api/v1/reports', base()).expect(201);
    });

    it.each([
      ['{"pupil": '],
      ["{'reason': 'enkele aanhalingstekens'}"],
      ['{"reason": "komma te veel",}'],
      ['{"reason": "a" "b"}'],
      ['NaN'],
      ['null'],
      ['"alleen een tekst"'],
      ['{"reason": "\\x41"}'],
    ])('refuses malformed JSON %s with 400 MALFORMED_JSON', async (text) => {
      const res = await refused(
        () => raw('post', '/api/v1/reports', school.key).set('Content-Type', 'application/json').send(text),
        400,
        'MALFORMED_JSON',
      );
      expect(res.body.errors).toBeUndefined();
    });

    it('refuses a body over the 256kb limit with 413 PAYLOAD_TOO_LARGE', async () => {
      const body = base({ reason: 'x'.repeat(300 * 1024) });
      await refused(() => school.post('/api/v1/reports', body), 413, 'PAYLOAD_TOO_LARGE');
    });

    it('refuses a body just under the limit by its field (reason TOO_LONG), not by its size', async () => {
      await fileRefused(base({ reason: 'x'.repeat(200 * 1024) }), ['reason TOO_LONG']);
    });

    it('refuses a JSON array instead of an object', async () => {
      const res = await refused(() => school.post('/api/v1/reports', []), 422, 'VALIDATION_FAILED');
      expect(pairs(fieldErrors(res))).toEqual(expect.arrayContaining(['pupil REQUIRED', 'reason REQUIRED', 'kind REQUIRED']));
    });

    it('refuses an empty object, naming every required field', async () => {
      await fileRefused({}, [
        'actionWanted REQUIRED', 'allLessonsMissed REQUIRED', 'beginDate REQUIRED', 'emailCopies REQUIRED', 'kind REQUIRED',
        'locationCode REQUIRED', 'pupil REQUIRED', 'reason REQUIRED', 'reporterId REQUIRED',
      ]);
    });

    it('refuses deeply nested JSON without falling over', async () => {
      const depth = 10_000; // 20 kB of brackets, far under the body limit
      const text = JSON.stringify(base()).replace(/^\{/, `{"foo":${'['.repeat(depth)}${']'.repeat(depth)},`);
      const before = await traces();
      const res = await raw('post', '/api/v1/reports', school.key).set('Content-Type', 'application/json').send(text);
      expect([400, 422]).toContain(res.status);
      expectProblem(res, res.status, res.status === 400 ? 'MALFORMED_JSON' : 'VALIDATION_FAILED');
      expect(await traces()).toEqual(before);
    });

    it('refuses __proto__ and constructor as unknown fields', async () => {
      const text = JSON.stringify(base()).replace(/^\{/, '{"__proto__":{"admin":true},"constructor":{"x":1},');
      const before = await traces();
      const res = await raw('post', '/api/v1/reports', school.key).set('Content-Type', 'application/json').send(text);
      expectProblem(res, 422, 'VALIDATION_FAILED');
      expect(pairs(fieldErrors(res))).toEqual(['__proto__ UNKNOWN_FIELD', 'constructor UNKNOWN_FIELD']);
      expect(await traces()).toEqual(before);
    });

    it('refuses a JSON body in a charset it does not read with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
      await refused(
        () => raw('post', '/api/v1/reports', school.key).set('Content-Type', 'application/json; charset=latin1').send(JSON.stringify(base())),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      );
    });

    it('refuses a body that is not JSON (text/plain) with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
      await refused(
        () => raw('post', '/api/v1/reports', school.key).set('Content-Type', 'text/plain').send(JSON.stringify(base())),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      );
    });

    type Case = [string, () => Body, string[]];
    const cases: Case[] = [
      // unknown fields, with their dotted path
      ['an unknown top-level field', () => base({ foo: 1 }), ['foo UNKNOWN_FIELD']],
      ['an unknown field in pupil', () => base({}, { foo: 'bar' }), ['pupil.foo UNKNOWN_FIELD']],
      ['an unknown field in the address', () => set(base(), 'pupil.registeredAddress.foo', 1), ['pupil.registeredAddress.foo UNKNOWN_FIELD']],
      ['an unknown field in an absence day', () => base({ absenceDays: [{ date: daysAgo(10), lessonHours: [1], foo: true }] }), ['absenceDays[0].foo UNKNOWN_FIELD']],
      ['a status set by the school', () => base({ status: 'AFGESLOTEN' }), ['status UNKNOWN_FIELD']],
      // wrong types
      ['a number for a string (surname)', () => base({}, { surname: 42 }), ['pupil.surname WRONG_TYPE']],
      ['a number for a string (reason)', () => base({ reason: 42 }), ['reason WRONG_TYPE']],
      ['a string for a boolean (allLessonsMissed)', () => base({ allLessonsMissed: 'ja' }), ['allLessonsMissed WRONG_TYPE']],
      ['a string "true" for a boolean (actionWanted)', () => base({ actionWanted: 'true' }), ['actionWanted WRONG_TYPE']],
      ['an array for an object (pupil)', () => base({ pupil: [] }), ['pupil WRONG_TYPE']],
      ['a string for an object (pupil)', () => base({ pupil: 'J. van Dijk' }), ['pupil WRONG_TYPE']],
      ['an array for an object (registeredAddress)', () => base({}, { registeredAddress: [VALID_ADDRESS] }), ['pupil.registeredAddress WRONG_TYPE']],
      ['a string for a number (houseNumber)', () => set(base(), 'pupil.registeredAddress.houseNumber', '12'), ['pupil.registeredAddress.houseNumber WRONG_TYPE']],
      ['a fraction for an integer (daysMissed)', () => base({ daysMissed: 2.5 }), ['daysMissed WRONG_TYPE']],
      ['a string for a list (absenceDays)', () => base({ absenceDays: 'maandag en dinsdag' }), ['absenceDays WRONG_TYPE']],
      ['a number for an absence day', () => base({ absenceDays: [5] }), ['absenceDays[0] WRONG_TYPE']],
      ['null for an absence day', () => base({ absenceDays: [null] }), ['absenceDays[0] WRONG_TYPE']],
      ['a string for a list (lessonHours)', () => base({ absenceDays: [{ date: daysAgo(10), lessonHours: '1,2' }] }), ['absenceDays[0].lessonHours WRONG_TYPE']],
      ['a number for the PGN (leading zero lost)', () => base({}, { pgn: 123456782 }), ['pupil.pgn INVALID_PGN']],
      // null for required
      ['null for reason', () => base({ reason: null }), ['reason REQUIRED']],
      ['null for pupil', () => base({ pupil: null }), ['pupil REQUIRED']],
      ['null for kind', () => base({ kind: null }), ['kind REQUIRED']],
      ['null for allLessonsMissed', () => base({ allLessonsMissed: null }), ['allLessonsMissed REQUIRED']],
      ['null for pupil.surname', () => base({}, { surname: null }), ['pupil.surname REQUIRED']],
      ['null for pupil.registeredAddress', () => base({}, { registeredAddress: null }), ['pupil.registeredAddress REQUIRED']],
      // missing required
      ['no reason', () => base({ reason: undefined }), ['reason REQUIRED']],
      ['no beginDate', () => set(base(), 'beginDate', undefined), ['beginDate REQUIRED']],
      ['no pupil.pgn', () => set(base(), 'pupil.pgn', undefined), ['pupil.pgn REQUIRED']],
      ['no pupil.birthDate', () => set(base(), 'pupil.birthDate', undefined), ['pupil.birthDate REQUIRED']],
      ['no postcode in the address', () => set(base(), 'pupil.registeredAddress.postcode', undefined), ['pupil.registeredAddress.postcode REQUIRED']],
      ['no locationCode', () => set(base(), 'locationCode', undefined), ['locationCode REQUIRED']],
      ['no reporterId', () => set(base(), 'reporterId', undefined), ['reporterId REQUIRED']],
      ['an empty reason', () => base({ reason: '' }), ['reason TOO_SHORT']],
      // PGN
      ['a BSN failing the 11-proof', () => base({}, { pgn: '123456789' }), ['pupil.pgn INVALID_PGN']],
      ['a BSN with a wrong check digit', () => base({}, { pgn: '123456783' }), ['pupil.pgn INVALID_PGN']],
      ['BSN 000000000', () => base({}, { pgn: '000000000' }), ['pupil.pgn INVALID_PGN']],
      ['a PGN of 8 digits', () => base({}, { pgn: '12345678' }), ['pupil.pgn INVALID_PGN']],
      ['a PGN of 10 digits', () => base({}, { pgn: '1234567820' }), ['pupil.pgn INVALID_PGN']],
      ['a PGN with letters', () => base({}, { pgn: '12345678O' }), ['pupil.pgn INVALID_PGN']],
      ['an onderwijsnummer with the wrong remainder', () => base({}, { pgn: '100000006' }), ['pupil.pgn INVALID_PGN']],
      ['an onderwijsnummer not starting with 10', () => base({}, { pgn: '110000004' }), ['pupil.pgn INVALID_PGN']],
      // absurd dates
      ['2026-02-30', () => base({}, { birthDate: '2026-02-30' }), ['pupil.birthDate INVALID_DATE']],
      ['0000-01-01', () => base({ beginDate: '0000-01-01' }), ['beginDate INVALID_DATE']],
      ['99999-01-01', () => base({ endDate: '99999-01-01' }), ['endDate INVALID_DATE']],
      ['gisteren', () => base({ beginDate: 'gisteren' }), ['beginDate INVALID_DATE']],
      ['2026-13-01', () => base({ beginDate: '2026-13-01' }), ['beginDate INVALID_DATE']],
      ['2026-2-1', () => base({ beginDate: '2026-2-1' }), ['beginDate INVALID_DATE']],
      ['a timestamp for a date', () => base({ beginDate: `${daysAgo(14)}T00:00:00Z` }), ['beginDate INVALID_DATE']],
      ['a number for a date', () => base({ beginDate: 20260101 }), ['beginDate INVALID_DATE']],
      ['an absurd absence day', () => base({ absenceDays: [{ date: 'morgen', lessonHours: [1] }] }), ['absenceDays[0].date INVALID_DATE']],
      // dates against each other and today
      ['a begin date in the future', () => base({ kind: 'LUXE', beginDate: daysAgo(-5), endDate: null }), ['beginDate DATE_IN_FUTURE']],
      ['an end date in the future', () => base({ endDate: daysAgo(-2) }), ['endDate DATE_IN_FUTURE']],
      ['a birth date in the future', () => base({}, { birthDate: daysAgo(-30) }), ['pupil.birthDate DATE_IN_FUTURE']],
      ['an end before the begin', () => base({ beginDate: daysAgo(5), endDate: daysAgo(10) }), ['endDate END_BEFORE_BEGIN']],
      ['a begin date more than a year back', () => base({ beginDate: daysAgo(400), endDate: daysAgo(390) }), ['beginDate DATE_TOO_OLD']],
      ['16U without end date (null)', () => base({ endDate: null }), ['endDate END_DATE_REQUIRED']],
      ['16U without end date (absent)', () => set(base(), 'endDate', undefined), ['endDate END_DATE_REQUIRED']],
      ['LRV without end date', () => base({ kind: 'LRV', endDate: null }), ['endDate END_DATE_REQUIRED']],
      ['a pupil of 19 on a 16U report', () => base({}, { birthDate: bornAged(19) }), ['pupil.birthDate AGE_DOES_NOT_FIT_KIND']],
      ['a pupil of 15 on an RMC report', () => base({ kind: 'RMC' }, { birthDate: bornAged(15) }), ['pupil.birthDate AGE_DOES_NOT_FIT_KIND']],
      ['an absence day outside the period', () => base({ absenceDays: [{ date: daysAgo(20), lessonHours: [1] }] }), ['absenceDays[0].date DATE_OUTSIDE_PERIOD']],
      // the toelichting
      ['actionWanted false without explanation', () => base({ actionWanted: false }), ['actionWantedExplanation EXPLANATION_REQUIRED']],
      ['actionWanted false with a blank explanation', () => base({ actionWanted: false, actionWantedExplanation: '   ' }), ['actionWantedExplanation EXPLANATION_REQUIRED']],
      // addresses
      ['postcode 1234 ABC', () => set(base(), 'pupil.registeredAddress.postcode', '1234 ABC'), ['pupil.registeredAddress.postcode INVALID_POSTCODE']],
      ['postcode 0123 AB', () => set(base(), 'pupil.registeredAddress.postcode', '0123 AB'), ['pupil.registeredAddress.postcode INVALID_POSTCODE']],
      ['postcode 1234 SS', () => set(base(), 'pupil.registeredAddress.postcode', '1234 SS'), ['pupil.registeredAddress.postcode INVALID_POSTCODE']],
      ['a bad postcode in the residence address', () => base({}, { residenceAddress: { ...VALID_ADDRESS, postcode: '1234' } }), ['pupil.residenceAddress.postcode INVALID_POSTCODE']],
      ['unknown municipality GM9999', () => set(base(), 'pupil.registeredAddress.municipalityCode', 'GM9999'), ['pupil.registeredAddress.municipalityCode UNKNOWN_MUNICIPALITY']],
      ['unknown municipality GM9999 in the residence address', () => base({}, { residenceAddress: { ...VALID_ADDRESS, municipalityCode: 'GM9999' } }), ['pupil.residenceAddress.municipalityCode UNKNOWN_MUNICIPALITY']],
      ['a municipality name for a code', () => set(base(), 'pupil.registeredAddress.municipalityCode', 'Amsterdam'), ['pupil.registeredAddress.municipalityCode INVALID_MUNICIPALITY_CODE']],
      ['house number 0', () => set(base(), 'pupil.registeredAddress.houseNumber', 0), ['pupil.registeredAddress.houseNumber TOO_SMALL']],
      ['a house letter of two letters', () => set(base(), 'pupil.registeredAddress.houseLetter', 'ab'), ['pupil.registeredAddress.houseLetter INVALID_FORMAT']],
      ['a phone number of words', () => base({}, { phone: 'bel de moeder' }), ['pupil.phone INVALID_FORMAT']],
      // lengths
      ['a reason of 10,000 characters', () => base({ reason: 'x'.repeat(10_000) }), ['reason TOO_LONG']],
      ['a surname of 201 characters', () => base({}, { surname: 'x'.repeat(201) }), ['pupil.surname TOO_LONG']],
      ['initials of 21 characters', () => base({}, { initials: 'A.'.repeat(10) + 'B' }), ['pupil.initials TOO_LONG']],
      ['a toelichting of 4001 characters', () => base({ absenceExplanation: 'x'.repeat(4001) }), ['absenceExplanation TOO_LONG']],
      ['a student number of 51 characters', () => base({}, { studentNumber: '1'.repeat(51) }), ['pupil.studentNumber TOO_LONG']],
      // code lists and numbers
      ['an unknown kind', () => base({ kind: 'ZIEK' }), ['kind NOT_ALLOWED_VALUE']],
      ['a lower-case kind', () => base({ kind: 'luxe' }), ['kind NOT_ALLOWED_VALUE']],
      ['an unknown sex', () => base({}, { sex: 'man' }), ['pupil.sex NOT_ALLOWED_VALUE']],
      ['an unknown emailCopies', () => base({ emailCopies: 'IEDEREEN' }), ['emailCopies NOT_ALLOWED_VALUE']],
      ['negative hours', () => base({ hoursMissed: -1 }), ['hoursMissed TOO_SMALL']],
      ['367 days', () => base({ daysMissed: 367 }), ['daysMissed TOO_LARGE']],
      ['lesson hour 13', () => base({ absenceDays: [{ date: daysAgo(10), lessonHours: [1, 13] }] }), ['absenceDays[0].lessonHours TOO_LARGE']],
      ['lesson hour 0', () => base({ absenceDays: [{ date: daysAgo(10), lessonHours: [0] }] }), ['absenceDays[0].lessonHours TOO_SMALL']],
      ['a lesson hour twice', () => base({ absenceDays: [{ date: daysAgo(10), lessonHours: [2, 2] }] }), ['absenceDays[0].lessonHours NOT_ALLOWED_VALUE']],
      // location and reporter
      ['a location of another school', () => base({ locationCode: `${other.org.code}01` }), ['locationCode UNKNOWN_LOCATION']],
      ['a location number the school does not have', () => base({ locationCode: `${school.org.code}77` }), ['locationCode UNKNOWN_LOCATION']],
      ['a location code of the wrong form', () => base({ locationCode: 'hoofdgebouw' }), ['locationCode INVALID_FORMAT']],
      ['a deactivated location', () => base({ locationCode: inactiveLocationCode }), ['locationCode INACTIVE']],
      ['a reporter of another school', () => base({ reporterId: other.reporter.id }), ['reporterId UNKNOWN_REPORTER']],
      ['a reporter that does not exist', () => base({ reporterId: '6f1c2a8e-0000-4000-8000-000000000000' }), ['reporterId UNKNOWN_REPORTER']],
      ['a reporter id that is no uuid', () => base({ reporterId: 'mentor-1' }), ['reporterId INVALID_FORMAT']],
      ['a deactivated reporter', () => base({ reporterId: inactiveReporterId }), ['reporterId INACTIVE']],
    ];

    it.each(cases)('refuses %s (422, field error, no trace)', async (_label, make, expected) => {
      await fileRefused(make(), expected);
    });

    it('takes a postcode and a BSN as people type them, and stores them as written officially', async () => {
      const pgn = bsn((seed += 2));
      const body = base({}, { pgn: `${pgn.slice(0, 4)} ${pgn.slice(4, 6)}.${pgn.slice(6)}` });
      set(body, 'pupil.registeredAddress.postcode', ' 1015tk ');
      const filed = await school.post('/api/v1/reports', body).expect(201);
      expect(filed.body.pupil.pgn).toBe(pgn);
      expect(filed.body.pupil.registeredAddress.postcode).toBe('1015 TK');
    });

    it('returns all syntactic errors of one request together', async () => {
      const body = base({ reason: undefined, kind: 'ZIEK', foo: 1 }, { pgn: '123456789', birthDate: '2026-02-30', bar: 2 });
      set(body, 'pupil.registeredAddress.postcode', '12345');
      await fileRefused(body, [
        'foo UNKNOWN_FIELD', 'kind NOT_ALLOWED_VALUE', 'pupil.bar UNKNOWN_FIELD', 'pupil.birthDate INVALID_DATE', 'pupil.pgn INVALID_PGN',
        'pupil.registeredAddress.postcode INVALID_POSTCODE', 'reason REQUIRED',
      ]);
    });

    it('returns all rule errors of one request together', async () => {
      const body = base(
        { beginDate: daysAgo(5), endDate: daysAgo(10), actionWanted: false, locationCode: `${other.org.code}01`, reporterId: inactiveReporterId },
        { birthDate: bornAged(19, daysAgo(5)) },
      );
      set(body, 'pupil.registeredAddress.municipalityCode', 'GM9999');
      await fileRefused(body, [
        'actionWantedExplanation EXPLANATION_REQUIRED', 'endDate END_BEFORE_BEGIN', 'locationCode UNKNOWN_LOCATION',
        'pupil.birthDate AGE_DOES_NOT_FIT_KIND', 'pupil.registeredAddress.municipalityCode UNKNOWN_MUNICIPALITY', 'reporterId INACTIVE',
      ]);
    });

    it('accepts a valid onderwijsnummer and files it as such', async () => {
      const res = await school.post('/api/v1/reports', base({}, { pgn: '100000004' })).expect(201);
      expect(res.body.pupil).toMatchObject({ pgn: '100000004', pgnType: 'ONDERWIJSNUMMER' });
    });

    it('accepts an RMC report for a pupil of 18 and an actionWanted false with explanation (controls)', async () => {
      await school.post('/api/v1/reports', base({ kind: 'RMC' }, { birthDate: bornAged(18) })).expect(201);
      await school.post('/api/v1/reports', base({ actionWanted: false, actionWantedExplanation: 'Wij begeleiden zelf' })).expect(201);
    });
  });

  describe('PATCH /api/v1/reports/:n', () => {
    let n: number;

    beforeAll(async () => {
      const res = await school.post('/api/v1/reports', reportBody(school, {}, { pgn: bsn(700000) })).expect(201);
      n = res.body.number;
    });

    async function snapshot(): Promise<{ row: unknown; events: number; reports: number }> {
      const [{ row }] = await t.db.query('SELECT to_jsonb(r) AS row FROM report r WHERE number = $1', [n]);
      return { row, ...(await traces()) };
    }

    async function version(): Promise<number> {
      const [{ version: v }] = await t.db.query('SELECT version FROM report WHERE number = $1', [n]);
      return v;
    }

    /** Sends a change with the current version, expects the refusal, and checks the report did not change. */
    async function changeRefused(send: (ifMatch: string) => request.Test, status: number, code: string): Promise<request.Response> {
      const ifMatch = `"${await version()}"`;
      const before = await snapshot();
      const res = await send(ifMatch);
      expectProblem(res, status, code);
      expect(await snapshot()).toEqual(before);
      return res;
    }

    const patchRefused = async (body: unknown, expected: string[]) => {
      const res = await changeRefused((v) => school.patch(`/api/v1/reports/${n}`, body as object).set('If-Match', v), 422, 'VALIDATION_FAILED');
      expect(pairs(fieldErrors(res))).toEqual([...expected].sort());
    };

    it('accepts a good change (control) and then refuses what follows', async () => {
      const v = await version();
      await school.patch(`/api/v1/reports/${n}`, { schoolAction: 'Gesprek met ouders' }).set('If-Match', `"${v}"`).expect(200);
    });

    it.each([['{"reason": '], ['{reason: "x"}'], ['null']])('refuses malformed JSON %s with 400', async (text) => {
      await changeRefused((v) => raw('patch', `/api/v1/reports/${n}`, school.key).set('If-Match', v).set('Content-Type', 'application/json').send(text), 400, 'MALFORMED_JSON');
    });

    it('refuses a body over the limit with 413', async () => {
      await changeRefused((v) => school.patch(`/api/v1/reports/${n}`, { reason: 'x'.repeat(300 * 1024) }).set('If-Match', v), 413, 'PAYLOAD_TOO_LARGE');
    });

    it('refuses a JSON array instead of an object', async () => {
      const res = await changeRefused((v) => school.patch(`/api/v1/reports/${n}`, []).set('If-Match', v), 422, 'VALIDATION_FAILED');
      fieldErrors(res);
    });

    type PatchCase = [string, () => Body, string[]];
    const patchCases: PatchCase[] = [
      ['an unknown top-level field', () => ({ foo: 1 }), ['foo UNKNOWN_FIELD']],
      ['an unknown field in pupil', () => ({ pupil: { foo: 1 } }), ['pupil.foo UNKNOWN_FIELD']],
      ['an unknown field in the address', () => ({ pupil: { registeredAddress: { ...VALID_ADDRESS, foo: 1 } } }), ['pupil.registeredAddress.foo UNKNOWN_FIELD']],
      ['a status (not the school’s to set here)', () => ({ status: 'AFGESLOTEN' }), ['status UNKNOWN_FIELD']],
      ['the meldingsnummer', () => ({ number: 1 }), ['number UNKNOWN_FIELD']],
      ['a number for a string', () => ({ reason: 42 }), ['reason WRONG_TYPE']],
      ['a string for a boolean', () => ({ actionWanted: 'nee' }), ['actionWanted WRONG_TYPE']],
      ['an array for an object', () => ({ pupil: [] }), ['pupil WRONG_TYPE']],
      ['a string for a number', () => ({ hoursMissed: '16' }), ['hoursMissed WRONG_TYPE']],
      ['a BSN failing the 11-proof', () => ({ pupil: { pgn: '123456789' } }), ['pupil.pgn INVALID_PGN']],
      ['an invalid onderwijsnummer', () => ({ pupil: { pgn: '100000006' } }), ['pupil.pgn INVALID_PGN']],
      ['2026-02-30', () => ({ pupil: { birthDate: '2026-02-30' } }), ['pupil.birthDate INVALID_DATE']],
      ['0000-01-01', () => ({ beginDate: '0000-01-01' }), ['beginDate INVALID_DATE']],
      ['99999-01-01', () => ({ endDate: '99999-01-01' }), ['endDate INVALID_DATE']],
      ['gisteren', () => ({ endDate: 'gisteren' }), ['endDate INVALID_DATE']],
      ['a begin date in the future', () => ({ beginDate: daysAgo(-1) }), ['beginDate DATE_IN_FUTURE', 'endDate END_BEFORE_BEGIN']],
      ['an end before the begin', () => ({ endDate: daysAgo(20) }), ['endDate END_BEFORE_BEGIN']],
      ['removing the end date of a 16U report', () => ({ endDate: null }), ['endDate END_DATE_REQUIRED']],
      ['making the 14-year-old an RMC report', () => ({ kind: 'RMC' }), ['pupil.birthDate AGE_DOES_NOT_FIT_KIND']],
      ['a pupil of 19 on the 16U report', () => ({ pupil: { birthDate: bornAged(19) } }), ['pupil.birthDate AGE_DOES_NOT_FIT_KIND']],
      ['actionWanted false without explanation', () => ({ actionWanted: false }), ['actionWantedExplanation EXPLANATION_REQUIRED']],
      ['postcode 1234 A', () => ({ pupil: { registeredAddress: { ...VALID_ADDRESS, postcode: '1234 A' } } }), ['pupil.registeredAddress.postcode INVALID_POSTCODE']],
      ['unknown municipality GM9999', () => ({ pupil: { registeredAddress: { ...VALID_ADDRESS, municipalityCode: 'GM9999' } } }), ['pupil.registeredAddress.municipalityCode UNKNOWN_MUNICIPALITY']],
      ['unknown municipality GM9999 as residence', () => ({ pupil: { residenceAddress: { ...VALID_ADDRESS, municipalityCode: 'GM9999' } } }), ['pupil.residenceAddress.municipalityCode UNKNOWN_MUNICIPALITY']],
      ['a reason of 10,000 characters', () => ({ reason: 'x'.repeat(10_000) }), ['reason TOO_LONG']],
      ['an empty reason', () => ({ reason: '' }), ['reason TOO_SHORT']],
      ['lesson hour 13', () => ({ absenceDays: [{ date: daysAgo(10), lessonHours: [13] }] }), ['absenceDays[0].lessonHours TOO_LARGE']],
      ['an absence day outside the period', () => ({ absenceDays: [{ date: daysAgo(30), lessonHours: [1] }] }), ['absenceDays[0].date DATE_OUTSIDE_PERIOD']],
      ['a location of another school', () => ({ locationCode: `${other.org.code}01` }), ['locationCode UNKNOWN_LOCATION']],
      ['a deactivated location', () => ({ locationCode: inactiveLocationCode }), ['locationCode INACTIVE']],
      ['a reporter of another school', () => ({ reporterId: other.reporter.id }), ['reporterId UNKNOWN_REPORTER']],
      ['a deactivated reporter', () => ({ reporterId: inactiveReporterId }), ['reporterId INACTIVE']],
      [
        'several errors at once',
        () => ({ reason: '', kind: 'ZIEK', foo: 1, pupil: { pgn: '123456789', bar: 2 } }),
        ['foo UNKNOWN_FIELD', 'kind NOT_ALLOWED_VALUE', 'pupil.bar UNKNOWN_FIELD', 'pupil.pgn INVALID_PGN', 'reason TOO_SHORT'],
      ],
      [
        'several rule errors at once',
        () => ({ endDate: daysAgo(20), actionWanted: false, locationCode: `${other.org.code}01`, reporterId: other.reporter.id }),
        ['actionWantedExplanation EXPLANATION_REQUIRED', 'endDate END_BEFORE_BEGIN', 'locationCode UNKNOWN_LOCATION', 'reporterId UNKNOWN_REPORTER'],
      ],
    ];

    it.each(patchCases)('refuses %s (422, field error, report unchanged)', async (_label, make, expected) => {
      await patchRefused(make(), expected);
    });

    // null clears an optional field; a field the report cannot be without is refused, never stored or crashed on.
    it.each([
      ['reason', { reason: null }],
      ['kind', { kind: null }],
      ['beginDate', { beginDate: null }],
      ['allLessonsMissed', { allLessonsMissed: null }],
      ['actionWanted', { actionWanted: null }],
      ['emailCopies', { emailCopies: null }],
      ['locationCode', { locationCode: null }],
      ['reporterId', { reporterId: null }],
      ['pupil.pgn', { pupil: { pgn: null } }],
      ['pupil.surname', { pupil: { surname: null } }],
      ['pupil.initials', { pupil: { initials: null } }],
      ['pupil.sex', { pupil: { sex: null } }],
      ['pupil.birthDate', { pupil: { birthDate: null } }],
      ['pupil.registeredAddress', { pupil: { registeredAddress: null } }],
    ])('refuses null for required field %s with REQUIRED', async (field, body) => {
      await patchRefused(body, [`${field} REQUIRED`]);
    });

    it('accepts null for an optional field (control)', async () => {
      const v = await version();
      const res = await school.patch(`/api/v1/reports/${n}`, { absenceExplanation: null, pupil: { prefix: null } }).set('If-Match', `"${v}"`).expect(200);
      expect(res.body.pupil.prefix).toBeNull();
    });

    it.each(['99999999999', '2147483648', 'abc', '1.5', '-1'])('answers 404 for report number %s', async (number) => {
      const before = await traces();
      const res = await school.patch(`/api/v1/reports/${number}`, { reason: 'x' }).set('If-Match', '"1"');
      expectProblem(res, 404, 'NOT_FOUND');
      const read = await school.get(`/api/v1/reports/${number}`);
      expectProblem(read, 404, 'NOT_FOUND');
      expect(await traces()).toEqual(before);
    });
  });

  describe('authentication', () => {
    let revoked: Caller;
    let reader: Caller;

    beforeAll(async () => {
      revoked = await t.keyFor(school.org.code);
      const keys = t.app.get(ApiKeysService);
      const key = (await keys.list(school.org.id)).find((k) => revoked.key.startsWith(`${k.prefix}_`));
      expect(key).toBeDefined();
      await keys.revoke(school.org.id, key!.id);
      reader = await t.keyFor(school.org.code, ['lezer']);
    });

    it.each([
      ['no Authorization header', undefined],
      ['a garbage key', 'Bearer garbage'],
      ['an empty bearer', 'Bearer '],
      ['a Basic credential', 'Basic dXNlcjpwYXNz'],
      ['a well-formed key nobody issued', `Bearer vzl_abcdefgh_${'A'.repeat(43)}`],
    ])('refuses a filing with %s: 401 UNAUTHENTICATED, no trace', async (_label, header) => {
      await refused(() => {
        const r = request(t.http).post('/api/v1/reports').send(base());
        return header === undefined ? r : r.set('Authorization', header);
      }, 401, 'UNAUTHENTICATED');
    });

    it('refuses a revoked key with 401, on filing and on changing', async () => {
      await refused(() => revoked.post('/api/v1/reports', base()), 401, 'UNAUTHENTICATED');
      const { body } = await school.post('/api/v1/reports', base()).expect(201);
      await refused(() => revoked.patch(`/api/v1/reports/${body.number}`, { reason: 'x' }).set('If-Match', '"1"'), 401, 'UNAUTHENTICATED');
      await refused(() => request(t.http).patch(`/api/v1/reports/${body.number}`).set('If-Match', '"1"').send({ reason: 'x' }), 401, 'UNAUTHENTICATED');
      const after = await school.get(`/api/v1/reports/${body.number}`).expect(200);
      expect(after.body.version).toBe(1);
    });

    it('refuses a key without the right to file (lezer, municipality) with 403, no trace', async () => {
      await refused(() => reader.post('/api/v1/reports', base()), 403, 'FORBIDDEN');
      await refused(() => amsterdam.post('/api/v1/reports', base()), 403, 'FORBIDDEN');
    });
  });
});
