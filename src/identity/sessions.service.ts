import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { Actor } from '../kernel/actor';
import { permissionsOf } from './permissions';
import { Session, SessionStage } from './session.entity';
import { User, UserStatus } from './user.entity';

export interface OpenedSession {
  session: Session;
  /** The cookie value: shown to the browser once, stored only as a hash. */
  token: string;
}

/** How long after a session ended its row still names its person (as long as a kept form waits: KEEP_FORM_MINUTES). */
export const KEEP_OWNER_MINUTES = 60;

const hash = (token: string) => createHash('sha256').update(token, 'utf8').digest();

/** Sign-in sessions in PostgreSQL, so that any instance serves any request. */
@Injectable()
export class SessionsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
  ) {}

  get cookieName(): string {
    return this.config.isLocalHttp ? 'vzl_session' : '__Host-vzl_session';
  }

  /** The cookie that ties a sign-in form to the browser that loaded it (see the sign-in page). */
  get formCookieName(): string {
    return this.config.isLocalHttp ? 'vzl_form' : '__Host-vzl_form';
  }

  cookieOptions(maxAgeMs?: number) {
    return {
      httpOnly: true,
      secure: !this.config.isLocalHttp,
      sameSite: 'lax' as const,
      path: '/',
      ...(maxAgeMs ? { maxAge: maxAgeMs } : {}),
    };
  }

  /** A new session (every sign-in gets a new one; the token is random, 256 bits). */
  async open(user: User, stage: SessionStage, clientIp: string | null, m: EntityManager = this.db.manager): Promise<OpenedSession> {
    const token = randomBytes(32).toString('base64url');
    const now = clock.now();
    const session = await m.getRepository(Session).save({
      tokenHash: hash(token),
      userId: user.id,
      stage,
      csrfToken: randomBytes(24).toString('base64url'),
      clientIp,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + (stage === SessionStage.PASSWORD ? this.config.PENDING_SESSION_MINUTES * 60_000 : this.config.SESSION_MAX_HOURS * 3_600_000)),
    });
    if (stage === SessionStage.PASSWORD) {
      // However often the password step is done, a person has only the newest few sign-ins waiting for a code.
      await m.query(
        `DELETE FROM user_session WHERE user_id = $1 AND stage = $2 AND id NOT IN (
           SELECT id FROM user_session WHERE user_id = $1 AND stage = $2 ORDER BY created_at DESC, id LIMIT $3)`,
        [user.id, SessionStage.PASSWORD, this.config.PENDING_SESSIONS_MAX],
      );
    }
    return { session, token };
  }

  /**
   * Removes what can no longer be used: sessions past their end or idle too long (pending ones after
   * PENDING_SESSION_MINUTES), and the counters of sign-in failures and rate limits whose windows have passed.
   * Any instance may run it at any time: each statement stands on its own.
   */
  async purgeExpired(): Promise<number> {
    // An ended signed-in session's row stays KEEP_OWNER_MINUTES longer: it says whose form a browser sends after it ended.
    const [, sessions] = (await this.db.query(
      `DELETE FROM user_session
        WHERE expires_at < now() - CASE WHEN stage = $3 THEN $2 ELSE 0 END * interval '1 minute'
           OR last_seen_at < now() - ($1 + CASE WHEN stage = $3 THEN $2 ELSE 0 END) * interval '1 minute'`,
      [this.config.SESSION_IDLE_MINUTES, KEEP_OWNER_MINUTES, SessionStage.COMPLETE],
    )) as [unknown, number];
    await this.db.query(`DELETE FROM client_throttle WHERE window_start < now() - interval '1 day' AND (throttled_until IS NULL OR throttled_until < now())`);
    await this.db.query(`DELETE FROM rate_limit WHERE window_end < now() AND (blocked_until IS NULL OR blocked_until < now())`);
    return sessions;
  }

  /** The session behind a cookie, if it is still valid; touches its last activity. `ended` hears whose session just ran out. */
  async find(token: string | undefined, stage: SessionStage, ended?: (userId: string) => void): Promise<{ session: Session; user: User } | null> {
    if (!token || token.length > 100) return null;
    // One query: the session with its person and their organisation (findOne with relations would take two).
    const session = await this.db.getRepository(Session).createQueryBuilder('s')
      .innerJoinAndSelect('s.user', 'user').innerJoinAndSelect('user.organisation', 'organisation')
      .where('s.tokenHash = :hash', { hash: hash(token) }).getOne();
    if (!session || session.stage !== stage) return null;
    const now = clock.now().getTime();
    const idleLimit = session.lastSeenAt.getTime() + this.config.SESSION_IDLE_MINUTES * 60_000;
    const user = session.user;
    if (now > idleLimit || now > session.expiresAt.getTime() || !isUsable(user)) {
      await this.db.getRepository(Session).delete(session.id);
      if (isUsable(user)) ended?.(user.id);
      return null;
    }
    if (now - session.lastSeenAt.getTime() > 15_000) {
      await this.db.getRepository(Session).update(session.id, { lastSeenAt: new Date(now) });
    }
    return { session, user };
  }

  /**
   * Signing out: the session no longer opens (its end is now), but its row is kept until purgeExpired removes it, so
   * that a form sent afterwards from another tab of that browser is kept for this person alone (formOwner).
   */
  async end(sessionId: string): Promise<void> {
    await this.db.getRepository(Session).update(sessionId, { expiresAt: new Date(clock.now().getTime() - 1) });
  }

  /**
   * Whose signed-in session a form's CSRF token belongs to, when the form came without a valid session (signed out in
   * another tab, or the session ran out): a kept form is given back to that person only. Null when nobody's.
   */
  async formOwner(csrfToken: unknown): Promise<string | null> {
    if (typeof csrfToken !== 'string' || csrfToken.length < 20 || csrfToken.length > 100) return null;
    const [row]: { user_id: string }[] = await this.db.query(
      `SELECT user_id FROM user_session WHERE csrf_token = $1 AND stage = $2 LIMIT 1`, [csrfToken, SessionStage.COMPLETE],
    );
    return row?.user_id ?? null;
  }

  /** Ends every session of a person (sign-out everywhere, lock, disable, token reset). */
  async endAll(userId: string, m: EntityManager = this.db.manager): Promise<number> {
    const result = await m.getRepository(Session).delete({ userId });
    return result.affected ?? 0;
  }

  actorOf(user: User, session: Session): Actor & { sessionId: string; csrfToken: string } {
    return {
      type: 'USER',
      id: user.id,
      name: user.name,
      organisationId: user.organisationId,
      organisationType: user.organisation.type,
      organisationCode: user.organisation.code,
      roles: user.roles,
      permissions: permissionsOf(user.roles, false),
      locationIds: user.locationIds.length > 0 ? user.locationIds : undefined,
      sessionId: session.id,
      csrfToken: session.csrfToken,
    };
  }
}

export function isUsable(user: User): boolean {
  return user.status === UserStatus.ACTIVE && !user.lockedAt && user.organisation?.active !== false;
}
