import { MigrationInterface, QueryRunner } from 'typeorm';

/** Rate limits shared by all instances (unlogged: counts, not records), and the index the session purge uses. */
export class Hardening1764000000000 implements MigrationInterface {
  name = 'Hardening1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE UNLOGGED TABLE "rate_limit" ("key" text NOT NULL, "hits" integer NOT NULL, "window_end" TIMESTAMP WITH TIME ZONE NOT NULL, "blocked_until" TIMESTAMP WITH TIME ZONE, CONSTRAINT "rate_limit_pkey" PRIMARY KEY ("key"))`);
    await q.query(`CREATE INDEX "user_session_expires_idx" ON "user_session" ("expires_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "user_session_expires_idx"`);
    await q.query(`DROP TABLE "rate_limit"`);
  }
}
