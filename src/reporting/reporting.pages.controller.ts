import { Body, Controller, Get, Header, Param, Post, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { nlDateTime } from '../common/dates';
import { Allow, CurrentActor, Permission } from '../kernel/access';
import { Actor } from '../kernel/actor';
import { fieldErrorsOf, pageErrors } from '../web/forms';
import { nav } from '../web/nav';
import { PageRenderer } from '../web/page-renderer';
import { PortalFilter } from '../web/portal.filter';
import { monthName, sectionsOf } from './monthly-report-files';
import { sendMonthlyFile } from './monthly-reports.api.controller';
import { MonthlyReportsService } from './monthly-reports.service';
import { AnnualReportsService } from './annual-reports.service';
import { currentSchoolYear } from './annual-figures';

/** Rapportages: the organisation's monthly reports, each on a page and as .xlsx and PDF; the operator makes a month again. */
@ApiExcludeController()
@UseFilters(PortalFilter)
@Controller('rapportages')
export class ReportingPagesController {
  constructor(
    private readonly pages: PageRenderer,
    private readonly reports: MonthlyReportsService,
  ) {}

  @Get()
  @Allow(Permission.REPORTING_READ)
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  async list(@CurrentActor() actor: Actor): Promise<string> {
    const rows = await this.reports.list(actor);
    return this.pages.render('reporting/monthly-reports', {
      title: 'Rapportages', nav: nav(actor, 'rapportages'), annual: AnnualReportsService.hasAnnual(actor) ? currentSchoolYear().label : null,
      reports: rows.map((r) => ({
        id: r.id, month: monthName(r.month), madeAt: nlDateTime(r.madeAt), expiresAt: nlDateTime(r.expiresAt), filed: r.figures.filed, openAtEnd: r.figures.openAtEnd,
      })),
    });
  }

  @Get('maken')
  @Allow(Permission.REPORTING_MANAGE)
  @Header('Content-Type', 'text/html; charset=utf-8')
  makeForm(@CurrentActor() actor: Actor): string {
    return this.pages.render('reporting/make', { title: 'Maandrapportages maken', nav: nav(actor, 'bewaren'), values: {} });
  }

  @Post('maken')
  @Allow(Permission.REPORTING_MANAGE)
  async make(@CurrentActor() actor: Actor, @Body() form: Record<string, unknown>, @Res() res: Response): Promise<void> {
    const month = typeof form.month === 'string' ? form.month.trim() : '';
    try {
      const { made } = await this.reports.makeOnRequest(actor, month);
      const notice = made === 0
        ? `De maandrapportages van ${monthName(month)} bestonden al; er is niets veranderd.`
        : `${made} maandrapportage(s) van ${monthName(month)} gemaakt.`;
      res.status(200).type('html').send(this.pages.render('reporting/make', { title: 'Maandrapportages maken', nav: nav(actor, 'bewaren'), values: {}, notice }));
    } catch (error) {
      const errors = pageErrors(fieldErrorsOf(error, { field: 'month' }), { month: 'Maand' });
      res.status(422).type('html').send(this.pages.render('reporting/make', { title: 'Maandrapportages maken', nav: nav(actor, 'bewaren'), values: { month }, errors }));
    }
  }

  @Get(':id')
  @Allow(Permission.REPORTING_READ)
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  async show(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<string> {
    const r = await this.reports.view(actor, id);
    return this.pages.render('reporting/monthly-report', {
      title: `Maandrapportage ${monthName(r.month)}`, nav: nav(actor, 'rapportages'),
      id: r.id, month: monthName(r.month), organisation: r.figures.organisation, madeAt: nlDateTime(r.madeAt), expiresAt: nlDateTime(r.expiresAt),
      sections: sectionsOf(r.figures),
    });
  }

  @Get(':id/xlsx')
  @Allow(Permission.REPORTING_READ)
  async xlsx(@CurrentActor() actor: Actor, @Param('id') id: string, @Res() res: Response): Promise<void> {
    await sendMonthlyFile(res, await this.reports.download(actor, id, 'xlsx'), 'xlsx');
  }

  @Get(':id/pdf')
  @Allow(Permission.REPORTING_READ)
  async pdf(@CurrentActor() actor: Actor, @Param('id') id: string, @Res() res: Response): Promise<void> {
    await sendMonthlyFile(res, await this.reports.download(actor, id, 'pdf'), 'pdf');
  }
}
