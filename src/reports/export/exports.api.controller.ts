import { Body, Controller, Get, HttpCode, Param, PipeTransform, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiProblems } from '../../common/api-problems.decorator';
import { Allow, CurrentActor, Permission } from '../../kernel/access';
import { Actor } from '../../kernel/actor';
import { parseReportNumber } from '../report-access';
import { ReportExportQuery, ReportSelectionExportInput } from './export.dto';
import { CONTENT_TYPES } from './export-writers';
import { ReportExportsService } from './report-exports.service';
import { ReportPdfService } from './report-pdf.service';
import { sendExport, sendPdf } from './send-file';

const reportNumber: PipeTransform<string, number> = { transform: parseReportNumber };
const BINARY = { schema: { type: 'string', format: 'binary' } };
const DISPOSITION = { 'Content-Disposition': { description: 'attachment; filename="meldingen-JJJJ-MM-DD.xlsx"', schema: { type: 'string' } } };
const FILE = {
  description: 'Het bestand: een werkblad met een kopregel (vastgezet, met filter), echte datums en getallen; of CSV (UTF-8 met BOM, puntkomma\'s, formules onschadelijk gemaakt). Kolommen: meldingsnummer, status, soort, BSN of onderwijsnummer, leerling, geboortedatum, school, vestigingscode, vestiging, ontvanger, gemeld op, eerste en laatste dag, dagen en lesuren gemist, reden en toelichting bij afsluiten, laatst gewijzigd.',
  headers: { ...DISPOSITION, 'X-Total-Count': { description: 'Aantal meldingen in het bestand', schema: { type: 'string', example: '120' } } },
  content: { [CONTENT_TYPES.xlsx]: BINARY, 'text/csv': BINARY },
};

/** The overview as .xlsx or CSV, and one report as PDF for the archive. */
@ApiTags('Meldingen')
@ApiBearerAuth()
@Controller('api/v1')
export class ExportsApiController {
  constructor(private readonly exports: ReportExportsService, private readonly pdfs: ReportPdfService) {}

  @Get('reports/export')
  @Allow(Permission.REPORT_READ)
  @ApiOperation({
    summary: 'Alle meldingen die aan de filters voldoen als Excel-bestand (.xlsx) of CSV',
    description: 'Met de filters van GET /reports, zonder pagina\'s: het hele overzicht (hoogstens twee jaar terug), nieuwste eerst. De export komt met filter en aantal in het auditlog.',
  })
  @ApiProduces(CONTENT_TYPES.xlsx, 'text/csv')
  @ApiOkResponse(FILE)
  @ApiProblems(401, 403, 422)
  async export(@CurrentActor() actor: Actor, @Query() query: ReportExportQuery, @Res() res: Response): Promise<void> {
    const { format, ...filters } = query;
    await sendExport(res, await this.exports.prepare(actor, { filters }, format));
  }

  @Post('reports/export')
  @HttpCode(200)
  @Allow(Permission.REPORT_READ)
  @ApiOperation({
    summary: 'Aangevinkte meldingen als Excel-bestand (.xlsx) of CSV',
    description: 'De nummers staan in de inhoud, niet in de URL. Een nummer dat de organisatie niet (meer) ziet, komt niet in het bestand; X-Total-Count zegt hoeveel er wel in staan.',
  })
  @ApiProduces(CONTENT_TYPES.xlsx, 'text/csv')
  @ApiOkResponse(FILE)
  @ApiProblems(400, 401, 403, 422)
  async exportSelection(@CurrentActor() actor: Actor, @Body() input: ReportSelectionExportInput, @Res() res: Response): Promise<void> {
    await sendExport(res, await this.exports.prepare(actor, { numbers: input.numbers }, input.format));
  }

  @Get('reports/:number/pdf')
  @Allow(Permission.REPORT_READ)
  @ApiOperation({ summary: 'Eén melding als PDF voor het digitaal archief: alle velden, berichten, geschiedenis en bijlagen; het lezen komt in het auditlog' })
  @ApiProduces('application/pdf')
  @ApiOkResponse({
    description: 'De PDF (tekst, geen afbeelding), met meldingsnummer en datum op elke pagina',
    headers: { 'Content-Disposition': { description: 'attachment; filename="melding-12.pdf"', schema: { type: 'string' } } },
    content: { 'application/pdf': BINARY },
  })
  @ApiProblems(401, 403, 404)
  async pdf(@CurrentActor() actor: Actor, @Param('number', reportNumber) number: number, @Res() res: Response): Promise<void> {
    await sendPdf(res, await this.pdfs.render(actor, number));
  }
}
