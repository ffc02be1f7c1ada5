import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { CellValue } from '../../src/reports/export/export-columns';
import { writeCsv, writeXlsx } from '../../src/reports/export/export-writers';

/**
 * `npm run bench -- --export-writer`: the export's file writers alone, without database or HTTP: BENCH_EXPORT_REPORTS
 * (100,000) rows shaped like the export benchmark's, in batches of 1,000, written as .xlsx and as CSV into a sink that
 * counts the bytes and drops them (a turn of the event loop per chunk, as a socket would take). Prints the writer's CPU time (rows per CPU second: what the file costs, whatever else
 * runs on the machine) and the process's peak RSS and heap. The batches are made as they are asked for, as the
 * database's would be.
 */
const ROWS = Number(process.env.BENCH_EXPORT_REPORTS ?? 100_000);
const BATCH = 1000;

async function* batches(): AsyncGenerator<CellValue[][]> {
  const now = Date.now();
  for (let start = 0; start < ROWS; start += BATCH) {
    const batch: CellValue[][] = [];
    for (let g = start; g < Math.min(ROWS, start + BATCH); g++) {
      batch.push([
        ROWS - g, g % 3 ? 'Geregistreerd' : 'In behandeling', 'Langdurig relatief verzuim', String(810000000 + (g % 1000) * 7), `B. Leerling ${g}`,
        '2014-03-14', 'Exportbenchschool', '97EX01', 'Hoofdlocatie', 'Amsterdam', now - (g % 600) * 3_600_000, '2026-10-22', '2026-11-26',
        g % 30, g % 200, null, null, now,
      ]);
    }
    yield batch;
  }
}

export async function benchExportWriter(): Promise<void> {
  const lines = [`${ROWS} rows in batches of ${BATCH}; Node ${process.version}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} CPUs`];
  for (const format of ['xlsx', 'csv'] as const) {
    let bytes = 0;
    const sink = new Writable({ write(chunk: Buffer, _encoding, done) { bytes += chunk.length; setImmediate(done); } });
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    let heap = 0;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peak = Math.max(peak, m.rss);
      heap = Math.max(heap, m.heapUsed);
    }, 20);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const rows = await (format === 'xlsx' ? writeXlsx(sink, batches()) : writeCsv(sink, batches()));
    await new Promise<void>((resolve, reject) => (sink.writableFinished ? resolve() : sink.on('finish', resolve).on('error', reject)));
    const cpu = process.cpuUsage(cpu0);
    const seconds = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    lines.push(
      `${format.padEnd(5)}: ${rows} rows in ${seconds.toFixed(2)} s = ${(rows / seconds).toFixed(0)} rows/s; ${(bytes / 2 ** 20).toFixed(1)} MiB; `
      + `CPU ${cpuSeconds.toFixed(2)} s (${(rows / cpuSeconds).toFixed(0)} rows per CPU second); `
      + `rss ${(rssBefore / 2 ** 20).toFixed(0)} MiB before, peak ${(peak / 2 ** 20).toFixed(0)} MiB; heap used peak ${(heap / 2 ** 20).toFixed(0)} MiB`,
    );
  }
  process.stdout.write(lines.join('\n') + '\n');
}
