import { EntityManager } from 'typeorm';
import { addDays } from '../common/dates';
import { FieldCode, FieldError } from '../common/problem';
import { preparedQuery } from '../common/prepared-query';
import { Actor } from '../kernel/actor';
import { OrganisationType } from '../kernel/organisation-type';
import { ReportKind } from '../kernel/report-codes';
import { Location } from '../organisations/location.entity';
import { Organisation } from '../organisations/organisation.entity';
import { Reporter } from '../organisations/reporter.entity';
import { NoRouteError, Route, routeReport } from '../organisations/routing';
import { locationLimit } from './report-access';

/**
 * What filing a report needs to know before it writes, read in ONE query: the school, the location and reporter it
 * names, the municipalities of the pupil's addresses with their alternative routing, every organisation the report
 * could be routed to (with the offices they delegate to), and for a 16-hour report the end of the previous one for
 * the same pupil, and the report an earlier filing with the same Idempotency-Key made. The checks below turn it into
 * the same field errors as before, and the route.
 */
const LOOKUP = `
  WITH m AS (SELECT id, code, name, type, mailbox, rmc_region_id, delegate_id, active FROM organisation WHERE type = 'GEMEENTE' AND code = ANY($4::text[])),
  ru AS (SELECT municipality_id, kind, target_id FROM routing_rule WHERE municipality_id IN (SELECT id FROM m)),
  c AS (SELECT id FROM m UNION SELECT rmc_region_id FROM m WHERE rmc_region_id IS NOT NULL UNION SELECT target_id FROM ru),
  o AS (SELECT id, code, name, type, mailbox, rmc_region_id, delegate_id, active FROM organisation WHERE id IN (SELECT id FROM c)
        UNION SELECT d.id, d.code, d.name, d.type, d.mailbox, d.rmc_region_id, d.delegate_id, d.active
          FROM organisation x JOIN organisation d ON d.id = x.delegate_id WHERE x.id IN (SELECT id FROM c))
  SELECT
    (SELECT row_to_json(s) FROM (SELECT id, code, name, type, mailbox FROM organisation WHERE id = $1) s) AS school,
    (SELECT row_to_json(l) FROM (SELECT id, code, name, active FROM location WHERE school_id = $1 AND code = $2) l) AS location,
    (SELECT row_to_json(p) FROM (SELECT id, name, function, phone, email, active FROM reporter WHERE school_id = $1 AND id = $3::uuid) p) AS reporter,
    (SELECT coalesce(json_agg(m), '[]') FROM m) AS municipalities,
    (SELECT coalesce(json_agg(ru), '[]') FROM ru) AS rules,
    (SELECT coalesce(json_agg(o), '[]') FROM o) AS candidates,
    CASE WHEN $6::date IS NOT NULL THEN (
      SELECT to_char(end_date, 'YYYY-MM-DD') FROM report
       WHERE school_id = $1 AND pgn_hash = $5 AND kind = '16U' AND status <> 'INGETROKKEN' AND end_date IS NOT NULL
         AND end_date <= $6::date + 7 AND end_date >= $7::date - 7
       ORDER BY end_date DESC LIMIT 1) END AS previous_end,
    (SELECT row_to_json(i) FROM (
       SELECT i.request_hash, r.number FROM idempotency_key i JOIN report r ON r.id = i.report_id WHERE i.organisation_id = $1 AND i.key = $8
     ) i) AS earlier`;

interface OrgRow {
  id: string; code: string; name: string; type: OrganisationType; mailbox: string | null; rmc_region_id?: string | null; delegate_id?: string | null; active?: boolean;
}

/** The one row LOOKUP answers (its JSON columns as PostgreSQL builds them). */
interface LookupRow {
  school: OrgRow;
  location: { id: string; code: string; name: string; active: boolean } | null;
  reporter: { id: string; name: string; function: string; phone: string; email: string; active: boolean } | null;
  municipalities: OrgRow[];
  rules: FilingFacts['rules'];
  candidates: OrgRow[];
  previous_end: string | null;
  earlier: { request_hash: string; number: number } | null;
}

export interface FilingFacts {
  school: Organisation;
  location: Location | null;
  reporter: Reporter | null;
  /** The pupil's municipalities by code (registered and residence address). */
  municipalities: Map<string, Organisation>;
  /** Every organisation the report could be routed to, by id. */
  candidates: Map<string, Organisation>;
  rules: { municipality_id: string; kind: ReportKind; target_id: string }[];
  /** 16U: the end date of the previous 16-hour report for this pupil near this one, if any. */
  previousEnd: string | null;
  /** The report an earlier filing with this Idempotency-Key made, and the hash of that request. */
  earlier: { requestHash: string; number: number } | null;
}

