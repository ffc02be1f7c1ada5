import { MigrationInterface, QueryRunner } from 'typeorm';

/** The first-run link (ADR 0012): a start without an operator prints a one-time link; only its token's hash is kept. */
export class FirstRun1765500000000 implements MigrationInterface {
  name = 'FirstRun1765500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "first_run_link" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "token_hash" bytea NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE, "user_id" uuid, CONSTRAINT "PK_first_run_link" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "first_run_link_token_key" ON "first_run_link" ("token_hash") `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "first_run_link"`);
  }
}
