import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DuoImportService } from '../../src/organisations/duo-import.service';
import { OrganisationsService } from '../../src/organisations/organisations.service';
import { PgnCipher } from '../../src/reports/pgn-cipher';
import { bsn } from '../support/test-app';

/**
 * The one seeder of the large benchmarks (`--scale`, `--search`): `reports` reports written straight into PostgreSQL
 * (filing over the API runs at ~60/s here), spread over every real school location of DUO's file of primary schools
 * (6,122 locations, imported as the operator does) and so over the municipalities they lie in; the pupil lives in the
 * location's municipality, and the receiver is what routing decides for it (the municipality's alternative routing for
 * the kind, then its delegation). A location in a city with 100 or more of them (Amsterdam, Rotterdam, The Hague) files
 * 1.7 times as many (larger schools), so that Amsterdam, the largest, receives about 5 % (52,902 of 1M in issue 14). DUO's
 * file holds primary schools only, whose busiest files some 600: one large secondary school in Amsterdam is added
 * (LARGE_SCHOOL, a made-up BRIN, imported as a one-line DUO file of sector VO) that files LARGE_SCHOOL_WEIGHT times what a
 * primary location does, about 5,000 of 1M, as a school of 2,000 pupils would over two years. Numbers and filing times rise together
 * over two years; older reports are mostly closed. Surnames: 50 common Dutch names (80 %) and 3,000 rare ones. A fifth
 * of the largest receiver's reports are assigned to one of 10 officers. Every report has its filing event (the changes
 * feed). PGNs are random bytes, except SEARCHED_PGNS reports of the largest receiver, encrypted and hashed for real so
 * that a search by PGN finds them. Indexes are dropped while the rows go in and made again afterwards (much faster).
 */
export const COMMON = ['jansen', 'devries', 'vandenberg', 'bakker', 'visser', 'smit', 'meijer', 'dejong', 'mulder', 'degroot', 'bos', 'vos', 'peters',
  'hendriks', 'vanleeuwen', 'dekker', 'brouwer', 'dewit', 'dijkstra', 'smits', 'degraaf', 'vandermeer', 'vanderlinden', 'kok', 'jacobs', 'dehaan',
  'vermeulen', 'vandenheuvel', 'vanderveen', 'vandenbroek', 'debruijn', 'debruin', 'vanderheijden', 'schouten', 'vanbeek', 'willems', 'vanvliet',
  'vandeven', 'hoekstra', 'maas', 'verhoeven', 'koster', 'vandam', 'vanderwal', 'prins', 'blom', 'huisman', 'peeters', 'dejonge', 'kuipers'];
export const RARE = Array.from({ length: 3000 }, (_, i) => `zeld${(i * 7919).toString(36)}man`);
export const SEARCHED_PGNS = 200;
export const LARGEST = 'GM0363';
/** The large secondary school the seed adds to DUO's primary schools (a made-up BRIN), and how many locations it weighs. */
export const LARGE_SCHOOL = '99ZZ';
const LARGE_SCHOOL_WEIGHT = 35;

export interface Seeded {
  officers: string[];
  /** PGNs that the largest receiver has a report of. */
  pgns: string[];
}

function duoFile(): string {
  for (const p of [join(__dirname, '../../../../shared/data/duo-vestigingen-bo-2026-08.csv'), join(process.cwd(), '../shared/data/duo-vestigingen-bo-2026-08.csv'), '/work/shared/data/duo-vestigingen-bo-2026-08.csv']) {
    if (existsSync(p)) return p;
  }
  throw new Error('DUO file duo-vestigingen-bo-2026-08.csv not found (../shared/data)');
}

/** Whether the database already holds a whole seed of this size (then it is reused). */
export async function seeded(db: DataSource, reports: number): Promise<Seeded | null> {
  const [{ count }] = await db.query('SELECT count(*)::int AS count FROM report');
  const [{ unfinished }] = await db.query(`SELECT to_regclass('bench_seed_index') IS NOT NULL AS unfinished`);
  if (count !== reports || unfinished) return null;
  const [large] = await db.query('SELECT 1 FROM organisation WHERE code = $1', [LARGE_SCHOOL]);
  if (!large) throw new Error(`this database was seeded before the seed had school ${LARGE_SCHOOL}: run again with --reseed`);
  return { officers: await officersOf(db), pgns: Array.from({ length: SEARCHED_PGNS }, (_, i) => bsn(700000 + i * 13)) };
}

async function officersOf(db: DataSource): Promise<string[]> {
  return (await db.query(`SELECT id FROM user_account WHERE username LIKE 'bench%' ORDER BY username`)).map((r: { id: string }) => r.id);
}

/**
 * Seeds, or goes on with a seed that was stopped (the indexes it dropped are listed in the table bench_seed_index
 * until they are made again), so that a run cut short on a busy machine is not lost.
 */
