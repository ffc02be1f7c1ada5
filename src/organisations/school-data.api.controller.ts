import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Patch, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiProblems } from '../common/api-problems.decorator';
import { ErrorCode, ProblemError } from '../common/problem';
import { Actor } from '../kernel/actor';
import { Allow, CurrentActor, Permission } from '../kernel/access';
import { LocationChange, LocationInput, LocationView, ReporterChange, ReporterInput, ReporterView } from './organisation.dto';
import { SchoolDataService } from './school-data.service';
import { OrganisationType } from '../kernel/organisation-type';

function schoolOf(actor: Actor): string {
  if (actor.organisationType !== OrganisationType.SCHOOL) {
    throw new ProblemError(ErrorCode.FORBIDDEN, 'Alleen een school heeft locaties en melders.');
  }
  return actor.organisationId;
}

const uuid = new ParseUUIDPipe({ exceptionFactory: () => new ProblemError(ErrorCode.NOT_FOUND) });

@ApiTags('Locaties en melders (school)')
@ApiBearerAuth()
@Controller('api/v1')
export class SchoolDataApiController {
  constructor(private readonly schoolData: SchoolDataService) {}

  @Get('locations')
  @Allow(Permission.SCHOOL_DATA_READ)
  @ApiOperation({ summary: 'De locaties (vestigingen) van de eigen school' })
  @ApiOkResponse({ type: [LocationView] })
  @ApiProblems(401, 403)
  async listLocations(@CurrentActor() actor: Actor): Promise<LocationView[]> {
    return (await this.schoolData.listLocations(schoolOf(actor))).map((l) => LocationView.of(l, actor.organisationCode));
  }

  @Post('locations')
  @Allow(Permission.SCHOOL_DATA_MANAGE)
  @ApiOperation({ summary: 'Een locatie toevoegen' })
  @ApiCreatedResponse({ type: LocationView })
  @ApiProblems(400, 401, 403, 422)
  async addLocation(@CurrentActor() actor: Actor, @Body() input: LocationInput): Promise<LocationView> {
    return LocationView.of(await this.schoolData.addLocation(schoolOf(actor), input, actor), actor.organisationCode);
  }

  @Patch('locations/:id')
  @Allow(Permission.SCHOOL_DATA_MANAGE)
  @ApiOperation({ summary: 'Een locatie wijzigen, deactiveren (active: false) of weer activeren' })
  @ApiOkResponse({ type: LocationView })
  @ApiProblems(400, 401, 403, 404, 422)
  async changeLocation(@CurrentActor() actor: Actor, @Param('id', uuid) id: string, @Body() change: LocationChange): Promise<LocationView> {
    return LocationView.of(await this.schoolData.changeLocation(schoolOf(actor), id, change, actor), actor.organisationCode);
  }

  @Delete('locations/:id')
  @Allow(Permission.SCHOOL_DATA_MANAGE)
  @ApiOperation({ summary: 'Een locatie verwijderen; staat ze op een melding, dan wordt ze gedeactiveerd (200) in plaats van verwijderd (204)' })
  @ApiOkResponse({ type: LocationView, description: 'Gedeactiveerd: een melding noemt haar' })
  @ApiNoContentResponse({ description: 'Verwijderd' })
  @ApiProblems(401, 403, 404)
  async removeLocation(@CurrentActor() actor: Actor, @Param('id', uuid) id: string, @Res({ passthrough: true }) res: Response) {
    const kept = await this.schoolData.removeLocation(schoolOf(actor), id, actor);
    if (!kept) res.status(204);
    return kept ? LocationView.of(kept, actor.organisationCode) : undefined;
  }

  @Get('reporters')
  @Allow(Permission.SCHOOL_DATA_READ)
  @ApiOperation({ summary: 'De melders van de eigen school' })
  @ApiOkResponse({ type: [ReporterView] })
  @ApiProblems(401, 403)
  async listReporters(@CurrentActor() actor: Actor): Promise<ReporterView[]> {
    return (await this.schoolData.listReporters(schoolOf(actor))).map(ReporterView.of);
  }

  @Post('reporters')
  @Allow(Permission.SCHOOL_DATA_MANAGE)
  @ApiOperation({ summary: 'Een melder toevoegen' })
  @ApiCreatedResponse({ type: ReporterView })
  @ApiProblems(400, 401, 403, 422)
  async addReporter(@CurrentActor() actor: Actor, @Body() input: ReporterInput): Promise<ReporterView> {
    return ReporterView.of(await this.schoolData.addReporter(schoolOf(actor), input, actor));
  }

  @Patch('reporters/:id')
  @Allow(Permission.SCHOOL_DATA_MANAGE)
  @ApiOperation({ summary: 'Een melder wijzigen, deactiveren (active: false) of weer activeren' })
  @ApiOkResponse({ type: ReporterView })
  @ApiProblems(400, 401, 403, 404, 422)
  async changeReporter(@CurrentActor() actor: Actor, @Param('id', uuid) id: string, @Body() change: ReporterChange): Promise<ReporterView> {
    return ReporterView.of(await this.schoolData.changeReporter(schoolOf(actor), id, change, actor));
  }

  @Delete('reporters/:id')
  @Allow(Permission.SCHOOL_DATA_MANAGE)
  @ApiOperation({ summary: 'Een melder verwijderen; staat hij op een melding, dan wordt hij gedeactiveerd (200) in plaats van verwijderd (204)' })
  @ApiOkResponse({ type: ReporterView, description: 'Gedeactiveerd: een melding noemt hem' })
  @ApiNoContentResponse({ description: 'Verwijderd' })
  @ApiProblems(401, 403, 404)
  async removeReporter(@CurrentActor() actor: Actor, @Param('id', uuid) id: string, @Res({ passthrough: true }) res: Response) {
    const kept = await this.schoolData.removeReporter(schoolOf(actor), id, actor);
    if (!kept) res.status(204);
    return kept ? ReporterView.of(kept) : undefined;
  }
}
