import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * The one-time link a start without an operator prints in the log (ADR 0012): only the SHA-256 of its token is kept.
 * Taking it (the first-run page's first step) sets `usedAt` and the operator account it made; from then on the token
 * is that account's activation code, which the activation's own steps finish. A later start removes what is left.
 */
@Entity('first_run_link')
export class FirstRunLink {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('first_run_link_token_key', { unique: true })
  @Column('bytea')
  tokenHash: Buffer;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column('timestamptz')
  expiresAt: Date;

  @Column('timestamptz', { nullable: true })
  usedAt: Date | null;

  /** The operator account made with it. */
  @Column('uuid', { nullable: true })
  userId: string | null;
}
