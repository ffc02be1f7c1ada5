import { Injectable, NestMiddleware } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { NextFunction, Request, Response } from 'express';

interface RequestContext {
  clientIp: string | null;
}

const storage = new AsyncLocalStorage<RequestContext>();

/**
 * Remembers the client address of the request being served, so that AuditService.record can fill in "from where"
 * without every service passing the request along. (`trust proxy` is set in bootstrap.ts: behind the local reverse
 * proxy this is the real client's address.)
 */
@Injectable()
export class AuditContextMiddleware implements NestMiddleware {
  use(req: Request, _res: Response, next: NextFunction): void {
    storage.run({ clientIp: req.ip ?? req.socket?.remoteAddress ?? null }, next);
  }
}

/** The client address of the current request, or null outside a request (CLI, background work). */
export function currentClientIp(): string | null {
  return storage.getStore()?.clientIp ?? null;
}
