import { INestApplication } from '@nestjs/common';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TestMailServer } from './support/mail-server';
import { activePerson, signIn } from './support/people';
import { bsn, Caller, reportBody, TestApp, TestSchool } from './support/test-app';
import { sleep, until } from './support/until';

const ROOT = join(__dirname, '..');
const MAILBOX = 'leerplicht@amsterdam.example';

/** Files one report; Amsterdam's mailbox is then owed exactly one e-mail. Returns that e-mail's outbox id. */
async function fileOne(t: TestApp, school: TestSchool, seed: number): Promise<string> {
  const filed = await school.post('/api/v1/reports', reportBody(school, {}, { pgn: bsn(seed) })).expect(201);
  const [row] = await t.db.query(
    `SELECT o.id FROM outbox_message o JOIN report_event e ON e.id = o.event_id JOIN report r ON r.id = e.report_id
      WHERE r.number = $1 AND o.recipient = $2`,
    [filed.body.number, MAILBOX],
  );
  return row.id;
}

async function outbox(t: TestApp, id: string): Promise<{ status: string; attempts: number; last_error: string | null }> {
  const [row] = await t.db.query('SELECT status, attempts, last_error FROM outbox_message WHERE id = $1', [id]);
  return row;
}

describe('mail delivery: whatever the mail server does, nothing is lost and nothing is sent twice', () => {
  let t: TestApp;
  let mail: TestMailServer;
  let school: TestSchool;
  let seed = 1000;
  const nextSeed = () => (seed += 10);
  const withId = (id: string) => mail.received.filter((m) => m.messageId.startsWith(`<${id}@`));

  beforeAll(async () => {
    mail = await TestMailServer.start();
    t = await TestApp.start({
      SMTP_URL: mail.url, MAIL_WORKER: 'true', MAIL_POLL_MS: '100', MAIL_RETRY_SECONDS: '1', MAIL_MAX_ATTEMPTS: '4', MAIL_CLAIM_SECONDS: '30',
    });
    school = await t.newSchool('Bezorgschool');
    await (await t.keyFor('GM0363', ['beheerder'])).put('/api/v1/notifications/mailbox', { mailbox: MAILBOX }).expect(200);
  });
  afterAll(async () => {
    await t?.stop();
    await mail?.stop();
  });

  it('tries again after a refusal (4xx), waiting longer each time, and delivers once', async () => {
    await mail.setMode('refuse');
    const id = await fileOne(t, school, nextSeed());
    await until('twee weigeringen', async () => mail.attempts.filter((a) => a.to === MAILBOX).length >= 2 && true);
    await mail.setMode('accept');
    await until('bezorging', async () => withId(id).length === 1);
    await sleep(500);
    expect(withId(id)).toHaveLength(1);
    const times = mail.attempts.filter((a) => a.to === MAILBOX).map((a) => a.at);
    expect(times).toHaveLength(3);
    // 1 s after the first attempt, 2 s after the second (MAIL_RETRY_SECONDS=1, doubling).
    expect(times[1] - times[0]).toBeGreaterThanOrEqual(900);
    expect(times[2] - times[1]).toBeGreaterThanOrEqual(1900);
    expect(await outbox(t, id)).toEqual({ status: 'SENT', attempts: 3, last_error: null });
  });

  it('parks a rejected message (5xx) at once, shows it to its beheerder and the operator, and resends it once', async () => {
    mail.attempts.length = 0;
    await mail.setMode('reject');
    const id = await fileOne(t, school, nextSeed());
    await until('parkeren', async () => (await outbox(t, id)).status === 'FAILED');
    expect(await outbox(t, id)).toMatchObject({ attempts: 1, last_error: expect.stringMatching(/^550: /) });

    const beheerder = await activePerson(t, 'GM0363', { username: 'bram.beheer', email: 'bram@amsterdam.example', roles: ['beheerder'] });
    const { agent, csrf } = await signIn(t, beheerder);
    const list = await agent.get('/api/v1/notifications/failed').expect(200);
    expect(list.body.total).toBe(1);
    expect(list.body.items[0]).toMatchObject({
      id, organisation: 'GM0363', template: 'report-event', recipient: MAILBOX, attempts: 1, lastError: expect.stringContaining('550'),
      subject: expect.stringMatching(/^Melding relatief verzuim door .+ is gewijzigd$/), reportNumber: expect.any(Number),
    });
    // Another organisation's beheerder neither sees it nor can resend it.
    const rotterdam = await t.keyFor('GM0599', ['beheerder']);
    expect((await rotterdam.get('/api/v1/notifications/failed').expect(200)).body).toEqual({ items: [], total: 0 });
    await rotterdam.post(`/api/v1/notifications/failed/${id}/resend`).expect(404);
    // The operator sees every organisation's.
    const operator = await t.keyFor('OPERATOR');
    expect((await operator.get('/api/v1/notifications/failed').expect(200)).body.items.map((i: { id: string }) => i.id)).toContain(id);

    await mail.setMode('accept');
    await agent.post(`/api/v1/notifications/failed/${id}/resend`).set('X-CSRF-Token', csrf).expect(202);
    const again = await agent.post(`/api/v1/notifications/failed/${id}/resend`).set('X-CSRF-Token', csrf).expect(409);
    expect(again.body.code).toBe('CONFLICT');
    await until('bezorging', async () => withId(id).length === 1);
    await sleep(500);
    expect(withId(id)).toHaveLength(1);
    expect((await agent.get('/api/v1/notifications/failed').expect(200)).body.total).toBe(0);
    const audit = await agent.get('/api/v1/audit?action=MAIL_RESENT').expect(200);
    expect(audit.body.events).toHaveLength(1);
  });

  it('survives dropped connections and a server that is down; the request that caused the mail never waits for it', async () => {
    await mail.setMode('drop');
    const dropped = await fileOne(t, school, nextSeed());
    await until('een mislukte poging', async () => (await outbox(t, dropped)).attempts >= 1 && true);
    await mail.setMode('down');
    const started = Date.now();
    const whileDown = await Promise.all([fileOne(t, school, nextSeed()), fileOne(t, school, nextSeed())]);
    expect(Date.now() - started).toBeLessThan(5_000); // the request only writes the outbox
    await until('een mislukte poging', async () => (await outbox(t, whileDown[0])).attempts >= 1 && true);
    expect((await outbox(t, dropped)).status).toBe('PENDING');
    expect((await outbox(t, dropped)).last_error).toBeTruthy();
    await mail.setMode('accept');
    for (const id of [dropped, ...whileDown]) await until('bezorging', async () => withId(id).length === 1);
    await sleep(500);
    for (const id of [dropped, ...whileDown]) {
      expect(withId(id)).toHaveLength(1);
      expect((await outbox(t, id)).status).toBe('SENT');
    }
  });

  it('parks a message after the last attempt', async () => {
    await mail.setMode('refuse');
    const id = await fileOne(t, school, nextSeed());
    await until('parkeren', async () => (await outbox(t, id)).status === 'FAILED', 30_000);
    expect(await outbox(t, id)).toMatchObject({ attempts: 4, last_error: expect.stringMatching(/^451: /) });
    await mail.setMode('accept');
  });
});

