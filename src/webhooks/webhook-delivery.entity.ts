import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { WebhookEndpoint } from './webhook-endpoint.entity';
import { WebhookMessage } from './webhook-message.entity';

export enum DeliveryStatus {
  PENDING = 'PENDING',
  DELIVERED = 'DELIVERED',
  /** Refused by the receiver (a 4xx other than 408, 410 and 429), or left when the endpoint was disabled. */
  FAILED = 'FAILED',
}

/**
 * One message to one endpoint: the outbox row, written in the transaction of the change (or of a redelivery or test),
 * tagged with that transaction's id. Per endpoint the worker sends in (txid, id) order and only rows of transactions
 * older than every running one, as the changes feed hands them out (ADR 2), so that no row can later appear before
 * one already sent. Also the delivery log: attempts, the last answer and how long it took.
 */
@Entity('webhook_delivery')
@Check('webhook_delivery_status_check', `"status" IN ('PENDING','DELIVERED','FAILED')`)
@Index('webhook_delivery_pending_idx', ['endpointId', 'txid', 'id'], { where: "status = 'PENDING'" })
@Index('webhook_delivery_log_idx', ['endpointId', 'id'])
@Index('webhook_delivery_message_idx', ['messageId'])
export class WebhookDelivery {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id: string;

  @ManyToOne(() => WebhookEndpoint, { nullable: false, onDelete: 'CASCADE' })
  @JoinColumn({ name: 'endpoint_id', foreignKeyConstraintName: 'webhook_delivery_endpoint_fk' })
  endpoint: WebhookEndpoint;
  @Column('uuid')
  endpointId: string;

  @ManyToOne(() => WebhookMessage, { nullable: false, onDelete: 'CASCADE' })
  @JoinColumn({ name: 'message_id', foreignKeyConstraintName: 'webhook_delivery_message_fk' })
  message: WebhookMessage;
  @Column('uuid')
  messageId: string;

  /** The id of the transaction that wrote the row. */
  @Column('bigint')
  txid: string;

  @Column('text', { default: DeliveryStatus.PENDING })
  status: DeliveryStatus;

  @Column('integer', { default: 0 })
  attempts: number;

  @Column('timestamptz', { nullable: true })
  lastAttemptAt: Date | null;

  /** The HTTP status of the last answer; null when there was none (refused connection, time-out). */
  @Column('integer', { nullable: true })
  lastStatusCode: number | null;

  /** The start of the last answer's body, or what went wrong (never logged). */
  @Column('text', { nullable: true })
  lastAnswer: string | null;

  @Column('integer', { nullable: true })
  lastLatencyMs: number | null;

  @Column('timestamptz', { nullable: true })
  deliveredAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
