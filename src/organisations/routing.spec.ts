import fc from 'fast-check';
import { ReportKind } from '../kernel/report-codes';
import { NoRouteError, routeReport } from './routing';

const amsterdam = { id: 'GM0363', rmcRegionId: 'RMC21', rules: {} };
const none = () => null;

describe('routeReport', () => {
  it('sends an under-18 report to the municipality where the pupil lives', () => {
    expect(routeReport(ReportKind.U16, 15, amsterdam, none)).toEqual({ receiverId: 'GM0363', reasons: ['WOONGEMEENTE'] });
  });

  it('sends an 18+ report to the RMC region of that municipality', () => {
    expect(routeReport(ReportKind.RMC, 19, amsterdam, none)).toEqual({ receiverId: 'RMC21', reasons: ['RMC_REGIO'] });
  });

  it('follows the delegation of the receiving municipality to a regional office', () => {
    const delegate = (id: string) => (id === 'GM0363' ? 'RBL-A' : null);
    expect(routeReport(ReportKind.LUXE, 10, amsterdam, delegate).receiverId).toBe('RBL-A');
    expect(routeReport(ReportKind.RMC, 20, amsterdam, delegate).receiverId).toBe('RMC21');
  });

  it('applies alternative routing for the kind only', () => {
    const withRule = { ...amsterdam, rules: { [ReportKind.RMC]: 'GM0344' } };
    expect(routeReport(ReportKind.RMC, 19, withRule, none)).toEqual({ receiverId: 'GM0344', reasons: ['RMC_REGIO', 'ALTERNATIEVE_ROUTERING'] });
    expect(routeReport(ReportKind.OVERIG, 19, withRule, none).receiverId).toBe('RMC21');
  });

  it('routes every age below 18 to the municipality and every age from 18 to the region', () => {
    fc.assert(
      fc.property(fc.integer({ min: 4, max: 22 }), fc.constantFrom(...Object.values(ReportKind)), (age, kind) => {
        const { receiverId } = routeReport(kind, age, amsterdam, none);
        expect(receiverId).toBe(age < 18 ? 'GM0363' : 'RMC21');
      }),
    );
  });
});

describe('routeReport in the terms of a school', () => {
  it('has no receiver for an 18+ pupil whose municipality belongs to no RMC region, and says why', () => {
    const noRegion = { id: 'GM9999', rmcRegionId: null, rules: {} };
    expect(() => routeReport(ReportKind.RMC, 18, noRegion, none)).toThrow(NoRouteError);
    expect(() => routeReport(ReportKind.OVERIG, 22, noRegion, none)).toThrow('De woongemeente hoort bij geen RMC-regio.');
    // Under 18 the municipality itself receives it.
    expect(routeReport(ReportKind.U16, 17, noRegion, none)).toEqual({ receiverId: 'GM9999', reasons: ['WOONGEMEENTE'] });
  });

  it('routes a pupil turning 18 on the begin date to the region', () => {
    expect(routeReport(ReportKind.RMC, 18, amsterdam, none).receiverId).toBe('RMC21');
    expect(routeReport(ReportKind.OVERIG, 17, amsterdam, none).receiverId).toBe('GM0363');
  });

  it('names every step: residence, alternative routing, then delegation of the receiver it gave', () => {
    const withRule = { ...amsterdam, rules: { [ReportKind.LUXE]: 'GM0344' } };
    const delegate = (id: string) => (id === 'GM0344' ? 'RBL-U' : null);
    expect(routeReport(ReportKind.LUXE, 10, withRule, delegate)).toEqual({ receiverId: 'RBL-U', reasons: ['WOONGEMEENTE', 'ALTERNATIEVE_ROUTERING', 'DELEGATIE'] });
    // The delegation asked about is the rule's target's, not the residence's.
    const residenceDelegates = (id: string) => (id === 'GM0363' ? 'RBL-A' : null);
    expect(routeReport(ReportKind.LUXE, 10, withRule, residenceDelegates)).toEqual({ receiverId: 'GM0344', reasons: ['WOONGEMEENTE', 'ALTERNATIEVE_ROUTERING'] });
    expect(routeReport(ReportKind.U16, 10, amsterdam, residenceDelegates)).toEqual({ receiverId: 'RBL-A', reasons: ['WOONGEMEENTE', 'DELEGATIE'] });
  });
});
