import { MigrationInterface, QueryRunner } from 'typeorm';
import { nameGrams, nameKey } from '../src/reports/pupil-name-key';

const BATCH = 2000;

/**
 * The officer's workload (issue 11): the name search (a normalised key and its 3-grams in a GIN index, ADR 0016),
 * indexes for the birth date, school and officer filters and for what changed lately, the assignment of a report to an
 * officer with its history, and each person's read marks. Existing reports get their name key here, in batches.
 */
export class Workload1765400000000 implements MigrationInterface {
  name = 'Workload1765400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "report_assignment" ("id" BIGSERIAL NOT NULL, "report_id" uuid NOT NULL, "organisation_id" uuid NOT NULL, "user_id" uuid, "user_name" text, "actor_name" text NOT NULL, "actor_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a1c1aa3e542bb7ffd9c4569f347" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "report_assignment_report_idx" ON "report_assignment"  ("report_id", "id") `);
    await q.query(`CREATE TABLE "report_read_mark" ("user_id" uuid NOT NULL, "report_id" uuid NOT NULL, "seen_event_id" bigint NOT NULL, "seen_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_081e20c1084d937b51fac98eae4" PRIMARY KEY ("user_id", "report_id"))`);
    await q.query(`ALTER TABLE "report" ADD "pupil_name_key" text NOT NULL DEFAULT ''`);
    await q.query(`ALTER TABLE "report" ADD "pupil_name_grams" text array NOT NULL DEFAULT '{}'`);
    await q.query(`ALTER TABLE "report" ADD "assigned_user_id" uuid`);
    for (let after = '00000000-0000-0000-0000-000000000000'; ;) {
      const rows: { id: string; pupil_prefix: string | null; pupil_surname: string }[] = await q.query(
        'SELECT id, pupil_prefix, pupil_surname FROM report WHERE id > $1 ORDER BY id LIMIT $2', [after, BATCH],
      );
      if (rows.length === 0) break;
      const keyed = rows.map((r) => {
        const key = nameKey(r.pupil_prefix, r.pupil_surname);
        return { id: r.id, k: key, g: nameGrams(key) };
      });
      await q.query(
        `UPDATE report r SET pupil_name_key = x.k, pupil_name_grams = ARRAY(SELECT jsonb_array_elements_text(x.g))
           FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, k text, g jsonb) WHERE r.id = x.id`,
        [JSON.stringify(keyed)],
      );
      after = rows[rows.length - 1].id;
    }
    await q.query(`CREATE INDEX "report_name_grams_idx" ON "report" USING gin ("pupil_name_grams")`);
    await q.query(`CREATE INDEX "report_birth_date_idx" ON "report"  ("pupil_birth_date") `);
    await q.query(`CREATE INDEX "report_assigned_number_idx" ON "report"  ("assigned_user_id", "number") WHERE assigned_user_id IS NOT NULL`);
    await q.query(`CREATE INDEX "report_school_updated_idx" ON "report"  ("school_id", "updated_at") `);
    await q.query(`CREATE INDEX "report_receiver_updated_idx" ON "report"  ("receiver_id", "updated_at") `);
    await q.query(`CREATE INDEX "report_receiver_school_number_idx" ON "report"  ("receiver_id", "school_id", "number") `);
    await q.query(`ALTER TABLE "report" ADD CONSTRAINT "report_assigned_user_fk" FOREIGN KEY ("assigned_user_id") REFERENCES "user_account"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "report_assignment" ADD CONSTRAINT "report_assignment_report_fk" FOREIGN KEY ("report_id") REFERENCES "report"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "report_assignment" ADD CONSTRAINT "report_assignment_organisation_fk" FOREIGN KEY ("organisation_id") REFERENCES "organisation"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "report_assignment" ADD CONSTRAINT "report_assignment_user_fk" FOREIGN KEY ("user_id") REFERENCES "user_account"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "report_read_mark" ADD CONSTRAINT "report_read_mark_user_fk" FOREIGN KEY ("user_id") REFERENCES "user_account"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "report_read_mark" ADD CONSTRAINT "report_read_mark_report_fk" FOREIGN KEY ("report_id") REFERENCES "report"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "report_read_mark"`);
    await q.query(`DROP TABLE "report_assignment"`);
    await q.query(`ALTER TABLE "report" DROP CONSTRAINT "report_assigned_user_fk"`);
    for (const index of ['report_receiver_school_number_idx', 'report_receiver_updated_idx', 'report_school_updated_idx', 'report_assigned_number_idx', 'report_birth_date_idx', 'report_name_grams_idx']) {
      await q.query(`DROP INDEX "public"."${index}"`);
    }
    await q.query(`ALTER TABLE "report" DROP COLUMN "assigned_user_id"`);
    await q.query(`ALTER TABLE "report" DROP COLUMN "pupil_name_grams"`);
    await q.query(`ALTER TABLE "report" DROP COLUMN "pupil_name_key"`);
  }
}
