import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Organisation } from '../organisations/organisation.entity';

export enum UserStatus {
  /** Created by a beheerder; waits for the person to activate it (password and token). */
  PENDING = 'PENDING',
  ACTIVE = 'ACTIVE',
  DISABLED = 'DISABLED',
}

/** How a person wants to hear of changes to reports: each at once, one e-mail a day, or not at all. */
export enum MailFrequency {
  IMMEDIATE = 'IMMEDIATE',
  DAILY = 'DAILY',
  OFF = 'OFF',
}

export enum TokenKind {
  APP = 'APP',
  HARDWARE = 'HARDWARE',
}

/** A person's account in one organisation. Secrets are kept only as hashes (password, activation) or sealed (seed). */
@Entity('user_account')
export class User {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('user_account_organisation_idx')
  @ManyToOne(() => Organisation, { nullable: false })
  @JoinColumn({ name: 'organisation_id', foreignKeyConstraintName: 'user_account_organisation_fk' })
  organisation: Organisation;
  @Column('uuid')
  organisationId: string;

  /** Lower case; unique across the service. */
  @Index('user_account_username_key', { unique: true })
  @Column('text')
  username: string;

  @Column('text')
  name: string;

  @Column('text')
  email: string;

  @Column('text', { array: true, default: () => "'{}'" })
  roles: string[];

  /** For a melder: the school locations they may report for; empty means all. */
  @Column('uuid', { array: true, default: () => "'{}'" })
  locationIds: string[];

  @Column('text', { default: MailFrequency.IMMEDIATE })
  mailFrequency: MailFrequency;

  @Column('text', { default: UserStatus.PENDING })
  status: UserStatus;

  /** Set by a beheerder: no sign-in until unlocked. */
  @Column('timestamptz', { nullable: true })
  lockedAt: Date | null;

  /** After repeated failures: no sign-in before this moment (growing delays). */
  @Column('timestamptz', { nullable: true })
  throttledUntil: Date | null;

  @Column('integer', { default: 0 })
  failedPasswords: number;

  @Column('integer', { default: 0 })
  failedCodes: number;

  @Column('text', { nullable: true })
  passwordHash: string | null;

  @Column('text', { nullable: true })
  tokenKind: TokenKind | null;

  /** The TOTP seed, sealed with the seed key. */
  @Column('bytea', { nullable: true })
  totpSeed: Buffer | null;

  /** The last time step accepted: a code of that step or earlier is never accepted again. */
  @Column('bigint', { nullable: true })
  totpLastStep: string | null;

  @Column('uuid', { nullable: true })
  hardwareTokenId: string | null;

  /** SHA-256 of the one-time activation secret (link token or letter code). */
  @Column('bytea', { nullable: true })
  activationHash: Buffer | null;

  @Column('timestamptz', { nullable: true })
  activationExpiresAt: Date | null;

  @Column('timestamptz', { nullable: true })
  lastSignInAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
