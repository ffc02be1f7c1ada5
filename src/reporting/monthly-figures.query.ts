import { EntityManager } from 'typeorm';
import { monthStart, shiftMonths } from '../common/dates';
import { Counts, MonthlyFigures } from './monthly-figures';

/** One report as the month saw it. */
interface MonthRow {
  number: number;
  school_id: string;
  receiver_id: string;
  kind: string;
  created_at: Date;
  closing_reason: string | null;
  closing_explanation: string | null;
  status_at_end: string;
  handling_at: Date | null;
  closed_in_month: Date | null;
  withdrawn_in_month: boolean;
  location: string;
  location_name: string;
  school: string;
  school_name: string;
}

const OPEN = ['GEREGISTREERD', 'IN_BEHANDELING'];
const DAY_MS = 86_400_000;

/**
 * The reports a month touched: filed in it, open at its end, or closed or withdrawn in it. Statuses are read from the
 * history as they were at the month's end (a later change does not alter the month). A report counts for the school
 * that filed it and for the organisation that holds it now (after a forward: the new receiver).
 */
const MONTH_SQL = `
  SELECT r.number, r.school_id, r.receiver_id, r.kind, r.created_at, r.closing_reason, r.closing_explanation,
         coalesce((SELECT c->>'to' FROM report_event ev, jsonb_array_elements(ev.changes) c
                    WHERE ev.report_id = r.id AND ev.created_at < $2 AND c->>'field' = 'status' ORDER BY ev.id DESC LIMIT 1), 'GEREGISTREERD') AS status_at_end,
         (SELECT min(ev.created_at) FROM report_event ev WHERE ev.report_id = r.id AND ev.changes @> '[{"field":"status","to":"IN_BEHANDELING"}]') AS handling_at,
         (SELECT max(ev.created_at) FROM report_event ev WHERE ev.report_id = r.id AND ev.created_at >= $1 AND ev.created_at < $2
             AND (ev.changes @> '[{"field":"status","to":"AFGESLOTEN"}]' OR ev.changes @> '[{"field":"status","to":"TER_KENNISNEMING_AANGENOMEN"}]')) AS closed_in_month,
         EXISTS (SELECT 1 FROM report_event ev WHERE ev.report_id = r.id AND ev.type = 'INGETROKKEN' AND ev.created_at >= $1 AND ev.created_at < $2) AS withdrawn_in_month,
         s.code || l.code AS location, l.name AS location_name, s.code AS school, s.name AS school_name
    FROM report r JOIN location l ON l.id = r.location_id JOIN organisation s ON s.id = r.school_id
   WHERE r.created_at < $2`;

/** The figures of every school and every receiver with reports in the month, in one read of the register. */
export async function monthlyFigures(m: EntityManager, month: string): Promise<Map<string, MonthlyFigures>> {
  const start = monthStart(month);
  const end = monthStart(shiftMonths(month, 1));
  const rows: MonthRow[] = await m.query(MONTH_SQL, [start, end]);
  const touched = rows.filter((r) => r.created_at >= start || OPEN.includes(r.status_at_end) || r.closed_in_month || r.withdrawn_in_month);
  const orgs: { id: string; code: string; name: string; type: string }[] = await m.query(
    'SELECT id, code, name, type FROM organisation WHERE id = ANY($1::uuid[])',
    [[...new Set(touched.flatMap((r) => [r.school_id, r.receiver_id]))]],
  );
  const out = new Map<string, MonthlyFigures>();
  for (const org of orgs) {
    const side = org.type === 'SCHOOL' ? 'school' : 'receiver';
    const mine = touched.filter((r) => (side === 'school' ? r.school_id : r.receiver_id) === org.id);
    out.set(org.id, figuresOf(month, { code: org.code, name: org.name, type: org.type }, side, mine, start, end));
  }
  return out;
}

function figuresOf(month: string, organisation: MonthlyFigures['organisation'], side: MonthlyFigures['side'], rows: MonthRow[], start: Date, end: Date): MonthlyFigures {
  const filed = rows.filter((r) => r.created_at >= start);
  const closed = rows.filter((r) => r.closed_in_month);
  const openAtEnd = rows.filter((r) => OPEN.includes(r.status_at_end));
  const fourWeeks = new Date(end.getTime() - 28 * DAY_MS);
  const threeMonths = monthStart(shiftMonths(month, -2));
  const longOpen = openAtEnd.filter((r) => r.created_at < fourWeeks);
  const units = new Map<string, { code: string; name: string; count: number }>();
  for (const r of filed) {
    const [code, name] = side === 'school' ? [r.location, r.location_name] : [r.school, r.school_name];
    const unit = units.get(code) ?? { code, name, count: 0 };
    unit.count++;
    units.set(code, unit);
  }
  return {
    month, organisation, side,
    filed: filed.length, openAtEnd: openAtEnd.length, closed: closed.length, withdrawn: rows.filter((r) => r.withdrawn_in_month).length,
    byKind: countBy(filed, (r) => r.kind),
    byStatus: countBy(filed, (r) => r.status_at_end),
    byClosingReason: countBy(closed, (r) => r.closing_reason ?? 'ONBEKEND'),
    byClosingExplanation: countBy(closed, (r) => r.closing_explanation ?? 'ONBEKEND'),
    byUnit: [...units.values()].sort((a, b) => a.code.localeCompare(b.code)),
    medianDaysToHandling: median(rows.filter((r) => r.handling_at && r.handling_at >= start && r.handling_at < end).map((r) => days(r.created_at, r.handling_at!))),
    medianDaysToClosing: median(closed.map((r) => days(r.created_at, r.closed_in_month!))),
    openOver4Weeks: longOpen.length,
    openOver3Months: openAtEnd.filter((r) => r.created_at < threeMonths).length,
    longOpen: side === 'receiver' ? longOpen.map((r) => r.number).sort((a, b) => a - b) : [],
  };
}

function countBy<T>(rows: T[], key: (r: T) => string): Counts {
  const out: Counts = {};
  for (const r of rows) out[key(r)] = (out[key(r)] ?? 0) + 1;
  return out;
}

function days(from: Date, to: Date): number {
  return Math.floor((to.getTime() - from.getTime()) / DAY_MS);
}

/** The median of whole days (the mean of the middle two for an even count, rounded to a tenth); null without values. */
export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : Math.round(((sorted[mid - 1] + sorted[mid]) / 2) * 10) / 10;
}
