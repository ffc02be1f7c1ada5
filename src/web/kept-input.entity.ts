import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** What a kept entry holds: a form sent without a valid session, or a one-time result to show after a redirect. */
export enum KeptPurpose {
  FORM = 'FORM',
  FLASH = 'FLASH',
}

/**
 * Something the portal holds for one browser for a short while, sealed (AES-256-GCM): the fields of a form sent when
 * the session had ended, until the person has signed in again and is back on the form; or a result shown once after
 * Post/Redirect/Get (a new API key's secret). The browser holds a random token in a cookie; only its SHA-256 is
 * stored. Never in an address, never logged.
 */
@Entity('kept_input')
export class KeptInput {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('kept_input_token_key', { unique: true })
  @Column('bytea')
  tokenHash: Buffer;

  @Column('text')
  purpose: KeptPurpose;

  /** The person it belongs to when known (the ended session's, or the signed-in one's); no one else gets it. */
  @Column('uuid', { nullable: true })
  userId: string | null;

  /** The page (path and query) on which it is given back. */
  @Column('text')
  page: string;

  @Column('bytea')
  sealed: Buffer;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Index('kept_input_expires_idx')
  @Column('timestamptz')
  expiresAt: Date;
}
