import { ErrorCode, FieldCode, invalid, ProblemError } from '../common/problem';
import { Permission } from '../kernel/permission';
import { OrganisationType } from '../kernel/organisation-type';

export enum Role {
  MELDER = 'melder',
  LEZER = 'lezer',
  BEHANDELAAR = 'behandelaar',
  BEHEERDER = 'beheerder',
  OPERATOR = 'operator',
  /** Sees and downloads the organisation's monthly reports and jaaropgave (DUO's role of the same name). */
  RAPPORTAGE = 'rapportage',
}

/**
 * The roles API version 1 names in its answers (an answer's enum may not grow within a major version); roles added
 * later are answered apart, as plain strings (AccountView.laterRoles).
 */
export const ROLES_V1: readonly Role[] = [Role.MELDER, Role.LEZER, Role.BEHANDELAAR, Role.BEHEERDER, Role.OPERATOR];

/** The permission table: the one place that says which role may do what. */
export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  [Role.MELDER]: [
    Permission.REPORT_READ, Permission.REPORT_CREATE, Permission.REPORT_UPDATE, Permission.REPORT_WITHDRAW,
    Permission.REPORT_MESSAGE, Permission.SCHOOL_DATA_READ, Permission.ORGANISATION_READ, Permission.NOTIFICATION_SELF,
  ],
  [Role.LEZER]: [Permission.REPORT_READ, Permission.SCHOOL_DATA_READ, Permission.ORGANISATION_READ, Permission.NOTIFICATION_SELF],
  [Role.BEHANDELAAR]: [
    Permission.REPORT_READ, Permission.REPORT_HANDLE, Permission.REPORT_MESSAGE, Permission.ORGANISATION_READ, Permission.NOTIFICATION_SELF,
  ],
  [Role.BEHEERDER]: [
    Permission.SCHOOL_DATA_READ, Permission.SCHOOL_DATA_MANAGE, Permission.APIKEY_MANAGE, Permission.ORGANISATION_READ,
    Permission.USER_MANAGE, Permission.AUDIT_READ, Permission.NOTIFICATION_MANAGE, Permission.NOTIFICATION_SELF,
    Permission.WEBHOOK_MANAGE, Permission.REPORTING_READ,
  ],
  [Role.RAPPORTAGE]: [Permission.REPORTING_READ, Permission.ORGANISATION_READ, Permission.NOTIFICATION_SELF],
  [Role.OPERATOR]: [
    Permission.APIKEY_MANAGE, Permission.ORGANISATION_READ, Permission.BEHEERDER_APPOINT, Permission.AUDIT_READ, Permission.NOTIFICATION_MANAGE,
    Permission.ORGANISATION_MANAGE, Permission.REPORTING_MANAGE,
  ],
};

/** Which roles exist in which kind of organisation. */
export const ROLES_BY_ORGANISATION: Record<OrganisationType, readonly Role[]> = {
  [OrganisationType.SCHOOL]: [Role.MELDER, Role.LEZER, Role.BEHEERDER, Role.RAPPORTAGE],
  [OrganisationType.GEMEENTE]: [Role.BEHANDELAAR, Role.LEZER, Role.BEHEERDER, Role.RAPPORTAGE],
  [OrganisationType.REGIONAAL_BUREAU]: [Role.BEHANDELAAR, Role.LEZER, Role.BEHEERDER, Role.RAPPORTAGE],
  [OrganisationType.RMC_REGIO]: [Role.BEHANDELAAR, Role.LEZER, Role.BEHEERDER, Role.RAPPORTAGE],
  [OrganisationType.OPERATOR]: [Role.OPERATOR],
};

/**
 * Permissions a machine key never carries, whatever its roles: managing keys is for people, and so is deciding where
 * the organisation's events go and holding the secret that signs them (webhooks).
 */
export const HUMAN_ONLY: readonly Permission[] = [
  Permission.APIKEY_MANAGE, Permission.USER_MANAGE, Permission.BEHEERDER_APPOINT, Permission.NOTIFICATION_SELF,
  Permission.WEBHOOK_MANAGE,
];

export function permissionsOf(roles: readonly string[], machine: boolean): Set<Permission> {
  const out = new Set<Permission>();
  // Own keys only: a stored role named "constructor" or "__proto__" grants nothing (and does not throw).
  for (const role of roles) if (Object.hasOwn(ROLE_PERMISSIONS, role)) for (const p of ROLE_PERMISSIONS[role as Role]) out.add(p);
  if (machine) for (const p of HUMAN_ONLY) out.delete(p);
  return out;
}

/**
 * What any grant (roles of an account, roles of an API key) must satisfy: each role exists in this kind of
 * organisation, and the granter holds it: a person never grants, or takes away, more than they hold. `granter` null:
 * the operator's command line on the server itself, bound by the first rule only.
 */
export function assertGrantable(granter: { roles: readonly string[] } | null, type: OrganisationType, roles: readonly string[]): void {
  const possible = ROLES_BY_ORGANISATION[type];
  const unknown = roles.filter((r) => !possible.includes(r as Role));
  if (unknown.length > 0) {
    throw invalid({ field: 'roles', code: FieldCode.NOT_ALLOWED_VALUE, message: `roles: ${unknown.join(', ')} bestaat niet bij deze organisatie (mogelijk: ${possible.join(', ')})` });
  }
  const lacking = granter ? roles.filter((r) => !granter.roles.includes(r)) : [];
  if (lacking.length > 0) {
    throw new ProblemError(ErrorCode.FORBIDDEN, `U kunt geen rol toekennen of afnemen die u zelf niet heeft: ${lacking.join(', ')}.`);
  }
}
