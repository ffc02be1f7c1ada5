import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { clock } from '../common/clock';
import { ApiProblems } from '../common/api-problems.decorator';
import { Allow, CurrentActor, Permission } from '../kernel/access';
import { Actor } from '../kernel/actor';
import { AnnualFigures } from './annual-figures';
import { annualReportXlsx } from './annual-report-files';
import { AnnualReportView } from './annual-report.view';
import { AnnualReportsService } from './annual-reports.service';
import { XLSX } from './monthly-reports.api.controller';

/** Sends a jaaropgave as .xlsx; the service has audited the download. */
export async function sendAnnualXlsx(res: Response, f: AnnualFigures): Promise<void> {
  const body = await annualReportXlsx(f, clock.now());
  res.set({
    'Content-Type': XLSX,
    'Content-Disposition': `attachment; filename="jaaropgave-${f.organisation.code}-${f.schoolYear}.xlsx"`,
    'Cache-Control': 'no-store',
  }).send(body);
}

const SCHOOL_YEAR = { name: 'schoolYear', example: '2025-2026', description: 'Schooljaar (1 augustus - 31 juli), niet later dan het lopende', schema: { type: 'string', pattern: '^\\d{4}-\\d{4}$' } } as const;

@ApiTags('Rapportages')
@ApiBearerAuth()
@Controller('api/v1/annual-reports')
export class AnnualReportsApiController {
  constructor(private readonly annual: AnnualReportsService) {}

  @Get(':schoolYear')
  @Allow(Permission.REPORTING_READ)
  @ApiOperation({
    summary: 'De jaaropgave (Leerplichtwet art. 25) van de eigen organisatie voor een schooljaar',
    description: 'Voor een gemeente, regionaal bureau leerplicht of RMC-regio: aantallen meldingen van het schooljaar, geen leerlinggegevens. '
      + 'Berekend uit het register en de vernietigingsverklaringen, zodat vernietigen een afgelopen jaar niet verandert; het lopende jaar telt tot en met vandaag (through). '
      + 'Een school krijgt 403. Elke opvraging staat in het auditlog.',
  })
  @ApiParam(SCHOOL_YEAR)
  @ApiOkResponse({ type: AnnualReportView })
  @ApiProblems(401, 403, 404)
  async get(@CurrentActor() actor: Actor, @Param('schoolYear') schoolYear: string): Promise<AnnualReportView> {
    return this.annual.download(actor, schoolYear, 'json');
  }

  @Get(':schoolYear/xlsx')
  @Allow(Permission.REPORTING_READ)
  @ApiOperation({ summary: 'De jaaropgave als Excel-bestand (.xlsx); de download staat in het auditlog' })
  @ApiParam(SCHOOL_YEAR)
  @ApiOkResponse({ content: { [XLSX]: { schema: { type: 'string', format: 'binary' } } }, description: 'Het bestand' })
  @ApiProblems(401, 403, 404)
  async xlsx(@CurrentActor() actor: Actor, @Param('schoolYear') schoolYear: string, @Res() res: Response): Promise<void> {
    await sendAnnualXlsx(res, await this.annual.download(actor, schoolYear, 'xlsx'));
  }
}
