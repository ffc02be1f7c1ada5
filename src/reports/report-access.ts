import { EntityManager, In } from 'typeorm';
import { ErrorCode, notFound, ProblemError } from '../common/problem';
import { Actor } from '../kernel/actor';
import { Report } from './report.entity';

export const REPORT_RELATIONS = { school: true, location: true, reporter: true, receiver: true, residenceMunicipality: true } as const;

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

/** The report with this number, if the actor may see it: as filing school (within a melder's locations) or as current receiver. */
export async function findVisibleReport(m: EntityManager, actor: Actor, number: number): Promise<Report> {
  const limit = locationLimit(actor);
  const report = await m.getRepository(Report).findOne({
    where: [
      { number, schoolId: actor.organisationId, ...(limit ? { locationId: In([...limit]) } : {}) },
      { number, receiverId: actor.organisationId },
    ],
    relations: REPORT_RELATIONS,
  });
  if (!report) throw notFound('Deze melding bestaat niet of is niet voor u zichtbaar.');
  return report;
}

/**
 * Locks the visible report for the rest of the transaction (so concurrent writers queue) and loads it. With
 * `expectedVersion`, a report that changed since the caller read it is refused with 412.
 */
export async function lockVisibleReport(m: EntityManager, actor: Actor, number: number, expectedVersion?: number): Promise<Report> {
  const rows: { version: number }[] = await m.query(
    `SELECT r.version FROM report r WHERE r.number = $1 AND ${visibleToActorSql('r', '$2', '$3')} FOR UPDATE`,
    [number, actor.organisationId, locationLimit(actor)],
  );
  if (rows.length === 0) throw notFound('Deze melding bestaat niet of is niet voor u zichtbaar.');
  if (expectedVersion !== undefined && rows[0].version !== expectedVersion) {
    throw new ProblemError(ErrorCode.PRECONDITION_FAILED, `De melding is intussen gewijzigd (versie ${rows[0].version}). Haal haar opnieuw op.`, undefined, {
      currentVersion: rows[0].version,
    });
  }
  return findVisibleReport(m, actor, number);
}

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
  const match = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(header);
  if (!match) throw new ProblemError(ErrorCode.PRECONDITION_FAILED, 'If-Match moet de ETag van de melding zijn, bijv. "3".');
  return Number(match[1]);
}

export function etag(version: number): string {
  return `"${version}"`;
}

/** A meldingsnummer as text (a path, a form): a positive whole number in range, written plainly, else 404 (it cannot name a report). */
export function parseReportNumber(value: string): number {
  if (!/^[1-9]\d{0,9}$/.test(value) || Number(value) > 2147483647) throw notFound('Deze melding bestaat niet.');
  return Number(value);
}
