import { Body, Controller, Get, Header, Param, Post, Query, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { AuditAction, AuditOutcome, AuditSubjectType } from '../audit/audit-event.entity';
import { AuditQuery } from '../audit/audit.dto';
import { AuditService } from '../audit/audit.service';
import { nlDateTime } from '../common/dates';
import { ErrorCode, FieldError, ProblemError } from '../common/problem';
import { AppConfig } from '../config/app-config';
import { AccountsService } from '../identity/accounts.service';
import { Actor } from '../identity/actor';
import { Allow, CurrentActor } from '../identity/allow.decorator';
import { NewApiKeyInput } from '../identity/api-keys.api.controller';
import { ApiKeysService } from '../identity/api-keys.service';
import { Permission, Role, ROLES_BY_ORGANISATION } from '../identity/permissions';
import { MailFrequency } from '../identity/user.entity';
import { NotificationAdminService } from '../notifications/notification-admin.service';
import { FailedMailQuery, MailboxInput, PreferenceInput } from '../notifications/notifications.dto';
import { MailTemplate } from '../notifications/outbox-message.entity';
import { OrganisationType } from '../organisations/organisation.entity';
import { OrganisationsService } from '../organisations/organisations.service';
import { fieldErrorsOf as refusalOnPage, flatten, listOf, options, pageErrors, unflatten, validateAs } from './forms';
import { nav } from './nav';
import { PageContext, PageRenderer } from './page-renderer';
import { PortalFilter } from './portal.filter';


/** The roles a key can carry, as a beheerder reads them (a key never manages accounts or keys, whatever its roles). */
const ROLE_LABELS: Record<Role, string> = {
  [Role.MELDER]: 'Melder', [Role.LEZER]: 'Lezer', [Role.BEHANDELAAR]: 'Behandelaar', [Role.BEHEERDER]: 'Beheerder', [Role.OPERATOR]: 'Functioneel beheer',
};
const ROLE_HINTS: Record<Role, string> = {
  [Role.MELDER]: 'meldingen indienen, aanvullen en intrekken',
  [Role.LEZER]: 'meldingen alleen lezen',
  [Role.BEHANDELAAR]: 'meldingen behandelen en beantwoorden',
  [Role.BEHEERDER]: 'gegevens van de organisatie bijhouden, zoals locaties en melders (geen accounts of sleutels)',
  [Role.OPERATOR]: 'organisaties en referentiegegevens',
};

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
  serial: 'serienummer', username: 'gebruikersnaam', type: 'soort', sector: 'sector', bytes: 'bytes', appointedBy: 'aangesteld door',
};
/** The filters of the log page: the API's query fields (nothing else reaches the DTO, so an odd parameter is ignored). */
const AUDIT_FILTERS = Object.keys(AUDIT_LABELS);

const TEMPLATE_LABELS: Record<MailTemplate, string> = {
  [MailTemplate.REPORT_EVENT]: 'Bericht over een melding', [MailTemplate.DIGEST]: 'Dagelijks overzicht', [MailTemplate.ACTIVATION]: 'Activeringslink',
};

const MAILBOX_LABELS: Record<string, string> = { mailbox: 'Algemeen e-mailadres' };
const KEY_LABELS: Record<string, string> = { name: 'Naam van de sleutel', roles: 'Rollen' };
const PREFERENCE_LABELS: Record<string, string> = { frequency: 'Hoe wilt u e-mail over meldingen krijgen?' };

const DONE_KEYS: Record<string, string> = { ingetrokken: 'De sleutel is ingetrokken: hij werkt vanaf nu niet meer.' };
const DONE_MAIL: Record<string, string> = {
  adres: 'Het algemene e-mailadres is opgeslagen.',
  'adres-leeg': 'Het algemene e-mailadres is verwijderd. Berichten gaan nu alleen naar de personen zelf.',
  opnieuw: 'De e-mail staat weer klaar om verstuurd te worden en gaat mee met de volgende verzendronde.',
  'al-verstuurd': 'Deze e-mail stond niet meer bij de mislukte e-mails: hij is al verstuurd of wacht op verzending.',
};
const DONE_SELF: Record<string, string> = { opgeslagen: 'Uw keuze is opgeslagen.' };

