import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/bootstrap';
import { loadConfig } from '../../src/config/app-config';
import { clock } from '../../src/common/clock';
import { currentSchoolYear } from '../../src/reporting/annual-figures';
import { annualFigures } from '../../src/reporting/annual-figures.query';
import globalSetup from '../support/global-setup';
import globalTeardown from '../support/global-teardown';
import { createTestDatabase } from '../support/test-database';
import { seed } from './seed';

/**
 * `npm run bench -- --annual`: the jaaropgave of the largest municipality at 1,000,000 reports (BENCH_SCALE_REPORTS).
 * The reports come from the one seeder of the large benchmarks (test/bench/seed.ts: straight into PostgreSQL, over every
 * real school location, Amsterdam about 5 %, each with its filing event); then the rest of the history a register has: a forward Amsterdam → Utrecht for one in 50, closing dates and reasons for the closed third, and one closed report in
 * ten also as a destruction record (as if erased). Then Amsterdam's jaaropgave of the last finished and of the running
 * school year, RUNS times each: wall time, the PostgreSQL backend's CPU time (from /proc, independent of other load)
 * and Node's CPU time.
 */
const RUNS = 5;

function pct(samples: number[], p: number): string {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))].toFixed(0);
}

/** CPU time (user + system, ms) of a process on this machine, or NaN where /proc does not show it. */
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in clock ticks of 1/100 s
  } catch {
    return NaN;
  }
}

async function history(db: DataSource): Promise<void> {
  const t0 = performance.now();
  const [{ utrecht, amsterdam }] = await db.query(`SELECT (SELECT id FROM organisation WHERE code = 'GM0344') AS utrecht, (SELECT id FROM organisation WHERE code = 'GM0363') AS amsterdam`);
  await db.query(
    `INSERT INTO report_event (txid, report_id, receiver_id, school_id, type, actor_organisation_id, actor_type, actor_name, details, created_at)
     SELECT 1, id, $2, school_id, 'DOORGESTUURD', $1, 'API_KEY', 'bench', '{"from":"GM0363","to":"GM0344"}', created_at + interval '3 days'
       FROM report WHERE receiver_id = $1 AND number % 50 = 1`,
    [amsterdam, utrecht],
  );
  await db.query(`UPDATE report SET receiver_id = $1 WHERE receiver_id = $2 AND number % 50 = 1`, [utrecht, amsterdam]);
  await db.query(
    `UPDATE report SET closed_at = created_at + make_interval(days => number % 120), closing_reason = (ARRAY['TERUG_NAAR_SCHOOL','ANDERE_OPLEIDING','WERK'])[1 + number % 3],
            closing_explanation = (ARRAY['GEZIEN','ACTIE','GEEN_ACTIE'])[1 + number % 3]
      WHERE status = 'AFGESLOTEN'`,
  );
  await db.query(
    `INSERT INTO destruction_record (report_number, school_id, receiver_id, residence_municipality_id, kind, status, age_at_begin, begin_date, filed_at,
       closed_at, closing_reason, closing_explanation, forwards, erased_at, rule)
     SELECT 10000000 + number, school_id, receiver_id, residence_municipality_id, kind, status, date_part('year', age(begin_date, pupil_birth_date))::int,
            begin_date, created_at, closed_at, closing_reason, closing_explanation, '[]', now(), 'bench'
       FROM report WHERE status = 'AFGESLOTEN' AND number % 10 = 0`,
  );
  await db.query('ANALYZE');
  process.stdout.write(`history (events, forwards, closings, destruction records) in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
}

export async function benchAnnual(): Promise<void> {
  await globalSetup();
  const database = await createTestDatabase();
  const app = await createApp(loadConfig({ ...database.env, LOG_LEVEL: 'error', MAIL_WORKER: 'false', WEBHOOK_WORKER: 'false' }), { logger: false });
  await app.init();
  const db = app.get(DataSource);
  try {
    await seed(db, app, Number(process.env.BENCH_SCALE_REPORTS ?? 1_000_000));
    await history(db);
    const [amsterdam] = await db.query(`SELECT id, code, name, type FROM organisation WHERE code = 'GM0363'`);
    const counts = (await db.query(
      `SELECT (SELECT count(*) FROM report)::int AS reports, (SELECT count(*) FROM report WHERE receiver_id = $1)::int AS mine,
              (SELECT count(*) FROM report_event)::int AS events, (SELECT count(*) FROM destruction_record)::int AS destroyed`, [amsterdam.id],
    ))[0];
    const running = currentSchoolYear();
    const finished = { label: `${running.startYear - 1}-${running.startYear}`, startYear: running.startYear - 1 };
    const lines = [
      `database: ${process.env.VZL_TEST_EMBEDDED ? 'embedded PGlite' : 'PostgreSQL'}; ${counts.reports} reports (${counts.mine} held by Amsterdam), ${counts.events} history events, ${counts.destroyed} destruction records; ${RUNS} runs each; Node ${process.version}`,
    ];
    for (const year of [finished, running]) {
      await db.transaction(async (m) => {
        const [{ pid }] = await m.query('SELECT pg_backend_pid() AS pid');
        let figures = await annualFigures(m, amsterdam, year, clock.now()); // warm
        const wall: number[] = [];
        const dbCpu: number[] = [];
        const nodeCpu: number[] = [];
        for (let i = 0; i < RUNS; i++) {
          const [c0, n0, t0] = [cpuMs(pid), process.cpuUsage(), performance.now()];
          figures = await annualFigures(m, amsterdam, year, clock.now());
          wall.push(performance.now() - t0);
          dbCpu.push(cpuMs(pid) - c0);
          const n = process.cpuUsage(n0);
          nodeCpu.push((n.user + n.system) / 1000);
        }
        lines.push(`${year.label}${year === running ? ' (running)' : ''}: received ${figures.received}, closed ${figures.closed}, forwarded out ${figures.forwardedOut}, open at end ${figures.openAtEnd}; `
          + `wall p50 ${pct(wall, 50)} ms, max ${pct(wall, 100)} ms; PostgreSQL backend CPU p50 ${pct(dbCpu, 50)} ms, max ${pct(dbCpu, 100)} ms; Node CPU p50 ${pct(nodeCpu, 50)} ms`);
      });
    }
    lines.push(`load average while measuring: ${loadavg().map((l) => l.toFixed(1)).join(' ')} (2 cores, shared)`);
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    await app.close();
    await database.drop();
    await globalTeardown();
  }
}
