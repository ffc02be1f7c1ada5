import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { clock } from '../common/clock';
import { ErrorCode, ProblemError } from '../common/problem';
import { ClientThrottle } from './client-throttle.entity';
import { verifyAgainstDummy, verifyPassword } from './credentials/passwords';
import { SecretBox, verifyCode } from './credentials/totp';
import { OpenedSession, SessionsService, isUsable } from './sessions.service';
import { Session, SessionStage } from './session.entity';
import { User } from './user.entity';

/** Failures an account may have before it has to wait; each further one doubles the wait. */
export const ACCOUNT_FAILURES_BEFORE_DELAY = 10;
/** Failures from one client address within the window before that address has to wait. */
const CLIENT_FAILURES = 30;
const CLIENT_WINDOW_MS = 15 * 60_000;
const MAX_DELAY_MS = 24 * 3_600_000;

/** One answer for every failure, so that it never tells whether a username exists or which step failed why. */
function refused(): ProblemError {
  return new ProblemError(
    ErrorCode.UNAUTHENTICATED,
    'Aanmelden is niet gelukt: gebruikersnaam, wachtwoord of code klopt niet, of er waren te veel pogingen. Probeer het later opnieuw.',
  );
}

export function delayAfter(failures: number): number {
  if (failures < ACCOUNT_FAILURES_BEFORE_DELAY) return 0;
  return Math.min(MAX_DELAY_MS, 60_000 * 2 ** (failures - ACCOUNT_FAILURES_BEFORE_DELAY));
}

export type SignInOutcome = { ok: true; user: User; opened: OpenedSession } | { ok: false; user: User | null; reason: string };

/**
 * Signing in, in two steps: username and password, then the one-time code. Failures are counted per account,
 * password and code apart (so the second step cannot be hammered), and per client address.
 */
@Injectable()
export class SignInService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly sessions: SessionsService,
    private readonly seeds: SecretBox,
  ) {}

  async password(username: string, password: string, clientIp: string | null): Promise<SignInOutcome> {
    await this.checkClient(clientIp);
    const user = await this.db.getRepository(User).findOne({ where: { username: username.trim().toLowerCase() }, relations: { organisation: true } });
    if (!user || !user.passwordHash) {
      await verifyAgainstDummy(password);
      return this.fail(null, clientIp, 'UNKNOWN_USER');
    }
    const waiting = user.throttledUntil && user.throttledUntil.getTime() > clock.now().getTime();
    const correct = await verifyPassword(user.passwordHash, password);
    if (waiting) return this.fail(user, clientIp, 'ACCOUNT_THROTTLED');
    if (!correct) {
      const failures = user.failedPasswords + 1;
      await this.db.getRepository(User).update(user.id, { failedPasswords: failures, throttledUntil: this.until(failures) });
      return this.fail(user, clientIp, 'WRONG_PASSWORD');
    }
    if (!isUsable(user)) return this.fail(user, clientIp, user.lockedAt ? 'ACCOUNT_LOCKED' : `ACCOUNT_${user.status}`);
    if (!user.tokenKind || !user.totpSeed) return this.fail(user, clientIp, 'NO_TOKEN');
    await this.db.getRepository(User).update(user.id, { failedPasswords: 0 });
    return { ok: true, user, opened: await this.sessions.open(user, SessionStage.PASSWORD, clientIp) };
  }

  /** The second step, with the session the first step opened. A used time step is never accepted again. */
  async code(pendingToken: string | undefined, code: string, clientIp: string | null): Promise<SignInOutcome> {
    await this.checkClient(clientIp);
    const pending = await this.sessions.find(pendingToken, SessionStage.PASSWORD);
    if (!pending) return this.fail(null, clientIp, 'NO_PENDING_SESSION');
    const { user, session } = pending;
    if (user.throttledUntil && user.throttledUntil.getTime() > clock.now().getTime()) return this.fail(user, clientIp, 'ACCOUNT_THROTTLED');
    const result = verifyCode(this.seeds.open(user.totpSeed!), code, user.totpLastStep === null ? null : Number(user.totpLastStep), clock.now());
    if (!result.ok) {
      const failures = user.failedCodes + 1;
      await this.db.getRepository(User).update(user.id, { failedCodes: failures, throttledUntil: this.until(failures) });
      return this.fail(user, clientIp, 'WRONG_CODE');
    }
    const opened = await this.db.transaction(async (m) => {
      // Two requests with the same code at once: only one moves the last step forward.
      const [, claimed] = (await m.query(
        `UPDATE user_account SET totp_last_step = $2, failed_codes = 0, failed_passwords = 0, throttled_until = NULL, last_sign_in_at = now()
          WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)`,
        [user.id, result.step],
      )) as [unknown, number];
      if (claimed === 0) return null;
      await m.getRepository(Session).delete(session.id);
      return this.sessions.open(user, SessionStage.COMPLETE, clientIp, m);
    });
    return opened ? { ok: true, user, opened } : this.fail(user, clientIp, 'REPLAYED_CODE');
  }

  private until(failures: number): Date | null {
    const delay = delayAfter(failures);
    return delay > 0 ? new Date(clock.now().getTime() + delay) : null;
  }

  private async checkClient(clientIp: string | null): Promise<void> {
    if (!clientIp) return;
    const row = await this.db.getRepository(ClientThrottle).findOne({ where: { clientIp } });
    if (row?.throttledUntil && row.throttledUntil.getTime() > clock.now().getTime()) throw refused();
  }

  private async fail(user: User | null, clientIp: string | null, reason: string): Promise<SignInOutcome> {
    if (clientIp) {
      await this.db.query(
        `INSERT INTO client_throttle (client_ip, failures, window_start) VALUES ($1, 1, now())
         ON CONFLICT (client_ip) DO UPDATE SET
           failures = CASE WHEN client_throttle.window_start < now() - $2 * interval '1 millisecond' THEN 1 ELSE client_throttle.failures + 1 END,
           window_start = CASE WHEN client_throttle.window_start < now() - $2 * interval '1 millisecond' THEN now() ELSE client_throttle.window_start END,
           throttled_until = CASE WHEN client_throttle.window_start >= now() - $2 * interval '1 millisecond' AND client_throttle.failures + 1 >= $3
                                  THEN now() + $2 * interval '1 millisecond' ELSE client_throttle.throttled_until END`,
        [clientIp, CLIENT_WINDOW_MS, CLIENT_FAILURES],
      );
    }
    return { ok: false, user, reason };
  }
}

export { refused as signInRefused };
