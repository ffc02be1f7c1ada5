import { jsonSql, SqlValue } from '../common/sql-json';
import { ReportStatus } from '../kernel/report-codes';
import { ReportEventType } from '../reports/report-event.entity';

/** What a webhook says about a change: the meldingsnummer, the kind of change, the status after it, where to read it. */
export interface ChangeData {
  reportNumber: number;
  change: ReportEventType;
  status: ReportStatus;
  url: string;
}

export interface CloudEventInput {
  id: string;
  source: string;
  type: string;
  time: Date | SqlValue;
  subject?: string | SqlValue;
  sequence?: string | SqlValue;
  /** May hold SqlValues too (cloudEventSql). */
  data: Record<string, unknown>;
}

/** The attributes in their order: the same keys in the same order always, so that the body is stable. */
function attributes(e: CloudEventInput): Record<string, unknown> {
  return {
    specversion: '1.0',
    id: e.id,
    source: e.source,
    type: e.type,
    time: e.time instanceof Date ? e.time.toISOString() : e.time,
    ...(e.subject !== undefined ? { subject: e.subject } : {}),
    ...(e.sequence !== undefined ? { sequence: e.sequence } : {}),
    datacontenttype: 'application/json',
    data: e.data,
  };
}

/**
 * A CloudEvent 1.0 in the JSON format, with the attributes the NL GOV profile asks for: a unique id, the source (a URN
 * of the register), the type, the moment, the subject (the meldingsnummer) and the sequence extension (the changes
 * feed's cursor, ordered as text).
 */
export function cloudEventJson(e: CloudEventInput): string {
  return JSON.stringify(attributes(e));
}

/**
 * The same CloudEvent as an SQL expression of text, for a statement that learns some of its values only as it runs
 * (the report's number, the event's moment and cursor): those are SqlValues (jsonSql).
 */
export function cloudEventSql(e: CloudEventInput, param: (text: string) => string): string {
  return jsonSql(attributes(e), param);
}

/** A timestamptz expression as toISOString writes it (milliseconds, cut off as node-postgres cuts them when it reads). */
export function isoTimeSql(timestamp: string): SqlValue {
  return new SqlValue(`to_char(${timestamp} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);
}

/**
 * The changes feed's cursor of an event (`txid-id`, what GET /changes?after= takes) as an SQL expression, each part
 * padded to 19 digits so that the text sorts as the feed does (the CloudEvents sequence attribute must be
 * lexicographically orderable).
 */
export function feedSequenceSql(txid: string, eventId: string): string {
  return `lpad(${txid}::text, 19, '0') || '-' || lpad(${eventId}::text, 19, '0')`;
}
