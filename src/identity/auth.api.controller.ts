import { Body, Controller, Delete, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiProblems } from '../common/api-problems.decorator';
import { Actor } from '../kernel/actor';
import { ActivationService, Enrolment } from './activation.service';
import { Allow, CurrentActor, Permission, Public } from '../kernel/access';
import { clientIp, readCookie } from './cookies';
import {
  ActivatedView, ActivationConfirmInput, ActivationInspectInput, ActivationInspectView, ActivationStartInput, CodeStepInput, EnrolmentView, MeView, PasswordStepInput,
  PasswordStepView,
} from './identity.dto';
import { SessionsService } from './sessions.service';
import { signInRefused } from './attempts.service';
import { SignInService } from './sign-in.service';
import { SignInAttempt } from './rate-limit';

/** Signing in with password and one-time code, signing out, and activating an account. */
@ApiTags('Aanmelden')
@Controller('api/v1')
export class AuthApiController {
  constructor(
    private readonly signIn: SignInService,
    private readonly sessions: SessionsService,
    private readonly activation: ActivationService,
  ) {}

  @Post('session')
  @Public()
  @SignInAttempt()
  @HttpCode(200)
  @ApiOperation({ summary: 'Aanmelden, stap 1: gebruikersnaam en wachtwoord', description: 'Zet een voorlopige sessiecookie; daarna POST /api/v1/session/code.' })
  @ApiOkResponse({ type: PasswordStepView, description: 'Voorlopige sessie gezet' })
  @ApiProblems(400, 401, 422)
  async password(@Body() input: PasswordStepInput, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<{ next: 'CODE' }> {
    const outcome = await this.signIn.password(input.username, input.password, clientIp(req));
    if (!outcome.ok) throw signInRefused();
    res.cookie(this.sessions.cookieName, outcome.opened.token, this.sessions.cookieOptions());
    return { next: 'CODE' };
  }

  @Post('session/code')
  @Public()
  @SignInAttempt()
  @HttpCode(200)
  @ApiOperation({ summary: 'Aanmelden, stap 2: de code van de app of het token', description: 'Geeft een nieuwe sessie; het CSRF-token in het antwoord gaat mee met elke wijzigende aanvraag.' })
  @ApiOkResponse({ type: MeView })
  @ApiProblems(400, 401, 422)
  async code(@Body() input: CodeStepInput, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<MeView> {
    const outcome = await this.signIn.code(readCookie(req, this.sessions.cookieName), input.code, clientIp(req));
    if (!outcome.ok) throw signInRefused();
    const { user, opened } = outcome;
    res.cookie(this.sessions.cookieName, opened.token, this.sessions.cookieOptions());
    const actor = this.sessions.actorOf(user, opened.session);
    return this.me(actor);
  }

  @Get('session')
  @ApiBearerAuth()
  @Allow(Permission.ORGANISATION_READ)
  @ApiOperation({ summary: 'Wie is aangemeld (met het CSRF-token van de sessie)' })
  @ApiOkResponse({ type: MeView })
  @ApiProblems(401, 403)
  me(@CurrentActor() actor: Actor & { csrfToken?: string }): MeView {
    return {
      type: actor.type,
      name: actor.name,
      organisation: actor.organisationCode,
      organisationType: actor.organisationType,
      permissions: [...actor.permissions],
      csrfToken: actor.csrfToken ?? null,
    };
  }

  @Delete('session')
  @Public()
  @HttpCode(204)
  @ApiOperation({ summary: 'Afmelden: de sessie eindigt', description: 'Met het CSRF-token van de sessie als X-CSRF-Token.' })
  @ApiNoContentResponse({ description: 'Afgemeld' })
  @ApiProblems(403)
  async signOut(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    await this.signIn.signOut(readCookie(req, this.sessions.cookieName), req.headers['x-csrf-token'], clientIp(req));
    res.clearCookie(this.sessions.cookieName, this.sessions.cookieOptions());
  }

  @Post('activation/inspect')
  @Public()
  @SignInAttempt()
  @HttpCode(200)
  @ApiOperation({ summary: 'Activeren: voor wie is deze code, en wat moet nog' })
  @ApiOkResponse({ type: ActivationInspectView })
  @ApiProblems(400, 404, 422)
  inspect(@Body() input: ActivationInspectInput): Promise<ActivationInspectView> {
    return this.activation.inspect(input.activationCode);
  }

  @Post('activation/start')
  @Public()
  @SignInAttempt()
  @HttpCode(200)
  @ApiOperation({ summary: 'Activeren, stap 1: wachtwoord instellen; geeft de QR-code voor de app (of het serienummer van het token)' })
  @ApiOkResponse({ type: EnrolmentView })
  @ApiProblems(400, 404, 422)
  start(@Body() input: ActivationStartInput, @Req() req: Request): Promise<Enrolment> {
    return this.activation.start(input.activationCode, input.password, clientIp(req));
  }

  @Post('activation/confirm')
  @Public()
  @SignInAttempt()
  @HttpCode(200)
  @ApiOperation({ summary: 'Activeren, stap 2: de eerste code bevestigt het token; daarna kan de persoon zich aanmelden' })
  @ApiOkResponse({ type: ActivatedView })
  @ApiProblems(400, 404, 409, 422)
  async confirm(@Body() input: ActivationConfirmInput, @Req() req: Request): Promise<{ username: string }> {
    return this.activation.confirm(input.activationCode, input.code, clientIp(req));
  }
}
