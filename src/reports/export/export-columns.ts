import { CLOSING_EXPLANATION_LABELS, CLOSING_REASON_LABELS, ClosingExplanation, ClosingReason, KIND_LABELS, STATUS_LABELS } from '../../kernel/report-codes';
import { ExportRecord } from './export-record';

/** How a column's values are written: whole numbers, text, calendar days or moments (in Dutch time). */
export type ColumnType = 'integer' | 'text' | 'date' | 'datetime';
export type CellValue = string | number | null;

export interface ExportColumn {
  header: string;
  type: ColumnType;
  /** Width in characters, for the spreadsheet. */
  width: number;
  /** The value: text or a number; a day as YYYY-MM-DD; a moment as its epoch milliseconds. */
  value: (r: ExportRecord, pgn: string) => CellValue;
}

/** The columns of an export, in order, with the Dutch names people know from the overview and the report page. */
export const EXPORT_COLUMNS: readonly ExportColumn[] = [
  { header: 'Meldingsnummer', type: 'integer', width: 15, value: (r) => r.number },
  { header: 'Status', type: 'text', width: 24, value: (r) => STATUS_LABELS[r.status] ?? r.status },
  { header: 'Soort verzuim', type: 'text', width: 40, value: (r) => KIND_LABELS[r.kind] ?? r.kind },
  { header: 'BSN of onderwijsnummer', type: 'text', width: 22, value: (_, pgn) => pgn },
  { header: 'Leerling', type: 'text', width: 28, value: (r) => r.pupilName },
  { header: 'Geboortedatum', type: 'date', width: 14, value: (r) => r.birthDate },
  { header: 'School', type: 'text', width: 30, value: (r) => r.school },
  { header: 'Vestigingscode', type: 'text', width: 14, value: (r) => r.locationCode },
  { header: 'Vestiging', type: 'text', width: 30, value: (r) => r.location },
  { header: 'Ontvanger', type: 'text', width: 30, value: (r) => r.receiver },
  { header: 'Gemeld op', type: 'datetime', width: 17, value: (r) => r.createdMs },
  { header: 'Eerste dag verzuim', type: 'date', width: 14, value: (r) => r.beginDate },
  { header: 'Laatste dag verzuim', type: 'date', width: 14, value: (r) => r.endDate },
  { header: 'Dagen gemist', type: 'integer', width: 12, value: (r) => r.daysMissed },
  { header: 'Lesuren gemist', type: 'integer', width: 12, value: (r) => r.hoursMissed },
  { header: 'Reden van afsluiten', type: 'text', width: 40, value: (r) => (r.closingReason ? CLOSING_REASON_LABELS[r.closingReason as ClosingReason] ?? r.closingReason : null) },
  {
    header: 'Toelichting bij afsluiten', type: 'text', width: 40,
    value: (r) => (r.closingExplanation ? CLOSING_EXPLANATION_LABELS[r.closingExplanation as ClosingExplanation] ?? r.closingExplanation : null),
  },
  { header: 'Laatst gewijzigd', type: 'datetime', width: 17, value: (r) => r.updatedMs },
];

const NL_PARTS = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Amsterdam', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
});
const offsets = new Map<number, number>();

/**
 * A moment as the clock in the Netherlands shows it, in milliseconds as if that were UTC: what a spreadsheet (which knows
 * no time zones) must hold. The offset changes only on whole hours, so it is computed once per hour and kept.
 */
export function nlWallClock(epochMs: number): number {
  const hour = Math.floor(epochMs / 3_600_000);
  let offset = offsets.get(hour);
  if (offset === undefined) {
    const p = Object.fromEntries(NL_PARTS.formatToParts(new Date(hour * 3_600_000)).map((x) => [x.type, x.value]));
    offset = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second) - hour * 3_600_000;
    if (offsets.size > 100_000) offsets.clear();
    offsets.set(hour, offset);
  }
  return epochMs + offset;
}

/** A value as the CSV shows it, in Dutch: 14-03-2011, 01-12-2026 09:15. */
export function csvText(type: ColumnType, value: CellValue): string {
  if (value === null) return '';
  if (type === 'date') {
    const s = String(value);
    return `${s.slice(8, 10)}-${s.slice(5, 7)}-${s.slice(0, 4)}`;
  }
  if (type === 'datetime') {
    const s = new Date(nlWallClock(value as number)).toISOString();
    return `${s.slice(8, 10)}-${s.slice(5, 7)}-${s.slice(0, 4)} ${s.slice(11, 16)}`;
  }
  return String(value);
}
