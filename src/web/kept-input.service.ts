import { Injectable, NestMiddleware } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { NextFunction, Request, Response } from 'express';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AeadBox } from '../common/aead-box';
import { clock } from '../common/clock';
import { readCookie } from '../common/cookies';
import { currentRequest } from '../common/request-context';
import { AppConfig } from '../config/app-config';
import { masterKey } from '../config/master-key';
import { localPath } from './forms';
import { KeptInput, KeptPurpose } from './kept-input.entity';

/** How long a form sent after the session ended waits for the person to sign in again. */
export const KEEP_FORM_MINUTES = 60;
/** How long a one-time result waits for the page it was made for (the redirect follows at once). */
const FLASH_MINUTES = 5;
/** The largest form kept (the largest form, the filing form, is far below this). */
const MAX_FIELDS = 200;

const hash = (token: string) => createHash('sha256').update(token, 'utf8').digest();
const PRIOR_USER = Symbol('priorUser');

/** The access guard says whose session ended (a cookie of a session that ran out), so that only they get the input back. */
export function markPriorUser(req: Request, userId: string): void {
  (req as Request & { [PRIOR_USER]?: string })[PRIOR_USER] = userId;
}

/** A form found for the page being opened: given back by the renderer to the person it belongs to. */
interface Restorable {
  id: string;
  userId: string | null;
  values: Record<string, string | string[]>;
  used?: boolean;
  dropped?: boolean;
}

/**
 * The page kit's memory for one browser: a form sent when the session had ended (ASVS: no silent loss of input,
 * nothing of it in the address or the log), kept sealed until the person is back on the form after signing in; and
 * a result to show once after Post/Redirect/Get. The token is in an HttpOnly cookie; the row holds its hash.
 */
