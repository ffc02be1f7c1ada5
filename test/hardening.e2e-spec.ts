import fc from 'fast-check';
import http from 'node:http';
import request from 'supertest';
import { clock } from '../src/common/clock';
import { AccountsService } from '../src/identity/accounts.service';
import { codeAt } from '../src/identity/credentials/totp';
import { HousekeepingService } from '../src/identity/housekeeping.service';
import { activePerson, PASSWORD, Person, signIn } from './support/people';
import { expectProblem, fieldErrors, pairs } from './support/problems';
import { routesOf } from './support/routes';
import { bsn, Caller, reportBody, TestApp, TestSchool } from './support/test-app';

/**
 * What an outside attack found (issue 9), each as the attack it was, and the defences that stop its kind. Every test
 * here failed on the code before the fix.
 */

type Agent = ReturnType<typeof request.agent>;

/** The own property names of the shared prototypes: what prototype pollution would add to. */
function prototypeSnapshot(): string {
  return JSON.stringify([Object.prototype, Function.prototype, Array.prototype, String.prototype, Object.prototype.toString].map((p) => Object.getOwnPropertyNames(p).sort()));
}

let people = 0;
async function person(t: TestApp, org: string, roles: string[]): Promise<Person & { agent: Agent; csrf: string }> {
  people++;
  const p = await activePerson(t, org, { username: `h${people}.${roles.join('-')}`, email: `h${people}@example.org`, roles });
  return { ...p, ...(await signIn(t, p)) };
}

describe('prototype pollution: no form, query or body name reaches a prototype', () => {
  let t: TestApp;
  let school: TestSchool;
  let melder: Awaited<ReturnType<typeof person>>;
  const clean = prototypeSnapshot();

  beforeAll(async () => {
    t = await TestApp.start();
    school = await t.newSchool();
    melder = await person(t, school.org.code, ['melder']);
  });
  afterAll(() => t.stop());
  afterEach(() => expect(prototypeSnapshot()).toBe(clean));

  it('refuses "__proto__.priority" in the filing form, and the service keeps serving everyone', async () => {
    const res = await melder.agent.post('/meldingen/nieuw').type('form').send(`_csrf=${melder.csrf}&__proto__.priority=high&kind=16U`);
    expect(res.status).toBe(422);
    expect(res.text).toContain('Verzoek niet verwerkt');
    expect(({} as Record<string, unknown>).priority).toBeUndefined();
    expect(String(res.headers['set-cookie'] ?? '')).not.toMatch(/Priority/i);
    await school.get('/api/v1/reports').expect(200);
    await melder.agent.get('/meldingen').expect(200);
  });

  it('refuses constructor.prototype in a query, even on a GET that another site could link to', async () => {
    const operator = await person(t, 'OPERATOR', ['operator']);
    const res = await operator.agent.get('/organisaties?constructor.prototype.priority=low');
    expect(res.status).toBe(422);
    expect(({} as Record<string, unknown>).priority).toBeUndefined();
    await operator.agent.get('/organisaties?q=amster').expect(200);
  });

  it('refuses prototype keys in JSON bodies and queries of the API, at any depth', async () => {
    expectProblem(await school.post('/api/v1/reports', JSON.parse('{"pupil":{"__proto__":{"x":1}}}')), 422, 'VALIDATION_FAILED');
    const res = await school.get('/api/v1/reports?constructor[prototype][x]=1');
    expectProblem(res, 422, 'VALIDATION_FAILED');
    expect(pairs(fieldErrors(res))).toEqual(['constructor[prototype][x] UNKNOWN_FIELD']);
  });

  it('survives generated hostile names at every form and query of the portal, as every kind of person', async () => {
    const operator = await person(t, 'OPERATOR', ['operator']);
    const beheerder = await person(t, school.org.code, ['melder', 'lezer', 'beheerder']);
    const officer = await person(t, 'GM0363', ['behandelaar', 'beheerder']);
    const filed = await school.post('/api/v1/reports', reportBody(school)).expect(201);
    const values: Record<string, string> = { number: String(filed.body.number), id: school.location.id, code: 'GM0363' };
    const routes = portalRoutes(t).map((r) => ({ ...r, path: r.path.replace(/:(\w+)/g, (_, name: string) => values[name] ?? 'x') }));
    expect(routes.length).toBeGreaterThan(40);
    const segment = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', 'pupil', 'a', '0');
    const hostileName = fc.tuple(fc.array(segment, { minLength: 1, maxLength: 4 }), fc.constantFrom('.', '[', '][')).map(([parts, sep]) =>
      sep === '.' ? parts.join('.') : `${parts[0]}${parts.slice(1).map((p) => `[${p}]`).join('')}`,
    );
    const wrong: string[] = [];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), fc.constantFrom(beheerder, officer, operator), hostileName, async (route, who, name) => {
        const pair = `${encodeURIComponent(name)}=1`;
        const res = route.method === 'GET'
          ? await who.agent.get(`${route.path}?${pair}`)
          : await who.agent.post(route.path).type('form').send(`_csrf=${who.csrf}&${pair}`);
        if (res.status >= 500) wrong.push(`${route.method} ${route.path} ${name} -> ${res.status}`);
        if (prototypeSnapshot() !== clean) wrong.push(`${route.method} ${route.path} ${name} polluted a prototype`);
      }),
      { numRuns: 300, seed: 20261201 },
    );
    expect(wrong).toEqual([]);
    await school.get('/api/v1/reports').expect(200);
  });
});

