import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { AuditAction, AuditService, byActor } from '../audit/audit.service';
import { ErrorCode, ProblemError } from '../common/problem';
import { Actor } from '../kernel/actor';
import { ALLOW_KEY, PUBLIC_KEY, Permission } from '../kernel/access';
import { ApiKeysService } from './api-keys.service';
import { noteCounted } from './rate-limit';
import { readCookie } from './cookies';
import { SessionStage } from './session.entity';
import { SessionsService } from './sessions.service';
import { markPriorUser } from '../web/kept-input.service';
import { readUpload, UPLOAD_KEY, UploadSpec } from '../web/upload';
import { discardUpload, StreamedUpload } from '../web/streamed-upload';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Whether the token sent equals the session's, compared in constant time over the bytes (not the UTF-16 length). */
export function sameToken(sent: unknown, expected: string): boolean {
  if (typeof sent !== 'string') return false;
  const a = Buffer.from(sent, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The global guard that denies by default: a route must say `@Public()` or `@Allow(permission)`, and the caller must
 * hold that permission. Who the caller is comes from a bearer API key or a session cookie: who (401), then may they
 * (403, logged as ACCESS_DENIED). After it, in this order (identity.module.ts): the rate limits (RateLimitGuard), and
 * the form check (FormGuard).
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeysService,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
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
      await this.audit.record(byActor(actor, AuditAction.ACCESS_DENIED, { outcome: 'DENIED', details: { route: routeOf(req), permission: needed ?? null } }));
      throw new ProblemError(ErrorCode.FORBIDDEN, 'U heeft geen recht op deze handeling.');
    }
    return true;
  }

  /** A bearer API key, or else a signed-in session cookie. */
  private async authenticate(req: Request): Promise<Actor | null> {
    const header = req.headers.authorization;
    const match = header?.match(/^Bearer\s+(\S+)$/i);
    if (match) {
      const found = await this.keys.authenticate(match[1]);
      if (found) noteCounted(req, found.hit);
      return found?.actor ?? null;
    }
    // A session that just ran out names its person: a form they sent now is kept for them alone (KeptInputService).
    let owner: string | null = null;
    const found = await this.sessions.find(readCookie(req, this.sessions.cookieName), SessionStage.COMPLETE, (userId) => (owner = userId));
    if (found) return this.sessions.actorOf(found.user, found.session);
    // Without a session, a form names its person by its CSRF token (signed out in another tab, or a session long gone).
    if (!owner && !SAFE_METHODS.has(req.method)) owner = await this.sessions.formOwner((req.body as { _csrf?: unknown } | undefined)?._csrf);
    if (owner) markPriorUser(req, owner);
    return null;
  }
}

/**
 * The last global guard: a session's state-changing request must carry the session's CSRF token (403, logged as
 * CSRF_REJECTED). A route that takes a file reads it here, after who, may and the rate limit are settled, and only
 * when its form's CSRF field came before the file and is right (see upload.ts).
 */
@Injectable()
export class FormGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request & { actor?: Actor & { csrfToken?: string } }>();
    const actor = req.actor;
    if (!actor || actor.type !== 'USER' || SAFE_METHODS.has(req.method)) return true;
    const csrf = actor.csrfToken ?? '';
    const upload = this.reflector.get<UploadSpec | undefined>(UPLOAD_KEY, context.getHandler());
    if (upload?.streamed && req.is('multipart/form-data') && req.headers['x-csrf-token'] === undefined) {
      req.body = await StreamedUpload.of(req, upload.field).fieldsBeforeFile();
    } else if (upload && !upload.streamed && req.is('multipart/form-data')) await readUpload(req, context.switchToHttp().getResponse<Response>(), upload, csrf);
    const sent = req.headers['x-csrf-token'] ?? (req.body as { _csrf?: unknown } | undefined)?._csrf;
    if (!sameToken(sent, csrf)) {
      discardUpload(req);
      await this.audit.record(byActor(actor, AuditAction.CSRF_REJECTED, { outcome: 'DENIED', details: { route: routeOf(req) } }));
      throw new ProblemError(ErrorCode.CSRF_TOKEN_INVALID, 'Stuur het CSRF-token van de sessie mee als X-CSRF-Token.');
    }
    return true;
  }
}

/** The route as its template says it ("POST /api/v1/reports/:number"), never the URL with its values. */
export function routeOf(req: Request): string {
  return `${req.method} ${(req.route as { path?: string } | undefined)?.path ?? '(geen route)'}`;
}
