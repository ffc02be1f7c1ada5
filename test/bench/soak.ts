import { performance } from 'node:perf_hooks';
import { createApp } from '../../src/bootstrap';
import { loadConfig } from '../../src/config/app-config';
import { ApiKeysService } from '../../src/identity/api-keys.service';
import { OrganisationsService } from '../../src/organisations/organisations.service';
import globalSetup from '../support/global-setup';
import globalTeardown from '../support/global-teardown';
import { TestMailServer } from '../support/mail-server';
import { createTestDatabase } from '../support/test-database';
import { benchReportBody } from './bench-app';
import { Instance, startInstance } from './instance';

/**
 * `npm run bench -- --soak`: two instances of the built service (`node dist/src/main.js`, each with its mail worker)
 * on one PostgreSQL database, and a steady open-loop load of SOAK_RATE requests per second (default 50) for
 * SOAK_SECONDS (default 600): of every ten, two filings by the school, four reads of a filed report, two lists of the
 * municipality's newest 50 and two polls of its changes feed, alternating between the instances. Requests are sent at
 * their planned time whether or not earlier ones have answered, so a slow answer cannot hide the ones behind it.
 * Prints latency percentiles per kind, the errors (expected: none), each instance's RSS after a warm-up minute and at
 * the end (expected: growth under 10 %), and whether every filing's e-mail to the municipality arrived exactly once.
 */
const SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const RATE = Number(process.env.SOAK_RATE ?? 50);
const WARM_UP_SECONDS = Math.min(60, Math.floor(SECONDS / 5));
const MAILBOX = 'leerplicht@soak.example';

type Kind = 'file' | 'read' | 'list' | 'changes';
const PLAN: Kind[] = ['file', 'read', 'list', 'read', 'changes', 'file', 'read', 'list', 'read', 'changes'];

function percentile(samples: number[], p: number): string {
  if (samples.length === 0) return '-';
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))].toFixed(1);
}

/** The instances' /metrics (on their own port, behind this token): the V8 heap in use, beside the RSS. */
const METRICS_TOKEN = 'soak-metrics-token-0123456789abcdef';
async function heapUsedMiB(base: string): Promise<number> {
  const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  const line = (await res.text()).split('\n').find((l) => l.startsWith('vzl_nodejs_heap_size_used_bytes'));
  return Number(line?.split(' ').pop() ?? NaN) / 2 ** 20;
}

