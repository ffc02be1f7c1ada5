import { MigrationInterface, QueryRunner } from 'typeorm';

/** Organisations, locations, reporters, routing rules, reports with history and messages, API keys. */
export class InitialSchema1763800000000 implements MigrationInterface {
  name = 'InitialSchema1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query("CREATE TABLE \"organisation\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"type\" text NOT NULL, \"code\" text NOT NULL, \"name\" text NOT NULL, \"province\" text, \"sector\" text, \"rmc_region_id\" uuid, \"delegate_id\" uuid, \"contact_municipality_id\" uuid, \"mailbox\" text, \"active\" boolean NOT NULL DEFAULT true, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), \"updated_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"organisation_type_check\" CHECK (\"type\" IN ('SCHOOL','GEMEENTE','REGIONAAL_BUREAU','RMC_REGIO','OPERATOR')), CONSTRAINT \"PK_c725ae234ef1b74cce43d2d00c1\" PRIMARY KEY (\"id\"))");
    await q.query("CREATE UNIQUE INDEX \"organisation_code_key\" ON \"organisation\"  (\"code\") ");
    await q.query("CREATE TABLE \"api_key\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"organisation_id\" uuid NOT NULL, \"name\" text NOT NULL, \"prefix\" text NOT NULL, \"hash\" bytea NOT NULL, \"roles\" text array NOT NULL, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), \"last_used_at\" TIMESTAMP WITH TIME ZONE, \"revoked_at\" TIMESTAMP WITH TIME ZONE, CONSTRAINT \"PK_b1bd840641b8acbaad89c3d8d11\" PRIMARY KEY (\"id\"))");
    await q.query("CREATE INDEX \"api_key_organisation_idx\" ON \"api_key\"  (\"organisation_id\") ");
    await q.query("CREATE UNIQUE INDEX \"api_key_hash_key\" ON \"api_key\"  (\"hash\") ");
    await q.query("CREATE TABLE \"location\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"school_id\" uuid NOT NULL, \"code\" text NOT NULL, \"name\" text NOT NULL, \"street\" text, \"house_number\" text, \"postcode\" text, \"place\" text, \"municipality_id\" uuid, \"active\" boolean NOT NULL DEFAULT true, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), \"updated_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"PK_876d7bdba03c72251ec4c2dc827\" PRIMARY KEY (\"id\"))");
    await q.query("CREATE UNIQUE INDEX \"location_school_code_key\" ON \"location\"  (\"school_id\", \"code\") ");
    await q.query("CREATE TABLE \"reporter\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"school_id\" uuid NOT NULL, \"name\" text NOT NULL, \"function\" text NOT NULL, \"phone\" text NOT NULL, \"email\" text NOT NULL, \"active\" boolean NOT NULL DEFAULT true, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), \"updated_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"PK_18cd9b54d8a47180b333e9c4941\" PRIMARY KEY (\"id\"))");
    await q.query("CREATE INDEX \"reporter_school_idx\" ON \"reporter\"  (\"school_id\") ");
    await q.query("CREATE TABLE \"routing_rule\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"municipality_id\" uuid NOT NULL, \"kind\" text NOT NULL, \"target_id\" uuid NOT NULL, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"PK_b402e9e6a4d11fbd58e076daa2f\" PRIMARY KEY (\"id\"))");
    await q.query("CREATE UNIQUE INDEX \"routing_rule_municipality_kind_key\" ON \"routing_rule\"  (\"municipality_id\", \"kind\") ");
    await q.query("CREATE TABLE \"report\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"number\" SERIAL NOT NULL, \"school_id\" uuid NOT NULL, \"location_id\" uuid NOT NULL, \"reporter_id\" uuid NOT NULL, \"receiver_id\" uuid NOT NULL, \"residence_municipality_id\" uuid NOT NULL, \"kind\" text NOT NULL, \"status\" text NOT NULL, \"pgn_type\" text NOT NULL, \"pgn_encrypted\" bytea NOT NULL, \"pgn_hash\" bytea NOT NULL, \"pupil_initials\" text NOT NULL, \"pupil_prefix\" text, \"pupil_surname\" text NOT NULL, \"pupil_sex\" text NOT NULL, \"pupil_birth_date\" date NOT NULL, \"registered_address\" jsonb NOT NULL, \"residence_address\" jsonb, \"phone\" text, \"student_number\" text, \"reason\" text NOT NULL, \"begin_date\" date NOT NULL, \"end_date\" date, \"all_lessons_missed\" boolean NOT NULL, \"absence_explanation\" text, \"school_action\" text, \"action_wanted\" boolean NOT NULL, \"action_wanted_explanation\" text, \"days_missed\" integer, \"hours_missed\" integer, \"absence_days\" jsonb, \"email_copies\" text NOT NULL, \"closing_reason\" text, \"closing_explanation\" text, \"municipal_contact\" jsonb, \"version\" integer NOT NULL DEFAULT '1', \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), \"updated_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), \"closed_at\" TIMESTAMP WITH TIME ZONE, CONSTRAINT \"report_dates_check\" CHECK (\"end_date\" IS NULL OR \"end_date\" >= \"begin_date\"), CONSTRAINT \"report_status_check\" CHECK (\"status\" IN ('GEREGISTREERD','IN_BEHANDELING','AFGESLOTEN','TER_KENNISNEMING_AANGENOMEN','INGETROKKEN')), CONSTRAINT \"report_kind_check\" CHECK (\"kind\" IN ('16U','LRV','LUXE','RMC','OVERIG')), CONSTRAINT \"PK_99e4d0bea58cba73c57f935a546\" PRIMARY KEY (\"id\"))");
    await q.query("CREATE UNIQUE INDEX \"report_number_key\" ON \"report\"  (\"number\") ");
    await q.query("CREATE INDEX \"report_pgn_hash_idx\" ON \"report\"  (\"pgn_hash\") ");
    await q.query("CREATE INDEX \"report_created_at_idx\" ON \"report\"  (\"created_at\") ");
    await q.query("CREATE INDEX \"report_receiver_number_idx\" ON \"report\"  (\"receiver_id\", \"number\") ");
    await q.query("CREATE INDEX \"report_school_number_idx\" ON \"report\"  (\"school_id\", \"number\") ");
    await q.query("CREATE TABLE \"idempotency_key\" (\"organisation_id\" uuid NOT NULL, \"key\" text NOT NULL, \"request_hash\" text NOT NULL, \"report_id\" uuid NOT NULL, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"PK_e83cf29c7be3a0620430c08c7ec\" PRIMARY KEY (\"organisation_id\", \"key\"))");
    await q.query("CREATE TABLE \"report_event\" (\"id\" BIGSERIAL NOT NULL, \"txid\" bigint NOT NULL, \"report_id\" uuid NOT NULL, \"type\" text NOT NULL, \"actor_organisation_id\" uuid NOT NULL, \"actor_type\" text NOT NULL, \"actor_id\" uuid, \"actor_name\" text NOT NULL, \"changes\" jsonb NOT NULL DEFAULT '[]', \"details\" jsonb NOT NULL DEFAULT '{}', \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"PK_247b406f3221ad7b2c4b4f09933\" PRIMARY KEY (\"id\"))");
    await q.query("CREATE INDEX \"report_event_report_idx\" ON \"report_event\"  (\"report_id\") ");
    await q.query("CREATE INDEX \"report_event_feed_idx\" ON \"report_event\"  (\"txid\", \"id\") ");
    await q.query("CREATE TABLE \"report_message\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"report_id\" uuid NOT NULL, \"organisation_id\" uuid NOT NULL, \"author_name\" text NOT NULL, \"body\" text NOT NULL, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"PK_ab891879b77308d28dc0306fb30\" PRIMARY KEY (\"id\"))");
    await q.query("CREATE INDEX \"report_message_report_idx\" ON \"report_message\"  (\"report_id\") ");
    await q.query("ALTER TABLE \"organisation\" ADD CONSTRAINT \"organisation_rmc_region_fk\" FOREIGN KEY (\"rmc_region_id\") REFERENCES \"organisation\"(\"id\") ON DELETE NO ACTION ON UPDATE NO ACTION");
    await q.query("ALTER TABLE \"organisation\" ADD CONSTRAINT \"organisation_delegate_fk\" FOREIGN KEY (\"delegate_id\") REFERENCES \"organisation\"(\"id\") ON DELETE NO ACTION ON UPDATE NO ACTION");
    await q.query("ALTER TABLE \"organisation\" ADD CONSTRAINT \"organisation_contact_municipality_fk\" FOREIGN KEY (\"contact_municipality_id\") REFERENCES \"organisation\"(\"id\") ON DELETE NO ACTION ON UPDATE NO ACTION");
    await q.query("ALTER TABLE \"api_key\" ADD CONSTRAINT \"api_key_organisation_fk\" FOREIGN KEY (\"organisation_id\") REFERENCES \"organisation\"(\"id\") ON DELETE NO ACTION ON UPDATE NO ACTION");
    await q.query("ALTER TABLE \"location\" ADD CONSTRAINT \"location_school_fk\" FOREIGN KEY (\"school_id\") REFERENCES \"organisation\"(\"id\") ON DELETE NO ACTION ON UPDATE NO ACTION");
    await q.query("ALTER TABLE \"location\" ADD CONSTRAINT \"location_municipality_fk\" FOREIGN KEY (\"municipality_id\") REFERENCES \"organisation\"(\"id\") ON DELETE NO ACTION ON UPDATE NO ACTION");
    await q.query("ALTER TABLE \"reporter\" ADD CONSTRAINT \"reporter_school_fk\" FOREIGN KEY (\"school_id\") REFERENCES \"organisation\"(\"id\") ON DELETE NO ACTION ON UPDATE NO ACTION");
    await q.query("ALTER TABLE \"routing_rule\" ADD CONSTRAINT \"routing_rule_municipality_fk\" FOREIGN KEY (\"municipality_id\") REFERENCES \"organisation\"(\"id\") ON DELETE NO ACTION ON UPDATE NO ACTION");
    await q.query("ALTER TABLE \"routing_rule\" ADD CONSTRAINT \"routing_rule_target_fk\" FOREIGN KEY (\"target_id\") REFERENCES \"organisation\"(\"id\") ON DELETE NO ACTION ON UPDATE NO ACTION");
    await q.query("ALTER TABLE \"report\" ADD CONSTRAINT \"report_school_fk\" FOREIGN KEY (\"school_id\") REFERENCES \"organisation\"(\"id\") ON DELETE NO ACTION ON UPDATE NO ACTION");
    await q.query("ALTER TABLE \"report\" ADD CONSTRAINT \"report_location_fk\" FOREIGN KEY (\"location_id\") REFERENCES \"location\"(\"id\") ON DELETE NO ACTION ON UPDATE NO ACTION");
    await q.query("ALTER TABLE \"report\" ADD CONSTRAINT \"report_reporter_fk\" FOREIGN KEY (\"reporter_id\") REFERENCES \"reporter\"(\"id\") ON DELETE NO ACTION ON UPDATE NO ACTION");
    await q.query("ALTER TABLE \"report\" ADD CONSTRAINT \"report_receiver_fk\" FOREIGN KEY (\"receiver_id\") REFERENCES \"organisation\"(\"id\") ON DELETE NO ACTION ON UPDATE NO ACTION");
    await q.query("ALTER TABLE \"report\" ADD CONSTRAINT \"report_residence_municipality_fk\" FOREIGN KEY (\"residence_municipality_id\") REFERENCES \"organisation\"(\"id\") ON DELETE NO ACTION ON UPDATE NO ACTION");
    await q.query("ALTER TABLE \"idempotency_key\" ADD CONSTRAINT \"idempotency_key_organisation_fk\" FOREIGN KEY (\"organisation_id\") REFERENCES \"organisation\"(\"id\") ON DELETE NO ACTION ON UPDATE NO ACTION");
    await q.query("ALTER TABLE \"idempotency_key\" ADD CONSTRAINT \"idempotency_key_report_fk\" FOREIGN KEY (\"report_id\") REFERENCES \"report\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
    await q.query("ALTER TABLE \"report_event\" ADD CONSTRAINT \"report_event_report_fk\" FOREIGN KEY (\"report_id\") REFERENCES \"report\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
    await q.query("ALTER TABLE \"report_event\" ADD CONSTRAINT \"report_event_actor_organisation_fk\" FOREIGN KEY (\"actor_organisation_id\") REFERENCES \"organisation\"(\"id\") ON DELETE NO ACTION ON UPDATE NO ACTION");
    await q.query("ALTER TABLE \"report_message\" ADD CONSTRAINT \"report_message_report_fk\" FOREIGN KEY (\"report_id\") REFERENCES \"report\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
    await q.query("ALTER TABLE \"report_message\" ADD CONSTRAINT \"report_message_organisation_fk\" FOREIGN KEY (\"organisation_id\") REFERENCES \"organisation\"(\"id\") ON DELETE NO ACTION ON UPDATE NO ACTION");
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query("ALTER TABLE \"report_message\" DROP CONSTRAINT \"report_message_organisation_fk\"");
    await q.query("ALTER TABLE \"report_message\" DROP CONSTRAINT \"report_message_report_fk\"");
    await q.query("ALTER TABLE \"report_event\" DROP CONSTRAINT \"report_event_actor_organisation_fk\"");
    await q.query("ALTER TABLE \"report_event\" DROP CONSTRAINT \"report_event_report_fk\"");
    await q.query("ALTER TABLE \"idempotency_key\" DROP CONSTRAINT \"idempotency_key_report_fk\"");
    await q.query("ALTER TABLE \"idempotency_key\" DROP CONSTRAINT \"idempotency_key_organisation_fk\"");
    await q.query("ALTER TABLE \"report\" DROP CONSTRAINT \"report_residence_municipality_fk\"");
    await q.query("ALTER TABLE \"report\" DROP CONSTRAINT \"report_receiver_fk\"");
    await q.query("ALTER TABLE \"report\" DROP CONSTRAINT \"report_reporter_fk\"");
    await q.query("ALTER TABLE \"report\" DROP CONSTRAINT \"report_location_fk\"");
    await q.query("ALTER TABLE \"report\" DROP CONSTRAINT \"report_school_fk\"");
    await q.query("ALTER TABLE \"routing_rule\" DROP CONSTRAINT \"routing_rule_target_fk\"");
    await q.query("ALTER TABLE \"routing_rule\" DROP CONSTRAINT \"routing_rule_municipality_fk\"");
    await q.query("ALTER TABLE \"reporter\" DROP CONSTRAINT \"reporter_school_fk\"");
    await q.query("ALTER TABLE \"location\" DROP CONSTRAINT \"location_municipality_fk\"");
    await q.query("ALTER TABLE \"location\" DROP CONSTRAINT \"location_school_fk\"");
    await q.query("ALTER TABLE \"api_key\" DROP CONSTRAINT \"api_key_organisation_fk\"");
    await q.query("ALTER TABLE \"organisation\" DROP CONSTRAINT \"organisation_contact_municipality_fk\"");
    await q.query("ALTER TABLE \"organisation\" DROP CONSTRAINT \"organisation_delegate_fk\"");
    await q.query("ALTER TABLE \"organisation\" DROP CONSTRAINT \"organisation_rmc_region_fk\"");
    await q.query("DROP INDEX \"public\".\"report_message_report_idx\"");
    await q.query("DROP TABLE \"report_message\"");
    await q.query("DROP INDEX \"public\".\"report_event_feed_idx\"");
    await q.query("DROP INDEX \"public\".\"report_event_report_idx\"");
    await q.query("DROP TABLE \"report_event\"");
    await q.query("DROP TABLE \"idempotency_key\"");
    await q.query("DROP INDEX \"public\".\"report_school_number_idx\"");
    await q.query("DROP INDEX \"public\".\"report_receiver_number_idx\"");
    await q.query("DROP INDEX \"public\".\"report_created_at_idx\"");
    await q.query("DROP INDEX \"public\".\"report_pgn_hash_idx\"");
    await q.query("DROP INDEX \"public\".\"report_number_key\"");
    await q.query("DROP TABLE \"report\"");
    await q.query("DROP INDEX \"public\".\"routing_rule_municipality_kind_key\"");
    await q.query("DROP TABLE \"routing_rule\"");
    await q.query("DROP INDEX \"public\".\"reporter_school_idx\"");
    await q.query("DROP TABLE \"reporter\"");
    await q.query("DROP INDEX \"public\".\"location_school_code_key\"");
    await q.query("DROP TABLE \"location\"");
    await q.query("DROP INDEX \"public\".\"api_key_hash_key\"");
    await q.query("DROP INDEX \"public\".\"api_key_organisation_idx\"");
    await q.query("DROP TABLE \"api_key\"");
    await q.query("DROP INDEX \"public\".\"organisation_code_key\"");
    await q.query("DROP TABLE \"organisation\"");
  }
}
