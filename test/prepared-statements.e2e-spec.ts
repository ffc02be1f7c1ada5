import { QueryFailedError } from 'typeorm';
import { MAX_PREPARED_STATEMENTS, preparedQuery } from '../src/common/prepared-query';
import { TestApp } from './support/test-app';

/**
 * The busy paths' statements are prepared once per connection (ADR 0016): what a caller gets back is what `query`
 * gives, errors included, and the number of statements held in a connection stays bounded.
 */
describe('prepared statements', () => {
  let t: TestApp;

  beforeAll(async () => (t = await TestApp.start()));
  afterAll(() => t.stop());

  const prepared = (m: Parameters<typeof preparedQuery>[0], text: string) =>
    m.query('SELECT name FROM pg_prepared_statements WHERE statement = $1', [text]) as Promise<{ name: string }[]>;

  it('answers as query does, and the connection keeps the statement for the next call', async () => {
    await t.db.transaction(async (m) => {
      const text = 'SELECT $1::int + 1 AS n, $2::text AS s';
      expect(await preparedQuery(m, text, [41, 'x'])).toEqual(await m.query(text, [41, 'x']));
      expect(await prepared(m, text)).toHaveLength(1);
      expect(await preparedQuery(m, text, [1, null])).toEqual([{ n: 2, s: null }]);
      expect(await prepared(m, text)).toHaveLength(1);
    });
  });

  it('gives a database error as the QueryFailedError the error handling knows, with its code', async () => {
    const error = await preparedQuery(t.db, 'SELECT 1 / $1::int AS n', [0]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryFailedError);
    expect((error as QueryFailedError & { driverError: { code: string } }).driverError.code).toBe('22012');
    // Outside a transaction the connection goes back to the pool: the next statement still runs.
    expect(await preparedQuery(t.db, 'SELECT 1 / $1::int AS n', [1])).toEqual([{ n: 1 }]);
  });

  it('prepares no more than a bounded number of statements; others run unnamed and still answer', async () => {
    await t.db.transaction(async (m) => {
      for (let i = 0; i < MAX_PREPARED_STATEMENTS; i++) await preparedQuery(m, `SELECT $1::int + ${i} AS bounded`, [0]);
      const text = `SELECT $1::int + ${MAX_PREPARED_STATEMENTS} AS bounded`;
      expect(await preparedQuery(m, text, [1])).toEqual([{ bounded: MAX_PREPARED_STATEMENTS + 1 }]);
      expect(await prepared(m, text)).toHaveLength(0);
      const [{ held }] = await m.query("SELECT count(*)::int AS held FROM pg_prepared_statements WHERE name LIKE 'vzl\\_%'");
      expect(held).toBeLessThanOrEqual(MAX_PREPARED_STATEMENTS);
    });
  });

});
