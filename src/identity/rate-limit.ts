import { ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModuleOptions, ThrottlerRequest, ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { Actor } from '../kernel/actor';
import { UPLOAD_KEY } from '../web/upload';
import { preparedQuery } from '../common/prepared-query';

export const SIGN_IN_KEY = 'verzuimloket:sign-in';

/** Marks a route that checks a secret before anyone is signed in (sign-in, activation): limited per client address. */
export const SignInAttempt = () => SetMetadata(SIGN_IN_KEY, true);

/** The limit every request counts against, per caller (`default`): its window, also for the key's lookup that counts it. */
export const EVERY_REQUEST = { name: 'default', ttl: 60_000 } as const;

/** The key of a caller's count under a limit, in the rate_limit table. */
export function limitKey(name: string, tracker: string): string {
  return `${name}:${tracker}`;
}

/**
 * The statement that counts one hit: it starts a new window when the last one ran out, and blocks the caller once it
 * is over. `key`, `ttl`, `limit`, `block` (milliseconds) are SQL expressions; `from` a FROM clause that gives the row
 * to count (none: one). Answers hits, expires_ms and blocked_ms (recordOf).
 */
export function countHitSql(key: string, ttl: string, limit: string, block: string, from = ''): string {
  return `INSERT INTO rate_limit AS r (key, hits, window_end) SELECT ${key}, 1, now() + ${ttl} * interval '1 millisecond' ${from}
       ON CONFLICT (key) DO UPDATE SET
         hits = CASE WHEN r.window_end <= now() THEN 1 ELSE r.hits + 1 END,
         window_end = CASE WHEN r.window_end <= now() THEN now() + ${ttl} * interval '1 millisecond' ELSE r.window_end END,
         blocked_until = CASE
           WHEN r.blocked_until > now() THEN r.blocked_until
           WHEN (CASE WHEN r.window_end <= now() THEN 1 ELSE r.hits + 1 END) > ${limit} THEN now() + ${block} * interval '1 millisecond'
           ELSE NULL END
       RETURNING hits, (extract(epoch FROM window_end - now()) * 1000)::float8 AS expires_ms,
                 (extract(epoch FROM blocked_until - now()) * 1000)::float8 AS blocked_ms`;
}

/** What countHitSql answers. */
export interface HitRow {
  hits: number;
  expires_ms: number;
  blocked_ms: number | null;
}

export function recordOf(row: HitRow): ThrottlerStorageRecord {
  const blocked = row.blocked_ms !== null && row.blocked_ms > 0;
  return {
    totalHits: row.hits,
    timeToExpire: Math.max(1, Math.ceil(row.expires_ms / 1000)),
    isBlocked: blocked,
    timeToBlockExpire: blocked ? Math.ceil(row.blocked_ms! / 1000) : 0,
  };
}

/** A hit against EVERY_REQUEST counted already, by the statement that found the caller, with these settings. */
export interface CountedHit {
  limit: number;
  record: ThrottlerStorageRecord;
}

const COUNTED = Symbol('counted hit');

/** Notes on the request that its hit against EVERY_REQUEST is counted (ApiKeysService.authenticate counts it with the key's lookup). */
export function noteCounted(req: object, hit: CountedHit): void {
  (req as { [COUNTED]?: CountedHit })[COUNTED] = hit;
}

/**
 * The counts behind the rate limits in PostgreSQL, so that every instance counts against the same limit: one
 * statement per request and limit.
 */
@Injectable()
export class RateLimitStorage implements ThrottlerStorage {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number): Promise<ThrottlerStorageRecord> {
    const [row] = await preparedQuery<HitRow>(this.db, countHitSql('$1', '$2', '$3', '$4'), [key, ttl, limit, blockDuration]);
    return recordOf(row);
  }
}

/**
 * Rate limits, after the access guard (so that a signed-in person or a key is counted as itself, wherever it calls
 * from; anyone else by client address). Answers 429 with Retry-After, and every answer carries the IETF RateLimit-*
 * headers. Three limits: every request (`default`), the routes that check a secret before sign-in (`sign-in`,
 * per address), and file uploads (`upload`).
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override headerPrefix = 'RateLimit';

  protected override async getTracker(req: Request & { actor?: Actor }): Promise<string> {
    return req.actor ? `${req.actor.type}:${req.actor.id}` : `ip:${req.ip ?? req.socket.remoteAddress ?? 'onbekend'}`;
  }

  protected override generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return limitKey(name, tracker);
  }

  /**
   * A request whose hit against EVERY_REQUEST was counted with its key (noteCounted) is decided on that count, as if
   * the storage had answered it, instead of counted twice. A route with settings of its own for this limit (there is
   * none) would count the request again under them.
   */
  protected override async handleRequest(props: ThrottlerRequest): Promise<boolean> {
    const req = props.context.switchToHttp().getRequest<{ [COUNTED]?: CountedHit }>();
    const hit = req[COUNTED];
    if (props.throttler.name !== EVERY_REQUEST.name || !hit || hit.limit !== props.limit || props.ttl !== EVERY_REQUEST.ttl || props.blockDuration !== EVERY_REQUEST.ttl) {
      return super.handleRequest(props);
    }
    delete req[COUNTED];
    const counted: Pick<ThrottlerStorage, 'increment'> = { increment: async () => hit.record };
    return super.handleRequest.call(Object.create(this, { storageService: { value: counted } }), props);
  }
}

/** The three limits, from the configuration. */
export function rateLimits(config: AppConfig, reflector: Reflector, storage: RateLimitStorage): ThrottlerModuleOptions {
  const marked = (key: string) => (context: ExecutionContext) => !reflector.getAllAndOverride<unknown>(key, [context.getHandler(), context.getClass()]);
  return {
    storage,
    throttlers: [
      { name: EVERY_REQUEST.name, ttl: EVERY_REQUEST.ttl, limit: config.RATE_LIMIT_PER_MINUTE },
      { name: 'sign-in', ttl: 60_000, limit: config.RATE_LIMIT_SIGN_IN_PER_MINUTE, skipIf: marked(SIGN_IN_KEY) },
      { name: 'upload', ttl: 3_600_000, limit: config.RATE_LIMIT_UPLOADS_PER_HOUR, skipIf: marked(UPLOAD_KEY) },
    ],
  };
}