/** The portal's routes: everything outside /api and /health. */
function portalRoutes(t: TestApp): { method: string; path: string }[] {
  return routesOf(t.app).filter((r) => !r.path.startsWith('/api') && !r.path.startsWith('/health'));
}

describe('grants: an API key never carries more than the person who makes it', () => {
  let t: TestApp;
  let school: TestSchool;

  beforeAll(async () => {
    t = await TestApp.start();
    school = await t.newSchool();
  });
  afterAll(() => t.stop());

  it('refuses a beheerder-only account a key with roles it lacks, and a key without chosen roles', async () => {
    const beheerder = await person(t, school.org.code, ['beheerder']);
    await beheerder.agent.get('/api/v1/reports').expect(403);
    const send = (body: object) => beheerder.agent.post('/api/v1/api-keys').set('X-CSRF-Token', beheerder.csrf).send(body);
    expectProblem(await send({ name: 'Lek', roles: ['melder', 'lezer', 'beheerder'] }), 403, 'FORBIDDEN');
    expect(pairs(fieldErrors(await send({ name: 'Zonder rollen' })))).toEqual(['roles REQUIRED']);
    expect(pairs(fieldErrors(await send({ name: 'Leeg', roles: [] })))).toEqual(['roles REQUIRED']);
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM api_key WHERE organisation_id = $1 AND name IN ('Lek', 'Zonder rollen', 'Leeg')`, [school.org.id]);
    expect(n).toBe(0);
    const made = await send({ name: 'Eigen rol', roles: ['beheerder'] }).expect(201);
    expect(made.body.key.roles).toEqual(['beheerder']);
    // The key cannot read reports either: it has what its maker has, and no more.
    await request(t.http).get('/api/v1/reports').set('Authorization', `Bearer ${made.body.secret}`).expect(403);
  });

  it('offers on the page only the roles the beheerder holds, none of them ticked', async () => {
    const beheerder = await person(t, school.org.code, ['beheerder', 'lezer']);
    const page = await beheerder.agent.get('/beheer/sleutels').expect(200);
    const boxes = [...page.text.matchAll(/<input[^>]*type="checkbox"[^>]*name="roles"[^>]*>/g)].map((m) => m[0]);
    expect(boxes.map((b) => /value="(\w+)"/.exec(b)![1]).sort()).toEqual(['beheerder', 'lezer']);
    expect(boxes.filter((b) => b.includes('checked'))).toEqual([]);
    const forged = await beheerder.agent.post('/beheer/sleutels').type('form').send(`_csrf=${beheerder.csrf}&name=Vals&roles=melder`);
    expect(forged.status).toBe(422);
    expect(forged.text).toContain('die u zelf niet heeft');
  });

  it('stores a key and its audit entry together, or neither', async () => {
    const beheerder = await person(t, school.org.code, ['beheerder']);
    await t.db.query(`CREATE FUNCTION refuse_key_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit niet beschikbaar'; END $$`);
    await t.db.query(`CREATE TRIGGER refuse_key_audit BEFORE INSERT ON audit_event FOR EACH ROW WHEN (NEW.action = 'API_KEY_CREATED') EXECUTE FUNCTION refuse_key_audit()`);
    try {
      const res = await beheerder.agent.post('/api/v1/api-keys').set('X-CSRF-Token', beheerder.csrf).send({ name: 'Zonder spoor', roles: ['beheerder'] });
      expect(res.status).toBe(500);
      const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM api_key WHERE name = 'Zonder spoor'`);
      expect(n).toBe(0);
    } finally {
      await t.db.query('DROP TRIGGER refuse_key_audit ON audit_event');
      await t.db.query('DROP FUNCTION refuse_key_audit()');
    }
  });
});

describe('counters that cannot lose count', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.start({ TRUST_PROXY: 'loopback' });
  });
  afterAll(() => t.stop());

  const counts = async (id: string) => (await t.db.query('SELECT failed_passwords, failed_codes FROM user_account WHERE id = $1', [id]))[0];
  const from = (address: string) => request(t.http).post('/api/v1/session').set('X-Forwarded-For', address);

  it('checks at most ten of 200 simultaneous passwords from 200 addresses; the right one among them is refused', async () => {
    const victim = await activePerson(t, 'GM0363', { username: 'doelwit.wachtwoord', email: 'doelwit@example.org', roles: ['behandelaar'] });
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => from(`10.1.${i >> 8}.${i & 255}`).send({ username: 'doelwit.wachtwoord', password: i === 149 ? PASSWORD : `fout-wachtwoord-${i}` })),
    );
    expect(answers.filter((a) => a.status !== 401).map((a) => a.status)).toEqual([]);
    const after = await counts(victim.user.id);
    expect(after.failed_passwords).toBeLessThanOrEqual(10);
    expect(after.failed_passwords).toBeGreaterThanOrEqual(9);
    const [{ checked }] = await t.db.query(
      `SELECT count(*)::int AS checked FROM audit_event WHERE actor_id = $1 AND action = 'SIGN_IN_FAILED' AND details->>'reason' <> 'ACCOUNT_THROTTLED'`,
      [victim.user.id],
    );
    expect(checked).toBeLessThanOrEqual(10);
    const [{ throttled }] = await t.db.query(`SELECT count(*)::int AS throttled FROM audit_event WHERE actor_id = $1 AND action = 'SIGN_IN_THROTTLED'`, [victim.user.id]);
    expect(throttled).toBeGreaterThanOrEqual(1);
  }, 180_000); // 200 password hashes of 64 MiB each: slow on two shared cores, bounded by the library's four threads

  it('checks at most ten of 300 simultaneous codes on one waiting sign-in; the right one among them is refused', async () => {
    const victim = await activePerson(t, 'GM0363', { username: 'doelwit.code', email: 'code@example.org', roles: ['behandelaar'] });
    const agent = request.agent(t.http);
    await agent.post('/api/v1/session').set('X-Forwarded-For', '10.2.0.1').send({ username: 'doelwit.code', password: PASSWORD }).expect(200);
    const right = codeAt(victim.seed, clock.now());
    const answers = await Promise.all(
      Array.from({ length: 300 }, (_, i) => agent.post('/api/v1/session/code').set('X-Forwarded-For', `10.3.${i >> 8}.${i & 255}`)
        .send({ code: i === 249 ? right : String((Number(right) + 1 + i) % 1_000_000).padStart(6, '0') })),
    );
    expect(answers.filter((a) => a.status !== 401).map((a) => a.status)).toEqual([]);
    expect((await counts(victim.user.id)).failed_codes).toBeLessThanOrEqual(10);
  }, 180_000);

  it('lets at most 30 failures through from one address, however fast they come', async () => {
    const address = '10.4.0.1';
    const answers = await Promise.all(Array.from({ length: 93 }, (_, i) => from(address).send({ username: `niemand.${i}`, password: 'fout-wachtwoord-123' })));
    expect(answers.every((a) => a.status === 401)).toBe(true);
    const [{ checked }] = await t.db.query(
      `SELECT count(*)::int AS checked FROM audit_event WHERE action = 'SIGN_IN_FAILED' AND client_ip = $1`,
      [address],
    );
    expect(checked).toBeLessThanOrEqual(30);
    expect(checked).toBeGreaterThanOrEqual(29);
  });

  it('believes X-Forwarded-For only from the proxies TRUST_PROXY names', async () => {
    const direct = await TestApp.start();
    try {
      // Without TRUST_PROXY, a made-up address in the header changes nothing: the failures count against the connection.
      for (let i = 0; i < 31; i++) {
        await request(direct.http).post('/api/v1/session').set('X-Forwarded-For', `192.0.2.${i}`).send({ username: `x${i}`, password: 'fout-wachtwoord-123' });
      }
      const [{ addresses }] = await direct.db.query(`SELECT array_agg(DISTINCT client_ip) AS addresses FROM audit_event WHERE action = 'SIGN_IN_FAILED'`);
      expect(addresses.every((a: string) => !a.startsWith('192.0.2.'))).toBe(true);
    } finally {
      await direct.stop();
    }
  });
});

describe('the activation password check counts like a sign-in', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.stop());

  it('stops guessing the current password after a token reset by letter, and logs every guess', async () => {
    const beheerder = await person(t, 'GM0363', ['behandelaar', 'beheerder']);
    const colleague = await activePerson(t, 'GM0363', { username: 'c.collega', email: 'c@example.org', roles: ['behandelaar'] });
    const reset = await beheerder.agent.post(`/api/v1/users/${colleague.user.id}/token/reset`).set('X-CSRF-Token', beheerder.csrf).send({ activation: 'LETTER' }).expect(201);
    const code = reset.body.activation.code as string;
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++) {
      statuses.push((await request(t.http).post('/api/v1/activation/start').send({ activationCode: code, password: `geraden-wachtwoord-${i}` })).status);
    }
    expect(statuses.slice(0, 9).every((s) => s === 422)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429, 429, 429, 429]);
    // Now even the right password waits.
    expectProblem(await request(t.http).post('/api/v1/activation/start').send({ activationCode: code, password: PASSWORD }), 429, 'TOO_MANY_REQUESTS');
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM audit_event WHERE action = 'ACTIVATION_FAILED' AND subject_id = $1`, [colleague.user.id]);
    expect(n).toBe(16);
  });
});

