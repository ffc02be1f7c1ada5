import request from 'supertest';
import { expectFieldErrors, expectProblem } from './support/problems';
import { bsn, Caller, reportBody, TestApp, TestSchool } from './support/test-app';

/**
 * A school manages its own locations (beheer locaties) and reporters (beheer melders) through the API: list, add,
 * change, deactivate, delete. Nobody else sees or touches them; a refusal names the field with a stable code.
 */

type Body = Record<string, unknown>;

const LOCATION = { name: 'Locatie Oost', street: 'Schoolstraat', houseNumber: '12a', postcode: '1091 AB', place: 'Amsterdam', municipalityCode: 'GM0363' };
const REPORTER = { name: 'M. Mentor', function: 'Mentor', phone: '020 555 1234', email: 'mentor@school.example' };

describe('a school’s locations and reporters', () => {
  let t: TestApp;
  let school: TestSchool;
  let other: TestSchool;
  let amsterdam: Caller;
  let reader: Caller;
  let melder: Caller;
  let pupils = 300000;
  let codes = 20;

  const nextCode = () => String(codes++);
  const report = (overrides: Body) => reportBody(school, overrides, { pgn: bsn((pupils += 2)) });

  async function addLocation(extra: Body = {}): Promise<{ id: string; code: string; vestigingscode: string }> {
    const res = await school.post('/api/v1/locations', { code: nextCode(), ...LOCATION, ...extra }).expect(201);
    return res.body;
  }

  async function addReporter(extra: Body = {}): Promise<{ id: string }> {
    const res = await school.post('/api/v1/reporters', { ...REPORTER, ...extra }).expect(201);
    return res.body;
  }

  async function row(table: 'location' | 'reporter', id: string): Promise<unknown> {
    const rows = await t.db.query(`SELECT to_jsonb(x) AS row FROM ${table} x WHERE id = $1`, [id]);
    return rows[0]?.row ?? null;
  }

  async function counts(): Promise<{ locations: number; reporters: number; reports: number }> {
    const [c] = await t.db.query(
      'SELECT (SELECT count(*) FROM location)::int AS locations, (SELECT count(*) FROM reporter)::int AS reporters, (SELECT count(*) FROM report)::int AS reports',
    );
    return c;
  }

  beforeAll(async () => {
    t = await TestApp.start();
    school = await t.newSchool();
    other = await t.newSchool('Andere school');
    amsterdam = await t.keyFor('GM0363');
    reader = await t.keyFor(school.org.code, ['lezer']);
    melder = await t.keyFor(school.org.code, ['melder']);
  });
  afterAll(() => t.stop());

  describe('the school itself', () => {
    it('lists its own locations and reporters', async () => {
      const locations = await school.get('/api/v1/locations').expect(200);
      expect(locations.body).toEqual([
        {
          id: school.location.id, vestigingscode: `${school.org.code}01`, code: '01', name: 'Testschool hoofdlocatie', street: null,
          houseNumber: null, postcode: null, place: null, municipalityCode: 'GM0363', active: true,
        },
      ]);
      const reporters = await school.get('/api/v1/reporters').expect(200);
      expect(reporters.body).toEqual([
        { id: school.reporter.id, name: 'V. Coördinator', function: 'Verzuimcoördinator', phone: '020 123 4567', email: `verzuim@${school.org.code.toLowerCase()}.school.example`, active: true },
      ]);
    });

    it('adds a location and changes it; the list shows the change', async () => {
      const added = await school.post('/api/v1/locations', { code: '02', ...LOCATION }).expect(201);
      expect(added.body).toEqual({ id: expect.any(String), vestigingscode: `${school.org.code}02`, code: '02', ...LOCATION, active: true });
      const changed = await school
        .patch(`/api/v1/locations/${added.body.id}`, { name: 'Locatie Utrecht', street: 'Oudegracht', postcode: '3511 AA', place: 'Utrecht', municipalityCode: 'GM0344' })
        .expect(200);
      expect(changed.body).toMatchObject({ id: added.body.id, code: '02', name: 'Locatie Utrecht', postcode: '3511 AA', municipalityCode: 'GM0344', active: true });
      const list = await school.get('/api/v1/locations').expect(200);
      expect(list.body.map((l: { code: string }) => l.code)).toEqual(['01', '02']);
      expect(list.body[1]).toEqual(changed.body);
      const filed = await school.post('/api/v1/reports', report({ locationCode: `${school.org.code}02` })).expect(201);
      expect(filed.body.location).toMatchObject({ vestigingscode: `${school.org.code}02`, name: 'Locatie Utrecht' });
    });

    it('adds a reporter and changes it; the list shows the change', async () => {
      const added = await school.post('/api/v1/reporters', REPORTER).expect(201);
      expect(added.body).toEqual({ id: expect.any(String), ...REPORTER, active: true });
      const changed = await school.patch(`/api/v1/reporters/${added.body.id}`, { function: 'Zorgcoördinator', email: 'zorg@school.example' }).expect(200);
      const expected = { ...added.body, function: 'Zorgcoördinator', email: 'zorg@school.example' };
      const list = await school.get('/api/v1/reporters').expect(200);
      expect(list.body).toContainEqual(expected);
      // The answer to the change is the whole reporter as it now stands, not only the fields sent.
      expect(changed.body).toEqual(expected);
      const filed = await school.post('/api/v1/reports', report({ reporterId: added.body.id })).expect(201);
      expect(filed.body.reporter).toMatchObject({ name: 'M. Mentor', function: 'Zorgcoördinator' });
    });

    it('deactivates a location (still listed, refused on a new report with INACTIVE) and reactivates it', async () => {
      const loc = await addLocation();
      const off = await school.patch(`/api/v1/locations/${loc.id}`, { active: false }).expect(200);
      expect(off.body.active).toBe(false);
      const list = await school.get('/api/v1/locations').expect(200);
      expect(list.body).toContainEqual(expect.objectContaining({ id: loc.id, active: false }));
      const before = await counts();
      const refused = await school.post('/api/v1/reports', report({ locationCode: loc.vestigingscode }));
      expectFieldErrors(refused, ['locationCode INACTIVE']);
      expect(await counts()).toEqual(before);
      await school.patch(`/api/v1/locations/${loc.id}`, { active: true }).expect(200);
      await school.post('/api/v1/reports', report({ locationCode: loc.vestigingscode })).expect(201);
    });

    it('deactivates a reporter (still listed, refused on a new report with INACTIVE) and reactivates it', async () => {
      const rep = await addReporter();
      const off = await school.patch(`/api/v1/reporters/${rep.id}`, { active: false }).expect(200);
      expect(off.body.active).toBe(false);
      const list = await school.get('/api/v1/reporters').expect(200);
      expect(list.body).toContainEqual(expect.objectContaining({ id: rep.id, active: false }));
      const before = await counts();
      expectFieldErrors(await school.post('/api/v1/reports', report({ reporterId: rep.id })), ['reporterId INACTIVE']);
      expect(await counts()).toEqual(before);
      await school.patch(`/api/v1/reporters/${rep.id}`, { active: true }).expect(200);
      await school.post('/api/v1/reports', report({ reporterId: rep.id })).expect(201);
    });

    it('deletes an unused location: 204, gone from the list, then 404', async () => {
      const loc = await addLocation();
      const res = await school.delete(`/api/v1/locations/${loc.id}`);
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect(await row('location', loc.id)).toBeNull();
      const list = await school.get('/api/v1/locations').expect(200);
      expect(list.body.map((l: { id: string }) => l.id)).not.toContain(loc.id);
      expectProblem(await school.delete(`/api/v1/locations/${loc.id}`), 404, 'NOT_FOUND');
      expectProblem(await school.patch(`/api/v1/locations/${loc.id}`, { name: 'x' }), 404, 'NOT_FOUND');
      expectFieldErrors(await school.post('/api/v1/reports', report({ locationCode: loc.vestigingscode })), ['locationCode UNKNOWN_LOCATION']);
    });

    it('deletes an unused reporter: 204, gone from the list, then 404', async () => {
      const rep = await addReporter();
      const res = await school.delete(`/api/v1/reporters/${rep.id}`);
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect(await row('reporter', rep.id)).toBeNull();
      const list = await school.get('/api/v1/reporters').expect(200);
      expect(list.body.map((r: { id: string }) => r.id)).not.toContain(rep.id);
      expectProblem(await school.delete(`/api/v1/reporters/${rep.id}`), 404, 'NOT_FOUND');
      expectProblem(await school.patch(`/api/v1/reporters/${rep.id}`, { name: 'x' }), 404, 'NOT_FOUND');
      expectFieldErrors(await school.post('/api/v1/reports', report({ reporterId: rep.id })), ['reporterId UNKNOWN_REPORTER']);
    });

    it('keeps a location a report names: DELETE deactivates it (200), it stays listed, a new report naming it is refused', async () => {
      const loc = await addLocation();
      const filed = await school.post('/api/v1/reports', report({ locationCode: loc.vestigingscode })).expect(201);
      const res = await school.delete(`/api/v1/locations/${loc.id}`).expect(200);
      expect(res.body).toMatchObject({ id: loc.id, vestigingscode: loc.vestigingscode, active: false });
      const list = await school.get('/api/v1/locations').expect(200);
      expect(list.body).toContainEqual(expect.objectContaining({ id: loc.id, active: false }));
      expectFieldErrors(await school.post('/api/v1/reports', report({ locationCode: loc.vestigingscode })), ['locationCode INACTIVE']);
      const old = await school.get(`/api/v1/reports/${filed.body.number}`).expect(200);
      expect(old.body.location.vestigingscode).toBe(loc.vestigingscode);
    });

    it('keeps a reporter a report names: DELETE deactivates it (200), it stays listed, a new report naming it is refused', async () => {
      const rep = await addReporter({ name: 'B. Blijft' });
      const filed = await school.post('/api/v1/reports', report({ reporterId: rep.id })).expect(201);
      const res = await school.delete(`/api/v1/reporters/${rep.id}`).expect(200);
      expect(res.body).toMatchObject({ id: rep.id, active: false });
      const list = await school.get('/api/v1/reporters').expect(200);
      expect(list.body).toContainEqual(expect.objectContaining({ id: rep.id, active: false }));
      expectFieldErrors(await school.post('/api/v1/reports', report({ reporterId: rep.id })), ['reporterId INACTIVE']);
      const old = await school.get(`/api/v1/reports/${filed.body.number}`).expect(200);
      expect(old.body.reporter.name).toBe('B. Blijft');
    });

    it('refuses a duplicate location code with ALREADY_EXISTS, also when the existing one is deactivated', async () => {
      const before = await counts();
      expectFieldErrors(await school.post('/api/v1/locations', { code: '01', ...LOCATION }), ['code ALREADY_EXISTS']);
      const loc = await addLocation();
      await school.patch(`/api/v1/locations/${loc.id}`, { active: false }).expect(200);
      expectFieldErrors(await school.post('/api/v1/locations', { code: loc.code, ...LOCATION }), ['code ALREADY_EXISTS']);
      expect((await counts()).locations).toBe(before.locations + 1);
      // The same number at another school is another location.
      await other.post('/api/v1/locations', { code: loc.code, ...LOCATION }).expect(201);
    });

    it('refuses the second of two simultaneous adds of one code with ALREADY_EXISTS, not a 500', async () => {
      const code = nextCode();
      const results = await Promise.all([1, 2, 3].map(() => school.post('/api/v1/locations', { code, ...LOCATION })));
      expect(results.map((r) => r.status).sort()).toEqual([201, 422, 422]);
      for (const r of results.filter((x) => x.status !== 201)) expectFieldErrors(r, ['code ALREADY_EXISTS']);
    });

    it('answers 404 for an id that is no uuid', async () => {
      for (const path of ['/api/v1/locations/abc', '/api/v1/reporters/123', `/api/v1/locations/${school.location.id}x`]) {
        expectProblem(await school.patch(path, { name: 'x' }), 404, 'NOT_FOUND');
        expectProblem(await school.delete(path), 404, 'NOT_FOUND');
      }
    });

    it('refuses malformed JSON with 400', async () => {
      const before = await counts();
      const res = await request(t.http).post('/api/v1/locations').set('Authorization', `Bearer ${school.key}`).set('Content-Type', 'application/json').send('{"code": "03",');
      expectProblem(res, 400, 'MALFORMED_JSON');
      expect(await counts()).toEqual(before);
    });
  });

  describe('field errors', () => {
    it.each<[string, Body, string[]]>([
      ['a one-digit code', { code: '1' }, ['code INVALID_FORMAT']],
      ['a code with letters', { code: 'AB' }, ['code INVALID_FORMAT']],
      ['a numeric code', { code: 3 }, ['code WRONG_TYPE']],
      ['an empty name', { name: '' }, ['name TOO_SHORT']],
      ['a name of 201 characters', { name: 'x'.repeat(201) }, ['name TOO_LONG']],
      ['postcode 1234 ABC', { postcode: '1234 ABC' }, ['postcode INVALID_POSTCODE']],
      ['postcode 1234', { postcode: '1234' }, ['postcode INVALID_POSTCODE']],
      ['unknown municipality GM9999', { municipalityCode: 'GM9999' }, ['municipalityCode UNKNOWN_MUNICIPALITY']],
      ['a municipality name for a code', { municipalityCode: 'Amsterdam' }, ['municipalityCode INVALID_MUNICIPALITY_CODE']],
      ['an unknown field', { foo: 1 }, ['foo UNKNOWN_FIELD']],
      ['no code', { code: undefined }, ['code REQUIRED']],
      ['no name', { name: undefined }, ['name REQUIRED']],
      ['null for name', { name: null }, ['name REQUIRED']],
    ])('refuses a new location with %s', async (_label, change, expected) => {
      const body: Body = { code: nextCode(), ...LOCATION, ...change };
      for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
      const before = await counts();
      expectFieldErrors(await school.post('/api/v1/locations', body), expected);
      expect(await counts()).toEqual(before);
    });

    it.each<[string, Body, string[]]>([
      ['an e-mail without @', { email: 'geen-email' }, ['email INVALID_EMAIL']],
      ['an e-mail without domain', { email: 'mentor@' }, ['email INVALID_EMAIL']],
      ['an e-mail with a space', { email: 'men tor@school.example' }, ['email INVALID_EMAIL']],
      ['a phone number of words', { phone: 'bel maar' }, ['phone INVALID_FORMAT']],
      ['a phone number too short', { phone: '12' }, ['phone INVALID_FORMAT']],
      ['a numeric phone number', { phone: 205551234 }, ['phone WRONG_TYPE']],
      ['an empty function', { function: '' }, ['function TOO_SHORT']],
      ['a number for a name', { name: 42 }, ['name WRONG_TYPE']],
      ['an unknown field', { bsn: '123456782' }, ['bsn UNKNOWN_FIELD']],
      ['no e-mail', { email: undefined }, ['email REQUIRED']],
      ['null for name', { name: null }, ['name REQUIRED']],
    ])('refuses a new reporter with %s', async (_label, change, expected) => {
      const body: Body = { ...REPORTER, ...change };
      for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
      const before = await counts();
      expectFieldErrors(await school.post('/api/v1/reporters', body), expected);
      expect(await counts()).toEqual(before);
    });

    it.each<[string, Body, string[]]>([
      ['postcode 1234 ABC', { postcode: '1234 ABC' }, ['postcode INVALID_POSTCODE']],
      ['an empty name', { name: '' }, ['name TOO_SHORT']],
      ['a string for active', { active: 'nee' }, ['active WRONG_TYPE']],
      ['a new code (the number is fixed)', { code: '99' }, ['code UNKNOWN_FIELD']],
      ['unknown municipality GM9999', { municipalityCode: 'GM9999' }, ['municipalityCode UNKNOWN_MUNICIPALITY']],
      ['null for name', { name: null }, ['name REQUIRED']],
      ['null for active', { active: null }, ['active REQUIRED']],
    ])('refuses a change of a location with %s, leaving it unchanged', async (_label, change, expected) => {
      const before = await row('location', school.location.id);
      expectFieldErrors(await school.patch(`/api/v1/locations/${school.location.id}`, change), expected);
      expect(await row('location', school.location.id)).toEqual(before);
    });

    it.each<[string, Body, string[]]>([
      ['a bad e-mail', { email: 'verzuim@@school' }, ['email INVALID_EMAIL']],
      ['a bad phone number', { phone: '+31 (0)20 abc' }, ['phone INVALID_FORMAT']],
      ['a string for active', { active: 'false' }, ['active WRONG_TYPE']],
      ['null for name', { name: null }, ['name REQUIRED']],
      ['null for email', { email: null }, ['email REQUIRED']],
      ['null for active', { active: null }, ['active REQUIRED']],
    ])('refuses a change of a reporter with %s, leaving it unchanged', async (_label, change, expected) => {
      const before = await row('reporter', school.reporter.id);
      expectFieldErrors(await school.patch(`/api/v1/reporters/${school.reporter.id}`, change), expected);
      expect(await row('reporter', school.reporter.id)).toEqual(before);
    });

    it('returns several field errors of one request together', async () => {
      expectFieldErrors(await school.post('/api/v1/reporters', { name: '', function: 'Mentor', phone: 'bel maar', email: 'nee', foo: 1 }), [
        'email INVALID_EMAIL', 'foo UNKNOWN_FIELD', 'name TOO_SHORT', 'phone INVALID_FORMAT',
      ]);
    });
  });

  describe('others', () => {
    it('another school cannot see, change or delete them (404) and they stay as they were', async () => {
      const loc = await addLocation({ name: 'Alleen van ons' });
      const rep = await addReporter({ name: 'Alleen van ons' });
      const before = { loc: await row('location', loc.id), rep: await row('reporter', rep.id) };
      const locations = await other.get('/api/v1/locations').expect(200);
      expect(locations.body.map((l: { id: string }) => l.id)).not.toContain(loc.id);
      expect(JSON.stringify(locations.body)).not.toContain('Alleen van ons');
      const reporters = await other.get('/api/v1/reporters').expect(200);
      expect(reporters.body.map((r: { id: string }) => r.id)).not.toContain(rep.id);
      for (const [path, id] of [['locations', loc.id], ['reporters', rep.id], ['locations', school.location.id], ['reporters', school.reporter.id]]) {
        expectProblem(await other.patch(`/api/v1/${path}/${id}`, { name: 'Overgenomen' }), 404, 'NOT_FOUND');
        expectProblem(await other.patch(`/api/v1/${path}/${id}`, { active: false }), 404, 'NOT_FOUND');
        expectProblem(await other.delete(`/api/v1/${path}/${id}`), 404, 'NOT_FOUND');
      }
      expect({ loc: await row('location', loc.id), rep: await row('reporter', rep.id) }).toEqual(before);
    });

    const routes: [string, 'get' | 'post' | 'patch' | 'delete', string][] = [
      ['list locations', 'get', '/api/v1/locations'],
      ['add a location', 'post', '/api/v1/locations'],
      ['change a location', 'patch', '/api/v1/locations/:location'],
      ['delete a location', 'delete', '/api/v1/locations/:location'],
      ['list reporters', 'get', '/api/v1/reporters'],
      ['add a reporter', 'post', '/api/v1/reporters'],
      ['change a reporter', 'patch', '/api/v1/reporters/:reporter'],
      ['delete a reporter', 'delete', '/api/v1/reporters/:reporter'],
    ];
    const send = (caller: Caller, method: 'get' | 'post' | 'patch' | 'delete', path: string) => {
      const p = path.replace(':location', school.location.id).replace(':reporter', school.reporter.id);
      const body = p.includes('locations') ? { code: '88', ...LOCATION } : REPORTER;
      if (method === 'get' || method === 'delete') return caller[method](p);
      return caller[method](p, method === 'patch' ? { name: 'Gemeente was hier' } : body);
    };

    it.each(routes)('a municipality key may not %s (403)', async (_label, method, path) => {
      const before = { counts: await counts(), loc: await row('location', school.location.id), rep: await row('reporter', school.reporter.id) };
      expectProblem(await send(amsterdam, method, path), 403, 'FORBIDDEN');
      expect({ counts: await counts(), loc: await row('location', school.location.id), rep: await row('reporter', school.reporter.id) }).toEqual(before);
    });

    it.each(routes)('a school key with only the lezer or melder role may %s only if it reads', async (_label, method, path) => {
      for (const caller of [reader, melder]) {
        const before = { counts: await counts(), loc: await row('location', school.location.id), rep: await row('reporter', school.reporter.id) };
        const res = await send(caller, method, path);
        if (method === 'get') expect(res.status).toBe(200);
        else expectProblem(res, 403, 'FORBIDDEN');
        expect({ counts: await counts(), loc: await row('location', school.location.id), rep: await row('reporter', school.reporter.id) }).toEqual(before);
      }
    });

    it.each(routes)('without a key, %s gets 401', async (_label, method, path) => {
      const p = path.replace(':location', school.location.id).replace(':reporter', school.reporter.id);
      expectProblem(await request(t.http)[method](p).send({}), 401, 'UNAUTHENTICATED');
    });
  });
});
