import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import request from 'supertest';
import { loadConfig } from '../src/config/app-config';
import { MetricsService } from '../src/metrics/metrics.service';
import { bsn, reportBody, TestApp, TestSchool } from './support/test-app';
import { until } from './support/until';

const ROOT = join(__dirname, '..');
const TOKEN = 'metrics-token-0123456789abcdef0123456789';

describe('metrics', () => {
  let t: TestApp;
  let school: TestSchool;
  beforeAll(async () => {
    t = await TestApp.start({ METRICS_TOKEN: TOKEN, METRICS_PORT: '0', METRICS_HOST: '127.0.0.1' });
    school = await t.newSchool('Metriekschool');
    await (await t.keyFor('GM0363', ['behandelaar', 'beheerder'])).put('/api/v1/notifications/mailbox', { mailbox: 'leerplicht@amsterdam.example' }).expect(200);
  });
  afterAll(() => t?.stop());

  it('are refused without the token, and with a wrong one', async () => {
    await request(t.http).get('/metrics').expect(401);
    await request(t.http).get('/metrics').set('Authorization', `Bearer ${TOKEN.slice(0, -1)}x`).expect(401);
    await request(t.http).get('/metrics').set('Authorization', school.key).expect(401);
  });

  it('count requests per route template and status, the outbox, sign-in failures and the pool', async () => {
    await school.post('/api/v1/reports', reportBody(school, {}, { pgn: bsn(8001) })).expect(201);
    await school.get('/api/v1/reports/999999').expect(404);
    await request(t.http).post('/api/v1/session').send({ username: 'bestaat.niet', password: 'een-fout-wachtwoord-123' }).expect(401);
    const res = await request(t.http).get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.text;
    expect(text).toMatch(/vzl_http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/reports",status="201"\} 1\n/);
    expect(text).toMatch(/vzl_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/reports\/:number",status="404"\} 1\n/);
    // The route as written in the code, never the address with its number (a duration may hold the digits: look in the labels).
    expect(text).not.toMatch(/\{[^}]*999999[^}]*\}/);
    // The filing wrote e-mails for the municipality; the mail worker is off, so they wait.
    expect(Number(/^vzl_mail_outbox_pending (\d+)$/m.exec(text)?.[1])).toBeGreaterThan(0);
    expect(text).toMatch(/^vzl_mail_failed 0$/m);
    expect(text).toMatch(/^vzl_webhook_outbox_pending 0$/m);
    expect(text).toMatch(/^vzl_sign_in_failures_total 1$/m);
    expect(text).toMatch(/^vzl_db_pool_connections\{state="in_use"\} \d+$/m);
    expect(text).toMatch(/^vzl_process_resident_memory_bytes \d+/m);
    // Every series the Grafana dashboard plots is one the service exports.
    const dashboard = readFileSync(join(ROOT, 'docker/grafana/dashboards/verzuimloket.json'), 'utf8');
    const plotted = new Set(dashboard.match(/vzl_[a-z0-9_]+/g));
    expect(plotted.size).toBeGreaterThan(8);
    const declared = new Set([...text.matchAll(/^# TYPE (\S+) (\w+)$/gm)].flatMap(([, n, type]) => (type === 'histogram' ? [`${n}_bucket`, `${n}_count`, `${n}_sum`] : [n])));
    for (const name of plotted) expect({ name, exported: declared.has(name) }).toEqual({ name, exported: true });
  });

  it('are served on METRICS_PORT without a token, and nothing else is', async () => {
    const port = t.app.get(MetricsService).port!;
    const get = (path: string) => fetch(`http://127.0.0.1:${port}${path}`);
    const res = await get('/metrics');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('vzl_http_request_duration_seconds_bucket');
    expect((await get('/api/v1/reports')).status).toBe(404);
  });

  it('are off by default', async () => {
    const plain = await t.startInstance();
    try {
      await request(plain.getHttpServer()).get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(404);
      expect(plain.get(MetricsService).port).toBeNull();
    } finally {
      await plain.close();
    }
  });
});

describe('readiness', () => {
  let t: TestApp;
  beforeAll(async () => (t = await TestApp.start({ OUTBOX_STUCK_SECONDS: '60' })));
  afterAll(() => t?.stop());

  it('fails when an e-mail has been due past the threshold with no worker taking it, and recovers', async () => {
    const school = await t.newSchool('Gereedschool');
    await (await t.keyFor('GM0363', ['behandelaar', 'beheerder'])).put('/api/v1/notifications/mailbox', { mailbox: 'leerplicht@amsterdam.example' }).expect(200);
    await school.post('/api/v1/reports', reportBody(school, {}, { pgn: bsn(8101) })).expect(201);
    expect((await request(t.http).get('/health/ready').expect(200)).body).toEqual({ status: 'ok', database: 'ok', migrations: 'ok', outbox: 'ok' });
    await t.db.query(`UPDATE outbox_message SET next_attempt_at = now() - interval '2 minutes' WHERE status = 'PENDING'`);
    expect((await request(t.http).get('/health/ready').expect(503)).body).toEqual({ status: 'unavailable', database: 'ok', migrations: 'ok', outbox: 'stuck' });
    await request(t.http).get('/health/live').expect(200);
    // Held by a worker (claimed) is not stuck.
    await t.db.query(`UPDATE outbox_message SET claimed_until = now() + interval '1 minute' WHERE status = 'PENDING'`);
    await request(t.http).get('/health/ready').expect(200);
  });
});

/** A request whose body arrives slowly: in flight until the last byte is sent. */
function slowPost(port: number, path: string, key: string, body: string, msBetweenHalves: number): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, text }));
    });
    req.on('error', reject);
    const half = Math.floor(body.length / 2);
    req.write(body.slice(0, half));
    if (msBetweenHalves >= 0) setTimeout(() => req.end(body.slice(half)), msBetweenHalves);
  });
}

