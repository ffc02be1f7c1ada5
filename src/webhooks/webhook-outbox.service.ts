import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, EntitySubscriberInterface, QueryRunner, TransactionCommitEvent } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { RecordedReportEvent, ReportEventBus, ReportEventListener } from '../reports/report-event-bus';
import { ChangeData, cloudEventJson, feedSequence } from './cloud-event';
import { cloudEventType, TEST_EVENT_TYPE } from './webhook-event-types';
import { EndpointStatus } from './webhook-endpoint.entity';
import { WebhookWakeup } from './webhook-wakeup';
import { preparedQuery } from '../common/prepared-query';

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
    const f = event.report;
    // Who sees the change: the school, the receiver, and on a forward the receiver it left. One statement: the
    // CloudEvent once, and a delivery for each endpoint that wants this type (none: nothing written).
    const organisations = [f.school.id, f.receiver.id, ...(f.previousReceiver ? [f.previousReceiver.id] : [])];
    const id = randomUUID();
    const data: ChangeData = { reportNumber: f.number, change: event.type, status: f.status, url: `${this.config.PUBLIC_URL}/api/v1/reports/${f.number}` };
    const body = cloudEventJson({
      id, source: this.config.WEBHOOK_EVENT_SOURCE, type, time: event.at, subject: String(f.number), sequence: feedSequence(event.txid, event.eventId), data: { ...data },
    });
    const [{ deliveries }] = await preparedQuery<{ deliveries: number }>(
      m,
      `WITH w AS (SELECT id FROM webhook_endpoint WHERE organisation_id = ANY($1::uuid[]) AND status = $2 AND $3 = ANY(event_types)),
       msg AS (INSERT INTO webhook_message (id, event_id, type, report_number, body) SELECT $4, $5, $3, $6, $7 WHERE EXISTS (SELECT 1 FROM w) RETURNING id),
       d AS (INSERT INTO webhook_delivery (endpoint_id, message_id, txid) SELECT w.id, msg.id, pg_current_xact_id()::text::bigint FROM w CROSS JOIN msg ORDER BY w.id RETURNING id)
       SELECT count(*)::int AS deliveries FROM d`,
      [organisations, EndpointStatus.ACTIVE, type, id, event.eventId, f.number, body],
    );
    if (deliveries > 0 && m.queryRunner) this.pending.add(m.queryRunner);
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
