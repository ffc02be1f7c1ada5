import fc from 'fast-check';
import { ReportKind, ReportStatus, STATUS_ORDER } from '../kernel/report-codes';
import { allowedReceiverTransitions, checkDraft, checkReport, isOpen, isReopen, ReportFacts } from './report-rules';

const today = '2026-11-22';
const base: ReportFacts = {
  kind: ReportKind.U16,
  beginDate: '2026-11-02',
  endDate: '2026-11-13',
  birthDate: '2012-05-01',
  actionWanted: true,
};
const codes = (r: ReportFacts, isNew = true) => checkReport(r, today, isNew).map((e) => `${e.field}:${e.code}`);

describe('checkReport', () => {
  it('accepts a complete 16U report', () => {
    expect(codes(base)).toEqual([]);
  });

  it('requires an end date for 16U, LRV and RMC but not for LUXE or OVERIG', () => {
    expect(codes({ ...base, endDate: null })).toEqual(['endDate:END_DATE_REQUIRED']);
    expect(codes({ ...base, kind: ReportKind.LRV, endDate: null })).toEqual(['endDate:END_DATE_REQUIRED']);
    expect(codes({ ...base, kind: ReportKind.LUXE, endDate: null })).toEqual([]);
    expect(codes({ ...base, kind: ReportKind.OVERIG, endDate: null })).toEqual([]);
  });

  it('refuses an end before the begin and dates in the future', () => {
    expect(codes({ ...base, endDate: '2026-11-01' })).toEqual(['endDate:END_BEFORE_BEGIN']);
    expect(codes({ ...base, beginDate: '2026-11-23', endDate: '2026-11-24' })).toEqual(
      expect.arrayContaining(['beginDate:DATE_IN_FUTURE', 'endDate:DATE_IN_FUTURE']),
    );
  });

  it('refuses a new report that begins more than a year ago, but not a change to an old one', () => {
    const old = { ...base, beginDate: '2025-11-01', endDate: '2025-11-10' };
    expect(codes(old)).toEqual(['beginDate:DATE_TOO_OLD']);
    expect(codes(old, false)).toEqual([]);
  });

  it('matches the age at the begin date to the kind', () => {
    // turns 18 on 2026-11-03: 17 on the begin date of 2026-11-02
    expect(codes({ ...base, birthDate: '2008-11-03' })).toEqual([]);
    expect(codes({ ...base, birthDate: '2008-11-02' })).toEqual(['pupil.birthDate:AGE_DOES_NOT_FIT_KIND']);
    expect(codes({ ...base, kind: ReportKind.RMC, birthDate: '2008-11-02' })).toEqual([]);
    expect(codes({ ...base, kind: ReportKind.RMC, birthDate: '2003-11-02' })).toEqual(['pupil.birthDate:AGE_DOES_NOT_FIT_KIND']);
  });

  it('asks for a toelichting when the school wants no action', () => {
    expect(codes({ ...base, actionWanted: false })).toEqual(['actionWantedExplanation:EXPLANATION_REQUIRED']);
    expect(codes({ ...base, actionWanted: false, actionWantedExplanation: '  ' })).toEqual(['actionWantedExplanation:EXPLANATION_REQUIRED']);
    expect(codes({ ...base, actionWanted: false, actionWantedExplanation: 'Al in gesprek met ouders' })).toEqual([]);
  });

  it('keeps the per-day specification inside the period', () => {
    expect(codes({ ...base, absenceDays: [{ date: '2026-11-03' }, { date: '2026-11-20' }] })).toEqual(['absenceDays[1].date:DATE_OUTSIDE_PERIOD']);
  });

  it('accepts RMC exactly for ages 18 to 22 at the begin date', () => {
    fc.assert(
      fc.property(fc.integer({ min: 10, max: 30 }), (age) => {
        const birth = `${2026 - age}-01-15`;
        const ok = codes({ ...base, kind: ReportKind.RMC, birthDate: birth }).length === 0;
        expect(ok).toBe(age >= 18 && age <= 22);
      }),
    );
  });
});

