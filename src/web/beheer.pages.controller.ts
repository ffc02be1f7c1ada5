import { Controller, Get, Header, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ErrorCode, ProblemError } from '../common/problem';
import { Allow, CurrentActor, Permission } from '../kernel/access';
import { Actor } from '../kernel/actor';
import { beheerLinks, nav } from './nav';
import { PageRenderer } from './page-renderer';
import { PortalFilter } from './portal.filter';

/** The /beheer index: the beheer pages the person may open, each owned by its capability. */
@ApiExcludeController()
@UseFilters(PortalFilter)
@Controller()
export class BeheerPagesController {
  constructor(private readonly pages: PageRenderer) {}

  @Get('beheer')
  @Allow(Permission.ORGANISATION_READ)
  @Header('Content-Type', 'text/html; charset=utf-8')
  index(@CurrentActor() actor: Actor): string {
    const links = beheerLinks(actor);
    if (links.length === 0) throw new ProblemError(ErrorCode.FORBIDDEN, 'U beheert niets in Verzuimloket.');
    return this.pages.render('beheer', { title: 'Beheer', nav: nav(actor, 'beheer'), links });
  }
}
