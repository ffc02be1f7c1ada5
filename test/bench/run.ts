import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { readFileSync, existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createApp } from '../../src/bootstrap';
import { loadConfig } from '../../src/config/app-config';
import { ApiKeysService } from '../../src/identity/api-keys.service';
import { DuoImportService } from '../../src/organisations/duo-import.service';
import { OrganisationsService } from '../../src/organisations/organisations.service';
import { createTestDatabase } from '../support/test-database';
import globalSetup from '../support/global-setup';
import globalTeardown from '../support/global-teardown';
import { TestMailServer } from '../support/mail-server';
import { benchWebhooks } from './webhooks';
import { benchExports } from './exports';
import { benchAttachments } from './attachments';
import { benchScale } from './search';
import { benchSoak } from './soak';
import { benchReportBody } from './bench-app';
import { benchExportWriter } from './export-writer';
import { benchEmbedded } from './embedded';
import { benchAnnual } from './annual';
import { Instance, machineCpuSeconds, postgresCpuSeconds, startInstance } from './instance';
import { captureStatements } from '../support/sql-capture';
import { pgbenchScript, runPgbench } from './pgbench';
import { JsonClient } from './http-client';

/**
 * `npm run bench`: files reports over real HTTP with a few clients at once, then lists, reads and polls them, and
 * imports DUO's file; every filing e-mails the municipality's mailbox through a local SMTP server, and the time from
 * filing to arrival is measured; prints throughput, latency percentiles and memory. Runs on PostgreSQL when one answers
 * (as the tests do), else on the embedded database. Figures go into docs/benchmarks.md by hand. `--webhooks`: the
 * webhook benchmark instead (test/bench/webhooks.ts); `--exports`: the export benchmark (test/bench/exports.ts);
 * `--export-writer`: its file writers alone (test/bench/export-writer.ts); `--attachments`: memory while attachments
 * stream (test/bench/attachments.ts); `--scale`: every officer's read at 1,000,000 reports, `--search` only its
 * searches (test/bench/search.ts, seeded by test/bench/seed.ts); `--embedded`: start time and memory of the default run
 * (test/bench/embedded.ts); `--soak`: two instances under a steady load for ten minutes (test/bench/soak.ts);
 * `--annual`: the jaaropgave at 1,000,000 reports (test/bench/annual.ts).
 */
const REPORTS = Number(process.env.BENCH_REPORTS ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const PGBENCH_SECONDS = Number(process.env.BENCH_PGBENCH_SECONDS ?? 10);
// The service reaches its pace some 2,500 filings after a start, as V8 goes on optimising (the pace line showed
// 204-214 a second for the first 1,500 after a warm-up of 300, 275-280 from 2,800 on); one that has run a while
// files at the later pace.
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2500);

function pct(samples: number[], p: number): string {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))].toFixed(1);
}

async function timed<T>(samples: number[], fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const r = await fn();
  samples.push(performance.now() - t0);
  return r;
}