describe('mail delivery with several instances', () => {
  let t: TestApp;
  let mail: TestMailServer;
  let school: TestSchool;
  let amsterdam: Caller;
  const instances: INestApplication[] = [];
  let child: ChildProcess | undefined;
  // A claim runs out after MAIL_CLAIM_SECONDS: short where a killed sender must be replaced, long enough elsewhere that a
  // slow (loaded) machine does not hand a message still being sent to the other instance.
  const workerEnv = (smtp: string, claimSeconds = 3) => ({ SMTP_URL: smtp, MAIL_WORKER: 'true', MAIL_POLL_MS: '100', MAIL_RETRY_SECONDS: '1', MAIL_CLAIM_SECONDS: String(claimSeconds) });

  beforeAll(async () => {
    mail = await TestMailServer.start();
    t = await TestApp.start();
    school = await t.newSchool('Instantieschool');
    amsterdam = await t.keyFor('GM0363', ['beheerder']);
    await amsterdam.put('/api/v1/notifications/mailbox', { mailbox: MAILBOX }).expect(200);
  });
  afterEach(async () => {
    child?.kill('SIGKILL');
    while (instances.length) await instances.pop()!.close();
  });
  afterAll(async () => {
    await t?.stop();
    await mail?.stop();
  });

  const shared = () => (process.env.VZL_TEST_ADMIN_URL ? it : it.skip);

  shared()('delivers each message exactly once when two instances share the database', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push(await fileOne(t, school, 5000 + 10 * i));
    instances.push(await t.startInstance(workerEnv(mail.url, 60)), await t.startInstance(workerEnv(mail.url, 60)));
    await mail.waitFor(30, 30_000);
    await sleep(1000);
    expect(mail.received).toHaveLength(30);
    expect(new Set(mail.received.map((m) => m.messageId)).size).toBe(30);
    for (const id of ids) expect(mail.received.filter((m) => m.messageId.startsWith(`<${id}@`))).toHaveLength(1);
  });

  shared()('delivers a message whose sender was killed between claiming and sending, after restart', async () => {
    if (!existsSync(join(ROOT, 'dist/src/main.js'))) execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'pipe' });
    const before = mail.received.length;
    await mail.setMode('stall');
    const id = await fileOne(t, school, 6000);
    child = spawn(process.execPath, ['dist/src/main.js'], {
      cwd: ROOT,
      env: { ...process.env, ...t.env, ...workerEnv(mail.url), PORT: '0', HOST: '127.0.0.1', MIGRATIONS_RUN: 'false', LOG_LEVEL: 'error' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let errors = '';
    child.stderr!.on('data', (c: Buffer) => (errors += c.toString()));
    // The instance claimed the message and is sending it: the server has its data and holds the answer back.
    await until(`het versturen (${errors})`, async () => mail.stalled >= 1 && true, 30_000).catch((e) => { throw new Error(`${e.message}: ${errors}`); });
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    expect(await outbox(t, id)).toMatchObject({ status: 'PENDING', attempts: 1 });

    await mail.setMode('accept');
    instances.push(await t.startInstance(workerEnv(mail.url)));
    await until('bezorging na herstart', async () => mail.received.length > before && true, 30_000);
    await sleep(500);
    expect(mail.received.slice(before).map((m) => m.messageId)).toEqual([expect.stringMatching(new RegExp(`^<${id}@`))]);
    expect(await outbox(t, id)).toMatchObject({ status: 'SENT', attempts: 2 });
  });
});
