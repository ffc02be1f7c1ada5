import { Injectable } from '@nestjs/common';
import { AuditAction, AuditService } from '../audit/audit.service';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { clock } from '../common/clock';
import { ErrorCode, invalid, ProblemError } from '../common/problem';
import { AccountsService } from './accounts.service';
import { AttemptsService } from './attempts.service';
import { checkPasswordPolicy, hashPassword, verifyPassword } from './credentials/passwords';
import { newSecret, otpauthUri, qrCodeSvg, SecretBox, verifyCode } from './credentials/totp';
import { HardwareToken } from './hardware-token.entity';
import { TokenKind, User, UserStatus } from './user.entity';

export interface Enrolment {
  username: string;
  token: TokenKind;
  /** APP: what the authenticator app scans (otpauth URI), as a QR code (SVG) and as text for typing in. */
  otpauthUri?: string;
  qrSvg?: string;
  secret?: string;
  /** HARDWARE: the serial number of the token the beheerder handed out. */
  serial?: string;
}

/** A first activation (never active) whose password step was done: it goes on where it was left, until it expires. */
function resumes(user: User): boolean {
  return user.status === UserStatus.PENDING && user.passwordHash !== null;
}

function tooManyAttempts(): ProblemError {
  return new ProblemError(ErrorCode.TOO_MANY_REQUESTS, 'Er waren te veel mislukte pogingen. Wacht een paar minuten en probeer het dan opnieuw, of vraag uw beheerder om hulp.');
}

function invalidActivation(): ProblemError {
  return new ProblemError(ErrorCode.NOT_FOUND, 'Deze activeringscode is onbekend, al gebruikt of verlopen. Vraag uw beheerder om een nieuwe.');
}

/**
 * A person activates the account the beheerder made: with the one-time link or letter code they set a password
 * (or confirm theirs after a token reset), enrol an authenticator app by scanning a QR code or take the hardware
 * token they were given, and confirm with a first code. The activation code then stops working.
 */
