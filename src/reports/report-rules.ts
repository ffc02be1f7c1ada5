import { addDays } from '../common/dates';
import { ageOn } from '../common/dutch-validators';
import { FieldCode, FieldError } from '../common/problem';
import { END_DATE_REQUIRED, KIND_AGE_RANGE, KIND_LABELS, OPEN_STATUSES, ReportKind, ReportStatus } from '../kernel/report-codes';

/** The fields the rules below look at, as they stand after a filing or a change (a draft may lack some). */
export interface ReportFacts {
  kind?: ReportKind;
  beginDate?: string;
  endDate?: string | null;
  birthDate?: string;
  actionWanted?: boolean;
  actionWantedExplanation?: string | null;
  absenceDays?: { date: string }[] | null;
}

/** How far back a new report's begin date may lie. */
export const MAX_BEGIN_AGE_DAYS = 365;

/**
 * DOMAIN.md's rules across fields: dates in order and not in the future, the pupil's age fitting the kind, an
 * end date where the kind needs one, a toelichting when the school wants no action. Each refusal names its field.
 * A rule whose fields are missing is left out, so that a draft with errors of its own is checked as far as it goes.
 */
export function checkReport(r: ReportFacts, today: string, isNew: boolean): FieldError[] {
  const errors: FieldError[] = [];
  const add = (field: string, code: FieldCode, message: string) => errors.push({ field, code, message: `${field}: ${message}` });
  const { kind, beginDate: begin, birthDate: birth } = r;

  if (birth && birth > today) add('pupil.birthDate', FieldCode.DATE_IN_FUTURE, 'ligt in de toekomst');
  if (begin && begin > today) add('beginDate', FieldCode.DATE_IN_FUTURE, 'ligt in de toekomst');
  else if (begin && isNew && begin < addDays(today, -MAX_BEGIN_AGE_DAYS)) {
    add('beginDate', FieldCode.DATE_TOO_OLD, `ligt meer dan ${MAX_BEGIN_AGE_DAYS} dagen terug`);
  }
  if (r.endDate) {
    if (r.endDate > today) add('endDate', FieldCode.DATE_IN_FUTURE, 'ligt in de toekomst');
    if (begin && r.endDate < begin) add('endDate', FieldCode.END_BEFORE_BEGIN, 'ligt voor de begindatum');
  } else if (kind && END_DATE_REQUIRED.includes(kind)) {
    add('endDate', FieldCode.END_DATE_REQUIRED, `is verplicht bij ${KIND_LABELS[kind].toLowerCase()}`);
  }
  // Stryker disable next-line ConditionalExpression,LogicalOperator: `birth <= begin` is false whenever either is missing, so the first two tests only say so
  if (birth && begin && birth <= begin) {
    const age = ageOn(birth, begin);
    // Stryker disable next-line ArrayDeclaration: without a kind no age is refused; [] (undefined bounds) refuses none either
    const [min, max] = kind ? KIND_AGE_RANGE[kind] : [0, Infinity];
    if (age < min || age > max) {
      add('pupil.birthDate', FieldCode.AGE_DOES_NOT_FIT_KIND, `de leerling is ${age} jaar op de begindatum; ${kind} is voor ${min} tot en met ${max} jaar`);
    }
  } else if (birth && begin && birth <= today) {
    add('pupil.birthDate', FieldCode.AGE_DOES_NOT_FIT_KIND, 'ligt na de begindatum van het verzuim');
  }
  if (r.actionWanted === false && !r.actionWantedExplanation?.trim()) {
    add('actionWantedExplanation', FieldCode.EXPLANATION_REQUIRED, 'is verplicht als geen actie door de gemeente gewenst is');
  }
  // Stryker disable next-line ArrayDeclaration: an element without a date is never outside the period
  (r.absenceDays ?? []).forEach((day, i) => {
    if (!begin) return;
    if (day.date < begin || (r.endDate && day.date > r.endDate) || day.date > today) {
      add(`absenceDays[${i}].date`, FieldCode.DATE_OUTSIDE_PERIOD, 'ligt buiten de verzuimperiode');
    }
  });
  return errors;
}

/**
 * The rules across fields for a filing form that did not pass its field checks: run on the fields that did (a
 * value with an error of its own counts as missing), so that a person sees every error in one round.
 */
export function checkDraft(values: Record<string, unknown>, invalidFields: readonly string[], today: string): FieldError[] {
  const valid = (field: string) => !invalidFields.some((f) => f === field || f.startsWith(`${field}.`) || field.startsWith(`${f}.`));
  const pupil = (values.pupil ?? {}) as Record<string, unknown>;
  const date = (field: string, v: unknown) => (valid(field) && typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : undefined);
  const kind = valid('kind') && Object.values(ReportKind).includes(values.kind as ReportKind) ? (values.kind as ReportKind) : undefined;
  const facts: ReportFacts = {
    kind, beginDate: date('beginDate', values.beginDate),
    // Stryker disable next-line StringLiteral: the birth date decides only errors of pupil.birthDate, which the filter below drops when it is invalid
    birthDate: date('pupil.birthDate', pupil.birthDate),
    // Stryker disable next-line StringLiteral,ConditionalExpression,EqualityOperator: null and undefined both mean "no end date" to checkReport, and valid('endDate') is asked twice
    endDate: valid('endDate') ? date('endDate', values.endDate) ?? (values.endDate === undefined ? null : undefined) : undefined,
    // Stryker disable next-line ConditionalExpression: checkReport acts only on actionWanted === false, which no other type is
    actionWanted: valid('actionWanted') && typeof values.actionWanted === 'boolean' ? values.actionWanted : undefined,
    actionWantedExplanation: typeof values.actionWantedExplanation === 'string' ? values.actionWantedExplanation : null,
  };
  return checkReport(facts, today, true).filter((e) => valid(e.field));
}

/** The receiver's status changes; INGETROKKEN is the school's, through withdraw. */
const RECEIVER_TRANSITIONS: Record<ReportStatus, readonly ReportStatus[]> = {
  [ReportStatus.GEREGISTREERD]: [ReportStatus.IN_BEHANDELING, ReportStatus.AFGESLOTEN, ReportStatus.TER_KENNISNEMING_AANGENOMEN],
  [ReportStatus.IN_BEHANDELING]: [ReportStatus.AFGESLOTEN, ReportStatus.TER_KENNISNEMING_AANGENOMEN],
  [ReportStatus.AFGESLOTEN]: [ReportStatus.IN_BEHANDELING],
  [ReportStatus.TER_KENNISNEMING_AANGENOMEN]: [ReportStatus.IN_BEHANDELING],
  [ReportStatus.INGETROKKEN]: [],
};

export function allowedReceiverTransitions(from: ReportStatus): readonly ReportStatus[] {
  return RECEIVER_TRANSITIONS[from];
}

export function isOpen(status: ReportStatus): boolean {
  return OPEN_STATUSES.includes(status);
}

/** A closed report taken back into handling. */
export function isReopen(from: ReportStatus, to: ReportStatus): boolean {
  return !isOpen(from) && to === ReportStatus.IN_BEHANDELING;
}
