import { isUUID } from 'class-validator';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource, EntityManager, In } from 'typeorm';
import { AuditAction, AuditSubjectType } from '../audit/audit-event.entity';
import { AuditService, byActor, SYSTEM_ACTOR } from '../audit/audit.service';
import { clock } from '../common/clock';
import { ErrorCode, FieldCode, invalid, notFound, ProblemError } from '../common/problem';
import { AppConfig } from '../config/app-config';
import { Location } from '../organisations/location.entity';
import { Organisation } from '../organisations/organisation.entity';
import { Actor } from '../kernel/actor';
import { ActivationMailer } from './activation-mailer';
import { SecretBox, parseHardwareSeed } from './credentials/totp';
import { HardwareToken } from './hardware-token.entity';
import { assertGrantable, Role, ROLES_BY_ORGANISATION } from './permissions';
import { SessionsService } from './sessions.service';
import { User, UserStatus } from './user.entity';
import { OrganisationType } from '../kernel/organisation-type';

export type ActivationKind = 'LINK' | 'LETTER';

/**
 * How the one-time activation reaches the person. MAIL: a link e-mailed to their address (LINK) or a code to print
 * (LETTER); SHOW: the link is handed back instead of mailed, for the operator's own first account on the command line.
 */
export type ActivationDelivery = 'MAIL' | 'SHOW';

export interface Activation {
  kind: ActivationKind;
  /** LINK: the address it was e-mailed to. */
  sentTo?: string;
  /** LINK on the command line: the one-time address itself. */
  url?: string;
  /** LETTER: the code to print with the username. Shown once. */
  code?: string;
  expiresAt: string;
}

export interface NewAccount {
  username: string;
  name: string;
  email: string;
  roles: string[];
  locationIds?: string[];
}

/** How an activation secret (link or letter code) is kept: its SHA-256, spaces and dashes dropped, case ignored. */
export const secretHash = (secret: string) => createHash('sha256').update(secret.replace(/[\s-]/g, '').toUpperCase(), 'utf8').digest();
const BASE32 = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'; // no 0/O, 1/I: a letter is typed over by hand

/**
 * What a beheerder does with the accounts of their own organisation: create, grant roles, hand out activation,
 * reset and revoke tokens, lock, unlock, end sessions, disable. A beheerder acts only within their organisation,
 * cannot grant a role they lack, and the last beheerder cannot remove themselves. The operator appoints the first
 * beheerder of an organisation.
 */
