import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { clock } from '../common/clock';
import { verifyAgainstDummy, verifyPassword } from './credentials/passwords';
import { SecretBox, verifyCode } from './credentials/totp';
import { OpenedSession, SessionsService, isUsable } from './sessions.service';
import { Session, SessionStage } from './session.entity';
import { User } from './user.entity';
import { AuditAction, AuditService, byActor } from '../audit/audit.service';
import { ErrorCode, ProblemError } from '../common/problem';
import { sameToken } from './access.guard';
import { AttemptsService } from './attempts.service';

export type SignInOutcome = { ok: true; user: User; opened: OpenedSession } | { ok: false; user: User | null; reason: string };

/**
 * Signing in, in two steps: username and password, then the one-time code. Attempts are counted per account,
 * password and code apart (so the second step cannot be hammered), and per client address, before each is checked
 * (AttemptsService). Every sign-in and every failure goes into the audit log, for the API and the portal alike.
 */
@Injectable()
export class SignInService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly sessions: SessionsService,
    private readonly seeds: SecretBox,
    private readonly audit: AuditService,
    private readonly attempts: AttemptsService,
  ) {}

  async password(username: string, password: string, clientIp: string | null): Promise<SignInOutcome> {
    await this.attempts.claimClient(clientIp);
    const user = await this.db.getRepository(User).findOne({ where: { username: username.trim().toLowerCase() }, relations: { organisation: true } });
    if (!user || !user.passwordHash) {
      await verifyAgainstDummy(password);
      return this.fail(null, clientIp, 'UNKNOWN_USER');
    }
    const claimed = await this.attempts.claimAccount(user, 'password', clientIp);
    // Checked even when the account waits, so that the time taken never tells an existing account from another.
    const correct = await verifyPassword(user.passwordHash, password);
    if (!claimed) return this.fail(user, clientIp, 'ACCOUNT_THROTTLED');
    if (!correct) return this.fail(user, clientIp, 'WRONG_PASSWORD');
    if (!isUsable(user)) return this.fail(user, clientIp, user.lockedAt ? 'ACCOUNT_LOCKED' : `ACCOUNT_${user.status}`);
    if (!user.tokenKind || !user.totpSeed) return this.fail(user, clientIp, 'NO_TOKEN');
    await this.attempts.passwordSucceeded(user.id);
    await this.attempts.clientSucceeded(clientIp);
    return { ok: true, user, opened: await this.sessions.open(user, SessionStage.PASSWORD, clientIp) };
  }

  /** The second step, with the session the first step opened. A used time step is never accepted again. */
  async code(pendingToken: string | undefined, code: string, clientIp: string | null): Promise<SignInOutcome> {
    await this.attempts.claimClient(clientIp);
    const pending = await this.sessions.find(pendingToken, SessionStage.PASSWORD);
    if (!pending) return this.fail(null, clientIp, 'NO_PENDING_SESSION');
    const { user, session } = pending;
    if (!(await this.attempts.claimAccount(user, 'code', clientIp))) return this.fail(user, clientIp, 'ACCOUNT_THROTTLED');
    const result = verifyCode(this.seeds.open(user.totpSeed!), code, user.totpLastStep === null ? null : Number(user.totpLastStep), clock.now());
    if (!result.ok) return this.fail(user, clientIp, 'WRONG_CODE');
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
    await this.attempts.clientSucceeded(clientIp);
    await this.audit.record({
      organisationId: user.organisationId, actorType: 'USER', actorId: user.id, actorName: user.name,
      action: AuditAction.SIGN_IN, outcome: 'SUCCESS', clientIp,
    });
    return { ok: true, user, opened };
  }

  private async fail(user: User | null, clientIp: string | null, reason: string): Promise<SignInOutcome> {
    // A failed attempt goes into the log of the account's organisation; one for a username that does not exist into
    // the operator's (national) log. The typed username is not kept: it may be a password typed in the wrong box.
    await this.audit.record({
      organisationId: user?.organisationId ?? (await this.attempts.operatorId()), actorType: user ? 'USER' : 'ANONYMOUS', actorId: user?.id ?? null,
      actorName: user?.name ?? '(onbekend)', action: AuditAction.SIGN_IN_FAILED, subjectType: user ? 'USER' : null, subjectId: user?.id ?? null,
      outcome: 'FAILURE', clientIp, details: { reason },
    });
    return { ok: false, user, reason };
  }

  /**
   * Ends the signed-in session of this cookie, if any, and logs the sign-out. The request must carry the session's
   * CSRF token, so that another site cannot sign a person out; without a valid session there is nothing to end.
   */
  async signOut(token: string | undefined, csrfSent: unknown, clientIp: string | null): Promise<void> {
    const found = await this.sessions.find(token, SessionStage.COMPLETE);
    if (!found) return;
    if (!sameToken(csrfSent, found.session.csrfToken)) {
      const actor = this.sessions.actorOf(found.user, found.session);
      await this.audit.record(byActor(actor, AuditAction.CSRF_REJECTED, { outcome: 'DENIED', clientIp, details: { route: 'afmelden' } }));
      throw new ProblemError(ErrorCode.CSRF_TOKEN_INVALID, 'Stuur het CSRF-token van de sessie mee om af te melden.');
    }
    await this.sessions.end(found.session.id);
    await this.audit.record({
      organisationId: found.user.organisationId, actorType: 'USER', actorId: found.user.id, actorName: found.user.name,
      action: AuditAction.SIGN_OUT, outcome: 'SUCCESS', clientIp,
    });
  }
}
