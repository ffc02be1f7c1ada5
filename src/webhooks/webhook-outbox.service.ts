import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, EntitySubscriberInterface, QueryRunner, TransactionCommitEvent } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { ReportStatus } from '../kernel/report-codes';
import { RecordedReportEvent, ReportEventBus, ReportEventListener } from '../reports/report-event-bus';
import { ReportEventType } from '../reports/report-event.entity';
import { ChangeData, cloudEventJson, feedSequence } from './cloud-event';
import { cloudEventType, TEST_EVENT_TYPE } from './webhook-event-types';
import { EndpointStatus } from './webhook-endpoint.entity';
import { WebhookWakeup } from './webhook-wakeup';

/**
 * The webhook outbox: for each change of a report, in the change's own transaction, one message (the CloudEvent) and
 * one delivery per endpoint that wants it, of the organisations that see the change as the changes feed does: the
 * filing school and the receiver after the change, and for a forward also the receiver it left. A change is never
 * without its deliveries, and a delivery never tells of a change that was rolled back. When the transaction commits,
 * this instance's worker is woken.
 */
@Injectable()
export class WebhookOutbox implements ReportEventListener, OnModuleInit, EntitySubscriberInterface {
  /** Transactions (by their query runner) that wrote deliveries, to wake the worker when they commit. */
  private readonly pending = new WeakSet<QueryRunner>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
    private readonly bus: ReportEventBus,
    private readonly wakeup: WebhookWakeup,
  ) {}

  onModuleInit(): void {
    this.bus.subscribe(this);
    this.db.subscribers.push(this);
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    if (!this.pending.has(event.queryRunner)) return;
    this.pending.delete(event.queryRunner);
    this.wakeup.wake();
  }

  async onReportEvent(m: EntityManager, event: RecordedReportEvent): Promise<void> {
    const type = cloudEventType(event.type);
    const left = event.type === ReportEventType.DOORGESTUURD && typeof event.details.from === 'string' ? event.details.from : null;
    const endpoints: { id: string }[] = await m.query(
      `SELECT w.id FROM report r
         JOIN webhook_endpoint w
           ON w.organisation_id = ANY(ARRAY[r.school_id, r.receiver_id, (SELECT o.id FROM organisation o WHERE o.code = $3)])
        WHERE r.id = $1 AND w.status = $4 AND $2 = ANY(w.event_types)
        ORDER BY w.id`,
      [event.reportId, type, left, EndpointStatus.ACTIVE],
    );
    if (endpoints.length === 0) return;
    const [facts]: { number: number; status: ReportStatus; txid: string; created_at: Date }[] = await m.query(
      'SELECT r.number, r.status, e.txid, e.created_at FROM report r JOIN report_event e ON e.id = $2 WHERE r.id = $1',
      [event.reportId, event.eventId],
    );
    const id = randomUUID();
    const data: ChangeData = {
      reportNumber: facts.number,
      change: event.type,
      status: facts.status,
      url: `${this.config.PUBLIC_URL}/api/v1/reports/${facts.number}`,
    };
    const body = cloudEventJson({
      id, source: this.config.WEBHOOK_EVENT_SOURCE, type, time: facts.created_at, subject: String(facts.number),
      sequence: feedSequence(facts.txid, event.eventId), data: { ...data },
    });
    await m.query('INSERT INTO webhook_message (id, event_id, type, report_number, body) VALUES ($1, $2, $3, $4, $5)', [id, event.eventId, type, facts.number, body]);
    await this.enqueue(m, endpoints.map((e) => e.id), id);
  }

  /** A test event for one endpoint, in its own message; returns the delivery's id. */
  async enqueueTest(m: EntityManager, endpointId: string, organisationCode: string): Promise<string> {
    const id = randomUUID();
    const body = cloudEventJson({
      id, source: this.config.WEBHOOK_EVENT_SOURCE, type: TEST_EVENT_TYPE, time: new Date(), subject: 'test',
      data: { test: true, endpointId, organisation: organisationCode, message: 'Testbericht van Verzuimloket: uw webhook werkt.' },
    });
    await m.query('INSERT INTO webhook_message (id, type, body) VALUES ($1, $2, $3)', [id, TEST_EVENT_TYPE, body]);
    return (await this.enqueue(m, [endpointId], id))[0];
  }

  /** Delivers a message again to an endpoint, as a new delivery with the same webhook-id, after what is waiting. */
  async enqueueAgain(m: EntityManager, endpointId: string, messageId: string): Promise<string> {
    return (await this.enqueue(m, [endpointId], messageId))[0];
  }

  private async enqueue(m: EntityManager, endpointIds: string[], messageId: string): Promise<string[]> {
    const rows: { id: string }[] = await m.query(
      `INSERT INTO webhook_delivery (endpoint_id, message_id, txid)
       SELECT unnest($1::uuid[]), $2, pg_current_xact_id()::text::bigint RETURNING id`,
      [endpointIds, messageId],
    );
    if (m.queryRunner) this.pending.add(m.queryRunner);
    return rows.map((r) => String(r.id));
  }
}