describe('status transitions', () => {
  it('lets the receiver take into handling, close, take for notice and reopen', () => {
    expect(allowedReceiverTransitions(ReportStatus.GEREGISTREERD)).toContain(ReportStatus.IN_BEHANDELING);
    expect(allowedReceiverTransitions(ReportStatus.IN_BEHANDELING)).toEqual([ReportStatus.AFGESLOTEN, ReportStatus.TER_KENNISNEMING_AANGENOMEN]);
    expect(allowedReceiverTransitions(ReportStatus.AFGESLOTEN)).toEqual([ReportStatus.IN_BEHANDELING]);
    expect(allowedReceiverTransitions(ReportStatus.INGETROKKEN)).toEqual([]);
  });
});

/**
 * The rules as DOMAIN.md states them, written down by hand (not read from report-codes.ts), so that a changed range,
 * boundary or transition fails here.
 */
describe('the rules in the terms of a school and an officer', () => {
  /** A birth date that makes the pupil exactly `age` at the begin date (the birthday a month earlier). */
  const agedAtBegin = (age: number) => `${2026 - age}-10-02`;
  const EXPECTED_AGES: [ReportKind, number, number][] = [
    [ReportKind.U16, 5, 17], // leerplichtig, under 18
    [ReportKind.LRV, 5, 17],
    [ReportKind.LUXE, 5, 17], // a holiday without leave: leerplicht ends at 18
    [ReportKind.RMC, 18, 22], // 18 up to 23
    [ReportKind.OVERIG, 4, 22], // a signal, also before leerplicht starts and up to 23
  ];

  it.each(EXPECTED_AGES)('accepts a %s report exactly for pupils of %i to %i at the begin date', (kind, min, max) => {
    for (let age = 0; age <= 30; age++) {
      const errors = checkReport({ ...base, kind, birthDate: agedAtBegin(age) }, today, true);
      if (age >= min && age <= max) expect(errors).toEqual([]);
      else {
        expect(errors).toEqual([
          {
            field: 'pupil.birthDate',
            code: 'AGE_DOES_NOT_FIT_KIND',
            message: `pupil.birthDate: de leerling is ${age} jaar op de begindatum; ${kind} is voor ${min} tot en met ${max} jaar`,
          },
        ]);
      }
    }
  });

  it('refuses a luxeverzuim report for a 3-year-old and for an 18-year-old', () => {
    expect(codes({ ...base, kind: ReportKind.LUXE, birthDate: agedAtBegin(3) })).toEqual(['pupil.birthDate:AGE_DOES_NOT_FIT_KIND']);
    expect(codes({ ...base, kind: ReportKind.LUXE, birthDate: agedAtBegin(18) })).toEqual(['pupil.birthDate:AGE_DOES_NOT_FIT_KIND']);
  });

  it('accepts an absence that begins today and ends today (one day), and one that ends on its begin date', () => {
    expect(codes({ ...base, beginDate: today, endDate: today })).toEqual([]);
    expect(codes({ ...base, beginDate: '2026-11-10', endDate: '2026-11-10' })).toEqual([]);
    expect(codes({ ...base, kind: ReportKind.LUXE, beginDate: today, endDate: null })).toEqual([]);
  });

  it('refuses tomorrow, and an end one day before the begin', () => {
    expect(codes({ ...base, beginDate: '2026-11-20', endDate: '2026-11-23' })).toEqual(['endDate:DATE_IN_FUTURE']);
    expect(codes({ ...base, kind: ReportKind.LUXE, beginDate: '2026-11-23', endDate: null })).toEqual(['beginDate:DATE_IN_FUTURE']);
    expect(codes({ ...base, beginDate: '2026-11-10', endDate: '2026-11-09' })).toEqual(['endDate:END_BEFORE_BEGIN']);
  });

  it('accepts a new report that begins exactly 365 days ago, and refuses one a day older', () => {
    expect(codes({ ...base, beginDate: '2025-11-22', endDate: '2025-11-28' })).toEqual([]);
    expect(codes({ ...base, beginDate: '2025-11-21', endDate: '2025-11-28' })).toEqual(['beginDate:DATE_TOO_OLD']);
  });

  it('gives a field error, not an exception, for a birth date on or after the begin date', () => {
    // Born on the begin date: 0 years old, too young for any kind.
    expect(checkReport({ ...base, birthDate: base.beginDate }, today, true)).toEqual([
      { field: 'pupil.birthDate', code: 'AGE_DOES_NOT_FIT_KIND', message: 'pupil.birthDate: de leerling is 0 jaar op de begindatum; 16U is voor 5 tot en met 17 jaar' },
    ]);
    // Born after the begin date, up to today.
    for (const birthDate of ['2026-11-03', today]) {
      expect(checkReport({ ...base, birthDate }, today, true)).toEqual([
        { field: 'pupil.birthDate', code: 'AGE_DOES_NOT_FIT_KIND', message: 'pupil.birthDate: ligt na de begindatum van het verzuim' },
      ]);
    }
    // Born in the future: that one refusal, not two.
    expect(checkReport({ ...base, birthDate: '2026-11-23' }, today, true)).toEqual([
      { field: 'pupil.birthDate', code: 'DATE_IN_FUTURE', message: 'pupil.birthDate: ligt in de toekomst' },
    ]);
  });

  it('says in Dutch what is wrong with each field', () => {
    const messages = (r: ReportFacts) => checkReport(r, today, true).map((e) => e.message);
    expect(messages({ ...base, beginDate: '2026-11-24', endDate: '2026-11-25' })).toEqual([
      'beginDate: ligt in de toekomst',
      'endDate: ligt in de toekomst',
    ]);
    expect(messages({ ...base, beginDate: '2025-01-01', endDate: '2025-01-10' })).toEqual(['beginDate: ligt meer dan 365 dagen terug']);
    expect(messages({ ...base, endDate: '2026-11-01' })).toEqual(['endDate: ligt voor de begindatum']);
    expect(messages({ ...base, endDate: null })).toEqual(['endDate: is verplicht bij 16 uur ongeoorloofd verzuim in 4 opeenvolgende lesweken']);
    expect(messages({ ...base, kind: ReportKind.LRV, endDate: undefined })).toEqual(['endDate: is verplicht bij langdurig relatief verzuim']);
    expect(messages({ ...base, actionWanted: false, actionWantedExplanation: null })).toEqual([
      'actionWantedExplanation: is verplicht als geen actie door de gemeente gewenst is',
    ]);
    expect(messages({ ...base, absenceDays: [{ date: '2026-11-01' }] })).toEqual(['absenceDays[0].date: ligt buiten de verzuimperiode']);
  });

  it('keeps the per-day specification within begin, end and today, the first and last day included', () => {
    expect(codes({ ...base, absenceDays: [{ date: base.beginDate! }, { date: base.endDate! }] })).toEqual([]);
    expect(codes({ ...base, absenceDays: [{ date: '2026-11-01' }] })).toEqual(['absenceDays[0].date:DATE_OUTSIDE_PERIOD']);
    expect(codes({ ...base, absenceDays: [{ date: '2026-11-14' }] })).toEqual(['absenceDays[0].date:DATE_OUTSIDE_PERIOD']);
    // Without an end date (luxeverzuim) the period runs up to today.
    const luxe = { ...base, kind: ReportKind.LUXE, endDate: null };
    expect(codes({ ...luxe, absenceDays: [{ date: '2026-11-20' }, { date: today }] })).toEqual([]);
    expect(codes({ ...luxe, absenceDays: [{ date: '2026-11-23' }] })).toEqual(['absenceDays[0].date:DATE_OUTSIDE_PERIOD']);
    expect(codes({ ...luxe, absenceDays: null })).toEqual([]);
    // Without a begin date (it had an error of its own) the days are not judged, not even one in the future.
    expect(codes({ ...luxe, beginDate: undefined, absenceDays: [{ date: '2026-12-01' }] })).toEqual([]);
  });
});

