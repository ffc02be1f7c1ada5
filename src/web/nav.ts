import { Actor } from '../kernel/actor';
import { Permission } from '../kernel/access';
import { OrganisationType } from '../kernel/organisation-type';

/** The sections of the portal; a page names the one it belongs to, and the menu marks it. */
export type Section = 'start' | 'meldingen' | 'melden' | 'rapportages' | 'beheer' | 'operator' | 'bewaren' | 'instellingen';

/** The pages a beheerder (or the operator) may open under /beheer, in the order of the beheer index. */
export function beheerLinks(actor: Actor): { href: string; label: string; description: string }[] {
  const has = (p: Permission) => actor.permissions.has(p);
  const school = actor.organisationType === OrganisationType.SCHOOL;
  return [
    ...(has(Permission.USER_MANAGE) ? [{ href: '/beheer/gebruikers', label: 'Gebruikers', description: 'Accounts, rollen, activatie en tokens.' }] : []),
    ...(school && has(Permission.SCHOOL_DATA_MANAGE) ? [
      { href: '/beheer/locaties', label: 'Locaties', description: 'De vestigingen van de school waarvoor gemeld wordt.' },
      { href: '/beheer/melders', label: 'Melders', description: 'De contactpersonen die op een melding staan.' },
    ] : []),
    ...(has(Permission.APIKEY_MANAGE) ? [{ href: '/beheer/sleutels', label: 'API-sleutels', description: 'Sleutels voor het leerlingvolgsysteem of ander pakket.' }] : []),
    ...(has(Permission.NOTIFICATION_MANAGE) ? [{ href: '/beheer/e-mail', label: 'E-mail', description: 'Het algemene e-mailadres en e-mails die niet bezorgd konden worden.' }] : []),
    ...(has(Permission.WEBHOOK_MANAGE) ? [{ href: '/beheer/webhooks', label: 'Webhooks', description: 'Wijzigingen van meldingen direct, ondertekend, naar een systeem van uw organisatie.' }] : []),
    ...(has(Permission.AUDIT_READ) ? [{ href: '/beheer/logboek', label: 'Logboek', description: 'Wie deed wat, wanneer: aanmelden, inzien, wijzigen.' }] : []),
  ];
}

/** What the header needs: who is signed in, the menu their permissions allow, the CSRF token for forms. */
export function nav(actor: Actor & { csrfToken?: string }, current: Section) {
  return {
    name: actor.name, organisation: actor.organisationCode, csrf: actor.csrfToken ?? '', current,
    canRead: actor.permissions.has(Permission.REPORT_READ), canFile: actor.permissions.has(Permission.REPORT_CREATE),
    canManage: beheerLinks(actor).length > 0,
    canOperate: actor.permissions.has(Permission.ORGANISATION_MANAGE),
    canReport: actor.permissions.has(Permission.REPORTING_READ),
    canSettings: actor.permissions.has(Permission.NOTIFICATION_SELF),
  };
}
