import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { FieldCode, FieldError } from '../common/problem';
import { Actor } from '../kernel/actor';
import { OrganisationType } from '../kernel/organisation-type';
import { EmailCopies, KIND_LABELS, Sex } from '../kernel/report-codes';
import { OrganisationsService } from '../organisations/organisations.service';
import { SchoolDataService } from '../organisations/school-data.service';
import { options } from '../web/forms';
import { nav } from '../web/nav';
import { PageContext } from '../web/page-renderer';
import { locationLimit } from './report-access';
import { ReportQueries } from './report-queries';
import { ReportView } from './report.view';

/*
 * The filing and change forms of a report: their fields as flat form names, the choices they offer, and the change a
 * form means (only what differs from the report as it is).
 */

/** The fields of the change form: the API's ChangeReportInput as flat form names. */
export const ADDRESS_PARTS = ['street', 'houseNumber', 'houseLetter', 'houseNumberAddition', 'postcode', 'place', 'municipalityCode'] as const;
export const PUPIL_FIELDS = ['pgn', 'initials', 'prefix', 'surname', 'sex', 'birthDate', 'phone', 'studentNumber'] as const;
export const REPORT_FIELDS = [
  'kind', 'reason', 'beginDate', 'endDate', 'allLessonsMissed', 'absenceExplanation', 'schoolAction', 'actionWanted', 'actionWantedExplanation',
  'daysMissed', 'hoursMissed', 'locationCode', 'reporterId', 'emailCopies',
] as const;
export const EDIT_NAMES = [
  ...PUPIL_FIELDS.map((f) => `pupil.${f}`), ...ADDRESS_PARTS.map((p) => `pupil.registeredAddress.${p}`), ...ADDRESS_PARTS.map((p) => `pupil.residenceAddress.${p}`),
  ...REPORT_FIELDS, 'absenceDays',
];


/** The choices of the filing and change forms: kinds, yes/no, copies, the school's locations and reporters, municipalities. */
@Injectable()
export class ReportForms {
  constructor(
    private readonly schoolData: SchoolDataService,
    private readonly organisations: OrganisationsService,
    private readonly queries: ReportQueries,
  ) {}

  /**
   * The empty filing form: the vestiging chosen when there is one to choose, the melder when there is one or when the
   * signed-in person is a registered melder of the school.
   */
  async blank(actor: Actor): Promise<PageContext> {
    const values: Record<string, unknown> = { emailCopies: EmailCopies.BEIDE, allLessonsMissed: 'true', actionWanted: 'true' };
    const context = await this.context(actor, values, []);
    const locations = context.locations as { value: string }[];
    const reporters = context.reporters as { value: string }[];
    if (locations.length === 1) values.locationCode = locations[0].value;
    const own = reporters.length === 1 ? reporters[0].value : await this.queries.reporterOf(actor);
    if (own && reporters.some((r) => r.value === own)) values.reporterId = own;
    return context;
  }

  async context(actor: Actor, values: Record<string, unknown>, errors: FieldError[], idempotencyKey: string = randomUUID()): Promise<PageContext> {
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
}

export function formText(value: unknown): string {
  return typeof value === 'string' ? value.replace(/\r\n?/g, '\n').trim() : '';
}

/** The report as the change form's flat values (all text, '' for empty). */
export function editValues(r: ReportView): Record<string, string> {
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
export function parseSnapshot(value: unknown): Record<string, string> | null {
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
export function changeInput(typed: Record<string, string>, current: Record<string, string>): { input: Record<string, unknown>; errors: FieldError[] } {
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
      if (v !== '') out[p] = p === 'houseNumber' ? number(v) : v;
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
export function displayValue(name: string, value: string, context: PageContext): string {
  if (value === '') return '(leeg)';
  const lists: Record<string, unknown> = {
    'pupil.sex': context.sexes, kind: context.kinds, allLessonsMissed: context.yesNo, actionWanted: context.yesNo, emailCopies: context.copies,
    locationCode: context.locations, reporterId: context.reporters,
    'pupil.registeredAddress.municipalityCode': context.municipalities, 'pupil.residenceAddress.municipalityCode': context.municipalities,
  };
  const list = lists[name] as { value: string; label: string }[] | undefined;
  return list?.find((o) => o.value === value)?.label ?? value;
}