const organisation = (o: OrgRow): Organisation =>
  Object.assign(new Organisation(), { id: o.id, code: o.code, name: o.name, type: o.type, mailbox: o.mailbox, rmcRegionId: o.rmc_region_id ?? null, delegateId: o.delegate_id ?? null, active: o.active ?? true });

export async function lookupForFiling(
  m: EntityManager, actor: Actor,
  q: { locationCode: string; reporterId: string; municipalityCodes: string[]; pgnHash: Buffer; sixteenHours: { begin: string; end: string } | null; idempotencyKey: string | null },
): Promise<FilingFacts> {
  const brin = q.locationCode.slice(0, 4);
  const [row] = await preparedQuery<LookupRow>(m, LOOKUP, [
    actor.organisationId, brin === actor.organisationCode ? q.locationCode.slice(4) : null, q.reporterId, q.municipalityCodes, q.pgnHash,
    q.sixteenHours?.end ?? null, q.sixteenHours?.begin ?? null, q.idempotencyKey,
  ]);
  const limit = locationLimit(actor);
  const location = row.location && (!limit || limit.includes(row.location.id)) ? Object.assign(new Location(), row.location, { schoolId: actor.organisationId }) : null;
  return {
    school: organisation(row.school),
    location,
    reporter: row.reporter ? Object.assign(new Reporter(), row.reporter, { schoolId: actor.organisationId }) : null,
    municipalities: new Map(row.municipalities.map((o) => [o.code, organisation(o)])),
    candidates: new Map(row.candidates.map((o) => [o.id, organisation(o)])),
    rules: row.rules,
    previousEnd: row.previous_end ?? null,
    earlier: row.earlier ? { requestHash: row.earlier.request_hash, number: Number(row.earlier.number) } : null,
  };
}

/** The refusals of what the lookup found: a location or reporter not of this school (or inactive), an unknown municipality. */
export function lookupErrors(f: FilingFacts, locationCode: string, municipalityFields: [field: string, code: string][]): FieldError[] {
  const errors: FieldError[] = [];
  if (!f.location) errors.push({ field: 'locationCode', code: FieldCode.UNKNOWN_LOCATION, message: `locationCode: ${locationCode} is geen locatie van uw school` });
  else if (!f.location.active) errors.push({ field: 'locationCode', code: FieldCode.INACTIVE, message: `locationCode: locatie ${locationCode} is gedeactiveerd` });
  if (!f.reporter) errors.push({ field: 'reporterId', code: FieldCode.UNKNOWN_REPORTER, message: 'reporterId: is geen melder van uw school' });
  else if (!f.reporter.active) errors.push({ field: 'reporterId', code: FieldCode.INACTIVE, message: 'reporterId: deze melder is gedeactiveerd' });
  for (const [field, code] of municipalityFields) {
    if (!f.municipalities.has(code)) errors.push({ field, code: FieldCode.UNKNOWN_MUNICIPALITY, message: `${field}: gemeente ${code} bestaat niet` });
  }
  return errors;
}

/** The route of a report from what the lookup found (the same rule as OrganisationsService.route); a refusal of `field` (the residence's municipality) when there is none. */
export function routeFromFacts(f: FilingFacts, kind: ReportKind, age: number, residence: Organisation, field: string): Route | FieldError {
  try {
    return routeReport(
      kind, age,
      { id: residence.id, rmcRegionId: residence.rmcRegionId, rules: Object.fromEntries(f.rules.filter((r) => r.municipality_id === residence.id).map((r) => [r.kind, r.target_id])) },
      (id) => f.candidates.get(id)?.delegateId ?? null,
    );
  } catch (error) {
    if (error instanceof NoRouteError) return { field, code: FieldCode.UNKNOWN_MUNICIPALITY, message: `${field}: ${error.message}` };
    throw error;
  }
}

/**
 * 16 hours in 4 weeks: the count restarts after each report, so a new report for the same pupil begins after the
 * previous one ended; with continuous absence at most one report per 7 calendar days. `previous`: the end date of the
 * previous 16-hour report for the pupil near this one.
 */
export function sixteenHourErrors(previous: string | null, beginDate: string, endDate: string): FieldError[] {
  if (previous === null) return [];
  if (beginDate <= previous) {
    return [{ field: 'beginDate', code: FieldCode.TOO_SOON_AFTER_PREVIOUS, message: `beginDate: moet na de einddatum (${previous}) van de vorige 16-uursmelding voor deze leerling liggen` }];
  }
  if (endDate < addDays(previous, 7)) {
    return [{ field: 'endDate', code: FieldCode.TOO_SOON_AFTER_PREVIOUS, message: `endDate: bij doorlopend verzuim hoogstens één melding per 7 dagen; de vorige eindigde op ${previous}` }];
  }
  return [];
}
