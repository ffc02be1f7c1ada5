import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createApp } from '../../src/bootstrap';
import { loadConfig } from '../../src/config/app-config';
import { ApiKeysService } from '../../src/identity/api-keys.service';
import { OrganisationsService } from '../../src/organisations/organisations.service';
import globalSetup from '../support/global-setup';
import globalTeardown from '../support/global-teardown';
import { createTestDatabase } from '../support/test-database';
import { bsn, reportBody, TestSchool } from '../support/test-app';

/**
 * `npm run bench -- --attachments`: memory while 10 MB attachments stream in and out (issue 11: "never more than one
 * buffer of it in memory"). The service runs in this process; each upload's body is generated as it is sent (the
 * client holds one 64 KiB piece at a time) and each download is counted and dropped, so what the process holds is
 * the service's. BENCH_ATTACHMENTS (default 12) files of ATTACHMENT_MAX_MB (10), BENCH_ATTACHMENT_PARALLEL (4) at a
 * time; the process's RSS and heap are sampled every 5 ms. A service that read a file whole would hold at least
 * 10 MB per request in flight (40 MB with 4), on top of the baseline.
 */
const FILES = Number(process.env.BENCH_ATTACHMENTS ?? 12);
const PARALLEL = Number(process.env.BENCH_ATTACHMENT_PARALLEL ?? 4);
const MB = 10;
const SIZE = MB * 1024 * 1024;
const PIECE = 64 * 1024;
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

/** A multipart body with one PDF of SIZE bytes, made as it is read. */
function body(boundary: string): ReadableStream<Uint8Array> {
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="description"\r\n\r\nbenchmark\r\n`
    + `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="groot.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  let sent = 9;
  let step = 0;
  return new ReadableStream({
    pull(controller) {
      if (step === 0) {
        step = 1;
        controller.enqueue(head);
      } else if (sent < SIZE) {
        const n = Math.min(PIECE, SIZE - sent);
        sent += n;
        controller.enqueue(randomBytes(n));
      } else {
        controller.enqueue(tail);
        controller.close();
      }
    },
  });
}

export async function benchAttachments(): Promise<void> {
  await globalSetup();
  const db = await createTestDatabase();
  const app = await createApp(loadConfig({ ...db.env, LOG_LEVEL: 'error', MAIL_WORKER: 'false', WEBHOOK_WORKER: 'false', RATE_LIMIT_UPLOADS_PER_HOUR: '10000' }), { logger: false });
  await app.listen(0, '127.0.0.1');
  const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  try {
    const orgs = app.get(OrganisationsService);
    const school = await orgs.createSchool('99BA', 'Bijlagenbenchmark', 'VO');
    const { secret } = await app.get(ApiKeysService).create(school, 'bench', ['melder', 'beheerder']);
    const auth = { authorization: `Bearer ${secret}` };
    const json = async (method: string, path: string, payload: unknown) => {
      const res = await fetch(base + path, { method, headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(payload) });
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
      return res.json() as Promise<{ id: string; number: number }>;
    };
    const location = await json('POST', '/api/v1/locations', { code: '01', name: 'Hoofdlocatie', municipalityCode: 'GM0363' });
    const reporter = await json('POST', '/api/v1/reporters', { name: 'B. Enchmark', function: 'Verzuimcoördinator', phone: '020 5550000', email: 'bench@school.example' });
    const reports: number[] = [];
    for (let i = 0; reports.length * 20 < FILES; i++) {
      const school = { org: { code: '99BA' }, location: { id: location.id, code: '01' }, reporter: { id: reporter.id } } as unknown as TestSchool;
      reports.push((await json('POST', '/api/v1/reports', reportBody(school, {}, { pgn: bsn(880000 + i) }))).number);
    }

    global.gc?.();
    await new Promise((r) => setTimeout(r, 200));
    const before = process.memoryUsage();
    let peakRss = before.rss;
    let peakHeap = before.heapUsed;
    let peakBuffers = before.arrayBuffers;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
      peakBuffers = Math.max(peakBuffers, m.arrayBuffers);
    }, 5);

    const hrefs: string[] = [];
    const t0 = performance.now();
    for (let i = 0; i < FILES; i += PARALLEL) {
      await Promise.all(Array.from({ length: Math.min(PARALLEL, FILES - i) }, async (_, k) => {
        const boundary = `bench${i + k}x${Date.now()}`;
        const res = await fetch(`${base}/api/v1/reports/${reports[Math.floor((i + k) / 20)]}/attachments`, {
          method: 'POST', headers: { ...auth, 'content-type': `multipart/form-data; boundary=${boundary}` }, body: body(boundary), duplex: 'half',
        } as RequestInit);
        if (res.status !== 201) throw new Error(`upload: ${res.status} ${await res.text()}`);
        hrefs.push(((await res.json()) as { href: string }).href);
      }));
    }
    const up = performance.now() - t0;
    const upRss = peakRss;
    const t1 = performance.now();
    for (let i = 0; i < hrefs.length; i += PARALLEL) {
      await Promise.all(hrefs.slice(i, i + PARALLEL).map(async (href) => {
        const res = await fetch(base + href, { headers: auth });
        let n = 0;
        for await (const piece of res.body as unknown as AsyncIterable<Uint8Array>) n += piece.length;
        if (n !== SIZE) throw new Error(`download: ${n} bytes`);
      }));
    }
    const down = performance.now() - t1;
    clearInterval(sampler);
    const total = (FILES * SIZE) / 2 ** 20;
    process.stdout.write([
      `mode         : ${process.env.VZL_TEST_EMBEDDED ? 'embedded PGlite' : 'PostgreSQL'}; ${FILES} files of ${MB} MiB, ${PARALLEL} at a time`,
      `upload       : ${(total / (up / 1000)).toFixed(1)} MiB/s (${(up / FILES).toFixed(0)} ms per file)`,
      `download     : ${(total / (down / 1000)).toFixed(1)} MiB/s`,
      `rss          : ${mib(before.rss)} MiB before, peak ${mib(upRss)} MiB during uploads, ${mib(peakRss)} MiB overall (+${mib(peakRss - before.rss)} MiB)`,
      `heap used    : ${mib(before.heapUsed)} MiB before, peak ${mib(peakHeap)} MiB (+${mib(peakHeap - before.heapUsed)} MiB)`,
      `array buffers: ${mib(before.arrayBuffers)} MiB before, peak ${mib(peakBuffers)} MiB (+${mib(peakBuffers - before.arrayBuffers)} MiB)`,
    ].join('\n') + '\n');
  } finally {
    await app.close();
    await db.drop();
    await globalTeardown();
  }
}