describe('hostile text is refused at the edge, naming the field', () => {
  let t: TestApp;
  let school: TestSchool;
  beforeAll(async () => {
    t = await TestApp.start();
    school = await t.newSchool();
  });
  afterAll(() => t.stop());

  it('refuses a NUL byte in any text, anonymously too', async () => {
    const res = await request(t.http).post('/api/v1/session').send({ username: 'a\u0000b', password: 'x' });
    expect(pairs(fieldErrors(res))).toEqual(['username INVALID_CHARACTER']);
    expectProblem(res, 422, 'VALIDATION_FAILED');
    expect(pairs(fieldErrors(await school.post('/api/v1/reports', reportBody(school, { reason: 'ziek\u0000' }))))).toEqual(['reason INVALID_CHARACTER']);
  });

  it('refuses a NUL byte or a broken escape in the path', async () => {
    expect(pairs(fieldErrors(await school.get('/api/v1/organisations/GM0363%00')))).toEqual(['path INVALID_CHARACTER']);
    expect(pairs(fieldErrors(await school.get('/api/v1/organisations/GM0363%ED%A0%80')))).toEqual(['path INVALID_CHARACTER']);
    expect((await school.get('/api/v1/organisations/GM0363')).status).toBe(200);
  });

  it('refuses half a surrogate pair in an e-mail address and in free text stored as JSON', async () => {
    const reporter = await school.post('/api/v1/reporters', { name: 'M. Entor', function: 'Mentor', email: 'm\ud800@school.example' });
    expect(pairs(fieldErrors(reporter))).toEqual(['email INVALID_CHARACTER']);
    const filed = await school.post('/api/v1/reports', reportBody(school, {}, { registeredAddress: { street: '\ud800x', houseNumber: 1, postcode: '1012 AB', place: 'Amsterdam', municipalityCode: 'GM0363' } }));
    expect(pairs(fieldErrors(filed))).toEqual(['pupil.registeredAddress.street INVALID_CHARACTER']);
    // A whole pair (an emoji) is text like any other.
    await school.post('/api/v1/reports', reportBody(school, { reason: 'Zegt: 🙂 ik kom niet' }, { pgn: bsn(4242) })).expect(201);
  });

  it('answers 409 (never 500) when two beheerders create the same username at once, and keeps one', async () => {
    const beheerder = await person(t, school.org.code, ['lezer', 'beheerder']);
    const answers = await Promise.all(Array.from({ length: 8 }, () =>
      beheerder.agent.post('/api/v1/users').set('X-CSRF-Token', beheerder.csrf).send({ username: 'tegelijk', name: 'Twee Keer', email: 'twee@example.org', roles: ['lezer'], activation: 'LETTER' })));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    for (const a of answers.filter((x) => x.status !== 201)) {
      expect([409, 422]).toContain(a.status);
      expect(pairs(fieldErrors(a))).toEqual(['username ALREADY_EXISTS']);
    }
  });

  it('reads whole numbers in a query only as plain digits', async () => {
    for (const q of ['number=0x1', 'number=1.0', 'number=%2B1', 'limit=1e1', 'after=+1', 'limit=%201']) {
      expectProblem(await school.get(`/api/v1/reports?${q}`), 422, 'VALIDATION_FAILED');
    }
    for (const p of ['0x1', '1.0', '+1', '01']) expect((await school.get(`/api/v1/reports/${p}`)).status).toBe(404);
    await school.get('/api/v1/reports?limit=10').expect(200);
  });

  it('refuses a CSRF token of the right length in characters but not in bytes, without a 500', async () => {
    const someone = await person(t, school.org.code, ['lezer', 'beheerder']);
    const forged = 'é'.repeat(someone.csrf.length);
    expectProblem(await someone.agent.put('/api/v1/notifications/mailbox').set('X-CSRF-Token', forged).send({ mailbox: null }), 403, 'CSRF_TOKEN_INVALID');
  });
});