describe('SIGTERM', () => {
  let t: TestApp;
  let child: ChildProcess | undefined;
  beforeAll(async () => (t = await TestApp.start()));
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await t?.stop();
  });

  // The built service in a process of its own, on this test's database (the embedded one serves one process).
  const shared = () => (process.env.VZL_TEST_ADMIN_URL ? it : it.skip);

  shared()('lets requests in flight finish, takes no new ones, cuts off what outlasts SHUTDOWN_TIMEOUT_SECONDS, and ends', async () => {
    if (!existsSync(join(ROOT, 'dist/src/main.js'))) execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'pipe' });
    const school = await t.newSchool('Afsluitschool');
    let out = '';
    child = spawn(process.execPath, ['dist/src/main.js'], {
      cwd: ROOT,
      env: { ...process.env, ...t.env, PORT: '0', HOST: '127.0.0.1', MIGRATIONS_RUN: 'false', LOG_LEVEL: 'log', MAIL_WORKER: 'true', SHUTDOWN_TIMEOUT_SECONDS: '4' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));
    // The port it listens on, from its log line for the first request: ask the OS instead.
    await until(`het starten (${out})`, async () => out.includes('Nest application successfully started') && true, 60_000);
    const port = Number(execFileSync('sh', ['-c', `ss -ltnpH | grep 'pid=${child.pid},' | head -1 | sed -E 's/.*:([0-9]+) .*/\\1/'`]).toString().trim());
    expect(port).toBeGreaterThan(0);

    const finishing = slowPost(port, '/api/v1/reports', school.key, JSON.stringify(reportBody(school, {}, { pgn: bsn(8201) })), 1500);
    const hanging = slowPost(port, '/api/v1/reports', school.key, JSON.stringify(reportBody(school, {}, { pgn: bsn(8202) })), -1).catch((e: Error) => ({ status: 0, text: e.message }));
    await new Promise((r) => setTimeout(r, 300));
    const sentAt = Date.now();
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    // No new connections.
    await expect(fetch(`http://127.0.0.1:${port}/health/live`)).rejects.toThrow();

    const done = await finishing;
    expect(done.status).toBe(201);
    expect(JSON.parse(done.text)).toMatchObject({ status: 'GEREGISTREERD' });
    expect((await hanging).status).toBe(0);
    expect(await exited).toBe(0);
    const took = Date.now() - sentAt;
    expect(took).toBeGreaterThanOrEqual(4000);
    expect(took).toBeLessThan(15_000);
    expect(out).toContain('SIGTERM ontvangen');
    expect(out).toContain('Afgesloten.');
    // The report filed during shutdown is there, and the instance held no e-mail when it went.
    const [row] = await t.db.query(`SELECT count(*)::int AS n FROM outbox_message WHERE claimed_until > now()`);
    expect(row.n).toBe(0);
    await school.get(`/api/v1/reports/${JSON.parse(done.text).number}`).expect(200);
  });
});

describe('the configuration of operations', () => {
  it('refuses a short metrics token and a shutdown time out of range, naming the variable', () => {
    expect(() => loadConfig({ METRICS_TOKEN: 'kort' })).toThrow(/METRICS_TOKEN/);
    expect(() => loadConfig({ SHUTDOWN_TIMEOUT_SECONDS: '0' })).toThrow(/SHUTDOWN_TIMEOUT_SECONDS/);
    expect(() => loadConfig({ METRICS_PORT: 'negen' })).toThrow(/METRICS_PORT/);
    expect(loadConfig({})).toMatchObject({ SHUTDOWN_TIMEOUT_SECONDS: 25, OUTBOX_STUCK_SECONDS: 900, METRICS_PORT: undefined, METRICS_TOKEN: undefined });
  });
});
