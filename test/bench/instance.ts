import { ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

/** An instance of the built service in a process of its own, as an operator runs it. */
export interface Instance {
  base: string;
  child: ChildProcess;
  /** Its output (warnings and errors at the log level the benchmark sets). */
  logFile: string;
  /** Resident memory of the process now, in MiB. */
  rssMiB(): number;
  /** User + system CPU seconds the process has used so far. */
  cpuSeconds(): number;
  /** SIGTERM, and wait until it has gone. */
  stop(): Promise<void>;
}

export function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0) / 1024;
}

/** utime + stime of a process from /proc/<pid>/stat, in seconds (clock ticks of 1/100 s on Linux). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds the whole machine has spent (not idle, not waiting), from /proc/stat. */
export function machineCpuSeconds(): number {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = ticks;
  return (user + nice + system + irq + softirq + steal) / 100;
}

/** CPU seconds used so far by every PostgreSQL server process on this machine (0 where there is none to see). */
export function postgresCpuSeconds(): number {
  let total = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres') total += cpuSeconds(Number(pid));
    } catch {
      // the process ended while we looked
    }
  }
  return total;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

async function ready(base: string, child: ChildProcess, log: () => string): Promise<void> {
  const until = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`instance stopped (${child.exitCode}):\n${log()}`);
    const ok = await fetch(`${base}/health/ready`).then((r) => r.ok, () => false);
    if (ok) return;
    if (Date.now() > until) throw new Error(`instance not ready after 120 s:\n${log()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Starts `node dist/src/main.js` (built by `npm run bench`) on a free loopback port with `env` over this process's
 * environment, and waits until it is ready. `nodeOptions` go to node itself (e.g. `--cpu-prof`).
 */
export async function startInstance(name: string, env: Record<string, string>, nodeOptions: string[] = []): Promise<Instance> {
  const port = await freePort();
  const logFile = join(tmpdir(), `vzl-${name}-${process.pid}.log`);
  let out = '';
  const child = spawn(process.execPath, [...nodeOptions, 'dist/src/main.js'], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (c: Buffer) => {
    out = (out + c.toString()).slice(-20_000);
    appendFileSync(logFile, c);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const base = `http://127.0.0.1:${port}`;
  try {
    await ready(base, child, () => out);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  return {
    base,
    child,
    logFile,
    rssMiB: () => rssMiB(child.pid!),
    cpuSeconds: () => cpuSeconds(child.pid!),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    },
  };
}
