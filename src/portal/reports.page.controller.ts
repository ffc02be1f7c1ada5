import { Body, Controller, Get, Header, Param, Post, Query, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditAction, AuditService, byActor } from '../audit/audit.service';
import { addDays, nlDateTime, nlDay, todayInNL } from '../common/dates';
import { normalisePostcode } from '../common/dutch-validators';
import { ErrorCode, FieldCode, FieldError, notFound, ProblemError } from '../common/problem';
import { Actor } from '../identity/actor';
import { Allow, CurrentActor } from '../identity/allow.decorator';
import { Permission } from '../identity/permissions';
import { Organisation, OrganisationType } from '../organisations/organisation.entity';
import { OrganisationsService } from '../organisations/organisations.service';
import { SchoolDataService } from '../organisations/school-data.service';
import { locationLimit, visibleToActorSql } from '../reports/report-access';
import {
  CLOSING_EXPLANATION_LABELS, CLOSING_REASON_LABELS, ClosingReason, EmailCopies, KIND_LABELS, ReportKind, ReportStatus, Sex, STATUS_LABELS, STATUS_ORDER,
} from '../reports/report-codes';
import { allowedReceiverTransitions, isOpen } from '../reports/report-rules';
import {
  ChangeReportInput, CreateReportInput, ForwardInput, MessageInput, ReportSearchInput, StatusChangeInput, WithdrawInput, ReportSort } from '../reports/report.dto';
import { ReportHandlingService } from '../reports/report-handling.service';
import { ReportSummary, ReportView } from '../reports/report.view';
import { OVERVIEW_DAYS, ReportsService } from '../reports/reports.service';
import { coerce, fieldErrorsOf, flatten, options, pageErrors, unflatten, validateAs } from './forms';
import { PageContext, PageRenderer } from './page-renderer';
import { nav } from './nav';
import { PortalFilter } from './portal.filter';


/** The labels of the filing form's fields: in the error summary, each message begins with the field's label. */
const REPORT_LABELS: Record<string, string> = {
  'pupil.pgn': 'BSN of onderwijsnummer', 'pupil.initials': 'Voorletters', 'pupil.prefix': 'Tussenvoegsel', 'pupil.surname': 'Achternaam',
  'pupil.sex': 'Geslacht', 'pupil.birthDate': 'Geboortedatum', 'pupil.registeredAddress.street': 'Straat',
  'pupil.registeredAddress.houseNumber': 'Huisnummer', 'pupil.registeredAddress.houseLetter': 'Huisletter',
  'pupil.registeredAddress.houseNumberAddition': 'Toevoeging', 'pupil.registeredAddress.postcode': 'Postcode',
  'pupil.registeredAddress.place': 'Woonplaats', 'pupil.registeredAddress.municipalityCode': 'Gemeente van het adres',
  'pupil.phone': 'Telefoonnummer', 'pupil.studentNumber': 'Leerlingnummer op school', kind: 'Soort verzuim', reason: 'Reden van het verzuim',
  beginDate: 'Eerste dag van het verzuim', endDate: 'Laatste dag van het verzuim', daysMissed: 'Aantal dagen gemist', hoursMissed: 'Aantal lesuren gemist',
  allLessonsMissed: 'Alle lessen gemist', absenceExplanation: 'Toelichting bij het verzuim', schoolAction: 'Wat heeft de school al gedaan',
  actionWanted: 'Actie door de gemeente gewenst', actionWantedExplanation: 'Toelichting als u geen actie wenst', locationCode: 'Vestiging',
  reporterId: 'Melder', emailCopies: 'Wie krijgt bericht van de reactie',
};
/** The change form has every field the API's change allows: the filing form's and these. */
const EDIT_LABELS: Record<string, string> = {
  ...REPORT_LABELS,
  'pupil.registeredAddress.houseLetter': 'Huisletter', 'pupil.registeredAddress.houseNumberAddition': 'Toevoeging',
  'pupil.residenceAddress.street': 'Straat (verblijfsadres)', 'pupil.residenceAddress.houseNumber': 'Huisnummer (verblijfsadres)',
  'pupil.residenceAddress.houseLetter': 'Huisletter (verblijfsadres)', 'pupil.residenceAddress.houseNumberAddition': 'Toevoeging (verblijfsadres)',
  'pupil.residenceAddress.postcode': 'Postcode (verblijfsadres)', 'pupil.residenceAddress.place': 'Woonplaats (verblijfsadres)',
  'pupil.residenceAddress.municipalityCode': 'Gemeente van het verblijfsadres', 'pupil.phone': 'Telefoon van ouder of leerling',
  'pupil.studentNumber': 'Leerlingnummer', absenceExplanation: 'Toelichting op het verzuim', absenceDays: 'Verzuim per dag',
};
/** Field names in the history, as people say them. */
const HISTORY_LABELS: Record<string, string> = {
  ...EDIT_LABELS, 'pupil.registeredAddress': 'Adres', 'pupil.residenceAddress': 'Verblijfsadres', status: 'Status', receiver: 'Ontvanger',
  closingReason: 'Reden van afsluiten', closingExplanation: 'Toelichting bij afsluiten', municipalContact: 'Contactpersoon van de gemeente',
};
const HANDLING_LABELS: Record<string, string> = {
  status: 'Nieuwe status', closingReason: 'Reden van afsluiten', closingExplanation: 'Toelichting bij afsluiten', body: 'Nieuw bericht', explanation: 'Waarom',
  to: 'Doorsturen naar', algemeen: 'Let op',
};
const OVERVIEW_LABELS: Record<string, string> = {
  status: 'Status', kind: 'Soort', number: 'Meldingsnummer', from: 'Gemeld vanaf', to: 'Gemeld tot en met', location: 'Vestiging', reporterId: 'Melder',
  pgn: 'BSN of onderwijsnummer', limit: 'Aantal per pagina', after: 'Pagina',
};
/** What a person just did, said on the report's page after the action. */
const DONE: Record<string, string> = {
  bericht: 'Uw bericht is verstuurd.', status: 'De status is opgeslagen.', ingetrokken: 'De melding is ingetrokken.',
  gewijzigd: 'Uw wijzigingen zijn opgeslagen. De ontvanger krijgt bericht.', ongewijzigd: 'U heeft niets gewijzigd; de melding is gebleven zoals ze was.',
};
const EVENT_LABELS: Record<string, string> = {
  INGEDIEND: 'Ingediend', GEWIJZIGD: 'Gewijzigd', STATUS_GEWIJZIGD: 'Status gewijzigd', HEROPEND: 'Heropend', BERICHT: 'Bericht',
  DOORGESTUURD: 'Doorgestuurd', INGETROKKEN: 'Ingetrokken',
};
const CONFLICT = 'Iemand anders heeft deze melding gewijzigd terwijl u dit formulier invulde. Er is nog niets opgeslagen. '
  + 'Wat u invulde staat nog in het formulier; hieronder ziet u wat er intussen veranderde. Controleer het en verstuur het formulier opnieuw.';

