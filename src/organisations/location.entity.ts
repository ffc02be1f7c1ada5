import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Organisation } from './organisation.entity';

/** A school's location (vestiging): BRIN + two digits, e.g. 00ZV01. */
@Entity('location')
@Index('location_school_code_key', ['schoolId', 'code'], { unique: true })
export class Location {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @ManyToOne(() => Organisation, { nullable: false })
  @JoinColumn({ name: 'school_id', foreignKeyConstraintName: 'location_school_fk' })
  school: Organisation;
  @Column('uuid')
  schoolId: string;

  /** The two digits after the BRIN. */
  @Column('text')
  code: string;

  @Column('text')
  name: string;

  @Column('text', { nullable: true })
  street: string | null;

  @Column('text', { nullable: true })
  houseNumber: string | null;

  @Column('text', { nullable: true })
  postcode: string | null;

  @Column('text', { nullable: true })
  place: string | null;

  @ManyToOne(() => Organisation, { nullable: true })
  @JoinColumn({ name: 'municipality_id', foreignKeyConstraintName: 'location_municipality_fk' })
  municipality: Organisation | null;
  @Column('uuid', { nullable: true })
  municipalityId: string | null;

  @Column('boolean', { default: true })
  active: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
