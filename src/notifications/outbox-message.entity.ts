import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { User } from '../identity/user.entity';
import { Organisation } from '../organisations/organisation.entity';
import { ReportEvent } from '../reports/report-event.entity';

export enum OutboxStatus {
  /** Waiting for the worker (or for its next attempt). */
  PENDING = 'PENDING',
  /** For a person who chose the daily digest: waits for the digest to be put together. */
  DIGEST = 'DIGEST',
  /** Taken up in a digest message (digestId). */
  BUNDLED = 'BUNDLED',
  SENT = 'SENT',
  /** Parked after a permanent rejection or the last attempt; a beheerder or the operator can send it again. */
  FAILED = 'FAILED',
}

export enum MailTemplate {
  REPORT_EVENT = 'report-event',
  DIGEST = 'digest',
  ACTIVATION = 'activation',
  /** To the beheerders: a webhook endpoint was disabled (410 Gone, or failing too long). */
  WEBHOOK_DISABLED = 'webhook-disabled',
  /** To a person, at the old and the new address: the beheerder changed the account's e-mail address. */
  ADDRESS_CHANGED = 'address-changed',
}

/**
 * The templates the list of failed e-mails (API 1.x) shows: a webhook notice and an address-change notice are left out,
 * because an answer's enum may not grow within a major version; the webhook's own page shows that the endpoint is off.
 */
export const FAILED_LIST_TEMPLATES: readonly MailTemplate[] = [MailTemplate.REPORT_EVENT, MailTemplate.DIGEST, MailTemplate.ACTIVATION];

/**
 * One e-mail to one recipient, written in the same transaction as the change it tells about (the outbox). The
 * worker claims it with FOR UPDATE SKIP LOCKED for a limited time, sends it, and marks it sent; an unfinished claim
 * runs out and another instance takes over. The row's id is the e-mail's Message-ID: one per (event, recipient).
 */
@Entity('outbox_message')
@Index('outbox_message_event_recipient_key', ['eventId', 'recipient'], { unique: true, where: 'event_id IS NOT NULL' })
@Index('outbox_message_due_idx', ['nextAttemptAt'], { where: "status IN ('PENDING', 'DIGEST')" })
@Index('outbox_message_failed_idx', ['organisationId', 'createdAt'], { where: "status = 'FAILED'" })
export class OutboxMessage {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('text')
  template: MailTemplate;

  /** The report event this e-mail tells about (report-event only). */
  @ManyToOne(() => ReportEvent, { nullable: true, onDelete: 'CASCADE' })
  @JoinColumn({ name: 'event_id', foreignKeyConstraintName: 'outbox_message_event_fk' })
  event: ReportEvent | null;
  @Column('bigint', { nullable: true })
  eventId: string | null;

  /** The organisation the recipient belongs to: its beheerder sees the message when it fails. */
  @ManyToOne(() => Organisation, { nullable: false })
  @JoinColumn({ name: 'organisation_id', foreignKeyConstraintName: 'outbox_message_organisation_fk' })
  organisation: Organisation;
  @Column('uuid')
  organisationId: string;

  /** The person addressed, when it is a person (not an organisation's mailbox). */
  @ManyToOne(() => User, { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'outbox_message_user_fk' })
  user: User | null;
  @Column('uuid', { nullable: true })
  userId: string | null;

  /** The address, lower case. */
  @Column('text')
  recipient: string;

  /** What the template needs; never a pupil's personal data. */
  @Column('jsonb', { default: () => "'{}'" })
  data: Record<string, unknown>;

  /** A secret the e-mail carries (an activation link), sealed with the mail key and bound to this row. */
  @Column('bytea', { nullable: true })
  sealed: Buffer | null;

  @Column('text', { default: OutboxStatus.PENDING })
  status: OutboxStatus;

  @Column('integer', { default: 0 })
  attempts: number;

  /** PENDING: not before this moment; DIGEST: when the digest goes out. */
  @Column('timestamptz', { default: () => 'now()' })
  nextAttemptAt: Date;

  /** Held by an instance until this moment. */
  @Column('timestamptz', { nullable: true })
  claimedUntil: Date | null;

  @Column('text', { nullable: true })
  lastError: string | null;

  /** BUNDLED: the digest message that carries this one. */
  @Column('uuid', { nullable: true })
  digestId: string | null;

  @Column('timestamptz', { nullable: true })
  sentAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
