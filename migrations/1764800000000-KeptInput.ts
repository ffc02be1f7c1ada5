import { MigrationInterface, QueryRunner } from 'typeorm';

/** Form input kept across an ended session, and one-time results after Post/Redirect/Get (sealed, short-lived). */
export class KeptInput1764800000000 implements MigrationInterface {
  name = 'KeptInput1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "kept_input" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "token_hash" bytea NOT NULL, "purpose" text NOT NULL, "user_id" uuid, "page" text NOT NULL, "sealed" bytea NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_kept_input" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "kept_input_token_key" ON "kept_input" ("token_hash") `);
    await q.query(`CREATE INDEX "kept_input_expires_idx" ON "kept_input" ("expires_at") `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "kept_input"`);
  }
}
