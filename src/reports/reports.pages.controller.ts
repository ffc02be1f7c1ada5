import { Body, Controller, Get, Header, Post, Query, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { addDays, nlDateTime, nlDay, todayInNL } from '../common/dates';
import { FieldCode, FieldError } from '../common/problem';
import { Allow, CurrentActor, Permission } from '../kernel/access';
import { Actor } from '../kernel/actor';
import { OrganisationType } from '../kernel/organisation-type';
import { KIND_LABELS, ReportKind, ReportStatus, STATUS_LABELS, STATUS_ORDER } from '../kernel/report-codes';
import { OrganisationsService } from '../organisations/organisations.service';
import { SchoolDataService } from '../organisations/school-data.service';
import { coerce, fieldErrorsOf, flatten, options, pageErrors, unflatten, validateAs } from '../web/forms';
import { nav } from '../web/nav';
import { PageContext, PageRenderer } from '../web/page-renderer';
import { PortalFilter } from '../web/portal.filter';
import { locationLimit } from './report-access';
import { ReportForms } from './report-forms';
import { ReadMarks } from './read-marks';
import { ReportAssignmentsService } from './report-assignments.service';
import { OVERVIEW_LABELS, REPORT_LABELS } from './report-labels';
import { OVERVIEW_COUNT_CAP, OVERVIEW_DAYS, REPLY_DAYS, ReportQueries } from './report-queries';
import { CreateReportInput, ReportSearchInput, ReportSort } from './report.dto';
import { ReportSummary } from './report.view';
import { ReportsService } from './reports.service';
import { ReportExportsService } from './export/report-exports.service';
import { sendExport } from './export/send-file';

/** Reports listed on the start page under "sinds uw vorige bezoek" and "Mijn meldingen". */
const START_LIST = 10;
/** Rows per page of the overview (also keeps a ticked selection under the form's parameter limit). */
const PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 100;
/** The filters of the overview that go to ReportsService.list as they are. */
const FILTERS = ['status', 'kind', 'location', 'reporterId', 'number', 'from', 'to', 'limit', 'school', 'assignedTo'] as const;
/** The pupil search's fields: personal data, so only ever in the body of a POST. */
const PUPIL_FIELDS = ['pgn', 'name', 'birthDate'] as const;
type PupilSearch = Partial<Record<(typeof PUPIL_FIELDS)[number], string>>;
type SortKey = 'nummer' | 'datum' | 'status';
const SORTS: Record<SortKey, string> = { nummer: 'nummer', datum: 'datum van melden', status: 'status' };

type Row = ReturnType<typeof overviewRow>;

/** The register's pages: the start page, the overview (filters, pupil search, sorting, the ticked reports as CSV) and filing. */
@ApiExcludeController()
@UseFilters(PortalFilter)
@Controller()
export class ReportsPagesController {
  constructor(
    private readonly pages: PageRenderer,
    private readonly reports: ReportsService,
    private readonly queries: ReportQueries,
    private readonly schoolData: SchoolDataService,
    private readonly organisations: OrganisationsService,
    private readonly forms: ReportForms,
    private readonly exports: ReportExportsService,
    private readonly assignments: ReportAssignmentsService,
    private readonly marks: ReadMarks,
  ) {}

  @Get()
  @Allow(Permission.ORGANISATION_READ)
  @Header('Content-Type', 'text/html; charset=utf-8')
  async start(@CurrentActor() actor: Actor): Promise<string> {
    const context: PageContext = { title: 'Start', nav: nav(actor, 'start') };
    if (actor.permissions.has(Permission.REPORT_READ)) Object.assign(context, await this.figures(actor), await this.workload(actor));
    return this.pages.render('reports/start', context);
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

  /** The pupil search: PGN, name and birth date come in the body of a POST, so that they never appear in an address. */
  @Post('meldingen/zoeken')
  @Allow(Permission.REPORT_READ)
  async search(@CurrentActor() actor: Actor, @Body() form: Record<string, string>, @Res() res: Response): Promise<void> {
    const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
    const search: PupilSearch = {};
    for (const key of PUPIL_FIELDS) if (text(form[key])) search[key] = key === 'pgn' ? text(form[key]).replace(/\s+/g, '') : text(form[key]);
    await this.overview(actor, res, form, { search });
  }

  /** The ticked reports as an Excel file or CSV, with the export's columns (ReportExportsService). */
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
    // What the caller still sees: a report forwarded since the overview was shown is not in the file.
    await sendExport(res, await this.exports.prepare(actor, { numbers }, form.formaat === 'xlsx' ? 'xlsx' : 'csv'));
  }

  @Get('meldingen/nieuw')
  @Allow(Permission.REPORT_CREATE)
  @Header('Content-Type', 'text/html; charset=utf-8')
  async newReport(@CurrentActor() actor: Actor): Promise<string> {
    return this.pages.render('reports/report-new', await this.forms.blank(actor));
  }

  @Post('meldingen/nieuw')
  @Allow(Permission.REPORT_CREATE)
  async file(@CurrentActor() actor: Actor, @Body() form: Record<string, string>, @Res() res: Response): Promise<void> {
    const values = unflatten(form, ['_csrf', 'idempotencyKey']);
    // An empty pupil or address is its fields, each required: so the errors name the fields, not "pupil".
    const pupil = (values.pupil ??= {}) as Record<string, unknown>;
    pupil.registeredAddress ??= {};
    const typed = coerce(
      values, ['pupil.registeredAddress.houseNumber', 'pupil.residenceAddress.houseNumber', 'daysMissed', 'hoursMissed'], ['allLessonsMissed', 'actionWanted'],
    );
    const { input, errors } = await validateAs(CreateReportInput, typed);
    let problems = input ? errors : this.reports.draftErrors(typed, errors);
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
    const context = await this.forms.context(actor, flatten(values), pageErrors(problems, REPORT_LABELS), form.idempotencyKey);
    res.status(422).type('html').send(this.pages.render('reports/report-new', { ...context, withResidence: residenceTyped(form) }));
  }

  /**
   * The overview: filters in the address (never the PGN), checked with the API's DTO; the pupil search posts its PGN.
   * Sorting is the list's own (keyset paging in that order); paging keeps filters and sorting.
   */
  private async overview(
    actor: Actor, res: Response, query: Record<string, unknown>, opts: { search?: PupilSearch; notice?: string; errors?: FieldError[] },
  ): Promise<void> {
    const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
    const filters: Record<string, string> = {};
    for (const key of FILTERS) if (text(query[key])) filters[key] = key === 'location' ? text(query[key]).toUpperCase() : text(query[key]);
    const sortKey: SortKey = (Object.keys(SORTS) as SortKey[]).find((k) => k === query.sorteer) ?? 'nummer';
    const ascending = query.volgorde === 'op';
    const after = text(query.after);
    // Paging back: the first number of the page after it (the pages' own parameter; the API pages forward only).
    const before = !after && /^[1-9]\d{0,8}$/.test(text(query.voor)) ? Number(text(query.voor)) : undefined;
    const searching = opts.search !== undefined;
    const replies = !searching && query.reactie === String(REPLY_DAYS);
    const oldest = addDays(todayInNL(), -OVERVIEW_DAYS);

    const { input, errors } = await validateAs(ReportSearchInput, { ...filters, ...(after ? { after } : {}), ...(opts.search ?? {}) });
    const problems = [...errors];
    if (text(query.voor) && (after || before === undefined)) problems.push({ field: 'after', code: FieldCode.INVALID_CURSOR, message: 'voor: is geen geldige pagina' });
    if (searching && Object.keys(opts.search!).length === 0) {
      problems.push({ field: 'pgn', code: FieldCode.REQUIRED, message: 'pgn: vul het BSN of onderwijsnummer, de achternaam of de geboortedatum van de leerling in' });
    }
    if (filters.from && /^\d{4}-\d{2}-\d{2}$/.test(filters.from) && filters.from < oldest) {
      problems.push({ field: 'from', code: FieldCode.DATE_TOO_OLD, message: `from: het overzicht gaat twee jaar terug; kies ${nlDay(oldest)} of later` });
    }
    if (filters.from && filters.to && filters.to < filters.from) problems.push({ field: 'to', code: FieldCode.END_BEFORE_BEGIN, message: 'to: ligt voor "Gemeld vanaf"' });

    let rows: Row[] = [];
    let newRows = false;
    let cursor: number | null = null;
    let previous: number | null = null;
    let position: { offset: number; total: number } | null = null;
    if (problems.length === 0 && input) {
      if (replies) {
        rows = (await this.queries.recentlyAnswered(actor, MAX_PAGE_SIZE)).map(overviewRow);
        position = { offset: 0, total: rows.length };
      } else {
        const sort = `${ascending ? '' : '-'}${sortKey === 'status' ? 'status' : 'number'}` as ReportSort;
        const page = await this.queries.overview(actor, { ...input, sort, limit: Math.min(input.limit ?? PAGE_SIZE, MAX_PAGE_SIZE) }, before);
        rows = page.reports.map(overviewRow);
        if (page.reports.some((r) => r.unseen)) newRows = true;
        cursor = page.nextCursor;
        previous = page.previousCursor;
        position = { offset: page.offset, total: page.total };
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
    const schools = school ? null : (await this.queries.schools(actor)).map((s) => ({ value: s.code, label: `${s.name} (${s.code})` }));
    const officers = !school && actor.permissions.has(Permission.REPORT_HANDLE)
      ? (await this.assignments.officers(actor)).map((o) => ({ value: o.id, label: o.id === actor.id ? `${o.name} (mijn meldingen)` : o.name }))
      : null;

    res.status(problems.length ? 422 : 200).type('html').send(
      this.pages.render('reports/reports', {
        title: searching ? 'Meldingen van een leerling' : 'Meldingen', nav: nav(actor, 'meldingen'), notice: opts.notice,
        values: { ...filters, ...(opts.search ?? {}) }, schools, officers, newRows,
        errors: [...(opts.errors ?? []), ...pageErrors(problems, OVERVIEW_LABELS)],
        statuses: options(STATUS_LABELS), kinds: options(KIND_LABELS), locations, reporters, searching, replies, replyDays: REPLY_DAYS,
        rows, sortLabel: `${SORTS[sortKey]}, ${ascending ? 'oplopend' : 'aflopend'}`, range: position && rows.length ? range(position.offset, rows.length, position.total) : null,
        columns: [
          column('nummer', 'Nummer'), { label: 'Leerling' }, { label: 'Soort' }, { label: 'School en locatie' }, { label: 'Ontvanger' },
          column('status', 'Status'), column('datum', 'Gemeld op'),
        ],
        fromHint: `Hoogstens twee jaar terug: ${nlDay(oldest)} of later`,
        next: cursor && !searching ? address({ after: String(cursor) }) : null,
        previous: previous && !searching ? address({ voor: String(previous) }) : null,
        nextSearch: cursor && searching ? [...hidden({ after: String(cursor) }), ...Object.entries(opts.search!).map(([name, value]) => ({ name, value }))] : null,
        previousSearch: previous && searching ? [...hidden({ voor: String(previous) }), ...Object.entries(opts.search!).map(([name, value]) => ({ name, value }))] : null,
        hiddenFilters: hidden(), hiddenSort: hidden().filter((h) => h.name === 'sorteer' || h.name === 'volgorde' || h.name === 'limit'),
        back: new URLSearchParams(keep).toString(),
        exportAll: searching || replies ? null : ['xlsx', 'csv'].map((f) => ({ href: `/meldingen/export?${new URLSearchParams({ ...filters, formaat: f })}`, label: f === 'xlsx' ? 'Excel (.xlsx)' : 'CSV' })),
      }),
    );
  }

  /** Reports of the actor's school whose receiver wrote to it lately, newest first; listed as a read, like the list. */

  /**
   * For a person: the reports with a change by the other side since they last opened them ("sinds uw vorige bezoek"),
   * and for an officer "Mijn meldingen", the reports assigned to them. Both listed as reads, like the overview.
   */
  private async workload(actor: Actor): Promise<Record<string, unknown>> {
    const since = await this.marks.sinceLastVisit(actor, START_LIST);
    const changed = (await this.queries.selection(actor, since.reports.map((r) => r.number))).map(overviewRow);
    const order = new Map(since.reports.map((r, i) => [r.number, i]));
    changed.sort((a, b) => order.get(a.number)! - order.get(b.number)!);
    const officer = actor.type === 'USER' && actor.organisationType !== OrganisationType.SCHOOL && actor.permissions.has(Permission.REPORT_HANDLE);
    const mine = officer ? (await this.queries.list(actor, { assignedTo: actor.id, limit: START_LIST })) : null;
    return {
      since: actor.type === 'USER' ? { rows: changed, count: since.count, more: since.count > changed.length } : null,
      mine: mine ? { rows: mine.reports.map(overviewRow), more: mine.nextCursor !== null, href: `/meldingen?assignedTo=${actor.id}` } : null,
    };
  }

  /** What needs attention, and reports per month of the last twelve by kind (chart and table, the same figures). */
  private async figures(actor: Actor): Promise<Record<string, unknown>> {
    const { open, months: keys, monthly, answered } = await this.queries.startFigures(actor);
    const school = answered !== null;
    const count = (s: ReportStatus) => open[s] ?? 0;
    const kinds = Object.values(ReportKind);
    // The months the figures counted (Dutch months: on the 1st before 01:00 or 02:00 UTC it is already the new one).
    const months = keys.map((key) => {
      const counts = kinds.map((k) => monthly.find((m) => m.month === key && m.kind === k)?.count ?? 0);
      const label = new Date(`${key}-15T12:00:00Z`).toLocaleDateString('nl-NL', { month: 'short', year: 'numeric', timeZone: 'UTC' });
      return { label, counts, total: counts.reduce((a, b) => a + b, 0) };
    });
    const max = Math.max(1, ...months.map((m) => m.total));
    return {
      attention: [
        ...(school ? [{ label: `met een reactie van de ontvanger in de afgelopen ${REPLY_DAYS} dagen`, count: answered ?? 0, href: `/meldingen?reactie=${REPLY_DAYS}` }] : []),
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

/** Whether any part of the residence address was filled in (then its part of the form stays open). */
function residenceTyped(form: Record<string, string>): boolean {
  return Object.entries(form).some(([name, value]) => name.startsWith('pupil.residenceAddress.') && typeof value === 'string' && value.trim() !== '');
}

/** Where a page is among all matches: "1-50 van 116", counted up to OVERVIEW_COUNT_CAP. */
function range(offset: number, shown: number, total: number): string {
  const n = (v: number) => v.toLocaleString('nl-NL');
  if (offset > OVERVIEW_COUNT_CAP) return `${n(shown)} ${shown === 1 ? 'melding' : 'meldingen'} na de eerste ${n(OVERVIEW_COUNT_CAP)}`;
  return `${n(offset + 1)}-${n(offset + shown)} van ${total > OVERVIEW_COUNT_CAP ? `meer dan ${n(OVERVIEW_COUNT_CAP)}` : n(total)}`;
}

function overviewRow(r: ReportSummary) {
  return {
    unseen: r.unseen === true, assignee: r.assignedTo?.name ?? null,
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
