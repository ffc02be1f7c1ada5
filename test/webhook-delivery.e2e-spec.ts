import { INestApplication } from '@nestjs/common';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { activePerson, signIn } from './support/people';
import { bsn, Caller, reportBody, TestApp, TestSchool } from './support/test-app';
import { sleep, until } from './support/until';
import { WebhookReceiver } from './support/webhook-receiver';

const ROOT = join(__dirname, '..');
const FILED = 'nl.verzuimloket.melding.ingediend';
const TYPES = [FILED, 'nl.verzuimloket.melding.status-gewijzigd', 'nl.verzuimloket.melding.bericht-toegevoegd'];
type Agent = { agent: ReturnType<typeof request.agent>; csrf: string };


/** What the test needs in every block: a school, its beheerder, endpoints on a receiver, reports filed. */
class Setting {
  pupil = 90_000;
  constructor(readonly t: TestApp, readonly receiver: WebhookReceiver, readonly school: TestSchool, readonly beheer: Agent) {}

  static async make(t: TestApp, receiver: WebhookReceiver, name: string): Promise<Setting> {
    const school = await t.newSchool(name);
    const beheer = await signIn(t, await activePerson(t, school.org.code, { username: `beheer.${name.toLowerCase()}`, email: `beheer@${name.toLowerCase()}.example`, roles: ['beheerder'] }));
    return new Setting(t, receiver, school, beheer);
  }

  async register(path: string, types = TYPES): Promise<string> {
    const res = await this.beheer.agent.post('/api/v1/webhooks').set('X-CSRF-Token', this.beheer.csrf).send({ url: this.receiver.url(path), eventTypes: types }).expect(201);
    this.receiver.expect(path, res.body.secret);
    return res.body.endpoint.id;
  }

  async file(): Promise<number> {
    return (await this.school.post('/api/v1/reports', reportBody(this.school, {}, { pgn: bsn((this.pupil += 7)) })).expect(201)).body.number;
  }

  async delivery(endpointId: string, number: number): Promise<{ status: string; attempts: number; last_status_code: number | null; last_answer: string | null }> {
    const [row] = await this.t.db.query(
      `SELECT d.status, d.attempts, d.last_status_code, d.last_answer FROM webhook_delivery d JOIN webhook_message m ON m.id = d.message_id
        WHERE d.endpoint_id = $1 AND m.report_number = $2 ORDER BY d.id LIMIT 1`,
      [endpointId, number],
    );
    return row;
  }

  async endpoint(id: string): Promise<{ status: string; disabled_reason: string | null }> {
    return (await this.t.db.query('SELECT status, disabled_reason FROM webhook_endpoint WHERE id = $1', [id]))[0];
  }
}

