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

/** The report as it is after the change, as far as listeners need it (no pupil data; its number: ReportEventStatement). */
export interface ReportFacts {
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

/** A change of a report as listeners hear of it, while its statement is built: the report, what happened, who did it. */
export interface ReportEventNotice {
  reportId: string;
  type: ReportEventType;
  actor: Actor;
  details: Record<string, unknown>;
  report: ReportFacts;
}

/**
 * The ONE statement that records a change (ReportEventsService.record), as listeners add to it: parameters, and
 * parts, each a CTE of the statement (data-modifying ones included, which PostgreSQL runs to completion whether read
 * or not). A part may read the change's history event as `e` (id, txid, created_at) and the listener's own earlier
 * parts; it cannot see what the other parts write. A change is so never without what its listeners write, and they
 * never write about a change that was not made.
 */
export interface ReportEventStatement {
  /** The report's number, as an SQL expression (a filing draws it in this statement). */
  readonly number: string;
  /** Adds a parameter; returns its placeholder ($n). */
  param(value: unknown): string;
  /** Adds a part; `name` must be unique in the statement (listeners prefix theirs). */
  part(name: string, sql: string): void;
  /**
   * Once the statement has run: `run` with the number of rows of the part named `counted`, and the manager the change
   * was written with (in a transaction still open, or committed already).
   */
  afterwards(counted: string, run: (rows: number, m: EntityManager) => void): void;
}

/** What another capability writes with each change of a report, as parts of the change's own statement. */
export interface ReportEventListener {
  onReportEvent(statement: ReportEventStatement, event: ReportEventNotice): void;
}

/**
 * How reports tell others what happened, without knowing them: notifications and webhooks subscribe when their
 * module starts, and add their writes to the statement of each change, so that an e-mail or delivery is written with
 * the change or not at all, in the same round trip to the database.
 */
@Injectable()
export class ReportEventBus {
  private readonly listeners: ReportEventListener[] = [];

  subscribe(listener: ReportEventListener): void {
    this.listeners.push(listener);
  }

  /** Every listener adds its parts for this change. */
  contribute(statement: ReportEventStatement, event: ReportEventNotice): void {
    for (const listener of this.listeners) listener.onReportEvent(statement, event);
  }
}
