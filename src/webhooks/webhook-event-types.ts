import { ReportEventType } from '../reports/report-event.entity';

/**
 * The catalogue of CloudEvents types a webhook can subscribe to, one per kind of change of the changes feed, named as
 * the NL GOV profile for CloudEvents suggests (reverse DNS, then the object and what happened to it).
 *
 * To add a kind of change (e.g. attachments, when reports get them): add the ReportEventType in reports, add its row
 * here with a Dutch label, raise the API's minor version and name the new type in docs/api-changelog.md. Nothing
 * else changes: the outbox, the worker and the pages read this table, and endpoints that want the new type tick it
 * (existing endpoints do not receive a type they did not choose).
 */
export const REPORT_EVENT_TYPES: Record<ReportEventType, { type: string; label: string }> = {
  [ReportEventType.INGEDIEND]: { type: 'nl.verzuimloket.melding.ingediend', label: 'Nieuwe melding' },
  [ReportEventType.GEWIJZIGD]: { type: 'nl.verzuimloket.melding.gewijzigd', label: 'Melding gewijzigd door de school' },
  [ReportEventType.STATUS_GEWIJZIGD]: { type: 'nl.verzuimloket.melding.status-gewijzigd', label: 'Status gewijzigd' },
  [ReportEventType.HEROPEND]: { type: 'nl.verzuimloket.melding.heropend', label: 'Melding heropend' },
  [ReportEventType.BERICHT]: { type: 'nl.verzuimloket.melding.bericht-toegevoegd', label: 'Nieuw bericht' },
  [ReportEventType.DOORGESTUURD]: { type: 'nl.verzuimloket.melding.doorgestuurd', label: 'Melding doorgestuurd' },
  [ReportEventType.INGETROKKEN]: { type: 'nl.verzuimloket.melding.ingetrokken', label: 'Melding ingetrokken' },
  [ReportEventType.BIJLAGE_TOEGEVOEGD]: { type: 'nl.verzuimloket.melding.bijlage-toegevoegd', label: 'Bijlage toegevoegd' },
  [ReportEventType.BIJLAGE_VERWIJDERD]: { type: 'nl.verzuimloket.melding.bijlage-verwijderd', label: 'Bijlage verwijderd door de school' },
};

/** The event the "send test event" button sends; not subscribable, it goes to the one endpoint asked. */
export const TEST_EVENT_TYPE = 'nl.verzuimloket.webhook.test';

/** Every subscribable type, in the order of the catalogue. */
export const EVENT_TYPES: readonly string[] = Object.values(REPORT_EVENT_TYPES).map((t) => t.type);

export function cloudEventType(change: ReportEventType): string {
  return REPORT_EVENT_TYPES[change].type;
}

export function eventTypeLabel(type: string): string {
  return Object.values(REPORT_EVENT_TYPES).find((t) => t.type === type)?.label ?? (type === TEST_EVENT_TYPE ? 'Testbericht' : type);
}
