import { Body, Controller, Get, Header, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ErrorCode, FieldCode, ProblemError } from '../common/problem';
import { randomBytes } from 'node:crypto';
import { sameToken } from './access.guard';
import { Public } from '../kernel/access';
import { SignInAttempt } from './rate-limit';
import { clientIp, readCookie } from './cookies';
import { SessionStage } from './session.entity';
import { SessionsService } from './sessions.service';
import { SignInService } from './sign-in.service';
import { localPath } from '../web/forms';
import { PageRenderer } from '../web/page-renderer';
import { PortalFilter } from '../web/portal.filter';

const REFUSED = 'Aanmelden is niet gelukt: gebruikersnaam, wachtwoord of code klopt niet, of er waren te veel pogingen. Probeer het later opnieuw.';

/** Signing in (two steps) and out in the browser; the same service, throttling and audit as the API. */
@ApiExcludeController()
@UseFilters(PortalFilter)
@Controller()
export class SignInPagesController {
  constructor(
    private readonly pages: PageRenderer,
    private readonly signIn: SignInService,
    private readonly sessions: SessionsService,
  ) {}

  @Get('aanmelden')
  @Public()
  @Header('Content-Type', 'text/html; charset=utf-8')
  page(@Query('terug') terug: string | undefined, @Query('verlopen') expired: string | undefined, @Req() req: Request, @Res({ passthrough: true }) res: Response): string {
    // Set by the portal's filter when a session ran out: on opening a page ('1'), on sending a form that could not be
    // kept ('formulier'), or on sending a form that was kept ('bewaard': it fills the form again after signing in).
    return this.pages.render('identity/sign-in', {
      title: 'Aanmelden', terug: localPath(terug), expired: expired === '1' || expired === 'formulier', formLost: expired === 'formulier', formKept: expired === 'bewaard',
      formToken: this.formToken(req, res),
    });
  }

  @Post('aanmelden')
  @Public()
  @SignInAttempt()
  async password(@Body() form: Record<string, string>, @Req() req: Request, @Res() res: Response): Promise<void> {
    const terug = localPath(form.terug);
    // The form must come from a page of ours in this browser (login CSRF: another site signing the browser in).
    if (!sameToken(form._form, readCookie(req, this.sessions.formCookieName) ?? '')) {
      res.status(403).type('html').send(this.pages.render('identity/sign-in', {
        title: 'Aanmelden', terug, formToken: this.formToken(req, res, true),
        errors: [{ field: 'username', code: FieldCode.NOT_ALLOWED_VALUE, message: 'Het aanmeldformulier was verlopen. Vul het opnieuw in.' }],
      }));
      return;
    }
    const missing = [
      ...(form.username?.trim() ? [] : [{ field: 'username', code: FieldCode.REQUIRED, message: 'Gebruikersnaam: vul uw gebruikersnaam in' }]),
      ...(form.password ? [] : [{ field: 'password', code: FieldCode.REQUIRED, message: 'Wachtwoord: vul uw wachtwoord in' }]),
    ];
    const outcome = missing.length === 0 ? await this.signIn.password(form.username, form.password, clientIp(req)).catch(refusedAsNull) : null;
    if (!outcome?.ok) {
      const errors = missing.length > 0 ? missing : [{ field: 'username', code: FieldCode.NOT_ALLOWED_VALUE, message: REFUSED }];
      res.status(missing.length > 0 ? 422 : 401).type('html').send(this.pages.render('identity/sign-in', {
        title: 'Aanmelden', terug, errors, values: { username: form.username }, formToken: this.formToken(req, res),
      }));
      return;
    }
    res.cookie(this.sessions.cookieName, outcome.opened.token, this.sessions.cookieOptions());
    res.redirect(303, `/aanmelden/code?terug=${encodeURIComponent(terug)}`);
  }

  @Get('aanmelden/code')
  @Public()
  async codePage(@Query('terug') terug: string | undefined, @Req() req: Request, @Res() res: Response): Promise<void> {
    const pending = await this.sessions.find(readCookie(req, this.sessions.cookieName), SessionStage.PASSWORD);
    if (!pending) {
      res.redirect(303, `/aanmelden?terug=${encodeURIComponent(localPath(terug))}`);
      return;
    }
    res.type('html').send(this.pages.render('identity/sign-in-code', { title: 'Aanmelden: code', terug: localPath(terug), csrf: pending.session.csrfToken }));
  }

  @Post('aanmelden/code')
  @Public()
  @SignInAttempt()
  async code(@Body() form: Record<string, string>, @Req() req: Request, @Res() res: Response): Promise<void> {
    const terug = localPath(form.terug);
    const code = String(form.code ?? '').replace(/\s/g, '');
    const token = readCookie(req, this.sessions.cookieName);
    // The code form carries the token of the sign-in it belongs to: another site cannot finish a sign-in it started.
    const started = await this.sessions.find(token, SessionStage.PASSWORD);
    const ours = started !== null && sameToken(form._csrf, started.session.csrfToken);
    const outcome = ours && /^\d{6}$/.test(code) ? await this.signIn.code(token, code, clientIp(req)).catch(refusedAsNull) : null;
    if (!outcome?.ok) {
      const message = /^\d{6}$/.test(code) ? REFUSED : 'Code: vul de 6 cijfers in die uw app of token nu toont';
      // After a refused code the first step starts over: the pending session may have ended.
      const pending = await this.sessions.find(readCookie(req, this.sessions.cookieName), SessionStage.PASSWORD);
      if (!pending) {
        res.status(401).type('html').send(this.pages.render('identity/sign-in', {
          title: 'Aanmelden', terug, formToken: this.formToken(req, res), errors: [{ field: 'username', code: FieldCode.NOT_ALLOWED_VALUE, message: REFUSED }],
        }));
        return;
      }
      res.status(401).type('html').send(this.pages.render('identity/sign-in-code', {
        title: 'Aanmelden: code', terug, csrf: pending.session.csrfToken, errors: [{ field: 'code', code: FieldCode.NOT_ALLOWED_VALUE, message }],
      }));
      return;
    }
    res.cookie(this.sessions.cookieName, outcome.opened.token, this.sessions.cookieOptions());
    res.redirect(303, terug);
  }

  /** Signing out needs the session's own form (with its CSRF token): another site cannot sign a person out. */
  @Post('afmelden')
  @Public()
  async signOut(@Body() form: Record<string, string>, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.signIn.signOut(readCookie(req, this.sessions.cookieName), form._csrf, clientIp(req));
    res.clearCookie(this.sessions.cookieName, this.sessions.cookieOptions());
    res.redirect(303, '/aanmelden');
  }

  /** The random value that ties the sign-in form to this browser: in a cookie (SameSite=Strict) and in the form. */
  private formToken(req: Request, res: Response, renew = false): string {
    const current = readCookie(req, this.sessions.formCookieName);
    if (current && /^[\w-]{32}$/.test(current) && !renew) return current;
    const token = randomBytes(24).toString('base64url');
    res.cookie(this.sessions.formCookieName, token, { ...this.sessions.cookieOptions(), sameSite: 'strict' });
    return token;
  }
}

/** A refusal (too many attempts from this address) is shown like any failed sign-in; anything else is a real error. */
function refusedAsNull(error: unknown): null {
  if (error instanceof ProblemError && error.code === ErrorCode.UNAUTHENTICATED) return null;
  throw error;
}
