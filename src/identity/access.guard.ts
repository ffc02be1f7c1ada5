import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ErrorCode, ProblemError } from '../common/problem';
import { Actor } from './actor';
import { ALLOW_KEY, PUBLIC_KEY } from './allow.decorator';
import { ApiKeysService } from './api-keys.service';
import { Permission } from './permissions';

/**
 * The one global guard. It denies by default: a route must say `@Public()` or `@Allow(permission)`, and the
 * caller must hold that permission. Who the caller is comes from a bearer API key.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeysService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const needed = this.reflector.getAllAndOverride<Permission | undefined>(ALLOW_KEY, targets);
    const req = context.switchToHttp().getRequest<Request & { actor?: Actor }>();
    const actor = await this.authenticate(req);
    if (!actor) {
      throw new ProblemError(ErrorCode.UNAUTHENTICATED, 'Stuur een geldige API-sleutel mee als "Authorization: Bearer <sleutel>".');
    }
    req.actor = actor;
    if (!needed || !actor.permissions.has(needed)) {
      throw new ProblemError(ErrorCode.FORBIDDEN, 'U heeft geen recht op deze handeling.');
    }
    return true;
  }

  private async authenticate(req: Request): Promise<Actor | null> {
    const header = req.headers.authorization;
    const match = header?.match(/^Bearer\s+(\S+)$/i);
    return match ? this.keys.authenticate(match[1]) : null;
  }
}
