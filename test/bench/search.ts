import { performance } from 'node:perf_hooks';
import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/bootstrap';
import { loadConfig } from '../../src/config/app-config';
import { permissionsOf } from '../../src/identity/permissions';
import { Actor } from '../../src/kernel/actor';
import { OrganisationType } from '../../src/kernel/organisation-type';
import { OrganisationsService } from '../../src/organisations/organisations.service';
import { ReportQueries } from '../../src/reports/report-queries';
import { ReportSearchInput } from '../../src/reports/report.dto';
import globalSetup from '../support/global-setup';
import globalTeardown from '../support/global-teardown';
import { createTestDatabase } from '../support/test-database';

/**
 * `npm run bench -- --search`: the officer's search (issue 11) at BENCH_SEARCH_REPORTS (1,000,000) reports. The
 * reports are written straight into the database (filing over the API runs at ~60/s here): 200 schools, 20 receiving
 * municipalities, Amsterdam receiving a quarter of all; surnames from 300 common Dutch names with and without
 * prefixes and a few thousand rarer ones; a fifth of Amsterdam's reports assigned to one of 10 officers. Then each kind
 * of search runs 50 times as Amsterdam, through ReportQueries.list (the SQL, the audit entry and the read marks; what
 * the server does for a request after validation), and the percentiles are printed.
 */
const REPORTS = Number(process.env.BENCH_SEARCH_REPORTS ?? 1_000_000);
const RUNS = 50;
const COMMON = ['jansen', 'devries', 'vandenberg', 'bakker', 'visser', 'smit', 'meijer', 'dejong', 'mulder', 'degroot', 'bos', 'vos', 'peters',
  'hendriks', 'vanleeuwen', 'dekker', 'brouwer', 'dewit', 'dijkstra', 'smits', 'degraaf', 'vanderMeer', 'vanderlinden', 'kok', 'jacobs', 'dehaan',
  'vermeulen', 'vandenheuvel', 'vanderveen', 'vandenbroek', 'debruijn', 'debruin', 'vanderheijden', 'schouten', 'vanbeek', 'willems', 'vanvliet',
  'vandeven', 'hoekstra', 'maas', 'verhoeven', 'koster', 'vandam', 'vanderwal', 'prins', 'blom', 'huisman', 'peeters', 'dejonge', 'kuipers'];

function pct(samples: number[], p: number): string {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))].toFixed(1);
}

