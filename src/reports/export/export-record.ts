import { ReportKind, ReportStatus } from '../../kernel/report-codes';
import { ReportSearchInput } from '../report.dto';

/** What an export covers: the overview's filters (every matching report, not one page), or the ticked reports. */
export type ExportScope = { filters: ReportSearchInput } | { numbers: readonly number[] };

/** One report's row as the export query reads it: the PGN still encrypted, dates as YYYY-MM-DD, moments as epoch milliseconds. */
export interface ExportRecord {
  number: number;
  status: ReportStatus;
  kind: ReportKind;
  pgnEncrypted: Buffer;
  pupilName: string;
  birthDate: string;
  school: string;
  brin: string;
  location: string;
  locationCode: string;
  receiver: string;
  createdMs: number;
  beginDate: string;
  endDate: string | null;
  daysMissed: number | null;
  hoursMissed: number | null;
  closingReason: string | null;
  closingExplanation: string | null;
  updatedMs: number;
}

/**
 * The columns the export query selects: [SQL, alias]. Only these leave the database, in one row per report. Moments come
 * as epoch milliseconds (float8, read as a number) rather than as timestamps, which the driver would parse into a Date
 * with a regular expression per value.
 */
export const EXPORT_SELECT: readonly [string, string][] = [
  ['r.number', 'number'], ['r.status', 'status'], ['r.kind', 'kind'], ['r.pgn_encrypted', 'pgn'],
  ["concat_ws(' ', r.pupil_initials, nullif(r.pupil_prefix, ''), r.pupil_surname)", 'pupil'],
  ["to_char(r.pupil_birth_date, 'YYYY-MM-DD')", 'birth'], ['school.name', 'school'], ['school.code', 'brin'],
  ['location.name', 'location'], ['location.code', 'loc'], ['receiver.name', 'receiver'], ['(extract(epoch FROM r.created_at) * 1000)::float8', 'created'],
  ["to_char(r.begin_date, 'YYYY-MM-DD')", 'begin'], ["to_char(r.end_date, 'YYYY-MM-DD')", 'end'], ['r.days_missed', 'days'],
  ['r.hours_missed', 'hours'], ['r.closing_reason', 'reason'], ['r.closing_explanation', 'explanation'], ['(extract(epoch FROM r.updated_at) * 1000)::float8', 'updated'],
];

export function toExportRecord(raw: Record<string, unknown>): ExportRecord {
  const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
  const int = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    number: Number(raw.number), status: raw.status as ReportStatus, kind: raw.kind as ReportKind, pgnEncrypted: raw.pgn as Buffer,
    pupilName: String(raw.pupil), birthDate: String(raw.birth), school: String(raw.school), brin: String(raw.brin),
    location: String(raw.location), locationCode: `${String(raw.brin)}${String(raw.loc)}`, receiver: String(raw.receiver),
    createdMs: Number(raw.created), beginDate: String(raw.begin), endDate: text(raw.end), daysMissed: int(raw.days),
    hoursMissed: int(raw.hours), closingReason: text(raw.reason), closingExplanation: text(raw.explanation), updatedMs: Number(raw.updated),
  };
}