@Injectable()
export class ActivationService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly accounts: AccountsService,
    private readonly seeds: SecretBox,
    private readonly audit: AuditService,
    private readonly attempts: AttemptsService,
  ) {}

  /** Who the code belongs to and what is still to do, without changing anything. */
  async inspect(secret: string): Promise<{ username: string; name: string; organisation: string; needsPassword: boolean; resumes: boolean; token: TokenKind }> {
    const user = await this.accounts.findByActivation(secret);
    if (!user) throw invalidActivation();
    return {
      username: user.username,
      name: user.name,
      organisation: user.organisation.name,
      needsPassword: !user.passwordHash,
      resumes: resumes(user),
      token: user.hardwareTokenId ? TokenKind.HARDWARE : TokenKind.APP,
    };
  }

  /**
   * Step 1: the password (new, or the current one after a token reset), then the token to enrol. The current password
   * is a secret like at sign-in: its attempts count against the account and the address (AttemptsService), and each
   * failure is logged, so that whoever holds a letter code cannot guess the person's password.
   */
  async start(secret: string, password: string, clientIp: string | null = null): Promise<Enrolment> {
    await this.attempts.claimClient(clientIp);
    const user = await this.accounts.findByActivation(secret);
    if (!user) throw await this.failed(null, clientIp, 'UNKNOWN_ACTIVATION', invalidActivation());
    // A first activation left after the password step goes on at the token, without the password: whoever holds the
    // code chose it in this activation, so asking it again protects nothing (and it may be forgotten).
    const resuming = resumes(user) && password === '';
    if (user.passwordHash && !resuming) {
      const claimed = await this.attempts.claimAccount(user, 'password', clientIp);
      const correct = await verifyPassword(user.passwordHash, password);
      if (!claimed) throw await this.failed(user, clientIp, 'ACCOUNT_THROTTLED', tooManyAttempts());
      if (!correct) {
        throw await this.failed(user, clientIp, 'WRONG_PASSWORD', invalid({ field: 'password', code: 'WRONG_PASSWORD', message: 'password: dit is niet uw huidige wachtwoord' }));
      }
      await this.attempts.passwordSucceeded(user.id);
    }
    // The secrets were right: a refusal of the new password below is a choice to make again, not a guess.
    await this.attempts.clientSucceeded(clientIp);
    if (!user.passwordHash) {
      const problems = checkPasswordPolicy(password, { username: user.username, name: user.name, email: user.email });
      if (problems.length > 0) throw invalid(...problems);
      await this.db.getRepository(User).update(user.id, { passwordHash: await hashPassword(password) });
    }
    if (user.hardwareTokenId) {
      const token = await this.db.getRepository(HardwareToken).findOneByOrFail({ id: user.hardwareTokenId });
      return { username: user.username, token: TokenKind.HARDWARE, serial: token.serial };
    }
    // Resuming keeps the secret already shown, so that an app that scanned it before still gives the right codes.
    const seed = resuming && user.totpSeed ? this.seeds.open(user.totpSeed) : newSecret();
    if (!resuming || !user.totpSeed) await this.db.getRepository(User).update(user.id, { totpSeed: this.seeds.seal(seed), tokenKind: null });
    const uri = otpauthUri(seed, user.username);
    return { username: user.username, token: TokenKind.APP, otpauthUri: uri, qrSvg: await qrCodeSvg(uri), secret: seed };
  }

  /** Step 2: a first code from the app or token proves the enrolment; the account is active. */
  async confirm(secret: string, code: string, clientIp: string | null): Promise<{ username: string }> {
    await this.attempts.claimClient(clientIp);
    const user = await this.accounts.findByActivation(secret);
    if (!user) throw await this.failed(null, clientIp, 'UNKNOWN_ACTIVATION', invalidActivation());
    if (!user.passwordHash || !user.totpSeed) {
      throw new ProblemError(ErrorCode.CONFLICT, 'Stel eerst een wachtwoord in en koppel een token.');
    }
    if (!(await this.attempts.claimAccount(user, 'code', clientIp))) throw await this.failed(user, clientIp, 'ACCOUNT_THROTTLED', tooManyAttempts());
    const result = verifyCode(this.seeds.open(user.totpSeed), code, user.totpLastStep === null ? null : Number(user.totpLastStep), clock.now());
    if (!result.ok) {
      throw await this.failed(user, clientIp, 'WRONG_CODE', invalid({ field: 'code', code: 'WRONG_CODE', message: 'code: deze code klopt niet; neem de code die nu in de app of op het token staat' }));
    }
    await this.db.getRepository(User).update(user.id, {
      tokenKind: user.hardwareTokenId ? TokenKind.HARDWARE : TokenKind.APP,
      totpLastStep: String(result.step),
      status: user.status === UserStatus.DISABLED ? UserStatus.DISABLED : UserStatus.ACTIVE,
      activationHash: null,
      activationExpiresAt: null,
      failedCodes: 0,
      failedPasswords: 0,
      throttledUntil: null,
    });
    await this.attempts.clientSucceeded(clientIp);
    await this.audit.record({
      organisationId: user.organisationId, actorType: 'USER', actorId: user.id, actorName: user.name,
      action: AuditAction.ACCOUNT_ACTIVATED, subjectType: 'USER', subjectId: user.id, outcome: 'SUCCESS', clientIp,
    });
    return { username: user.username };
  }

  /** Logs a failed activation step (in the account's log, or the operator's for an unknown code) and gives the refusal. */
  private async failed(user: User | null, clientIp: string | null, reason: string, refusal: ProblemError): Promise<ProblemError> {
    await this.audit.record({
      organisationId: user?.organisationId ?? (await this.attempts.operatorId()), actorType: user ? 'USER' : 'ANONYMOUS', actorId: user?.id ?? null,
      actorName: user?.name ?? '(onbekend)', action: AuditAction.ACTIVATION_FAILED, subjectType: user ? 'USER' : null, subjectId: user?.id ?? null,
      outcome: 'FAILURE', clientIp, details: { reason },
    });
    return refusal;
  }
}