/** Rows per page of the overview (also keeps a ticked selection under the form's parameter limit). */
const PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 100;
/** The start page counts a report as "with a reply" when its receiver wrote a message in this many days. */
const REPLY_DAYS = 14;
/** The filters of the overview that go to ReportsService.list as they are. */
const FILTERS = ['status', 'kind', 'location', 'reporterId', 'number', 'from', 'to', 'limit'] as const;
type SortKey = 'nummer' | 'datum' | 'status';
const SORTS: Record<SortKey, string> = { nummer: 'nummer', datum: 'datum van melden', status: 'status' };

/** The fields of the change form: the API's ChangeReportInput as flat form names. */
const ADDRESS_PARTS = ['street', 'houseNumber', 'houseLetter', 'houseNumberAddition', 'postcode', 'place', 'municipalityCode'] as const;
const PUPIL_FIELDS = ['pgn', 'initials', 'prefix', 'surname', 'sex', 'birthDate', 'phone', 'studentNumber'] as const;
const REPORT_FIELDS = [
  'kind', 'reason', 'beginDate', 'endDate', 'allLessonsMissed', 'absenceExplanation', 'schoolAction', 'actionWanted', 'actionWantedExplanation',
  'daysMissed', 'hoursMissed', 'locationCode', 'reporterId', 'emailCopies',
] as const;
const EDIT_NAMES = [
  ...PUPIL_FIELDS.map((f) => `pupil.${f}`), ...ADDRESS_PARTS.map((p) => `pupil.registeredAddress.${p}`), ...ADDRESS_PARTS.map((p) => `pupil.residenceAddress.${p}`),
  ...REPORT_FIELDS, 'absenceDays',
];

type Row = ReturnType<typeof overviewRow>;

