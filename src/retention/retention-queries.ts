import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { clock } from '../common/clock';
import { nextTimeInNL } from '../common/dates';
import { AppConfig } from '../config/app-config';

export interface ErasurePreview {
  /** When the next nightly run starts. */
  nextRun: Date;
  /** What it will erase, by the year the reports were filed. */
  byYear: { year: number; count: number }[];
  total: number;
  /** Open reports filed longer ago than the term: never erased automatically, so someone should close them. */
  openBeyondTerm: number;
}

export interface DestructionRow {
  number: number;
  school: string;
  receiver: string;
  kind: string;
  status: string;
  filedAt: Date;
  closedAt: Date | null;
  erasedAt: Date;
  rule: string;
}

/** What the operator reads about retention: the next run, and the destruction records. No personal data in either. */
@Injectable()
export class RetentionQueries {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
  ) {}

  async preview(now: Date = clock.now()): Promise<ErasurePreview> {
    const nextRun = nextTimeInNL(this.config.RETENTION_TIME, now);
    const rows: { year: number; count: number }[] = await this.db.query(
      `SELECT extract(year FROM created_at AT TIME ZONE 'Europe/Amsterdam')::int AS year, count(*)::int AS count FROM report
        WHERE status IN ('AFGESLOTEN', 'TER_KENNISNEMING_AANGENOMEN', 'INGETROKKEN') AND closed_at + make_interval(months => $1) <= $2
        GROUP BY 1 ORDER BY 1`,
      [this.config.RETENTION_REPORT_MONTHS, nextRun],
    );
    const [{ n }] = await this.db.query(
      `SELECT count(*)::int AS n FROM report WHERE status IN ('GEREGISTREERD', 'IN_BEHANDELING') AND created_at + make_interval(months => $1) <= $2`,
      [this.config.RETENTION_REPORT_MONTHS, now],
    );
    return { nextRun, byYear: rows, total: rows.reduce((s, r) => s + r.count, 0), openBeyondTerm: n };
  }

  /** Destruction records, newest first, `limit` per page; `before` is the last number of the previous page's erasure order. */
  async records(limit: number, offset: number): Promise<{ rows: DestructionRow[]; total: number }> {
    const rows: (DestructionRow & { total: number })[] = await this.db.query(
      `SELECT d.report_number AS number, s.code AS school, o.code AS receiver, d.kind, d.status, d.filed_at AS "filedAt", d.closed_at AS "closedAt",
              d.erased_at AS "erasedAt", d.rule, count(*) OVER ()::int AS total
         FROM destruction_record d JOIN organisation s ON s.id = d.school_id JOIN organisation o ON o.id = d.receiver_id
        ORDER BY d.erased_at DESC, d.report_number DESC LIMIT $1 OFFSET $2`,
      [limit, offset],
    );
    const total = rows[0]?.total ?? (await this.db.query('SELECT count(*)::int AS n FROM destruction_record'))[0].n;
    return { rows: rows.map(({ total: _, ...r }) => r), total };
  }
}
