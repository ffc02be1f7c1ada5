import { MigrationInterface, QueryRunner } from 'typeorm';

/** Webhooks: the endpoints of organisations' systems, the CloudEvents they are sent, and the delivery outbox and log. */
export class Webhooks1764600000000 implements MigrationInterface {
  name = 'Webhooks1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "webhook_endpoint" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organisation_id" uuid NOT NULL, "url" text NOT NULL, "description" text NOT NULL DEFAULT '', "event_types" text array NOT NULL, "status" text NOT NULL DEFAULT 'ACTIVE', "disabled_reason" text, "disabled_at" TIMESTAMP WITH TIME ZONE, "secret_sealed" bytea NOT NULL, "previous_secret_sealed" bytea, "previous_secret_expires_at" TIMESTAMP WITH TIME ZONE, "failing_since" TIMESTAMP WITH TIME ZONE, "retry_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "lease_until" TIMESTAMP WITH TIME ZONE, "lease_token" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "webhook_endpoint_status_check" CHECK ("status" IN ('ACTIVE','DISABLED')), CONSTRAINT "PK_6c98112122b2b8a4f3984d2efa8" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "webhook_endpoint_due_idx" ON "webhook_endpoint"  ("retry_at") WHERE status = 'ACTIVE'`);
    await q.query(`CREATE INDEX "webhook_endpoint_organisation_idx" ON "webhook_endpoint"  ("organisation_id", "created_at") `);
    await q.query(`CREATE TABLE "webhook_message" ("id" uuid NOT NULL, "event_id" bigint, "type" text NOT NULL, "report_number" integer, "body" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_07903a2e1c41801efd06f7110b8" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "webhook_message_event_idx" ON "webhook_message"  ("event_id") `);
    await q.query(`CREATE TABLE "webhook_delivery" ("id" BIGSERIAL NOT NULL, "endpoint_id" uuid NOT NULL, "message_id" uuid NOT NULL, "txid" bigint NOT NULL, "status" text NOT NULL DEFAULT 'PENDING', "attempts" integer NOT NULL DEFAULT '0', "last_attempt_at" TIMESTAMP WITH TIME ZONE, "last_status_code" integer, "last_answer" text, "last_latency_ms" integer, "delivered_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "webhook_delivery_status_check" CHECK ("status" IN ('PENDING','DELIVERED','FAILED')), CONSTRAINT "PK_b1ae290239a778f12399db91354" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "webhook_delivery_message_idx" ON "webhook_delivery"  ("message_id") `);
    await q.query(`CREATE INDEX "webhook_delivery_log_idx" ON "webhook_delivery"  ("endpoint_id", "id") `);
    await q.query(`CREATE INDEX "webhook_delivery_pending_idx" ON "webhook_delivery"  ("endpoint_id", "txid", "id") WHERE status = 'PENDING'`);
    await q.query(`ALTER TABLE "webhook_endpoint" ADD CONSTRAINT "webhook_endpoint_organisation_fk" FOREIGN KEY ("organisation_id") REFERENCES "organisation"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "webhook_message" ADD CONSTRAINT "webhook_message_event_fk" FOREIGN KEY ("event_id") REFERENCES "report_event"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "webhook_delivery" ADD CONSTRAINT "webhook_delivery_endpoint_fk" FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoint"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "webhook_delivery" ADD CONSTRAINT "webhook_delivery_message_fk" FOREIGN KEY ("message_id") REFERENCES "webhook_message"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "webhook_delivery"`);
    await q.query(`DROP TABLE "webhook_message"`);
    await q.query(`DROP TABLE "webhook_endpoint"`);
  }
}
