import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryFailedError } from 'typeorm';
import { FieldCode, invalid, notFound } from '../common/problem';
import { normalisePostcode } from '../common/dutch-validators';
import { Location } from './location.entity';
import { LocationChange, LocationInput, ReporterChange, ReporterInput } from './organisation.dto';
import { Organisation, OrganisationType } from './organisation.entity';
import { Reporter } from './reporter.entity';

/** A school's own lists: its locations (beheer locaties) and its reporters (beheer melders). */
@Injectable()
export class SchoolDataService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  listLocations(schoolId: string): Promise<Location[]> {
    return this.db.getRepository(Location).find({ where: { schoolId }, relations: { municipality: true }, order: { code: 'ASC' } });
  }

  async getLocation(schoolId: string, id: string): Promise<Location> {
    const location = await this.db.getRepository(Location).findOne({ where: { id, schoolId }, relations: { municipality: true } });
    if (!location) throw notFound('Deze locatie bestaat niet.');
    return location;
  }

  async addLocation(schoolId: string, input: LocationInput): Promise<Location> {
    const repo = this.db.getRepository(Location);
    const exists = () => invalid({ field: 'code', code: FieldCode.ALREADY_EXISTS, message: `code: locatie ${input.code} bestaat al` });
    if (await repo.exists({ where: { schoolId, code: input.code } })) throw exists();
    const { municipalityCode, ...rest } = input;
    try {
      const saved = await repo.save({
        schoolId,
        ...rest,
        postcode: input.postcode ? normalisePostcode(input.postcode) : null,
        municipalityId: await this.municipalityId(municipalityCode),
      });
      return this.getLocation(schoolId, saved.id);
    } catch (error) {
      // Two adds of the same code at once: the unique index decides, the loser hears why.
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === '23505') throw exists();
      throw error;
    }
  }

  async changeLocation(schoolId: string, id: string, change: LocationChange): Promise<Location> {
    const location = await this.getLocation(schoolId, id);
    const { municipalityCode, ...rest } = change;
    Object.assign(location, definedOnly(rest));
    if (change.postcode !== undefined) location.postcode = change.postcode === null ? null : normalisePostcode(change.postcode);
    if (municipalityCode !== undefined) location.municipalityId = await this.municipalityId(municipalityCode);
    location.municipality = null;
    await this.db.getRepository(Location).save(location);
    return this.getLocation(schoolId, id);
  }

  /** Deletes a location no report names; one that a report names is deactivated instead. */
  async removeLocation(schoolId: string, id: string): Promise<Location | null> {
    const location = await this.getLocation(schoolId, id);
    const used = await this.db.query('SELECT 1 FROM report WHERE location_id = $1 LIMIT 1', [id]);
    if (used.length > 0) return this.changeLocation(schoolId, id, { active: false });
    await this.db.getRepository(Location).delete(location.id);
    return null;
  }

  listReporters(schoolId: string): Promise<Reporter[]> {
    return this.db.getRepository(Reporter).find({ where: { schoolId }, order: { name: 'ASC' } });
  }

  async getReporter(schoolId: string, id: string): Promise<Reporter> {
    const reporter = await this.db.getRepository(Reporter).findOne({ where: { id, schoolId } });
    if (!reporter) throw notFound('Deze melder bestaat niet.');
    return reporter;
  }

  addReporter(schoolId: string, input: ReporterInput): Promise<Reporter> {
    return this.db.getRepository(Reporter).save({ schoolId, ...input });
  }

  async changeReporter(schoolId: string, id: string, change: ReporterChange): Promise<Reporter> {
    const reporter = await this.getReporter(schoolId, id);
    Object.assign(reporter, definedOnly(change));
    return this.db.getRepository(Reporter).save(reporter);
  }

  /** Deletes a reporter no report names; one that a report names is deactivated instead. */
  async removeReporter(schoolId: string, id: string): Promise<Reporter | null> {
    const reporter = await this.getReporter(schoolId, id);
    const used = await this.db.query('SELECT 1 FROM report WHERE reporter_id = $1 LIMIT 1', [id]);
    if (used.length > 0) return this.changeReporter(schoolId, id, { active: false });
    await this.db.getRepository(Reporter).delete(reporter.id);
    return null;
  }

  private async municipalityId(code: string | undefined): Promise<string | null> {
    if (!code) return null;
    const m = await this.db.getRepository(Organisation).findOne({ where: { code, type: OrganisationType.GEMEENTE } });
    if (!m) throw invalid({ field: 'municipalityCode', code: FieldCode.UNKNOWN_MUNICIPALITY, message: `municipalityCode: gemeente ${code} bestaat niet` });
    return m.id;
  }
}

/** The fields a change actually sent (a DTO instance also carries its declared, unsent ones as undefined). */
function definedOnly<T extends object>(change: T): Partial<T> {
  return Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)) as Partial<T>;
}
