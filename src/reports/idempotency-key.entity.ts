import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Organisation } from '../organisations/organisation.entity';
import { Report } from './report.entity';

/** Remembers an Idempotency-Key per organisation, so that a retried POST returns the report it made. */
@Entity('idempotency_key')
export class IdempotencyKey {
  @PrimaryColumn('uuid')
  organisationId: string;

  @PrimaryColumn('text')
  key: string;

  @ManyToOne(() => Organisation, { nullable: false })
  @JoinColumn({ name: 'organisation_id', foreignKeyConstraintName: 'idempotency_key_organisation_fk' })
  organisation: Organisation;

  /** SHA-256 of the request body, to refuse the same key with another body. */
  @Column('text')
  requestHash: string;

  @ManyToOne(() => Report, { nullable: false, onDelete: 'CASCADE' })
  @JoinColumn({ name: 'report_id', foreignKeyConstraintName: 'idempotency_key_report_fk' })
  report: Report;
  @Column('uuid')
  reportId: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
