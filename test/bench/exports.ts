import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import { ApiKeysService } from '../../src/identity/api-keys.service';
import { OrganisationsService } from '../../src/organisations/organisations.service';
import { PgnCipher } from '../../src/reports/pgn-cipher';
import { bornAged, bsn, daysAgo } from '../support/test-app';
import { startBenchApp } from './bench-app';

/**
 * `npm run bench -- --exports`: 100,000 reports (BENCH_EXPORT_REPORTS) of one school, exported over HTTP as .xlsx and as
 * CSV by the school's API key, the file read to its end by a client in the same process. Prints rows per second, the
 * Node process's CPU time, and its peak RSS (sampled every 20 ms during each export, with the largest heap and off-heap
 * figures seen, and the kernel's lifetime maximum). One report is filed over the API; the others are copies of it made
 * in one INSERT … SELECT, each with its own pupil name, date and encrypted PGN (1,000 distinct), so that the export
 * decrypts every row as it would in use. BENCH_EXPORT_EXPLAIN=1 prints the plan of a batch query.
 */
const REPORTS = Number(process.env.BENCH_EXPORT_REPORTS ?? 100_000);
const COPIED = [
  'school_id', 'location_id', 'reporter_id', 'receiver_id', 'residence_municipality_id', 'kind', 'status', 'pgn_type', 'pupil_initials', 'pupil_prefix',
  'pupil_sex', 'pupil_birth_date', 'registered_address', 'residence_address', 'phone', 'student_number', 'reason', 'begin_date', 'end_date',
  'all_lessons_missed', 'absence_explanation', 'school_action', 'action_wanted', 'action_wanted_explanation', 'absence_days', 'email_copies',
];

export async function benchExports(): Promise<void> {
  const { app, base, mode, stop } = await startBenchApp({ WEBHOOK_WORKER: 'false', RATE_LIMIT_PER_MINUTE: '100000' });
  try {
    const school = await app.get(OrganisationsService).createSchool('97EX', 'Exportbenchschool', 'VO');
    const { secret: key } = await app.get(ApiKeysService).create(school, 'bench', ['melder', 'beheerder']);
    const call = async (path: string, body: unknown) => {
      const res = await fetch(base + path, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
      return res.json() as Promise<{ id: string; number: number }>;
    };
    await call('/api/v1/locations', { code: '01', name: 'Hoofdlocatie' });
    const reporter = await call('/api/v1/reporters', { name: 'Bench', function: 'Verzuim', phone: '0201234567', email: 'b@example.org' });
    const first = await call('/api/v1/reports', {
      pupil: {
        pgn: bsn(800000), initials: 'B.', surname: 'Leerling', sex: 'V', birthDate: bornAged(12),
        registeredAddress: { street: 'Straat', houseNumber: 1, postcode: '1012 AB', place: 'Amsterdam', municipalityCode: 'GM0363' },
      },
      kind: 'LRV', reason: 'Langdurig afwezig', beginDate: daysAgo(40), endDate: daysAgo(5), allLessonsMissed: true, actionWanted: true,
      daysMissed: 20, hoursMissed: 120, locationCode: '97EX01', reporterId: reporter.id, emailCopies: 'BEIDE',
    });
    const cipher = app.get(PgnCipher, { strict: false });
    const pgns = Array.from({ length: 1000 }, (_, i) => bsn(810000 + i * 7));
    const s0 = performance.now();
    await app.get(DataSource).query(
      `INSERT INTO report (id, ${COPIED.join(', ')}, pgn_encrypted, pgn_hash, pupil_surname, days_missed, hours_missed, created_at, updated_at)
       SELECT gen_random_uuid(), ${COPIED.map((c) => `r.${c}`).join(', ')}, ($1::bytea[])[1 + g % 1000], ($2::bytea[])[1 + g % 1000],
              'Leerling ' || g, g % 30, g % 200, now() - (g % 600) * interval '1 hour', now()
         FROM report r, generate_series(1, $3::int - 1) g WHERE r.number = $4`,
      [pgns.map((p) => cipher.encrypt(p)), pgns.map((p) => cipher.hash(p)), REPORTS, first.number],
    );
    await app.get(DataSource).query('ANALYZE report'); // as autovacuum does after a large change
    const seeded = (performance.now() - s0) / 1000;
    if (process.env.BENCH_EXPORT_EXPLAIN) {
      const plan = await app.get(DataSource).query(`EXPLAIN (ANALYZE, BUFFERS) SELECT r.number FROM report r JOIN organisation s ON s.id = r.school_id JOIN location l ON l.id = r.location_id JOIN organisation o ON o.id = r.receiver_id WHERE r.school_id = $1 AND r.number < $2 AND r.created_at >= now() - interval '731 days' ORDER BY r.number DESC LIMIT 1000`, [school.id, REPORTS / 2]);
      process.stdout.write(plan.map((p: Record<string, string>) => p['QUERY PLAN']).join('\n') + '\n');
    }
    const lines = [
      `database: ${mode}; ${REPORTS} reports of one school (copied in ${seeded.toFixed(1)} s); Node ${process.version}; `
      + `load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} CPUs`,
    ];
    for (const format of ['xlsx', 'csv'] as const) {
      const { rss: rssBefore, heapUsed: heapBefore } = process.memoryUsage();
      let peak = rssBefore;
      // What makes up the peak: V8's heap (used, and reserved) and memory outside it (Buffers: zlib, sockets, pg).
      const most = { heapUsed: 0, heapTotal: 0, external: 0 };
      const sampler = setInterval(() => {
        const m = process.memoryUsage();
        peak = Math.max(peak, m.rss);
        for (const k of ['heapUsed', 'heapTotal', 'external'] as const) most[k] = Math.max(most[k], m[k]);
      }, 20);
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const res = await fetch(`${base}/api/v1/reports/export?format=${format}`, { headers: { authorization: `Bearer ${key}` } });
      if (!res.ok || !res.body) throw new Error(`export ${format}: ${res.status} ${await res.text()}`);
      let bytes = 0;
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        bytes += value.byteLength;
      }
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const cpuSeconds = (cpu.user + cpu.system) / 1e6;
      clearInterval(sampler);
      peak = Math.max(peak, process.memoryUsage().rss);
      const rows = Number(res.headers.get('x-total-count'));
      if (rows !== REPORTS) throw new Error(`export ${format}: ${rows} rows, not ${REPORTS}`);
      lines.push(
        `${format.padEnd(5)}: ${rows} rows in ${seconds.toFixed(2)} s = ${(rows / seconds).toFixed(0)} rows/s; ${(bytes / 2 ** 20).toFixed(1)} MiB; `
        + `Node CPU ${cpuSeconds.toFixed(1)} s (${(rows / cpuSeconds).toFixed(0)} rows per CPU second); `
        + `rss ${(rssBefore / 2 ** 20).toFixed(0)} MiB before, peak ${(peak / 2 ** 20).toFixed(0)} MiB `
        + `(heap used ${(heapBefore / 2 ** 20).toFixed(0)} before, ${(most.heapUsed / 2 ** 20).toFixed(0)} at most; heap reserved ${(most.heapTotal / 2 ** 20).toFixed(0)}, outside the heap ${(most.external / 2 ** 20).toFixed(0)} MiB at most)`,
      );
    }
    lines.push(`peak rss of the process over its whole life (kernel): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    await stop();
  }
}