/** Also the jaaropgave benchmark's seed (test/bench/annual.ts). */
export async function seed(db: DataSource, app: Awaited<ReturnType<typeof createApp>>): Promise<{ schools: string[]; officers: string[] }> {
  const orgs = app.get(OrganisationsService);
  const schools: string[] = [];
  for (let i = 0; i < 200; i++) schools.push((await orgs.createSchool(`${String(i % 100).padStart(2, '0')}${i < 100 ? 'BA' : 'BB'}`, `Benchschool ${i}`, 'PO')).id);
  await db.query(`INSERT INTO location (school_id, code, name) SELECT id, '01', 'Hoofdlocatie' FROM organisation WHERE id = ANY($1)`, [schools]);
  await db.query(`INSERT INTO reporter (school_id, name, function, phone, email) SELECT id, 'Bench', 'Verzuim', '0201234567', 'b@example.org' FROM organisation WHERE id = ANY($1)`, [schools]);
  const amsterdam = (await orgs.findByCode('GM0363'))!;
  const officers: string[] = (await db.query(
    `INSERT INTO user_account (organisation_id, username, name, email, roles, status) SELECT $1, 'bench' || g, 'Officer ' || g, 'o' || g || '@example.org', ARRAY['behandelaar'], 'ACTIVE'
       FROM generate_series(1, 10) g RETURNING id`, [amsterdam.id],
  )).map((r: { id: string }) => r.id);
  const names = [...COMMON.map((n) => n.toLowerCase()), ...Array.from({ length: 3000 }, (_, i) => `zeld${(i * 7919).toString(36)}man`)];
  const batch = 50_000;
  const t0 = performance.now();
  await db.query('DROP INDEX report_name_grams_idx');
  for (let from = 0; from < REPORTS; from += batch) {
    await db.query(
      `WITH receivers AS (SELECT array_agg(id ORDER BY code = 'GM0363' DESC, code) AS ids FROM organisation WHERE type = 'GEMEENTE' AND code IN ('GM0363','GM0344','GM0518','GM0599','GM0014','GM0034','GM0080','GM0106','GM0200','GM0202','GM0228','GM0268','GM0307','GM0402','GM0439','GM0479','GM0503','GM0546','GM0637','GM0772')),
            refs AS (SELECT o.id AS school_id, l.id AS location_id, r.id AS reporter_id, row_number() OVER (ORDER BY o.id) - 1 AS i
                       FROM organisation o JOIN location l ON l.school_id = o.id JOIN reporter r ON r.school_id = o.id WHERE o.id = ANY($2::uuid[])),
            g AS (SELECT n, $1::text[] AS names FROM generate_series($3::int, $4::int) n),
            rows AS (
              SELECT n, names[1 + (CASE WHEN n % 10 < 8 THEN n % 50 ELSE 50 + (n * 31) % 3000 END)] AS key,
                     CASE WHEN n % 4 = 0 THEN (SELECT ids[1] FROM receivers) ELSE (SELECT ids[1 + n % 20] FROM receivers) END AS receiver_id
                FROM g)
       INSERT INTO report (school_id, location_id, reporter_id, receiver_id, residence_municipality_id, kind, status, pgn_type, pgn_encrypted, pgn_hash,
                           pupil_initials, pupil_surname, pupil_name_key, pupil_name_grams, pupil_sex, pupil_birth_date, registered_address, reason,
                           begin_date, all_lessons_missed, action_wanted, email_copies, assigned_user_id, created_at, updated_at)
       SELECT f.school_id, f.location_id, f.reporter_id, x.receiver_id, x.receiver_id, 'LUXE', CASE WHEN x.n % 3 = 0 THEN 'AFGESLOTEN' ELSE 'IN_BEHANDELING' END,
              'BSN', decode(md5(x.n::text), 'hex'), decode(md5('h' || x.n), 'hex'), 'B.', x.key, x.key,
              ARRAY(SELECT DISTINCT substr('^' || x.key || '$', i, 3) FROM generate_series(1, length(x.key)) i),
              'V', date '2008-01-01' + (x.n * 17) % 4000, '{"street":"Straat","houseNumber":1,"postcode":"1012 AB","place":"Amsterdam","municipalityCode":"GM0363"}',
              'Bench', current_date - (x.n % 700), true, true, 'BEIDE',
              CASE WHEN x.n % 4 = 0 AND x.n % 5 = 0 THEN ($5::uuid[])[1 + x.n % 10] END,
              now() - make_interval(days => x.n % 700), now() - make_interval(days => x.n % 700)
         FROM rows x JOIN refs f ON f.i = x.n % 200`,
      [names, schools, from, Math.min(from + batch, REPORTS) - 1, officers],
    );
  }
  await db.query(`CREATE INDEX "report_name_grams_idx" ON "report" USING gin ("pupil_name_grams")`);
  await db.query('ANALYZE');
  process.stdout.write(`seeded ${REPORTS} reports in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
  return { schools, officers };
}

export async function benchSearch(): Promise<void> {
  await globalSetup();
  const database = await createTestDatabase();
  const app = await createApp(loadConfig({ ...database.env, LOG_LEVEL: 'error', MAIL_WORKER: 'false', WEBHOOK_WORKER: 'false' }), { logger: false });
  await app.init();
  const db = app.get(DataSource);
  try {
    const { officers } = await seed(db, app);
    const amsterdam = (await app.get(OrganisationsService).findByCode('GM0363'))!;
    const actor: Actor = {
      type: 'API_KEY', id: '00000000-0000-4000-8000-000000000000', name: 'bench', organisationId: amsterdam.id, organisationType: OrganisationType.GEMEENTE,
      organisationCode: 'GM0363', roles: ['behandelaar'], permissions: permissionsOf(['behandelaar'], true),
    };
    const queries = app.get(ReportQueries);
    const [{ code: busySchool }] = await db.query(
      'SELECT o.code FROM report r JOIN organisation o ON o.id = r.school_id WHERE r.receiver_id = $1 GROUP BY o.code ORDER BY count(*) DESC LIMIT 1', [amsterdam.id],
    );
    // The overview's SELECT as TypeORM sends it, to have PostgreSQL time it (EXPLAIN ANALYZE: the database's own time).
    let last: { sql: string; params: unknown[] } | null = null;
    const original = PostgresQueryRunner.prototype.query;
    PostgresQueryRunner.prototype.query = function (this: PostgresQueryRunner, sql: string, params?: unknown[], ...rest: unknown[]) {
      if (sql.startsWith('SELECT') && sql.includes('FROM "report" "r"')) last = { sql, params: params ?? [] };
      return (original as (...a: unknown[]) => Promise<unknown>).call(this, sql, params, ...rest);
    } as typeof original;
    const cases: [string, (i: number) => ReportSearchInput][] = [
      ['common surname (jansen)', () => ({ name: 'Jansen' })],
      ['part of a name (berg)', () => ({ name: 'berg' })],
      ['two letters (de)', () => ({ name: 'de' })],
      ['rare surname', (i) => ({ name: `zeld${((i * 13) * 7919).toString(36)}` })],
      ['birth date', (i) => ({ birthDate: new Date(Date.UTC(2008, 0, 1 + ((i * 1237) % 4000))).toISOString().slice(0, 10) })],
      ['name + birth date', (i) => ({ name: 'visser', birthDate: new Date(Date.UTC(2008, 0, 1 + ((i * 1237) % 4000))).toISOString().slice(0, 10) })],
      ['school', () => ({ school: busySchool })],
      ['officer', (i) => ({ assignedTo: officers[i % officers.length] })],
      ['officer + status', (i) => ({ assignedTo: officers[i % officers.length], status: 'IN_BEHANDELING' as never })],
      ['name + school + kind', () => ({ name: 'bakker', school: busySchool, kind: 'LUXE' as never })],
      ['no match (xyzzy)', () => ({ name: 'xyzzy' })],
    ];
    const [{ count }] = await db.query('SELECT count(*)::int AS count FROM report WHERE receiver_id = $1', [amsterdam.id]);
    const lines = [`database: ${process.env.VZL_TEST_EMBEDDED ? 'embedded PGlite' : 'PostgreSQL'}; ${REPORTS} reports, ${count} of them Amsterdam's; ${RUNS} runs each, first page of 50; Node ${process.version}`];
    for (const [label, make] of cases) {
      for (let i = 0; i < 3; i++) await queries.list(actor, make(i)); // warm
      const samples: number[] = [];
      const sql: number[] = [];
      let rows = 0;
      for (let i = 0; i < RUNS; i++) {
        const t0 = performance.now();
        const page = await queries.list(actor, make(i));
        samples.push(performance.now() - t0);
        rows += page.reports.length;
        const q = last as { sql: string; params: unknown[] } | null;
        if (q) {
          const [{ 'QUERY PLAN': [plan] }] = await db.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${q.sql}`, q.params);
          sql.push(plan['Execution Time'] + plan['Planning Time']);
        }
      }
      lines.push(`${label.padEnd(26)}: service p50 ${pct(samples, 50)} ms, p95 ${pct(samples, 95)} ms; SQL in PostgreSQL p50 ${pct(sql, 50)} ms, p95 ${pct(sql, 95)} ms, max ${pct(sql, 100)} ms (${(rows / RUNS).toFixed(0)} rows a page)`);
    }
    lines.push(`load average while measuring: ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')} (2 cores, shared)`);
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    await app.close();
    await database.drop();
    await globalTeardown();
  }
}
