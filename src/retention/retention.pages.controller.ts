import { Controller, Get, Header, Query, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { nlDateTime } from '../common/dates';
import { AppConfig } from '../config/app-config';
import { Allow, CurrentActor, Permission } from '../kernel/access';
import { Actor } from '../kernel/actor';
import { KIND_LABELS, ReportKind, STATUS_LABELS, ReportStatus } from '../kernel/report-codes';
import { nav } from '../web/nav';
import { PageRenderer } from '../web/page-renderer';
import { PortalFilter } from '../web/portal.filter';
import { RetentionQueries } from './retention-queries';

const PAGE = 50;

/** For the operator: the retention terms, what the next nightly run erases, and the destruction records. */
@ApiExcludeController()
@UseFilters(PortalFilter)
@Controller('bewaren')
export class RetentionPagesController {
  constructor(
    private readonly pages: PageRenderer,
    private readonly queries: RetentionQueries,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @Allow(Permission.ORGANISATION_MANAGE)
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  async overview(@CurrentActor() actor: Actor, @Query('pagina') pageParam?: string): Promise<string> {
    // Anything but a small positive number is the first page: the parameter only pages through a list.
    const page = /^[1-9]\d{0,5}$/.test(pageParam ?? '') ? Number(pageParam) : 1;
    const [preview, records] = await Promise.all([this.queries.preview(), this.queries.records(PAGE, (page - 1) * PAGE)]);
    const pages = Math.max(1, Math.ceil(records.total / PAGE));
    return this.pages.render('retention/retention', {
      title: 'Bewaartermijnen', nav: nav(actor, 'bewaren'),
      terms: {
        reports: this.config.RETENTION_REPORT_MONTHS, mails: this.config.RETENTION_SENT_MAIL_DAYS, monthly: this.config.MONTHLY_REPORT_KEEP_MONTHS,
      },
      nextRun: nlDateTime(preview.nextRun, 'long'), byYear: preview.byYear, total: preview.total, openBeyondTerm: preview.openBeyondTerm,
      records: records.rows.map((r) => ({
        number: r.number, school: r.school, receiver: r.receiver, kind: KIND_LABELS[r.kind as ReportKind] ?? r.kind,
        status: STATUS_LABELS[r.status as ReportStatus] ?? r.status, filedAt: nlDateTime(r.filedAt), closedAt: r.closedAt ? nlDateTime(r.closedAt) : '–',
        erasedAt: nlDateTime(r.erasedAt), rule: r.rule,
      })),
      recordTotal: records.total, page, pages,
      previous: page > 1 ? `/bewaren?pagina=${page - 1}` : null, next: page < pages ? `/bewaren?pagina=${page + 1}` : null,
    });
  }
}
