import { Client } from 'pg';

/** One statement as node-postgres sent it, and the first row it answered. */
export interface SentStatement {
  text: string;
  values: unknown[];
  row?: Record<string, unknown>;
}

/** Records every statement node-postgres sends in this process while `work` runs. */
export async function captureStatements(work: () => Promise<unknown>): Promise<SentStatement[]> {
  const sent: SentStatement[] = [];
  const original = Client.prototype.query;
  (Client.prototype as unknown as { query: (...args: unknown[]) => unknown }).query = function (this: Client, ...args: unknown[]) {
    const q = args[0] as string | { text?: string; values?: unknown[] };
    const text = typeof q === 'string' ? q : q?.text ?? '';
    const values = (Array.isArray(args[1]) ? args[1] : typeof q === 'object' ? q?.values : undefined) ?? [];
    const statement: SentStatement = { text, values: [...values] };
    sent.push(statement);
    const result = (original as unknown as (...a: unknown[]) => unknown).apply(this, args);
    if (result instanceof Promise) void result.then((r: { rows?: Record<string, unknown>[] }) => (statement.row = r?.rows?.[0]), () => undefined);
    return result;
  };
  try {
    await work();
  } finally {
    Client.prototype.query = original;
  }
  return sent;
}
