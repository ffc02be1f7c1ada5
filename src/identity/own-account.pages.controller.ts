import { Body, Controller, Get, Header, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { FieldError } from '../common/problem';
import { Allow, CurrentActor, Permission } from '../kernel/access';
import { Actor } from '../kernel/actor';
import { fieldErrorsOf, pageErrors } from '../web/forms';
import { nav } from '../web/nav';
import { PageRenderer } from '../web/page-renderer';
import { PortalFilter } from '../web/portal.filter';
import { clientIp } from './cookies';
import { OwnPasswordService } from './own-password.service';

const LABELS: Record<string, string> = { current: 'Huidig wachtwoord', password: 'Nieuw wachtwoord' };

/** A person's own account: changing their password (the current one required; other sessions end). */
@ApiExcludeController()
@UseFilters(PortalFilter)
@Controller('instellingen/wachtwoord')
export class OwnAccountPagesController {
  constructor(
    private readonly pages: PageRenderer,
    private readonly passwords: OwnPasswordService,
  ) {}

  @Get()
  @Allow(Permission.NOTIFICATION_SELF)
  @Header('Content-Type', 'text/html; charset=utf-8')
  page(@CurrentActor() actor: Actor, @Query('gedaan') done: string | undefined): string {
    return this.render(actor, [], done === 'gewijzigd' ? 'Uw wachtwoord is gewijzigd. Waar u verder nog was aangemeld, bent u afgemeld.' : undefined);
  }

  @Post()
  @Allow(Permission.NOTIFICATION_SELF)
  async change(@CurrentActor() actor: Actor, @Body() form: Record<string, unknown>, @Req() req: Request, @Res() res: Response): Promise<void> {
    try {
      await this.passwords.change(actor, typeof form.current === 'string' ? form.current : '', typeof form.password === 'string' ? form.password : '', clientIp(req));
      res.redirect(303, '/instellingen/wachtwoord?gedaan=gewijzigd');
    } catch (error) {
      // A password is never shown back: the page comes again with empty fields and the errors.
      res.status(422).type('html').send(this.render(actor, pageErrors(fieldErrorsOf(error), LABELS)));
    }
  }

  private render(actor: Actor, errors: FieldError[], notice?: string): string {
    return this.pages.render('identity/password', { title: 'Wachtwoord wijzigen', nav: nav(actor, 'instellingen'), errors, notice, values: {} });
  }
}
