import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ErrorCode, ProblemError } from '../common/problem';
import { Actor } from './actor';
import { ALLOW_KEY, PUBLIC_KEY } from './allow.decorator';
import { ApiKeysService } from './api-keys.service';
import { Permission } from './permissions';
import { readCookie } from './cookies';
import { SessionStage } from './session.entity';
import { SessionsService } from './sessions.service';
import { timingSafeEqual } from 'node:crypto';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The one global guard. It denies by default: a route must say `@Public()` or `@Allow(permission)`, and the
 * caller must hold that permission. Who the caller is comes from a bearer API key or a session cookie.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeysService,
    private readonly sessions: SessionsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const needed = this.reflector.getAllAndOverride<Permission | undefined>(ALLOW_KEY, targets);
    const req = context.switchToHttp().getRequest<Request & { actor?: Actor }>();
    const actor = await this.authenticate(req);
    if (!actor) {
      throw new ProblemError(ErrorCode.UNAUTHENTICATED, 'Meld u aan, of stuur een geldige API-sleutel mee als "Authorization: Bearer <sleutel>".');
    }
    req.actor = actor;
    if (!needed || !actor.permissions.has(needed)) {
      throw new ProblemError(ErrorCode.FORBIDDEN, 'U heeft geen recht op deze handeling.');
    }
    return true;
  }

  /** A bearer API key, or else a signed-in session cookie; a session's state-changing request needs its CSRF token. */
  private async authenticate(req: Request): Promise<Actor | null> {
    const header = req.headers.authorization;
    const match = header?.match(/^Bearer\s+(\S+)$/i);
    if (match) return this.keys.authenticate(match[1]);
    const found = await this.sessions.find(readCookie(req, this.sessions.cookieName), SessionStage.COMPLETE);
    if (!found) return null;
    const actor = this.sessions.actorOf(found.user, found.session);
    if (!SAFE_METHODS.has(req.method)) {
      const sent = String(req.headers['x-csrf-token'] ?? (req.body as { _csrf?: unknown } | undefined)?._csrf ?? '');
      const expected = Buffer.from(actor.csrfToken);
      if (sent.length !== expected.length || !timingSafeEqual(Buffer.from(sent), expected)) {
        throw new ProblemError(ErrorCode.CSRF_TOKEN_INVALID, 'Stuur het CSRF-token van de sessie mee als X-CSRF-Token.');
      }
    }
    return actor;
  }
}
