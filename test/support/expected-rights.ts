import { Permission } from '../../src/kernel/permission';
import { OrganisationType } from '../../src/kernel/organisation-type';

/**
 * What each role may do, written down BY HAND from ../shared/DOMAIN.md ("Who uses it"), not read from
 * src/identity/permissions.ts: the tests compare the application against this table, so a permission added to or
 * taken from a role, or a human-only right given to machine keys, fails them.
 *
 * One row per permission. Columns: the roles, then `key`: whether an API key holding such a role may use it
 * (machine clients file, update, poll and keep the school's lists; they never manage keys, accounts, webhooks or a
 * person's own mail choices). A new permission is a new row; TypeScript refuses the table until it has one.
 */
type Cell = 'x' | '-';
export type ExpectedRole = 'melder' | 'lezer' | 'behandelaar' | 'beheerder' | 'rapportage' | 'operator';
export const ROLE_COLUMNS: readonly ExpectedRole[] = ['melder', 'lezer', 'behandelaar', 'beheerder', 'rapportage', 'operator'];

// prettier-ignore
export const EXPECTED_RIGHTS: Record<Permission, readonly [melder: Cell, lezer: Cell, behandelaar: Cell, beheerder: Cell, rapportage: Cell, operator: Cell, key: Cell]> = {
  //                                   melder lezer behandelaar beheerder rapportage operator key
  [Permission.REPORT_READ]:           ['x', 'x', 'x', '-', '-', '-', 'x'], // the operator sees no pupil data; a beheerder manages, reads no reports
  [Permission.REPORT_CREATE]:         ['x', '-', '-', '-', '-', '-', 'x'],
  [Permission.REPORT_UPDATE]:         ['x', '-', '-', '-', '-', '-', 'x'],
  [Permission.REPORT_WITHDRAW]:       ['x', '-', '-', '-', '-', '-', 'x'],
  [Permission.REPORT_HANDLE]:         ['-', '-', 'x', '-', '-', '-', 'x'], // status, forward, close, reopen
  [Permission.REPORT_MESSAGE]:        ['x', '-', 'x', '-', '-', '-', 'x'], // replies both ways; a lezer changes nothing
  [Permission.SCHOOL_DATA_READ]:      ['x', 'x', '-', 'x', '-', '-', 'x'], // "selecteer melder": the school's locations and reporters
  [Permission.SCHOOL_DATA_MANAGE]:    ['-', '-', '-', 'x', '-', '-', 'x'], // beheer locaties, beheer melders
  [Permission.ORGANISATION_READ]:     ['x', 'x', 'x', 'x', 'x', 'x', 'x'],
  [Permission.APIKEY_MANAGE]:         ['-', '-', '-', 'x', '-', 'x', '-'], // a leaked key must not mint keys
  [Permission.USER_MANAGE]:           ['-', '-', '-', 'x', '-', '-', '-'],
  [Permission.AUDIT_READ]:            ['-', '-', '-', 'x', '-', 'x', 'x'], // "the log can be queried by the organisation's beheerder"
  [Permission.NOTIFICATION_MANAGE]:   ['-', '-', '-', 'x', '-', 'x', 'x'], // the general mailbox, failed e-mails
  [Permission.NOTIFICATION_SELF]:     ['x', 'x', 'x', 'x', 'x', '-', '-'], // a person's own mail choice
  [Permission.BEHEERDER_APPOINT]:     ['-', '-', '-', '-', '-', 'x', '-'], // the operator appoints the first beheerder
  [Permission.ORGANISATION_MANAGE]:   ['-', '-', '-', '-', '-', 'x', 'x'], // organisations, municipalities, regions, reference data
  [Permission.REPORTING_READ]:        ['-', '-', '-', 'x', 'x', '-', 'x'], // monthly reports and jaaropgave: counts, no pupil data ("rapportage" and the beheerder)
  [Permission.REPORTING_MANAGE]:      ['-', '-', '-', '-', '-', 'x', 'x'], // the operator makes a month's reports again
  [Permission.WEBHOOK_MANAGE]:        ['-', '-', '-', 'x', '-', '-', '-'], // where the events go and the secret that signs them
};

/** The roles that exist in each kind of organisation (a school has no officers, a municipality no melders). */
export const EXPECTED_ROLES: Record<OrganisationType, readonly ExpectedRole[]> = {
  [OrganisationType.SCHOOL]: ['melder', 'lezer', 'beheerder', 'rapportage'],
  [OrganisationType.GEMEENTE]: ['behandelaar', 'lezer', 'beheerder', 'rapportage'],
  [OrganisationType.REGIONAAL_BUREAU]: ['behandelaar', 'lezer', 'beheerder', 'rapportage'],
  [OrganisationType.RMC_REGIO]: ['behandelaar', 'lezer', 'beheerder', 'rapportage'],
  [OrganisationType.OPERATOR]: ['operator'],
};

/** Whether a person (machine false) or a key (machine true) holding `roles` may use `permission`, by the table. */
export function expectedAllowed(roles: readonly string[], machine: boolean, permission: Permission): boolean {
  const row = EXPECTED_RIGHTS[permission];
  const byRole = roles.some((role) => row[ROLE_COLUMNS.indexOf(role as ExpectedRole)] === 'x');
  return byRole && (!machine || row[ROLE_COLUMNS.length] === 'x');
}
