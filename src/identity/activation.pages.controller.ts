import { Body, Controller, Get, Header, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { FieldCode, FieldError, ProblemError } from '../common/problem';
import { ActivationService, Enrolment } from './activation.service';
import { Public } from '../kernel/access';
import { SignInAttempt } from './rate-limit';
import { clientIp } from './cookies';
import { otpauthUri, qrCodeSvg } from './credentials/totp';
import { TokenKind } from './user.entity';
import { pageErrors } from '../web/forms';
import { PageRenderer } from '../web/page-renderer';
import { PortalFilter } from '../web/portal.filter';

const LABELS = { password: 'Wachtwoord', code: 'Code', activationCode: 'Activeringscode' };
const NOT_VALID = 'Deze activering bestaat niet, is al gebruikt of is verlopen. Vraag uw beheerder om een nieuwe.';

/**
 * Activating an account in the browser: from the e-mailed link (or the letter's code) to a password, the token
 * enrolled by scanning the QR code (or the hardware token), and a first code. The same service as the API.
 */
@ApiExcludeController()
@UseFilters(PortalFilter)
@Controller('activeren')
export class ActivationPagesController {
  constructor(
    private readonly pages: PageRenderer,
    private readonly activation: ActivationService,
  ) {}

  /** The e-mailed link. The page keeps the code in a hidden field; its address is not passed on as referrer. */
  @Get()
  @Public()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Referrer-Policy', 'no-referrer')
  @Header('Cache-Control', 'no-store')
  async page(@Query('code') code: string | undefined): Promise<string> {
    return this.step1(code);
  }

  /** The code from a letter, typed in. */
  @Post('code')
  @Public()
  @SignInAttempt()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  async letter(@Body() form: Record<string, string>): Promise<string> {
    return this.step1(form.activationCode, true);
  }

  @Post()
  @Public()
  @SignInAttempt()
  @Header('Cache-Control', 'no-store')
  async password(@Body() form: Record<string, string>, @Req() req: Request, @Res() res: Response): Promise<void> {
    try {
      const enrolment = await this.activation.start(String(form.activationCode ?? ''), String(form.password ?? ''), clientIp(req));
      res.type('html').send(this.pages.render('identity/activate-token', { title: 'Token koppelen', activationCode: form.activationCode, enrolment }));
    } catch (error) {
      res.status(422).type('html').send(await this.step1(form.activationCode, false, errorsOf(error, 'password')));
    }
  }

  @Post('bevestigen')
  @Public()
  @SignInAttempt()
  @Header('Cache-Control', 'no-store')
  async confirm(@Body() form: Record<string, string>, @Req() req: Request, @Res() res: Response): Promise<void> {
    try {
      const result = await this.activation.confirm(String(form.activationCode ?? ''), String(form.code ?? '').replace(/\s/g, ''), clientIp(req));
      res.type('html').send(this.pages.render('identity/activate-done', { title: 'Account actief', username: result.username }));
    } catch (error) {
      const errors = errorsOf(error, 'code');
      const inspected = await this.activation.inspect(String(form.activationCode ?? '')).catch(() => null);
      if (!inspected) {
        res.status(422).type('html').send(await this.step1(undefined, false, errors));
        return;
      }
      // The same enrolment again (the secret did not change), so that the person can try the next code.
      const uri = form.secret ? otpauthUri(form.secret, inspected.username) : null;
      const enrolment: Enrolment = uri
        ? { username: inspected.username, token: TokenKind.APP, secret: form.secret, otpauthUri: uri, qrSvg: await qrCodeSvg(uri) }
        : { username: inspected.username, token: TokenKind.HARDWARE, serial: form.serial };
      res.status(422).type('html').send(this.pages.render('identity/activate-token', { title: 'Token koppelen', activationCode: form.activationCode, enrolment, errors }));
    }
  }

  private async step1(code: string | undefined, typed = false, errors: FieldError[] = []): Promise<string> {
    const account = code ? await this.activation.inspect(code).catch(() => null) : null;
    const problems = code && !account && (typed || errors.length === 0) ? [{ field: 'activationCode', code: FieldCode.NOT_ALLOWED_VALUE, message: `Activeringscode: ${NOT_VALID}` }] : errors;
    return this.pages.render('identity/activate', { title: 'Account activeren', account, activationCode: account ? code : undefined, errors: problems });
  }
}

function errorsOf(error: unknown, field: string): FieldError[] {
  if (!(error instanceof ProblemError)) throw error;
  if (error.errors?.length) return pageErrors(error.errors, LABELS);
  return [{ field, code: FieldCode.NOT_ALLOWED_VALUE, message: `${LABELS[field as keyof typeof LABELS]}: ${error.detail ?? NOT_VALID}` }];
}
