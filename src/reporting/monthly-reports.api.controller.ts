import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiProblems } from '../common/api-problems.decorator';
import { Allow, CurrentActor, Permission } from '../kernel/access';
import { Actor } from '../kernel/actor';
import { monthlyReportPdf, monthlyReportXlsx } from './monthly-report-files';
import { MonthlyReportView } from './monthly-report.view';
import { DownloadFormat, MonthlyReportsService } from './monthly-reports.service';

export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Sends a monthly report as a file; the service has audited the download. */
export async function sendMonthlyFile(res: Response, report: Parameters<typeof monthlyReportXlsx>[0], format: DownloadFormat): Promise<void> {
  const body = format === 'xlsx' ? await monthlyReportXlsx(report) : await monthlyReportPdf(report);
  res.set({
    'Content-Type': format === 'xlsx' ? XLSX : 'application/pdf',
    'Content-Disposition': `attachment; filename="maandrapportage-${report.figures.organisation.code}-${report.month}.${format}"`,
    'Cache-Control': 'no-store',
  }).send(body);
}

@ApiTags('Rapportages')
@ApiBearerAuth()
@Controller('api/v1/monthly-reports')
export class MonthlyReportsApiController {
  constructor(private readonly reports: MonthlyReportsService) {}

  @Get()
  @Allow(Permission.REPORTING_READ)
  @ApiOperation({
    summary: 'De maandrapportages van de eigen organisatie, nieuwste maand eerst',
    description: 'Op de eerste van elke maand gemaakt voor de maand ervoor; verwijderd na drie maanden (expiresAt). Aantallen, geen leerlinggegevens.',
  })
  @ApiOkResponse({ type: [MonthlyReportView] })
  @ApiProblems(401, 403)
  async list(@CurrentActor() actor: Actor): Promise<MonthlyReportView[]> {
    return (await this.reports.list(actor)).map((r) => MonthlyReportView.of(r));
  }

  @Get(':id/xlsx')
  @Allow(Permission.REPORTING_READ)
  @ApiOperation({ summary: 'Een maandrapportage als Excel-bestand (.xlsx); de download staat in het auditlog' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ content: { [XLSX]: { schema: { type: 'string', format: 'binary' } } }, description: 'Het bestand' })
  @ApiProblems(401, 403, 404)
  async xlsx(@CurrentActor() actor: Actor, @Param('id') id: string, @Res() res: Response): Promise<void> {
    await sendMonthlyFile(res, await this.reports.download(actor, id, 'xlsx'), 'xlsx');
  }

  @Get(':id/pdf')
  @Allow(Permission.REPORTING_READ)
  @ApiOperation({ summary: 'Een maandrapportage als PDF; de download staat in het auditlog' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } }, description: 'Het bestand' })
  @ApiProblems(401, 403, 404)
  async pdf(@CurrentActor() actor: Actor, @Param('id') id: string, @Res() res: Response): Promise<void> {
    await sendMonthlyFile(res, await this.reports.download(actor, id, 'pdf'), 'pdf');
  }
}
