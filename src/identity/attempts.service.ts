import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditAction, AuditService } from '../audit/audit.service';
import { ErrorCode, ProblemError } from '../common/problem';
import { Organisation } from '../organisations/organisation.entity';
import { User } from './user.entity';
import { OrganisationType } from '../kernel/organisation-type';

/** Failures an account may have before it has to wait; each further one doubles the wait. */
export const ACCOUNT_FAILURES_BEFORE_DELAY = 10;
/** Failures from one client address within the window before that address has to wait. */
export const CLIENT_FAILURES = 30;
export const CLIENT_WINDOW_MS = 15 * 60_000;
const FIRST_DELAY_MS = 60_000;
const MAX_DELAY_MS = 24 * 3_600_000;

/** The wait after `failures` failures of one kind on an account: none before the limit, then 1, 2, 4 ... minutes, at most a day. */
export function delayAfter(failures: number): number {
  if (failures < ACCOUNT_FAILURES_BEFORE_DELAY) return 0;
  return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.min(failures - ACCOUNT_FAILURES_BEFORE_DELAY, 30));
}

/** One answer for every failure, so that it never tells whether a username exists or which step failed why. */
export function signInRefused(): ProblemError {
  return new ProblemError(
    ErrorCode.UNAUTHENTICATED,
    'Aanmelden is niet gelukt: gebruikersnaam, wachtwoord of code klopt niet, of er waren te veel pogingen. Probeer het later opnieuw.',
  );
}

/** The counter of an account that a check of a secret counts against: its password, or its one-time code. */
export type Secret = 'password' | 'code';

/** Counts one attempt at a secret, unless the account waits; starts the wait when the count reaches the limit. */
const claimAccount = (column: 'failed_passwords' | 'failed_codes') => `UPDATE user_account SET ${column} = ${column} + 1,
     throttled_until = CASE WHEN ${column} + 1 >= $2
       THEN now() + LEAST($3::bigint, $4::bigint * power(2, LEAST(${column} + 1 - $2, 30))::bigint) * interval '1 millisecond'
       ELSE throttled_until END
   WHERE id = $1 AND (throttled_until IS NULL OR throttled_until <= now())
   RETURNING ${column} AS failures`;
const CLAIM_ACCOUNT: Record<Secret, string> = { password: claimAccount('failed_passwords'), code: claimAccount('failed_codes') };

/**
 * Counts attempts at a secret (a password, a one-time code), per account and per client address, so that guessing
 * stops after a few tries however many requests arrive at once. Each attempt is counted BEFORE its secret is checked,
 * in one statement (`UPDATE ... SET n = n + 1 ... RETURNING`), and checked against the limit after counting: of any
 * number of simultaneous attempts at most the limit are checked. A success gives its count back (the address) or
 * clears it (the account), so that only failures remain.
 *
 * The account's wait (throttled_until) is shared by its two counters: a password guessed too often also blocks the
 * code step, and the other way round.
 */
@Injectable()
export class AttemptsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** Counts an attempt from this address; refuses it (and every other from there) once the address has had too many. */
  async claimClient(clientIp: string | null): Promise<void> {
    if (!clientIp) return;
    const [row]: { failures: number; throttled: boolean }[] = await this.db.query(
      `INSERT INTO client_throttle (client_ip, failures, window_start) VALUES ($1, 1, now())
       ON CONFLICT (client_ip) DO UPDATE SET
         failures = CASE WHEN client_throttle.window_start < now() - $2 * interval '1 millisecond' THEN 1 ELSE client_throttle.failures + 1 END,
         window_start = CASE WHEN client_throttle.window_start < now() - $2 * interval '1 millisecond' THEN now() ELSE client_throttle.window_start END,
         throttled_until = CASE
           WHEN client_throttle.throttled_until > now() THEN client_throttle.throttled_until
           WHEN client_throttle.window_start >= now() - $2 * interval '1 millisecond' AND client_throttle.failures + 1 > $3 THEN now() + $2 * interval '1 millisecond'
           ELSE client_throttle.throttled_until END
       RETURNING failures, COALESCE(throttled_until > now(), false) AS throttled`,
      [clientIp, CLIENT_WINDOW_MS, CLIENT_FAILURES],
    );
    if (!row.throttled && row.failures <= CLIENT_FAILURES) return;
    if (row.failures === CLIENT_FAILURES + 1) {
      // The moment the address starts to wait: in the operator's (national) log, since no organisation is known.
      await this.audit.record({
        organisationId: await this.operatorId(), actorType: 'ANONYMOUS', actorName: '(onbekend)', action: AuditAction.SIGN_IN_THROTTLED,
        outcome: 'DENIED', clientIp, details: { reason: 'CLIENT', failures: row.failures },
      });
    }
    throw signInRefused();
  }

  /** The attempt from this address succeeded: it no longer counts as a failure. */
  async clientSucceeded(clientIp: string | null): Promise<void> {
    if (clientIp) await this.db.query('UPDATE client_throttle SET failures = GREATEST(failures - 1, 0) WHERE client_ip = $1', [clientIp]);
  }

  /**
   * Counts an attempt at the account's password or code; false when the account is waiting (the attempt must be
   * refused without effect). Reaching the limit starts the wait, logged once as SIGN_IN_THROTTLED.
   */
  async claimAccount(user: User, secret: Secret, clientIp: string | null): Promise<boolean> {
    const [rows] = (await this.db.query(CLAIM_ACCOUNT[secret], [user.id, ACCOUNT_FAILURES_BEFORE_DELAY, MAX_DELAY_MS, FIRST_DELAY_MS])) as [{ failures: number }[], number];
    const claimed = rows[0];
    if (!claimed) return false;
    if (claimed.failures >= ACCOUNT_FAILURES_BEFORE_DELAY) {
      await this.audit.record({
        organisationId: user.organisationId, actorType: 'USER', actorId: user.id, actorName: user.name, action: AuditAction.SIGN_IN_THROTTLED,
        subjectType: 'USER', subjectId: user.id, outcome: 'DENIED', clientIp, details: { reason: secret === 'password' ? 'PASSWORD' : 'CODE', failures: claimed.failures },
      });
    }
    return true;
  }

  /** The password was right: its count starts again, and so does a wait that only password failures started. */
  async passwordSucceeded(userId: string): Promise<void> {
    await this.db.query(
      `UPDATE user_account SET failed_passwords = 0, throttled_until = CASE WHEN failed_codes >= $2 THEN throttled_until ELSE NULL END WHERE id = $1`,
      [userId, ACCOUNT_FAILURES_BEFORE_DELAY],
    );
  }

  private operator: string | null = null;
  /** The operator's organisation, whose log holds what belongs to no organisation (unknown usernames, addresses). */
  async operatorId(): Promise<string> {
    this.operator ??= (await this.db.getRepository(Organisation).findOneByOrFail({ type: OrganisationType.OPERATOR })).id;
    return this.operator;
  }
}