/** The pages of the register: start, overview, one report with its actions, the filing and the change form. */
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
    private readonly audit: AuditService,
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
    let notice: string | undefined;
    if (query.gedaan === 'doorgestuurd' && /^\d{1,9}$/.test(query.melding ?? '')) {
      const to = /^[\w-]{2,20}$/.test(query.naar ?? '') ? await this.organisations.findByCode(query.naar) : null;
      notice = `Melding ${query.melding} is doorgestuurd${to ? ` naar ${to.name}` : ''}. De school krijgt bericht. De melding staat niet meer in uw overzicht.`;
    }
    await this.overview(actor, res, query, { notice });
  }

  /** The pupil search: the PGN comes in the body of a POST, so that it never appears in an address. */
  @Post('meldingen/zoeken')
  @Allow(Permission.REPORT_READ)
  async search(@CurrentActor() actor: Actor, @Body() form: Record<string, string>, @Res() res: Response): Promise<void> {
    await this.overview(actor, res, form, { pgn: typeof form.pgn === 'string' ? form.pgn.replace(/\s+/g, '') : '' });
  }

  /** The ticked reports as a CSV file with the overview's columns. */
  @Post('meldingen/selectie')
  @Allow(Permission.REPORT_READ)
  async exportSelection(@CurrentActor() actor: Actor, @Body() form: Record<string, string | string[]>, @Res() res: Response): Promise<void> {
    const ticked = ([] as string[]).concat(form.nummers ?? []);
    const numbers = [...new Set(ticked.filter((s) => /^[1-9]\d{0,8}$/.test(s)).map(Number))].slice(0, MAX_PAGE_SIZE);
    if (numbers.length === 0) {
      const back = Object.fromEntries(new URLSearchParams(typeof form.terug === 'string' ? form.terug : ''));
      const errors = [{ field: 'nummers', code: FieldCode.REQUIRED, message: 'Selectie: vink ten minste één melding aan om te downloaden.' }];
      await this.overview(actor, res, back, { errors });
      return;
    }
    const rows: Row[] = [];
    for (const n of numbers) {
      try {
        rows.push(overviewRow(await this.reports.current(actor, n)));
      } catch (error) {
        // Forwarded or otherwise out of sight since the overview was shown: not in the file.
        if (!(error instanceof ProblemError && error.code === ErrorCode.NOT_FOUND)) throw error;
      }
    }
    await this.audit.record(byActor(actor, AuditAction.REPORTS_EXPORTED, { details: { format: 'CSV', count: rows.length, numbers: rows.map((r) => r.number) } }));
    const header = ['Meldingsnummer', 'Leerling', 'Soort', 'School', 'Locatie', 'Ontvanger', 'Status', 'Gemeld op'];
    const lines = [header, ...rows.map((r) => [String(r.number), r.pupil, r.kind, r.school, r.location, r.receiver, r.status, r.createdAt])];
    res.status(200).set({
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="meldingen-${todayInNL()}.csv"`,
      'Cache-Control': 'no-store',
    });
    // A byte order mark and semicolons: what Excel in a Dutch locale opens correctly.
    res.send(`\uFEFF${lines.map((cells) => cells.map(csvCell).join(';')).join('\r\n')}\r\n`);
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
    // People type postcodes as they like ("1015tk"); the API takes the canonical "1015 TK".
    const address = (typed.pupil as { registeredAddress?: { postcode?: unknown } } | undefined)?.registeredAddress;
    if (address && typeof address.postcode === 'string') address.postcode = normalisePostcode(address.postcode) ?? address.postcode;
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

  /** The change form, filled with the report as it is now; the version read here goes along with the change. */
  @Get('meldingen/:number/wijzigen')
  @Allow(Permission.REPORT_UPDATE)
  async editForm(@CurrentActor() actor: Actor, @Param('number') number: string, @Res() res: Response): Promise<void> {
    const n = reportNumber(number);
    const r = await this.reports.get(actor, n);
    if (!this.changeable(actor, r, res)) return;
    const values = editValues(r);
    res.type('html').send(this.pages.render('report-edit', await this.editContext(actor, r, values, [], values)));
  }

  @Post('meldingen/:number/wijzigen')
  @Allow(Permission.REPORT_UPDATE)
  async change(@CurrentActor() actor: Actor, @Param('number') number: string, @Body() form: Record<string, string>, @Res() res: Response): Promise<void> {
    const n = reportNumber(number);
    const typed = Object.fromEntries(EDIT_NAMES.map((name) => [name, formText(form[name])]));
    const version = /^\d{1,9}$/.test(form.version ?? '') ? Number(form.version) : undefined;
    const current = await this.reports.current(actor, n);
    if (!this.changeable(actor, current, res)) return;
    const { input: change, errors: parseErrors } = changeInput(typed, editValues(current));
    const { input, errors } = parseErrors.length ? { input: undefined, errors: parseErrors } : await validateAs(ChangeReportInput, change);
    let problems = errors;
    if (input && version !== undefined) {
      try {
        if (Object.keys(change).length > 0) await this.reports.change(actor, n, version, input);
        res.redirect(303, `/meldingen/${n}?gedaan=${Object.keys(change).length > 0 ? 'gewijzigd' : 'ongewijzigd'}`);
        return;
      } catch (error) {
        if (error instanceof ProblemError && error.code === ErrorCode.PRECONDITION_FAILED) {
          await this.conflict(actor, n, typed, form.origineel, res);
          return;
        }
        problems = fieldErrorsOf(error);
      }
    } else if (version === undefined) {
      problems = [...problems, { field: 'algemeen', code: FieldCode.REQUIRED, message: 'algemeen: het formulier mist de versie van de melding; open het opnieuw' }];
    }
    const base = parseSnapshot(form.origineel) ?? editValues(current);
    res.status(422).type('html').send(
      this.pages.render('report-edit', await this.editContext(actor, current, typed, pageErrors(problems, { ...EDIT_LABELS, algemeen: 'Let op' }), base, version)),
    );
  }

  @Post('meldingen/:number/bericht')
  @Allow(Permission.REPORT_MESSAGE)
  async message(@CurrentActor() actor: Actor, @Param('number') number: string, @Body() form: Record<string, string>, @Res() res: Response): Promise<void> {
    const n = reportNumber(number);
    await this.act(actor, n, form, res, MessageInput, (input) => this.handling.addMessage(actor, n, input), () => `/meldingen/${n}?gedaan=bericht`);
  }

  @Post('meldingen/:number/status')
  @Allow(Permission.REPORT_HANDLE)
  async status(@CurrentActor() actor: Actor, @Param('number') number: string, @Body() form: Record<string, string>, @Res() res: Response): Promise<void> {
    const n = reportNumber(number);
    const version = Number(form.version) || undefined;
    await this.act(actor, n, form, res, StatusChangeInput, (input) => this.handling.setStatus(actor, n, version, input), () => `/meldingen/${n}?gedaan=status`, ['version']);
  }

  /** Forwarding by the receiver: afterwards the report is no longer theirs, so back to their overview. */
  @Post('meldingen/:number/doorsturen')
  @Allow(Permission.REPORT_HANDLE)
  async forward(@CurrentActor() actor: Actor, @Param('number') number: string, @Body() form: Record<string, string>, @Res() res: Response): Promise<void> {
    const n = reportNumber(number);
    const version = Number(form.version) || undefined;
    await this.act(
      actor, n, form, res, ForwardInput, (input) => this.handling.forward(actor, n, version, input),
      (to) => `/meldingen?${new URLSearchParams({ gedaan: 'doorgestuurd', melding: String(n), naar: String(to) })}`, ['version'],
    );
  }

  @Post('meldingen/:number/intrekken')
  @Allow(Permission.REPORT_WITHDRAW)
  async withdraw(@CurrentActor() actor: Actor, @Param('number') number: string, @Body() form: Record<string, string>, @Res() res: Response): Promise<void> {
    const n = reportNumber(number);
    const version = Number(form.version) || undefined;
    await this.act(actor, n, form, res, WithdrawInput, (input) => this.handling.withdraw(actor, n, version, input), () => `/meldingen/${n}?gedaan=ingetrokken`, ['version']);
  }

  /**
   * Validates a form like the API and performs the action; then on to `next` with a notice (a reload does not
   * repeat the action), or the report again with the errors and what was typed.
   */
  private async act<T, R>(
    actor: Actor, n: number, form: Record<string, string>, res: Response, metatype: new () => T, perform: (input: T) => Promise<R>, next: (result: R) => string,
    skip: string[] = [],
  ): Promise<void> {
    const values = unflatten(form, ['_csrf', ...skip]);
    const { input, errors } = await validateAs(metatype, values);
    let problems = errors;
    if (input) {
      try {
        res.redirect(303, next(await perform(input)));
        return;
      } catch (error) {
        problems = error instanceof ProblemError && error.code === ErrorCode.PRECONDITION_FAILED
          ? [{ field: 'algemeen', code: FieldCode.NOT_ALLOWED_VALUE, message: 'Iemand anders heeft deze melding intussen gewijzigd. Hieronder staat ze zoals ze nu is; kijk of uw handeling nog nodig is en probeer het opnieuw.' }]
          : fieldErrorsOf(error);
      }
    }
    res.status(422).type('html').send(this.pages.render('report', { ...(await this.reportContext(actor, n, pageErrors(problems, HANDLING_LABELS))), values: flatten(values) }));
  }

  /** Whether the actor's school may change this report now; if not, the page that says why has been sent. */
  private changeable(actor: Actor, r: ReportView, res: Response): boolean {
    if (r.school.code !== actor.organisationCode) throw new ProblemError(ErrorCode.FORBIDDEN, 'Alleen de school die de melding deed kan haar wijzigen.');
    if (isOpen(r.status)) return true;
    res.status(409).type('html').send(this.pages.render('error', {
      title: 'Niet meer te wijzigen', nav: nav(actor, 'meldingen'),
      message: `Melding ${r.number} is ${STATUS_LABELS[r.status].toLowerCase()} en kan daarom niet meer gewijzigd worden. Stuur de ontvanger zo nodig een bericht bij de melding.`,
    }));
    return false;
  }

  /**
   * Someone changed the report after the form was opened. The form keeps what this person changed and takes the
   * new values for everything else; the list shows what the other person changed, so that nothing goes unnoticed.
   */
  private async conflict(actor: Actor, n: number, typed: Record<string, string>, snapshot: string | undefined, res: Response): Promise<void> {
    const now = await this.reports.get(actor, n);
    const current = editValues(now);
    const original = parseSnapshot(snapshot);
    const merged = Object.fromEntries(EDIT_NAMES.map((name) => [name, original && typed[name] === original[name] ? current[name] : typed[name]]));
    const context = await this.editContext(actor, now, merged, [{ field: 'algemeen', code: FieldCode.NOT_ALLOWED_VALUE, message: CONFLICT }], current);
    const shownAs = (name: string, value: string) => displayValue(name, value, context);
    const changedMeanwhile = EDIT_NAMES.filter((name) => (original ? original[name] !== current[name] : typed[name] !== current[name])).map((name) => ({
      label: EDIT_LABELS[name] ?? name, now: shownAs(name, current[name]), yours: typed[name] !== current[name] && (!original || typed[name] !== original[name]) ? shownAs(name, typed[name]) : null,
    }));
    res.status(409).type('html').send(this.pages.render('report-edit', { ...context, conflict: true, changedMeanwhile }));
  }

  private async editContext(
    actor: Actor, r: ReportView, values: Record<string, string>, errors: FieldError[], base: Record<string, string>, version = r.version,
  ): Promise<PageContext> {
    const form = await this.formContext(actor, values, errors);
    // The report's own location and reporter stay choosable even when deactivated since, so that keeping them is no change.
    const locations = form.locations as { value: string; label: string }[];
    if (!locations.some((l) => l.value === r.location.vestigingscode)) locations.push({ value: r.location.vestigingscode, label: `${r.location.name} (${r.location.vestigingscode}), gedeactiveerd` });
    const reporters = form.reporters as { value: string; label: string }[];
    if (!reporters.some((p) => p.value === r.reporter.id)) reporters.push({ value: r.reporter.id, label: `${r.reporter.name}, ${r.reporter.function} (gedeactiveerd)` });
    return {
      ...form, title: `Melding ${r.number} wijzigen`, nav: nav(actor, 'meldingen'), r: { number: r.number, version }, snapshot: JSON.stringify(base),
      withResidence: ADDRESS_PARTS.some((p) => values[`pupil.residenceAddress.${p}`]),
    };
  }

  private async reportContext(actor: Actor, n: number, errors: FieldError[], notice?: string): Promise<PageContext> {
    const r = await this.reports.get(actor, n);
    const history = await this.reports.history(actor, n);
    const receiver = r.receiver.code === actor.organisationCode;
    const transitions = allowedReceiverTransitions(r.status);
    const school = r.school.code === actor.organisationCode;
    const canHandle = receiver && actor.permissions.has(Permission.REPORT_HANDLE);
    const canForward = canHandle && isOpen(r.status);
    const address = (a: ReportView['pupil']['registeredAddress'] | null) => (a ? addressText(a) : null);
    return {
      title: `Melding ${r.number}`, nav: nav(actor, 'meldingen'), errors, notice,
      r: { ...r, messages: r.messages.map((m) => ({ ...m, createdAt: nlDateTime(m.createdAt) })) },
      kindLabel: KIND_LABELS[r.kind], statusLabel: STATUS_LABELS[r.status],
      closingReasonLabel: r.closingReason ? CLOSING_REASON_LABELS[r.closingReason as ClosingReason] : null,
      registeredAddress: address(r.pupil.registeredAddress), residenceAddress: address(r.pupil.residenceAddress),
      sexLabel: SEX_LABELS[r.pupil.sex], createdAt: nlDateTime(r.createdAt),
      absenceDays: (r.absenceDays ?? []).map((d) => `${nlDay(d.date)}: lesuur ${d.lessonHours.join(', ')}`),
      copiesLabel: COPIES_LABELS[r.emailCopies],
      canMessage: actor.permissions.has(Permission.REPORT_MESSAGE),
      canHandle, canForward,
      canChange: school && isOpen(r.status) && actor.permissions.has(Permission.REPORT_UPDATE),
      canWithdraw: school && isOpen(r.status) && actor.permissions.has(Permission.REPORT_WITHDRAW),
      canClose: transitions.includes(ReportStatus.AFGESLOTEN),
      transitions: transitions.map((s) => ({ value: s, label: s === ReportStatus.IN_BEHANDELING && !isOpen(r.status) ? 'Heropenen (in behandeling)' : STATUS_LABELS[s] })),
      closingReasons: options(CLOSING_REASON_LABELS), closingExplanations: options(CLOSING_EXPLANATION_LABELS),
      receivers: canForward ? await this.forwardTargets(actor) : [],
      history: history.map((h) => ({
        label: EVENT_LABELS[h.type] ?? h.type, actor: h.actor, organisation: h.organisation.name, at: nlDateTime(h.at),
        explanation: typeof h.details.explanation === 'string' ? h.details.explanation : null,
        changes: h.changes.map((c) => ({ field: HISTORY_LABELS[c.field] ?? c.field, from: shown(c.field, c.from), to: shown(c.field, c.to) })),
      })),
    };
  }

  /** Where a receiver can forward to: every active municipality, regional office and RMC region but itself. */
  private async forwardTargets(actor: Actor) {
    const [gemeenten, bureaus, regios] = await Promise.all(
      [OrganisationType.GEMEENTE, OrganisationType.REGIONAAL_BUREAU, OrganisationType.RMC_REGIO].map((type) => this.organisations.list(type)),
    );
    const names = new Map(bureaus.organisations.map((o) => [o.id, o.name]));
    const choices = (list: Organisation[]) => list
      .filter((o) => o.active && o.code !== actor.organisationCode)
      .map((o) => ({ value: o.code, label: `${o.name} (${o.code})${o.delegateId && names.has(o.delegateId) ? `, via ${names.get(o.delegateId)}` : ''}` }))
      .sort((a, b) => a.label.localeCompare(b.label, 'nl'));
    return [
      { label: 'Gemeenten', options: choices(gemeenten.organisations) },
      { label: 'Regionale bureaus leerplicht', options: choices(bureaus.organisations) },
      { label: "RMC-regio's", options: choices(regios.organisations) },
    ].filter((g) => g.options.length > 0);
  }

  /**
   * The overview: filters in the address (never the PGN), checked with the API's DTO; the pupil search posts its PGN.
   * Sorting is the list's own (keyset paging in that order); paging keeps filters and sorting.
   */
  private async overview(
    actor: Actor, res: Response, query: Record<string, unknown>, opts: { pgn?: string; notice?: string; errors?: FieldError[] },
  ): Promise<void> {
    const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
    const filters: Record<string, string> = {};
    for (const key of FILTERS) if (text(query[key])) filters[key] = key === 'location' ? text(query[key]).toUpperCase() : text(query[key]);
    const sortKey: SortKey = (Object.keys(SORTS) as SortKey[]).find((k) => k === query.sorteer) ?? 'nummer';
    const ascending = query.volgorde === 'op';
    const after = text(query.after);
    const searching = opts.pgn !== undefined;
    const replies = !searching && query.reactie === String(REPLY_DAYS);
    const oldest = addDays(todayInNL(), -OVERVIEW_DAYS);

    const { input, errors } = await validateAs(ReportSearchInput, { ...filters, ...(after ? { after } : {}), ...(searching && opts.pgn ? { pgn: opts.pgn } : {}) });
    const problems = [...errors];
    if (searching && !opts.pgn) problems.push({ field: 'pgn', code: FieldCode.REQUIRED, message: 'pgn: vul het BSN of onderwijsnummer van de leerling in' });
    if (filters.from && /^\d{4}-\d{2}-\d{2}$/.test(filters.from) && filters.from < oldest) {
      problems.push({ field: 'from', code: FieldCode.DATE_TOO_OLD, message: `from: het overzicht gaat twee jaar terug; kies ${nlDay(oldest)} of later` });
    }
    if (filters.from && filters.to && filters.to < filters.from) problems.push({ field: 'to', code: FieldCode.END_BEFORE_BEGIN, message: 'to: ligt voor "Gemeld vanaf"' });

    let rows: Row[] = [];
    let cursor: number | null = null;
    if (problems.length === 0 && input) {
      if (replies) {
        rows = await this.recentlyAnswered(actor);
      } else {
        const sort = `${ascending ? '' : '-'}${sortKey === 'status' ? 'status' : 'number'}` as ReportSort;
        const page = await this.reports.list(actor, { ...input, sort, limit: Math.min(input.limit ?? PAGE_SIZE, MAX_PAGE_SIZE) });
        rows = page.reports.map(overviewRow);
        cursor = page.nextCursor;
      }
    }
    // The list comes sorted by the service (across pages); the replies view is one short page, sorted here.
    if (replies) rows.sort(compareRows(sortKey, ascending));

    const mode: Record<string, string> = replies ? { reactie: String(REPLY_DAYS) } : {};
    const keep = { ...filters, ...mode, ...(sortKey !== 'nummer' || ascending ? { sorteer: sortKey, volgorde: ascending ? 'op' : 'af' } : {}) };
    const address = (extra: Record<string, string>) => `/meldingen?${new URLSearchParams({ ...keep, ...extra })}`;
    const column = (key: SortKey, label: string) => {
      const active = key === sortKey;
      const nextAscending = active ? !ascending : key !== 'datum' && key !== 'nummer';
      return {
        label, active, ariaSort: active ? (ascending ? 'ascending' : 'descending') : null, arrow: active ? (ascending ? '▲' : '▼') : '',
        href: searching ? null : `/meldingen?${new URLSearchParams({ ...filters, ...mode, sorteer: key, volgorde: nextAscending ? 'op' : 'af' })}`,
        hint: `sorteer ${nextAscending ? 'oplopend' : 'aflopend'}`,
      };
    };
    const hidden = (extra: Record<string, string> = {}) => Object.entries({ ...keep, ...extra }).map(([name, value]) => ({ name, value }));
    const school = actor.organisationType === OrganisationType.SCHOOL;
    const limit = locationLimit(actor);
    const locations = school
      ? (await this.schoolData.listLocations(actor.organisationId)).filter((l) => !limit || limit.includes(l.id))
        .map((l) => ({ value: actor.organisationCode + l.code, label: `${l.name} (${actor.organisationCode}${l.code})` }))
      : null;
    const reporters = school ? (await this.schoolData.listReporters(actor.organisationId)).map((r) => ({ value: r.id, label: r.name })) : null;

    res.status(problems.length ? 422 : 200).type('html').send(
      this.pages.render('reports', {
        title: searching ? 'Meldingen van een leerling' : 'Meldingen', nav: nav(actor, 'meldingen'), notice: opts.notice,
        values: { ...filters, ...(searching ? { pgn: opts.pgn } : {}) },
        errors: [...(opts.errors ?? []), ...pageErrors(problems, OVERVIEW_LABELS)],
        statuses: options(STATUS_LABELS), kinds: options(KIND_LABELS), locations, reporters, searching, replies, replyDays: REPLY_DAYS,
        rows, sortLabel: `${SORTS[sortKey]}, ${ascending ? 'oplopend' : 'aflopend'}`,
        paged: Boolean(cursor || after),
        columns: [
          column('nummer', 'Nummer'), { label: 'Leerling' }, { label: 'Soort' }, { label: 'School en locatie' }, { label: 'Ontvanger' },
          column('status', 'Status'), column('datum', 'Gemeld op'),
        ],
        fromHint: `Hoogstens twee jaar terug: ${nlDay(oldest)} of later`,
        next: cursor && !searching ? address({ after: String(cursor) }) : null,
        nextSearch: cursor && searching ? [...hidden({ after: String(cursor) }), { name: 'pgn', value: opts.pgn ?? '' }] : null,
        hiddenFilters: hidden(), hiddenSort: hidden().filter((h) => h.name === 'sorteer' || h.name === 'volgorde' || h.name === 'limit'),
        back: new URLSearchParams(keep).toString(),
      }),
    );
  }

  /** Reports of the actor's school whose receiver wrote to it lately, newest first; listed as a read, like the list. */
  private async recentlyAnswered(actor: Actor): Promise<Row[]> {
    const found: { number: number }[] = await this.db.query(
      `SELECT DISTINCT r.number FROM report r ${REPLIED} ORDER BY r.number DESC LIMIT ${MAX_PAGE_SIZE}`,
      [actor.organisationId, locationLimit(actor)],
    );
    const rows: Row[] = [];
    for (const { number } of found) rows.push(overviewRow(await this.reports.current(actor, number)));
    await this.audit.record(byActor(actor, AuditAction.REPORTS_LISTED, { details: { numbers: rows.map((r) => r.number), filter: `reactie ${REPLY_DAYS} dagen` } }));
    return rows;
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
    const school = actor.organisationType === OrganisationType.SCHOOL;
    const answered: { count: number }[] = school
      ? await this.db.query(`SELECT count(DISTINCT r.id)::int AS count FROM report r ${REPLIED}`, [actor.organisationId, limit])
      : [];
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
        ...(school ? [{ label: `met een reactie van de ontvanger in de afgelopen ${REPLY_DAYS} dagen`, count: answered[0]?.count ?? 0, href: `/meldingen?reactie=${REPLY_DAYS}` }] : []),
        { label: 'nieuw, nog niet in behandeling', count: count(ReportStatus.GEREGISTREERD), href: '/meldingen?status=GEREGISTREERD' },
        { label: 'in behandeling', count: count(ReportStatus.IN_BEHANDELING), href: '/meldingen?status=IN_BEHANDELING' },
      ],
      replyRule: school
        ? `Een melding telt mee bij "met een reactie" als de ontvanger er in de afgelopen ${REPLY_DAYS} dagen een bericht bij schreef. Of u dat bericht al las, houdt Verzuimloket niet bij.`
        : null,
      kinds: kinds.map((k) => ({ label: KIND_LABELS[k] })),
      months: months.map((m) => ({ ...m, percent: Math.round((m.total / max) * 20) * 5 })),
    };
  }
}

/**
 * Reports of the school ($1, within the location limit $2) with a message from another organisation than the school
 * (the receiver, now or before a forward) in the last REPLY_DAYS days. One rule for the start page and the overview.
 */
const REPLIED = `WHERE ${visibleToActorSql('r', '$1', '$2')} AND r.school_id = $1
  AND EXISTS (SELECT 1 FROM report_message m WHERE m.report_id = r.id AND m.organisation_id <> r.school_id AND m.created_at >= now() - interval '${REPLY_DAYS} days')`;

const SEX_LABELS: Record<Sex, string> = { [Sex.M]: 'Jongen / man', [Sex.V]: 'Meisje / vrouw', [Sex.X]: 'Anders', [Sex.ONBEKEND]: 'Onbekend' };
const COPIES_LABELS: Record<EmailCopies, string> = {
  [EmailCopies.MELDER]: 'De melder', [EmailCopies.SCHOOLMAILBOX]: 'Het algemene e-mailadres van de school', [EmailCopies.BEIDE]: 'De melder en het algemene e-mailadres',
};

function overviewRow(r: ReportSummary) {
  return {
    number: r.number, kind: KIND_LABELS[r.kind], pupil: r.pupilName, school: r.school.name, location: r.location.name, receiver: r.receiver.name,
    status: STATUS_LABELS[r.status], statusCode: r.status, createdAt: nlDateTime(r.createdAt), createdAtIso: r.createdAt,
  };
}

function compareRows(key: SortKey, ascending: boolean): (a: Row, b: Row) => number {
  const sign = ascending ? 1 : -1;
  return (a, b) => {
    const primary = key === 'status'
      ? STATUS_ORDER.indexOf(a.statusCode) - STATUS_ORDER.indexOf(b.statusCode)
      : key === 'datum' ? a.createdAtIso.localeCompare(b.createdAtIso) : a.number - b.number;
    return sign * (primary || a.number - b.number);
  };
}

/** One CSV cell: quoted, and a leading =, +, - or @ made harmless so that a spreadsheet does not run it as a formula. */
function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return `"${safe.replace(/"/g, '""')}"`;
}

