import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { User } from '../identity/user.entity';
import { Report } from './report.entity';

/**
 * What a person last saw of a report: the newest history event when they opened it. A report with an event by the
 * other side after it is new for them ("sinds uw vorige bezoek"). One row per person and report, overwritten.
 */
@Entity('report_read_mark')
export class ReportReadMark {
  @PrimaryColumn('uuid')
  userId: string;

  @PrimaryColumn('uuid')
  reportId: string;

  @ManyToOne(() => User, { nullable: false, onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'report_read_mark_user_fk' })
  user?: User;

  @ManyToOne(() => Report, { nullable: false, onDelete: 'CASCADE' })
  @JoinColumn({ name: 'report_id', foreignKeyConstraintName: 'report_read_mark_report_fk' })
  report?: Report;

  @Column('bigint')
  seenEventId: string;

  @Column('timestamptz', { default: () => 'now()' })
  seenAt: Date;
}
