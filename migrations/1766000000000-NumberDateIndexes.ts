import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An officer's list of one month (issue 14; `npm run bench -- --scale`, Amsterdam's 56,982 reports of the million):
 * the newest 50 of a month five months back read every report of that month and the others' around them (3,127
 * pages, SQL 32-42 ms), as the list sorted by `number + 0` so as not to walk (receiver, number) from the top checking
 * each report's date in the table. With the date after the number in the index, that walk checks the date in the
 * index and reads only the 50 it shows: 93 pages, 1.4 ms; a month two years back 352 pages. The indexes replace
 * (receiver, number) and (school, number), which they serve as well, so a filing writes no more entries than before.
 */
export class NumberDateIndexes1766000000000 implements MigrationInterface {
  name = 'NumberDateIndexes1766000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "report_receiver_number_created_idx" ON "report" ("receiver_id", "number", "created_at")`);
    await q.query(`CREATE INDEX "report_school_number_created_idx" ON "report" ("school_id", "number", "created_at")`);
    await q.query(`DROP INDEX "report_receiver_number_idx"`);
    await q.query(`DROP INDEX "report_school_number_idx"`);
    await q.query(`ANALYZE "report"`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "report_receiver_number_idx" ON "report" ("receiver_id", "number")`);
    await q.query(`CREATE INDEX "report_school_number_idx" ON "report" ("school_id", "number")`);
    await q.query(`DROP INDEX "report_school_number_created_idx"`);
    await q.query(`DROP INDEX "report_receiver_number_created_idx"`);
  }
}