function formText(value: unknown): string {
  return typeof value === 'string' ? value.replace(/\r\n?/g, '\n').trim() : '';
}

/** The report as the change form's flat values (all text, '' for empty). */
function editValues(r: ReportView): Record<string, string> {
  const s = (v: unknown) => (v === null || v === undefined ? '' : formText(String(v)));
  const out: Record<string, string> = {};
  for (const f of PUPIL_FIELDS) out[`pupil.${f}`] = s(r.pupil[f]);
  for (const p of ADDRESS_PARTS) {
    out[`pupil.registeredAddress.${p}`] = s(r.pupil.registeredAddress[p]);
    out[`pupil.residenceAddress.${p}`] = s(r.pupil.residenceAddress?.[p]);
  }
  for (const f of REPORT_FIELDS) {
    out[f] = f === 'locationCode' ? r.location.vestigingscode : f === 'reporterId' ? r.reporter.id : s(r[f]);
  }
  out.absenceDays = (r.absenceDays ?? []).map((d) => `${d.date}: ${d.lessonHours.join(', ')}`).join('\n');
  return out;
}

/** The snapshot of the values the form was opened with, if it came back intact. */
function parseSnapshot(value: unknown): Record<string, string> | null {
  if (typeof value !== 'string' || value.length > 100_000) return null;
  try {
    const parsed: unknown = JSON.parse(value);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
    const entries = Object.entries(parsed as Record<string, unknown>);
    return entries.every(([, v]) => typeof v === 'string') ? Object.fromEntries(entries.map(([k, v]) => [k, formText(v)])) : null;
  } catch {
    return null;
  }
}