describe('webhook delivery: whatever the receiver does, nothing is lost and the order holds', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  let s: Setting;
  const subjects = (path: string) => receiver.delivered(path).map((r) => Number(r.event.subject));

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    t = await TestApp.start({ WEBHOOK_WORKER: 'true', WEBHOOK_POLL_MS: '100', WEBHOOK_RETRY_SECONDS: '1', WEBHOOK_TIMEOUT_SECONDS: '1', WEBHOOK_CLAIM_SECONDS: '3' });
    s = await Setting.make(t, receiver, 'Bezorgschool');
  });
  afterAll(async () => {
    await t?.stop();
    await receiver?.stop();
  });
  afterEach(() => expect(receiver.unverified).toEqual([]));

  it('retries a 500 with doubling waits and the same webhook-id; what comes after waits its turn', async () => {
    const id = await s.register('/vijfhonderd');
    receiver.setMode('/vijfhonderd', 'fail500');
    const first = await s.file();
    await receiver.waitFor('twee pogingen', () => receiver.attempts.filter((a) => a.path === '/vijfhonderd').length >= 2);
    const second = await s.file();
    await sleep(300);
    receiver.setMode('/vijfhonderd', 'accept');
    await receiver.waitFor('beide meldingen', () => receiver.delivered('/vijfhonderd').length >= 2);
    await sleep(300);
    expect(subjects('/vijfhonderd')).toEqual([first, second]);
    const tries = receiver.attempts.filter((a) => a.path === '/vijfhonderd' && a.event.subject === String(first));
    expect(new Set(tries.map((a) => a.id)).size).toBe(1);
    expect(tries.length).toBeGreaterThanOrEqual(3);
    // 1 s after the first attempt, 2 s after the second (WEBHOOK_RETRY_SECONDS=1, doubling).
    expect(tries[1].at - tries[0].at).toBeGreaterThanOrEqual(900);
    expect(tries[2].at - tries[1].at).toBeGreaterThanOrEqual(1900);
    expect(await s.delivery(id, first)).toMatchObject({ status: 'DELIVERED', attempts: tries.length, last_status_code: 204 });
  });

  it('honours Retry-After on a 429', async () => {
    await s.register('/druk');
    receiver.setMode('/druk', 'busy429');
    receiver.retryAfter = '3';
    const number = await s.file();
    await receiver.waitFor('de eerste poging', () => receiver.attempts.some((a) => a.path === '/druk'));
    await sleep(500);
    receiver.setMode('/druk', 'accept');
    await receiver.waitFor('bezorging', () => receiver.delivered('/druk').length === 1);
    const tries = receiver.attempts.filter((a) => a.path === '/druk');
    expect(tries).toHaveLength(2);
    expect(tries[1].at - tries[0].at).toBeGreaterThanOrEqual(2900);
    expect(subjects('/druk')).toEqual([number]);
  });

  it('counts a receiver that does not answer in time as a failure and tries again', async () => {
    const id = await s.register('/traag');
    receiver.setMode('/traag', 'slow');
    receiver.slowMs = 2500;
    const number = await s.file();
    await until('een time-out', async () => (await s.delivery(id, number))?.attempts >= 1 && true);
    expect(await s.delivery(id, number)).toMatchObject({ status: 'PENDING', last_status_code: null, last_answer: 'Geen antwoord binnen 1 s' });
    receiver.setMode('/traag', 'accept');
    await receiver.waitFor('bezorging', () => receiver.delivered('/traag').length === 1);
    expect(receiver.attempts.filter((a) => a.path === '/traag').every((a) => a.id === receiver.delivered('/traag')[0].id)).toBe(true);
  });

  it('keeps what it could not send while the receiver is down, and sends it in order when it is back', async () => {
    const id = await s.register('/plat');
    await receiver.down();
    const numbers = [await s.file(), await s.file()];
    await until('een geweigerde verbinding', async () => (await s.delivery(id, numbers[0]))?.attempts >= 1 && true);
    expect((await s.delivery(id, numbers[0])).last_answer).toMatch(/^Verbinding geweigerd/);
    expect((await s.delivery(id, numbers[1])).attempts).toBe(0);
    await receiver.up();
    await receiver.waitFor('bezorging', () => receiver.delivered('/plat').length === 2, 30_000);
    expect(subjects('/plat')).toEqual(numbers);
  });

  it('moves on after a 400 (the receiver refuses that event), and records it as failed', async () => {
    const id = await s.register('/weigert');
    receiver.setMode('/weigert', 'bad400');
    const refused = await s.file();
    await until('de weigering', async () => (await s.delivery(id, refused))?.status === 'FAILED');
    receiver.setMode('/weigert', 'accept');
    const next = await s.file();
    await receiver.waitFor('de volgende', () => receiver.delivered('/weigert').length === 1);
    expect(subjects('/weigert')).toEqual([next]);
    expect(await s.delivery(id, refused)).toMatchObject({ attempts: 1, last_status_code: 400, last_answer: 'Onbekend type' });
  });

  it('disables an endpoint that answers 410, e-mails its beheerder, and sends it nothing more', async () => {
    const id = await s.register('/weg');
    receiver.setMode('/weg', 'gone410');
    const number = await s.file();
    await until('uitzetten', async () => (await s.endpoint(id)).status === 'DISABLED');
    expect(await s.endpoint(id)).toEqual({ status: 'DISABLED', disabled_reason: 'GONE' });
    expect(await s.delivery(id, number)).toMatchObject({ status: 'FAILED', last_status_code: 410 });
    const mails = await t.db.query(`SELECT recipient, data FROM outbox_message WHERE template = 'webhook-disabled' AND data->>'link' LIKE $1`, [`%${id}`]);
    expect(mails).toEqual([{ recipient: 'beheer@bezorgschool.example', data: expect.objectContaining({ gone: true, host: `127.0.0.1:${receiver.port}` }) }]);
    await s.file();
    await sleep(500);
    expect(receiver.attempts.filter((a) => a.path === '/weg')).toHaveLength(1);
    const view = await s.beheer.agent.get(`/api/v1/webhooks/${id}`).expect(200);
    expect(view.body).toMatchObject({ status: 'DISABLED', disabledReason: 'GONE' });
    // Switched on again, it receives new events.
    receiver.setMode('/weg', 'accept');
    await s.beheer.agent.patch(`/api/v1/webhooks/${id}`).set('X-CSRF-Token', s.beheer.csrf).send({ enabled: true }).expect(200);
    const after = await s.file();
    await receiver.waitFor('bezorging na aanzetten', () => receiver.delivered('/weg').length === 1);
    expect(subjects('/weg')).toEqual([after]);
  });

  it('disables an endpoint that has failed for WEBHOOK_DISABLE_AFTER_HOURS, parks what waited, and e-mails its beheerder', async () => {
    const id = await s.register('/kapot');
    receiver.setMode('/kapot', 'fail500');
    const number = await s.file();
    await until('een mislukte poging', async () => (await s.delivery(id, number))?.attempts >= 1 && true);
    // Three days of failures, without waiting three days: the endpoint has failed since then.
    await t.db.query(`UPDATE webhook_endpoint SET failing_since = now() - interval '73 hours', retry_at = now() WHERE id = $1`, [id]);
    await until('uitzetten', async () => (await s.endpoint(id)).status === 'DISABLED');
    expect(await s.endpoint(id)).toEqual({ status: 'DISABLED', disabled_reason: 'FAILING' });
    expect(await s.delivery(id, number)).toMatchObject({ status: 'FAILED', last_status_code: 500 });
    const mails = await t.db.query(`SELECT recipient, data FROM outbox_message WHERE template = 'webhook-disabled' AND data->>'link' LIKE $1`, [`%${id}`]);
    expect(mails).toEqual([{ recipient: 'beheer@bezorgschool.example', data: expect.objectContaining({ gone: false, lastAnswer: 'Interne fout bij de ontvanger' }) }]);
  });
});

