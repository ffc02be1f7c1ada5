import { ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModuleOptions, ThrottlerStorage } from '@nestjs/throttler';
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

/**
 * The counts behind the rate limits in PostgreSQL, so that every instance counts against the same limit: one
 * statement per request, which starts a new window when the last one ran out and blocks the caller once it is over.
 */
@Injectable()
export class RateLimitStorage implements ThrottlerStorage {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number): Promise<ThrottlerStorageRecord> {
    const [row] = await preparedQuery<{ hits: number; expires_ms: number; blocked_ms: number | null }>(
      this.db,
      `INSERT INTO rate_limit AS r (key, hits, window_end) VALUES ($1, 1, now() + $2 * interval '1 millisecond')
       ON CONFLICT (key) DO UPDATE SET
         hits = CASE WHEN r.window_end <= now() THEN 1 ELSE r.hits + 1 END,
         window_end = CASE WHEN r.window_end <= now() THEN now() + $2 * interval '1 millisecond' ELSE r.window_end END,
         blocked_until = CASE
           WHEN r.blocked_until > now() THEN r.blocked_until
           WHEN (CASE WHEN r.window_end <= now() THEN 1 ELSE r.hits + 1 END) > $3 THEN now() + $4 * interval '1 millisecond'
           ELSE NULL END
       RETURNING hits, (extract(epoch FROM window_end - now()) * 1000)::float8 AS expires_ms,
                 (extract(epoch FROM blocked_until - now()) * 1000)::float8 AS blocked_ms`,
      [key, ttl, limit, blockDuration],
    );
    const blocked = row.blocked_ms !== null && row.blocked_ms > 0;
    return {
      totalHits: row.hits,
      timeToExpire: Math.max(1, Math.ceil(row.expires_ms / 1000)),
      isBlocked: blocked,
      timeToBlockExpire: blocked ? Math.ceil(row.blocked_ms! / 1000) : 0,
    };
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
    return `${name}:${tracker}`;
  }
}

/** The three limits, from the configuration. */
export function rateLimits(config: AppConfig, reflector: Reflector, storage: RateLimitStorage): ThrottlerModuleOptions {
  const marked = (key: string) => (context: ExecutionContext) => !reflector.getAllAndOverride<unknown>(key, [context.getHandler(), context.getClass()]);
  return {
    storage,
    throttlers: [
      { name: 'default', ttl: 60_000, limit: config.RATE_LIMIT_PER_MINUTE },
      { name: 'sign-in', ttl: 60_000, limit: config.RATE_LIMIT_SIGN_IN_PER_MINUTE, skipIf: marked(SIGN_IN_KEY) },
      { name: 'upload', ttl: 3_600_000, limit: config.RATE_LIMIT_UPLOADS_PER_HOUR, skipIf: marked(UPLOAD_KEY) },
    ],
  };
}
