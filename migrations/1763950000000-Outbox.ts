import { MigrationInterface, QueryRunner } from 'typeorm';

/** The e-mail outbox, and each person's choice of immediate e-mails, a daily digest or none. */
export class Outbox1763950000000 implements MigrationInterface {
  name = 'Outbox1763950000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "outbox_message" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "template" text NOT NULL, "event_id" bigint, "organisation_id" uuid NOT NULL, "user_id" uuid, "recipient" text NOT NULL, "data" jsonb NOT NULL DEFAULT '{}', "sealed" bytea, "status" text NOT NULL DEFAULT 'PENDING', "attempts" integer NOT NULL DEFAULT '0', "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "claimed_until" TIMESTAMP WITH TIME ZONE, "last_error" text, "digest_id" uuid, "sent_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_2f36ee5236f2793f3e7bd554589" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "outbox_message_failed_idx" ON "outbox_message"  ("organisation_id", "created_at") WHERE status = 'FAILED'`);
    await q.query(`CREATE INDEX "outbox_message_due_idx" ON "outbox_message"  ("next_attempt_at") WHERE status IN ('PENDING', 'DIGEST')`);
    await q.query(`CREATE UNIQUE INDEX "outbox_message_event_recipient_key" ON "outbox_message"  ("event_id", "recipient") WHERE event_id IS NOT NULL`);
    await q.query(`ALTER TABLE "user_account" ADD "mail_frequency" text NOT NULL DEFAULT 'IMMEDIATE'`);
    await q.query(`ALTER TABLE "outbox_message" ADD CONSTRAINT "outbox_message_event_fk" FOREIGN KEY ("event_id") REFERENCES "report_event"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "outbox_message" ADD CONSTRAINT "outbox_message_organisation_fk" FOREIGN KEY ("organisation_id") REFERENCES "organisation"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "outbox_message" ADD CONSTRAINT "outbox_message_user_fk" FOREIGN KEY ("user_id") REFERENCES "user_account"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "user_account" DROP COLUMN "mail_frequency"`);
    await q.query(`DROP TABLE "outbox_message"`);
  }
}