describe('the overview tells nothing of other organisations', () => {
  let t: TestApp;
  let school: TestSchool;
  let other: TestSchool;
  let officer: Caller;
  beforeAll(async () => {
    t = await TestApp.start();
    school = await t.newSchool();
    other = await t.newSchool('Andere');
    officer = await t.keyFor('GM0363', ['behandelaar']);
  });
  afterAll(() => t.stop());

  it('refuses as a cursor a report the caller cannot see, as it refuses one that does not exist', async () => {
    const theirs = await other.post('/api/v1/reports', reportBody(other, {}, { pgn: bsn(5150) })).expect(201);
    const mine = await school.post('/api/v1/reports', reportBody(school, {}, { pgn: bsn(5160) })).expect(201);
    for (const sort of ['status', '-status']) {
      const seen = await school.get(`/api/v1/reports?sort=${sort}&after=${theirs.body.number}`);
      const none = await school.get(`/api/v1/reports?sort=${sort}&after=999999`);
      expect(pairs(fieldErrors(seen))).toEqual(['after INVALID_CURSOR']);
      expect(seen.body).toEqual(none.body);
      await school.get(`/api/v1/reports?sort=${sort}&after=${mine.body.number}`).expect(200);
    }
  });

  it('pages through every status one by one, both ways, each report once', async () => {
    const statuses = ['GEREGISTREERD', 'IN_BEHANDELING', 'AFGESLOTEN', 'TER_KENNISNEMING_AANGENOMEN', 'INGETROKKEN'];
    const numbers: number[] = [];
    for (const [i, status] of statuses.entries()) {
      const filed = await school.post('/api/v1/reports', reportBody(school, {}, { pgn: bsn(6000 + i * 10) })).expect(201);
      const n = filed.body.number as number;
      numbers.push(n);
      if (status === 'INGETROKKEN') await school.post(`/api/v1/reports/${n}/withdraw`, {}).expect(200);
      else if (status === 'AFGESLOTEN') await officer.post(`/api/v1/reports/${n}/status`, { status, closingReason: 'TERUG_NAAR_SCHOOL', closingExplanation: 'GEZIEN' }).expect(200);
      else if (status !== 'GEREGISTREERD') await officer.post(`/api/v1/reports/${n}/status`, { status }).expect(200);
    }
    const all = (await school.get('/api/v1/reports?limit=200').expect(200)).body.reports.map((r: { number: number }) => r.number).sort();
    for (const sort of ['status', '-status']) {
      const seen: number[] = [];
      let after: number | null = null;
      do {
        const page: request.Response = await school.get(`/api/v1/reports?sort=${sort}&limit=1${after ? `&after=${after}` : ''}`).expect(200);
        seen.push(...page.body.reports.map((r: { number: number }) => r.number));
        after = page.body.nextCursor;
      } while (after);
      expect([...seen].sort()).toEqual(all);
      expect(new Set(seen).size).toBe(seen.length);
    }
  });
});

