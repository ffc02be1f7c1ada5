import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Organisation } from './organisation.entity';

/** A person the school registered as reporter (melder); only they can be named on a report. */
@Entity('reporter')
export class Reporter {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('reporter_school_idx')
  @ManyToOne(() => Organisation, { nullable: false })
  @JoinColumn({ name: 'school_id', foreignKeyConstraintName: 'reporter_school_fk' })
  school: Organisation;
  @Column('uuid')
  schoolId: string;

  @Column('text')
  name: string;

  @Column('text')
  function: string;

  @Column('text')
  phone: string;

  @Column('text')
  email: string;

  @Column('boolean', { default: true })
  active: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
