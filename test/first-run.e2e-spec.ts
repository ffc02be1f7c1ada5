import request from 'supertest';
import { clock } from '../src/common/clock';
import { AccountsService } from '../src/identity/accounts.service';
import { codeAt } from '../src/identity/credentials/totp';
import { FIRST_RUN_MINUTES, FirstRunService } from '../src/identity/first-run.service';
import { movableClock } from './support/movable-clock';
import { TestApp } from './support/test-app';

/**
 * Issue 10, "First run": a start without an operator prints a one-time link; its page makes the first operator and
 * hands over to the activation (password, QR code, first code). On the test's own cloned database.
 */
describe('the first run', () => {
  jest.setTimeout(120_000);
  let t: TestApp;
  const { later, restore } = movableClock();

  beforeAll(async () => {
    t = await TestApp.start({ PUBLIC_URL: 'http://localhost:3123' });
  });
  afterAll(async () => {
    restore();
    await t?.stop();
  });

  const firstRun = () => t.app.get(FirstRunService);
  const tokenOf = (url: string) => new URL(url).pathname.split('/').pop()!;
  const operators = async () => (await t.db.query(
    `SELECT u.username, u.status FROM user_account u JOIN organisation o ON o.id = u.organisation_id WHERE o.type = 'OPERATOR' ORDER BY u.username`,
  )) as { username: string; status: string }[];
  const form = (username: string, password = 'een lange zin voor de eerste start 12') =>
    ({ name: `F. ${username}`, username, email: `${username}@operator.example`, password });
  const step1 = (token: string, body: Record<string, string>) => request(t.http).post(`/eerste-start/${token}`).type('form').send(body);
  const titleOf = (html: string) => /<h1[^>]*>([^<]*)<\/h1>/.exec(html)?.[1];

  it('prints a link only while nobody can get in, stores only its hash, and voids older links at each start', async () => {
    const first = await firstRun().issueIfNeeded();
    expect(first?.url).toMatch(/^http:\/\/localhost:3123\/eerste-start\/[A-Za-z0-9_-]{43}$/);
    expect(first!.expiresAt.getTime() - clock.now().getTime()).toBeGreaterThan((FIRST_RUN_MINUTES - 1) * 60_000);
    const token = tokenOf(first!.url);
    const rows: { token_hash: Buffer }[] = await t.db.query(`SELECT token_hash FROM first_run_link`);
    expect(rows).toHaveLength(1);
    expect(rows[0].token_hash.toString('latin1')).not.toContain(token);
    expect(JSON.stringify(rows)).not.toContain(token);

    const page = await request(t.http).get(`/eerste-start/${token}`).expect(200);
    expect(titleOf(page.text)).toBe('Verzuimloket inrichten');
    expect(page.headers['referrer-policy']).toBe('no-referrer');

    // A second start: a new link, and the first one no longer works.
    const second = await firstRun().issueIfNeeded();
    expect(tokenOf(second!.url)).not.toBe(token);
    const old = await request(t.http).get(`/eerste-start/${token}`).expect(404);
    expect(titleOf(old.text)).toBe('Deze link werkt niet (meer)');
    expect(old.text).toContain('Herstart Verzuimloket');
    await expect(t.db.query(`SELECT count(*)::int AS n FROM first_run_link`)).resolves.toEqual([{ n: 1 }]);
  });

  it('refuses a weak password or a bad address without using up the link', async () => {
    const token = tokenOf((await firstRun().issueIfNeeded())!.url);
    const weak = await step1(token, form('fb.zwak', 'kort')).expect(422);
    expect(weak.text).toContain('Wachtwoord:');
    const bad = await step1(token, { ...form('fb.zwak'), email: 'geen-adres' }).expect(422);
    expect(bad.text).toContain('E-mailadres: is geen geldig e-mailadres');
    expect(bad.text).toContain('value="fb.zwak"');
    await expect(operators()).resolves.toEqual([]);
    await request(t.http).get(`/eerste-start/${token}`).expect(200);
  });

  it('makes exactly one operator when two browsers send the form at once', async () => {
    const token = tokenOf((await firstRun().issueIfNeeded())!.url);
    const answers = await Promise.all(['fb.anna', 'fb.bert', 'fb.cees'].map((u) => step1(token, form(u))));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([200, 404, 404]);
    const made = await operators();
    expect(made).toHaveLength(1);
    expect(made[0].status).toBe('PENDING');
    const [audit] = await t.db.query(`SELECT actor_name, details FROM audit_event WHERE action = 'OPERATOR_CREATED'`);
    expect(audit.details).toMatchObject({ username: made[0].username, appointedBy: 'eerste-start' });
    for (const lost of answers.filter((a) => a.status === 404)) expect(titleOf(lost.text)).toBe('Verzuimloket is al ingericht');

    // While it is under way, a start prints nothing, and the link goes on at the token (same QR code) in another browser.
    await expect(firstRun().issueIfNeeded()).resolves.toBeNull();
    const won = answers.find((a) => a.status === 200)!;
    const secret = /class="utrecht-code vzl-secret">([A-Z2-7]+)</.exec(won.text)![1];
    const resumed = await request(t.http).get(`/eerste-start/${token}`).expect(200);
    expect(resumed.text).toContain('U koos al een wachtwoord');
    const again = await request(t.http).post('/activeren').type('form').send({ activationCode: token, password: '' }).expect(201);
    expect(again.text).toContain(secret);

    // A wrong code is refused; the right one (otplib, from the key shown) activates, and the link is dead.
    await request(t.http).post('/activeren/bevestigen').type('form').send({ activationCode: token, secret, code: '000000' }).expect(422);
    const done = await request(t.http).post('/activeren/bevestigen').type('form').send({ activationCode: token, secret, code: codeAt(secret, clock.now()) }).expect(201);
    expect(titleOf(done.text)).toBe('Uw account is actief');
    await expect(operators()).resolves.toEqual([{ username: made[0].username, status: 'ACTIVE' }]);
    const dead = await request(t.http).get(`/eerste-start/${token}`).expect(404);
    const wrong = await request(t.http).get(`/eerste-start/${'A'.repeat(43)}`).expect(404);
    expect(titleOf(dead.text)).toBe('Verzuimloket is al ingericht');
    expect(wrong.text).toBe(dead.text);
    await step1(token, form('fb.nogmaals')).expect(404);
    await expect(firstRun().issueIfNeeded()).resolves.toBeNull();
    await expect(operators()).resolves.toHaveLength(1);

    // The new operator signs in (password, then a code of a later time step).
    later(1);
    const agent = request.agent(t.http);
    await agent.post('/api/v1/session').send({ username: made[0].username, password: form('x').password }).expect(200);
    const session = await agent.post('/api/v1/session/code').send({ code: codeAt(secret, clock.now()) });
    expect(session.status).toBe(200);
    expect(session.body).toMatchObject({ type: 'USER', name: `F. ${made[0].username}`, organisationType: 'OPERATOR' });
  });

  it('never answers a hostile token with a 500, with or without an operator', async () => {
    const hostile = ['x'.repeat(5000), encodeURIComponent('ééé🙂'), '__proto__', 'constructor', '%E0%A4%A', '..%2F..%2Fetc', `${'A'.repeat(42)}%00`];
    for (const token of hostile) {
      for (const answer of [await request(t.http).get(`/eerste-start/${token}`), await step1(token, form('fb.vijand'))]) {
        expect({ token: token.slice(0, 20), status: answer.status }).toEqual({ token: token.slice(0, 20), status: expect.any(Number) });
        expect(answer.status).toBeGreaterThanOrEqual(400);
        expect(answer.status).toBeLessThan(500);
      }
    }
    await expect(operators()).resolves.toHaveLength(1);
  });
});