/** API keys, the organisation's e-mail settings and failed e-mails, the audit log, and a person's own e-mail choice. */
@ApiExcludeController()
@UseFilters(PortalFilter)
@Controller()
export class SettingsPageController {
  constructor(
    private readonly pages: PageRenderer,
    private readonly keys: ApiKeysService,
    private readonly organisations: OrganisationsService,
    private readonly accounts: AccountsService,
    private readonly notifications: NotificationAdminService,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  // API keys

  @Get('beheer/sleutels')
  @Allow(Permission.APIKEY_MANAGE)
  @Header('Content-Type', 'text/html; charset=utf-8')
  async apiKeys(@CurrentActor() actor: Actor, @Query('gedaan') done: string | undefined): Promise<string> {
    return this.pages.render('api-keys', await this.apiKeysContext(actor, { roles: [] }, [], DONE_KEYS[done ?? '']));
  }

  /**
   * Makes a key and shows its secret on this response only: not in a redirect's address, not in a cache. A reload
   * of the list shows the key without it.
   */
  @Post('beheer/sleutels')
  @Allow(Permission.APIKEY_MANAGE)
  @Header('Cache-Control', 'no-store')
  async createApiKey(@CurrentActor() actor: Actor, @Body() form: Record<string, unknown>, @Res() res: Response): Promise<void> {
    const roles = listOf(form.roles);
    const values = { ...unflatten({ name: form.name }), roles };
    const { input, errors } = await validateAs(NewApiKeyInput, values);
    let problems = errors;
    if (input) {
      try {
        const { key, secret } = await this.keys.createBy(actor, input.name, input.roles);
        const context = await this.apiKeysContext(actor, { roles: [] }, [], `De sleutel ${key.name} is gemaakt.`);
        res.status(201).type('html').send(this.pages.render('api-keys', { ...context, issued: { name: key.name, secret } }));
        return;
      } catch (error) {
        problems = refusalOnPage(error, { field: 'roles', forbiddenOnPage: true });
      }
    }
    res.status(422).type('html').send(this.pages.render('api-keys', await this.apiKeysContext(actor, { ...values, roles }, pageErrors(problems, KEY_LABELS))));
  }

  @Post('beheer/sleutels/:id/intrekken')
  @Allow(Permission.APIKEY_MANAGE)
  async revokeApiKey(@CurrentActor() actor: Actor, @Param('id') id: string, @Res() res: Response): Promise<void> {
    await this.keys.revokeBy(actor, id);
    res.redirect(303, '/beheer/sleutels?gedaan=ingetrokken');
  }

  private async apiKeysContext(actor: Actor, values: Record<string, unknown>, errors: FieldError[], notice?: string): Promise<PageContext> {
    const keys = await this.keys.list(actor.organisationId);
    return {
      title: 'API-sleutels', nav: nav(actor, 'beheer'), values, errors, notice,
      // Only roles the beheerder holds: a key never carries more than the person who makes it.
      roleOptions: ROLES_BY_ORGANISATION[actor.organisationType].filter((r) => actor.roles.includes(r)).map((r) => ({ value: r, label: ROLE_LABELS[r], hint: ROLE_HINTS[r] })),
      keys: keys
        .sort((a, b) => Number(!!a.revokedAt) - Number(!!b.revokedAt) || b.createdAt.getTime() - a.createdAt.getTime())
        .map((k) => ({
          id: k.id, name: k.name, prefix: k.prefix, roles: k.roles.map((r) => ROLE_LABELS[r as Role] ?? r).join(', '),
          createdAt: nlDateTime(k.createdAt), lastUsedAt: k.lastUsedAt ? nlDateTime(k.lastUsedAt) : null, revokedAt: k.revokedAt ? nlDateTime(k.revokedAt) : null,
        })),
    };
  }

  // The organisation's e-mail: its general mailbox and the e-mails that could not be delivered

  @Get('beheer/e-mail')
  @Allow(Permission.NOTIFICATION_MANAGE)
  @Header('Content-Type', 'text/html; charset=utf-8')
  async mail(@CurrentActor() actor: Actor, @Query('gedaan') done: string | undefined, @Query('offset') offset: string | undefined): Promise<string> {
    const mailbox = await this.notifications.mailbox(actor.organisationId);
    return this.pages.render('mail-settings', await this.mailContext(actor, { mailbox }, [], DONE_MAIL[done ?? ''], offset));
  }

  /** Saves the general mailbox; an empty field removes it, as the "verwijderen" button does. */
  @Post('beheer/e-mail')
  @Allow(Permission.NOTIFICATION_MANAGE)
  async setMailbox(@CurrentActor() actor: Actor, @Body() form: Record<string, string>, @Res() res: Response): Promise<void> {
    const values = unflatten({ mailbox: form.mailbox });
    const { input, errors } = await validateAs(MailboxInput, { mailbox: values.mailbox ?? null });
    if (!input) {
      res.status(422).type('html').send(this.pages.render('mail-settings', await this.mailContext(actor, flatten(values), pageErrors(errors, MAILBOX_LABELS))));
      return;
    }
    await this.saveMailbox(actor, input.mailbox);
    res.redirect(303, `/beheer/e-mail?gedaan=${input.mailbox === null ? 'adres-leeg' : 'adres'}`);
  }

  @Post('beheer/e-mail/verwijderen')
  @Allow(Permission.NOTIFICATION_MANAGE)
  async clearMailbox(@CurrentActor() actor: Actor, @Res() res: Response): Promise<void> {
    await this.saveMailbox(actor, null);
    res.redirect(303, '/beheer/e-mail?gedaan=adres-leeg');
  }

  /** Another organisation's e-mail (for anyone but the operator) is "not found", as in the API. */
  @Post('beheer/e-mail/mislukt/:id/opnieuw')
  @Allow(Permission.NOTIFICATION_MANAGE)
  async resend(@CurrentActor() actor: Actor, @Param('id') id: string, @Res() res: Response): Promise<void> {
    try {
      await this.notifications.resend(actor, id);
      res.redirect(303, '/beheer/e-mail?gedaan=opnieuw');
    } catch (error) {
      if (!(error instanceof ProblemError) || error.code !== ErrorCode.CONFLICT) throw error;
      res.redirect(303, '/beheer/e-mail?gedaan=al-verstuurd');
    }
  }

  private async saveMailbox(actor: Actor, mailbox: string | null): Promise<void> {
    await this.notifications.setMailbox(actor, mailbox);
  }

  private async mailContext(actor: Actor, values: Record<string, unknown>, errors: FieldError[], notice?: string, offsetParam?: string): Promise<PageContext> {
    const { input } = await validateAs(FailedMailQuery, offsetParam ? { offset: offsetParam } : {});
    const limit = 50;
    const offset = input?.offset ?? 0;
    const page = await this.notifications.failed(actor, limit, offset);
    const everyone = actor.organisationType === OrganisationType.OPERATOR;
    const names = new Map<string, string>();
    if (everyone) {
      for (const code of new Set(page.items.map((i) => i.organisation))) names.set(code, (await this.organisations.findByCode(code))?.name ?? code);
    }
    return {
      title: 'E-mail', nav: nav(actor, 'beheer'), values, errors, notice, everyone,
      mailbox: await this.notifications.mailbox(actor.organisationId),
      failed: page.items.map((i) => ({
        id: i.id, recipient: i.recipient, organisation: names.get(i.organisation) ?? i.organisation, kind: TEMPLATE_LABELS[i.template] ?? i.template,
        reportNumber: i.reportNumber, subject: i.subject, attempts: i.attempts, lastError: i.lastError ?? 'Geen antwoord ontvangen', createdAt: nlDateTime(i.createdAt),
      })),
      total: page.total,
      shown: page.items.length ? `${offset + 1} tot en met ${offset + page.items.length} van ${page.total}` : null,
      previous: offset > 0 ? `/beheer/e-mail?offset=${Math.max(0, offset - limit)}` : null,
      next: offset + limit < page.total ? `/beheer/e-mail?offset=${offset + limit}` : null,
    };
  }

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
    const people = await this.accounts.list(actor.organisationId);
    const keys = await this.keys.list(actor.organisationId);
    // A person or key as the subject of an entry is named, not shown as an id.
    const names = new Map<string, string>([...people.map((p): [string, string] => [p.id, `${p.name} (${p.username})`]), ...keys.map((k): [string, string] => [k.id, k.name])]);
    const filters = Object.fromEntries(Object.entries(values as Record<string, string>).filter(([k]) => k !== 'after'));
    const next = page.nextCursor ? `/beheer/logboek?${new URLSearchParams({ ...filters, after: page.nextCursor })}` : null;
    const first = values.after ? `/beheer/logboek?${new URLSearchParams(filters)}` : null;
    res.status(errors.length ? 422 : 200).type('html').send(
      this.pages.render('audit-log', {
        title: 'Logboek', nav: nav(actor, 'beheer'), values, errors: pageErrors(errors.map(dutchAuditError), AUDIT_LABELS), next, first,
        actions: options(AUDIT_ACTION_LABELS).sort((a, b) => a.label.localeCompare(b.label, 'nl')),
        outcomes: options(OUTCOME_LABELS), subjectTypes: options(SUBJECT_LABELS),
        actors: [
          ...people.map((p) => ({ value: p.id, label: `${p.name} (${p.username})` })),
          ...keys.map((k) => ({ value: k.id, label: `API-sleutel ${k.name}` })),
        ],
        events: page.events.map((e) => ({
          at: nlDateTime(e.at), actor: e.actor.name, action: AUDIT_ACTION_LABELS[e.action] ?? e.action, outcome: OUTCOME_LABELS[e.outcome] ?? e.outcome,
          failed: e.outcome !== AuditOutcome.SUCCESS,
          subject: e.subject ? `${SUBJECT_LABELS[e.subject.type] ?? e.subject.type}${e.subject.id ? ` ${names.get(e.subject.id) ?? e.subject.id}` : ''}` : '',
          details: describe(e.details), clientIp: e.clientIp ?? '',
        })),
      }),
    );
  }

