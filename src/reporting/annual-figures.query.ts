import { EntityManager } from 'typeorm';
import { monthStart, todayInNL } from '../common/dates';
import { AnnualFigures, SchoolYear } from './annual-figures';

/**
 * The facts the jaaropgave counts, per report, read alike from a report in the register and from the destruction
 * record an erased report left (src/retention: the same expressions), so that erasing a report changes no figure
 * (ADR 0013). Only reports that can count in the year are read: filed before its end, not closed before its start,
 * and held by the organisation now or forwarded to or from it at some time. A report held now that was ever forwarded
 * was forwarded to it, so the forwards of every report are found from the organisation's own forward events, and the
 * history of the reports that were never forwarded (nearly all) is not read.
 */
const FACTS_SQL = `
  fwd AS MATERIALIZED (
    SELECT e.report_id, jsonb_agg(jsonb_build_object('from', e.details->>'from', 'to', e.details->>'to', 'at', e.created_at) ORDER BY e.id) AS forwards
      FROM report_event e
     WHERE e.type = 'DOORGESTUURD'
       AND e.report_id IN (SELECT o.report_id FROM report_event o WHERE o.type = 'DOORGESTUURD' AND (o.details->>'from' = $2 OR o.details->>'to' = $2))
     GROUP BY e.report_id),
  live AS (
    SELECT r.*, coalesce(fwd.forwards, '[]'::jsonb) AS forwards FROM report r LEFT JOIN fwd ON fwd.report_id = r.id WHERE r.receiver_id = $1
    UNION ALL
    SELECT r.*, fwd.forwards FROM report r JOIN fwd ON fwd.report_id = r.id WHERE r.receiver_id <> $1),
  facts AS (
    SELECT r.school_id, r.receiver_id, r.residence_municipality_id, r.kind, r.status,
           date_part('year', age(r.begin_date, r.pupil_birth_date))::int AS age, r.created_at AS filed_at, r.closed_at,
           r.closing_reason, r.closing_explanation, r.forwards
      FROM live r
     WHERE r.created_at < $4 AND (r.closed_at IS NULL OR r.closed_at >= $3)
    UNION ALL
    SELECT d.school_id, d.receiver_id, d.residence_municipality_id, d.kind, d.status, d.age_at_begin, d.filed_at, d.closed_at,
           d.closing_reason, d.closing_explanation, d.forwards
      FROM destruction_record d
     WHERE d.filed_at < $4 AND (d.closed_at IS NULL OR d.closed_at >= $3)
       AND (d.receiver_id = $1 OR (jsonb_array_length(d.forwards) > 0 AND (d.forwards @> jsonb_build_array(jsonb_build_object('from', $2::text))
            OR d.forwards @> jsonb_build_array(jsonb_build_object('to', $2::text))))))`;

/**
 * The counts, in PostgreSQL: `first_code` is the organisation a report was routed to on filing (the sender of its first
 * forward, else its receiver), `holder_at_end` the one that held it at the end of the period (the sender of the first
 * forward after it, else its receiver now). A forward happens only while a report is open, so a closed report's
 * closer is its last receiver.
 */
