import { Controller, Get, Header, Param, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Allow, CurrentActor, Permission } from '../kernel/access';
import { Actor } from '../kernel/actor';
import { KIND_LABELS, ReportKind } from '../kernel/report-codes';
import { nav } from '../web/nav';
import { PageRenderer } from '../web/page-renderer';
import { PortalFilter } from '../web/portal.filter';
import { AnnualFigures, currentSchoolYear, FIRST_SCHOOL_YEAR } from './annual-figures';
import { annualSections, periodOf } from './annual-report-files';
import { sendAnnualXlsx } from './annual-reports.api.controller';
import { AnnualReportsService } from './annual-reports.service';

/** Chart geometry, in the SVG's own units (it scales to the width of the page). */
const CHART = { width: 320, label: 110, bar: 12, gap: 4, group: 36 };

/** Received by kind, this year and the year before, as horizontal bars: server-rendered SVG, no script, no inline style. */
export function kindChart(year: AnnualFigures, previous: AnnualFigures) {
  const kinds = Object.keys(KIND_LABELS).filter((k) => (year.byKind[k] ?? 0) + (previous.byKind[k] ?? 0) > 0);
  const max = Math.max(1, ...kinds.flatMap((k) => [year.byKind[k] ?? 0, previous.byKind[k] ?? 0]));
  const room = CHART.width - CHART.label - 40;
  const groups = kinds.map((k, i) => {
    const top = i * CHART.group;
    const bar = (n: number, row: number) => ({ y: top + row * (CHART.bar + CHART.gap), width: Math.max(1, Math.round((n / max) * room)), n, textX: CHART.label + Math.max(1, Math.round((n / max) * room)) + 4, textY: top + row * (CHART.bar + CHART.gap) + CHART.bar - 2 });
    return { label: k, labelY: top + CHART.bar + 2, current: bar(year.byKind[k] ?? 0, 0), previous: bar(previous.byKind[k] ?? 0, 1) };
  });
  return { width: CHART.width, height: Math.max(CHART.group, kinds.length * CHART.group), x: CHART.label, groups, kinds: kinds.map((k) => KIND_LABELS[k as ReportKind]).join(', ') };
}

/** Rapportages → Jaaropgave: the caller's organisation's school year beside the year before, a chart, the .xlsx. */
@ApiExcludeController()
@UseFilters(PortalFilter)
@Controller('rapportages/jaaropgave')
export class AnnualReportsPagesController {
  constructor(
    private readonly pages: PageRenderer,
    private readonly annual: AnnualReportsService,
  ) {}

  @Get()
  @Allow(Permission.REPORTING_READ)
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  running(@CurrentActor() actor: Actor): Promise<string> {
    return this.show(actor, currentSchoolYear().label);
  }

  @Get(':schoolYear')
  @Allow(Permission.REPORTING_READ)
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  async show(@CurrentActor() actor: Actor, @Param('schoolYear') schoolYear: string): Promise<string> {
    const { year, previous } = await this.annual.withPrevious(actor, schoolYear);
    const start = Number(year.schoolYear.slice(0, 4));
    const running = currentSchoolYear().startYear;
    return this.pages.render('reporting/annual-report', {
      title: `Jaaropgave ${year.schoolYear}`, nav: nav(actor, 'rapportages'),
      year, previous, period: periodOf(year), previousPeriod: periodOf(previous),
      sections: annualSections(year, previous), chart: kindChart(year, previous),
      earlier: start > FIRST_SCHOOL_YEAR ? previous.schoolYear : null,
      later: start < running ? `${start + 1}-${start + 2}` : null,
    });
  }

  @Get(':schoolYear/xlsx')
  @Allow(Permission.REPORTING_READ)
  async xlsx(@CurrentActor() actor: Actor, @Param('schoolYear') schoolYear: string, @Res() res: Response): Promise<void> {
    await sendAnnualXlsx(res, await this.annual.download(actor, schoolYear, 'xlsx'));
  }
}
