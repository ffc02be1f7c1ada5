import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../common/api-problems.decorator';
import { notFound } from '../common/problem';
import { Allow, Permission } from '../kernel/access';
import { OrganisationQuery, OrganisationView } from './organisation.dto';
import { OrganisationsService } from './organisations.service';

@ApiTags('Organisaties')
@ApiBearerAuth()
@Controller('api/v1/organisations')
export class OrganisationsApiController {
  constructor(private readonly organisations: OrganisationsService) {}

  @Get()
  @Allow(Permission.ORGANISATION_READ)
  @ApiOperation({ summary: 'Organisaties: gemeenten, RMC-regio\'s, regionale bureaus, scholen (bijv. om een doorstuur-ontvanger te kiezen)' })
  @ApiOkResponse({ type: [OrganisationView] })
  @ApiProblems(401, 403, 422)
  async list(@Query() query: OrganisationQuery): Promise<OrganisationView[]> {
    const { organisations, codes } = await this.organisations.list(query.type);
    return organisations.map((o) => OrganisationView.of(o, codes));
  }

  @Get(':code')
  @Allow(Permission.ORGANISATION_READ)
  @ApiOperation({ summary: 'Eén organisatie op code' })
  @ApiOkResponse({ type: OrganisationView })
  @ApiProblems(401, 403, 404)
  async get(@Param('code') code: string): Promise<OrganisationView> {
    const org = await this.organisations.findByCode(code);
    if (!org) throw notFound('Deze organisatie bestaat niet.');
    return OrganisationView.of(org, await this.organisations.codesOf([org]));
  }
}