@Injectable()
export class AccountsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
    private readonly sessions: SessionsService,
    private readonly seeds: SecretBox,
    private readonly mailer: ActivationMailer,
    private readonly audit: AuditService,
  ) {}

  /** An entry in the actor's audit log about an account, in the transaction of the change. */
  private log(actor: Actor, action: AuditAction, user: User, m: EntityManager, details: Record<string, unknown> = {}): Promise<void> {
    return this.audit.record(byActor(actor, action, { subjectType: AuditSubjectType.USER, subjectId: user.id, details: { username: user.username, ...details } }), m);
  }

  list(organisationId: string): Promise<User[]> {
    return this.db.getRepository(User).find({ where: { organisationId }, order: { username: 'ASC' } });
  }

  async get(organisationId: string, id: string, m: EntityManager = this.db.manager): Promise<User> {
    const user = isUUID(id) ? await m.getRepository(User).findOne({ where: { id, organisationId }, relations: { organisation: true } }) : null;
    if (!user) throw notFound('Dit account bestaat niet.');
    return user;
  }

  /** A new account in the actor's organisation, with a one-time activation. */
  async create(actor: Actor, input: NewAccount, activation: ActivationKind): Promise<{ user: User; activation: Activation }> {
    const organisation = await this.db.getRepository(Organisation).findOneByOrFail({ id: actor.organisationId });
    await this.checkGrant(actor, organisation, input.roles, input.locationIds ?? []);
    return this.createIn(organisation, input, activation, 'MAIL', (user, m) => this.log(actor, AuditAction.USER_CREATED, user, m, { roles: user.roles }));
  }

  /**
   * The operator appoints the first (or another) beheerder of any organisation; `by` (the operator) is recorded in
   * that organisation's audit log.
   */
  async appoint(
    organisationCode: string, input: Omit<NewAccount, 'roles' | 'locationIds'>, activation: ActivationKind, delivery: ActivationDelivery = 'MAIL', by?: Actor,
  ) {
    const organisation = await this.db.getRepository(Organisation).findOne({ where: { code: organisationCode.toUpperCase() } });
    if (!organisation) throw notFound('Deze organisatie bestaat niet.');
    // The first beheerder gets every role of the organisation, so that they can hand each of them out
    // (a beheerder cannot grant a role they lack).
    const action = organisation.type === OrganisationType.OPERATOR ? AuditAction.OPERATOR_CREATED : AuditAction.USER_CREATED;
    return this.createIn(organisation, { ...input, roles: [...ROLES_BY_ORGANISATION[organisation.type]] }, activation, delivery, (user, m) => {
      const subject = { subjectType: AuditSubjectType.USER, subjectId: user.id };
      // By the operator in the portal or API; without `by`, on the server's command line.
      return this.audit.record(
        by
          ? { ...byActor(by, action, { ...subject, details: { username: user.username, roles: user.roles, appointedBy: 'operator' } }), organisationId: organisation.id }
          : { ...SYSTEM_ACTOR, organisationId: organisation.id, action, ...subject, details: { username: user.username, roles: user.roles, appointedBy: 'opdrachtregel' } },
        m,
      );
    });
  }

  /** The account and its activation (and the e-mail carrying it) exist together or not at all. */
  private async createIn(
    organisation: Organisation, input: NewAccount, kind: ActivationKind, delivery: ActivationDelivery, audit: (user: User, m: EntityManager) => Promise<void>,
  ) {
    const username = input.username.trim().toLowerCase();
    return this.db.transaction(async (m) => {
      if (await m.getRepository(User).exists({ where: { username } })) {
        throw invalid({ field: 'username', code: FieldCode.ALREADY_EXISTS, message: 'username: deze gebruikersnaam is al in gebruik' });
      }
      const user = await m.getRepository(User).save({
        organisationId: organisation.id,
        username,
        name: input.name,
        email: input.email.trim(),
        roles: [...new Set(input.roles)],
        locationIds: input.locationIds ?? [],
        status: UserStatus.PENDING,
      });
      const activation = await this.issueActivation(user, kind, delivery, m);
      await audit(user, m);
      return { user: await this.get(organisation.id, user.id, m), activation };
    });
  }

  /**
   * The beheerder corrects a person's name and e-mail address (audited, which fields, not their values); a changed
   * address is told at both addresses, in the same transaction.
   */
  async correctDetails(actor: Actor, id: string, details: { name: string; email: string }): Promise<User> {
    return this.db.transaction(async (m) => {
      const user = await this.get(actor.organisationId, id, m);
      const fields = (['name', 'email'] as const).filter((f) => (f === 'email' ? details.email.toLowerCase() !== user.email.toLowerCase() : details.name !== user.name));
      if (fields.length === 0) return user;
      await m.getRepository(User).update(user.id, { name: details.name, email: details.email });
      const changed = await this.get(actor.organisationId, id, m);
      if (fields.includes('email')) await this.mailer.addressChanged(m, changed, changed.organisation.name, user.email);
      await this.log(actor, AuditAction.USER_CHANGED, changed, m, { fields });
      return changed;
    });
  }

  async changeRoles(actor: Actor, id: string, roles: string[], locationIds: string[] | undefined): Promise<User> {
    return this.db.transaction(async (m) => {
      const user = await this.get(actor.organisationId, id, m);
      await this.checkGrant(actor, user.organisation, roles, locationIds ?? user.locationIds);
      // Taking a role away needs that role too: a beheerder cannot strip what they could not grant.
      await this.checkGrant(actor, user.organisation, user.roles.filter((r) => !roles.includes(r)), []);
      if (user.roles.includes(Role.BEHEERDER) && !roles.includes(Role.BEHEERDER)) await this.keepOneBeheerder(m, user);
      await m.getRepository(User).update(user.id, { roles: [...new Set(roles)], locationIds: locationIds ?? user.locationIds });
      await this.sessions.endAll(user.id, m);
      const changed = await this.get(actor.organisationId, id, m);
      await this.log(actor, AuditAction.ROLES_CHANGED, changed, m, { roles: changed.roles, locationIds: changed.locationIds });
      return changed;
    });
  }

  /** A new activation (link or letter) for an account that has not activated or lost its token; the previous one stops working. */
  async reissueActivation(actor: Actor, id: string, kind: ActivationKind): Promise<{ user: User; activation: Activation }> {
    return this.db.transaction(async (m) => {
      const user = await this.get(actor.organisationId, id, m);
      const activation = await this.issueActivation(user, kind, 'MAIL', m);
      await this.log(actor, AuditAction.ACTIVATION_ISSUED, user, m, { kind });
      return { user, activation };
    });
  }

  /** New token enrolment: the current token stops working, sessions end, and a new activation is handed out. */
  async resetToken(actor: Actor, id: string, kind: ActivationKind): Promise<{ user: User; activation: Activation }> {
    return this.db.transaction(async (m) => {
      const user = await this.dropToken(actor, id, m);
      const activation = await this.issueActivation(user, kind, 'MAIL', m);
      await this.log(actor, AuditAction.TOKEN_RESET, user, m);
      return { user, activation };
    });
  }

  async revokeToken(actor: Actor, id: string): Promise<User> {
    return this.db.transaction(async (m) => {
      const user = await this.dropToken(actor, id, m);
      await this.log(actor, AuditAction.TOKEN_REVOKED, user, m);
      return user;
    });
  }

  private async dropToken(actor: Actor, id: string, m: EntityManager): Promise<User> {
    const user = await this.get(actor.organisationId, id, m);
    if (user.hardwareTokenId) await m.getRepository(HardwareToken).update(user.hardwareTokenId, { revokedAt: new Date(), userId: null });
    await m.getRepository(User).update(user.id, { tokenKind: null, totpSeed: null, hardwareTokenId: null });
    await this.sessions.endAll(user.id, m);
    return this.get(actor.organisationId, id, m);
  }

  async lock(actor: Actor, id: string): Promise<User> {
    return this.db.transaction(async (m) => {
      const user = await this.get(actor.organisationId, id, m);
      if (user.id === actor.id) throw new ProblemError(ErrorCode.CONFLICT, 'U kunt uw eigen account niet blokkeren.');
      await m.getRepository(User).update(user.id, { lockedAt: user.lockedAt ?? new Date() });
      await this.sessions.endAll(user.id, m);
      await this.log(actor, AuditAction.USER_LOCKED, user, m);
      return this.get(actor.organisationId, id, m);
    });
  }

  /** Lifts a beheerder's lock and the waiting time after failed attempts. */
  async unlock(actor: Actor, id: string): Promise<User> {
    return this.db.transaction(async (m) => {
      const user = await this.get(actor.organisationId, id, m);
      await m.getRepository(User).update(user.id, { lockedAt: null, throttledUntil: null, failedPasswords: 0, failedCodes: 0 });
      await this.log(actor, AuditAction.USER_UNLOCKED, user, m);
      return this.get(actor.organisationId, id, m);
    });
  }

  async endSessions(actor: Actor, id: string): Promise<number> {
    return this.db.transaction(async (m) => {
      const user = await this.get(actor.organisationId, id, m);
      const ended = await this.sessions.endAll(user.id, m);
      await this.log(actor, AuditAction.SESSIONS_ENDED, user, m, { ended });
      return ended;
    });
  }

  async setDisabled(actor: Actor, id: string, disabled: boolean): Promise<User> {
    return this.db.transaction(async (m) => {
      const user = await this.get(actor.organisationId, id, m);
      if (disabled) {
        if (user.roles.includes(Role.BEHEERDER)) await this.keepOneBeheerder(m, user);
        await m.getRepository(User).update(user.id, { status: UserStatus.DISABLED });
        await this.sessions.endAll(user.id, m);
      } else if (user.status === UserStatus.DISABLED) {
        await m.getRepository(User).update(user.id, { status: user.tokenKind && user.passwordHash ? UserStatus.ACTIVE : UserStatus.PENDING });
      }
      await this.log(actor, disabled ? AuditAction.USER_DISABLED : AuditAction.USER_ENABLED, user, m);
      return this.get(actor.organisationId, id, m);
    });
  }

  /** A new one-time activation (link or letter code) for an account; an earlier one stops working. */
  async issueActivation(user: User, kind: ActivationKind, delivery: ActivationDelivery = 'MAIL', within?: EntityManager): Promise<Activation> {
    if (!within) return this.db.transaction((m) => this.issueActivation(user, kind, delivery, m));
    const expiresAt = new Date(clock.now().getTime() + this.config.ACTIVATION_HOURS * 3_600_000);
    const expires = expiresAt.toISOString();
    if (kind === 'LETTER') {
      const code = Array.from(randomBytes(16), (b) => BASE32[b % 32]).join('').match(/.{4}/g)!.join('-');
      await within.getRepository(User).update(user.id, { activationHash: secretHash(code), activationExpiresAt: expiresAt });
      return { kind, code, expiresAt: expires };
    }
    const secret = randomBytes(32).toString('base64url');
    const url = `${this.config.PUBLIC_URL}/activeren?code=${secret}`;
    await within.getRepository(User).update(user.id, { activationHash: secretHash(secret), activationExpiresAt: expiresAt });
    if (delivery === 'SHOW') return { kind, url, expiresAt: expires };
    // The link goes to the person alone, never through the beheerder's screen.
    const organisation = await within.getRepository(Organisation).findOneByOrFail({ id: user.organisationId });
    await this.mailer.send(within, user, organisation.name, url, expiresAt);
    return { kind, sentTo: user.email, expiresAt: expires };
  }

  /** The account an activation secret belongs to, while it is valid. */
  async findByActivation(secret: string, m: EntityManager = this.db.manager): Promise<User | null> {
    if (!secret || secret.length > 100) return null;
    const user = await m.getRepository(User).findOne({ where: { activationHash: secretHash(secret) }, relations: { organisation: true } });
    if (!user || !user.activationExpiresAt || user.activationExpiresAt.getTime() < clock.now().getTime() || user.status === UserStatus.DISABLED) return null;
    return user;
  }

  async registerHardwareToken(actor: Actor, serial: string, seedInput: string): Promise<HardwareToken> {
    const seed = parseHardwareSeed(seedInput);
    if (!seed) throw invalid({ field: 'seed', code: FieldCode.INVALID_FORMAT, message: 'seed: geen geldige seed (base32 of hex, minstens 20 bytes)' });
    const repo = this.db.getRepository(HardwareToken);
    if (await repo.exists({ where: { organisationId: actor.organisationId, serial } })) {
      throw invalid({ field: 'serial', code: FieldCode.ALREADY_EXISTS, message: `serial: token ${serial} is al geregistreerd` });
    }
    return this.db.transaction(async (m) => {
      const token = await m.getRepository(HardwareToken).save({ organisationId: actor.organisationId, serial, seed: this.seeds.seal(seed) });
      await this.audit.record(byActor(actor, AuditAction.TOKEN_REGISTERED, { subjectType: AuditSubjectType.HARDWARE_TOKEN, subjectId: token.id, details: { serial } }), m);
      return token;
    });
  }

  listHardwareTokens(organisationId: string): Promise<HardwareToken[]> {
    return this.db.getRepository(HardwareToken).find({ where: { organisationId }, order: { serial: 'ASC' } });
  }

  /** Hands a registered hardware token to an account; the person confirms it with a code when activating. */
  async assignHardwareToken(actor: Actor, userId: string, tokenId: string): Promise<User> {
    return this.db.transaction(async (m) => {
      const user = await this.get(actor.organisationId, userId, m);
      const token = isUUID(tokenId)
        ? await m.getRepository(HardwareToken).findOne({ where: { id: tokenId, organisationId: actor.organisationId } })
        : null;
      if (!token || token.revokedAt) throw invalid({ field: 'tokenId', code: FieldCode.UNKNOWN_ORGANISATION, message: 'tokenId: onbekend of ingetrokken token' });
      if (token.userId && token.userId !== user.id) throw invalid({ field: 'tokenId', code: FieldCode.ALREADY_EXISTS, message: 'tokenId: dit token is al in gebruik' });
      await m.getRepository(HardwareToken).update(token.id, { userId: user.id });
      await m.getRepository(User).update(user.id, { hardwareTokenId: token.id, tokenKind: null, totpSeed: token.seed });
      await this.sessions.endAll(user.id, m);
      await this.log(actor, AuditAction.TOKEN_ASSIGNED, user, m, { hardwareId: token.id });
      return this.get(actor.organisationId, userId, m);
    });
  }

  private async checkGrant(actor: Actor, organisation: Organisation, roles: string[], locationIds: readonly string[]): Promise<void> {
    // The granter's roles as they are now, not as they were when the session began.
    const own = actor.type === 'USER' ? await this.db.getRepository(User).findOneBy({ id: actor.id }) : null;
    assertGrantable({ roles: own?.roles ?? (actor.type === 'USER' ? [] : actor.roles) }, organisation.type, roles);
    if (locationIds.length > 0) {
      const found = await this.db.getRepository(Location).count({ where: { id: In([...locationIds]), schoolId: organisation.id } });
      if (found !== new Set(locationIds).size) {
        throw invalid({ field: 'locationIds', code: FieldCode.UNKNOWN_LOCATION, message: 'locationIds: niet alle locaties horen bij uw school' });
      }
    }
  }

  /** Refuses a change that would leave the organisation without an active beheerder. */
  private async keepOneBeheerder(m: EntityManager, leaving: User): Promise<void> {
    const others = await m
      .getRepository(User)
      .createQueryBuilder('u')
      .setLock('pessimistic_write')
      .where('u.organisationId = :org AND u.id <> :id AND u.status = :active AND :role = ANY(u.roles)', {
        org: leaving.organisationId,
        id: leaving.id,
        active: UserStatus.ACTIVE,
        role: Role.BEHEERDER,
      })
      .getMany();
    if (others.length === 0) {
      throw new ProblemError(ErrorCode.CONFLICT, 'Dit is de laatste beheerder van de organisatie; wijs eerst een andere beheerder aan.');
    }
  }
}