describe('uploads, timeouts and sessions', () => {
  let t: TestApp;
  let base: string;
  beforeAll(async () => {
    t = await TestApp.start({ REQUEST_TIMEOUT_SECONDS: '2' });
    await t.app.listen(0, '127.0.0.1');
    base = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterAll(() => t.stop());

  /** A person's session cookie and CSRF token, signed in with plain requests. */
  async function session(p: Person): Promise<{ cookie: string; csrf: string }> {
    const step1 = await request(t.http).post('/api/v1/session').send({ username: p.user.username, password: PASSWORD }).expect(200);
    const pending = String(step1.headers['set-cookie'][0]).split(';')[0];
    const step2 = await request(t.http).post('/api/v1/session/code').set('Cookie', pending).send({ code: codeAt(p.seed, clock.now()) }).expect(200);
    return { cookie: String(step2.headers['set-cookie'][0]).split(';')[0], csrf: step2.body.csrfToken };
  }

  /** Sends the head of a 19 MB multipart upload and no more; resolves with the status once the server answers. */
  function startUpload(path: string, cookie: string, head: string): Promise<number> {
    return new Promise((resolve) => {
      const req = http.request(new URL(path, base), {
        method: 'POST',
        headers: { cookie, 'content-type': 'multipart/form-data; boundary=grens', 'content-length': String(19 * 1024 * 1024) },
      }, (res) => {
        resolve(res.statusCode ?? 0);
        res.resume();
        req.destroy();
      });
      req.on('error', () => resolve(-1));
      req.write(head);
    });
  }

  it('refuses an upload by someone without the right before reading its body', async () => {
    const lezer = await activePerson(t, 'GM0363', { username: 'u.lezer', email: 'u@example.org', roles: ['lezer'] });
    const { cookie, csrf } = await session(lezer);
    // The server answers while 19 MB are still to come: it did not wait for (or keep) the file.
    const status = await startUpload('/organisaties/duo-import', cookie, `--grens\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n`);
    expect(status).toBe(403);
  });

  it('does not read a file unless the right CSRF field came before it', async () => {
    const operator = await person(t, 'OPERATOR', ['operator']);
    const part = (name: string, value: string, file = false) =>
      `--grens\r\nContent-Disposition: form-data; name="${name}"${file ? '; filename="duo.csv"\r\nContent-Type: text/csv' : ''}\r\n\r\n${value}\r\n`;
    const send = (body: string) => operator.agent.post('/organisaties/duo-import').set('Content-Type', 'multipart/form-data; boundary=grens').send(body);
    const header = 'PROVINCIE;BEVOEGD GEZAG NUMMER;INSTELLINGSCODE;VESTIGINGSCODE;VESTIGINGSNAAM;GEMEENTENUMMER\r\nx;1;32JK;32JK00;Testschool;363\r\n';
    // The file first: not read; the page says it did not arrive, and nothing was imported.
    const fileFirst = await send(`${part('bestand', header, true)}${part('_csrf', operator.csrf)}${part('sector', 'PO')}--grens--\r\n`);
    expect(fileFirst.status).toBe(400);
    expect(fileFirst.text).toContain('kwam niet goed aan');
    // Another session's token first: refused as a forged form, logged.
    const forged = await send(`${part('_csrf', 'x'.repeat(operator.csrf.length))}${part('sector', 'PO')}${part('bestand', header, true)}--grens--\r\n`);
    expect(forged.status).toBe(403);
    expect(forged.text).toContain('Formulier verlopen');
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM audit_event WHERE action = 'CSRF_REJECTED' AND actor_id = $1`, [operator.user.id]);
    expect(n).toBe(1);
    expect(await t.db.query(`SELECT 1 FROM organisation WHERE code = '32JK'`)).toEqual([]);
  });

  it('refuses a state-changing request that the browser marks as coming from another site', async () => {
    const someone = await person(t, 'GM0363', ['lezer', 'beheerder']);
    const res = await someone.agent.put('/api/v1/notifications/mailbox').set('X-CSRF-Token', someone.csrf).set('Sec-Fetch-Site', 'cross-site').send({ mailbox: 'x@example.org' });
    expect(res.status).toBe(403);
    expect((await t.db.query(`SELECT mailbox FROM organisation WHERE code = 'GM0363'`))[0].mailbox).toBeNull();
  });

  it('closes a request whose body does not arrive within REQUEST_TIMEOUT_SECONDS', async () => {
    const started = Date.now();
    const status = await new Promise<number>((resolve) => {
      const req = http.request(new URL('/api/v1/session', base), { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': '1000' } }, (res) => {
        resolve(res.statusCode ?? 0);
        res.resume();
      });
      req.on('error', () => resolve(-1));
      req.write('{"username":');
    });
    expect([408, -1]).toContain(status);
    expect(Date.now() - started).toBeLessThan(6_000);
  });

  it('keeps at most PENDING_SESSIONS_MAX sign-ins waiting for a code, and purges ended sessions', async () => {
    const p = await activePerson(t, 'GM0363', { username: 'veel.stap1', email: 'veel@example.org', roles: ['lezer'] });
    for (let i = 0; i < 6; i++) await request(t.http).post('/api/v1/session').send({ username: 'veel.stap1', password: PASSWORD }).expect(200);
    const pending = async () => (await t.db.query(`SELECT count(*)::int AS n FROM user_session WHERE user_id = $1 AND stage = 'PASSWORD'`, [p.user.id]))[0].n;
    expect(await pending()).toBe(3);
    await t.db.query(`UPDATE user_session SET expires_at = now() - interval '1 minute' WHERE user_id = $1`, [p.user.id]);
    await t.app.get(HousekeepingService).run();
    expect(await pending()).toBe(0);
    // A signed-in session that ended stays an hour, naming the person of a form sent after it (kept input), then goes.
    await signIn(t, p);
    await t.db.query(`UPDATE user_session SET expires_at = now() - interval '59 minutes' WHERE user_id = $1`, [p.user.id]);
    await t.app.get(HousekeepingService).run();
    const complete = async () => (await t.db.query(`SELECT count(*)::int AS n FROM user_session WHERE user_id = $1 AND stage = 'COMPLETE'`, [p.user.id]))[0].n;
    expect(await complete()).toBe(1);
    await t.db.query(`UPDATE user_session SET expires_at = now() - interval '61 minutes' WHERE user_id = $1`, [p.user.id]);
    await t.app.get(HousekeepingService).run();
    expect(await complete()).toBe(0);
  });
});

describe('headers over https', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start({ PUBLIC_URL: 'https://verzuimloket.example' });
  });
  afterAll(() => t.stop());

  it('tells browsers to stay on https, keeps personal data out of caches, and guards static files too', async () => {
    const school = await t.newSchool();
    const api = await school.get('/api/v1/reports').expect(200);
    expect(api.headers['strict-transport-security']).toMatch(/max-age=\d{7,}/);
    expect(api.headers['cache-control']).toBe('no-store');
    const page = await request(t.http).get('/aanmelden').expect(200);
    expect(page.headers['cache-control']).toBe('no-store');
    const css = await request(t.http).get('/assets/portal.css').expect(200);
    expect(css.headers['content-security-policy']).toContain("default-src 'self'");
    expect(css.headers['x-content-type-options']).toBe('nosniff');
    expect(css.headers['strict-transport-security']).toBeDefined();
    expect(css.headers['cache-control']).not.toBe('no-store');
  });
});

describe('rate limits, shared by every instance', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start({ RATE_LIMIT_PER_MINUTE: '5', RATE_LIMIT_SIGN_IN_PER_MINUTE: '3' });
  });
  afterAll(() => t.stop());

  it('answers 429 with Retry-After and RateLimit headers once a caller is over, and counts each caller apart', async () => {
    const school = await t.keyFor('GM0363', ['behandelaar']);
    const other = await t.keyFor('GM0363', ['lezer']);
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await school.get('/api/v1/reports'));
    expect(answers.slice(0, 5).map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(answers[4].headers['ratelimit-limit']).toBe('5');
    expect(answers[4].headers['ratelimit-remaining']).toBe('0');
    expectProblem(answers[5], 429, 'TOO_MANY_REQUESTS');
    expect(Number(answers[5].headers['retry-after'])).toBeGreaterThan(0);
    await other.get('/api/v1/reports').expect(200);
    if (t.sharedDatabase) {
      const second = await t.startInstance({ RATE_LIMIT_PER_MINUTE: '5' });
      try {
        await request(second.getHttpServer()).get('/api/v1/reports').set('Authorization', `Bearer ${school.key}`).expect(429);
      } finally {
        await second.close();
      }
    }
  });

  it('limits sign-in attempts per address', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await request(t.http).post('/api/v1/session').send({ username: `n${i}`, password: 'fout-wachtwoord-1' })).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
  });
});

describe('the audit log records refusals and the operator made on the command line', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.stop());

  const count = async (action: string) => (await t.db.query(`SELECT count(*)::int AS n FROM audit_event WHERE action = $1`, [action]))[0].n;

  it('writes CSRF_REJECTED, ACCESS_DENIED and OPERATOR_CREATED', async () => {
    const lezer = await person(t, 'GM0363', ['lezer', 'beheerder']);
    await lezer.agent.put('/api/v1/notifications/mailbox').send({ mailbox: null }).expect(403);
    expect(await count('CSRF_REJECTED')).toBe(1);
    await lezer.agent.post('/api/v1/reports/1/status').set('X-CSRF-Token', lezer.csrf).send({ status: 'IN_BEHANDELING' }).expect(403);
    expect(await count('ACCESS_DENIED')).toBe(1);
    await t.app.get(AccountsService).appoint('OPERATOR', { username: 'fb.nieuw', name: 'F. Nieuw', email: 'fb@example.org' }, 'LINK', 'SHOW');
    expect(await count('OPERATOR_CREATED')).toBe(1);
  });

  it('signs out only with the session\u2019s own token, in the portal too', async () => {
    const someone = await person(t, 'GM0363', ['lezer']);
    const refused = await someone.agent.post('/afmelden').type('form').send('');
    expect(refused.status).toBe(403);
    await someone.agent.get('/api/v1/session').expect(200);
    await someone.agent.post('/afmelden').type('form').send(`_csrf=${someone.csrf}`).expect(303);
    await someone.agent.get('/api/v1/session').expect(401);
  });

  it('takes a sign-in form only from a page of ours in the same browser', async () => {
    const res = await request(t.http).post('/aanmelden').type('form').send('username=iemand&password=wachtwoord-123');
    expect(res.status).toBe(403);
    expect(res.text).toContain('Het aanmeldformulier was verlopen');
  });
});
