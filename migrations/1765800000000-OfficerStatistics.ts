import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An officer's own list ("aan mij toegewezen") at the largest inbox (issue 14): the planner took an officer's reports
 * and the receiver's as independent, so it expected 46 of an officer's 1,035 reports to be the receiver's, read
 * both indexes into a bitmap (24 ms for the receiver's 53,000 rows) and sorted; 12-38 ms of SQL and 1,312 pages for
 * 50 rows. Statistics of the dependency between the two columns (an officer's reports are their organisation's: a
 * forward clears the assignment) let it read the officer's index newest first and stop at 50: 1.7 ms, 363 pages.
 */
export class OfficerStatistics1765800000000 implements MigrationInterface {
  name = 'OfficerStatistics1765800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE STATISTICS "report_assigned_receiver_stats" (dependencies) ON "assigned_user_id", "receiver_id" FROM "report"`);
    // Filled now, not at autovacuum's next analyze of the table.
    await q.query(`ANALYZE "report"`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP STATISTICS "report_assigned_receiver_stats"`);
  }
}
