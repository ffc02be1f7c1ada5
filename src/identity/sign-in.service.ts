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
import { AuditAction, AuditService } from '../audit/audit.service';
import { Organisation, OrganisationType } from '../organisations/organisation.entity';

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
 * password and code apart (so the second step cannot be hammered), and per client address. Every sign-in and every
 * failure goes into the audit log, for the API and the portal alike.
 */
@Injectable()
export class SignInService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly sessions: SessionsService,
    private readonly seeds: SecretBox,
    private readonly audit: AuditService,
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
    if (!opened) return this.fail(user, clientIp, 'REPLAYED_CODE');
    await this.audit.record({
      organisationId: user.organisationId, actorType: 'USER', actorId: user.id, actorName: user.name,
      action: AuditAction.SIGN_IN, outcome: 'SUCCESS', clientIp,
    });
    return { ok: true, user, opened };
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
    // A failed attempt goes into the log of the account's organisation; one for a username that does not exist into
    // the operator's (national) log. The typed username is not kept: it may be a password typed in the wrong box.
    await this.audit.record({
      organisationId: user?.organisationId ?? (await this.operatorId()), actorType: user ? 'USER' : 'ANONYMOUS', actorId: user?.id ?? null,
      actorName: user?.name ?? '(onbekend)', action: AuditAction.SIGN_IN_FAILED, subjectType: user ? 'USER' : null, subjectId: user?.id ?? null,
      outcome: 'FAILURE', clientIp, details: { reason },
    });
    return { ok: false, user, reason };
  }

  /** Ends the signed-in session of this cookie, if any, and logs the sign-out. */
  async signOut(token: string | undefined, clientIp: string | null): Promise<void> {
    const found = await this.sessions.find(token, SessionStage.COMPLETE);
    if (!found) return;
    await this.sessions.end(found.session.id);
    await this.audit.record({
      organisationId: found.user.organisationId, actorType: 'USER', actorId: found.user.id, actorName: found.user.name,
      action: AuditAction.SIGN_OUT, outcome: 'SUCCESS', clientIp,
    });
  }

  private operator: string | null = null;
  private async operatorId(): Promise<string> {
    this.operator ??= (await this.db.getRepository(Organisation).findOneByOrFail({ type: OrganisationType.OPERATOR })).id;
    return this.operator;
  }
}

export { refused as signInRefused };
