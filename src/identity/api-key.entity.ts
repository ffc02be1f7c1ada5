import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Organisation } from '../organisations/organisation.entity';

/** A machine client's key, bound to one organisation. Only a SHA-256 hash of the secret is kept. */
@Entity('api_key')
export class ApiKey {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('api_key_organisation_idx')
  @ManyToOne(() => Organisation, { nullable: false })
  @JoinColumn({ name: 'organisation_id', foreignKeyConstraintName: 'api_key_organisation_fk' })
  organisation: Organisation;
  @Column('uuid')
  organisationId: string;

  @Column('text')
  name: string;

  /** The first characters of the key, shown in lists so a key can be recognised. */
  @Column('text')
  prefix: string;

  @Index('api_key_hash_key', { unique: true })
  @Column('bytea')
  hash: Buffer;

  /** Roles from the permission table (src/identity/permissions.ts). */
  @Column('text', { array: true })
  roles: string[];

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column('timestamptz', { nullable: true })
  lastUsedAt: Date | null;

  @Column('timestamptz', { nullable: true })
  revokedAt: Date | null;
}
