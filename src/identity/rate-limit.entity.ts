import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Requests per caller and window, shared by every instance (they share only PostgreSQL). An UNLOGGED table
 * (migration 1764000000000): losing the counts in a database crash only lets the next minute's requests through.
 */
@Entity('rate_limit')
export class RateLimit {
  /** The limit's name and the caller: "default:USER:<id>", "sign-in:ip:<address>". */
  @PrimaryColumn('text')
  key: string;

  @Column('integer')
  hits: number;

  @Column('timestamptz')
  windowEnd: Date;

  @Column('timestamptz', { nullable: true })
  blockedUntil: Date | null;
}
