import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

/**
 * Runs a scheduled job once per period over all instances: the run holds a PostgreSQL advisory lock for its whole
 * length (one job at a time), and a row in job_run per (job, period) says it was done. Work that fails removes its
 * row, so that the next tick tries again. The work gets the locked connection's manager: with the embedded database
 * (one connection) any other connection would wait for this one.
 */
@Injectable()
export class JobRunner {
  private readonly logger = new Logger('Taken');

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The work's summary, or null when another instance holds the lock or the period was done already. */
  async once(job: string, period: string, work: (m: EntityManager) => Promise<Record<string, unknown>>): Promise<Record<string, unknown> | null> {
    const runner = this.db.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }] = await runner.query(`SELECT pg_try_advisory_lock(hashtextextended('verzuimloket:jobs', 0)) AS locked`);
      if (!locked) return null;
      try {
        const claimed = await runner.query('INSERT INTO job_run (job, period) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING job', [job, period]);
        if (claimed.length === 0) return null;
        try {
          const summary = await work(runner.manager);
          await runner.query('UPDATE job_run SET finished_at = now(), summary = $3 WHERE job = $1 AND period = $2', [job, period, JSON.stringify(summary)]);
          this.logger.log(`${job} ${period}: ${JSON.stringify(summary)}`);
          return summary;
        } catch (error) {
          await runner.query('DELETE FROM job_run WHERE job = $1 AND period = $2', [job, period]);
          throw error;
        }
      } finally {
        await runner.query(`SELECT pg_advisory_unlock(hashtextextended('verzuimloket:jobs', 0))`);
      }
    } finally {
      await runner.release();
    }
  }
}
