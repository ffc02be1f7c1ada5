import type { Request } from 'express';

export { readCookie } from '../common/cookies';

/** The client's address as express sees it (behind a proxy only when trust proxy says so). */
export function clientIp(req: Request): string | null {
  return req.ip ?? null;
}