describe('the first run, when a link expires or the command line made the operator', () => {
  jest.setTimeout(120_000);
  let t: TestApp;
  const { later, restore } = movableClock();

  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(async () => {
    restore();
    await t?.stop();
  });

  const firstRun = () => t.app.get(FirstRunService);
  const tokenOf = (url: string) => new URL(url).pathname.split('/').pop()!;
  const body = (username: string) => ({ name: 'F. Later', username, email: 'later@operator.example', password: 'een lange zin voor de eerste start 12' });

  it('an expired link says so; a restart prints a new one, and an abandoned account gives up its name', async () => {
    const token = tokenOf((await firstRun().issueIfNeeded())!.url);
    later(FIRST_RUN_MINUTES + 1);
    const expired = await request(t.http).get(`/eerste-start/${token}`).expect(404);
    expect(expired.text).toContain('Deze link werkt niet (meer)');
    await request(t.http).post(`/eerste-start/${token}`).type('form').send(body('fb.later')).expect(404);

    // Begun with a new link, then left before the token for more than the hour.
    const second = tokenOf((await firstRun().issueIfNeeded())!.url);
    await request(t.http).post(`/eerste-start/${second}`).type('form').send(body('fb.later')).expect(200);
    later(FIRST_RUN_MINUTES + 1);
    await request(t.http).get(`/eerste-start/${second}`).expect(404);
    const third = tokenOf((await firstRun().issueIfNeeded())!.url);
    const page = await request(t.http).post(`/eerste-start/${third}`).type('form').send(body('fb.later')).expect(200);
    expect(page.text).toContain('Token koppelen');
    await expect(t.db.query(`SELECT count(*)::int AS n FROM user_account WHERE username = 'fb.later'`)).resolves.toEqual([{ n: 1 }]);
  });

  it('create-operator keeps working, and an operator it made (activation pending) stops the links', async () => {
    later(FIRST_RUN_MINUTES + 1);
    const token = tokenOf((await firstRun().issueIfNeeded())!.url);
    const { activation } = await t.app.get(AccountsService).appoint('OPERATOR', { username: 'fb.script', name: 'F. Script', email: 'script@operator.example' }, 'LINK', 'SHOW');
    expect(activation.url).toMatch(/\/activeren\?code=/);
    const closed = await request(t.http).get(`/eerste-start/${token}`).expect(404);
    expect(closed.text).toContain('Verzuimloket is al ingericht');
    await expect(firstRun().issueIfNeeded()).resolves.toBeNull();
  });
});
