import 'reflect-metadata';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';

/**
 * Integration tests run against real PostgreSQL: DATABASE_URL, else the local server. The schema is migrated once
 * into a template database, and every test file clones its own database from it. When no server answers, the
 * tests fall back to the embedded PGlite database, one per test file.
 */
export default async function globalSetup(): Promise<void> {
  // The page shapes axe has passed in this run, shared by the workers (test/support/browser.ts).
  process.env.VZL_TEST_AXE_DIR = mkdtempSync(join(tmpdir(), 'vzl-axe-'));
  const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const client = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
  } catch {
    process.env.VZL_TEST_EMBEDDED = '1';
    process.stdout.write('\nGeen PostgreSQL-server bereikbaar: de tests gebruiken de ingebouwde PGlite-database.\n');
    return;
  }
  const template = `vzl_template_${process.pid}`;
  try {
    await client.query(`DROP DATABASE IF EXISTS ${template}`);
    await client.query(`CREATE DATABASE ${template}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${template}`;
  const ds = new DataSource(dataSourceOptions(url.toString(), 2));
  await ds.initialize();
  await ds.runMigrations({ transaction: 'each' });
  await ds.destroy();
  process.env.VZL_TEST_ADMIN_URL = adminUrl;
  process.env.VZL_TEST_TEMPLATE = template;
}
