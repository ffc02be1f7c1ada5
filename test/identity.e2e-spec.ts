import request from 'supertest';
import { clock } from '../src/common/clock';
import { AccountsService } from '../src/identity/accounts.service';
import { codeAt } from '../src/identity/credentials/totp';
import { bsn, reportBody, TestApp, TestSchool } from './support/test-app';

const PASSWORD = 'lange-zin met spaties 2026';
const real = clock.now;
let offset = 0;
/** Moves the sign-in clock forward, as if the person waited. */
const wait = (ms: number) => {
  offset += ms;
  clock.now = () => new Date(real().getTime() + offset);
};
const now = () => clock.now();

type Agent = ReturnType<typeof request.agent>;

describe('people: activation, sign-in with password and code, sessions, the beheerder', () => {
  let t: TestApp;
  let school: TestSchool;
  let beheerder: Agent;
  let beheerderSeed: string;
  let csrf: string;

  /** Activates an account with its activation code and returns the enrolled app seed. */
  async function activate(activationCode: string, password = PASSWORD): Promise<string> {
    const agent = request.agent(t.http);
    const started = await agent.post('/api/v1/activation/start').send({ activationCode, password }).expect(200);
    expect(started.body.token).toBe('APP');
    expect(started.body.qrSvg).toContain('<svg');
    expect(started.body.otpauthUri).toMatch(/^otpauth:\/\/totp\/Verzuimloket:/);
    await agent.post('/api/v1/activation/confirm').send({ activationCode, code: codeAt(started.body.secret, now()) }).expect(200);
    return started.body.secret;
  }

  /** Signs in in two steps on a new agent, a time step after any code used before. */
  async function signIn(username: string, seed: string, password = PASSWORD): Promise<{ agent: Agent; csrf: string }> {
    wait(30_000);
    const agent = request.agent(t.http);
    await agent.post('/api/v1/session').send({ username, password }).expect(200);
    const res = await agent.post('/api/v1/session/code').send({ code: codeAt(seed, now()) }).expect(200);
    return { agent, csrf: res.body.csrfToken };
  }

  beforeAll(async () => {
    t = await TestApp.start();
    school = await t.newSchool();
    const { activation } = await t.app.get(AccountsService).appoint(school.org.code, { username: 'Bea.Beheer', name: 'Bea Beheer', email: 'bea@school.example' }, 'LINK');
    expect(activation).toMatchObject({ kind: 'LINK', sentTo: 'bea@school.example' });
    const code = await t.mailedActivationCode('bea@school.example');
    const inspected = await request(t.http).post('/api/v1/activation/inspect').send({ activationCode: code }).expect(200);
    expect(inspected.body).toMatchObject({ username: 'bea.beheer', needsPassword: true, token: 'APP' });
    beheerderSeed = await activate(code);
    await request(t.http).post('/api/v1/activation/inspect').send({ activationCode: code }).expect(404);
    ({ agent: beheerder, csrf } = await signIn('bea.beheer', beheerderSeed));
  });
  afterAll(async () => {
    clock.now = real;
    await t.stop();
  });

  it('refuses a weak password at activation, naming the rule', async () => {
    const { activation } = await t.app.get(AccountsService).appoint(school.org.code, { username: 'zwak', name: 'Zora Zwak', email: 'z@school.example' }, 'LETTER');
    for (const [password, code] of [['kort', 'TOO_SHORT'], ['iloveyou1234', 'PASSWORD_TOO_COMMON'], ['zora.zwak-2026!', 'PASSWORD_CONTAINS_PERSONAL_DATA'], ['x'.repeat(129), 'TOO_LONG']]) {
      const res = await request(t.http).post('/api/v1/activation/start').send({ activationCode: activation.code, password }).expect(422);
      expect(res.body.errors.map((e: { code: string }) => e.code)).toContain(code);
    }
  });

  it('refuses a replayed code and a code from two steps ago, accepts one step back', async () => {
    wait(60_000); // so that one step back is a step no earlier sign-in used
    const agent = request.agent(t.http);
    await agent.post('/api/v1/session').send({ username: 'bea.beheer', password: PASSWORD }).expect(200);
    await agent.post('/api/v1/session/code').send({ code: codeAt(beheerderSeed, new Date(now().getTime() - 60_000)) }).expect(401);
    const fresh = codeAt(beheerderSeed, new Date(now().getTime() - 30_000));
    await agent.post('/api/v1/session/code').send({ code: fresh }).expect(200);
    const again = request.agent(t.http);
    await again.post('/api/v1/session').send({ username: 'bea.beheer', password: PASSWORD }).expect(200);
    await again.post('/api/v1/session/code').send({ code: fresh }).expect(401);
  });

  it('answers the same for an unknown user, a wrong password and a wrong code', async () => {
    const unknown = await request(t.http).post('/api/v1/session').send({ username: 'niemand', password: PASSWORD }).expect(401);
    const wrong = await request(t.http).post('/api/v1/session').send({ username: 'bea.beheer', password: 'fout-wachtwoord-123' }).expect(401);
    expect(unknown.body).toEqual(wrong.body);
    await request(t.http).post('/api/v1/session/code').send({ code: '123456' }).expect(401);
  });

  it('needs the CSRF token for changes made with a session', async () => {
    const body = { username: 'm.melder', name: 'Mo Melder', email: 'mo@school.example', roles: ['melder'], activation: 'LETTER' };
    const refused = await beheerder.post('/api/v1/users').send(body).expect(403);
    expect(refused.body.code).toBe('CSRF_TOKEN_INVALID');
    await beheerder.post('/api/v1/users').set('X-CSRF-Token', 'vals').send(body).expect(403);
    const created = await beheerder.post('/api/v1/users').set('X-CSRF-Token', csrf).send(body).expect(201);
    expect(created.body.account).toMatchObject({ username: 'm.melder', status: 'PENDING', roles: ['melder'] });
    expect(created.body.activation.code).toMatch(/^[A-Z2-9]{4}(-[A-Z2-9]{4}){3}$/);
  });

  it('takes a person from creation to a first sign-in by letter, and lets them file a report with their session', async () => {
    const created = await beheerder
      .post('/api/v1/users').set('X-CSRF-Token', csrf)
      .send({ username: 'v.coordinator', name: 'Vera Coördinator', email: 'vera@school.example', roles: ['melder'], activation: 'LETTER' })
      .expect(201);
    const seed = await activate(created.body.activation.code.toLowerCase().replace(/-/g, ' '));
    const { agent, csrf: token } = await signIn('v.coordinator', seed);
    const me = await agent.get('/api/v1/session').expect(200);
    expect(me.body).toMatchObject({ type: 'USER', name: 'Vera Coördinator', organisation: school.org.code });
    const filed = await agent.post('/api/v1/reports').set('X-CSRF-Token', token).send(reportBody(school)).expect(201);
    const history = await agent.get(`/api/v1/reports/${filed.body.number}/history`).expect(200);
    expect(history.body[0].actor).toBe('Vera Coördinator');
    await agent.get('/api/v1/users').expect(403);
  });

  it('lets a lezer read and nothing more', async () => {
    const created = await beheerder.post('/api/v1/users').set('X-CSRF-Token', csrf)
      .send({ username: 'l.lezer', name: 'Lex Lezer', email: 'lex@school.example', roles: ['lezer'], activation: 'LINK' }).expect(201);
    expect(created.body.activation).toMatchObject({ kind: 'LINK', sentTo: 'lex@school.example' });
    const seed = await activate(await t.mailedActivationCode('lex@school.example'));
    const { agent, csrf: token } = await signIn('l.lezer', seed);
    await agent.get('/api/v1/reports').expect(200);
    await agent.post('/api/v1/reports').set('X-CSRF-Token', token).send(reportBody(school)).expect(403);
    await agent.post('/api/v1/locations').set('X-CSRF-Token', token).send({ code: '09', name: 'x' }).expect(403);
  });

  it('makes the account wait after ten wrong passwords, even for the right one, until the beheerder unlocks it', async () => {
    const created = await beheerder.post('/api/v1/users').set('X-CSRF-Token', csrf)
      .send({ username: 'p.probeer', name: 'Piet Probeer', email: 'piet@school.example', roles: ['lezer'], activation: 'LETTER' }).expect(201);
    const seed = await activate(created.body.activation.code);
    for (let i = 0; i < 20; i++) await request(t.http).post('/api/v1/session').send({ username: 'p.probeer', password: `fout-${i}-wachtwoord` }).expect(401);
    await request(t.http).post('/api/v1/session').send({ username: 'p.probeer', password: PASSWORD }).expect(401);
    const account = await beheerder.get(`/api/v1/users/${created.body.account.id}`).expect(200);
    expect(account.body.waitUntil).not.toBeNull();
    await beheerder.post(`/api/v1/users/${created.body.account.id}/unlock`).set('X-CSRF-Token', csrf).expect(200);
    await signIn('p.probeer', seed);
  });

  it('ends sessions on sign-out, after 30 idle minutes, and when the beheerder locks the account', async () => {
    const created = await beheerder.post('/api/v1/users').set('X-CSRF-Token', csrf)
      .send({ username: 's.sessie', name: 'Sam Sessie', email: 'sam@school.example', roles: ['lezer'], activation: 'LETTER' }).expect(201);
    const seed = await activate(created.body.activation.code);
    const first = await signIn('s.sessie', seed);
    await first.agent.get('/api/v1/session').expect(200);
    // Signing out needs the session's CSRF token: another site cannot sign a person out.
    await first.agent.delete('/api/v1/session').expect(403);
    await first.agent.get('/api/v1/session').expect(200);
    await first.agent.delete('/api/v1/session').set('X-CSRF-Token', first.csrf).expect(204);
    await first.agent.get('/api/v1/session').expect(401);

    const second = await signIn('s.sessie', seed);
    wait(31 * 60_000);
    await second.agent.get('/api/v1/session').expect(401);

    ({ agent: beheerder, csrf } = await signIn('bea.beheer', beheerderSeed));
    const third = await signIn('s.sessie', seed);
    await beheerder.post(`/api/v1/users/${created.body.account.id}/lock`).set('X-CSRF-Token', csrf).expect(200);
    await third.agent.get('/api/v1/session').expect(401);
    wait(30_000);
    await request(t.http).post('/api/v1/session').send({ username: 's.sessie', password: PASSWORD }).expect(401);
  });

  it('resets a token: the old one stops, the person enrols a new one with their own password', async () => {
    const created = await beheerder.post('/api/v1/users').set('X-CSRF-Token', csrf)
      .send({ username: 'r.reset', name: 'Ria Reset', email: 'ria@school.example', roles: ['lezer'], activation: 'LETTER' }).expect(201);
    const oldSeed = await activate(created.body.activation.code);
    const reset = await beheerder.post(`/api/v1/users/${created.body.account.id}/token/reset`).set('X-CSRF-Token', csrf).send({ activation: 'LETTER' }).expect(201);
    wait(30_000);
    const agent = request.agent(t.http);
    await agent.post('/api/v1/session').send({ username: 'r.reset', password: PASSWORD }).expect(401);
    await request(t.http).post('/api/v1/activation/start').send({ activationCode: reset.body.activation.code, password: 'niet-mijn-wachtwoord-1' }).expect(422);
    const newSeed = await activate(reset.body.activation.code);
    expect(newSeed).not.toBe(oldSeed);
    await signIn('r.reset', newSeed);
  });

  it('enrols a hardware token the beheerder registered by serial and seed', async () => {
    const seedHex = '3132333435363738393031323334353637383930';
    const token = await beheerder.post('/api/v1/hardware-tokens').set('X-CSRF-Token', csrf).send({ serial: 'HW-0001', seed: seedHex }).expect(201);
    const created = await beheerder.post('/api/v1/users').set('X-CSRF-Token', csrf)
      .send({ username: 'h.hardware', name: 'Hans Hardware', email: 'hans@school.example', roles: ['lezer'], activation: 'LETTER' }).expect(201);
    await beheerder.post(`/api/v1/users/${created.body.account.id}/token/hardware`).set('X-CSRF-Token', csrf).send({ tokenId: token.body.id }).expect(200);
    const base32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'; // the same 20 bytes
    const agent = request.agent(t.http);
    const started = await agent.post('/api/v1/activation/start').send({ activationCode: created.body.activation.code, password: PASSWORD }).expect(200);
    expect(started.body).toMatchObject({ token: 'HARDWARE', serial: 'HW-0001' });
    await agent.post('/api/v1/activation/confirm').send({ activationCode: created.body.activation.code, code: codeAt(base32, now()) }).expect(200);
    await signIn('h.hardware', base32);
    const list = await beheerder.get('/api/v1/hardware-tokens').expect(200);
    expect(JSON.stringify(list.body)).not.toContain(seedHex);
  });

  it('keeps the beheerder inside their organisation, within their roles, and never the last one out', async () => {
    const other = await t.newSchool('Andere school');
    const { user: otherUser } = await t.app.get(AccountsService).appoint(other.org.code, { username: 'o.beheer', name: 'Olga', email: 'o@x.example' }, 'LETTER');
    await beheerder.get(`/api/v1/users/${otherUser.id}`).expect(404);
    await beheerder.post(`/api/v1/users/${otherUser.id}/lock`).set('X-CSRF-Token', csrf).expect(404);
    const list = await beheerder.get('/api/v1/users').expect(200);
    expect(list.body.map((u: { username: string }) => u.username)).not.toContain('o.beheer');
    const self = list.body.find((u: { username: string }) => u.username === 'bea.beheer');
    const refused = await beheerder.post(`/api/v1/users/${self.id}/disable`).set('X-CSRF-Token', csrf).expect(409);
    expect(refused.body.detail).toContain('laatste beheerder');
    await beheerder.put(`/api/v1/users/${self.id}/roles`).set('X-CSRF-Token', csrf).send({ roles: ['melder'] }).expect(409);
    const melder = list.body.find((u: { username: string }) => u.username === 'm.melder');
    await beheerder.put(`/api/v1/users/${melder.id}/roles`).set('X-CSRF-Token', csrf).send({ roles: ['melder', 'lezer'] }).expect(200);
    await beheerder.post('/api/v1/users').set('X-CSRF-Token', csrf)
      .send({ username: 'x.behandelaar', name: 'X', email: 'x@school.example', roles: ['behandelaar'] }).expect(422);
  });

  it('lets a beheerder grant or take away only the roles they have themselves', async () => {
    const created = await beheerder.post('/api/v1/users').set('X-CSRF-Token', csrf)
      .send({ username: 'b.alleenbeheer', name: 'Bo Beheer', email: 'bo@school.example', roles: ['beheerder'], activation: 'LETTER' }).expect(201);
    const seed = await activate(created.body.activation.code);
    const bo = await signIn('b.alleenbeheer', seed);
    const grant = await bo.agent.post('/api/v1/users').set('X-CSRF-Token', bo.csrf)
      .send({ username: 'n.melder', name: 'Nee', email: 'nee@school.example', roles: ['melder'], activation: 'LETTER' }).expect(403);
    expect(grant.body.detail).toContain('melder');
    const list = await bo.agent.get('/api/v1/users').expect(200);
    const melder = list.body.find((u: { username: string }) => u.username === 'm.melder');
    await bo.agent.put(`/api/v1/users/${melder.id}/roles`).set('X-CSRF-Token', bo.csrf).send({ roles: ['melder'] }).expect(403);
    expect((await beheerder.get(`/api/v1/users/${melder.id}`).expect(200)).body.roles).toEqual(['melder', 'lezer']);
    // What they have, they can grant.
    await bo.agent.post('/api/v1/users').set('X-CSRF-Token', bo.csrf)
      .send({ username: 'b.tweede', name: 'Tweede', email: 'tweede@school.example', roles: ['beheerder'], activation: 'LETTER' }).expect(201);
  });

  it("keeps a melder limited to some locations to those locations' reports", async () => {
    const second = await school.post('/api/v1/locations', { code: '02', name: 'Dependance', municipalityCode: 'GM0363' }).expect(201);
    const created = await beheerder.post('/api/v1/users').set('X-CSRF-Token', csrf)
      .send({ username: 'l.locatie', name: 'Lot Locatie', email: 'lot@school.example', roles: ['melder'], locationIds: [school.location.id], activation: 'LETTER' })
      .expect(201);
    expect(created.body.account.locationIds).toEqual([school.location.id]);
    const seed = await activate(created.body.activation.code);
    const lot = await signIn('l.locatie', seed);
    const atOther = await school.post('/api/v1/reports', reportBody(school, { locationCode: `${school.org.code}02` }, { pgn: bsn(9001) })).expect(201);
    const own = await lot.agent.post('/api/v1/reports').set('X-CSRF-Token', lot.csrf).send(reportBody(school, {}, { pgn: bsn(9101) })).expect(201);

    const refused = await lot.agent.post('/api/v1/reports').set('X-CSRF-Token', lot.csrf)
      .send(reportBody(school, { locationCode: `${school.org.code}02` }, { pgn: bsn(9201) })).expect(422);
    expect(refused.body.errors[0]).toMatchObject({ field: 'locationCode', code: 'UNKNOWN_LOCATION' });
    await lot.agent.get(`/api/v1/reports/${atOther.body.number}`).expect(404);
    await lot.agent.post(`/api/v1/reports/${atOther.body.number}/messages`).set('X-CSRF-Token', lot.csrf).send({ body: 'x' }).expect(404);
    const listed = await lot.agent.get('/api/v1/reports').expect(200);
    expect(listed.body.reports.map((r: { number: number }) => r.number)).toContain(own.body.number);
    expect(listed.body.reports.map((r: { number: number }) => r.number)).not.toContain(atOther.body.number);
    const changes = await lot.agent.get('/api/v1/changes').expect(200);
    expect(changes.body.changes.map((c: { reportNumber: number }) => c.reportNumber)).not.toContain(atOther.body.number);
    // The school's other people still see both.
    await school.get(`/api/v1/reports/${atOther.body.number}`).expect(200);
    expect(second.body.code).toBe('02');
  });

  it('does not let a machine key manage people', async () => {
    await school.get('/api/v1/users').expect(403);
  });
});
