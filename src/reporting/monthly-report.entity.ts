import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Organisation } from '../organisations/organisation.entity';
import type { MonthlyFigures } from './monthly-figures';

/**
 * A maandrapportage: the counts of one month for one organisation (a school, or a receiver), made once on the first of
 * the next month and kept for MONTHLY_REPORT_KEEP_MONTHS. Counts only; the one list of numbers is the receiver's open
 * reports older than four weeks (R08), by meldingsnummer.
 */
@Entity('monthly_report')
@Index('monthly_report_organisation_month_key', ['organisationId', 'month'], { unique: true })
@Index('monthly_report_expires_idx', ['expiresAt'])
export class MonthlyReport {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @ManyToOne(() => Organisation, { nullable: false })
  @JoinColumn({ name: 'organisation_id', foreignKeyConstraintName: 'monthly_report_organisation_fk' })
  organisation?: Organisation;
  @Column('uuid')
  organisationId: string;

  /** The first day of the month reported on. */
  @Column('date')
  month: string;

  @CreateDateColumn({ type: 'timestamptz' })
  madeAt: Date;

  /** When the nightly job deletes it. */
  @Column('timestamptz')
  expiresAt: Date;

  @Column('jsonb')
  figures: MonthlyFigures;
}
