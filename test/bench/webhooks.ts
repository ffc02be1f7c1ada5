import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { DataSource } from 'typeorm';
import { Actor } from '../../src/kernel/actor';
import { OrganisationType } from '../../src/kernel/organisation-type';
import { OrganisationsService } from '../../src/organisations/organisations.service';
import { AuditAction } from '../../src/audit/audit.service';
import { findVisibleReport } from '../../src/reports/report-access';
import { Report } from '../../src/reports/report.entity';
import { ReportEventType } from '../../src/reports/report-event.entity';
import { ReportEventsService } from '../../src/reports/report-events.service';
import { ApiKeysService } from '../../src/identity/api-keys.service';
import { bornAged, bsn, daysAgo } from '../support/test-app';
import { WebhooksService } from '../../src/webhooks/webhooks.service';
import { startBenchApp } from './bench-app';

/**
 * `npm run bench -- --webhooks`: 10,000 changes (BENCH_WEBHOOK_EVENTS) of reports, each delivered to one endpoint of
 * the school on a local receiver that verifies every signature with the standardwebhooks package. Two runs: steady
 * (BENCH_WEBHOOK_RATE changes per second, committed in transactions of 10: the time from each commit to arrival) and
 * burst (all committed at once: how fast the outbox drains). The changes are recorded through ReportEventsService, as
 * every change of a report is, so that the outbox is written in the change's transaction; the reports themselves
 * are filed over the API by the main benchmark, not here (filing runs at ~60/s on this machine).
 */
const EVENTS = Number(process.env.BENCH_WEBHOOK_EVENTS ?? 10_000);
const RATE = Number(process.env.BENCH_WEBHOOK_RATE ?? 600);
const PER_TX = 10;

function pct(samples: number[], p: number): string {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))].toFixed(0);
}

export async function benchWebhooks(): Promise<void> {
  const arrivals = new Map<string, number>();
  const sequences: string[] = [];
  let secret = '';
  let unverified = 0;
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      try {
        new Webhook(secret).verify(body, req.headers as Record<string, string>);
      } catch {
        unverified++;
      }
      const id = String(req.headers['webhook-id']);
      if (!arrivals.has(id)) {
        arrivals.set(id, performance.now());
        sequences.push(JSON.parse(body).sequence);
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const port = (receiver.address() as AddressInfo).port;
  const { app, base, mode, stop } = await startBenchApp();
  try {
    const ds = app.get(DataSource);
    const school = await app.get(OrganisationsService).createSchool('98WH', 'Webhookbenchschool', 'VO');
    const actor: Actor = {
      type: 'USER', id: randomUUID(), name: 'Bench', organisationId: school.id, organisationType: OrganisationType.SCHOOL, organisationCode: school.code,
      roles: ['beheerder'], permissions: new Set(),
    };
    const issued = await app.get(WebhooksService).create(actor, { url: `http://127.0.0.1:${port}/hook`, eventTypes: ['nl.verzuimloket.melding.bericht-toegevoegd'] });
    secret = issued.secret;
    // 100 reports to hang the changes on, filed over the API as a school's system does.
    const { secret: key } = await app.get(ApiKeysService).create(school, 'bench', ['melder', 'beheerder']);
    const call = async (path: string, body: unknown) => {
      const res = await fetch(base + path, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
      return res.json() as Promise<{ id: string; number: number }>;
    };
    await call('/api/v1/locations', { code: '01', name: 'Hoofdlocatie' });
    const reporter = await call('/api/v1/reporters', { name: 'Bench', function: 'Verzuim', phone: '0201234567', email: 'b@example.org' });
    const reports: Report[] = [];
    for (let i = 0; i < 100; i++) {
      const filed = await call('/api/v1/reports', {
        pupil: {
          pgn: bsn(700000 + i * 7), initials: 'B.', surname: `Leerling${i}`, sex: 'V', birthDate: bornAged(12),
          registeredAddress: { street: 'Straat', houseNumber: 1 + i, postcode: '1012 AB', place: 'Amsterdam', municipalityCode: 'GM0363' },
        },
        kind: 'LUXE', reason: 'Vakantie buiten de schoolvakanties', beginDate: daysAgo(10), allLessonsMissed: true, actionWanted: true,
        locationCode: '98WH01', reporterId: reporter.id, emailCopies: 'BEIDE',
      });
      reports.push(await findVisibleReport(ds.manager, actor, filed.number));
    }
    const events = app.get(ReportEventsService, { strict: false });
    const lines = [`database: ${mode}; ${EVENTS} changes to one endpoint on a local receiver; Node ${process.version}`];

    for (const run of ['steady', 'burst'] as const) {
      arrivals.clear();
      sequences.length = 0;
      const committedAt = new Map<string, number>();
      const t0 = performance.now();
      let made = 0;
      const commit = async () => {
        const txid = await ds.transaction(async (m) => {
          for (let i = 0; i < PER_TX; i++) {
            await events.record(m, { report: reports[(made + i) % reports.length], actor, type: ReportEventType.BERICHT, audit: { action: AuditAction.REPORT_MESSAGE_ADDED } });
          }
          return String((await m.query('SELECT pg_current_xact_id()::text AS x'))[0].x);
        });
        committedAt.set(txid, performance.now());
        made += PER_TX;
      };
      if (run === 'steady') {
        while (made < EVENTS) {
          const due = t0 + (made / RATE) * 1000;
          const wait = due - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          await commit();
        }
      } else {
        await Promise.all(Array.from({ length: 4 }, async () => { while (made < EVENTS) await commit(); }));
      }
      const produced = performance.now();
      const arrivedByThen = arrivals.size;
      const deadline = Date.now() + 300_000;
      while (arrivals.size < EVENTS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const last = Math.max(...arrivals.values());
      const lag = sequences.map((s, i) => [...arrivals.values()][i] - committedAt.get(String(BigInt(s.split('-')[0])))!);
      const ordered = sequences.every((s, i) => i === 0 || sequences[i - 1] < s);
      lines.push(
        `${run.padEnd(6)}: ${arrivals.size} of ${EVENTS} delivered${ordered ? ' in order' : ' OUT OF ORDER'}, ${unverified} unverified; committed in ${((produced - t0) / 1000).toFixed(1)} s ` +
          `(${(EVENTS / ((produced - t0) / 1000)).toFixed(0)}/s), all delivered ${((last - t0) / 1000).toFixed(1)} s after the first commit ` +
          `(${(EVENTS / ((last - t0) / 1000)).toFixed(0)} events/s; after the last commit ${EVENTS - arrivedByThen} left, sent at ${((EVENTS - arrivedByThen) / Math.max(0.001, (last - produced) / 1000)).toFixed(0)}/s); commit to arrival p50 ${pct(lag, 50)} ms, p95 ${pct(lag, 95)} ms, p99 ${pct(lag, 99)} ms, max ${pct(lag, 100)} ms`,
      );
    }
    lines.push(`memory: rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    receiver.close();
    await stop();
  }
}
