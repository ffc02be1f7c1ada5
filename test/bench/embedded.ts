import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

/**
 * `npm run bench -- --embedded`: the default run of issue 14 ("ready within 5 s of the build, idle under 250 MB, also
 * on the very first start"). With a fresh temporary DATA_DIR and no DATABASE_URL it spawns the built service
 * (`node dist/src/main.js`), asks /health/ready every 25 ms until it answers 200, and samples the resident memory of
 * the process and any children every 100 ms; then it lets the service idle BENCH_EMBEDDED_IDLE_SECONDS (30) and
 * samples again, stops it with SIGTERM and starts it again on the same DATA_DIR. Wall-clock time depends on what else
 * runs on the machine, so each row also gives the CPU time the service used (user + system, all its threads), which
 * does not, and the load average. The phases come from the service's own log lines: first line (modules loaded),
 * embedded database open, migrations done, listening.
 */
const IDLE_SECONDS = Number(process.env.BENCH_EMBEDDED_IDLE_SECONDS ?? 30);
/** Clock ticks per second in /proc/<pid>/stat (USER_HZ: 100 on Linux). */
const TICK = 100;
const mib = (kib: number) => (kib / 1024).toFixed(0);

interface Run {
  name: string;
  readyMs: number;
  cpuReadyMs: number;
  mainCpuReadyMs: number;
  peakKib: number;
  readyKib: number;
  idleKib: number;
  cpuIdleMs: number;
  phases: string;
  load: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** The process and its descendants, from /proc. */
function family(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const all = [pid];
  for (let i = 0; i < all.length; i++) all.push(...(parents.get(all[i]) ?? []));
  return all;
}

function status(pid: number, field: string): number {
  try {
    return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Resident memory (KiB) of the process and its children. */
const rss = (pid: number) => family(pid).reduce((sum, p) => sum + status(p, 'VmRSS'), 0);
function cpuOf(statFile: string): number {
  try {
    const f = readFileSync(statFile, 'utf8');
    const [utime, stime] = f.slice(f.lastIndexOf(')') + 2).split(' ').slice(11, 13).map(Number);
    return ((utime + stime) * 1000) / TICK;
  } catch {
    return 0;
  }
}
/** CPU time (ms, user + system, all threads) of the process and its children. */
const cpu = (pid: number) => family(pid).reduce((sum, p) => sum + cpuOf(`/proc/${p}/stat`), 0);
/**
 * CPU time of the main thread alone: JavaScript runs there, so on an idle machine with a core to spare for the
 * compiler and garbage-collector threads this is about the least the start can take.
 */
const mainThreadCpu = (pid: number) => cpuOf(`/proc/${pid}/task/${pid}/stat`);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');

async function startOnce(name: string, dataDir: string): Promise<Run> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'log', NODE_ENV: 'development' };
  delete env.DATABASE_URL;
  delete env.VZL_TEST_EMBEDDED;
  const loadBefore = load();
  const t0 = Date.now();
  const p0 = performance.now();
  const child = spawn(process.execPath, ['dist/src/main.js'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: { at: number; cpu: number; msg: string }[] = [];
  let buffered = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    for (const line of parts) {
      try {
        const j = JSON.parse(line) as { time: string; msg: string };
        lines.push({ at: Date.parse(j.time) - t0, cpu: cpu(child.pid!), msg: j.msg });
      } catch {
        lines.push({ at: Date.now() - t0, cpu: cpu(child.pid!), msg: line });
      }
    }
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => (gone = true));

  const pid = child.pid!;
  let peakKib = 0;
  const sampler = setInterval(() => (peakKib = Math.max(peakKib, rss(pid))), 100);
  let readyMs = 0;
  try {
    for (;;) {
      if (gone) throw new Error(`${name}: the service stopped before it was ready:\n${stderr}`);
      if (performance.now() - p0 > 600_000) throw new Error(`${name}: not ready after 10 minutes`);
      const ok = await fetch(`http://127.0.0.1:${port}/health/ready`).then((r) => r.status === 200, () => false);
      if (ok) {
        readyMs = performance.now() - p0;
        break;
      }
      await sleep(25);
    }
    const cpuReadyMs = cpu(pid);
    const mainCpuReadyMs = mainThreadCpu(pid);
    const readyKib = rss(pid);
    peakKib = Math.max(peakKib, readyKib, status(pid, 'VmHWM'));
    await sleep(IDLE_SECONDS * 1000);
    const idleKib = rss(pid);
    const cpuIdleMs = cpu(pid) - cpuReadyMs;
    const opened = /^Ingebouwde database \(PGlite\)/;
    const fmt = (l: { at: number; cpu: number } | undefined) => (l ? `${(l.at / 1000).toFixed(1)} (CPU ${(l.cpu / 1000).toFixed(1)})` : '-');
    const phases = [
      `first log ${fmt(lines[0])}`,
      `database open ${fmt(lines.find((l) => opened.test(l.msg)))}`,
      `migrated ${fmt(lines.filter((l) => /^Migratie uitgevoerd/.test(l.msg)).pop() ?? lines.find((l) => opened.test(l.msg)))}`,
      `listening ${fmt(lines.find((l) => /^Klaar op/.test(l.msg)))}`,
    ].join(', ');
    return { name, readyMs, cpuReadyMs, mainCpuReadyMs, peakKib, readyKib, idleKib, cpuIdleMs, phases, load: `${loadBefore} / ${load()}` };
  } finally {
    clearInterval(sampler);
    if (!gone) child.kill('SIGTERM');
    const code = await exited;
    if (code !== 0 && code !== null) process.stderr.write(`${name}: exit code ${code}\n${stderr}`);
  }
}

export async function benchEmbedded(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vzl-embedded-'));
  const runs: Run[] = [];
  try {
    runs.push(await startOnce('first start', dataDir));
    runs.push(await startOnce('restart', dataDir));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  const head = ['run', 'ready s', 'CPU to ready s', 'of which main thread s', 'peak RSS MiB', 'RSS at ready MiB', `RSS after ${IDLE_SECONDS} s idle MiB`, `CPU in idle s`];
  const rows = runs.map((r) => [
    r.name,
    (r.readyMs / 1000).toFixed(2),
    (r.cpuReadyMs / 1000).toFixed(2),
    (r.mainCpuReadyMs / 1000).toFixed(2),
    mib(r.peakKib),
    mib(r.readyKib),
    mib(r.idleKib),
    (r.cpuIdleMs / 1000).toFixed(2),
  ]);
  const out = [
    `embedded default (PGlite in a fresh DATA_DIR), node dist/src/main.js; Node ${process.version}; ${cpus().length} cores (${cpus()[0]?.model ?? '?'})`,
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    ...runs.map((r) => `${r.name}: phases (s after spawn, and CPU s used by then): ${r.phases}; load average before / after: ${r.load}`),
  ];
  process.stdout.write(out.join('\n') + '\n');
}
