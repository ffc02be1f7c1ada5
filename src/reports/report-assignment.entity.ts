import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { User } from '../identity/user.entity';
import { Organisation } from '../organisations/organisation.entity';
import { Report } from './report.entity';

/**
 * Who handled a report when: one row per assignment (or release) within the receiving organisation. The receiver's
 * internal business: the school's history and the changes feed do not show it.
 */
@Entity('report_assignment')
@Index('report_assignment_report_idx', ['reportId', 'id'])
export class ReportAssignment {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id: string;

  @ManyToOne(() => Report, { nullable: false, onDelete: 'CASCADE' })
  @JoinColumn({ name: 'report_id', foreignKeyConstraintName: 'report_assignment_report_fk' })
  report: Report;
  @Column('uuid')
  reportId: string;

  /** The receiving organisation at the time. */
  @ManyToOne(() => Organisation, { nullable: false })
  @JoinColumn({ name: 'organisation_id', foreignKeyConstraintName: 'report_assignment_organisation_fk' })
  organisation: Organisation;
  @Column('uuid')
  organisationId: string;

  /** The officer it went to; null: released (nobody). */
  @ManyToOne(() => User, { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'report_assignment_user_fk' })
  user: User | null;
  @Column('uuid', { nullable: true })
  userId: string | null;

  /** The officer's name at the time (kept when the account goes). */
  @Column('text', { nullable: true })
  userName: string | null;

  /** Who assigned: a person or an API key, by name. */
  @Column('text')
  actorName: string;

  @Column('uuid', { nullable: true })
  actorId: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
