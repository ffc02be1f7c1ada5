import { isUUID } from 'class-validator';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { Organisation } from '../organisations/organisation.entity';
import { AuditAction, AuditSubjectType } from '../audit/audit-event.entity';
import { AuditService, byActor, SYSTEM_ACTOR } from '../audit/audit.service';
import { FieldCode, invalid, notFound } from '../common/problem';
import { Actor } from '../kernel/actor';
import { ApiKey } from './api-key.entity';
import { AppConfig } from '../config/app-config';
import { preparedQuery } from '../common/prepared-query';
import { OrganisationType } from '../kernel/organisation-type';
import { countHitSql, CountedHit, EVERY_REQUEST, HitRow, limitKey, recordOf } from './rate-limit';
import { assertGrantable, permissionsOf } from './permissions';

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
    private readonly config: AppConfig,
  ) {}

  static hash(secret: string): Buffer {
    return createHash('sha256').update(secret, 'utf8').digest();
  }

  /**
   * A key for a system of the organisation, with the roles chosen for it: each must exist in this kind of
   * organisation and, when a person makes the key (`by`), be one of their own. The key and its audit entry are
   * stored together or not at all. Without `by`: the operator's command line on the server.
   */
  async create(organisation: Organisation, name: string, roles: readonly string[], by?: Actor): Promise<IssuedKey> {
    if (roles.length === 0) throw invalid({ field: 'roles', code: FieldCode.REQUIRED, message: 'roles: kies minstens één rol' });
    assertGrantable(by ?? null, organisation.type, roles);
    const prefix = randomBytes(6).toString('base64url').replace(/[-_]/g, 'x').slice(0, 8);
    const secret = `vzl_${prefix}_${randomBytes(32).toString('base64url')}`;
    const key = await this.db.transaction(async (m) => {
      const saved = await m.getRepository(ApiKey).save({
        organisationId: organisation.id,
        name,
        prefix: `vzl_${prefix}`,
        hash: ApiKeysService.hash(secret),
        roles: [...new Set(roles)],
      });
      const details = { name, roles: saved.roles };
      await this.audit.record(
        by
          ? byActor(by, AuditAction.API_KEY_CREATED, { subjectType: AuditSubjectType.API_KEY, subjectId: saved.id, details })
          : { ...SYSTEM_ACTOR, organisationId: organisation.id, action: AuditAction.API_KEY_CREATED, subjectType: AuditSubjectType.API_KEY, subjectId: saved.id, details },
        m,
      );
      return saved;
    });
    return { key, secret };
  }

  /** A beheerder makes a key for a system of their own organisation (API and portal alike). */
  async createBy(actor: Actor, name: string, roles: readonly string[]): Promise<IssuedKey> {
    const organisation = await this.db.getRepository(Organisation).findOneByOrFail({ id: actor.organisationId });
    return this.create(organisation, name, roles, actor);
  }

  /** A beheerder revokes a key of their own organisation; the revocation and its audit entry go together. */
  async revokeBy(actor: Actor, id: string): Promise<ApiKey> {
    return this.db.transaction(async (m) => {
      const key = await this.revoke(actor.organisationId, id, m);
      await this.audit.record(byActor(actor, AuditAction.API_KEY_REVOKED, { subjectType: AuditSubjectType.API_KEY, subjectId: key.id }), m);
      return key;
    });
  }

  list(organisationId: string): Promise<ApiKey[]> {
    return this.db.getRepository(ApiKey).find({ where: { organisationId }, order: { createdAt: 'ASC' } });
  }

  async revoke(organisationId: string, id: string, m: EntityManager = this.db.manager): Promise<ApiKey> {
    const repo = m.getRepository(ApiKey);
    const key = isUUID(id) ? await repo.findOne({ where: { id, organisationId } }) : null;
    if (!key) throw notFound('Deze sleutel bestaat niet.');
    if (!key.revokedAt) {
      key.revokedAt = new Date();
      await repo.save(key);
    }
    return key;
  }

  /**
   * The caller a bearer key stands for, or null when it is unknown, malformed or revoked (or its organisation is
   * deactivated). ONE statement: the key with its organisation, its last use (written at most once a minute), and
   * the request's hit against the limit every request counts against (EVERY_REQUEST), which the rate limit guard
   * then decides on (noteCounted) instead of counting it in a statement of its own.
   */
  async authenticate(secret: string): Promise<{ actor: Actor; hit: CountedHit } | null> {
    if (!KEY_PATTERN.test(secret)) return null;
    const limit = this.config.RATE_LIMIT_PER_MINUTE;
    const [key] = await preparedQuery<{ id: string; name: string; organisation_id: string; roles: string[]; type: OrganisationType; code: string } & HitRow>(
      this.db,
      `WITH k AS (
         SELECT k.id, k.name, k.organisation_id, k.roles, o.type, o.code
           FROM api_key k JOIN organisation o ON o.id = k.organisation_id
          WHERE k.hash = $1 AND k.revoked_at IS NULL AND o.active),
       u AS (UPDATE api_key SET last_used_at = now() WHERE id IN (SELECT id FROM k) AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')),
       c AS (${countHitSql('$2::text || k.id::text', '$3', '$4', '$3', 'FROM k')})
       SELECT k.*, c.hits, c.expires_ms, c.blocked_ms FROM k CROSS JOIN c`,
      [ApiKeysService.hash(secret), limitKey(EVERY_REQUEST.name, 'API_KEY:'), EVERY_REQUEST.ttl, limit],
    );
    if (!key) return null;
    const actor: Actor = {
      type: 'API_KEY',
      id: key.id,
      name: `API-sleutel ${key.name}`,
      organisationId: key.organisation_id,
      organisationType: key.type,
      organisationCode: key.code,
      roles: key.roles,
      permissions: permissionsOf(key.roles, true),
    };
    return { actor, hit: { limit, record: recordOf(key) } };
  }
}