describe('webhook delivery with several instances', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  let s: Setting;
  let amsterdam: Caller;
  const instances: INestApplication[] = [];
  let child: ChildProcess | undefined;
  const workerEnv = { WEBHOOK_WORKER: 'true', WEBHOOK_POLL_MS: '100', WEBHOOK_RETRY_SECONDS: '1', WEBHOOK_TIMEOUT_SECONDS: '1', WEBHOOK_CLAIM_SECONDS: '3' };

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    t = await TestApp.start();
    s = await Setting.make(t, receiver, 'Instantieschool');
    amsterdam = await t.keyFor('GM0363');
  });
  afterEach(async () => {
    child?.kill('SIGKILL');
    while (instances.length) await instances.pop()!.close();
    expect(receiver.unverified).toEqual([]);
  });
  afterAll(async () => {
    await t?.stop();
    await receiver?.stop();
  });

  const shared = () => (process.env.VZL_TEST_ADMIN_URL ? it : it.skip);

  shared()('two instances with a flaky receiver: every event arrives at least once, in order per endpoint and report, none lost', async () => {
    const paths = ['/een', '/twee'];
    const ids = [await s.register(paths[0]), await s.register(paths[1])];
    for (const p of paths) receiver.setMode(p, 'flaky');
    instances.push(await t.startInstance(workerEnv), await t.startInstance(workerEnv));
    const numbers: number[] = [];
    await Promise.all(Array.from({ length: 4 }, async () => {
      for (let i = 0; i < 4; i++) {
        const number = await s.file();
        numbers.push(number);
        await amsterdam.post(`/api/v1/reports/${number}/status`, { status: 'IN_BEHANDELING' }).expect(200);
        await amsterdam.post(`/api/v1/reports/${number}/messages`, { body: 'Reactie' }).expect(201);
      }
    }));
    const expected: { id: string; sequence: string }[] = (await t.db.query(
      `SELECT m.id, m.body::jsonb->>'sequence' AS sequence FROM webhook_message m JOIN webhook_delivery d ON d.message_id = m.id
        WHERE d.endpoint_id = $1 ORDER BY m.body::jsonb->>'sequence'`,
      [ids[0]],
    ));
    expect(expected).toHaveLength(numbers.length * 3);
    for (const p of paths) {
      await receiver.waitFor(`alles op ${p}`, () => new Set(receiver.delivered(p).map((r) => r.id)).size === expected.length, 60_000);
    }
    await sleep(500);
    for (const p of paths) {
      const got = receiver.delivered(p);
      // None lost, each at least once; the first arrivals in the order of the feed (per endpoint, so per report too).
      const firsts = got.filter((r, i) => got.findIndex((x) => x.id === r.id) === i);
      expect(firsts.map((r) => r.event.sequence)).toEqual(expected.map((e) => e.sequence));
      // A retry carries the same webhook-id (and body) as the attempt that failed.
      const failed = receiver.attempts.filter((a) => a.path === p && a.answered === 'fail500');
      expect(failed.length).toBeGreaterThan(0);
      for (const f of failed) expect(got.find((r) => r.id === f.id)?.body).toBe(f.body);
      for (const number of numbers) {
        expect(got.filter((r) => r.event.subject === String(number)).map((r) => r.event.data.change).filter((c, i, all) => all.indexOf(c) === i))
          .toEqual(['INGEDIEND', 'STATUS_GEWIJZIGD', 'BERICHT']);
      }
    }
    const [{ pending }] = await t.db.query(`SELECT count(*)::int AS pending FROM webhook_delivery WHERE status <> 'DELIVERED'`);
    expect(pending).toBe(0);
  });

  shared()('sends again, with the same webhook-id and in order, what an instance killed mid-delivery had taken', async () => {
    if (!existsSync(join(ROOT, 'dist/src/main.js'))) execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'pipe' });
    const id = await s.register('/gedood', [FILED]);
    receiver.setMode('/gedood', 'stall');
    const first = await s.file();
    const second = await s.file();
    child = spawn(process.execPath, ['dist/src/main.js'], {
      cwd: ROOT,
      env: { ...process.env, ...t.env, ...workerEnv, WEBHOOK_TIMEOUT_SECONDS: '5', WEBHOOK_CLAIM_SECONDS: '11', MAIL_WORKER: 'false', PORT: '0', HOST: '127.0.0.1', MIGRATIONS_RUN: 'false', LOG_LEVEL: 'error' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let errors = '';
    child.stderr!.on('data', (c: Buffer) => (errors += c.toString()));
    // The instance holds the endpoint and is sending the first event: the receiver has it and holds the answer back.
    await receiver.waitFor(`het versturen (${errors})`, () => receiver.attempts.some((a) => a.path === '/gedood'), 30_000);
    const stalled = receiver.attempts.find((a) => a.path === '/gedood')!;
    expect(stalled.event.subject).toBe(String(first));
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    expect(await s.delivery(id, first)).toMatchObject({ status: 'PENDING', attempts: 0 });
    // Its hold on the endpoint (11 s) runs out; then another instance takes over.
    receiver.setMode('/gedood', 'accept');
    instances.push(await t.startInstance(workerEnv));
    await receiver.waitFor('bezorging na herstart', () => receiver.delivered('/gedood').length === 2, 30_000);
    expect(subjects()).toEqual([first, second]);
    expect(receiver.delivered('/gedood')[0].id).toBe(stalled.id);
    expect(await s.delivery(id, first)).toMatchObject({ status: 'DELIVERED', attempts: 1 });

    function subjects() {
      return receiver.delivered('/gedood').map((r) => Number(r.event.subject));
    }
  });
});
