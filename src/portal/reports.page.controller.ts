import { Body, Controller, Get, Header, Param, Post, Query, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { FieldCode, FieldError, notFound, ProblemError } from '../common/problem';
import { Actor } from '../identity/actor';
import { Allow, CurrentActor } from '../identity/allow.decorator';
import { Permission } from '../identity/permissions';
import { OrganisationType } from '../organisations/organisation.entity';
import { OrganisationsService } from '../organisations/organisations.service';
import { SchoolDataService } from '../organisations/school-data.service';
import { locationLimit, visibleToActorSql } from '../reports/report-access';
import {
  CLOSING_EXPLANATION_LABELS, CLOSING_REASON_LABELS, ClosingReason, EmailCopies, KIND_LABELS, ReportKind, ReportStatus, Sex, STATUS_LABELS,
} from '../reports/report-codes';
import { allowedReceiverTransitions, isOpen } from '../reports/report-rules';
import { CreateReportInput, MessageInput, ReportQuery, StatusChangeInput, WithdrawInput } from '../reports/report.dto';
import { ReportHandlingService } from '../reports/report-handling.service';
import { ReportsService } from '../reports/reports.service';
import { coerce, flatten, pageErrors, unflatten, validateAs } from './forms';
import { PageContext, PageRenderer } from './page-renderer';
import { nav } from './nav';
import { PortalFilter } from './portal.filter';

const options = <T extends string>(labels: Record<T, string>) => (Object.entries(labels) as [T, string][]).map(([value, label]) => ({ value, label }));
const nlDate = (iso: string) => new Date(iso).toLocaleString('nl-NL', { timeZone: 'Europe/Amsterdam', dateStyle: 'medium', timeStyle: 'short' });

/** The labels of the filing form's fields: in the error summary, each message begins with the field's label. */
const REPORT_LABELS: Record<string, string> = {
  'pupil.pgn': 'BSN of onderwijsnummer', 'pupil.initials': 'Voorletters', 'pupil.prefix': 'Tussenvoegsel', 'pupil.surname': 'Achternaam',
  'pupil.sex': 'Geslacht', 'pupil.birthDate': 'Geboortedatum', 'pupil.registeredAddress.street': 'Straat',
  'pupil.registeredAddress.houseNumber': 'Huisnummer', 'pupil.registeredAddress.postcode': 'Postcode', 'pupil.registeredAddress.place': 'Woonplaats',
  'pupil.registeredAddress.municipalityCode': 'Gemeente van het adres', kind: 'Soort verzuim', reason: 'Reden van het verzuim',
  beginDate: 'Eerste dag van het verzuim', endDate: 'Laatste dag van het verzuim', daysMissed: 'Aantal dagen gemist', hoursMissed: 'Aantal lesuren gemist',
  allLessonsMissed: 'Alle lessen gemist', schoolAction: 'Wat heeft de school al gedaan', actionWanted: 'Actie door de gemeente gewenst',
  actionWantedExplanation: 'Toelichting als u geen actie wenst', locationCode: 'Vestiging', reporterId: 'Melder', emailCopies: 'Bericht van de reactie',
};
const HANDLING_LABELS: Record<string, string> = {
  status: 'Nieuwe status', closingReason: 'Reden van afsluiten', closingExplanation: 'Toelichting bij afsluiten', body: 'Nieuw bericht', explanation: 'Waarom',
};
/** What a person just did, said on the report's page after the action. */
const DONE: Record<string, string> = { bericht: 'Uw bericht is verstuurd.', status: 'De status is opgeslagen.', ingetrokken: 'De melding is ingetrokken.' };
const EVENT_LABELS: Record<string, string> = {
  INGEDIEND: 'Ingediend', GEWIJZIGD: 'Gewijzigd', STATUS_GEWIJZIGD: 'Status gewijzigd', HEROPEND: 'Heropend', BERICHT: 'Bericht',
  DOORGESTUURD: 'Doorgestuurd', INGETROKKEN: 'Ingetrokken',
};

/** The pages of the register: start, overview, one report with its actions, and the filing form. */
@ApiExcludeController()
@UseFilters(PortalFilter)
@Controller()
export class ReportsPageController {
  constructor(
    private readonly pages: PageRenderer,
    private readonly reports: ReportsService,
    private readonly handling: ReportHandlingService,
    private readonly schoolData: SchoolDataService,
    private readonly organisations: OrganisationsService,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  @Get()
  @Allow(Permission.ORGANISATION_READ)
  @Header('Content-Type', 'text/html; charset=utf-8')
  async start(@CurrentActor() actor: Actor): Promise<string> {
    const context: PageContext = { title: 'Start', nav: nav(actor, 'start') };
    if (actor.permissions.has(Permission.REPORT_READ)) Object.assign(context, await this.figures(actor));
    return this.pages.render('start', context);
  }

  @Get('meldingen')
  @Allow(Permission.REPORT_READ)
  async list(@CurrentActor() actor: Actor, @Query() query: Record<string, string>, @Res() res: Response): Promise<void> {
    const values = unflatten(query);
    const { input, errors } = await validateAs(ReportQuery, values);
    const page = input ? await this.reports.list(actor, input) : { reports: [], nextCursor: null };
    const next = page.nextCursor ? `/meldingen?${new URLSearchParams({ ...(values as Record<string, string>), after: String(page.nextCursor) })}` : null;
    res.status(errors.length ? 422 : 200).type('html').send(
      this.pages.render('reports', {
        title: 'Meldingen', nav: nav(actor, 'meldingen'), values, errors: pageErrors(errors, { status: 'Status', kind: 'Soort', number: 'Meldingsnummer', from: 'Gemeld vanaf', to: 'Gemeld tot en met' }),
        statuses: options(STATUS_LABELS), kinds: options(KIND_LABELS), next,
        reports: page.reports.map((r) => ({
          number: r.number, kind: KIND_LABELS[r.kind], school: r.school.name, location: r.location.name, receiver: r.receiver.name,
          status: STATUS_LABELS[r.status], createdAt: nlDate(r.createdAt),
        })),
      }),
    );
  }

  @Get('meldingen/nieuw')
  @Allow(Permission.REPORT_CREATE)
  @Header('Content-Type', 'text/html; charset=utf-8')
  async newReport(@CurrentActor() actor: Actor): Promise<string> {
    return this.pages.render('report-new', await this.formContext(actor, { emailCopies: EmailCopies.BEIDE, allLessonsMissed: 'true', actionWanted: 'true' }, []));
  }

  @Post('meldingen/nieuw')
  @Allow(Permission.REPORT_CREATE)
  async file(@CurrentActor() actor: Actor, @Body() form: Record<string, string>, @Res() res: Response): Promise<void> {
    const values = unflatten(form, ['_csrf', 'idempotencyKey']);
    const typed = coerce(values, ['pupil.registeredAddress.houseNumber', 'daysMissed', 'hoursMissed'], ['allLessonsMissed', 'actionWanted']);
    const { input, errors } = await validateAs(CreateReportInput, typed);
    let problems = errors;
    if (input) {
      try {
        // The form's own key: a double click or a resent form files one report.
        const filed = await this.reports.file(actor, input, /^[\w-]{8,64}$/.test(form.idempotencyKey ?? '') ? form.idempotencyKey : undefined);
        res.redirect(303, `/meldingen/${filed.report.number}?gedaan=gemeld`);
        return;
      } catch (error) {
        problems = fieldErrorsOf(error);
      }
    }
    res.status(422).type('html').send(this.pages.render('report-new', await this.formContext(actor, flatten(values), pageErrors(problems, REPORT_LABELS), form.idempotencyKey)));
  }

  @Get('meldingen/:number')
  @Allow(Permission.REPORT_READ)
  async show(@CurrentActor() actor: Actor, @Param('number') number: string, @Query('gedaan') done: string | undefined, @Res() res: Response): Promise<void> {
    const n = reportNumber(number);
    const notice = done === 'gemeld' ? `Melding ${n} is verstuurd naar de ontvanger.` : DONE[done ?? ''];
    res.type('html').send(this.pages.render('report', await this.reportContext(actor, n, [], notice)));
  }

  @Post('meldingen/:number/bericht')
  @Allow(Permission.REPORT_MESSAGE)
  async message(@CurrentActor() actor: Actor, @Param('number') number: string, @Body() form: Record<string, string>, @Res() res: Response): Promise<void> {
    const n = reportNumber(number);
    await this.act(actor, n, form, res, MessageInput, (input) => this.handling.addMessage(actor, n, input), 'bericht');
  }

  @Post('meldingen/:number/status')
  @Allow(Permission.REPORT_HANDLE)
  async status(@CurrentActor() actor: Actor, @Param('number') number: string, @Body() form: Record<string, string>, @Res() res: Response): Promise<void> {
    const n = reportNumber(number);
    const version = Number(form.version) || undefined;
    await this.act(actor, n, form, res, StatusChangeInput, (input) => this.handling.setStatus(actor, n, version, input), 'status', ['version']);
  }

  @Post('meldingen/:number/intrekken')
  @Allow(Permission.REPORT_WITHDRAW)
  async withdraw(@CurrentActor() actor: Actor, @Param('number') number: string, @Body() form: Record<string, string>, @Res() res: Response): Promise<void> {
    const n = reportNumber(number);
    const version = Number(form.version) || undefined;
    await this.act(actor, n, form, res, WithdrawInput, (input) => this.handling.withdraw(actor, n, version, input), 'ingetrokken', ['version']);
  }

  /**
   * Validates a form like the API and performs the action; then back to the report with a notice (a reload does not
   * repeat the action), or the report again with the errors and what was typed.
   */
  private async act<T>(
    actor: Actor, n: number, form: Record<string, string>, res: Response, metatype: new () => T, perform: (input: T) => Promise<unknown>, done: keyof typeof DONE,
    skip: string[] = [],
  ): Promise<void> {
    const values = unflatten(form, ['_csrf', ...skip]);
    const { input, errors } = await validateAs(metatype, values);
    let problems = errors;
    if (input) {
      try {
        await perform(input);
        res.redirect(303, `/meldingen/${n}?gedaan=${done}`);
        return;
      } catch (error) {
        problems = fieldErrorsOf(error);
      }
    }
    res.status(422).type('html').send(this.pages.render('report', { ...(await this.reportContext(actor, n, pageErrors(problems, HANDLING_LABELS))), values: flatten(values) }));
  }

  private async reportContext(actor: Actor, n: number, errors: FieldError[], notice?: string): Promise<PageContext> {
    const r = await this.reports.get(actor, n);
    const history = await this.reports.history(actor, n);
    const receiver = r.receiver.code === actor.organisationCode;
    const transitions = allowedReceiverTransitions(r.status);
    const school = r.school.code === actor.organisationCode;
    return {
      title: `Melding ${r.number}`, nav: nav(actor, 'meldingen'), errors, notice,
      r: { ...r, messages: r.messages.map((m) => ({ ...m, createdAt: nlDate(m.createdAt) })) },
      kindLabel: KIND_LABELS[r.kind], statusLabel: STATUS_LABELS[r.status],
      closingReasonLabel: r.closingReason ? CLOSING_REASON_LABELS[r.closingReason as ClosingReason] : null,
      canMessage: actor.permissions.has(Permission.REPORT_MESSAGE),
      canHandle: receiver && actor.permissions.has(Permission.REPORT_HANDLE),
      canWithdraw: school && isOpen(r.status) && actor.permissions.has(Permission.REPORT_WITHDRAW),
      canClose: transitions.includes(ReportStatus.AFGESLOTEN),
      transitions: transitions.map((s) => ({ value: s, label: s === ReportStatus.IN_BEHANDELING && !isOpen(r.status) ? 'Heropenen (in behandeling)' : STATUS_LABELS[s] })),
      closingReasons: options(CLOSING_REASON_LABELS), closingExplanations: options(CLOSING_EXPLANATION_LABELS),
      history: history.map((h) => ({
        label: EVENT_LABELS[h.type] ?? h.type, actor: h.actor, organisation: h.organisation.name, at: nlDate(h.at),
        changes: h.changes.map((c) => ({ field: c.field, from: shown(c.from), to: shown(c.to) })),
      })),
    };
  }

  private async formContext(actor: Actor, values: Record<string, unknown>, errors: FieldError[], idempotencyKey: string = randomUUID()): Promise<PageContext> {
    const limit = locationLimit(actor);
    const locations = (await this.schoolData.listLocations(actor.organisationId)).filter((l) => l.active && (!limit || limit.includes(l.id)));
    const reporters = (await this.schoolData.listReporters(actor.organisationId)).filter((r) => r.active);
    const { organisations } = await this.organisations.list(OrganisationType.GEMEENTE);
    return {
      title: 'Verzuim melden', nav: nav(actor, 'melden'), values, errors, idempotencyKey,
      sexes: [{ value: Sex.M, label: 'Jongen / man' }, { value: Sex.V, label: 'Meisje / vrouw' }, { value: Sex.X, label: 'Anders' }, { value: Sex.ONBEKEND, label: 'Onbekend' }],
      kinds: options(KIND_LABELS),
      yesNo: [{ value: 'true', label: 'Ja' }, { value: 'false', label: 'Nee' }],
      copies: [
        { value: EmailCopies.MELDER, label: 'De melder' }, { value: EmailCopies.SCHOOLMAILBOX, label: 'Het algemene e-mailadres van de school' },
        { value: EmailCopies.BEIDE, label: 'Beide' },
      ],
      locations: locations.map((l) => ({ value: actor.organisationCode + l.code, label: `${l.name} (${actor.organisationCode}${l.code})` })),
      reporters: reporters.map((r) => ({ value: r.id, label: `${r.name}, ${r.function}` })),
      municipalities: organisations.map((o) => ({ value: o.code, label: o.name })).sort((a, b) => a.label.localeCompare(b.label, 'nl')),
    };
  }

  /** What needs attention, and reports per month of the last twelve by kind (chart and table, the same figures). */
  private async figures(actor: Actor): Promise<Record<string, unknown>> {
    const limit = locationLimit(actor);
    const visible = visibleToActorSql('r', '$1', '$2');
    const byStatus: { status: ReportStatus; count: number }[] = await this.db.query(
      `SELECT r.status, count(*)::int AS count FROM report r WHERE ${visible} AND r.status IN ('GEREGISTREERD', 'IN_BEHANDELING') GROUP BY r.status`,
      [actor.organisationId, limit],
    );
    const monthly: { month: string; kind: ReportKind; count: number }[] = await this.db.query(
      `SELECT to_char(r.created_at AT TIME ZONE 'Europe/Amsterdam', 'YYYY-MM') AS month, r.kind, count(*)::int AS count
         FROM report r WHERE ${visible} AND r.created_at >= date_trunc('month', now() AT TIME ZONE 'Europe/Amsterdam') - interval '11 months'
        GROUP BY 1, 2`,
      [actor.organisationId, limit],
    );
    const count = (s: ReportStatus) => byStatus.find((b) => b.status === s)?.count ?? 0;
    const kinds = Object.values(ReportKind);
    const now = new Date();
    const months = Array.from({ length: 12 }, (_, i) => {
      const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 11 + i, 1));
      const key = d.toISOString().slice(0, 7);
      const counts = kinds.map((k) => monthly.find((m) => m.month === key && m.kind === k)?.count ?? 0);
      return { label: d.toLocaleDateString('nl-NL', { month: 'short', year: 'numeric', timeZone: 'UTC' }), counts, total: counts.reduce((a, b) => a + b, 0) };
    });
    const max = Math.max(1, ...months.map((m) => m.total));
    return {
      attention: [
        { label: 'nieuw, nog niet in behandeling', count: count(ReportStatus.GEREGISTREERD), href: '/meldingen?status=GEREGISTREERD' },
        { label: 'in behandeling', count: count(ReportStatus.IN_BEHANDELING), href: '/meldingen?status=IN_BEHANDELING' },
      ],
      kinds: kinds.map((k) => ({ label: KIND_LABELS[k] })),
      months: months.map((m) => ({ ...m, percent: Math.round((m.total / max) * 100) })),
    };
  }
}

function reportNumber(value: string): number {
  const n = /^\d{1,9}$/.test(value) ? Number(value) : 0;
  if (n < 1) throw notFound('Deze melding bestaat niet.');
  return n;
}

/** Field errors of a refused action; an error about the whole report (a conflict, a stale version) becomes a general one. */
function fieldErrorsOf(error: unknown): FieldError[] {
  if (!(error instanceof ProblemError) || error.status === 401 || error.status === 403 || error.status === 404) throw error;
  return error.errors?.length ? error.errors : [{ field: 'algemeen', code: FieldCode.NOT_ALLOWED_VALUE, message: error.detail ?? error.message }];
}

function shown(value: unknown): string {
  if (value === null || value === undefined || value === '') return '(leeg)';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
