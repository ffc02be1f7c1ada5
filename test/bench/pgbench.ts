import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { SentStatement } from '../support/sql-capture';
// node-postgres's own conversion of a parameter to the text it sends.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { prepareValue } = require('pg/lib/utils') as { prepareValue: (v: unknown) => unknown };

/**
 * A value as an SQL literal of unknown type, as node-postgres sends a parameter (text, its type left to the server).
 * An E'' string, with the colon written as \x3a so that pgbench does not take `:28` in a time for a variable.
 */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  const prepared = prepareValue(value);
  const text = Buffer.isBuffer(prepared) ? `\\x${prepared.toString('hex')}` : String(prepared);
  return `E'${text.replace(/\\/g, '\\\\').replace(/'/g, "''").replace(/:/g, '\\x3a')}'`;
}

/** The statement's own string literals with their colons written as \x3a (a time format's HH24:MI), as literal() does. */
function colonsEscaped(sql: string): string {
  return sql.replace(/'(?:[^']|'')*'/g, (quoted) => (quoted.includes(':') ? `E${quoted.replace(/\\/g, '\\\\').replace(/:/g, '\\x3a')}` : quoted));
}

/**
 * The pgbench script of one filing: the statements node-postgres sent, in order, each parameter written in as the
 * literal it sent. What must differ per filing differs: the report's id becomes a random UUID made in the statement,
 * and a value that an earlier statement answered (the id of the report's event, which its e-mails refer to) is taken
 * from that answer (`\gset`), so the outbox rows are inserted rather than meet a conflict.
 */
export function pgbenchScript(statements: SentStatement[]): string {
  const insert = statements.find((s) => /INSERT INTO report \(id,/.test(s.text));
  if (!insert) throw new Error('no INSERT INTO report (id, ...) among the statements of a filing');
  const reportId = insert.values[0];
  const lines = ['\\set rid random(1, 281474976710655)'];
  const answered = new Map<string, string>(); // value -> the variable \gset made of it
  for (const s of statements) {
    const sql = colonsEscaped(s.text)
      .replace(/\$(\d+)/g, (_, n: string) => {
        const v = s.values[Number(n) - 1];
        if (v === reportId) return "('00000000-0000-4000-8000-' || lpad(to_hex(:rid::bigint), 12, '0'))::uuid";
        const variable = v === null || v === undefined ? undefined : answered.get(String(v));
        return variable ? `:${variable}` : literal(v);
      })
      .replace(/\s+/g, ' ')
      .trim();
    // Ids a write answered (the event's): the rest of its answer (a count, a time) is not carried forward.
    const row = Object.entries(s.row ?? {}).filter(([column]) => /^[a-z_]*id$/.test(column));
    const kept = row.length > 0 && /^(WITH|INSERT|UPDATE)/i.test(sql);
    lines.push(kept ? `${sql}\n\\gset` : `${sql};`);
    if (kept) for (const [column, value] of row) if (value !== null && !answered.has(String(value))) answered.set(String(value), column);
  }
  return lines.join('\n') + '\n';
}

/**
 * Runs pgbench with `script` for `seconds` at `clients` connections and gives its transactions per second, or why it
 * could not. `prepared`: each statement parsed and planned once per connection (as the service does for the statements
 * of its busy paths, ADR 0016); `extended`: at every call, as node-postgres does for any other statement.
 */
export async function runPgbench(databaseUrl: string, script: string, protocol: 'prepared' | 'extended', clients: number, seconds: number): Promise<{ tps: number } | { skipped: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'vzl-pgbench-'));
  try {
    const file = join(dir, 'filing.sql');
    writeFileSync(file, script);
    const { stdout } = await promisify(execFile)('pgbench', ['-n', '-M', protocol, '-c', String(clients), '-j', '2', '-T', String(seconds), '-f', file, databaseUrl], { maxBuffer: 1 << 24 });
    const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(stdout);
    return tps ? { tps: Number(tps[1]) } : { skipped: `no tps in pgbench's output: ${stdout.slice(-300)}` };
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    return { skipped: err.code === 'ENOENT' ? 'pgbench is not installed' : `pgbench failed: ${(err.stderr ?? err.message).slice(-400)}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
