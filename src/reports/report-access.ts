import { Brackets, EntityManager, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { ErrorCode, notFound, ProblemError } from '../common/problem';
import { Actor } from '../kernel/actor';
import { OrganisationType } from '../kernel/organisation-type';
import { Report } from './report.entity';

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

// Stryker disable all: queries, run against PostgreSQL by test/access-matrix, test/report-queries and test/reports (every
// caller x filter); too slow to run per mutant, so the unit specs under mutation do not reach them (docs/testing.md).
/** Restricts a query of reports (alias r) to those the actor sees: as filing school (within a melder's locations) or as current receiver. */
export function whereVisible<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, actor: Actor): SelectQueryBuilder<T> {
  const limit = locationLimit(actor);
  const schoolSide = new Brackets((w) => {
    w.where('r.schoolId = :visibleOrg', { visibleOrg: actor.organisationId });
    if (limit) w.andWhere('r.locationId IN (:...visibleLocations)', { visibleLocations: [...limit] });
  });
  return qb.andWhere(new Brackets((w) => w.where(schoolSide).orWhere('r.receiverId = :visibleOrg', { visibleOrg: actor.organisationId })));
}

/** The report with this number and what a page or answer shows of it (school, location, reporter, receiver, residence, messages), in one query. */
function visibleReport(m: EntityManager, actor: Actor, number: number): SelectQueryBuilder<Report> {
  const qb = m.getRepository(Report).createQueryBuilder('r')
    .innerJoinAndSelect('r.school', 'school')
    .innerJoinAndSelect('r.location', 'location')
    .innerJoinAndSelect('r.reporter', 'reporter')
    .innerJoinAndSelect('r.receiver', 'receiver')
    .innerJoinAndSelect('r.residenceMunicipality', 'residenceMunicipality')
    .leftJoinAndSelect('r.messages', 'message')
    .leftJoinAndSelect('message.organisation', 'messageOrganisation')
    .where('r.number = :number', { number })
    .orderBy('message.createdAt', 'ASC');
  return whereVisible(qb, actor);
}

/** The report with this number, if the actor may see it: as filing school (within a melder's locations) or as current receiver. */
export async function findVisibleReport(m: EntityManager, actor: Actor, number: number): Promise<Report> {
  const report = await visibleReport(m, actor, number).getOne();
  if (!report) throw notFound('Deze melding bestaat niet of is niet voor u zichtbaar.');
  return report;
}

/**
 * Locks the visible report for the rest of the transaction (so concurrent writers queue) and returns it as it is now,
 * in one query (only the report row is locked, not the organisations it names). With `expectedVersion`, a report
 * that changed since the caller read it is refused with 412.
 */
export async function lockVisibleReport(m: EntityManager, actor: Actor, number: number, expectedVersion?: number): Promise<Report> {
  const report = await visibleReport(m, actor, number).setLock('pessimistic_write', undefined, ['r']).getOne();
  if (!report) throw notFound('Deze melding bestaat niet of is niet voor u zichtbaar.');
  if (expectedVersion !== undefined && report.version !== expectedVersion) {
    throw new ProblemError(ErrorCode.PRECONDITION_FAILED, `De melding is intussen gewijzigd (versie ${report.version}). Haal haar opnieuw op.`, undefined, {
      currentVersion: report.version,
    });
  }
  return report;
}
// Stryker restore all

export function requireSide(report: Report, actor: Actor, side: 'school' | 'receiver'): void {
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