const ANNUAL_SQL = `
  WITH ${FACTS_SQL},
  placed AS MATERIALIZED (
    SELECT f.*, rc.code AS receiver_code, coalesce(f.forwards->0->>'from', rc.code) AS first_code,
           CASE WHEN f.forwards = '[]'::jsonb THEN rc.code
                ELSE coalesce((SELECT x->>'from' FROM jsonb_array_elements(f.forwards) x WHERE (x->>'at')::timestamptz >= $4
                                ORDER BY (x->>'at')::timestamptz LIMIT 1), rc.code) END AS holder_at_end
      FROM facts f JOIN organisation rc ON rc.id = f.receiver_id),
  received AS MATERIALIZED (
    SELECT p.kind, p.age, coalesce(s.sector, 'ONBEKEND') AS sector, m.code AS m_code, m.name AS m_name
      FROM placed p JOIN organisation s ON s.id = p.school_id JOIN organisation m ON m.id = p.residence_municipality_id
     WHERE p.filed_at >= $3 AND p.first_code = $2),
  closed AS MATERIALIZED (
    SELECT coalesce(closing_reason, 'ONBEKEND') AS reason, coalesce(closing_explanation, 'ONBEKEND') AS explanation,
           floor(extract(epoch FROM closed_at - filed_at) / 86400)::int AS days
      FROM placed WHERE status IN ('AFGESLOTEN', 'TER_KENNISNEMING_AANGENOMEN') AND closed_at >= $3 AND closed_at < $4 AND receiver_code = $2),
  moves AS (
    SELECT x->>'from' AS from_code, x->>'to' AS to_code FROM placed p, jsonb_array_elements(p.forwards) x
     WHERE p.forwards <> '[]'::jsonb AND (x->>'at')::timestamptz >= $3 AND (x->>'at')::timestamptz < $4)
  SELECT
    (SELECT count(*)::int FROM received) AS received,
    (SELECT coalesce(jsonb_object_agg(kind, n), '{}') FROM (SELECT kind, count(*)::int AS n FROM received GROUP BY 1) x) AS by_kind,
    (SELECT coalesce(jsonb_object_agg(sector, n), '{}') FROM (SELECT sector, count(*)::int AS n FROM received GROUP BY 1) x) AS by_sector,
    (SELECT coalesce(jsonb_object_agg(age, n), '{}') FROM (SELECT age::text AS age, count(*)::int AS n FROM received GROUP BY 1) x) AS by_age,
    (SELECT coalesce(jsonb_agg(jsonb_build_object('code', m_code, 'name', m_name, 'count', n) ORDER BY m_code), '[]')
       FROM (SELECT m_code, m_name, count(*)::int AS n FROM received GROUP BY 1, 2) x) AS by_municipality,
    (SELECT count(*)::int FROM closed) AS closed,
    (SELECT coalesce(jsonb_object_agg(reason, n), '{}') FROM (SELECT reason, count(*)::int AS n FROM closed GROUP BY 1) x) AS by_closing_reason,
    (SELECT coalesce(jsonb_object_agg(explanation, n), '{}') FROM (SELECT explanation, count(*)::int AS n FROM closed GROUP BY 1) x) AS by_closing_explanation,
    (SELECT count(*)::int FROM placed WHERE status = 'INGETROKKEN' AND closed_at >= $3 AND closed_at < $4 AND receiver_code = $2) AS withdrawn,
    (SELECT count(*)::int FROM moves WHERE to_code = $2) AS forwarded_in,
    (SELECT count(*)::int FROM moves WHERE from_code = $2) AS forwarded_out,
    (SELECT count(*)::int FROM placed WHERE (closed_at IS NULL OR closed_at >= $4) AND holder_at_end = $2) AS open_at_end,
    (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY days) FROM closed) AS median_days,
    (SELECT percentile_disc(0.9) WITHIN GROUP (ORDER BY days) FROM closed) AS p90_days`;

interface AnnualRow {
  received: number;
  by_kind: Record<string, number>;
  by_sector: Record<string, number>;
  by_age: Record<string, number>;
  by_municipality: { code: string; name: string; count: number }[];
  closed: number;
  by_closing_reason: Record<string, number>;
  by_closing_explanation: Record<string, number>;
  withdrawn: number;
  forwarded_in: number;
  forwarded_out: number;
  open_at_end: number;
  median_days: number | null;
  p90_days: number | null;
}

/** Dutch midnight starting 1 August of the year. */
export function schoolYearStart(startYear: number): Date {
  return monthStart(`${startYear}-08`);
}

/** The jaaropgave of one organisation for one school year, counted up to `now` while the year runs. */
export async function annualFigures(
  m: EntityManager, organisation: { id: string; code: string; name: string; type: string }, year: SchoolYear, now: Date,
): Promise<AnnualFigures> {
  const start = schoolYearStart(year.startYear);
  const yearEnd = schoolYearStart(year.startYear + 1);
  const complete = now >= yearEnd;
  const end = complete ? yearEnd : now;
  const [row]: AnnualRow[] = await m.query(ANNUAL_SQL, [organisation.id, organisation.code, start, end]);
  return {
    schoolYear: year.label,
    organisation: { code: organisation.code, name: organisation.name, type: organisation.type },
    from: `${year.startYear}-08-01`,
    through: complete ? `${year.startYear + 1}-07-31` : todayInNL(now),
    complete,
    received: row.received,
    byKind: row.by_kind, bySector: row.by_sector, byAge: row.by_age, byMunicipality: row.by_municipality,
    closed: row.closed, byClosingReason: row.by_closing_reason, byClosingExplanation: row.by_closing_explanation,
    withdrawn: row.withdrawn, forwardedIn: row.forwarded_in, forwardedOut: row.forwarded_out, openAtEnd: row.open_at_end,
    medianHandlingDays: row.median_days === null ? null : Math.round(Number(row.median_days) * 10) / 10,
    p90HandlingDays: row.p90_days === null ? null : Number(row.p90_days),
  };
}

