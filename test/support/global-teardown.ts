import { rmSync } from 'node:fs';
import { Client } from 'pg';

export default async function globalTeardown(): Promise<void> {
  if (process.env.VZL_TEST_AXE_DIR) rmSync(process.env.VZL_TEST_AXE_DIR, { recursive: true, force: true });
  const { VZL_TEST_ADMIN_URL: adminUrl, VZL_TEST_TEMPLATE: template } = process.env;
  if (!adminUrl || !template) return;
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    // Only this run's databases: another run may be using the server at the same time.
    const left = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $1 || '_%'`, [template]);
    for (const { datname } of left.rows) await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
