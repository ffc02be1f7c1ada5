import fc from 'fast-check';
import { ReportKind, ReportStatus } from '../kernel/report-codes';
import { allowedReceiverTransitions, checkReport, ReportFacts } from './report-rules';

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
