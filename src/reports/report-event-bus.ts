import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Actor } from '../kernel/actor';
import { ClosingReason, EmailCopies, ReportKind, ReportStatus } from '../kernel/report-codes';
import { ReportEventType } from './report-event.entity';

/** An organisation as a listener needs it: to name it, and to write to its general mailbox. */
export interface OrganisationFacts {
  id: string;
  code: string;
  name: string;
  mailbox: string | null;
}

/** The report as it is after the change, as far as listeners need it (no pupil data). */
export interface ReportFacts {
  number: number;
  kind: ReportKind;
  status: ReportStatus;
  closingReason: ClosingReason | null;
  emailCopies: EmailCopies;
  school: OrganisationFacts;
  location: { code: string; name: string };
  receiver: OrganisationFacts;
  /** The address of the reporter named on the report (the school's contact). */
  reporterEmail: string;
  /** A forward: the receiver the report left. */
  previousReceiver?: OrganisationFacts;
}

/** A change of a report, as it was recorded: the event's row id, the report, what happened, who did it. */
export interface RecordedReportEvent {
  eventId: string;
  /** The transaction the change committed in; with eventId the changes feed's cursor. */
  txid: string;
  /** When the event was recorded. */
  at: Date;
  reportId: string;
  type: ReportEventType;
  actor: Actor;
  details: Record<string, unknown>;
  report: ReportFacts;
}

/** What another capability does with each change of a report, inside the change's own transaction (`m`). */
export interface ReportEventListener {
  onReportEvent(m: EntityManager, event: RecordedReportEvent): Promise<void>;
}

/**
 * How reports tell others what happened, without knowing them: notifications (and later webhooks) subscribe when
 * their module starts, and hear each change in the transaction that makes it, so that an e-mail or delivery is
 * written with the change or not at all.
 */
@Injectable()
export class ReportEventBus {
  private readonly listeners: ReportEventListener[] = [];

  subscribe(listener: ReportEventListener): void {
    this.listeners.push(listener);
  }

  async publish(m: EntityManager, event: RecordedReportEvent): Promise<void> {
    for (const listener of this.listeners) await listener.onReportEvent(m, event);
  }
}
