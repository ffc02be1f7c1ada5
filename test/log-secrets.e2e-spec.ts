import request from 'supertest';
import { clock } from '../src/common/clock';
import { AccountsService } from '../src/identity/accounts.service';
import { OrganisationsService } from '../src/organisations/organisations.service';
import { codeAt } from '../src/identity/credentials/totp';
import { FirstRunService } from '../src/identity/first-run.service';
import { bsn, reportBody, TestApp } from './support/test-app';

/**
 * Everything the service writes to its log while people activate, sign in (rightly and wrongly), make API keys and
 * file and search reports, at the most talkative level, with the default mail transport: no password, code, seed,
 * activation secret, API key, session or CSRF token, or PGN in any line.
 */
describe('the log', () => {
  const lines: string[] = [];
  const writes = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
  let t: TestApp;

  beforeAll(() => {
    const capture = (chunk: unknown) => (lines.push(String(chunk)), true);
    process.stdout.write = capture as typeof process.stdout.write;
    process.stderr.write = capture as typeof process.stderr.write;
  });
  afterAll(async () => {
    await t?.stop();
    process.stdout.write = writes.out;
    process.stderr.write = writes.err;
  });

  it('holds no secret and no PGN, while it does record what happened', async () => {
    t = await TestApp.start({ LOG_LEVEL: 'verbose', MAIL_WORKER: 'true', MAIL_POLL_MS: '100' }, { logs: true });
    const secrets: string[] = [];
    // The first start's link (ADR 0012): its token is written once, in that one line at info level, and nowhere else;
    // the first operator made with it leaves no other secret behind.
    await t.app.get(FirstRunService).announce();
    const FIRST_RUN = /\/eerste-start\/([A-Za-z0-9_-]{43})/;
    const firstRunToken = FIRST_RUN.exec(lines.find((l) => FIRST_RUN.test(l))!)![1];
    const operatorPassword = 'zonnig weer boven de polder 4';
    await request(t.http).get(`/eerste-start/${firstRunToken}`).expect(200);
    const enrol = await request(t.http).post(`/eerste-start/${firstRunToken}`).type('form')
      .send({ name: 'Olga Operator', username: 'olga.op', email: 'olga@operator.example', password: operatorPassword }).expect(200);
    const operatorSeed = /class="utrecht-code vzl-secret">([A-Z2-7]+)</.exec(enrol.text)![1];
    await request(t.http).post('/activeren/bevestigen').type('form').send({ activationCode: firstRunToken, secret: operatorSeed, code: codeAt(operatorSeed, clock.now()) }).expect(201);
    await request(t.http).get(`/eerste-start/${firstRunToken}`).expect(404);
    secrets.push(operatorPassword, operatorSeed);
    const school = await t.newSchool('Logschool');
    secrets.push(school.key);

    await t.app.get(AccountsService).appoint(school.org.code, { username: 'log.beheer', name: 'Lia Log', email: 'lia@school.example' }, 'LINK');
    const activationCode = await t.mailedActivationCode('lia@school.example');
    const password = 'een-lang-wachtwoord voor de log 7';
    secrets.push(activationCode, password);
    const agent = request.agent(t.http);
    const started = await agent.post('/api/v1/activation/start').send({ activationCode, password }).expect(200);
    secrets.push(started.body.secret);
    const first = codeAt(started.body.secret, clock.now());
    await agent.post('/api/v1/activation/confirm').send({ activationCode, code: first }).expect(200);

    await request(t.http).post('/api/v1/session').send({ username: 'log.beheer', password: 'fout-wachtwoord-9876' }).expect(401);
    secrets.push('fout-wachtwoord-9876');
    const later = new Date(clock.now().getTime() + 30_000);
    const real = clock.now;
    clock.now = () => later;
    try {
      const session = request.agent(t.http);
      const step1 = await session.post('/api/v1/session').send({ username: 'log.beheer', password }).expect(200);
      const cookie = String(step1.headers['set-cookie']);
      const code = codeAt(started.body.secret, later);
      const signedIn = await session.post('/api/v1/session/code').send({ code }).expect(200);
      secrets.push(code, signedIn.body.csrfToken, /vzl_session=([^;]+)/.exec(cookie)![1]);
      const key = await session.post('/api/v1/api-keys').set('X-CSRF-Token', signedIn.body.csrfToken).send({ name: 'Leerlingvolgsysteem', roles: ['beheerder'] }).expect(201);
      secrets.push(key.body.secret);
    } finally {
      clock.now = real;
    }

    const pgn = bsn(31337);
    secrets.push(pgn);
    await school.post('/api/v1/reports', reportBody(school, {}, { pgn })).expect(201);
    await school.post('/api/v1/reports/search', { pgn }).expect(200);
    await school.post('/api/v1/reports', reportBody(school, {}, { pgn: pgn.slice(0, 8) + ((Number(pgn[8]) + 1) % 10) })).expect(422);
    // The activation e-mail went out as a file, and the log said where.
    const until = Date.now() + 10_000;
    while (!lines.some((l) => l.includes('E-mail geschreven naar')) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));

    // A failure of ours: the answer names the request id the proxy sent, and every line of that request carries it.
    const orgs = t.app.get(OrganisationsService);
    const list = jest.spyOn(orgs, 'list').mockRejectedValueOnce(new Error(`kapot bij leerling ${pgn}`));
    const failed = await school.get('/api/v1/organisations').set('X-Request-Id', 'lb-7f3a9c21.0042').expect(500);
    list.mockRestore();
    expect(failed.headers['x-request-id']).toBe('lb-7f3a9c21.0042');
    expect(failed.body).toMatchObject({ code: 'INTERNAL_ERROR', requestId: 'lb-7f3a9c21.0042', correlationId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    // A malformed one is not taken over: a new id is made.
    const forged = await school.get('/api/v1/organisations').set('X-Request-Id', '{"level":"fatal"} forged').expect(200);
    expect(forged.headers['x-request-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
    while (!lines.some((l) => l.includes('"status":200') && l.includes(forged.headers['x-request-id'])) && Date.now() < until + 5_000) await new Promise((r) => setTimeout(r, 20));

    const log = lines.join('');
    expect(log).toContain('E-mail geschreven naar');
    expect(log).toContain('Mapped {/api/v1/reports, POST}');
    for (const secret of secrets) expect({ secret, found: log.includes(secret) }).toEqual({ secret, found: false });
    const withLink = log.split('\n').filter((l) => l.includes(firstRunToken));
    expect(withLink).toHaveLength(1);
    expect(JSON.parse(withLink[0])).toMatchObject({ level: 'info', context: 'Eerste start', msg: expect.stringContaining(`/eerste-start/${firstRunToken}`) });
    expect(log).not.toContain('olga@operator.example');

    // Every line is one JSON object; one per request, with the route as written in the code and who asked.
    const entries = log.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    const requests = entries.filter((e) => e.route !== undefined);
    expect(requests).toContainEqual(expect.objectContaining({
      method: 'POST', route: '/api/v1/reports', status: 201, org: school.org.code, orgType: 'SCHOOL', actorType: 'API_KEY',
      requestId: expect.any(String), durationMs: expect.any(Number),
    }));
    expect(requests).toContainEqual(expect.objectContaining({ method: 'POST', route: '/api/v1/reports/search', status: 200 }));
    expect(requests).toContainEqual(expect.objectContaining({ method: 'POST', route: '/api/v1/session/code', status: 200 }));
    for (const r of requests) expect(Object.keys(r).sort()).not.toEqual(expect.arrayContaining(['url']));
    const ofFailure = entries.filter((e) => e.requestId === 'lb-7f3a9c21.0042');
    expect(ofFailure.map((e) => e.msg)).toEqual([expect.stringContaining(failed.body.correlationId), 'verzoek mislukt']);
    expect(ofFailure[1]).toMatchObject({ level: 'error', route: '/api/v1/organisations', status: 500 });
    // No URL with its query string or numbers, no headers, no body in any line.
    expect(log).not.toContain('?limit=');
    expect(log).not.toMatch(/authorization|cookie|"headers"|"body"/i);
  });
});
