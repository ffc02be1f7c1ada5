import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { AuditAction, AuditService, AuditSubjectType, byActor, SYSTEM_ACTOR } from '../audit/audit.service';
import { FieldCode, invalid, notFound } from '../common/problem';
import { Actor } from '../kernel/actor';
import { ReportKind } from '../kernel/report-codes';
import { isOfficeCode, OFFICE_CODE_MESSAGE } from './organisation.dto';
import { Organisation } from './organisation.entity';
import { NoRouteError, Route, routeReport } from './routing';
import { RoutingRule } from './routing-rule.entity';
import { OrganisationType, RECEIVER_TYPES } from '../kernel/organisation-type';

/** Organisations, their delegations and alternative routing; and the routing of a report. */
@Injectable()
export class OrganisationsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  findByCode(code: string, manager: EntityManager = this.db.manager): Promise<Organisation | null> {
    return manager.getRepository(Organisation).findOne({ where: { code: code.toUpperCase() } });
  }

  async requireByCode(code: string, field: string, types?: readonly OrganisationType[], manager: EntityManager = this.db.manager): Promise<Organisation> {
    const org = await this.findByCode(code, manager);
    if (!org) throw invalid({ field, code: FieldCode.UNKNOWN_ORGANISATION, message: `${field}: organisatie ${code} bestaat niet` });
    if (types && !types.includes(org.type)) {
      throw invalid({ field, code: FieldCode.NOT_ALLOWED_VALUE, message: `${field}: ${code} is geen ${types.join(' of ')}` });
    }
    return org;
  }

  async requireById(id: string): Promise<Organisation> {
    const org = await this.db.getRepository(Organisation).findOne({ where: { id } });
    if (!org) throw notFound('Deze organisatie bestaat niet.');
    return org;
  }

  async list(type?: OrganisationType): Promise<{ organisations: Organisation[]; codes: Map<string, string> }> {
    const organisations = await this.db.getRepository(Organisation).find({
      where: type ? { type } : {},
      order: { type: 'ASC', code: 'ASC' },
    });
    return { organisations, codes: await this.codesOf(organisations) };
  }

  /** id -> code for the regions and delegates the given organisations refer to. */
  async codesOf(organisations: Organisation[]): Promise<Map<string, string>> {
    const ids = [...new Set(organisations.flatMap((o) => [o.rmcRegionId, o.delegateId]).filter((x): x is string => !!x))];
    if (ids.length === 0) return new Map();
    const rows = await this.db.getRepository(Organisation).find({ where: { id: In(ids) }, select: { id: true, code: true } });
    return new Map(rows.map((r) => [r.id, r.code]));
  }

  /**
   * A school. Every change of reference data below runs in its own transaction with its audit entry: in the log of
   * the person who made it (`by`), or without `by` (the operator's command line) as the system in the operator's log;
   * so the portal, the API and the command line change and log alike.
   */
  createSchool(brin: string, name: string, sector: string | null, by?: Actor): Promise<Organisation> {
    return this.create(OrganisationType.SCHOOL, brin.toUpperCase(), name, { sector }, by);
  }

  /** A regional leerplicht office (e.g. a Regionaal Bureau Leerplicht) that can act for several municipalities. */
  createOffice(code: string, name: string, by?: Actor): Promise<Organisation> {
    if (!isOfficeCode(code)) throw invalid({ field: 'code', code: FieldCode.INVALID_FORMAT, message: `code: ${OFFICE_CODE_MESSAGE}` });
    return this.create(OrganisationType.REGIONAAL_BUREAU, code.toUpperCase(), name, {}, by);
  }

  private create(type: OrganisationType, code: string, name: string, extra: Partial<Organisation>, by: Actor | undefined): Promise<Organisation> {
    return this.db.transaction(async (m) => {
      if (await this.findByCode(code, m)) {
        throw invalid({ field: 'code', code: FieldCode.ALREADY_EXISTS, message: `code: ${code} bestaat al` });
      }
      const created = await m.getRepository(Organisation).save({ type, code, name, ...extra });
      await this.log(m, by, AuditAction.ORGANISATION_CREATED, created.code, { type, name, ...(extra.sector ? { sector: extra.sector } : {}) });
      return created;
    });
  }

  /** Hands a municipality's reports to a regional office (office null: takes them back). */
  setDelegation(municipalityCode: string, officeCode: string | null, by?: Actor): Promise<Organisation> {
    return this.db.transaction(async (m) => {
      const municipality = await this.requireByCode(municipalityCode, 'municipality', [OrganisationType.GEMEENTE], m);
      const office = officeCode ? await this.requireByCode(officeCode, 'office', [OrganisationType.REGIONAAL_BUREAU], m) : null;
      const previous = municipality.delegateId ? (await m.getRepository(Organisation).findOneBy({ id: municipality.delegateId }))?.code ?? null : null;
      municipality.delegateId = office?.id ?? null;
      const saved = await m.getRepository(Organisation).save(municipality);
      await this.log(m, by, AuditAction.DELEGATION_CHANGED, municipality.code, { from: previous, to: office?.code ?? null });
      return saved;
    });
  }

  /** A municipality's alternative routing for one kind (target null: removes it). */
  setRoutingRule(municipalityCode: string, kind: ReportKind, targetCode: string | null, by?: Actor): Promise<void> {
    return this.db.transaction(async (m) => {
      const municipality = await this.requireByCode(municipalityCode, 'municipality', [OrganisationType.GEMEENTE], m);
      const repo = m.getRepository(RoutingRule);
      const target = targetCode ? await this.requireByCode(targetCode, 'target', RECEIVER_TYPES, m) : null;
      if (target) await repo.upsert({ municipalityId: municipality.id, kind, targetId: target.id }, ['municipalityId', 'kind']);
      else await repo.delete({ municipalityId: municipality.id, kind });
      await this.log(m, by, AuditAction.ROUTING_CHANGED, municipality.code, { kind, target: target?.code ?? null });
    });
  }

  /** The audit entry of a change of reference data, in the transaction of the change. */
  async log(m: EntityManager, by: Actor | undefined, action: AuditAction, subjectId: string, details: Record<string, unknown>): Promise<void> {
    const rest = { subjectType: AuditSubjectType.ORGANISATION, subjectId, details };
    await this.audit.record(by ? byActor(by, action, rest) : { ...SYSTEM_ACTOR, organisationId: await this.operatorId(m), action, ...rest }, m);
  }

  private operator: string | null = null;
  private async operatorId(m: EntityManager): Promise<string> {
    this.operator ??= (await m.getRepository(Organisation).findOneByOrFail({ type: OrganisationType.OPERATOR })).id;
    return this.operator;
  }

  /**
   * One page of organisations in code order, found by kind and by a part of their code or name, with the office a
   * municipality delegates to. Keyset paging: the page after `after`, or before `before`.
   */
  async search(
    query: { type?: OrganisationType; q?: string; after?: string; before?: string },
    limit = 50,
  ): Promise<{ organisations: Organisation[]; total: number; next: string | null; previous: string | null }> {
    const filtered = () => {
      const qb = this.db.getRepository(Organisation).createQueryBuilder('o');
      if (query.type) qb.andWhere('o.type = :type', { type: query.type });
      const q = query.q?.trim();
      if (q) qb.andWhere('(o.code ILIKE :q OR o.name ILIKE :q)', { q: `%${q.replace(/[\\%_]/g, '\\$&')}%` });
      return qb;
    };
    const backwards = !query.after && !!query.before;
    const qb = filtered().leftJoinAndSelect('o.delegate', 'delegate').orderBy('o.code', backwards ? 'DESC' : 'ASC').limit(limit + 1);
    if (query.after) qb.andWhere('o.code > :after', { after: query.after.toUpperCase() });
    else if (backwards) qb.andWhere('o.code < :before', { before: query.before!.toUpperCase() });
    const [rows, total] = await Promise.all([qb.getMany(), filtered().getCount()]);
    const more = rows.length > limit;
    const organisations = rows.slice(0, limit);
    if (backwards) organisations.reverse();
    const first = organisations[0]?.code ?? null;
    const last = organisations[organisations.length - 1]?.code ?? null;
    return {
      organisations, total,
      next: backwards ? last : more ? last : null,
      previous: backwards ? (more ? first : null) : query.after ? first : null,
    };
  }

  /** The municipalities that hand their reports to this regional office. */
  delegatingTo(officeId: string): Promise<Organisation[]> {
    return this.db.getRepository(Organisation).find({ where: { delegateId: officeId }, order: { code: 'ASC' } });
  }

  /** Every municipality's alternative routing, by municipality and kind. */
  async routingRules(): Promise<{ municipality: string; municipalityName: string; kind: string; target: string; targetName: string }[]> {
    const rules = await this.db.getRepository(RoutingRule).find({ relations: { municipality: true, target: true } });
    return rules
      .map((r) => ({ municipality: r.municipality.code, municipalityName: r.municipality.name, kind: r.kind, target: r.target.code, targetName: r.target.name }))
      .sort((a, b) => a.municipality.localeCompare(b.municipality) || a.kind.localeCompare(b.kind));
  }

  /**
   * Where a report of this kind goes for a pupil of this age living in this municipality. Throws a field error
   * on `field` when the municipality is unknown.
   */
  async route(kind: ReportKind, age: number, municipality: Organisation, manager: EntityManager = this.db.manager): Promise<Route> {
    const rules = await manager.getRepository(RoutingRule).find({ where: { municipalityId: municipality.id } });
    const candidates = new Set<string>([municipality.id, ...(municipality.rmcRegionId ? [municipality.rmcRegionId] : []), ...rules.map((r) => r.targetId)]);
    const orgs = await manager.getRepository(Organisation).find({ where: { id: In([...candidates]) }, select: { id: true, delegateId: true } });
    const delegates = new Map(orgs.map((o) => [o.id, o.delegateId]));
    try {
      return routeReport(
        kind,
        age,
        { id: municipality.id, rmcRegionId: municipality.rmcRegionId, rules: Object.fromEntries(rules.map((r) => [r.kind, r.targetId])) },
        (id) => delegates.get(id) ?? null,
      );
    } catch (error) {
      if (error instanceof NoRouteError) {
        throw invalid({ field: 'pupil', code: FieldCode.UNKNOWN_MUNICIPALITY, message: `pupil: ${error.message}` });
      }
      throw error;
    }
  }
}
