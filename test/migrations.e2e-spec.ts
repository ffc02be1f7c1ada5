import { Client } from 'pg';
import { pendingSchemaChanges } from '../src/database/check-migrations';
import { EmbeddedDatabase } from '../src/database/embedded-database';

describe('migrations', () => {
  it('describe exactly the entities, on the database the tests run against', async () => {
    const { VZL_TEST_ADMIN_URL: adminUrl } = process.env;
    if (!adminUrl) {
      const embedded = await EmbeddedDatabase.start(null);
      try {
        expect(await pendingSchemaChanges(embedded.url)).toEqual([]);
      } finally {
        await embedded.stop();
      }
      return;
    }
    const name = `${process.env.VZL_TEST_TEMPLATE}_mig`;
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    try {
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      expect(await pendingSchemaChanges(url.toString())).toEqual([]);
      const check = new Client({ connectionString: url.toString() });
      await check.connect();
      const counts = await check.query(`SELECT type, count(*)::int AS n FROM organisation GROUP BY type ORDER BY type`);
      await check.end();
      expect(counts.rows).toEqual([
        { type: 'GEMEENTE', n: 342 },
        { type: 'OPERATOR', n: 1 },
        { type: 'RMC_REGIO', n: 40 },
      ]);
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  });
});
