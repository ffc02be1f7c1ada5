import { Body, Controller, Get, Header, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ErrorCode, FieldCode, ProblemError } from '../common/problem';
import { Public } from '../identity/allow.decorator';
import { clientIp, readCookie } from '../identity/cookies';
import { SessionStage } from '../identity/session.entity';
import { SessionsService } from '../identity/sessions.service';
import { SignInService } from '../identity/sign-in.service';
import { localPath } from './forms';
import { PageRenderer } from './page-renderer';
import { PortalFilter } from './portal.filter';

const REFUSED = 'Aanmelden is niet gelukt: gebruikersnaam, wachtwoord of code klopt niet, of er waren te veel pogingen. Probeer het later opnieuw.';

/** Signing in (two steps) and out in the browser; the same service, throttling and audit as the API. */
@ApiExcludeController()
@UseFilters(PortalFilter)
@Controller()
export class SignInPageController {
  constructor(
    private readonly pages: PageRenderer,
    private readonly signIn: SignInService,
    private readonly sessions: SessionsService,
  ) {}

  @Get('aanmelden')
  @Public()
  @Header('Content-Type', 'text/html; charset=utf-8')
  page(@Query('terug') terug: string | undefined, @Query('verlopen') expired: string | undefined): string {
    // Set by the portal's filter when a session ran out: on opening a page ('1'), or on sending a form ('formulier').
    return this.pages.render('sign-in', { title: 'Aanmelden', terug: localPath(terug), expired: expired === '1' || expired === 'formulier', formLost: expired === 'formulier' });
  }

  @Post('aanmelden')
  @Public()
  async password(@Body() form: Record<string, string>, @Req() req: Request, @Res() res: Response): Promise<void> {
    const terug = localPath(form.terug);
    const missing = [
      ...(form.username?.trim() ? [] : [{ field: 'username', code: FieldCode.REQUIRED, message: 'Gebruikersnaam: vul uw gebruikersnaam in' }]),
      ...(form.password ? [] : [{ field: 'password', code: FieldCode.REQUIRED, message: 'Wachtwoord: vul uw wachtwoord in' }]),
    ];
    const outcome = missing.length === 0 ? await this.signIn.password(form.username, form.password, clientIp(req)).catch(refusedAsNull) : null;
    if (!outcome?.ok) {
      const errors = missing.length > 0 ? missing : [{ field: 'username', code: FieldCode.NOT_ALLOWED_VALUE, message: REFUSED }];
      res.status(missing.length > 0 ? 422 : 401).type('html').send(this.pages.render('sign-in', { title: 'Aanmelden', terug, errors, values: { username: form.username } }));
      return;
    }
    res.cookie(this.sessions.cookieName, outcome.opened.token, this.sessions.cookieOptions());
    res.redirect(303, `/aanmelden/code?terug=${encodeURIComponent(terug)}`);
  }

  @Get('aanmelden/code')
  @Public()
  @Header('Content-Type', 'text/html; charset=utf-8')
  codePage(@Query('terug') terug: string | undefined): string {
    return this.pages.render('sign-in-code', { title: 'Aanmelden: code', terug: localPath(terug) });
  }

  @Post('aanmelden/code')
  @Public()
  async code(@Body() form: Record<string, string>, @Req() req: Request, @Res() res: Response): Promise<void> {
    const terug = localPath(form.terug);
    const code = String(form.code ?? '').replace(/\s/g, '');
    const outcome = /^\d{6}$/.test(code) ? await this.signIn.code(readCookie(req, this.sessions.cookieName), code, clientIp(req)).catch(refusedAsNull) : null;
    if (!outcome?.ok) {
      const message = /^\d{6}$/.test(code) ? REFUSED : 'Code: vul de 6 cijfers in die uw app of token nu toont';
      // After a refused code the first step starts over: the pending session may have ended.
      const pending = await this.sessions.find(readCookie(req, this.sessions.cookieName), SessionStage.PASSWORD);
      if (!pending) {
        res.status(401).type('html').send(this.pages.render('sign-in', { title: 'Aanmelden', terug, errors: [{ field: 'username', code: FieldCode.NOT_ALLOWED_VALUE, message: REFUSED }] }));
        return;
      }
      res.status(401).type('html').send(this.pages.render('sign-in-code', { title: 'Aanmelden: code', terug, errors: [{ field: 'code', code: FieldCode.NOT_ALLOWED_VALUE, message }] }));
      return;
    }
    res.cookie(this.sessions.cookieName, outcome.opened.token, this.sessions.cookieOptions());
    res.redirect(303, terug);
  }

  @Post('afmelden')
  @Public()
  async signOut(@Req() req: Request, @Res() res: Response): Promise<void> {
    await this.signIn.signOut(readCookie(req, this.sessions.cookieName), clientIp(req));
    res.clearCookie(this.sessions.cookieName, this.sessions.cookieOptions());
    res.redirect(303, '/aanmelden');
  }
}

/** A refusal (too many attempts from this address) is shown like any failed sign-in; anything else is a real error. */
function refusedAsNull(error: unknown): null {
  if (error instanceof ProblemError && error.code === ErrorCode.UNAUTHENTICATED) return null;
  throw error;
}