async function main(): Promise<void> {
  await globalSetup();
  const db = await createTestDatabase();
  const mail = await TestMailServer.start('accept', { parse: false });
  const embedded = Boolean(process.env.VZL_TEST_EMBEDDED);
  const mode = embedded ? 'embedded PGlite' : 'PostgreSQL';
  // One key files 1,000 reports as fast as it can: the rate limit per key (600 a minute by default) is raised, the
  // benchmark measures what the service can do, not the throttle. No coalescing wait: each filing's e-mail is due at
  // once, so the service sends e-mails while it files, as it does all day (with the 10 s wait they would go out after
  // the filing is measured).
  const settings = { ...db.env, LOG_LEVEL: 'error', SMTP_URL: mail.url, MAIL_POLL_MS: '500', RATE_LIMIT_PER_MINUTE: '1000000', MAIL_COALESCE_SECONDS: '0' };
  // In this process: the organisations, keys and reporter, the statements of one filing for pgbench, the DUO import.
  // Its mail worker is off; the service under load is a process of its own (below), as in production.
  const helperConfig = loadConfig({ ...settings, MAIL_WORKER: 'false' });
  // Open while set: closed while the service runs (below), opened again for the DUO import.
  let helper: INestApplication | undefined = await createApp(helperConfig, { logger: false });
  await helper.listen(0, '127.0.0.1');
  let service: Instance | undefined;
  try {
    const orgs = helper.get(OrganisationsService);
    const school = await orgs.createSchool('99BE', 'Benchmarkschool', 'VO');
    const { secret } = await helper.get(ApiKeysService).create(school, 'bench', ['melder', 'beheerder']);
    const receiver = await helper.get(ApiKeysService).create((await orgs.findByCode('GM0363'))!, 'bench', ['behandelaar', 'beheerder']);
    const local = new JsonClient(await helper.getUrl(), 1);
    await local.call(secret, 'POST', '/api/v1/locations', { code: '01', name: 'Hoofdlocatie' });
    const reporter = await local.call(secret, 'POST', '/api/v1/reporters', { name: 'Bench', function: 'Verzuim', phone: '0201234567', email: 'b@example.org' });
    const body = (i: number) => benchReportBody(i, { pgnFrom: 500000, surname: 'Leerling', locationCode: '99BE01', reporterId: reporter.id, emailCopies: 'BEIDE' });
    await local.call(receiver.secret, 'PUT', '/api/v1/notifications/mailbox', { mailbox: 'leerplicht@amsterdam.example' });
    // The statements of one filing, as the service sends them (the first filing also notes the key's use: not counted).
    await local.call(secret, 'POST', '/api/v1/reports', body(REPORTS));
    const statements = await captureStatements(() => local.call(secret, 'POST', '/api/v1/reports', body(REPORTS + 1)));

    // The embedded database is a folder one process opens at a time: the helper closes while the service runs.
    local.close();
    await helper.close();
    helper = undefined;

    const cpuProfile = process.env.BENCH_CPU_PROF;
    // With the default pool (the tests' clones of the database use a smaller one).
    const serviceSettings: Record<string, string> = { ...settings, MIGRATIONS_RUN: 'false' };
    delete serviceSettings.DATABASE_POOL_SIZE;
    service = await startInstance('bench', serviceSettings, cpuProfile ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfile}`] : []);
    const base = service.base;
    const client = new JsonClient(base, CONCURRENCY);
    const filedAt = new Map<number, number>();
    const filing: number[] = [];
    // Warm-up, not measured: the service's code compiled and its statements prepared, as in a service that has run a while.
    let warm = 0;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (warm < WARMUP) await client.call(secret, 'POST', '/api/v1/reports', body(REPORTS + 2 + warm++));
    }));
    // The warm-up's e-mails out first: the measured filings start with an empty outbox, and their e-mails' arrival
    // is not the time the mail worker spends on the warm-up's.
    await mail.waitFor(WARMUP + 2, 300_000);
    const rssBefore = service.rssMiB();
    const cpuBefore = service.cpuSeconds();
    const machineBefore = machineCpuSeconds();
    const postgresBefore = postgresCpuSeconds();
    const ownBefore = process.cpuUsage();
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < REPORTS) {
          const i = next++;
          const filed = await timed(filing, () => client.call(secret, 'POST', '/api/v1/reports', body(i)));
          filedAt.set(filed.number, Date.now());
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    // The rate as the filings went on, 500 at a time: how long the service takes to reach its pace after the warm-up.
    const answered = [...filedAt.values()].sort((a, b) => a - b);
    const pace = Array.from({ length: Math.floor((answered.length - 1) / 500) }, (_, k) => (500_000 / Math.max(1, answered[500 * (k + 1)] - answered[500 * k])).toFixed(0));
    const serviceCpu = service.cpuSeconds() - cpuBefore;
    const machineCpu = machineCpuSeconds() - machineBefore;
    const postgresCpu = postgresCpuSeconds() - postgresBefore;
    const own = process.cpuUsage(ownBefore);
    const ownCpu = (own.user + own.system) / 1e6;

    await mail.waitFor(REPORTS + 2 + WARMUP, 300_000);
    const drained = (performance.now() - t0) / 1000;
    await mail.parseAll();
    const lag = mail.received.flatMap((m) => {
      const at = filedAt.get(Number(/meldingsnummer (\d+)/.exec(m.text)![1]));
      return at === undefined ? [] : [m.at - at];
    });

    const listing: number[] = [];
    const reading: number[] = [];
    for (let i = 0; i < 50; i++) {
      const page = await timed(listing, () => client.call(receiver.secret, 'GET', `/api/v1/reports?limit=50&status=GEREGISTREERD`));
      await timed(reading, () => client.call(receiver.secret, 'GET', `/api/v1/reports/${page.reports[i % page.reports.length].number}`));
    }
    const polling: number[] = [];
    let cursor = '';
    let events = 0;
    for (;;) {
      const page = await timed(polling, () => client.call(receiver.secret, 'GET', `/api/v1/changes?limit=500${cursor ? `&after=${cursor}` : ''}`));
      events += page.changes.length;
      cursor = page.nextCursor;
      if (page.changes.length === 0) break;
    }
    const rssAfter = service.rssMiB();
    client.close();
    await service.stop();

    const duoFile = join(__dirname, '../../../../shared/data/duo-vestigingen-bo-2026-08.csv');
    const duoPath = existsSync(duoFile) ? duoFile : join(process.cwd(), '../shared/data/duo-vestigingen-bo-2026-08.csv');
    let duo = 'skipped (no DUO file)';
    if (existsSync(duoPath)) {
      helper = await createApp(helperConfig, { logger: false });
      const duoImport = helper.get(DuoImportService);
      const file = readFileSync(duoPath);
      const d0 = performance.now();
      const r = await duoImport.import(file, 'PO');
      const first = performance.now() - d0;
      const d1 = performance.now();
      await duoImport.import(file, 'PO');
      duo = `${r.locationsCreated} locations in ${(first / 1000).toFixed(2)} s; again (no changes) in ${((performance.now() - d1) / 1000).toFixed(2)} s`;
    }

    // The same statements straight from pgbench, at as many connections, in the same run: what the database alone allows.
    const rate = REPORTS / seconds;
    const perFiling = (cpuSeconds: number) => ((1000 * cpuSeconds) / REPORTS).toFixed(1);
    const script = embedded ? '' : pgbenchScript(statements);
    const replay = async (protocol: 'prepared' | 'extended') =>
      embedded ? { skipped: 'the embedded database has no server for pgbench' } : runPgbench(db.env.DATABASE_URL, script, protocol, CONCURRENCY, PGBENCH_SECONDS);
    const [prepared, unprepared] = [await replay('prepared'), await replay('extended')];
    const pgbench = 'tps' in prepared && 'tps' in unprepared
      ? `replaying the same ${statements.length} statements at ${CONCURRENCY} connections for ${PGBENCH_SECONDS} s: ${prepared.tps.toFixed(0)} filings per second with each statement prepared once per connection (the service files at ${((100 * rate) / prepared.tps).toFixed(0)} % of that), ${unprepared.tps.toFixed(0)} with each parsed and planned at every call`
      : ('skipped' in prepared ? prepared : unprepared as { skipped: string }).skipped;

    const lines = [
      `database: ${mode}; ${REPORTS} reports after ${WARMUP} not measured, ${CONCURRENCY} clients at once; Node ${process.version}; the service in its own process`,
      `file report  : ${rate.toFixed(0)} per second; latency p50 ${pct(filing, 50)} ms, p95 ${pct(filing, 95)} ms, p99 ${pct(filing, 99)} ms; ${statements.length} SQL round trips per filing`,
      `pace         : filings per second, 500 at a time: ${pace.join(' ') || '(fewer than 1,000 filings)'}`,
      `cpu          : per filing, service ${perFiling(serviceCpu)} ms, PostgreSQL ${perFiling(postgresCpu)} ms, this benchmark's clients and SMTP server ${perFiling(ownCpu)} ms; the machine's ${cpus().length} cores ${((100 * machineCpu) / (seconds * cpus().length)).toFixed(0)} % busy while filing`,
      `pgbench      : ${pgbench}`,
      `list 50      : p50 ${pct(listing, 50)} ms, p95 ${pct(listing, 95)} ms`,
      `read one     : p50 ${pct(reading, 50)} ms, p95 ${pct(reading, 95)} ms`,
      `e-mail       : ${lag.length} delivered over SMTP, all within ${drained.toFixed(1)} s of the first filing; filing to arrival p50 ${pct(lag, 50)} ms, p95 ${pct(lag, 95)} ms (no coalescing wait in this run)`,
      `changes 500  : ${events} events in ${polling.length} pages; p50 ${pct(polling, 50)} ms, p95 ${pct(polling, 95)} ms`,
      `DUO import   : ${duo}`,
      `memory       : service rss ${rssAfter.toFixed(0)} MiB (was ${rssBefore.toFixed(0)} MiB before filing)`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    await service?.stop();
    await helper?.close();
    await mail.stop();
    await db.drop();
    await globalTeardown();
  }
}

const modes: Record<string, () => Promise<void>> = {
  '--webhooks': benchWebhooks,
  '--exports': benchExports,
  '--export-writer': benchExportWriter,
  '--attachments': benchAttachments,
  '--search': () => benchScale('search'),
  '--scale': () => benchScale(),
  '--embedded': benchEmbedded,
  '--soak': benchSoak,
  '--annual': benchAnnual,
};
const mode = Object.keys(modes).find((m) => process.argv.includes(m));
(mode ? modes[mode]() : main()).catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
