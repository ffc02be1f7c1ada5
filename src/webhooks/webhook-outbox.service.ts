import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, EntitySubscriberInterface, QueryRunner, TransactionCommitEvent } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { ReportEventBus, ReportEventListener, ReportEventNotice, ReportEventStatement } from '../reports/report-event-bus';
import { ChangeData, cloudEventJson, cloudEventSql, feedSequenceSql, isoTimeSql } from './cloud-event';
import { SqlValue } from '../common/sql-json';
import { cloudEventType, TEST_EVENT_TYPE } from './webhook-event-types';
import { EndpointStatus } from './webhook-endpoint.entity';
import { WebhookWakeup } from './webhook-wakeup';

/**
 * The webhook outbox: for each change of a report, in the change's own statement, one message (the CloudEvent) and
 * one delivery per endpoint that wants it, of the organisations that see the change as the changes feed does: the
 * filing school and the receiver after the change, and for a forward also the receiver it left. A change is never
 * without its deliveries, and a delivery never tells of a change that was rolled back. Once the change is committed,
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

  /**
   * Who sees the change: the school, the receiver, and on a forward the receiver it left. Three parts of the change's
   * statement: the endpoints that want this type, the CloudEvent once (none: nothing written), and a delivery for each.
   */
  onReportEvent(statement: ReportEventStatement, event: ReportEventNotice): void {
    const $ = statement.param;
    const f = event.report;
    const type = $(cloudEventType(event.type));
    const organisations = [f.school.id, f.receiver.id, ...(f.previousReceiver ? [f.previousReceiver.id] : [])];
    const id = randomUUID();
    // The number is the statement's: a filing draws it in the same statement.
    const number = new SqlValue(statement.number);
    const data: Record<keyof ChangeData, unknown> = {
      reportNumber: number, change: event.type, status: f.status, url: new SqlValue(`${$(`${this.config.PUBLIC_URL}/api/v1/reports/`)} || ${statement.number}`),
    };
    const body = cloudEventSql({
      id, source: this.config.WEBHOOK_EVENT_SOURCE, type: cloudEventType(event.type), time: isoTimeSql('e.created_at'),
      subject: new SqlValue(`${statement.number}::text`), sequence: new SqlValue(feedSequenceSql('e.txid', 'e.id')), data,
    }, $);
    statement.part('hook_w', `SELECT id FROM webhook_endpoint WHERE organisation_id = ANY(${$(organisations)}::uuid[]) AND status = ${$(EndpointStatus.ACTIVE)} AND ${type} = ANY(event_types)`);
    statement.part('hook_msg', `INSERT INTO webhook_message (id, event_id, type, report_number, body)
      SELECT ${$(id)}, e.id, ${type}, ${statement.number}, ${body} FROM e WHERE EXISTS (SELECT 1 FROM hook_w) RETURNING id`);
    statement.part('hook_d', `INSERT INTO webhook_delivery (endpoint_id, message_id, txid)
      SELECT w.id, msg.id, pg_current_xact_id()::text::bigint FROM hook_w w CROSS JOIN hook_msg msg ORDER BY w.id RETURNING id`);
    statement.afterwards('hook_d', (deliveries, m) => {
      if (deliveries > 0) this.wakeAfterCommit(m);
    });
  }

  /** Wakes this instance's worker once what `m` wrote is committed: now, or when its transaction commits. */
  private wakeAfterCommit(m: EntityManager): void {
    if (m.queryRunner?.isTransactionActive) this.pending.add(m.queryRunner);
    else this.wakeup.wake();
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
    this.wakeAfterCommit(m);
    return rows.map((r) => String(r.id));
  }
}
