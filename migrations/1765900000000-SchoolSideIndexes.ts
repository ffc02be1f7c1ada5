import { MigrationInterface, QueryRunner } from 'typeorm';
import { STATUS_ORDER } from '../src/kernel/report-codes';

/** The status rank as src/reports/report-queries.ts sorts by it (the index must hold the same expression). */
const RANK = `array_position(ARRAY['${STATUS_ORDER.join("','")}']::text[], "status")`;

/**
 * A large school at the largest inbox (issue 14): with a secondary school of 5,384 reports in the million seeded
 * (`npm run bench -- --scale`), two reads went over 50 ms.
 * - The school's start page counts its reports per month and kind of the last twelve months. The receiver's side had
 *   (receiver, created_at, kind) for it; the school's side AND-ed its school's rows with a bitmap of every report of
 *   the year (460,000 rows): 41 ms, 3,752 pages. (school, created_at, kind) lets it count from the index alone.
 * - An officer's list of one school's reports sorted by status read all 5,384 of them with their joins and sorted
 *   them for 50 (27 ms, 21,602 pages); (receiver, school, status rank, number) gives the 50 in order.
 */
export class SchoolSideIndexes1765900000000 implements MigrationInterface {
  name = 'SchoolSideIndexes1765900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "report_school_created_kind_idx" ON "report" ("school_id", "created_at", "kind")`);
    await q.query(`CREATE INDEX "report_receiver_school_status_idx" ON "report" ("receiver_id", "school_id", (${RANK}), "number")`);
    await q.query(`ANALYZE "report"`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "report_receiver_school_status_idx"`);
    await q.query(`DROP INDEX "report_school_created_kind_idx"`);
  }
}
