import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/bootstrap';
import { loadConfig } from '../../src/config/app-config';
import { permissionsOf } from '../../src/identity/permissions';
import { Actor } from '../../src/kernel/actor';
import { OrganisationType } from '../../src/kernel/organisation-type';
import { OrganisationsService } from '../../src/organisations/organisations.service';
import { ReportEventsService } from '../../src/reports/report-events.service';
import { ReportQueries } from '../../src/reports/report-queries';
import { ReportSearchInput } from '../../src/reports/report.dto';
import { LARGEST, seed, seeded } from './seed';

/**
 * `npm run bench -- --scale` (issue 14, "speed at national scale") and `--search` (issue 11, the same database and
 * only the searches): BENCH_SCALE_REPORTS (1,000,000) reports seeded by ./seed.ts into the PostgreSQL database
 * `vzl_scale`, kept between runs (`--reseed` makes it again; `--drop` drops it at the end). The app migrates it at
 * start, so a new index lands on the seeded rows as it would in production. Then each read of the largest receiver's
 * officer runs RUNS times through the service (what the server does for a request after validation: the SQL, the
 * audit entry, the read marks): "service" is the wall time of that call, "SQL" the sum of PostgreSQL's own time
 * (EXPLAIN ANALYZE) of the SELECTs it sent, which does not depend on how busy the Node process is. On a shared machine
 * both include waiting for a core; what does not: "pages read" (8 KiB buffers the SELECTs touched, EXPLAIN BUFFERS)
 * and "Node CPU" (the process's CPU time during the call).
 */
const REPORTS = Number(process.env.BENCH_SCALE_REPORTS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_SCALE_RUNS ?? 40);
const DATABASE = process.env.BENCH_SCALE_DATABASE ?? 'vzl_scale';
const KEY = Buffer.alloc(32, 11).toString('base64'); // fixed: the seeded PGNs must stay readable between runs

function pct(samples: number[], p: number): string {
  const s = [...samples].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))].toFixed(1) : '-';
}

