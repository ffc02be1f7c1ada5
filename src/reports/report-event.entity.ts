import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Organisation } from '../organisations/organisation.entity';
import { Report } from './report.entity';

export enum ReportEventType {
  INGEDIEND = 'INGEDIEND',
  GEWIJZIGD = 'GEWIJZIGD',
  STATUS_GEWIJZIGD = 'STATUS_GEWIJZIGD',
  HEROPEND = 'HEROPEND',
  BERICHT = 'BERICHT',
  DOORGESTUURD = 'DOORGESTUURD',
  INGETROKKEN = 'INGETROKKEN',
  /** A document added to the report (aanvulling), by the school or the receiver. */
  BIJLAGE_TOEGEVOEGD = 'BIJLAGE_TOEGEVOEGD',
  /** The school removed a document it had added. */
  BIJLAGE_VERWIJDERD = 'BIJLAGE_VERWIJDERD',
}

/**
 * The types version 1 of the API names in the history and the changes feed. Its clients generated an enum of these,
 * so a new type would break them (a response enum that grows is a breaking change, docs/api-contract.md): in version
 * 1 an attachment added or removed is a GEWIJZIGD whose change is the field `attachments`.
 */
export const V1_EVENT_TYPES = [
  ReportEventType.INGEDIEND, ReportEventType.GEWIJZIGD, ReportEventType.STATUS_GEWIJZIGD, ReportEventType.HEROPEND, ReportEventType.BERICHT,
  ReportEventType.DOORGESTUURD, ReportEventType.INGETROKKEN,
] as const;

export function v1EventType(type: ReportEventType): ReportEventType {
  return (V1_EVENT_TYPES as readonly ReportEventType[]).includes(type) ? type : ReportEventType.GEWIJZIGD;
}

export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

/**
 * One entry of a report's history, and the unit of the changes feed. Written in the same transaction as the
 * change. `txid` is the writing transaction's id; the feed only hands out events of transactions that can no
 * longer commit, which makes the cursor free of gaps.
 */
@Entity('report_event')
@Index('report_event_feed_idx', ['txid', 'id'])
@Index('report_event_receiver_feed_idx', ['receiverId', 'txid', 'id'])
@Index('report_event_school_feed_idx', ['schoolId', 'txid', 'id'])
export class ReportEvent {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id: string;

  @Column('bigint')
  txid: string;

  @Index('report_event_report_idx')
  @ManyToOne(() => Report, { nullable: false, onDelete: 'CASCADE' })
  @JoinColumn({ name: 'report_id', foreignKeyConstraintName: 'report_event_report_fk' })
  report: Report;
  @Column('uuid')
  reportId: string;

  /**
   * The report's current receiver and its school, copied from the report so that each side's changes feed reads its
   * own events in order from one index (ADR 0014). Every change of the report (ReportEventsService.record) brings the
   * receiver of all its events up to date, in the same statement: a forward hands the history to the new receiver.
   */
  @Column('uuid')
  receiverId: string;

  @Column('uuid')
  schoolId: string;

  @Column('text')
  type: ReportEventType;

  @ManyToOne(() => Organisation, { nullable: false })
  @JoinColumn({ name: 'actor_organisation_id', foreignKeyConstraintName: 'report_event_actor_organisation_fk' })
  actorOrganisation: Organisation;
  @Column('uuid')
  actorOrganisationId: string;

  /** 'API_KEY' or 'USER'. */
  @Column('text')
  actorType: string;

  @Column('uuid', { nullable: true })
  actorId: string | null;

  /** A readable name of who acted (the key's name or the person's name). */
  @Column('text')
  actorName: string;

  @Column('jsonb', { default: () => "'[]'" })
  changes: FieldChange[];

  /** Type-specific facts: message id, statuses, forwarded from/to. */
  @Column('jsonb', { default: () => "'{}'" })
  details: Record<string, unknown>;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
