import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ReportEvent } from '../reports/report-event.entity';

/**
 * One CloudEvent as it is sent, byte for byte: written once in the transaction of the change, shared by the
 * deliveries to every endpoint that wants it. Its id is the CloudEvent id and the webhook-id header, the same on
 * every attempt and redelivery. Carries no personal data: the meldingsnummer, the kind of change, the status, a link.
 */
@Entity('webhook_message')
export class WebhookMessage {
  @PrimaryColumn('uuid')
  id: string;

  /** The change of a report it tells about; null for a test event. Erasing the report erases its messages. */
  @Index('webhook_message_event_idx')
  @ManyToOne(() => ReportEvent, { nullable: true, onDelete: 'CASCADE' })
  @JoinColumn({ name: 'event_id', foreignKeyConstraintName: 'webhook_message_event_fk' })
  event: ReportEvent | null;
  @Column('bigint', { nullable: true })
  eventId: string | null;

  /** The CloudEvents type. */
  @Column('text')
  type: string;

  @Column('integer', { nullable: true })
  reportNumber: number | null;

  /** The CloudEvent in JSON, exactly as signed and sent. */
  @Column('text')
  body: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
