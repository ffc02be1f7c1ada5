import { createHash } from 'node:crypto';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';

/** The part of node-postgres's client this needs: a query with a statement name (none: unnamed, as `query` sends). */
interface NamedQueryClient {
  query(config: { name?: string; text: string; values: unknown[] }): Promise<{ rows: Record<string, unknown>[] }>;
}

/**
 * At most this many distinct statements get a name; any further ones run unnamed, as `query` does. Every name holds a
 * parsed statement and its plans in each connection of the pool, so the number must stay bounded even if a caller
 * built its text from data by mistake.
 */
export const MAX_PREPARED_STATEMENTS = 200;
const names = new Map<string, string>();

function nameOf(sql: string): string | undefined {
  let name = names.get(sql);
  if (name === undefined && names.size < MAX_PREPARED_STATEMENTS) {
    name = `vzl_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`;
    names.set(sql, name);
  }
  return name;
}

/**
 * `manager.query(sql, params)` as a named prepared statement (ADR 0017): PostgreSQL parses and plans it once per
 * connection instead of at every call, which was more than half of its work for a filing's large statements. For the
 * statements of the busy paths, whose text is fixed in the code (or one of a few shapes); the rows come back as from
 * `query`, and a database error as the same QueryFailedError. In a transaction it runs on the transaction's connection.
 */
export async function preparedQuery<T = Record<string, unknown>>(db: DataSource | EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  const manager = db instanceof DataSource ? db.manager : db;
  const own = manager.queryRunner ? undefined : manager.connection.createQueryRunner();
  const runner = manager.queryRunner ?? own!;
  try {
    // As TypeORM's query: a failure to get a connection is passed on as it is, a failed statement as QueryFailedError.
    const client = (await runner.connect()) as NamedQueryClient;
    try {
      const result = await client.query({ name: nameOf(sql), text: sql, values: params });
      return result.rows as T[];
    } catch (error) {
      throw new QueryFailedError(sql, params, error as Error);
    }
  } finally {
    await own?.release();
  }
}
