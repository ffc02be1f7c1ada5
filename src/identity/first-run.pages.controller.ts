import { Body, Controller, Get, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { FieldCode, FieldError } from '../common/problem';
import { Public } from '../kernel/access';
import { ActivationService } from './activation.service';
import { clientIp } from './cookies';
import { FirstRunClosed, FirstRunService } from './first-run.service';
import { AppointInput } from './identity.dto';
import { SignInAttempt } from './rate-limit';
import { fieldErrorsOf, pageErrors, validateAs } from '../web/forms';
import { PageRenderer } from '../web/page-renderer';
import { PortalFilter } from '../web/portal.filter';

const LABELS = { name: 'Naam', username: 'Gebruikersnaam', email: 'E-mailadres', password: 'Wachtwoord', algemeen: 'Inrichten' };

/**
 * The first start in the browser (ADR 0012): the link from the log opens a form for the first operator; the
 * activation's own pages take over for the token (QR code, first code). Whatever the link, when an operator exists
 * the answer is the same "al ingericht" page; a link that does not work gets one page too. Both are 404, never 500.
 */
@ApiExcludeController()
@UseFilters(PortalFilter)
@Controller('eerste-start')
export class FirstRunPagesController {
  constructor(
    private readonly pages: PageRenderer,
    private readonly firstRun: FirstRunService,
    private readonly activation: ActivationService,
  ) {}

  @Get(':token')
  @Public()
  async page(@Param('token') token: string, @Res() res: Response): Promise<void> {
    // The address holds the token: it is not passed on to any other page as referrer.
    res.setHeader('Referrer-Policy', 'no-referrer');
    const state = await this.firstRun.state(token);
    if (state.kind === 'OPEN') {
      res.type('html').send(this.form(token, {}, []));
    } else if (state.kind === 'RESUME') {
      // The account was made with this link and waits for its token: the activation page, which goes on where it was left.
      const account = await this.activation.inspect(token);
      res.type('html').send(this.pages.render('identity/activate', { title: 'Account activeren', account, activationCode: token, errors: [] }));
    } else {
      this.closed(res, state.kind === 'SET_UP');
    }
  }

  @Post(':token')
  @Public()
  @SignInAttempt()
  async create(@Param('token') token: string, @Body() form: Record<string, unknown>, @Req() req: Request, @Res() res: Response): Promise<void> {
    res.setHeader('Referrer-Policy', 'no-referrer');
    const values = { name: text(form.name), username: text(form.username), email: text(form.email) };
    const { input, errors } = await validateAs(AppointInput, values);
    const password = text(form.password);
    let problems: FieldError[] = errors;
    if (input) {
      try {
        const enrolment = await this.firstRun.begin(token, input, password, clientIp(req));
        res.status(200).type('html').send(this.pages.render('identity/activate-token', { title: 'Token koppelen', activationCode: token, enrolment }));
        return;
      } catch (error) {
        if (error instanceof FirstRunClosed) return this.closed(res, error.setUp);
        problems = fieldErrorsOf(error);
      }
    } else if (!password) {
      problems = [...problems, { field: 'password', code: FieldCode.REQUIRED, message: 'password: kies een wachtwoord' }];
    }
    res.status(422).type('html').send(this.form(token, values, pageErrors(problems, LABELS)));
  }

  private form(token: string, values: Record<string, string>, errors: FieldError[]): string {
    return this.pages.render('identity/first-run', { title: 'Verzuimloket inrichten', token, values, errors });
  }

  private closed(res: Response, setUp: boolean): void {
    res.status(404).type('html').send(this.pages.render('identity/first-run-closed', { title: setUp ? 'Verzuimloket is al ingericht' : 'Deze link werkt niet (meer)', setUp }));
  }
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