/**
 * The API's change from the form: only what differs from the report as it is, so that the history lists exactly
 * what the person changed. A cleared optional field becomes null; a cleared required one too, which the API refuses.
 */
function changeInput(typed: Record<string, string>, current: Record<string, string>): { input: Record<string, unknown>; errors: FieldError[] } {
  const changed = (name: string) => typed[name] !== current[name];
  const number = (v: string) => (/^\d{1,9}$/.test(v) ? Number(v) : v);
  const bool = (v: string) => (v === 'true' ? true : v === 'false' ? false : v);
  const value = (name: string, v: string): unknown => {
    if (v === '') return null;
    if (['daysMissed', 'hoursMissed'].includes(name)) return number(v);
    if (['allLessonsMissed', 'actionWanted'].includes(name)) return bool(v);
    return v;
  };
  const address = (prefix: string): Record<string, unknown> | null => {
    if (ADDRESS_PARTS.every((p) => typed[`${prefix}.${p}`] === '')) return null;
    const out: Record<string, unknown> = {};
    for (const p of ADDRESS_PARTS) {
      const v = typed[`${prefix}.${p}`];
      if (v !== '') out[p] = p === 'houseNumber' ? number(v) : p === 'postcode' ? v.toUpperCase() : v;
      else if (p === 'houseLetter' || p === 'houseNumberAddition') out[p] = null;
    }
    return out;
  };
  const input: Record<string, unknown> = {};
  const pupil: Record<string, unknown> = {};
  const errors: FieldError[] = [];
  for (const f of PUPIL_FIELDS) if (changed(`pupil.${f}`)) pupil[f] = value(f, typed[`pupil.${f}`]);
  for (const part of ['registeredAddress', 'residenceAddress']) {
    if (ADDRESS_PARTS.some((p) => changed(`pupil.${part}.${p}`))) pupil[part] = address(`pupil.${part}`);
  }
  if (Object.keys(pupil).length > 0) input.pupil = pupil;
  for (const f of REPORT_FIELDS) if (changed(f)) input[f] = value(f, typed[f]);
  if (changed('absenceDays')) {
    const days: { date: string; lessonHours: number[] }[] = [];
    typed.absenceDays.split('\n').map((l) => l.trim()).filter(Boolean).forEach((line, i) => {
      const m = /^(\d{4}-\d{2}-\d{2})\s*:?\s*([\d\s,]*)$/.exec(line);
      if (!m) {
        errors.push({ field: 'absenceDays', code: FieldCode.INVALID_FORMAT, message: `absenceDays: regel ${i + 1} is niet te lezen; schrijf bijvoorbeeld 2026-11-02: 1, 2, 3` });
        return;
      }
      days.push({ date: m[1], lessonHours: m[2].split(/[\s,]+/).filter(Boolean).map(Number) });
    });
    input.absenceDays = days.length ? days : null;
  }
  return { input, errors };
}