@Injectable()
export class KeptInputService {
  private readonly box: AeadBox;
  /** The kept form the middleware found for a portal request being served (found through the request's context). */
  private readonly restorable = new WeakMap<Request, Restorable>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
  ) {
    this.box = new AeadBox(masterKey(config.PGN_ENCRYPTION_KEY, config.DATA_DIR), 'verzuimloket kept input');
  }

  private cookie(purpose: KeptPurpose): string {
    const name = purpose === KeptPurpose.FORM ? 'vzl_invoer' : 'vzl_eenmalig';
    return this.config.isLocalHttp ? name : `__Host-${name}`;
  }

  private cookieOptions(maxAgeMs?: number) {
    return { httpOnly: true, secure: !this.config.isLocalHttp, sameSite: 'lax' as const, path: '/', ...(maxAgeMs ? { maxAge: maxAgeMs } : {}) };
  }

  private async put(res: Response, purpose: KeptPurpose, userId: string | null, page: string, data: unknown, minutes: number): Promise<void> {
    const token = randomBytes(32).toString('base64url');
    const now = clock.now();
    await this.db.query(`DELETE FROM kept_input WHERE expires_at < $1`, [now]);
    const id = randomUUID();
    // Sealed with the row's id as associated data: a blob copied to another row does not open.
    await this.db.getRepository(KeptInput).insert({
      id, tokenHash: hash(token), purpose, userId, page, sealed: this.box.seal(JSON.stringify(data), id), expiresAt: new Date(now.getTime() + minutes * 60_000),
    });
    res.cookie(this.cookie(purpose), token, this.cookieOptions(minutes * 60_000));
  }

  private async find(req: Request, purpose: KeptPurpose): Promise<KeptInput | null> {
    const token = readCookie(req, this.cookie(purpose));
    if (!token || token.length > 100) return null;
    const row = await this.db.getRepository(KeptInput).findOneBy({ tokenHash: hash(token), purpose });
    return row && row.expiresAt.getTime() > clock.now().getTime() ? row : null;
  }

  /**
   * Keeps the fields of a form sent without a valid session (the CSRF token and files are dropped; a file never
   * reaches here: the guard reads uploads only for a signed-in person). The page it is given back on is the page the
   * form was on. False when there was nothing to keep.
   */
  async keepForm(req: Request, res: Response, page: string): Promise<boolean> {
    const body = req.body as Record<string, unknown> | undefined;
    if (!body || typeof body !== 'object' || req.is('multipart/form-data')) return false;
    const values: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(body).slice(0, MAX_FIELDS)) {
      if (name === '_csrf' || name === '_form' || name === 'idempotencyKey') continue;
      if (typeof value === 'string') values[name] = value;
      else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) values[name] = value as string[];
    }
    if (Object.keys(values).length === 0) return false;
    // Only a form whose person is known is kept: given back to whoever signs in next, it could reach someone else.
    const owner = (req as Request & { [PRIOR_USER]?: string })[PRIOR_USER] ?? null;
    if (!owner) return false;
    await this.put(res, KeptPurpose.FORM, owner, localPath(page), values, KEEP_FORM_MINUTES);
    return true;
  }

  /** Holds a result for `page`, to be shown once to this person (see takeFlash). */
  async flash(res: Response, userId: string, page: string, data: Record<string, unknown>): Promise<void> {
    await this.put(res, KeptPurpose.FLASH, userId, page, data, FLASH_MINUTES);
  }

  /** The result held for this person on this page, once: the row is deleted as it is read. */
  async takeFlash<T>(req: Request, res: Response, userId: string, page: string): Promise<T | null> {
    const row = await this.find(req, KeptPurpose.FLASH);
    if (!row) return null;
    res.clearCookie(this.cookie(KeptPurpose.FLASH), this.cookieOptions());
    const { affected } = await this.db.getRepository(KeptInput).delete({ id: row.id });
    if (!affected || row.userId !== userId || row.page !== page) return null;
    return JSON.parse(this.box.open(row.sealed, row.id)) as T;
  }

  /**
   * Middleware of every portal request: on opening the page a kept form belongs to, its values wait for the renderer
   * (restoredValues), which gives them only to the person they belong to; once shown or refused they are deleted.
   */
  async middleware(req: Request, res: Response, next: NextFunction): Promise<void> {
    try {
      if ((req.method === 'GET' || req.method === 'HEAD') && !req.path.startsWith('/api/') && readCookie(req, this.cookie(KeptPurpose.FORM))) {
        const row = await this.find(req, KeptPurpose.FORM);
        if (row && row.page === req.originalUrl) {
          const kept: Restorable = { id: row.id, userId: row.userId, values: JSON.parse(this.box.open(row.sealed, row.id)) as Record<string, string | string[]> };
          this.restorable.set(req, kept);
          res.on('finish', () => {
            if (kept.used || kept.dropped) void this.db.getRepository(KeptInput).delete({ id: row.id }).catch(() => undefined);
          });
        }
      }
    } catch (error) {
      next(error);
      return;
    }
    next();
  }

  /**
   * For the renderer: the kept values of the form on the page being rendered, if the signed-in person may have them;
   * the cookie is cleared as they are given (or refused: a different person signed in).
   */
  restoredValues(): Record<string, string | string[]> | null {
    const req = currentRequest() as (Request & { actor?: { id: string; type: string } }) | undefined;
    const kept = req && this.restorable.get(req);
    const actor = req?.actor;
    const res = req?.res;
    if (!kept || kept.used || kept.dropped || !actor || actor.type !== 'USER' || !res || res.headersSent) return null;
    res.clearCookie(this.cookie(KeptPurpose.FORM), this.cookieOptions());
    if (kept.userId === null || kept.userId !== actor.id) {
      kept.dropped = true;
      return null;
    }
    kept.used = true;
    return kept.values;
  }
}

/** Nest's handle on KeptInputService.middleware. */
@Injectable()
export class KeptInputMiddleware implements NestMiddleware {
  constructor(private readonly kept: KeptInputService) {}

  use(req: Request, res: Response, next: NextFunction): void {
    void this.kept.middleware(req, res, next);
  }
}