  // A person's own choice

  @Get('instellingen')
  @Allow(Permission.NOTIFICATION_SELF)
  @Header('Content-Type', 'text/html; charset=utf-8')
  async mySettings(@CurrentActor() actor: Actor, @Query('gedaan') done: string | undefined): Promise<string> {
    const frequency = await this.notifications.frequency(actor.id);
    return this.pages.render('my-settings', await this.mySettingsContext(actor, { frequency }, [], DONE_SELF[done ?? '']));
  }

  @Post('instellingen')
  @Allow(Permission.NOTIFICATION_SELF)
  async saveMySettings(@CurrentActor() actor: Actor, @Body() form: Record<string, string>, @Res() res: Response): Promise<void> {
    const values = unflatten({ frequency: form.frequency });
    const { input, errors } = await validateAs(PreferenceInput, values);
    if (!input) {
      res.status(422).type('html').send(this.pages.render('my-settings', await this.mySettingsContext(actor, values, pageErrors(errors, PREFERENCE_LABELS))));
      return;
    }
    await this.notifications.setFrequency(actor, actor.id, input.frequency);
    res.redirect(303, '/instellingen?gedaan=opgeslagen');
  }

  private async mySettingsContext(actor: Actor, values: Record<string, unknown>, errors: FieldError[], notice?: string): Promise<PageContext> {
    const user = await this.accounts.get(actor.organisationId, actor.id);
    return {
      title: 'Mijn e-mail', nav: nav(actor, 'instellingen'), values, errors, notice, email: user.email,
      frequencies: [
        { value: MailFrequency.IMMEDIATE, label: 'Bij elke wijziging meteen een e-mail' },
        { value: MailFrequency.DAILY, label: `Eén overzicht per dag (rond ${this.config.MAIL_DIGEST_TIME} uur)` },
        { value: MailFrequency.OFF, label: 'Geen e-mail' },
      ],
    };
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
