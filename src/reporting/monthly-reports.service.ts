import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditAction, AuditService, byActor } from '../audit/audit.service';
import { clock } from '../common/clock';
import { shiftMonths, todayInNL } from '../common/dates';
import { FieldCode, invalid, notFound } from '../common/problem';
import { AppConfig } from '../config/app-config';
import { Actor } from '../kernel/actor';
import { addMonthsUtc } from '../kernel/retention';
import { JobRunner } from '../retention/job-runner';
import { RetentionScheduler } from '../retention/retention.scheduler';
import { monthlyFigures } from './monthly-figures.query';
import { MonthlyFigures } from './monthly-figures';

export interface MonthlyReportRow {
  id: string;
  month: string;
  madeAt: Date;
  expiresAt: Date;
  figures: MonthlyFigures;
}

export type DownloadFormat = 'xlsx' | 'pdf';

/**
 * The maandrapportages: made once per month, on the first, for the month before (with the nightly job, one instance,
 * recorded in job_run), or on the operator's request for any finished month. Making is idempotent: a report that
 * exists is left as it was made, so a month's figures do not change when they are made again later.
 */
@Injectable()
export class MonthlyReportsService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly jobs: JobRunner,
    private readonly scheduler: RetentionScheduler,
  ) {}

  onModuleInit(): void {
    this.scheduler.register({
      name: 'monthly-reports',
      run: (now) => {
        const month = shiftMonths(todayInNL(now).slice(0, 7), -1);
        return this.jobs.once('monthly-reports', month, (m) => this.make(m, month, now));
      },
    });
  }

  /** Makes the month's reports that do not exist yet; how many were made. */
  async make(manager: EntityManager, month: string, now: Date = clock.now()): Promise<{ month: string; made: number }> {
    const figures = await monthlyFigures(manager, month);
    const expires = addMonthsUtc(now, this.config.MONTHLY_REPORT_KEEP_MONTHS);
    let made = 0;
    for (const [organisationId, f] of figures) {
      const [row] = await manager.query(
        `INSERT INTO monthly_report (organisation_id, month, made_at, expires_at, figures) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (organisation_id, month) DO NOTHING RETURNING id`,
        [organisationId, `${month}-01`, now, expires, JSON.stringify(f)],
      );
      if (row) made++;
    }
    return { month, made };
  }

  /** The operator's request: the reports of a finished month, made again where missing (idempotent). */
  async makeOnRequest(actor: Actor, month: string): Promise<{ month: string; made: number }> {
    const current = todayInNL(clock.now()).slice(0, 7);
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month) || month >= current || month < shiftMonths(current, -this.config.MONTHLY_REPORT_KEEP_MONTHS)) {
      throw invalid({ field: 'month', code: FieldCode.NOT_ALLOWED_VALUE, message: `month: kies een afgelopen maand, niet verder terug dan ${this.config.MONTHLY_REPORT_KEEP_MONTHS} maanden` });
    }
    return this.db.transaction(async (m) => {
      const result = await this.make(m, month);
      await this.audit.record(byActor(actor, AuditAction.MONTHLY_REPORTS_MADE, { details: { ...result } }), m);
      return result;
    });
  }

  /** The caller's organisation's reports, newest month first. */
  async list(actor: Actor): Promise<MonthlyReportRow[]> {
    const rows: { id: string; month: string; made_at: Date; expires_at: Date; figures: MonthlyFigures }[] = await this.db.query(
      `SELECT id, to_char(month, 'YYYY-MM') AS month, made_at, expires_at, figures FROM monthly_report
        WHERE organisation_id = $1 AND expires_at > $2 ORDER BY month DESC`,
      [actor.organisationId, clock.now()],
    );
    return rows.map((r) => ({ id: r.id, month: r.month, madeAt: r.made_at, expiresAt: r.expires_at, figures: r.figures }));
  }

  /** One of the caller's organisation's reports; another organisation's is not found. */
  async view(actor: Actor, id: string): Promise<MonthlyReportRow> {
    const report = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id) ? (await this.list(actor)).find((r) => r.id === id) : undefined;
    if (!report) throw notFound('Deze maandrapportage bestaat niet (meer) of is niet van uw organisatie.');
    return report;
  }

  /** One of the caller's organisation's reports, to download: the download is in the audit log. */
  async download(actor: Actor, id: string, format: DownloadFormat): Promise<MonthlyReportRow> {
    const report = await this.view(actor, id);
    await this.audit.record(byActor(actor, AuditAction.MONTHLY_REPORT_DOWNLOADED, { details: { month: report.month, format, monthlyReport: report.id } }));
    return report;
  }
}
