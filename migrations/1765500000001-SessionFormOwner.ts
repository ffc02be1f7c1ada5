import { MigrationInterface, QueryRunner } from 'typeorm';

/** A form sent after signing out names its person by the session's CSRF token (kept input goes back to them alone). */
export class SessionFormOwner1765500000001 implements MigrationInterface {
  name = 'SessionFormOwner1765500000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "user_session_csrf_idx" ON "user_session" ("csrf_token") `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "user_session_csrf_idx"`);
  }
}