describe('the status of a report', () => {
  /** Which status an officer may set from which, by hand from DOMAIN.md. */
  const EXPECTED: Record<ReportStatus, ReportStatus[]> = {
    [ReportStatus.GEREGISTREERD]: [ReportStatus.IN_BEHANDELING, ReportStatus.AFGESLOTEN, ReportStatus.TER_KENNISNEMING_AANGENOMEN],
    [ReportStatus.IN_BEHANDELING]: [ReportStatus.AFGESLOTEN, ReportStatus.TER_KENNISNEMING_AANGENOMEN],
    // A closed report can be reopened by the officer; so can one taken for notice.
    [ReportStatus.AFGESLOTEN]: [ReportStatus.IN_BEHANDELING],
    [ReportStatus.TER_KENNISNEMING_AANGENOMEN]: [ReportStatus.IN_BEHANDELING],
    // Withdrawn by the school: the officer changes nothing any more.
    [ReportStatus.INGETROKKEN]: [],
  };

  it.each(Object.entries(EXPECTED))('lets the officer move a report from %s to exactly %j', (from, to) => {
    expect([...allowedReceiverTransitions(from as ReportStatus)].sort()).toEqual([...to].sort());
  });

  it('reopens a report taken for notice, and a closed one', () => {
    expect(allowedReceiverTransitions(ReportStatus.TER_KENNISNEMING_AANGENOMEN)).toContain(ReportStatus.IN_BEHANDELING);
    expect(isReopen(ReportStatus.TER_KENNISNEMING_AANGENOMEN, ReportStatus.IN_BEHANDELING)).toBe(true);
    expect(isReopen(ReportStatus.AFGESLOTEN, ReportStatus.IN_BEHANDELING)).toBe(true);
    expect(isReopen(ReportStatus.GEREGISTREERD, ReportStatus.IN_BEHANDELING)).toBe(false);
    expect(isReopen(ReportStatus.AFGESLOTEN, ReportStatus.AFGESLOTEN)).toBe(false);
  });

  it('leaves a report open for the school to change or withdraw while registered or in handling only', () => {
    const open = Object.values(ReportStatus).filter((s) => isOpen(s));
    expect(open.sort()).toEqual([ReportStatus.GEREGISTREERD, ReportStatus.IN_BEHANDELING].sort());
  });

  it('shows the statuses in the order a report passes through them', () => {
    expect(STATUS_ORDER).toEqual(['GEREGISTREERD', 'IN_BEHANDELING', 'AFGESLOTEN', 'TER_KENNISNEMING_AANGENOMEN', 'INGETROKKEN']);
  });
});

