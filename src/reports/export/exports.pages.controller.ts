import { Controller, Get, Param, Query, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Allow, CurrentActor, Permission } from '../../kernel/access';
import { Actor } from '../../kernel/actor';
import { validateAs } from '../../web/forms';
import { PortalFilter } from '../../web/portal.filter';
import { parseReportNumber } from '../report-access';
import { ReportExportQuery } from './export.dto';
import { ReportExportsService } from './report-exports.service';
import { ReportPdfService } from './report-pdf.service';
import { sendExport, sendPdf } from './send-file';

/** The overview's filters that an export takes over from the page's address. */
const FILTERS = ['status', 'kind', 'location', 'reporterId', 'number', 'from', 'to'] as const;

/** The overview's "download everything" links and the report page's PDF; the ticked selection posts to /meldingen/selectie. */
@ApiExcludeController()
@UseFilters(PortalFilter)
@Controller()
export class ExportsPagesController {
  constructor(private readonly exports: ReportExportsService, private readonly pdfs: ReportPdfService) {}

  /**
   * Every report matching the overview's filters. Filters that are not right go back to the overview, which names
   * what is wrong with them beside the field (the same checks: the API's DTO).
   */
  @Get('meldingen/export')
  @Allow(Permission.REPORT_READ)
  async export(@CurrentActor() actor: Actor, @Query() query: Record<string, unknown>, @Res() res: Response): Promise<void> {
    const filters: Record<string, string> = Object.create(null);
    for (const key of FILTERS) {
      const value = typeof query[key] === 'string' ? (query[key] as string).trim() : '';
      if (value) filters[key] = key === 'location' ? value.toUpperCase() : value;
    }
    const { input } = await validateAs(ReportExportQuery, { ...filters, format: query.formaat === 'csv' ? 'csv' : 'xlsx' });
    if (!input) {
      res.redirect(303, `/meldingen?${new URLSearchParams(filters)}`);
      return;
    }
    const { format, ...rest } = input;
    await sendExport(res, await this.exports.prepare(actor, { filters: rest }, format));
  }

  @Get('meldingen/:number/pdf')
  @Allow(Permission.REPORT_READ)
  async pdf(@CurrentActor() actor: Actor, @Param('number') number: string, @Res() res: Response): Promise<void> {
    await sendPdf(res, await this.pdfs.render(actor, parseReportNumber(number)));
  }
}
