import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../common/api-problems.decorator';
import { Actor } from '../kernel/actor';
import { Allow, CurrentActor, Permission } from '../kernel/access';
import { AuditQuery } from './audit.dto';
import { AUDIT_ACTIONS_V1 } from './audit-event.entity';
import { AuditService } from './audit.service';
import { AuditPage } from './audit.view';

@ApiTags('Auditlog')
@ApiBearerAuth()
@Controller('api/v1/audit')
export class AuditApiController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Allow(Permission.AUDIT_READ)
  @ApiOperation({
    summary: 'Het auditlog van de eigen organisatie, nieuwste eerst',
    description:
      'Voor de beheerder: wie bekeek of wijzigde een melding (subjectType=REPORT&subjectId=12), wat deed een persoon of sleutel (actorId), ' +
      'aanmeldingen en mislukte pogingen (action, outcome), per periode (from, to). Vervolgpagina met after=nextCursor. Ook deze opvraging wordt gelogd.',
  })
  @ApiOkResponse({ type: AuditPage })
  @ApiProblems(401, 403, 422)
  list(@CurrentActor() actor: Actor, @Query() query: AuditQuery): Promise<AuditPage> {
    return this.audit.search(actor, query, AUDIT_ACTIONS_V1);
  }
}