export async function seed(db: DataSource, app: INestApplication, reports: number): Promise<Seeded> {
  const t0 = performance.now();
  const [{ count: done }] = await db.query('SELECT count(*)::int AS count FROM report');
  const largest = (await app.get(OrganisationsService).findByCode(LARGEST))!;
  if (done === 0) {
    const duo = readFileSync(duoFile());
    await app.get(DuoImportService).import(duo, 'PO');
    const header = duo.subarray(0, duo.indexOf(10) + 1);
    await app.get(DuoImportService).import(Buffer.concat([header, Buffer.from(
      `Noord-Holland;99999;${LARGE_SCHOOL};${LARGE_SCHOOL}00;Bench Scholengemeenschap (synthetisch);Benchstraat;1;1011 AA;AMSTERDAM;0363;AMSTERDAM;Openbaar; ; ;Benchstraat;1;1011 AA;AMSTERDAM;;;;;;;;;;;;;Noord\n`,
    )]), 'VO');
    await db.query(`INSERT INTO reporter (school_id, name, function, phone, email)
                    SELECT id, 'Bench', 'Verzuimcoördinator', '0201234567', 'b@example.org' FROM organisation WHERE type = 'SCHOOL'`);
    await db.query(
      `INSERT INTO user_account (organisation_id, username, name, email, roles, status) SELECT $1, 'bench' || lpad(g::text, 2, '0'), 'Officer ' || g, 'o' || g || '@example.org', ARRAY['behandelaar'], 'ACTIVE'
         FROM generate_series(1, 10) g`, [largest.id],
    );
    // Indexes go while the rows go in, and come back afterwards: building an index once is far cheaper than 1M inserts into it.
    await db.query(`CREATE TABLE bench_seed_index AS SELECT i.indexname AS name, i.indexdef AS def FROM pg_indexes i JOIN pg_class c ON c.relname = i.indexname JOIN pg_index x ON x.indexrelid = c.oid
      WHERE i.schemaname = 'public' AND i.tablename IN ('report', 'report_event') AND NOT x.indisprimary AND NOT x.indisunique`);
    for (const i of await db.query('SELECT name FROM bench_seed_index')) await db.query(`DROP INDEX "${i.name}"`);
  }
  const officers = await officersOf(db);
  const names = [...COMMON, ...RARE];
  const batch = 50_000;
  // One connection without foreign-key triggers (session_replication_role = replica): the seed's references are right by
  // construction, and checking eight of them per row is most of the work.
  const runner = db.createQueryRunner();
  await runner.connect();
  await runner.query('SET session_replication_role = replica');
  try {
    for (let from = done + 1; from <= reports; from += batch) {
      await runner.query(
        `WITH urban AS (SELECT municipality_id FROM location GROUP BY 1 HAVING count(*) >= 100),
              weighted AS (SELECT l.id, l.school_id, l.municipality_id FROM location l WHERE l.municipality_id IS NOT NULL
                           UNION ALL
                           SELECT l.id, l.school_id, l.municipality_id FROM location l JOIN urban u USING (municipality_id) WHERE abs(hashtext(l.id::text)) % 10 < 7
                           UNION ALL
                           SELECT l.id, l.school_id, l.municipality_id FROM location l JOIN organisation s ON s.id = l.school_id CROSS JOIN generate_series(2, $7::int)
                            WHERE s.code = $8),
              locs AS (SELECT l.id AS location_id, l.school_id, l.municipality_id, p.id AS reporter_id, row_number() OVER (ORDER BY l.id) - 1 AS i, count(*) OVER () AS size
                         FROM weighted l JOIN reporter p ON p.school_id = l.school_id),
              kinds(kind) AS (VALUES ('16U'), ('LRV'), ('LUXE'), ('OVERIG')),
              routes AS (SELECT m.id AS residence_id, k.kind, coalesce(d.delegate_id, d.id) AS receiver_id
                           FROM organisation m CROSS JOIN kinds k
                           LEFT JOIN routing_rule rr ON rr.municipality_id = m.id AND rr.kind = k.kind
                           JOIN organisation d ON d.id = coalesce(rr.target_id, m.id)
                          WHERE m.type = 'GEMEENTE'),
              g AS (SELECT n, CASE n % 10 WHEN 6 THEN 'LUXE' WHEN 7 THEN 'OVERIG' WHEN 8 THEN 'LRV' ELSE '16U' END AS kind,
                           now() - make_interval(secs => 730 * 86400 * ($4::float8 - n) / $4::float8) AS at
                           FROM generate_series($2::int, $3::int) n),
              nm AS (SELECT u.k AS key, u.i, ARRAY(SELECT DISTINCT substr('^' || u.k || '$', j, 3) FROM generate_series(1, length(u.k)) j) AS grams
                       FROM unnest($1::text[]) WITH ORDINALITY AS u(k, i)),
              x AS (SELECT g.*, f.*, rt.receiver_id, nm.key, nm.grams, extract(epoch FROM now() - g.at) / 86400 AS age
                      FROM g JOIN nm ON nm.i = 1 + (CASE WHEN g.n % 10 < 8 THEN g.n % 50 ELSE 50 + (g.n * 31) % 3000 END) JOIN locs f ON f.i = (g.n::bigint * 7919) % f.size JOIN routes rt ON rt.residence_id = f.municipality_id AND rt.kind = g.kind),
              ins AS (
         INSERT INTO report (school_id, location_id, reporter_id, receiver_id, residence_municipality_id, kind, status, pgn_type, pgn_encrypted, pgn_hash,
                             pupil_initials, pupil_surname, pupil_name_key, pupil_name_grams, pupil_sex, pupil_birth_date, registered_address, reason,
                             begin_date, end_date, all_lessons_missed, action_wanted, email_copies, assigned_user_id, created_at, updated_at)
         SELECT x.school_id, x.location_id, x.reporter_id, x.receiver_id, x.municipality_id, x.kind,
                CASE WHEN x.age < 30 THEN (CASE WHEN x.n % 3 = 0 THEN 'IN_BEHANDELING' ELSE 'GEREGISTREERD' END)
                     WHEN x.age < 180 THEN (CASE x.n % 5 WHEN 0 THEN 'IN_BEHANDELING' WHEN 1 THEN 'TER_KENNISNEMING_AANGENOMEN' ELSE 'AFGESLOTEN' END)
                     WHEN x.n % 20 = 0 THEN 'INGETROKKEN' WHEN x.n % 7 = 0 THEN 'TER_KENNISNEMING_AANGENOMEN' ELSE 'AFGESLOTEN' END,
                'BSN', decode(md5(x.n::text), 'hex'), decode(md5('h' || x.n), 'hex'), 'B.', x.key, x.key,
                x.grams,
                CASE WHEN x.n % 2 = 0 THEN 'M' ELSE 'V' END, x.at::date - (4 * 365 + (x.n * 17) % 3000),
                '{"street":"Straat","houseNumber":1,"postcode":"1012 AB","place":"Plaats","municipalityCode":"GM0000"}',
                'Bench', x.at::date - 10, CASE WHEN x.kind IN ('16U', 'LRV') THEN x.at::date - 1 END, true, true, 'BEIDE',
                CASE WHEN x.receiver_id = $5 AND x.n % 5 = 0 THEN ($6::uuid[])[1 + (x.n / 5) % 10] END,
                x.at, x.at
           FROM x ORDER BY x.n
         RETURNING id, school_id, receiver_id, created_at)
         INSERT INTO report_event (report_id, receiver_id, school_id, txid, type, actor_organisation_id, actor_type, actor_name, created_at)
         SELECT id, receiver_id, school_id, pg_current_xact_id()::text::bigint, 'INGEDIEND', school_id, 'API_KEY', 'Bench', created_at FROM ins`,
        [names, from, Math.min(from + batch - 1, reports), reports, largest.id, officers, LARGE_SCHOOL_WEIGHT, LARGE_SCHOOL],
      );
      process.stdout.write(`\rseeding: ${Math.min(from + batch - 1, reports)} of ${reports}`);
    }
  } finally {
    await runner.release();
  }
  process.stdout.write('\n');
  for (const i of await db.query('SELECT name, def FROM bench_seed_index')) await db.query(i.def);
  await db.query('DROP TABLE bench_seed_index');
  // PGNs that a search finds: the largest receiver's reports given real encrypted and hashed numbers.
  const cipher = app.get(PgnCipher);
  const pgns = Array.from({ length: SEARCHED_PGNS }, (_, i) => bsn(700000 + i * 13));
  const ids: string[] = (await db.query('SELECT id FROM report WHERE receiver_id = $1 ORDER BY number DESC LIMIT $2 OFFSET 100', [largest.id, SEARCHED_PGNS]))
    .map((r: { id: string }) => r.id);
  await db.query(
    `UPDATE report r SET pgn_hash = x.h, pgn_encrypted = x.e FROM unnest($1::uuid[], $2::bytea[], $3::bytea[]) AS x(id, h, e) WHERE r.id = x.id`,
    [ids, pgns.map((p) => cipher.hash(p)), pgns.map((p) => cipher.encrypt(p))],
  );
  await db.query('VACUUM ANALYZE report');
  await db.query('VACUUM ANALYZE report_event');
  await db.query('ANALYZE');
  process.stdout.write(`seeded ${reports - done} reports (of ${reports}) in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
  return { officers, pgns };
}
