import { Body, Controller, Get, Param, Post, Query, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { nlDateTime, nlDay } from '../common/dates';
import { ErrorCode, FieldCode, FieldError, ProblemError } from '../common/problem';
import { Allow, CurrentActor, Permission } from '../kernel/access';
import { Actor } from '../kernel/actor';
import { OrganisationType } from '../kernel/organisation-type';
import { CLOSING_EXPLANATION_LABELS, CLOSING_REASON_LABELS, ClosingReason, KIND_LABELS, ReportStatus, STATUS_LABELS } from '../kernel/report-codes';
import { Organisation } from '../organisations/organisation.entity';
import { OrganisationsService } from '../organisations/organisations.service';
import { confirmPage } from '../web/confirm';
import { fieldErrorsOf, flatten, options, pageErrors, unflatten, validateAs } from '../web/forms';
import { nav } from '../web/nav';
import { PageContext, PageRenderer } from '../web/page-renderer';
import { PortalFilter } from '../web/portal.filter';
import { parseReportNumber } from './report-access';
import { ADDRESS_PARTS, changeInput, displayValue, EDIT_NAMES, editValues, formText, parseSnapshot, ReportForms } from './report-forms';
import { ReportHandlingService } from './report-handling.service';
import { addressText, CONFLICT, COPIES_LABELS, DONE, EDIT_LABELS, EVENT_LABELS, HANDLING_LABELS, HISTORY_LABELS, SEX_LABELS, shown } from './report-labels';
import { allowedReceiverTransitions, isOpen } from './report-rules';
import { ChangeReportInput, ForwardInput, MessageInput, StatusChangeInput, WithdrawInput } from './report.dto';
import { ReportView } from './report.view';
import { ReportsService } from './reports.service';
import { ReportPageSections } from './report-page-sections';

/** One report's page: its data, history and messages, the actions of either side, and the school's change form. */
@ApiExcludeController()
@UseFilters(PortalFilter)
@Controller()
export class ReportPagesController {
  constructor(
    private readonly pages: PageRenderer,
    private readonly reports: ReportsService,
    private readonly handling: ReportHandlingService,
    private readonly organisations: OrganisationsService,
    private readonly forms: ReportForms,
    private readonly sections: ReportPageSections,
  ) {}

  @Get('meldingen/:number')
  @Allow(Permission.REPORT_READ)
  async show(@CurrentActor() actor: Actor, @Param('number') number: string, @Query('gedaan') done: string | undefined, @Res() res: Response): Promise<void> {
    const n = parseReportNumber(number);
    const notice = done === 'gemeld' ? `Melding ${n} is verstuurd naar de ontvanger.` : DONE[done ?? ''];
    res.type('html').send(this.pages.render('reports/report', await this.reportContext(actor, n, [], notice)));
  }

  /** The change form, filled with the report as it is now; the version read here goes along with the change. */
  @Get('meldingen/:number/wijzigen')
  @Allow(Permission.REPORT_UPDATE)
  async editForm(@CurrentActor() actor: Actor, @Param('number') number: string, @Res() res: Response): Promise<void> {
    const n = parseReportNumber(number);
    const r = await this.reports.get(actor, n);
    if (!this.changeable(actor, r, res)) return;
    const values = editValues(r);
    res.type('html').send(this.pages.render('reports/report-edit', await this.editContext(actor, r, values, [], values)));
  }

  @Post('meldingen/:number/wijzigen')
  @Allow(Permission.REPORT_UPDATE)
  async change(@CurrentActor() actor: Actor, @Param('number') number: string, @Body() form: Record<string, string>, @Res() res: Response): Promise<void> {
    const n = parseReportNumber(number);
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
      this.pages.render('reports/report-edit', await this.editContext(actor, current, typed, pageErrors(problems, { ...EDIT_LABELS, algemeen: 'Let op' }), base, version)),
    );
  }

  @Post('meldingen/:number/bericht')
  @Allow(Permission.REPORT_MESSAGE)
  async message(@CurrentActor() actor: Actor, @Param('number') number: string, @Body() form: Record<string, string>, @Res() res: Response): Promise<void> {
    const n = parseReportNumber(number);
    await this.act(actor, n, form, res, MessageInput, (input) => this.handling.addMessage(actor, n, input), () => `/meldingen/${n}?gedaan=bericht`);
  }

  @Post('meldingen/:number/status')
  @Allow(Permission.REPORT_HANDLE)
  async status(@CurrentActor() actor: Actor, @Param('number') number: string, @Body() form: Record<string, string>, @Res() res: Response): Promise<void> {
    const n = parseReportNumber(number);
    const version = Number(form.version) || undefined;
    await this.act(actor, n, form, res, StatusChangeInput, (input) => this.handling.setStatus(actor, n, version, input), () => `/meldingen/${n}?gedaan=status`, ['version']);
  }

  /** Forwarding by the receiver: afterwards the report is no longer theirs, so back to their overview. */
  @Post('meldingen/:number/doorsturen')
  @Allow(Permission.REPORT_HANDLE)
  async forward(@CurrentActor() actor: Actor, @Param('number') number: string, @Body() form: Record<string, string>, @Res() res: Response): Promise<void> {
    const n = parseReportNumber(number);
    const version = Number(form.version) || undefined;
    await this.act(
      actor, n, form, res, ForwardInput, (input) => this.handling.forward(actor, n, version, input),
      (to) => `/meldingen?${new URLSearchParams({ gedaan: 'doorgestuurd', melding: String(n), naar: String(to) })}`, ['version'],
    );
  }

  /** Withdrawing asks once: what happens, a reason for the receiver, and the version read here goes along. */
  @Get('meldingen/:number/intrekken')
  @Allow(Permission.REPORT_WITHDRAW)
  async confirmWithdraw(@CurrentActor() actor: Actor, @Param('number') number: string, @Res() res: Response): Promise<void> {
    const n = parseReportNumber(number);
    const r = await this.reports.get(actor, n);
    if (!this.changeable(actor, r, res)) return;
    res.type('html').send(this.pages.render('confirm', confirmPage(nav(actor, 'meldingen'), {
      title: `Melding ${n} intrekken?`,
      consequences: [
        `Melding ${n} krijgt de status ${STATUS_LABELS[ReportStatus.INGETROKKEN].toLowerCase()}: de ontvanger (${r.receiver.name}) behandelt haar niet verder en krijgt daarvan bericht.`,
        'Intrekken kan niet ongedaan worden gemaakt: is het verzuim er toch, doe dan een nieuwe melding.',
      ],
      action: `/meldingen/${n}/intrekken`, button: 'Ja, melding intrekken', back: `/meldingen/${n}`,
      hidden: { version: r.version }, explanation: { name: 'explanation', label: 'Waarom trekt u de melding in?', hint: 'De ontvanger leest dit in de geschiedenis.' },
    })));
  }

  @Post('meldingen/:number/intrekken')
  @Allow(Permission.REPORT_WITHDRAW)
  async withdraw(@CurrentActor() actor: Actor, @Param('number') number: string, @Body() form: Record<string, string>, @Res() res: Response): Promise<void> {
    const n = parseReportNumber(number);
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
    res.status(422).type('html').send(this.pages.render('reports/report', { ...(await this.reportContext(actor, n, pageErrors(problems, HANDLING_LABELS))), values: flatten(values) }));
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
    res.status(409).type('html').send(this.pages.render('reports/report-edit', { ...context, conflict: true, changedMeanwhile }));
  }

  private async editContext(
    actor: Actor, r: ReportView, values: Record<string, string>, errors: FieldError[], base: Record<string, string>, version = r.version,
  ): Promise<PageContext> {
    const form = await this.forms.context(actor, values, errors);
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
      sections: await this.sections.render(actor, r),
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

}