/** A form value as a person reads it: the label of a choice, Ja/Nee, or "(leeg)". */
function displayValue(name: string, value: string, context: PageContext): string {
  if (value === '') return '(leeg)';
  const lists: Record<string, unknown> = {
    'pupil.sex': context.sexes, kind: context.kinds, allLessonsMissed: context.yesNo, actionWanted: context.yesNo, emailCopies: context.copies,
    locationCode: context.locations, reporterId: context.reporters,
    'pupil.registeredAddress.municipalityCode': context.municipalities, 'pupil.residenceAddress.municipalityCode': context.municipalities,
  };
  const list = lists[name] as { value: string; label: string }[] | undefined;
  return list?.find((o) => o.value === value)?.label ?? value;
}

function addressText(a: { street: string; houseNumber: number; houseLetter?: string | null; houseNumberAddition?: string | null; postcode: string; place: string }): string {
  return `${a.street} ${a.houseNumber}${a.houseLetter ?? ''}${a.houseNumberAddition ? `-${a.houseNumberAddition}` : ''}, ${a.postcode} ${a.place}`;
}

function reportNumber(value: string): number {
  const n = /^[1-9]\d{0,8}$/.test(value) ? Number(value) : 0;
  if (n < 1) throw notFound('Deze melding bestaat niet.');
  return n;
}

/** A value in the history, as a person reads it. */
function shown(field: string, value: unknown): string {
  if (value === null || value === undefined || value === '') return '(leeg)';
  if (field === 'status' && typeof value === 'string') return STATUS_LABELS[value as ReportStatus] ?? value;
  if (field === 'kind' && typeof value === 'string') return KIND_LABELS[value as ReportKind] ?? value;
  if (field === 'closingReason' && typeof value === 'string') return CLOSING_REASON_LABELS[value as ClosingReason] ?? value;
  if (typeof value === 'boolean') return value ? 'Ja' : 'Nee';
  if (typeof value === 'object' && 'street' in value) return addressText(value as Parameters<typeof addressText>[0]);
  if (Array.isArray(value) && value.every((d) => d && typeof d === 'object' && 'date' in d)) {
    return (value as { date: string; lessonHours: number[] }[]).map((d) => `${d.date}: ${d.lessonHours.join(', ')}`).join('; ');
  }
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
