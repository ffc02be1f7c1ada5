import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuditAction, AuditSubjectType } from '../audit/audit-event.entity';
import { AuditService } from '../audit/audit.service';
import { clock } from '../common/clock';
import { ErrorCode, FieldCode, invalid, ProblemError } from '../common/problem';
import { AppConfig } from '../config/app-config';
import { OrganisationType } from '../kernel/organisation-type';
import { Organisation } from '../organisations/organisation.entity';
import { AccountsService, secretHash } from './accounts.service';
import { ActivationService, Enrolment } from './activation.service';
import { checkPasswordPolicy } from './credentials/passwords';
import { FirstRunLink } from './first-run-link.entity';
import { ROLES_BY_ORGANISATION } from './permissions';
import { User, UserStatus } from './user.entity';

/** How long a first-run link works. */
export const FIRST_RUN_MINUTES = 60;
export const FIRST_RUN_PATH = '/eerste-start/';
/** What a token looks like (32 random bytes, base64url): anything else is not looked up. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

const linkHash = (token: string) => createHash('sha256').update(token, 'utf8').digest();

/** What the first-run page shows for a token. */
export type FirstRunState =
  /** The link works: the form for the first operator. */
  | { kind: 'OPEN' }
  /** The link's account was made and waits for its token: the activation goes on (same QR code). */
  | { kind: 'RESUME' }
  /** Someone can already sign in as operator, or holds a valid activation for it: whatever the token. */
  | { kind: 'SET_UP' }
  /** Nobody is set up, but this link does not work (unknown, used or expired): a restart prints a new one. */
  | { kind: 'INVALID' };

export interface FirstOperator {
  username: string;
  name: string;
  email: string;
}

export class FirstRunClosed extends ProblemError {
  constructor(readonly setUp: boolean) {
    super(ErrorCode.NOT_FOUND, setUp ? 'Verzuimloket is al ingericht.' : 'Deze link werkt niet (meer).');
  }
}

/**
 * The first start (ADR 0012). With no operator who can get in, each start prints a fresh one-time link in the log
 * (valid FIRST_RUN_MINUTES; older links stop working). Its page makes the first operator account and hands over to the
 * activation's own steps (password, token enrolment, first code), with the link's token as the activation code; when
 * the code is confirmed the account is active and the link is dead. The command line's create-operator stays.
 */
