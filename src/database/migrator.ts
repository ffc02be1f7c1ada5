import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Arbitrary constant that names the migration lock among PostgreSQL advisory locks. */
const MIGRATION_LOCK = 7_360_311;

/**
 * Runs pending migrations. On a shared server it holds a session advisory lock, so that several instances
 * starting at once migrate one after the other; the embedded database has one process and one connection.
 */
export async function runMigrations(dataSource: DataSource, useLock: boolean, logger = new Logger('Migrations')): Promise<number> {
  const runner = useLock ? dataSource.createQueryRunner() : null;
  try {
    if (runner) {
      await runner.connect();
      await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    }
    const done = await dataSource.runMigrations({ transaction: 'each' });
    for (const m of done) logger.log(`Migratie uitgevoerd: ${m.name}`);
    return done.length;
  } finally {
    if (runner) {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
      await runner.release();
    }
  }
}