export async function benchSoak(): Promise<void> {
  await globalSetup();
  if (process.env.VZL_TEST_EMBEDDED) throw new Error('--soak needs a PostgreSQL server (DATABASE_URL or 127.0.0.1:5432): two instances share one database');
  const db = await createTestDatabase();
  const mail = await TestMailServer.start();
  const instances: Instance[] = [];
  try {
    // The organisations and keys, made by a short-lived instance in this process.
    const setup = await createApp(loadConfig({ ...db.env, LOG_LEVEL: 'error', MAIL_WORKER: 'false' }), { logger: false });
    const orgs = setup.get(OrganisationsService);
    const school = await orgs.createSchool('99SK', 'Soakschool', 'VO');
    const schoolKey = (await setup.get(ApiKeysService).create(school, 'soak', ['melder', 'beheerder'])).secret;
    const receiverKey = (await setup.get(ApiKeysService).create((await orgs.findByCode('GM0363'))!, 'soak', ['behandelaar', 'beheerder'])).secret;
    await setup.close();

    const bases: string[] = [];
    const logs: string[] = [];
    for (let i = 0; i < 2; i++) {
      // The load comes from one key per side (30 reads a second by the municipality's), so the rate limit per key
      // (600 a minute by default) is raised: the soak measures the service, not the throttle.
      const instance = await startInstance(`soak-${i + 1}`, {
        ...db.env, MIGRATIONS_RUN: 'false', LOG_LEVEL: 'warn', SMTP_URL: mail.url, MAIL_POLL_MS: '500', RATE_LIMIT_PER_MINUTE: '1000000', METRICS_TOKEN,
      });
      instances.push(instance);
      bases.push(instance.base);
      logs.push(instance.logFile);
    }

    const call = async (base: string, key: string, method: string, path: string, body?: unknown) => {
      const res = await fetch(base + path, {
        method,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 200)}`);
      return JSON.parse(text) as Record<string, unknown>;
    };
    const [a] = bases;
    await call(a, schoolKey, 'POST', '/api/v1/locations', { code: '01', name: 'Hoofdlocatie' });
    const reporter = await call(a, schoolKey, 'POST', '/api/v1/reporters', { name: 'Soak', function: 'Verzuim', phone: '0201234567', email: 'soak@example.org' });
    await call(a, receiverKey, 'PUT', '/api/v1/notifications/mailbox', { mailbox: MAILBOX });
    const body = (i: number) => benchReportBody(i, { pgnFrom: 700000, surname: 'Soak', locationCode: '99SK01', reporterId: String(reporter.id), emailCopies: 'MELDER' });

    const latency: Record<Kind, number[]> = { file: [], read: [], list: [], changes: [] };
    const errors: string[] = [];
    const filed: number[] = [];
    const cursors = ['', ''];
    let filings = 0;
    const request = async (n: number): Promise<void> => {
      const kind = PLAN[n % PLAN.length];
      const side = n % 2;
      const base = bases[side];
      const t0 = performance.now();
      try {
        if (kind === 'file') {
          const r = await call(base, schoolKey, 'POST', '/api/v1/reports', body(filings++));
          filed.push(Number(r.number));
        } else if (kind === 'read') {
          if (filed.length === 0) return;
          await call(base, receiverKey, 'GET', `/api/v1/reports/${filed[Math.floor(Math.random() * filed.length)]}`);
        } else if (kind === 'list') {
          await call(base, receiverKey, 'GET', '/api/v1/reports?limit=50');
        } else {
          const page = await call(base, receiverKey, 'GET', `/api/v1/changes?limit=500${cursors[side] ? `&after=${cursors[side]}` : ''}`);
          if (page.nextCursor) cursors[side] = String(page.nextCursor);
        }
        latency[kind].push(performance.now() - t0);
      } catch (e) {
        errors.push(`${kind}: ${(e as Error).message}`);
      }
    };

    const total = SECONDS * RATE;
    const inFlight = new Set<Promise<void>>();
    const rss: { start: number[]; end: number[] } = { start: [], end: [] };
    const timeline: string[] = [];
    const started = performance.now();
    let lagMax = 0;
    for (let n = 0; n < total; n++) {
      const due = started + (n * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      else lagMax = Math.max(lagMax, -wait);
      if (n === WARM_UP_SECONDS * RATE) rss.start = instances.map((c) => c.rssMiB());
      if (n % (60 * RATE) === 0 && n > 0) {
        const at = instances.map((c) => c.rssMiB());
        void Promise.all(bases.map(heapUsedMiB)).then(
          (heap) => timeline.push(`${n / RATE} s: ${at.map((r, i) => `rss ${r.toFixed(0)} heap ${heap[i].toFixed(0)}`).join(' | ')}`),
          (e: Error) => timeline.push(`${n / RATE} s: rss ${at.map((r) => r.toFixed(0)).join(' | ')}, heap not read (${e.message})`),
        );
      }
      const p = request(n).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await Promise.all(inFlight);
    const seconds = (performance.now() - started) / 1000;
    rss.end = instances.map((c) => c.rssMiB());

    // Every filing e-mails the municipality's mailbox once, whichever instance's worker sends it.
    const deadline = Date.now() + 120_000;
    const perReport = () => {
      const seen = new Map<number, number>();
      for (const m of mail.to(MAILBOX)) {
        const number = Number(/meldingsnummer (\d+)/.exec(m.text)?.[1]);
        seen.set(number, (seen.get(number) ?? 0) + 1);
      }
      return seen;
    };
    while (filed.some((n) => !perReport().has(n)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    await new Promise((r) => setTimeout(r, 3000)); // a duplicate would arrive now
    const seen = perReport();
    const missing = filed.filter((n) => !seen.has(n)).length;
    const twice = [...seen.values()].filter((c) => c > 1).length;

    const growth = rss.end.map((end, i) => (100 * (end - rss.start[i])) / rss.start[i]);
    const lines = [
      `soak: ${total} requests in ${seconds.toFixed(0)} s (planned ${RATE}/s for ${SECONDS} s; the sender fell behind its plan by at most ${lagMax.toFixed(0)} ms), 2 instances on one PostgreSQL database; Node ${process.version}`,
      ...(Object.keys(latency) as Kind[]).map((k) => `${k.padEnd(8)}: ${String(latency[k].length).padStart(6)} answers; p50 ${percentile(latency[k], 50)} ms, p95 ${percentile(latency[k], 95)} ms, p99 ${percentile(latency[k], 99)} ms, max ${percentile(latency[k], 100)} ms`),
      `errors  : ${errors.length}${errors.length ? ` (first: ${errors.slice(0, 3).join(' | ')})` : ''}`,
      `rss     : ${rss.end.map((end, i) => `instance ${i + 1} ${rss.start[i].toFixed(0)} MiB after ${WARM_UP_SECONDS} s, ${end.toFixed(0)} MiB at the end (${growth[i] >= 0 ? '+' : ''}${growth[i].toFixed(1)} %)`).join('; ')}`,
      `memory  : MiB per instance each minute (RSS, V8 heap in use): ${timeline.join('; ')}`,
      `logs    : ${logs.join(', ')} (warnings and errors of the instances)`,
      `e-mail  : ${filed.length} filings; ${filed.length - missing} e-mails arrived, ${missing} missing, ${twice} reports mailed more than once`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
    if (errors.length > 0 || missing > 0 || twice > 0 || growth.some((g) => g > 10)) process.exitCode = 1;
  } finally {
    await Promise.all(instances.map((c) => c.stop()));
    await mail.stop();
    await db.drop();
    await globalTeardown();
  }
}
