import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Relation } from 'typeorm';
import { Organisation } from '../organisations/organisation.entity';
import { Report } from './report.entity';

/** A reply between receiver and school (terugmelding), in order of writing. */
@Entity('report_message')
export class ReportMessage {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('report_message_report_idx')
  @ManyToOne(() => Report, { nullable: false, onDelete: 'CASCADE' })
  @JoinColumn({ name: 'report_id', foreignKeyConstraintName: 'report_message_report_fk' })
  // Relation<>: the report refers back to its messages; without the wrapper the two classes need each other at load time.
  report: Relation<Report>;
  @Column('uuid')
  reportId: string;

  @ManyToOne(() => Organisation, { nullable: false })
  @JoinColumn({ name: 'organisation_id', foreignKeyConstraintName: 'report_message_organisation_fk' })
  organisation: Organisation;
  @Column('uuid')
  organisationId: string;

  @Column('text')
  authorName: string;

  @Column('text')
  body: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
