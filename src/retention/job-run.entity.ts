import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One run of a scheduled job for one period (a day for the erasure, a month for the monthly reports). The primary key
 * makes a period's run happen once, whichever instance gets there first; the row says when and what it did.
 */
@Entity('job_run')
export class JobRun {
  @PrimaryColumn('text')
  job: string;

  /** '2026-12-01' (a day) or '2026-11' (a month). */
  @PrimaryColumn('text')
  period: string;

  @Column('timestamptz', { default: () => 'now()' })
  startedAt: Date;

  @Column('timestamptz', { nullable: true })
  finishedAt: Date | null;

  /** Counts of what the run did; never personal data. */
  @Column('jsonb', { default: () => "'{}'" })
  summary: Record<string, unknown>;
}
