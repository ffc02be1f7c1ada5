import { addDays } from '../common/dates';
import { ageOn } from '../common/dutch-validators';
import { FieldCode, FieldError } from '../common/problem';
import { END_DATE_REQUIRED, KIND_AGE_RANGE, KIND_LABELS, OPEN_STATUSES, ReportKind, ReportStatus } from '../kernel/report-codes';

/** The fields the rules below look at, as they stand after a filing or a change. */
export interface ReportFacts {
  kind: ReportKind;
  beginDate: string;
  endDate?: string | null;
  birthDate: string;
  actionWanted: boolean;
  actionWantedExplanation?: string | null;
  absenceDays?: { date: string }[] | null;
}

/** How far back a new report's begin date may lie. */
export const MAX_BEGIN_AGE_DAYS = 365;

/**
 * DOMAIN.md's rules across fields: dates in order and not in the future, the pupil's age fitting the kind, an
 * end date where the kind needs one, a toelichting when the school wants no action. Each refusal names its field.
 */
export function checkReport(r: ReportFacts, today: string, isNew: boolean): FieldError[] {
  const errors: FieldError[] = [];
  const add = (field: string, code: FieldCode, message: string) => errors.push({ field, code, message: `${field}: ${message}` });

  if (r.birthDate > today) add('pupil.birthDate', FieldCode.DATE_IN_FUTURE, 'ligt in de toekomst');
  if (r.beginDate > today) add('beginDate', FieldCode.DATE_IN_FUTURE, 'ligt in de toekomst');
  else if (isNew && r.beginDate < addDays(today, -MAX_BEGIN_AGE_DAYS)) {
    add('beginDate', FieldCode.DATE_TOO_OLD, `ligt meer dan ${MAX_BEGIN_AGE_DAYS} dagen terug`);
  }
  if (r.endDate) {
    if (r.endDate > today) add('endDate', FieldCode.DATE_IN_FUTURE, 'ligt in de toekomst');
    if (r.endDate < r.beginDate) add('endDate', FieldCode.END_BEFORE_BEGIN, 'ligt voor de begindatum');
  } else if (END_DATE_REQUIRED.includes(r.kind)) {
    add('endDate', FieldCode.END_DATE_REQUIRED, `is verplicht bij ${KIND_LABELS[r.kind].toLowerCase()}`);
  }
  if (r.birthDate <= r.beginDate) {
    const age = ageOn(r.birthDate, r.beginDate);
    const [min, max] = KIND_AGE_RANGE[r.kind];
    if (age < min || age > max) {
      add('pupil.birthDate', FieldCode.AGE_DOES_NOT_FIT_KIND, `de leerling is ${age} jaar op de begindatum; ${r.kind} is voor ${min} tot en met ${max} jaar`);
    }
  } else if (r.birthDate <= today) {
    add('pupil.birthDate', FieldCode.AGE_DOES_NOT_FIT_KIND, 'ligt na de begindatum van het verzuim');
  }
  if (!r.actionWanted && !r.actionWantedExplanation?.trim()) {
    add('actionWantedExplanation', FieldCode.EXPLANATION_REQUIRED, 'is verplicht als geen actie door de gemeente gewenst is');
  }
  (r.absenceDays ?? []).forEach((day, i) => {
    if (day.date < r.beginDate || (r.endDate && day.date > r.endDate) || day.date > today) {
      add(`absenceDays[${i}].date`, FieldCode.DATE_OUTSIDE_PERIOD, 'ligt buiten de verzuimperiode');
    }
  });
  return errors;
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
