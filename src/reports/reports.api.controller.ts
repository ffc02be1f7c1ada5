import { Body, Controller, Get, Headers, HttpCode, Param, Patch, PipeTransform, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiProblems } from '../common/api-problems.decorator';
import { ErrorCode, ProblemError } from '../common/problem';
import { Actor } from '../kernel/actor';
import { Allow, CurrentActor, Permission } from '../kernel/access';
import { etag, parseIfMatch, parseReportNumber } from './report-access';
import { ReportEventsService } from './report-events.service';
import { ReportHandlingService } from './report-handling.service';
import {
  ChangeReportInput, ChangesQuery, CreateReportInput, ForwardInput, MessageInput, ReportQuery, ReportSearchInput, StatusChangeInput, WithdrawInput,
} from './report.dto';
import { ChangesPage, ForwardResult, HistoryEntryView, MessageView, ReportPage, ReportView } from './report.view';
import { ReportsService } from './reports.service';
import { Report } from './report.entity';
import { v1EventType } from './report-event.entity';
import { ReportQueries } from './report-queries';

/** A meldingsnummer in the path: a positive whole number in range, else 404 (it cannot name a report). */
const reportNumber: PipeTransform<string, number> = { transform: parseReportNumber };
const ETAG = { ETag: { description: 'De versie van de melding, voor If-Match', schema: { type: 'string', example: '"3"' } } };
const IF_MATCH = { name: 'If-Match', required: false, description: 'ETag van de melding; bij verschil 412 en geen wijziging' };

@ApiTags('Meldingen')
@ApiBearerAuth()
@Controller('api/v1')
export class ReportsApiController {
  constructor(
    private readonly reports: ReportsService,
    private readonly handling: ReportHandlingService,
    private readonly events: ReportEventsService,
    private readonly queries: ReportQueries,
  ) {}

