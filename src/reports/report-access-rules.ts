import { ErrorCode, notFound, ProblemError } from '../common/problem';
import { Actor } from '../kernel/actor';
import { OrganisationType } from '../kernel/organisation-type';
import type { Report } from './report.entity';

// Who sees and may act on a report, and how its number and version are read: pure rules, without TypeORM, so that the
// unit spec (and `npm run mutation`) loads nothing else. The queries that apply them are in report-access.ts.

/**
 * The locations a melder limited to some of the school's locations may see, or null when the actor sees all of the
 * school's reports. The limit holds on the school side only: it says nothing about reports an organisation received.
 */
export function locationLimit(actor: Actor): readonly string[] | null {
  return actor.locationIds && actor.locationIds.length > 0 ? actor.locationIds : null;
}

/**
 * The same rule in SQL, for queries written by hand: the report row `alias` is visible to the actor whose organisation
 * id is parameter `org` and whose location limit (locationLimit, or null) is parameter `locations`.
 */
export function visibleToActorSql(alias: string, org: string, locations: string): string {
  return `((${alias}.school_id = ${org} AND (${locations}::uuid[] IS NULL OR ${alias}.location_id = ANY(${locations}))) OR ${alias}.receiver_id = ${org})`;
}

/**
 * The side of the register an actor's organisation is on: a school files, the receivers (municipalities, regional offices,
 * RMC regions) receive, and no organisation is both (forwarding and routing only reach receivers). A query that knows it
 * walks one index (school or receiver, then order) instead of reading both sides of an OR and sorting them.
 */
export function sideOf(actor: Actor): 'school' | 'receiver' {
  return actor.organisationType === OrganisationType.SCHOOL ? 'school' : 'receiver';
}

/** visibleToActorSql for the actor's own side only (sideOf); the same parameters, both referenced. */
export function visibleOnSideSql(actor: Actor, alias: string, org: string, locations: string): string {
  return sideOf(actor) === 'school'
    ? `(${alias}.school_id = ${org} AND (${locations}::uuid[] IS NULL OR ${alias}.location_id = ANY(${locations})))`
    : `(${alias}.receiver_id = ${org} AND (${locations}::uuid[] IS NULL OR true))`;
}

export function requireSide(report: Pick<Report, 'schoolId' | 'receiverId'>, actor: Actor, side: 'school' | 'receiver'): void {
  const ok = side === 'school' ? report.schoolId === actor.organisationId : report.receiverId === actor.organisationId;
  if (!ok) {
    throw new ProblemError(
      ErrorCode.FORBIDDEN,
      side === 'school' ? 'Alleen de school die de melding deed kan dit.' : 'Alleen de organisatie die de melding ontving kan dit.',
    );
  }
}

/** Reads an If-Match header: "3", W/"3" or 3. Undefined when absent; a 412 when unreadable. */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  // Quotes in pairs or not at all: "3 or 3" is no ETag.
  const match = /^\s*(?:W\/)?(?:"(\d{1,9})"|(\d{1,9}))\s*$/.exec(header);
  if (!match) throw new ProblemError(ErrorCode.PRECONDITION_FAILED, 'If-Match moet de ETag van de melding zijn, bijv. "3".');
  return Number(match[1] ?? match[2]);
}

export function etag(version: number): string {
  return `"${version}"`;
}

/** A meldingsnummer as text (a path, a form): a positive whole number in range, written plainly, else 404 (it cannot name a report). */
export function parseReportNumber(value: string): number {
  if (!/^[1-9]\d{0,9}$/.test(value) || Number(value) > 2147483647) throw notFound('Deze melding bestaat niet.');
  return Number(value);
}
