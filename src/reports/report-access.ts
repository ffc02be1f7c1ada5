import { Brackets, EntityManager, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { ErrorCode, notFound, ProblemError } from '../common/problem';
import { Actor } from '../kernel/actor';
import { locationLimit } from './report-access-rules';
import { Report } from './report.entity';

// The rules without a database (which side may act, If-Match, report numbers, the visibility rule in SQL) live in
// report-access-rules.ts, where `npm run mutation` tests them; the queries below run against PostgreSQL in
// test/access-matrix, test/report-queries and test/reports (every caller x filter), too slow to run per mutant.
export { etag, locationLimit, parseIfMatch, parseReportNumber, requireSide, sideOf, visibleOnSideSql, visibleToActorSql } from './report-access-rules';

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
