import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';

/**
 * What happened. The codes are stable: they are stored, filtered on and part of the API. Add new ones at the end of
 * their group; never rename one (old entries keep the old code).
 */
export enum AuditAction {
  // Sign-in and sessions
  SIGN_IN = 'SIGN_IN',
  /** A wrong username, password or code (details.reason says which step), a replayed code, a locked account. */
  SIGN_IN_FAILED = 'SIGN_IN_FAILED',
  /** Too many failures: the account or the client address has to wait. */
  SIGN_IN_THROTTLED = 'SIGN_IN_THROTTLED',
  SIGN_OUT = 'SIGN_OUT',
  SESSIONS_ENDED = 'SESSIONS_ENDED',
  CSRF_REJECTED = 'CSRF_REJECTED',
  ACCESS_DENIED = 'ACCESS_DENIED',
  // Accounts and roles
  USER_CREATED = 'USER_CREATED',
  USER_CHANGED = 'USER_CHANGED',
  ROLES_CHANGED = 'ROLES_CHANGED',
  ACTIVATION_ISSUED = 'ACTIVATION_ISSUED',
  ACCOUNT_ACTIVATED = 'ACCOUNT_ACTIVATED',
  ACTIVATION_FAILED = 'ACTIVATION_FAILED',
  PASSWORD_CHANGED = 'PASSWORD_CHANGED',
  USER_LOCKED = 'USER_LOCKED',
  USER_UNLOCKED = 'USER_UNLOCKED',
  USER_DISABLED = 'USER_DISABLED',
  USER_ENABLED = 'USER_ENABLED',
  OPERATOR_CREATED = 'OPERATOR_CREATED',
  // Tokens (TOTP)
  TOKEN_REGISTERED = 'TOKEN_REGISTERED',
  TOKEN_ASSIGNED = 'TOKEN_ASSIGNED',
  TOKEN_ENROLLED = 'TOKEN_ENROLLED',
  TOKEN_RESET = 'TOKEN_RESET',
  TOKEN_REVOKED = 'TOKEN_REVOKED',
  // API keys
  API_KEY_CREATED = 'API_KEY_CREATED',
  API_KEY_REVOKED = 'API_KEY_REVOKED',
  // Reports: reads of personal data
  REPORT_READ = 'REPORT_READ',
  REPORT_HISTORY_READ = 'REPORT_HISTORY_READ',
  REPORTS_LISTED = 'REPORTS_LISTED',
  REPORTS_SEARCHED = 'REPORTS_SEARCHED',
  REPORTS_EXPORTED = 'REPORTS_EXPORTED',
  // Reports: changes
  REPORT_FILED = 'REPORT_FILED',
  REPORT_CHANGED = 'REPORT_CHANGED',
  REPORT_STATUS_CHANGED = 'REPORT_STATUS_CHANGED',
  REPORT_FORWARDED = 'REPORT_FORWARDED',
  REPORT_WITHDRAWN = 'REPORT_WITHDRAWN',
  REPORT_MESSAGE_ADDED = 'REPORT_MESSAGE_ADDED',
  /** The nightly job erased the report after its retention term (ADR 0009). Not in API version 1 (see AUDIT_ACTIONS_V1). */
  REPORT_ERASED = 'REPORT_ERASED',
  // Notifications
  MAILBOX_CHANGED = 'MAILBOX_CHANGED',
  MAIL_PREFERENCE_CHANGED = 'MAIL_PREFERENCE_CHANGED',
  MAIL_RESENT = 'MAIL_RESENT',
  // The operator's reference data
  ORGANISATION_CREATED = 'ORGANISATION_CREATED',
  DELEGATION_CHANGED = 'DELEGATION_CHANGED',
  ROUTING_CHANGED = 'ROUTING_CHANGED',
  DUO_IMPORTED = 'DUO_IMPORTED',
  // A school's locations and reporters
  LOCATION_CHANGED = 'LOCATION_CHANGED',
  REPORTER_CHANGED = 'REPORTER_CHANGED',
  // The audit log itself
  AUDIT_READ = 'AUDIT_READ',
  // Reporting (not in API version 1, see AUDIT_ACTIONS_V1)
  MONTHLY_REPORTS_MADE = 'MONTHLY_REPORTS_MADE',
  MONTHLY_REPORT_DOWNLOADED = 'MONTHLY_REPORT_DOWNLOADED',
  ANNUAL_REPORT_DOWNLOADED = 'ANNUAL_REPORT_DOWNLOADED',
}

