import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { AuditAction, AuditService, AuditSubjectType, byActor } from '../audit/audit.service';
import { FieldCode, invalid, notFound } from '../common/problem';
import { Actor } from '../kernel/actor';
import { Location } from './location.entity';
import { LocationChange, LocationInput, ReporterChange, ReporterInput } from './organisation.dto';
import { Organisation } from './organisation.entity';
import { Reporter } from './reporter.entity';
import { OrganisationType } from '../kernel/organisation-type';

/** What was done to a location or reporter, as the audit entry's details.operation says it. */
export type SchoolDataOperation = 'added' | 'changed' | 'deactivated' | 'reactivated' | 'removed';

const LOCATION_FIELDS = ['name', 'street', 'houseNumber', 'postcode', 'place', 'municipalityId', 'active'] as const;
const REPORTER_FIELDS = ['name', 'function', 'phone', 'email', 'active'] as const;

/**
 * A school's own lists: its locations (beheer locaties) and its reporters (beheer melders).
 * A change made for an actor (`by`) is recorded in the school's audit log (LOCATION_CHANGED, REPORTER_CHANGED) in the
 * same transaction as the change itself.
 */
@Injectable()
export class SchoolDataService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  listLocations(schoolId: string): Promise<Location[]> {
    return this.db.getRepository(Location).find({ where: { schoolId }, relations: { municipality: true }, order: { code: 'ASC' } });
  }

  async getLocation(schoolId: string, id: string, m: EntityManager = this.db.manager): Promise<Location> {
    const location = await m.getRepository(Location).findOne({ where: { id, schoolId }, relations: { municipality: true } });
    if (!location) throw notFound('Deze locatie bestaat niet.');
    return location;
  }

  async addLocation(schoolId: string, input: LocationInput, by?: Actor): Promise<Location> {
    const exists = () => invalid({ field: 'code', code: FieldCode.ALREADY_EXISTS, message: `code: locatie ${input.code} bestaat al` });
    if (await this.db.getRepository(Location).exists({ where: { schoolId, code: input.code } })) throw exists();
    const { municipalityCode, ...rest } = input;
    try {
      return await this.db.transaction(async (m) => {
        const saved = await m.getRepository(Location).save({
          schoolId,
          ...rest,
          postcode: input.postcode ?? null,
          municipalityId: await this.municipalityId(municipalityCode, m),
        });
        await this.recordLocation(m, by, 'added', saved);
        return this.getLocation(schoolId, saved.id, m);
      });
    } catch (error) {
      // Two adds of the same code at once: the unique index decides, the loser hears why.
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === '23505') throw exists();
      throw error;
    }
  }

  changeLocation(schoolId: string, id: string, change: LocationChange, by?: Actor): Promise<Location> {
    return this.db.transaction((m) => this.changeLocationIn(m, schoolId, id, change, by));
  }

  /** Deletes a location no report names; one that a report names is deactivated instead. */
  removeLocation(schoolId: string, id: string, by?: Actor): Promise<Location | null> {
    return this.db.transaction(async (m) => {
      const location = await this.getLocation(schoolId, id, m);
      const used = await m.query('SELECT 1 FROM report WHERE location_id = $1 LIMIT 1', [id]);
      if (used.length > 0) return this.changeLocationIn(m, schoolId, id, { active: false }, by);
      await m.getRepository(Location).delete(location.id);
      await this.recordLocation(m, by, 'removed', location);
      return null;
    });
  }

  listReporters(schoolId: string): Promise<Reporter[]> {
    return this.db.getRepository(Reporter).find({ where: { schoolId }, order: { name: 'ASC' } });
  }

  async getReporter(schoolId: string, id: string, m: EntityManager = this.db.manager): Promise<Reporter> {
    const reporter = await m.getRepository(Reporter).findOne({ where: { id, schoolId } });
    if (!reporter) throw notFound('Deze melder bestaat niet.');
    return reporter;
  }

  addReporter(schoolId: string, input: ReporterInput, by?: Actor): Promise<Reporter> {
    return this.db.transaction(async (m) => {
      const saved = await m.getRepository(Reporter).save({ schoolId, ...input });
      await this.recordReporter(m, by, 'added', saved);
      return saved;
    });
  }

  changeReporter(schoolId: string, id: string, change: ReporterChange, by?: Actor): Promise<Reporter> {
    return this.db.transaction((m) => this.changeReporterIn(m, schoolId, id, change, by));
  }

  /** Deletes a reporter no report names; one that a report names is deactivated instead. */
  removeReporter(schoolId: string, id: string, by?: Actor): Promise<Reporter | null> {
    return this.db.transaction(async (m) => {
      const reporter = await this.getReporter(schoolId, id, m);
      const used = await m.query('SELECT 1 FROM report WHERE reporter_id = $1 LIMIT 1', [id]);
      if (used.length > 0) return this.changeReporterIn(m, schoolId, id, { active: false }, by);
      await m.getRepository(Reporter).delete(reporter.id);
      await this.recordReporter(m, by, 'removed', reporter);
      return null;
    });
  }

  private async changeLocationIn(m: EntityManager, schoolId: string, id: string, change: LocationChange, by?: Actor): Promise<Location> {
    const before = await this.getLocation(schoolId, id, m);
    const { municipalityCode, ...rest } = change;
    const patch: Partial<Location> = definedOnly(rest);
    if (municipalityCode !== undefined) patch.municipalityId = await this.municipalityId(municipalityCode, m);
    // Only the columns sent: saving the loaded entity would also write its loaded municipality relation back.
    if (Object.keys(patch).length > 0) await m.getRepository(Location).update({ id: before.id }, patch);
    const after = await this.getLocation(schoolId, id, m);
    const fields = LOCATION_FIELDS.filter((f) => before[f] !== after[f]).map((f) => (f === 'municipalityId' ? 'municipality' : f));
    if (fields.length > 0) await this.recordLocation(m, by, operationOf(before.active, after.active), after, fields);
    return after;
  }

  private async changeReporterIn(m: EntityManager, schoolId: string, id: string, change: ReporterChange, by?: Actor): Promise<Reporter> {
    const reporter = await this.getReporter(schoolId, id, m);
    const before = { ...reporter };
    Object.assign(reporter, definedOnly(change));
    const saved = await m.getRepository(Reporter).save(reporter);
    const fields = REPORTER_FIELDS.filter((f) => before[f] !== saved[f]);
    if (fields.length > 0) await this.recordReporter(m, by, operationOf(before.active, saved.active), saved, fields);
    return saved;
  }

  private async recordLocation(m: EntityManager, by: Actor | undefined, operation: SchoolDataOperation, l: Location, fields?: string[]): Promise<void> {
    if (!by) return;
    // "location", not "locationCode": the audit log drops every details key that has "code" in its name.
    const details = { operation, id: l.id, location: by.organisationCode + l.code, name: l.name, ...(fields ? { fields } : {}) };
    await this.audit.record(byActor(by, AuditAction.LOCATION_CHANGED, { subjectType: AuditSubjectType.ORGANISATION, subjectId: by.organisationCode, details }), m);
  }

  private async recordReporter(m: EntityManager, by: Actor | undefined, operation: SchoolDataOperation, r: Reporter, fields?: string[]): Promise<void> {
    if (!by) return;
    const details = { operation, id: r.id, name: r.name, ...(fields ? { fields } : {}) };
    await this.audit.record(byActor(by, AuditAction.REPORTER_CHANGED, { subjectType: AuditSubjectType.ORGANISATION, subjectId: by.organisationCode, details }), m);
  }

  private async municipalityId(code: string | null | undefined, m: EntityManager): Promise<string | null> {
    if (!code) return null;
    const found = await m.getRepository(Organisation).findOne({ where: { code, type: OrganisationType.GEMEENTE } });
    if (!found) throw invalid({ field: 'municipalityCode', code: FieldCode.UNKNOWN_MUNICIPALITY, message: `municipalityCode: gemeente ${code} bestaat niet` });
    return found.id;
  }
}

/** A change that switches `active` is a deactivation or reactivation; any other is a change. */
function operationOf(before: boolean, after: boolean): SchoolDataOperation {
  return before === after ? 'changed' : after ? 'reactivated' : 'deactivated';
}

/** The fields a change actually sent (a DTO instance also carries its declared, unsent ones as undefined). */
function definedOnly<T extends object>(change: T): Partial<T> {
  return Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)) as Partial<T>;
}
