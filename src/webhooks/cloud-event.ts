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
  time: Date;
  subject?: string;
  sequence?: string;
  data: Record<string, unknown>;
}

/**
 * A CloudEvent 1.0 in the JSON format, with the attributes the NL GOV profile asks for: a unique id, the source (a URN
 * of the register), the type, the moment, the subject (the meldingsnummer) and the sequence extension (the changes
 * feed's cursor, ordered as text). Always the same keys in the same order, so the body is stable.
 */
export function cloudEventJson(e: CloudEventInput): string {
  return JSON.stringify({
    specversion: '1.0',
    id: e.id,
    source: e.source,
    type: e.type,
    time: e.time.toISOString(),
    ...(e.subject !== undefined ? { subject: e.subject } : {}),
    ...(e.sequence !== undefined ? { sequence: e.sequence } : {}),
    datacontenttype: 'application/json',
    data: e.data,
  });
}

/**
 * The changes feed's cursor of an event (`txid-id`, what GET /changes?after= takes), each part padded to 19 digits so
 * that the text sorts as the feed does (the CloudEvents sequence attribute must be lexicographically orderable).
 */
export function feedSequence(txid: string, eventId: string): string {
  return `${txid.padStart(19, '0')}-${eventId.padStart(19, '0')}`;
}
