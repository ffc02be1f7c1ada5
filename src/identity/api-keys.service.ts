import { isUUID } from 'class-validator';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource, IsNull } from 'typeorm';
import { Organisation } from '../organisations/organisation.entity';
import { AuditAction, AuditSubjectType } from '../audit/audit-event.entity';
import { AuditService, byActor } from '../audit/audit.service';
import { FieldCode, invalid, notFound } from '../common/problem';
import { Actor } from './actor';
import { ApiKey } from './api-key.entity';
import { DEFAULT_KEY_ROLES, permissionsOf, Role, ROLES_BY_ORGANISATION } from './permissions';

const KEY_PATTERN = /^vzl_([A-Za-z0-9]{8})_([A-Za-z0-9_-]{43})$/;

export interface IssuedKey {
  key: ApiKey;
  /** The secret, shown once and never stored. */
  secret: string;
}

@Injectable()
export class ApiKeysService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  static hash(secret: string): Buffer {
    return createHash('sha256').update(secret, 'utf8').digest();
  }

  async create(organisation: Organisation, name: string, roles?: string[]): Promise<IssuedKey> {
    const allowed = ROLES_BY_ORGANISATION[organisation.type];
    const chosen = roles && roles.length > 0 ? roles : [...DEFAULT_KEY_ROLES[organisation.type]];
    const wrong = chosen.filter((r) => !allowed.includes(r as Role));
    if (wrong.length > 0) {
      throw invalid({ field: 'roles', code: FieldCode.NOT_ALLOWED_VALUE, message: `roles: ${wrong.join(', ')} bestaat niet bij dit soort organisatie (mogelijk: ${allowed.join(', ')})` });
    }
    const prefix = randomBytes(6).toString('base64url').replace(/[-_]/g, 'x').slice(0, 8);
    const secret = `vzl_${prefix}_${randomBytes(32).toString('base64url')}`;
    const key = await this.db.getRepository(ApiKey).save({
      organisationId: organisation.id,
      name,
      prefix: `vzl_${prefix}`,
      hash: ApiKeysService.hash(secret),
      roles: chosen,
    });
    return { key, secret };
  }

  /** A beheerder makes a key for a system of their own organisation (API and portal alike); audited. */
  async createBy(actor: Actor, name: string, roles?: string[]): Promise<IssuedKey> {
    const organisation = await this.db.getRepository(Organisation).findOneByOrFail({ id: actor.organisationId });
    const issued = await this.create(organisation, name, roles);
    await this.audit.record(byActor(actor, AuditAction.API_KEY_CREATED, { subjectType: AuditSubjectType.API_KEY, subjectId: issued.key.id, details: { name, roles: issued.key.roles } }));
    return issued;
  }

  /** A beheerder revokes a key of their own organisation; audited. */
  async revokeBy(actor: Actor, id: string): Promise<ApiKey> {
    const key = await this.revoke(actor.organisationId, id);
    await this.audit.record(byActor(actor, AuditAction.API_KEY_REVOKED, { subjectType: AuditSubjectType.API_KEY, subjectId: key.id }));
    return key;
  }

  list(organisationId: string): Promise<ApiKey[]> {
    return this.db.getRepository(ApiKey).find({ where: { organisationId }, order: { createdAt: 'ASC' } });
  }

  async revoke(organisationId: string, id: string): Promise<ApiKey> {
    const repo = this.db.getRepository(ApiKey);
    const key = isUUID(id) ? await repo.findOne({ where: { id, organisationId } }) : null;
    if (!key) throw notFound('Deze sleutel bestaat niet.');
    if (!key.revokedAt) {
      key.revokedAt = new Date();
      await repo.save(key);
    }
    return key;
  }

  /** The caller a bearer key stands for, or null when it is unknown, malformed or revoked. */
  async authenticate(secret: string): Promise<Actor | null> {
    if (!KEY_PATTERN.test(secret)) return null;
    const key = await this.db
      .getRepository(ApiKey)
      .findOne({ where: { hash: ApiKeysService.hash(secret), revokedAt: IsNull() }, relations: { organisation: true } });
    if (!key || !key.organisation.active) return null;
    if (!key.lastUsedAt || Date.now() - key.lastUsedAt.getTime() > 60_000) {
      await this.db.getRepository(ApiKey).update(key.id, { lastUsedAt: new Date() });
    }
    return {
      type: 'API_KEY',
      id: key.id,
      name: `API-sleutel ${key.name}`,
      organisationId: key.organisationId,
      organisationType: key.organisation.type,
      organisationCode: key.organisation.code,
      permissions: permissionsOf(key.roles, true),
    };
  }
}
