import { Body, Controller, Get, Headers, Param, PipeTransform, Put, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiProblems } from '../common/api-problems.decorator';
import { Actor } from '../kernel/actor';
import { Allow, CurrentActor, Permission } from '../kernel/access';
import { etag, parseIfMatch, parseReportNumber } from './report-access';
import { ReportAssignmentsService } from './report-assignments.service';
import { ReportQueries } from './report-queries';
import { AssignInput } from './report.dto';
import { AssignmentsView, OfficerView, SchoolChoice } from './report.view';

const reportNumber: PipeTransform<string, number> = { transform: parseReportNumber };
const ETAG = { ETag: { description: 'De versie van de melding, voor If-Match', schema: { type: 'string', example: '"3"' } } };

/**
 * The officer's workload: the lists the overview's school and officer filters choose from, and the assignment of a
 * report to an officer of the receiving organisation ("in behandeling bij"). Registered before the reports
 * controller, so that /reports/schools is not taken for a meldingsnummer.
 */
@ApiTags('Meldingen')
@ApiBearerAuth()
@Controller('api/v1')
export class WorkloadApiController {
  constructor(
    private readonly assignments: ReportAssignmentsService,
    private readonly queries: ReportQueries,
  ) {}

  @Get('reports/schools')
  @Allow(Permission.REPORT_READ)
  @ApiOperation({ summary: 'De scholen van wie de organisatie (als ontvanger) meldingen heeft, voor het filter school', description: 'Voor een school: een lege lijst.' })
  @ApiOkResponse({ type: [SchoolChoice] })
  @ApiProblems(401, 403)
  schools(@CurrentActor() actor: Actor): Promise<SchoolChoice[]> {
    return this.queries.schools(actor);
  }

  @Get('reports/officers')
  @Allow(Permission.REPORT_HANDLE)
  @ApiOperation({ summary: 'De behandelaars van de eigen organisatie: aan wie een melding kan worden toegewezen, en het filter assignedTo' })
  @ApiOkResponse({ type: [OfficerView] })
  @ApiProblems(401, 403)
  officers(@CurrentActor() actor: Actor): Promise<OfficerView[]> {
    return this.assignments.officers(actor);
  }

  @Get('reports/:number/assignment')
  @Allow(Permission.REPORT_HANDLE)
  @ApiOperation({ summary: 'In behandeling bij: de toewijzing van een melding en haar geschiedenis (alleen de ontvanger)' })
  @ApiOkResponse({ type: AssignmentsView, headers: ETAG })
  @ApiProblems(401, 403, 404)
  async get(@CurrentActor() actor: Actor, @Param('number', reportNumber) number: number, @Res({ passthrough: true }) res: Response): Promise<AssignmentsView> {
    const view = await this.assignments.get(actor, number);
    res.setHeader('ETag', etag(view.version));
    return view;
  }

  @Put('reports/:number/assignment')
  @Allow(Permission.REPORT_HANDLE)
  @ApiOperation({
    summary: 'Toewijzen aan een behandelaar van de ontvangende organisatie, opnieuw toewijzen of vrijgeven (userId null)',
    description: 'De school ziet de toewijzing niet, tenzij asContact de behandelaar ook contactpersoon maakt. Met If-Match: wie tegelijk toewijst, krijgt 412.',
  })
  @ApiHeader({ name: 'If-Match', required: false, description: 'ETag van de melding; bij verschil 412 en geen wijziging' })
  @ApiOkResponse({ type: AssignmentsView, headers: ETAG })
  @ApiProblems(400, 401, 403, 404, 409, 412, 422)
  async assign(
    @CurrentActor() actor: Actor, @Param('number', reportNumber) number: number, @Headers('if-match') ifMatch: string | undefined,
    @Body() input: AssignInput, @Res({ passthrough: true }) res: Response,
  ): Promise<AssignmentsView> {
    const view = await this.assignments.assign(actor, number, parseIfMatch(ifMatch), input);
    res.setHeader('ETag', etag(view.version));
    return view;
  }
}
