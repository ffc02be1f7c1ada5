import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options';
import { EmbeddedDatabase } from './embedded-database';

/**
 * Fails when the entities and the migrations disagree: migrates an empty database (DATABASE_URL, which must be an
 * empty database, or else an in-memory embedded one) and asks TypeORM what schema changes it would still make.
 * The same check as `typeorm migration:generate --check`.
 */
export async function pendingSchemaChanges(url: string): Promise<string[]> {
  const ds = new DataSource(dataSourceOptions(url, 2));
  await ds.initialize();
  try {
    await ds.runMigrations({ transaction: 'each' });
    const sql = await ds.driver.createSchemaBuilder().log();
    return sql.upQueries.map((q) => q.query);
  } finally {
    await ds.destroy();
  }
}

async function main(): Promise<void> {
  const embedded = process.env.DATABASE_URL ? null : await EmbeddedDatabase.start(null);
  try {
    const pending = await pendingSchemaChanges(process.env.DATABASE_URL ?? embedded!.url);
    if (pending.length > 0) {
      process.stderr.write(`De entiteiten en de migraties verschillen; een nieuwe migratie zou uitvoeren:\n${pending.join(';\n')};\n`);
      process.exitCode = 1;
    } else {
      process.stdout.write('Migraties en entiteiten komen overeen.\n');
    }
  } finally {
    await embedded?.stop();
  }
}

if (require.main === module) void main();