const NOT_IN_V1: readonly AuditAction[] = [AuditAction.REPORT_ERASED, AuditAction.MONTHLY_REPORTS_MADE, AuditAction.MONTHLY_REPORT_DOWNLOADED, AuditAction.ANNUAL_REPORT_DOWNLOADED];

/**
 * The actions API version 1 can name: an answer's enum may not grow within a major version, so `GET /audit` leaves
 * out entries with a later code (the portal's logbook shows them all).
 */
export const AUDIT_ACTIONS_V1: readonly AuditAction[] = Object.values(AuditAction).filter((a) => !NOT_IN_V1.includes(a));

export enum AuditActorType {
  USER = 'USER',
  API_KEY = 'API_KEY',
  SYSTEM = 'SYSTEM',
  ANONYMOUS = 'ANONYMOUS',
}

export enum AuditOutcome {
  SUCCESS = 'SUCCESS',
  FAILURE = 'FAILURE',
  DENIED = 'DENIED',
}

/** What an entry is about. Free text in the database; these are the values the service uses. */
export enum AuditSubjectType {
  REPORT = 'REPORT',
  USER = 'USER',
  API_KEY = 'API_KEY',
  HARDWARE_TOKEN = 'HARDWARE_TOKEN',
  SESSION = 'SESSION',
  ORGANISATION = 'ORGANISATION',
  AUDIT_LOG = 'AUDIT_LOG',
  MAIL = 'MAIL',
}

/**
 * One entry of an organisation's audit log (BIO logging): who did what, to what, when, from where, with which outcome.
 * Append-only: a trigger refuses UPDATE, DELETE and TRUNCATE (migration 1763900000000-AuditLog). Written through
 * AuditService.record, which keeps secrets and PGNs out of it.
 */
@Entity('audit_event')
@Check('audit_event_actor_type_check', `"actor_type" IN ('USER','API_KEY','SYSTEM','ANONYMOUS')`)
@Check('audit_event_outcome_check', `"outcome" IN ('SUCCESS','FAILURE','DENIED')`)
@Index('audit_event_organisation_idx', ['organisationId', 'id'])
@Index('audit_event_subject_idx', ['organisationId', 'subjectType', 'subjectId', 'id'])
@Index('audit_event_actor_idx', ['organisationId', 'actorId', 'id'])
@Index('audit_event_action_idx', ['organisationId', 'action', 'id'])
export class AuditEvent {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @CreateDateColumn({ type: 'timestamptz' })
  at: Date;

  /** The organisation whose log the entry belongs to: the actor's, or for a sign-in the account's. */
  // Named, not imported: organisations writes the audit log, so the log must not depend on organisations.
  @ManyToOne('Organisation', { nullable: false })
  @JoinColumn({ name: 'organisation_id', foreignKeyConstraintName: 'audit_event_organisation_fk' })
  organisation?: { id: string };
  @Column('uuid')
  organisationId: string;

  @Column('text')
  actorType: AuditActorType;

  /** The user's or key's id; null for the system and for anonymous callers. */
  @Column('uuid', { nullable: true })
  actorId: string | null;

  /** A readable name as it was at the time (a person's name, "API-sleutel ...", "Systeem"). */
  @Column('text')
  actorName: string;

  @Column('text')
  action: AuditAction;

  @Column('text', { nullable: true })
  subjectType: AuditSubjectType | null;

  /** E.g. the meldingsnummer, or a user's or key's id. */
  @Column('text', { nullable: true })
  subjectId: string | null;

  @Column('text')
  outcome: AuditOutcome;

  @Column('text', { nullable: true })
  clientIp: string | null;

  /** Action-specific facts, never secrets or PGNs (see AuditService.record). */
  @Column('jsonb', { default: () => "'{}'" })
  details: Record<string, unknown>;
}
