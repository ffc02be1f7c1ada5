import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { FieldCode, invalid, notFound } from '../common/problem';
import { ReportKind } from '../reports/report-codes';
import { Organisation, OrganisationType, RECEIVER_TYPES } from './organisation.entity';
import { NoRouteError, Route, routeReport } from './routing';
import { RoutingRule } from './routing-rule.entity';

/** Organisations, their delegations and alternative routing; and the routing of a report. */
@Injectable()
export class OrganisationsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  findByCode(code: string, manager: EntityManager = this.db.manager): Promise<Organisation | null> {
    return manager.getRepository(Organisation).findOne({ where: { code: code.toUpperCase() } });
  }

  async requireByCode(code: string, field: string, types?: readonly OrganisationType[]): Promise<Organisation> {
    const org = await this.findByCode(code);
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

  async createSchool(brin: string, name: string, sector: string | null): Promise<Organisation> {
    return this.create(OrganisationType.SCHOOL, brin.toUpperCase(), name, { sector });
  }

  /** A regional leerplicht office (e.g. a Regionaal Bureau Leerplicht) that can act for several municipalities. */
  async createOffice(code: string, name: string): Promise<Organisation> {
    if (!/^[A-Z0-9-]{3,20}$/.test(code.toUpperCase()) || /^(GM\d{4}|RMC\d{2}|\d{2}[A-Z0-9]{2})$/.test(code.toUpperCase())) {
      throw invalid({ field: 'code', code: FieldCode.INVALID_FORMAT, message: 'code: 3-20 letters, cijfers of streepjes, niet in de vorm van een BRIN-, gemeente- of RMC-code' });
    }
    return this.create(OrganisationType.REGIONAAL_BUREAU, code.toUpperCase(), name, {});
  }

  private async create(type: OrganisationType, code: string, name: string, extra: Partial<Organisation>): Promise<Organisation> {
    if (await this.findByCode(code)) {
      throw invalid({ field: 'code', code: FieldCode.ALREADY_EXISTS, message: `code: ${code} bestaat al` });
    }
    return this.db.getRepository(Organisation).save({ type, code, name, ...extra });
  }

  /** Hands a municipality's reports to a regional office (office null: takes them back). */
  async setDelegation(municipalityCode: string, officeCode: string | null): Promise<Organisation> {
    const municipality = await this.requireByCode(municipalityCode, 'municipality', [OrganisationType.GEMEENTE]);
    const office = officeCode ? await this.requireByCode(officeCode, 'office', [OrganisationType.REGIONAAL_BUREAU]) : null;
    municipality.delegateId = office?.id ?? null;
    return this.db.getRepository(Organisation).save(municipality);
  }

  /** A municipality's alternative routing for one kind (target null: removes it). */
  async setRoutingRule(municipalityCode: string, kind: ReportKind, targetCode: string | null): Promise<void> {
    const municipality = await this.requireByCode(municipalityCode, 'municipality', [OrganisationType.GEMEENTE]);
    const repo = this.db.getRepository(RoutingRule);
    if (!targetCode) {
      await repo.delete({ municipalityId: municipality.id, kind });
      return;
    }
    const target = await this.requireByCode(targetCode, 'target', RECEIVER_TYPES);
    await repo.upsert({ municipalityId: municipality.id, kind, targetId: target.id }, ['municipalityId', 'kind']);
  }

  async routingRules(): Promise<{ municipality: string; kind: string; target: string }[]> {
    const rules = await this.db.getRepository(RoutingRule).find({ relations: { municipality: true, target: true } });
    return rules.map((r) => ({ municipality: r.municipality.code, kind: r.kind, target: r.target.code }));
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
