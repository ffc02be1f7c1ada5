import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Organisation } from '../organisations/organisation.entity';

export enum EndpointStatus {
  ACTIVE = 'ACTIVE',
  DISABLED = 'DISABLED',
}

/** Why an endpoint stopped receiving: its server answered 410 Gone, it failed for WEBHOOK_DISABLE_AFTER_HOURS, or a beheerder. */
export enum DisabledReason {
  GONE = 'GONE',
  FAILING = 'FAILING',
  BEHEERDER = 'BEHEERDER',
}

/**
 * An address of an organisation's system that receives the changes it may see, as signed CloudEvents. The secret is
 * sealed with the webhook key and bound to the row; during a rotation the previous secret signs as well until
 * `previousSecretExpiresAt`. The worker holds an endpoint (not single deliveries) with a lease, so that one instance at
 * a time sends to it, in order; `retryAt` holds the whole endpoint back after a failure.
 */
@Entity('webhook_endpoint')
@Check('webhook_endpoint_status_check', `"status" IN ('ACTIVE','DISABLED')`)
@Index('webhook_endpoint_organisation_idx', ['organisationId', 'createdAt'])
@Index('webhook_endpoint_due_idx', ['retryAt'], { where: "status = 'ACTIVE'" })
export class WebhookEndpoint {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @ManyToOne(() => Organisation, { nullable: false })
  @JoinColumn({ name: 'organisation_id', foreignKeyConstraintName: 'webhook_endpoint_organisation_fk' })
  organisation: Organisation;
  @Column('uuid')
  organisationId: string;

  @Column('text')
  url: string;

  @Column('text', { default: '' })
  description: string;

  /** CloudEvents types (nl.verzuimloket.melding.…) the endpoint wants. */
  @Column('text', { array: true })
  eventTypes: string[];

  @Column('text', { default: EndpointStatus.ACTIVE })
  status: EndpointStatus;

  @Column('text', { nullable: true })
  disabledReason: DisabledReason | null;

  @Column('timestamptz', { nullable: true })
  disabledAt: Date | null;

  /** whsec_… sealed with the webhook key, bound to the id. */
  @Column('bytea')
  secretSealed: Buffer;

  /** The secret before the last rotation; it signs as well until previousSecretExpiresAt. */
  @Column('bytea', { nullable: true })
  previousSecretSealed: Buffer | null;

  @Column('timestamptz', { nullable: true })
  previousSecretExpiresAt: Date | null;

  /** Since when every attempt failed (null after a success); past WEBHOOK_DISABLE_AFTER_HOURS the endpoint is disabled. */
  @Column('timestamptz', { nullable: true })
  failingSince: Date | null;

  /** Nothing is sent to the endpoint before this moment (the wait after a failure, or a Retry-After). */
  @Column('timestamptz', { default: () => 'now()' })
  retryAt: Date;

  /** The instance that sends to the endpoint holds it until this moment, under its token. */
  @Column('timestamptz', { nullable: true })
  leaseUntil: Date | null;

  @Column('uuid', { nullable: true })
  leaseToken: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