  @Post('reports')
  @Allow(Permission.REPORT_CREATE)
  @ApiOperation({ summary: 'Een verzuimmelding doen', description: 'Routeert de melding naar woongemeente, regionaal bureau of RMC-regio en geeft het meldingsnummer en de ontvanger terug.' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Dezelfde sleutel met dezelfde inhoud geeft dezelfde melding terug (200 en Idempotent-Replayed: true), niet een tweede' })
  @ApiCreatedResponse({ type: ReportView, headers: { ...ETAG, Location: { description: 'Waar de melding staat', schema: { type: 'string', example: '/api/v1/reports/12' } } } })
  @ApiOkResponse({
    type: ReportView,
    description: 'Herhaling met dezelfde Idempotency-Key en dezelfde inhoud: de eerder gedane melding',
    headers: { ...ETAG, 'Idempotent-Replayed': { description: 'Altijd true', schema: { type: 'string', enum: ['true'] } } },
  })
  @ApiProblems(400, 401, 403, 413, 422)
  async file(
    @CurrentActor() actor: Actor,
    @Body() input: CreateReportInput,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ReportView> {
    const { report, replayed } = await this.reports.file(actor, input, key);
    res.status(replayed ? 200 : 201).setHeader('ETag', etag(report.version)).setHeader('Location', `/api/v1/reports/${report.number}`);
    if (replayed) res.setHeader('Idempotent-Replayed', 'true');
    return report;
  }

  @Get('reports')
  @Allow(Permission.REPORT_READ)
  @ApiOperation({ summary: 'Meldingen van de eigen organisatie (als school of als ontvanger), nieuwste eerst', description: 'Zoeken op PGN gaat via POST /api/v1/reports/search, zodat het nummer nooit in een URL staat.' })
  @ApiOkResponse({ type: ReportPage })
  @ApiProblems(401, 403, 422)
  list(@CurrentActor() actor: Actor, @Query() query: ReportQuery): Promise<ReportPage> {
    return this.queries.list(actor, query);
  }

  @Post('reports/search')
  @HttpCode(200)
  @Allow(Permission.REPORT_READ)
  @ApiOperation({ summary: 'Meldingen zoeken, ook op exact PGN (BSN of onderwijsnummer)' })
  @ApiOkResponse({ type: ReportPage })
  @ApiProblems(400, 401, 403, 422)
  search(@CurrentActor() actor: Actor, @Body() query: ReportSearchInput): Promise<ReportPage> {
    return this.queries.list(actor, query);
  }

  @Get('reports/:number')
  @Allow(Permission.REPORT_READ)
  @ApiOperation({ summary: 'Eén melding met alle velden en berichten; ETag is de versie' })
  @ApiOkResponse({ type: ReportView, headers: ETAG })
  @ApiProblems(401, 403, 404)
  async get(@CurrentActor() actor: Actor, @Param('number', reportNumber) number: number, @Res({ passthrough: true }) res: Response): Promise<ReportView> {
    const report = await this.reports.get(actor, number);
    res.setHeader('ETag', etag(report.version));
    return report;
  }

  @Get('reports/:number/history')
  @Allow(Permission.REPORT_READ)
  @ApiOperation({ summary: 'De volledige geschiedenis: wie wijzigde wat, wanneer, van wat naar wat' })
  @ApiOkResponse({ type: [HistoryEntryView] })
  @ApiProblems(401, 403, 404)
  async history(@CurrentActor() actor: Actor, @Param('number', reportNumber) number: number): Promise<HistoryEntryView[]> {
    // Version 1 names an attachment added or removed GEWIJZIGD (field `attachments`): see V1_EVENT_TYPES.
    return (await this.reports.history(actor, number)).map((h) => ({ ...h, type: v1EventType(h.type) }));
  }

  @Patch('reports/:number')
  @Allow(Permission.REPORT_UPDATE)
  @ApiOperation({ summary: 'Wijziging door de school, zolang de melding open is', description: 'Alleen de meegestuurde velden veranderen. If-Match is verplicht: een verouderde versie krijgt 412.' })
  @ApiHeader({ ...IF_MATCH, required: true })
  @ApiOkResponse({ type: ReportView, headers: ETAG })
  @ApiProblems(400, 401, 403, 404, 409, 412, 422, 428)
  async change(
    @CurrentActor() actor: Actor,
    @Param('number', reportNumber) number: number,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() input: ChangeReportInput,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ReportView> {
    const version = parseIfMatch(ifMatch);
    if (version === undefined) throw new ProblemError(ErrorCode.PRECONDITION_REQUIRED, 'Stuur If-Match mee met de ETag van de melding die u wijzigt.');
    const report = await this.reports.change(actor, number, version, input);
    res.setHeader('ETag', etag(report.version));
    return report;
  }

  @Post('reports/:number/status')
  @HttpCode(200)
  @Allow(Permission.REPORT_HANDLE)
  @ApiOperation({ summary: 'Status zetten door de ontvanger: in behandeling, afsluiten met reden en toelichting, ter kennisneming aannemen, heropenen' })
  @ApiHeader(IF_MATCH)
  @ApiBody({ type: StatusChangeInput })
  @ApiOkResponse({ type: ReportView, headers: ETAG })
  @ApiProblems(400, 401, 403, 404, 409, 412, 422)
  async setStatus(
    @CurrentActor() actor: Actor, @Param('number', reportNumber) number: number, @Headers('if-match') ifMatch: string | undefined,
    @Body() input: StatusChangeInput, @Res({ passthrough: true }) res: Response,
  ): Promise<ReportView> {
    return this.answer(await this.handling.setStatus(actor, number, parseIfMatch(ifMatch), input), res);
  }

  @Post('reports/:number/forward')
  @HttpCode(200)
  @Allow(Permission.REPORT_HANDLE)
  @ApiOperation({ summary: 'Doorsturen naar een andere ontvanger (de leerling is verhuisd); de school ziet waarheen' })
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: ForwardResult, description: 'Waar de melding nu ligt; de doorsturende organisatie ziet haar daarna niet meer' })
  @ApiProblems(400, 401, 403, 404, 409, 412, 422)
  async forward(
    @CurrentActor() actor: Actor, @Param('number', reportNumber) number: number, @Headers('if-match') ifMatch: string | undefined,
    @Body() input: ForwardInput,
  ): Promise<ForwardResult> {
    const forwardedTo = await this.handling.forward(actor, number, parseIfMatch(ifMatch), input);
    return { number, forwardedTo };
  }

  @Post('reports/:number/withdraw')
  @HttpCode(200)
  @Allow(Permission.REPORT_WITHDRAW)
  @ApiOperation({ summary: 'Intrekken door de school, zolang de melding niet is afgesloten' })
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: ReportView, headers: ETAG })
  @ApiProblems(400, 401, 403, 404, 409, 412, 422)
  async withdraw(
    @CurrentActor() actor: Actor, @Param('number', reportNumber) number: number, @Headers('if-match') ifMatch: string | undefined,
    @Body() input: WithdrawInput, @Res({ passthrough: true }) res: Response,
  ): Promise<ReportView> {
    return this.answer(await this.handling.withdraw(actor, number, parseIfMatch(ifMatch), input), res);
  }

  @Post('reports/:number/messages')
  @Allow(Permission.REPORT_MESSAGE)
  @ApiOperation({ summary: 'Een bericht: terugmelding van de ontvanger of antwoord van de school' })
  @ApiCreatedResponse({ type: MessageView })
  @ApiProblems(400, 401, 403, 404, 422)
  async addMessage(@CurrentActor() actor: Actor, @Param('number', reportNumber) number: number, @Body() input: MessageInput): Promise<MessageView> {
    return MessageView.of(await this.handling.addMessage(actor, number, input));
  }

  @Get('changes')
  @Allow(Permission.REPORT_READ)
  @ApiOperation({
    summary: 'Wijzigingen sinds een cursor, op volgorde',
    description: 'Voor systemen die pollen (zoals DUO\'s "gewijzigde meldingen"): hervat met nextCursor; geen gaten, geen herhalingen. Alleen meldingen die de organisatie nu mag zien.',
  })
  @ApiOkResponse({ type: ChangesPage })
  @ApiProblems(401, 403, 422)
  changes(@CurrentActor() actor: Actor, @Query() query: ChangesQuery): Promise<ChangesPage> {
    return this.events.changes(actor, query.after, query.limit ?? 100);
  }

  /** The report as the change wrote it (not read again), with its new version as ETag. */
  private async answer(report: Report, res: Response): Promise<ReportView> {
    res.setHeader('ETag', etag(report.version));
    return this.reports.view(report);
  }
}
