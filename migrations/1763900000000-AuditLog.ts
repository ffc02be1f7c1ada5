import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit log (src/audit/audit-event.entity.ts). The table and its indexes are TypeORM's own SQL for the entity;
 * the trigger is written by hand: it makes the table append-only for everyone who does not drop or disable it
 * (UPDATE, DELETE and TRUNCATE raise an exception).
 */
export class AuditLog1763900000000 implements MigrationInterface {
  name = 'AuditLog1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query("CREATE TABLE \"audit_event\" (\"id\" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, \"at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), \"organisation_id\" uuid NOT NULL, \"actor_type\" text NOT NULL, \"actor_id\" uuid, \"actor_name\" text NOT NULL, \"action\" text NOT NULL, \"subject_type\" text, \"subject_id\" text, \"outcome\" text NOT NULL, \"client_ip\" text, \"details\" jsonb NOT NULL DEFAULT '{}', CONSTRAINT \"audit_event_outcome_check\" CHECK (\"outcome\" IN ('SUCCESS','FAILURE','DENIED')), CONSTRAINT \"audit_event_actor_type_check\" CHECK (\"actor_type\" IN ('USER','API_KEY','SYSTEM','ANONYMOUS')), CONSTRAINT \"PK_481efbe8b0a403efe3f47a6528f\" PRIMARY KEY (\"id\"))");
    await q.query("CREATE INDEX \"audit_event_action_idx\" ON \"audit_event\"  (\"organisation_id\", \"action\", \"id\") ");
    await q.query("CREATE INDEX \"audit_event_actor_idx\" ON \"audit_event\"  (\"organisation_id\", \"actor_id\", \"id\") ");
    await q.query("CREATE INDEX \"audit_event_subject_idx\" ON \"audit_event\"  (\"organisation_id\", \"subject_type\", \"subject_id\", \"id\") ");
    await q.query("CREATE INDEX \"audit_event_organisation_idx\" ON \"audit_event\"  (\"organisation_id\", \"id\") ");
    await q.query("ALTER TABLE \"audit_event\" ADD CONSTRAINT \"audit_event_organisation_fk\" FOREIGN KEY (\"organisation_id\") REFERENCES \"organisation\"(\"id\") ON DELETE NO ACTION ON UPDATE NO ACTION");
    // Hand-written: append-only. TypeORM does not know triggers, so the entity check ignores them.
    await q.query(`CREATE FUNCTION "audit_event_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$`);
    await q.query(`CREATE TRIGGER "audit_event_no_change" BEFORE UPDATE OR DELETE ON "audit_event" FOR EACH ROW EXECUTE FUNCTION "audit_event_append_only"()`);
    await q.query(`CREATE TRIGGER "audit_event_no_truncate" BEFORE TRUNCATE ON "audit_event" FOR EACH STATEMENT EXECUTE FUNCTION "audit_event_append_only"()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER "audit_event_no_truncate" ON "audit_event"`);
    await q.query(`DROP TRIGGER "audit_event_no_change" ON "audit_event"`);
    await q.query(`DROP FUNCTION "audit_event_append_only"()`);
    await q.query("ALTER TABLE \"audit_event\" DROP CONSTRAINT \"audit_event_organisation_fk\"");
    await q.query("DROP INDEX \"public\".\"audit_event_organisation_idx\"");
    await q.query("DROP INDEX \"public\".\"audit_event_subject_idx\"");
    await q.query("DROP INDEX \"public\".\"audit_event_actor_idx\"");
    await q.query("DROP INDEX \"public\".\"audit_event_action_idx\"");
    await q.query("DROP TABLE \"audit_event\"");
  }
}
