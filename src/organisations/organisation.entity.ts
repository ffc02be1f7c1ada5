import { OrganisationType } from '../kernel/organisation-type';
import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/**
 * Every party in one table: schools (code = BRIN), municipalities (code = CBS GM code), RMC regions (RMCnn),
 * regional leerplicht offices (code chosen by the operator) and the national operator. Type-specific columns
 * are null where they do not apply.
 */
@Entity('organisation')
@Check('organisation_type_check', `"type" IN ('SCHOOL','GEMEENTE','REGIONAAL_BUREAU','RMC_REGIO','OPERATOR')`)
export class Organisation {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('text')
  type: OrganisationType;

  @Index('organisation_code_key', { unique: true })
  @Column('text')
  code: string;

  @Column('text')
  name: string;

  /** Municipalities: province. */
  @Column('text', { nullable: true })
  province: string | null;

  /** Schools: PO, VO, MBO or SO. */
  @Column('text', { nullable: true })
  sector: string | null;

  /** Municipalities: the RMC region they belong to. */
  @ManyToOne(() => Organisation, { nullable: true })
  @JoinColumn({ name: 'rmc_region_id', foreignKeyConstraintName: 'organisation_rmc_region_fk' })
  rmcRegion: Organisation | null;
  @Column('uuid', { nullable: true })
  rmcRegionId: string | null;

  /** Municipalities: the regional leerplicht office their reports go to instead (Leerplichtwet art. 21 lid 3). */
  @ManyToOne(() => Organisation, { nullable: true })
  @JoinColumn({ name: 'delegate_id', foreignKeyConstraintName: 'organisation_delegate_fk' })
  delegate: Organisation | null;
  @Column('uuid', { nullable: true })
  delegateId: string | null;

  /** RMC regions: the contact municipality that runs the region for the others. */
  @ManyToOne(() => Organisation, { nullable: true })
  @JoinColumn({ name: 'contact_municipality_id', foreignKeyConstraintName: 'organisation_contact_municipality_fk' })
  contactMunicipality: Organisation | null;
  @Column('uuid', { nullable: true })
  contactMunicipalityId: string | null;

  /** The general mailbox that receives notifications. */
  @Column('text', { nullable: true })
  mailbox: string | null;

  @Column('boolean', { default: true })
  active: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
