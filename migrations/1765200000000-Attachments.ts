import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Attachments (aanvullingen) of reports: a row per document and its content in encrypted chunks of at most 256 KiB.
 * The chunks are already encrypted, so PostgreSQL is told not to try compressing them (STORAGE EXTERNAL).
 */
export class Attachments1765200000000 implements MigrationInterface {
  name = 'Attachments1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "attachment" ("id" uuid NOT NULL, "report_id" uuid NOT NULL, "organisation_id" uuid NOT NULL, "actor_name" text NOT NULL, "file_name" text NOT NULL, "description" text NOT NULL DEFAULT '', "media_type" text NOT NULL, "size" integer NOT NULL, "chunk_count" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_attachment" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "attachment_report_idx" ON "attachment" ("report_id", "created_at") `);
    await q.query(`CREATE TABLE "attachment_chunk" ("attachment_id" uuid NOT NULL, "index" integer NOT NULL, "data" bytea NOT NULL, CONSTRAINT "PK_attachment_chunk" PRIMARY KEY ("attachment_id", "index"))`);
    await q.query(`ALTER TABLE "attachment_chunk" ALTER COLUMN "data" SET STORAGE EXTERNAL`);
    await q.query(`ALTER TABLE "attachment" ADD CONSTRAINT "attachment_report_fk" FOREIGN KEY ("report_id") REFERENCES "report"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "attachment" ADD CONSTRAINT "attachment_organisation_fk" FOREIGN KEY ("organisation_id") REFERENCES "organisation"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "attachment_chunk" ADD CONSTRAINT "attachment_chunk_attachment_fk" FOREIGN KEY ("attachment_id") REFERENCES "attachment"("id") ON DELETE CASCADE ON UPDATE NO ACTION DEFERRABLE INITIALLY DEFERRED`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "attachment_chunk"`);
    await q.query(`DROP TABLE "attachment"`);
  }
}
