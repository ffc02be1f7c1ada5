// The permission vocabulary, apart from Nest's decorators (access.ts), so that the rules load without the framework.
/** What a route can require. Each route names exactly one (see `@Allow`). */
export enum Permission {
  REPORT_READ = 'report:read',
  REPORT_CREATE = 'report:create',
  REPORT_UPDATE = 'report:update',
  REPORT_WITHDRAW = 'report:withdraw',
  REPORT_HANDLE = 'report:handle',
  REPORT_MESSAGE = 'report:message',
  SCHOOL_DATA_READ = 'school-data:read',
  SCHOOL_DATA_MANAGE = 'school-data:manage',
  ORGANISATION_READ = 'organisation:read',
  APIKEY_MANAGE = 'apikey:manage',
  USER_MANAGE = 'user:manage',
  AUDIT_READ = 'audit:read',
  /** The organisation's mailbox, people's mail choices, failed e-mails (the operator: of every organisation). */
  NOTIFICATION_MANAGE = 'notification:manage',
  /** A person's own choice: each e-mail at once, a daily digest, or none. */
  NOTIFICATION_SELF = 'notification:self',
  /** The operator appoints the first beheerder of an organisation. */
  BEHEERDER_APPOINT = 'beheerder:appoint',
  /** The operator: organisations, delegations, alternative routing, DUO's file of school locations. */
  ORGANISATION_MANAGE = 'organisation:manage',
  /** The organisation's webhook endpoints: register, change, rotate secrets, delivery log, redeliver, test. */
  WEBHOOK_MANAGE = 'webhook:manage',
  /** The organisation's monthly reports and jaaropgave: see and download (counts, no pupil data). */
  REPORTING_READ = 'reporting:read',
  /** The operator: make the monthly reports of a month again (idempotent). */
  REPORTING_MANAGE = 'reporting:manage',
}
