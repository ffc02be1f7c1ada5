import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { requestContext } from '../common/request-context';
import type { Actor } from '../kernel/actor';

/** An X-Request-Id we take over from a proxy or client: short, printable, nothing that could forge a log line. */
const WELL_FORMED_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$/;

/**
 * The route a request matched, as written in the code (`/api/v1/reports/:number`), never the URL with its numbers
 * and query string; every request that matched no route (static files, 404s) counts as one.
 */
export function routeTemplate(req: Request): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof path === 'string') return `${req.baseUrl}${path}`;
  return req.path.startsWith('/assets/') ? '/assets/*' : '(geen route)';
}

export interface FinishedRequest {
  method: string;
  route: string;
  status: number;
  seconds: number;
}

/**
 * First of all middleware: gives the request its id (X-Request-Id when well-formed, else a new UUID), returns it in
 * the answer, runs the rest of the request in its context (common/request-context.ts: every line written meanwhile
 * carries the id, every audit entry the client's address), and when the
 * answer has gone writes one line: method, route template, status, duration, and who asked (organisation code and
 * type, API key or person). No URL, no headers, no body.
 */
export function requestLog(logger: Logger | null, observers: ((r: FinishedRequest) => void)[] = []) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const sent = req.headers['x-request-id'];
    const requestId = typeof sent === 'string' && WELL_FORMED_ID.test(sent) ? sent : randomUUID();
    res.setHeader('X-Request-Id', requestId);
    const start = process.hrtime.bigint();
    let done = false;
    const finished = () => {
      if (done) return;
      done = true;
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      // A client that went away before the answer was complete: 499, as nginx counts it.
      const status = res.writableFinished ? res.statusCode : 499;
      const route = routeTemplate(req);
      for (const observe of observers) observe({ method: req.method, route, status, seconds });
      if (!logger) return;
      const actor = (req as Request & { actor?: Actor }).actor;
      const line = {
        requestId, method: req.method, route, status, durationMs: Math.round(seconds * 10_000) / 10,
        ...(actor ? { org: actor.organisationCode, orgType: actor.organisationType, actorType: actor.type } : {}),
      };
      if (status >= 500) logger.error(line, 'verzoek mislukt');
      else logger.info(line, 'verzoek');
    };
    res.once('finish', finished);
    res.once('close', finished);
    requestContext.run({ requestId, clientIp: req.ip ?? req.socket?.remoteAddress ?? null, req }, next);
  };
}