describe('a filing form with errors: every error in one round (checkDraft)', () => {
  /** The form as a school sends it: strings from the fields, the pupil as a group. */
  const form = {
    kind: '16U', beginDate: '2026-11-02', endDate: '2026-11-13', actionWanted: true,
    pupil: { birthDate: '2012-05-01', address: { postcode: '1234 AB' } },
  };
  const draft = (values: Record<string, unknown>, invalid: string[] = []) => checkDraft(values, invalid, today).map((e) => `${e.field}:${e.code}`);

  it('finds nothing more in a form whose fields are all right', () => {
    expect(draft(form)).toEqual([]);
  });

  it('still says that the end lies before the begin when another field (the postcode) has an error of its own', () => {
    expect(draft({ ...form, endDate: '2026-11-01' }, ['pupil.address.postcode'])).toEqual(['endDate:END_BEFORE_BEGIN']);
    expect(draft({ ...form, pupil: { ...form.pupil, birthDate: '2024-01-01' } }, ['pupil.address.postcode'])).toEqual(['pupil.birthDate:AGE_DOES_NOT_FIT_KIND']);
  });

  it('asks for the end date of a 16-hour report that has none, and for a toelichting when no action is wanted', () => {
    const withoutEnd: Record<string, unknown> = { ...form };
    delete withoutEnd.endDate;
    expect(draft(withoutEnd)).toEqual(['endDate:END_DATE_REQUIRED']);
    expect(draft({ ...form, actionWanted: false })).toEqual(['actionWantedExplanation:EXPLANATION_REQUIRED']);
    expect(draft({ ...form, actionWanted: false, actionWantedExplanation: '  ' })).toEqual(['actionWantedExplanation:EXPLANATION_REQUIRED']);
    expect(draft({ ...form, actionWanted: false, actionWantedExplanation: 'School regelt het zelf' })).toEqual([]);
  });

  it('adds nothing to a field that already has its error, nor to a field of a group with one', () => {
    expect(draft({ ...form, endDate: '2026-11-01' }, ['endDate'])).toEqual([]);
    expect(draft({ ...form, beginDate: '2026-11-30', endDate: '2026-12-01' }, ['beginDate', 'endDate'])).toEqual([]);
    expect(draft({ ...form, pupil: { ...form.pupil, birthDate: '2030-01-01' } }, ['pupil.birthDate'])).toEqual([]);
    expect(draft({ ...form, pupil: { ...form.pupil, birthDate: '2030-01-01' } }, ['pupil'])).toEqual([]);
    expect(draft({ ...form, actionWanted: false }, ['actionWanted'])).toEqual([]);
  });

  it('does not judge other fields by a value that has an error of its own', () => {
    // A wrong kind: no "end date required", no age limit of that kind.
    expect(draft({ ...form, kind: 'XYZ', endDate: undefined }, ['kind'])).toEqual([]);
    expect(draft({ ...form, endDate: undefined }, ['kind'])).toEqual([]);
    expect(draft({ ...form, kind: 'XYZ', endDate: undefined })).toEqual([]);
    // A wrong begin date: the end date and the age are not compared with it.
    expect(draft({ ...form, endDate: '2026-10-01' }, ['beginDate'])).toEqual([]);
    expect(draft({ ...form, pupil: { ...form.pupil, birthDate: '2024-01-01' } }, ['beginDate'])).toEqual([]);
    expect(draft({ ...form, beginDate: '2026-1-5', endDate: '2026-10-01' })).toEqual([]);
    expect(draft({ ...form, beginDate: 20261102, endDate: '2026-10-01' })).toEqual([]);
    // A wrong birth date: no age.
    expect(draft({ ...form, pupil: { birthDate: '2024-01-01' } }, ['pupil.birthDate.year'])).toEqual([]);
    expect(draft({ ...form, pupil: undefined })).toEqual([]);
    // "false" as text is not a choice of no action.
    expect(draft({ ...form, actionWanted: 'false' })).toEqual([]);
    // A field sent twice arrives as a list, a date with more around it is no date: neither is compared.
    expect(draft({ ...form, beginDate: ['2026-11-02'], endDate: '2026-10-01' })).toEqual([]);
    expect(draft({ ...form, beginDate: 'x2026-11-02', endDate: '2026-10-01' })).toEqual([]);
    expect(draft({ ...form, beginDate: '2026-11-02x', endDate: '2026-10-01' })).toEqual([]);
  });

  it('asks for a toelichting that is not text, and refuses a new report that began over a year ago', () => {
    expect(draft({ ...form, actionWanted: false, actionWantedExplanation: ['x'] })).toEqual(['actionWantedExplanation:EXPLANATION_REQUIRED']);
    expect(draft({ ...form, beginDate: '2025-11-01', endDate: '2025-11-10' })).toEqual(['beginDate:DATE_TOO_OLD']);
  });

  it('checks the end date of a kind that needs one only when the end date field passed', () => {
    expect(draft({ ...form, endDate: '2026-11-01' }, ['endDateNote'])).toEqual(['endDate:END_BEFORE_BEGIN']);
    expect(draft({ ...form, endDate: '2026-11-01' }, ['end'])).toEqual(['endDate:END_BEFORE_BEGIN']);
    expect(draft({ ...form, pupil: { ...form.pupil, birthDate: '2024-01-01' } }, ['pupil.birth'])).toEqual(['pupil.birthDate:AGE_DOES_NOT_FIT_KIND']);
  });
});
