import { Controller, Get, Query, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { nlDateTime } from '../common/dates';
import { FieldError, ProblemError } from '../common/problem';
import { Allow, CurrentActor, Permission } from '../kernel/access';
import { Actor } from '../kernel/actor';
import { options, pageErrors, unflatten, validateAs } from '../web/forms';
import { nav } from '../web/nav';
import { PageRenderer } from '../web/page-renderer';
import { PortalFilter } from '../web/portal.filter';
import { AuditAction, AuditOutcome, AuditSubjectType } from './audit-event.entity';
import { AuditQuery } from './audit.dto';
import { AuditService } from './audit.service';

/** Every action of the audit log in plain Dutch; the Record type makes a new AuditAction fail to compile until it has a label. */
export const AUDIT_ACTION_LABELS: Record<AuditAction, string> = {
  [AuditAction.SIGN_IN]: 'Aangemeld',
  [AuditAction.SIGN_IN_FAILED]: 'Aanmelden mislukt',
  [AuditAction.SIGN_IN_THROTTLED]: 'Aanmelden tijdelijk geblokkeerd',
  [AuditAction.SIGN_OUT]: 'Afgemeld',
  [AuditAction.SESSIONS_ENDED]: 'Sessies beëindigd',
  [AuditAction.CSRF_REJECTED]: 'Formulier geweigerd (verlopen of vervalst)',
  [AuditAction.ACCESS_DENIED]: 'Toegang geweigerd',
  [AuditAction.USER_CREATED]: 'Account aangemaakt',
  [AuditAction.USER_CHANGED]: 'Account gewijzigd',
  [AuditAction.ROLES_CHANGED]: 'Rollen gewijzigd',
  [AuditAction.ACTIVATION_ISSUED]: 'Activering verstrekt',
  [AuditAction.ACCOUNT_ACTIVATED]: 'Account geactiveerd',
  [AuditAction.ACTIVATION_FAILED]: 'Activeren mislukt',
  [AuditAction.PASSWORD_CHANGED]: 'Wachtwoord gewijzigd',
  [AuditAction.USER_LOCKED]: 'Account geblokkeerd',
  [AuditAction.USER_UNLOCKED]: 'Account gedeblokkeerd',
  [AuditAction.USER_DISABLED]: 'Account uitgeschakeld',
  [AuditAction.USER_ENABLED]: 'Account weer ingeschakeld',
  [AuditAction.OPERATOR_CREATED]: 'Functioneel beheerder aangemaakt',
  [AuditAction.TOKEN_REGISTERED]: 'Hardwaretoken geregistreerd',
  [AuditAction.TOKEN_ASSIGNED]: 'Hardwaretoken toegewezen',
  [AuditAction.TOKEN_ENROLLED]: 'Token gekoppeld',
  [AuditAction.TOKEN_RESET]: 'Token opnieuw ingesteld',
  [AuditAction.TOKEN_REVOKED]: 'Token ingetrokken',
  [AuditAction.API_KEY_CREATED]: 'API-sleutel gemaakt',
  [AuditAction.API_KEY_REVOKED]: 'API-sleutel ingetrokken',
  [AuditAction.REPORT_READ]: 'Melding ingezien',
  [AuditAction.REPORT_HISTORY_READ]: 'Geschiedenis van een melding ingezien',
  [AuditAction.REPORTS_LISTED]: 'Overzicht van meldingen bekeken',
  [AuditAction.REPORTS_SEARCHED]: 'Meldingen gezocht',
  [AuditAction.REPORTS_EXPORTED]: 'Meldingen geëxporteerd',
  [AuditAction.REPORT_FILED]: 'Melding ingediend',
  [AuditAction.REPORT_CHANGED]: 'Melding gewijzigd',
  [AuditAction.REPORT_STATUS_CHANGED]: 'Status van een melding gewijzigd',
  [AuditAction.REPORT_FORWARDED]: 'Melding doorgestuurd',
  [AuditAction.REPORT_WITHDRAWN]: 'Melding ingetrokken',
  [AuditAction.REPORT_MESSAGE_ADDED]: 'Bericht bij een melding geplaatst',
  [AuditAction.REPORT_ERASED]: 'Melding gewist na de bewaartermijn',
  [AuditAction.MAILBOX_CHANGED]: 'Algemeen e-mailadres gewijzigd',
  [AuditAction.MAIL_PREFERENCE_CHANGED]: 'E-mailkeuze gewijzigd',
  [AuditAction.MAIL_RESENT]: 'Mislukte e-mail opnieuw verstuurd',
  [AuditAction.ORGANISATION_CREATED]: 'Organisatie aangemaakt',
  [AuditAction.DELEGATION_CHANGED]: 'Overdracht aan regionaal bureau gewijzigd',
  [AuditAction.ROUTING_CHANGED]: 'Alternatieve routering gewijzigd',
  [AuditAction.DUO_IMPORTED]: 'Bestand van DUO ingelezen',
  [AuditAction.LOCATION_CHANGED]: 'Locatie gewijzigd',
  [AuditAction.REPORTER_CHANGED]: 'Melder gewijzigd',
  [AuditAction.AUDIT_READ]: 'Logboek ingezien',
  [AuditAction.MONTHLY_REPORTS_MADE]: 'Maandrapportages gemaakt',
  [AuditAction.MONTHLY_REPORT_DOWNLOADED]: 'Maandrapportage gedownload',
  [AuditAction.ANNUAL_REPORT_DOWNLOADED]: 'Jaaropgave gedownload',
};
const OUTCOME_LABELS: Record<AuditOutcome, string> = {
  [AuditOutcome.SUCCESS]: 'Gelukt', [AuditOutcome.FAILURE]: 'Mislukt', [AuditOutcome.DENIED]: 'Geweigerd',
};
const SUBJECT_LABELS: Record<AuditSubjectType, string> = {
  [AuditSubjectType.REPORT]: 'Melding', [AuditSubjectType.USER]: 'Account', [AuditSubjectType.API_KEY]: 'API-sleutel',
  [AuditSubjectType.HARDWARE_TOKEN]: 'Hardwaretoken', [AuditSubjectType.SESSION]: 'Sessie', [AuditSubjectType.ORGANISATION]: 'Organisatie',
  [AuditSubjectType.AUDIT_LOG]: 'Logboek', [AuditSubjectType.MAIL]: 'E-mail',
};
const AUDIT_LABELS: Record<string, string> = {
  from: 'Vanaf', to: 'Tot en met', action: 'Handeling', actorId: 'Wie', outcome: 'Uitkomst', subjectType: 'Soort onderwerp',
  subjectId: 'Nummer of id', after: 'Vervolgpagina', limit: 'Aantal per pagina',
};
/** The keys of an entry's details that the service writes, in Dutch; others are shown as they are. */
const DETAIL_LABELS: Record<string, string> = {
  name: 'naam', roles: 'rollen', template: 'soort e-mail', frequency: 'keuze', fields: 'velden', filters: 'filters', filter: 'filter', count: 'aantal',
  numbers: 'meldingen', format: 'formaat', from: 'van', to: 'naar', kind: 'soort', target: 'naar', reason: 'reden', receiver: 'ontvanger',
  serial: 'serienummer', username: 'gebruikersnaam', type: 'soort', sector: 'sector', bytes: 'bytes', appointedBy: 'aangesteld door', schoolYear: 'schooljaar',
};
/** The filters of the log page: the API's query fields (nothing else reaches the DTO, so an odd parameter is ignored). */
const AUDIT_FILTERS = Object.keys(AUDIT_LABELS);

/** Beheer logboek: the organisation's audit log, filtered, one page at a time. */
@ApiExcludeController()
@UseFilters(PortalFilter)
@Controller()
export class AuditLogPagesController {
  constructor(
    private readonly pages: PageRenderer,
    private readonly audit: AuditService,
  ) {}

  // The audit log

  /** Filters by GET: they hold codes, dates and ids, never a pupil's data (the API's AuditQuery allows nothing else). */
  @Get('beheer/logboek')
  @Allow(Permission.AUDIT_READ)
  async auditLog(@CurrentActor() actor: Actor, @Query() query: Record<string, string>, @Res() res: Response): Promise<void> {
    const values = unflatten(Object.fromEntries(Object.entries(query).filter(([k, v]) => AUDIT_FILTERS.includes(k) && typeof v === 'string')));
    let { input, errors } = await validateAs(AuditQuery, values);
    let page: Awaited<ReturnType<AuditService['search']>> = { events: [], nextCursor: null };
    if (input) {
      try {
        page = await this.audit.search(actor, input);
      } catch (error) {
        errors = fieldErrorsOf(error);
        input = undefined;
      }
    }
    const actors = await this.audit.actorsOf(actor.organisationId);
    // A person or key as the subject of an entry is named, not shown as an id.
    const names = new Map(actors.map((a) => [a.id, a.name]));
    const filters = Object.fromEntries(Object.entries(values as Record<string, string>).filter(([k]) => k !== 'after'));
    const next = page.nextCursor ? `/beheer/logboek?${new URLSearchParams({ ...filters, after: page.nextCursor })}` : null;
    const first = values.after ? `/beheer/logboek?${new URLSearchParams(filters)}` : null;
    res.status(errors.length ? 422 : 200).type('html').send(
      this.pages.render('audit/audit-log', {
        title: 'Logboek', nav: nav(actor, 'beheer'), values, errors: pageErrors(errors.map(dutchAuditError), AUDIT_LABELS), next, first,
        actions: options(AUDIT_ACTION_LABELS).sort((a, b) => a.label.localeCompare(b.label, 'nl')),
        outcomes: options(OUTCOME_LABELS), subjectTypes: options(SUBJECT_LABELS),
        actors: actors.map((a) => ({ value: a.id, label: a.label })),
        events: page.events.map((e) => ({
          at: nlDateTime(e.at), actor: e.actor.name, action: AUDIT_ACTION_LABELS[e.action] ?? e.action, outcome: OUTCOME_LABELS[e.outcome] ?? e.outcome,
          failed: e.outcome !== AuditOutcome.SUCCESS,
          subject: e.subject ? `${SUBJECT_LABELS[e.subject.type] ?? e.subject.type}${e.subject.id ? ` ${names.get(e.subject.id) ?? e.subject.id}` : ''}` : '',
          details: describe(e.details), clientIp: e.clientIp ?? '',
        })),
      }),
    );
  }
}

/** Field errors of a refused action; anything but a refusal of the input (not found, no right) goes to the portal's filter. */
function fieldErrorsOf(error: unknown): FieldError[] {
  if (!(error instanceof ProblemError) || !error.errors?.length) throw error;
  return error.errors;
}

/** The API's wording names its own fields; the page names its labels. */
function dutchAuditError(e: FieldError): FieldError {
  return { ...e, message: e.message.replace('is verplicht bij subjectId', 'kies dit als u een nummer of id invult').replace('ligt voor from', 'ligt voor de datum bij Vanaf') };
}

/** The facts of an entry on one short line ("name: Magister; roles: melder, beheerder"). */
function describe(details: Record<string, unknown>): string {
  const text = Object.entries(details ?? {})
    .map(([k, v]) => `${DETAIL_LABELS[k] ?? k}: ${Array.isArray(v) ? v.join(', ') : v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join('; ');
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}
