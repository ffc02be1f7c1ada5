import { MigrationInterface, QueryRunner } from 'typeorm';

/** People's accounts, their sessions, hardware tokens, and failed sign-ins per client address. */
export class Accounts1763850000000 implements MigrationInterface {
  name = 'Accounts1763850000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query("CREATE TABLE \"client_throttle\" (\"client_ip\" text NOT NULL, \"failures\" integer NOT NULL DEFAULT '0', \"window_start\" TIMESTAMP WITH TIME ZONE NOT NULL, \"throttled_until\" TIMESTAMP WITH TIME ZONE, CONSTRAINT \"PK_d36c90ac529f7e5c59907416206\" PRIMARY KEY (\"client_ip\"))");
    await q.query("CREATE TABLE \"hardware_token\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"organisation_id\" uuid NOT NULL, \"serial\" text NOT NULL, \"seed\" bytea NOT NULL, \"user_id\" uuid, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), \"revoked_at\" TIMESTAMP WITH TIME ZONE, CONSTRAINT \"PK_9dee957cefe3eb2bfde0ba06367\" PRIMARY KEY (\"id\"))");
    await q.query("CREATE UNIQUE INDEX \"hardware_token_serial_key\" ON \"hardware_token\"  (\"organisation_id\", \"serial\") ");
    await q.query("CREATE TABLE \"user_account\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"organisation_id\" uuid NOT NULL, \"username\" text NOT NULL, \"name\" text NOT NULL, \"email\" text NOT NULL, \"roles\" text array NOT NULL DEFAULT '{}', \"location_ids\" uuid array NOT NULL DEFAULT '{}', \"status\" text NOT NULL DEFAULT 'PENDING', \"locked_at\" TIMESTAMP WITH TIME ZONE, \"throttled_until\" TIMESTAMP WITH TIME ZONE, \"failed_passwords\" integer NOT NULL DEFAULT '0', \"failed_codes\" integer NOT NULL DEFAULT '0', \"password_hash\" text, \"token_kind\" text, \"totp_seed\" bytea, \"totp_last_step\" bigint, \"hardware_token_id\" uuid, \"activation_hash\" bytea, \"activation_expires_at\" TIMESTAMP WITH TIME ZONE, \"last_sign_in_at\" TIMESTAMP WITH TIME ZONE, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), \"updated_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"PK_6acfec7285fdf9f463462de3e9f\" PRIMARY KEY (\"id\"))");
    await q.query("CREATE INDEX \"user_account_organisation_idx\" ON \"user_account\"  (\"organisation_id\") ");
    await q.query("CREATE UNIQUE INDEX \"user_account_username_key\" ON \"user_account\"  (\"username\") ");
    await q.query("CREATE TABLE \"user_session\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"token_hash\" bytea NOT NULL, \"user_id\" uuid NOT NULL, \"stage\" text NOT NULL, \"csrf_token\" text NOT NULL, \"client_ip\" text, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), \"last_seen_at\" TIMESTAMP WITH TIME ZONE NOT NULL, \"expires_at\" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT \"PK_adf3b49590842ac3cf54cac451a\" PRIMARY KEY (\"id\"))");
    await q.query("CREATE UNIQUE INDEX \"user_session_token_key\" ON \"user_session\"  (\"token_hash\") ");
    await q.query("CREATE INDEX \"user_session_user_idx\" ON \"user_session\"  (\"user_id\") ");
    await q.query("ALTER TABLE \"hardware_token\" ADD CONSTRAINT \"hardware_token_organisation_fk\" FOREIGN KEY (\"organisation_id\") REFERENCES \"organisation\"(\"id\") ON DELETE NO ACTION ON UPDATE NO ACTION");
    await q.query("ALTER TABLE \"user_account\" ADD CONSTRAINT \"user_account_organisation_fk\" FOREIGN KEY (\"organisation_id\") REFERENCES \"organisation\"(\"id\") ON DELETE NO ACTION ON UPDATE NO ACTION");
    await q.query("ALTER TABLE \"user_session\" ADD CONSTRAINT \"user_session_user_fk\" FOREIGN KEY (\"user_id\") REFERENCES \"user_account\"(\"id\") ON DELETE CASCADE ON UPDATE NO ACTION");
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query("ALTER TABLE \"user_session\" DROP CONSTRAINT \"user_session_user_fk\"");
    await q.query("ALTER TABLE \"user_account\" DROP CONSTRAINT \"user_account_organisation_fk\"");
    await q.query("ALTER TABLE \"hardware_token\" DROP CONSTRAINT \"hardware_token_organisation_fk\"");
    await q.query("DROP INDEX \"public\".\"user_session_user_idx\"");
    await q.query("DROP INDEX \"public\".\"user_session_token_key\"");
    await q.query("DROP TABLE \"user_session\"");
    await q.query("DROP INDEX \"public\".\"user_account_username_key\"");
    await q.query("DROP INDEX \"public\".\"user_account_organisation_idx\"");
    await q.query("DROP TABLE \"user_account\"");
    await q.query("DROP INDEX \"public\".\"hardware_token_serial_key\"");
    await q.query("DROP TABLE \"hardware_token\"");
    await q.query("DROP TABLE \"client_throttle\"");
  }
}
