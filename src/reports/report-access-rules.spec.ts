import { ErrorCode, ProblemError } from '../common/problem';
import { Actor } from '../kernel/actor';
import { OrganisationType } from '../kernel/organisation-type';
import { etag, locationLimit, parseIfMatch, parseReportNumber, requireSide, sideOf, visibleOnSideSql, visibleToActorSql } from './report-access-rules';
import type { Report } from './report.entity';

const refusal = (fn: () => unknown): ProblemError | undefined => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ProblemError) return error;
    throw error;
  }
  return undefined;
};

const actor = (organisationId: string, locationIds?: string[]): Actor => ({
  type: 'USER', id: 'u', name: 'n', organisationId, organisationType: OrganisationType.SCHOOL, organisationCode: 'x', roles: [], permissions: new Set(), locationIds,
});

describe('If-Match: the version a school or officer last saw', () => {
  it('reads "3", W/"3" and 3, also with spaces around, and versions of more than one digit', () => {
    expect(parseIfMatch('"3"')).toBe(3);
    expect(parseIfMatch('W/"3"')).toBe(3);
    expect(parseIfMatch('3')).toBe(3);
    expect(parseIfMatch('  "7" ')).toBe(7);
    expect(parseIfMatch('"10"')).toBe(10);
    expect(parseIfMatch('10')).toBe(10);
    expect(parseIfMatch('W/"10"')).toBe(10);
    expect(parseIfMatch(etag(123456789))).toBe(123456789);
  });

  it('writes the ETag that it reads back', () => {
    expect(etag(10)).toBe('"10"');
    for (const v of [1, 9, 10, 99, 100, 2147483]) expect(parseIfMatch(etag(v))).toBe(v);
  });

  it('has nothing to compare when the header is absent', () => {
    expect(parseIfMatch(undefined)).toBeUndefined();
  });

  it('answers 412 with a Dutch explanation for an unreadable If-Match', () => {
    for (const header of ['', 'abc', '"3', '3"', '"3"x', 'x"3"', '"-1"', '"1.5"', '"1234567890"', 'W/', '"3" "4"', 'W/"3"garbage']) {
      const problem = refusal(() => parseIfMatch(header));
      expect([header, problem?.code, problem?.status]).toEqual([header, ErrorCode.PRECONDITION_FAILED, 412]);
      expect(problem?.detail).toBe('If-Match moet de ETag van de melding zijn, bijv. "3".');
    }
  });
});

describe('a meldingsnummer in a path', () => {
  it('reads a positive whole number written plainly', () => {
    expect(parseReportNumber('1')).toBe(1);
    expect(parseReportNumber('12')).toBe(12);
    expect(parseReportNumber('2147483647')).toBe(2147483647);
  });

  it('answers 404 for anything that cannot name a report', () => {
    for (const value of ['0', '01', '-1', '1.0', '1e3', ' 1', '1 ', 'x1', '1x', '', '2147483648', '99999999999']) {
      const problem = refusal(() => parseReportNumber(value));
      expect([value, problem?.code, problem?.detail]).toEqual([value, ErrorCode.NOT_FOUND, 'Deze melding bestaat niet.']);
    }
  });
});

describe('which side of a report may act', () => {
  const report = { schoolId: 'school', receiverId: 'gemeente' } as Report;

  it('lets the filing school act as school and the receiver as receiver', () => {
    expect(() => requireSide(report, actor('school'), 'school')).not.toThrow();
    expect(() => requireSide(report, actor('gemeente'), 'receiver')).not.toThrow();
  });

  it('refuses the receiver acting as school, the school acting as receiver, and anyone else, with 403', () => {
    const cases: [string, 'school' | 'receiver', string][] = [
      ['gemeente', 'school', 'Alleen de school die de melding deed kan dit.'],
      ['school', 'receiver', 'Alleen de organisatie die de melding ontving kan dit.'],
      ['ander', 'school', 'Alleen de school die de melding deed kan dit.'],
      ['ander', 'receiver', 'Alleen de organisatie die de melding ontving kan dit.'],
    ];
    for (const [org, side, message] of cases) {
      const problem = refusal(() => requireSide(report, actor(org), side));
      expect([org, side, problem?.code, problem?.status, problem?.detail]).toEqual([org, side, ErrorCode.FORBIDDEN, 403, message]);
    }
  });
});

describe('a melder limited to some locations', () => {
  it('sees only those; without a limit (or an empty one) all of the school', () => {
    expect(locationLimit(actor('school', ['a', 'b']))).toEqual(['a', 'b']);
    expect(locationLimit(actor('school', []))).toBeNull();
    expect(locationLimit(actor('school'))).toBeNull();
  });

  it('writes the same rule for hand-written SQL: the school within its locations, or the receiver', () => {
    expect(visibleToActorSql('r', '$1', '$2')).toBe(
      '((r.school_id = $1 AND ($2::uuid[] IS NULL OR r.location_id = ANY($2))) OR r.receiver_id = $1)',
    );
  });
});

describe('the side an organisation is on (one index instead of an OR)', () => {
  const of = (organisationType: OrganisationType): Actor => ({ ...actor('o'), organisationType });

  it('is the school side for a school and the receiver side for every receiver and the operator', () => {
    expect(sideOf(of(OrganisationType.SCHOOL))).toBe('school');
    for (const type of [OrganisationType.GEMEENTE, OrganisationType.REGIONAAL_BUREAU, OrganisationType.RMC_REGIO, OrganisationType.OPERATOR]) expect(sideOf(of(type))).toBe('receiver');
  });

  it('writes that side of the rule alone, with both parameters referenced', () => {
    expect(visibleOnSideSql(of(OrganisationType.SCHOOL), 'r', '$1', '$2')).toBe('(r.school_id = $1 AND ($2::uuid[] IS NULL OR r.location_id = ANY($2)))');
    expect(visibleOnSideSql(of(OrganisationType.GEMEENTE), 'r', '$1', '$2')).toBe('(r.receiver_id = $1 AND ($2::uuid[] IS NULL OR true))');
  });
});
