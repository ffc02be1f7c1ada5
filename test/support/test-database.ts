import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

export interface TestDatabase {
  /** Environment for the app: a cloned PostgreSQL database, or a data folder for the embedded one. */
  env: Record<string, string>;
  drop(): Promise<void>;
}

/** A clean database for one test file (see global-setup.ts). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vzl-test-'));
  const base = { DATA_DIR: dataDir, PGN_ENCRYPTION_KEY: randomBytes(32).toString('base64'), LOG_LEVEL: 'error' };
  const { VZL_TEST_ADMIN_URL: adminUrl, VZL_TEST_TEMPLATE: template } = process.env;
  if (!adminUrl || !template) {
    return { env: base, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const name = `${template}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    env: { ...base, DATABASE_URL: url.toString(), DATABASE_POOL_SIZE: '5' },
    drop: async () => {
      const c = new Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
