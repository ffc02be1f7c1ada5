import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Organisation } from '../organisations/organisation.entity';

/** A hardware TOTP token a beheerder registered by serial number and seed, before handing it out. */
@Entity('hardware_token')
@Index('hardware_token_serial_key', ['organisationId', 'serial'], { unique: true })
export class HardwareToken {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @ManyToOne(() => Organisation, { nullable: false })
  @JoinColumn({ name: 'organisation_id', foreignKeyConstraintName: 'hardware_token_organisation_fk' })
  organisation: Organisation;
  @Column('uuid')
  organisationId: string;

  @Column('text')
  serial: string;

  /** The seed, sealed with the seed key. */
  @Column('bytea')
  seed: Buffer;

  /** The account it is enrolled for, once enrolled. */
  @Column('uuid', { nullable: true })
  userId: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column('timestamptz', { nullable: true })
  revokedAt: Date | null;
}