async function database(reseed: boolean): Promise<string> {
  const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const [exists] = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE])).rows;
    if (reseed && exists) await admin.query(`DROP DATABASE ${DATABASE} WITH (FORCE)`);
    if (reseed || !exists) await admin.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${DATABASE}`;
  return url.toString();
}

type Case = [label: string, run: (i: number) => Promise<unknown>];

export async function benchScale(only: 'search' | 'all' = 'all'): Promise<void> {
  const url = await database(process.argv.includes('--reseed'));
  const cpu0 = process.cpuUsage();
  const app = await createApp(loadConfig({
    DATABASE_URL: url, DATABASE_POOL_SIZE: '4', PGN_ENCRYPTION_KEY: KEY, DATA_DIR: '/tmp/vzl-scale-bench', LOG_LEVEL: 'error', MAIL_WORKER: 'false', WEBHOOK_WORKER: 'false',
  }), { logger: false });
  await app.init();
  const db = app.get(DataSource);
  try {
    const found = await seeded(db, REPORTS);
    const { officers, pgns } = found ?? (await seed(db, app, REPORTS));
    const largest = (await app.get(OrganisationsService).findByCode(LARGEST))!;
    const actor: Actor = {
      type: 'API_KEY', id: '00000000-0000-4000-8000-000000000000', name: 'bench', organisationId: largest.id, organisationType: OrganisationType.GEMEENTE,
      organisationCode: LARGEST, roles: ['behandelaar'], permissions: permissionsOf(['behandelaar'], true),
    };
    const queries = app.get(ReportQueries);
    const events = app.get(ReportEventsService);
    const [{ code: busySchool }] = await db.query(
      'SELECT o.code FROM report r JOIN organisation o ON o.id = r.school_id WHERE r.receiver_id = $1 GROUP BY o.code ORDER BY count(*) DESC LIMIT 1', [largest.id],
    );
    // The SELECTs a call sends, as TypeORM sends them, to have PostgreSQL time each (EXPLAIN ANALYZE: the database's own time).
    let sent: { sql: string; params: unknown[] }[] = [];
    const original = PostgresQueryRunner.prototype.query;
    PostgresQueryRunner.prototype.query = function (this: PostgresQueryRunner, sql: string, params?: unknown[], ...rest: unknown[]) {
      if (/^\s*(SELECT|WITH)/i.test(sql) && !sql.startsWith('EXPLAIN')) sent.push({ sql, params: params ?? [] });
      return (original as (...a: unknown[]) => Promise<unknown>).call(this, sql, params, ...rest);
    } as typeof original;
    const list = (q: ReportSearchInput) => () => queries.list(actor, q);
    const month = (back: number) => {
      const d = new Date();
      const first = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - back, 1));
      const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - back + 1, 0));
      return { from: first.toISOString().slice(0, 10), to: last.toISOString().slice(0, 10) };
    };
    const afterOf = async (q: ReportSearchInput) => (await queries.list(actor, q)).nextCursor ?? undefined;
    const byStatus = await afterOf({ sort: 'status' });
    const byStatusDown = await afterOf({ sort: '-status' });
    const feedMiddle = (await events.changes(actor, undefined, 500)).nextCursor;
    const birthDate = (i: number) => new Date(Date.UTC(2016, 0, 1 + ((i * 1237) % 2500))).toISOString().slice(0, 10);
    const lists: Case[] = [
      ['newest 50', list({})],
      ['status IN_BEHANDELING', list({ status: 'IN_BEHANDELING' as never })],
      ['status AFGESLOTEN', list({ status: 'AFGESLOTEN' as never })],
      ['kind LUXE', list({ kind: 'LUXE' as never })],
      ['month (5 months back)', list(month(5))],
      ['sort by status, 1st', list({ sort: 'status' })],
      ['sort by status, next', list({ sort: 'status', after: byStatus })],
      ['sort -status, next', list({ sort: '-status', after: byStatusDown })],
      ['overview page (counts)', () => queries.overview(actor, { status: 'IN_BEHANDELING' as never })],
      ['start page figures', () => queries.startFigures(actor)],
      ['changes 500, from start', () => events.changes(actor, undefined, 500)],
      ['changes 500, next page', () => events.changes(actor, feedMiddle, 500)],
    ];
    const searches: Case[] = [
      ['PGN', (i) => queries.list(actor, { pgn: pgns[i % pgns.length] })],
      ['common surname (jansen)', list({ name: 'Jansen' })],
      ['part of a name (berg)', list({ name: 'berg' })],
      ['two letters (de)', list({ name: 'de' })],
      ['rare surname', (i) => queries.list(actor, { name: `zeld${((i * 13) * 7919).toString(36)}` })],
      ['birth date', (i) => queries.list(actor, { birthDate: birthDate(i) })],
      ['name + birth date', (i) => queries.list(actor, { name: 'visser', birthDate: birthDate(i) })],
      ['school', list({ school: busySchool })],
      ['school, sort by status', list({ school: busySchool, sort: 'status' })],
      ['officer', (i) => queries.list(actor, { assignedTo: officers[i % officers.length] })],
      ['officer + status', (i) => queries.list(actor, { assignedTo: officers[i % officers.length], status: 'IN_BEHANDELING' as never })],
      ['name + school + kind', list({ name: 'bakker', school: busySchool, kind: '16U' as never })],
      ['no match (xyzzy)', list({ name: 'xyzzy' })],
    ];
    // The school side: the school with the most reports, as its own key sees them (filer, not receiver).
    const [busiest] = await db.query(
      'SELECT o.id, o.code, count(*)::int AS reports FROM report r JOIN organisation o ON o.id = r.school_id GROUP BY o.id, o.code ORDER BY count(*) DESC LIMIT 1',
    );
    const school: Actor = {
      type: 'API_KEY', id: '00000000-0000-4000-8000-000000000001', name: 'bench', organisationId: busiest.id, organisationType: OrganisationType.SCHOOL,
      organisationCode: busiest.code, roles: ['melder'], permissions: permissionsOf(['melder'], true),
    };
    const schoolAfter = (await queries.list(school, { sort: 'status' })).nextCursor ?? undefined;
    const schoolFeed = (await events.changes(school, undefined, 500)).nextCursor;
    const schoolSide: Case[] = [
      [`school ${busiest.code}: newest 50`, () => queries.list(school, {})],
      [`school: status IN_BEHANDELING`, () => queries.list(school, { status: 'IN_BEHANDELING' as never })],
      [`school: sort by status, next`, () => queries.list(school, { sort: 'status', after: schoolAfter })],
      [`school: month (5 months back)`, () => queries.list(school, month(5))],
      [`school: name (jansen)`, () => queries.list(school, { name: 'Jansen' })],
      [`school: overview (counts)`, () => queries.overview(school, { status: 'IN_BEHANDELING' as never })],
      [`school: start page figures`, () => queries.startFigures(school)],
      [`school: changes 500, next`, () => events.changes(school, schoolFeed, 500)],
    ];
    const [{ count }] = await db.query('SELECT count(*)::int AS count FROM report WHERE receiver_id = $1', [largest.id]);
    const lines = [
      `database: PostgreSQL ${DATABASE}; ${REPORTS} reports (${found ? 'reused' : 'seeded now'}), ${count} of them ${LARGEST}'s, ${busiest.reports} filed by school ${busiest.code}; ${RUNS} runs each, pages of 50; Node ${process.version}`,
    ];
    const cpuStart = process.cpuUsage(cpu0);
    for (const [label, run] of only === 'search' ? searches : [...lists, ...searches, ...schoolSide]) {
      for (let i = 0; i < 3; i++) await run(i); // warm
      const samples: number[] = [];
      const cpu: number[] = [];
      const sql: number[] = [];
      const pages: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        sent = [];
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        await run(i);
        samples.push(performance.now() - t0);
        const c = process.cpuUsage(c0);
        cpu.push((c.user + c.system) / 1000);
        let total = 0;
        let read = 0;
        for (const q of sent.filter((s) => /\breport\b|"report"/.test(s.sql))) {
          const [{ 'QUERY PLAN': [plan] }] = await db.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${q.sql}`, q.params);
          total += plan['Execution Time'] + plan['Planning Time'];
          read += plan.Plan['Shared Hit Blocks'] + plan.Plan['Shared Read Blocks'];
        }
        sent = [];
        sql.push(total);
        pages.push(read);
      }
      lines.push(`${label.padEnd(26)}: service p50 ${pct(samples, 50).padStart(7)} ms, p95 ${pct(samples, 95).padStart(7)} ms; SQL p50 ${pct(sql, 50).padStart(7)} ms, p95 ${pct(sql, 95).padStart(7)} ms; `
        + `pages read p50 ${pct(pages, 50).replace('.0', '').padStart(6)}; Node CPU p50 ${pct(cpu, 50).padStart(5)} ms`);
    }
    const cpu = process.cpuUsage(cpuStart);
    lines.push(`Node CPU while measuring: ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} (2 cores, shared)`);
    process.stdout.write(lines.join('\n') + '\n');
    if (process.env.BENCH_SCALE_EXPLAIN) {
      for (const [label, run] of [...lists, ...searches, ...schoolSide].filter(([l]) => l.includes(process.env.BENCH_SCALE_EXPLAIN!))) {
        sent = [];
        await run(1);
        for (const q of sent.filter((s) => /\breport\b|"report"/.test(s.sql))) {
          const plan = await db.query(`EXPLAIN (ANALYZE, BUFFERS) ${q.sql}`, q.params);
          process.stdout.write(`--- ${label}\n${q.sql}\n${plan.map((p: Record<string, string>) => p['QUERY PLAN']).join('\n')}\n`);
        }
      }
    }
    PostgresQueryRunner.prototype.query = original;
  } finally {
    await app.close();
    if (process.argv.includes('--drop')) {
      const admin = new Client({ connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
      await admin.end();
    }
  }
}
