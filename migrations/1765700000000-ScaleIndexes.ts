import { MigrationInterface, QueryRunner } from 'typeorm';
import { STATUS_ORDER } from '../src/kernel/report-codes';

/** The status rank as src/reports/report-queries.ts sorts, filters and counts by it (the index must hold the same expression). */
const RANK = `array_position(ARRAY['${STATUS_ORDER.join("','")}']::text[], "status")`;

/**
 * Speed at a million reports (issue 14, ADR 0014): indexes that serve a list's filter and order together, so that
 * the largest receiver's pages read 50 rows from an index in order instead of sorting tens of thousands, and the
 * start page counts from an index alone.
 * - (receiver, status rank, number) and (school, status rank, number): sorting by status across pages, the status
 *   filter newest first, and the open reports by status on the start page (index-only).
 * - (receiver, kind, number): the kind filter newest first.
 * - (receiver, created_at, kind): the month filter, the overview's count, the start page's months by kind (index-only).
 * - the name search's GIN index gains the receiver and the school in front (btree_gin), so that a common surname is
 *   looked up within one inbox instead of among all reports; it replaces the GIN index of the grams alone.
 * - the history events carry their report's receiver and school, indexed with the feed's order (txid, id), so that a
 *   page of the changes feed reads that side's next 500 events instead of every organisation's events since the cursor.
 */
export class ScaleIndexes1765700000000 implements MigrationInterface {
  name = 'ScaleIndexes1765700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS btree_gin`);
    await q.query(`CREATE INDEX "report_receiver_status_idx" ON "report" ("receiver_id", (${RANK}), "number")`);
    await q.query(`CREATE INDEX "report_school_status_idx" ON "report" ("school_id", (${RANK}), "number")`);
    await q.query(`CREATE INDEX "report_receiver_kind_number_idx" ON "report"  ("receiver_id", "kind", "number") `);
    await q.query(`CREATE INDEX "report_receiver_created_kind_idx" ON "report"  ("receiver_id", "created_at", "kind") `);
    await q.query(`CREATE INDEX "report_side_name_grams_idx" ON "report" USING gin ("receiver_id", "school_id", "pupil_name_grams")`);
    await q.query(`DROP INDEX "report_name_grams_idx"`);
    await q.query(`ALTER TABLE "report_event" ADD "receiver_id" uuid`);
    await q.query(`ALTER TABLE "report_event" ADD "school_id" uuid`);
    await q.query(`UPDATE "report_event" e SET "receiver_id" = r."receiver_id", "school_id" = r."school_id" FROM "report" r WHERE r."id" = e."report_id"`);
    await q.query(`ALTER TABLE "report_event" ALTER COLUMN "receiver_id" SET NOT NULL`);
    await q.query(`ALTER TABLE "report_event" ALTER COLUMN "school_id" SET NOT NULL`);
    await q.query(`CREATE INDEX "report_event_receiver_feed_idx" ON "report_event"  ("receiver_id", "txid", "id") `);
    await q.query(`CREATE INDEX "report_event_school_feed_idx" ON "report_event"  ("school_id", "txid", "id") `);
    // The planner's figures for the new columns and the rank expression now, not at autovacuum's next round.
    await q.query(`ANALYZE "report"`);
    await q.query(`ANALYZE "report_event"`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "report_event_school_feed_idx"`);
    await q.query(`DROP INDEX "report_event_receiver_feed_idx"`);
    await q.query(`ALTER TABLE "report_event" DROP COLUMN "school_id"`);
    await q.query(`ALTER TABLE "report_event" DROP COLUMN "receiver_id"`);
    await q.query(`CREATE INDEX "report_name_grams_idx" ON "report" USING gin ("pupil_name_grams")`);
    for (const index of ['report_side_name_grams_idx', 'report_receiver_created_kind_idx', 'report_receiver_kind_number_idx', 'report_school_status_idx', 'report_receiver_status_idx']) {
      await q.query(`DROP INDEX "${index}"`);
    }
  }
}
