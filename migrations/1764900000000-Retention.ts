import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention and reporting (issue 12): destruction records of erased reports, the runs of scheduled jobs, and the
 * monthly reports. The tables are TypeORM's own SQL for the entities. By hand: the audit log stays append-only, except
 * that the erasure may empty the details of entries about a report it erases (the session setting
 * verzuimloket.erasure, set only inside the erasure's transaction); every other column must stay as it was.
 */
export class Retention1764900000000 implements MigrationInterface {
  name = 'Retention1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "monthly_report" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organisation_id" uuid NOT NULL, "month" date NOT NULL, "made_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "figures" jsonb NOT NULL, CONSTRAINT "PK_fe8b38d177d9ee8af29e9d970e9" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "monthly_report_expires_idx" ON "monthly_report"  ("expires_at") `);
    await q.query(`CREATE UNIQUE INDEX "monthly_report_organisation_month_key" ON "monthly_report"  ("organisation_id", "month") `);
    await q.query(`CREATE TABLE "destruction_record" ("report_number" integer NOT NULL, "school_id" uuid NOT NULL, "receiver_id" uuid NOT NULL, "residence_municipality_id" uuid NOT NULL, "kind" text NOT NULL, "status" text NOT NULL, "age_at_begin" integer NOT NULL, "begin_date" date NOT NULL, "filed_at" TIMESTAMP WITH TIME ZONE NOT NULL, "handling_at" TIMESTAMP WITH TIME ZONE, "closed_at" TIMESTAMP WITH TIME ZONE, "closing_reason" text, "closing_explanation" text, "forwards" jsonb NOT NULL DEFAULT '[]', "erased_at" TIMESTAMP WITH TIME ZONE NOT NULL, "rule" text NOT NULL, CONSTRAINT "PK_b9f001aff6c4a1bd1edf8699dcb" PRIMARY KEY ("report_number"))`);
    await q.query(`CREATE INDEX "destruction_record_receiver_idx" ON "destruction_record"  ("receiver_id", "filed_at") `);
    await q.query(`CREATE INDEX "destruction_record_erased_at_idx" ON "destruction_record"  ("erased_at") `);
    await q.query(`CREATE TABLE "job_run" ("job" text NOT NULL, "period" text NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "finished_at" TIMESTAMP WITH TIME ZONE, "summary" jsonb NOT NULL DEFAULT '{}', CONSTRAINT "PK_b4e3f1665d2c056abaadc711209" PRIMARY KEY ("job", "period"))`);
    await q.query(`ALTER TABLE "monthly_report" ADD CONSTRAINT "monthly_report_organisation_fk" FOREIGN KEY ("organisation_id") REFERENCES "organisation"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`);
    // Hand-written: the erasure may scrub an entry's details, and nothing else.
    await q.query(`CREATE OR REPLACE FUNCTION "audit_event_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF current_setting('verzuimloket.erasure', true) = 'on'
       AND (NEW.id, NEW.at, NEW.organisation_id, NEW.actor_type, NEW.actor_id, NEW.actor_name, NEW.action, NEW.subject_type, NEW.subject_id, NEW.outcome, NEW.client_ip)
           IS NOT DISTINCT FROM (OLD.id, OLD.at, OLD.organisation_id, OLD.actor_type, OLD.actor_id, OLD.actor_name, OLD.action, OLD.subject_type, OLD.subject_id, OLD.outcome, OLD.client_ip) THEN
      RETURN NEW;
    END IF;
  END IF;
  RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE OR REPLACE FUNCTION "audit_event_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$`);
    await q.query(`ALTER TABLE "monthly_report" DROP CONSTRAINT "monthly_report_organisation_fk"`);
    await q.query(`DROP TABLE "job_run"`);
    await q.query(`DROP TABLE "destruction_record"`);
    await q.query(`DROP TABLE "monthly_report"`);
  }
}