@Injectable()
export class FirstRunService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
    private readonly accounts: AccountsService,
    private readonly activation: ActivationService,
    private readonly audit: AuditService,
  ) {}

  /**
   * Whether someone can get in as operator: an active account, or one whose activation (a link or letter from the
   * command line, or a first run under way) is still valid. A disabled one, or one whose activation ran out, does not count.
   */
  async isSetUp(m: EntityManager = this.db.manager): Promise<boolean> {
    const [row]: { set_up: boolean }[] = await m.query(
      `SELECT EXISTS (SELECT 1 FROM user_account u JOIN organisation o ON o.id = u.organisation_id
                       WHERE o.type = 'OPERATOR' AND (u.status = 'ACTIVE' OR (u.status = 'PENDING' AND u.activation_expires_at > $1))) AS set_up`,
      [clock.now()],
    );
    return row.set_up;
  }

  /**
   * At a start: when nobody can get in as operator, a new link (older ones are removed); else nothing. Serialised on
   * the operator organisation's row, so that instances starting at once do not each make one that the other voids.
   */
  async issueIfNeeded(): Promise<{ url: string; expiresAt: Date } | null> {
    return this.db.transaction(async (m) => {
      await this.lockOperatorOrganisation(m);
      if (await this.isSetUp(m)) return null;
      await m.query('DELETE FROM first_run_link');
      let token = randomBytes(32).toString('base64url');
      // The log masks a run of nine digits (it could be a BSN): such a token would print unusable.
      while (/\d{9}/.test(token)) token = randomBytes(32).toString('base64url');
      const expiresAt = new Date(clock.now().getTime() + FIRST_RUN_MINUTES * 60_000);
      await m.getRepository(FirstRunLink).insert({ tokenHash: linkHash(token), expiresAt });
      return { url: `${this.config.PUBLIC_URL}${FIRST_RUN_PATH}${token}`, expiresAt };
    });
  }

  /**
   * At a start (src/main.ts): a new link when nobody can get in as operator, in one line of the log at info level.
   * That line is the only place the token is ever written (test/log-secrets.e2e-spec.ts checks it).
   */
  async announce(logger = new Logger('Eerste start')): Promise<boolean> {
    const link = await this.issueIfNeeded();
    if (!link) return false;
    const until = link.expiresAt.toLocaleTimeString('nl-NL', { timeZone: 'Europe/Amsterdam', hour: '2-digit', minute: '2-digit' });
    logger.log(`Er is nog geen account voor functioneel beheer. Maak het aan in de browser, met deze eenmalige link (geldig tot ${until}): ${link.url}`);
    return true;
  }

  /** What the page for this token shows. Never an error: a hostile token is just not a working link. */
  async state(token: string): Promise<FirstRunState> {
    if (!TOKEN.test(token)) return { kind: (await this.isSetUp()) ? 'SET_UP' : 'INVALID' };
    const pending = await this.accounts.findByActivation(token);
    if (pending && pending.organisation.type === OrganisationType.OPERATOR && pending.status === UserStatus.PENDING) return { kind: 'RESUME' };
    if (await this.isSetUp()) return { kind: 'SET_UP' };
    return { kind: (await this.findOpenLink(this.db.manager, token)) ? 'OPEN' : 'INVALID' };
  }

  /**
   * The page's first step: the first operator account (with every operator role), its password, and the token to
   * enrol, as the activation's first step gives it. Taking the link, checking that nobody is set up and making the
   * account are one transaction on the operator organisation's locked row: two browsers at once make one account.
   */
  async begin(token: string, input: FirstOperator, password: string, clientIp: string | null): Promise<Enrolment> {
    const username = input.username.trim().toLowerCase();
    const problems = checkPasswordPolicy(password, { username, name: input.name, email: input.email });
    if (problems.length > 0) throw invalid(...problems);
    await this.db.transaction(async (m) => {
      const organisation = await this.lockOperatorOrganisation(m);
      if (!TOKEN.test(token)) throw new FirstRunClosed(await this.isSetUp(m));
      if (await this.isSetUp(m)) throw new FirstRunClosed(true);
      const link = await this.findOpenLink(m, token, true);
      if (!link) throw new FirstRunClosed(false);
      const users = m.getRepository(User);
      const taken = await users.findOne({ where: { username } });
      // An operator account begun earlier whose activation ran out (an abandoned first run) gives its name up.
      const abandoned = taken && taken.organisationId === organisation.id && taken.status === UserStatus.PENDING;
      if (taken && !abandoned) throw invalid({ field: 'username', code: FieldCode.ALREADY_EXISTS, message: 'username: deze gebruikersnaam is al in gebruik' });
      const fields = {
        organisationId: organisation.id, username, name: input.name.trim(), email: input.email.trim(), roles: [...ROLES_BY_ORGANISATION[OrganisationType.OPERATOR]],
        status: UserStatus.PENDING, passwordHash: null, totpSeed: null, tokenKind: null, totpLastStep: null,
        activationHash: secretHash(token), activationExpiresAt: link.expiresAt,
      };
      const user = abandoned ? { ...taken, ...fields } : users.create(fields);
      await users.save(user);
      await m.getRepository(FirstRunLink).update(link.id, { usedAt: clock.now(), userId: user.id });
      await this.audit.record({
        organisationId: organisation.id, actorType: 'USER', actorId: user.id, actorName: user.name, action: AuditAction.OPERATOR_CREATED,
        subjectType: AuditSubjectType.USER, subjectId: user.id, clientIp, details: { username, roles: user.roles, appointedBy: 'eerste-start' },
      }, m);
    });
    // From here on the token is the account's activation code: the activation's own first step sets the password.
    return this.activation.start(token, password, clientIp);
  }

  private async findOpenLink(m: EntityManager, token: string, lock = false): Promise<FirstRunLink | null> {
    const query = m.getRepository(FirstRunLink).createQueryBuilder('l')
      .where('l.tokenHash = :hash AND l.usedAt IS NULL AND l.expiresAt > :now', { hash: linkHash(token), now: clock.now() });
    return (lock ? query.setLock('pessimistic_write') : query).getOne();
  }

  private async lockOperatorOrganisation(m: EntityManager): Promise<Organisation> {
    return m.getRepository(Organisation).createQueryBuilder('o').setLock('pessimistic_write').where('o.type = :type', { type: OrganisationType.OPERATOR }).getOneOrFail();
  }
}
