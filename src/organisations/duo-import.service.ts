import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { AuditAction } from '../audit/audit.service';
import { decodeUtf8OrWindows1252 } from '../common/windows-1252';
import { Actor } from '../kernel/actor';
import { OrganisationsService } from './organisations.service';
import { parseDelimited } from '../common/csv';
import { FieldCode, invalid } from '../common/problem';
import { isValidBrin, normalisePostcode } from '../common/dutch-validators';
import { Location } from './location.entity';
import { Organisation } from './organisation.entity';
import { OrganisationType } from '../kernel/organisation-type';

export interface DuoImportResult {
  schoolsCreated: number;
  schoolsUpdated: number;
  locationsCreated: number;
  locationsUpdated: number;
  unchanged: number;
  skipped: { line: number; reason: string }[];
}

const REQUIRED = ['INSTELLINGSCODE', 'VESTIGINGSCODE', 'VESTIGINGSNAAM', 'GEMEENTENUMMER'] as const;

interface Row {
  line: number;
  brin: string;
  code: string;
  name: string;
  street: string | null;
  houseNumber: string | null;
  postcode: string | null;
  place: string | null;
  municipalityCode: string;
}

/**
 * Imports schools and their locations from DUO's open data file of school locations ("alle vestigingen",
 * `;`-separated, UTF-8). Creates what is missing and updates what differs; a second import of the same file
 * changes nothing. Locations missing from the file are left as they are: DUO's lists are per sector.
 */
@Injectable()
export class DuoImportService {
  private readonly logger = new Logger('DuoImport');
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly organisations: OrganisationsService,
  ) {}

  /**
   * Imports the file: UTF-8 (with or without byte-order mark), or Windows-1252 as older DUO downloads are. A file that
   * is not DUO's list of locations is refused as a field error on `field`, before anything changes. The import and its
   * audit entry (in the log of `by`, or without `by` as the system in the operator's log) are one transaction. The one
   * entry point for the portal, the command line and the benchmark.
   */
  async import(content: Buffer, sector: string, { field = 'file', by }: { field?: string; by?: Actor } = {}): Promise<DuoImportResult> {
    const text = decodeUtf8OrWindows1252(content);
    const problem = this.headerProblem(parseDelimited(text.slice(0, 10_000).split(/\r?\n/)[0] ?? '', ';')[0]);
    if (problem) throw invalid({ field, code: FieldCode.INVALID_FORMAT, message: `${field}: ${problem}` });
    const result: DuoImportResult = { schoolsCreated: 0, schoolsUpdated: 0, locationsCreated: 0, locationsUpdated: 0, unchanged: 0, skipped: [] };
    const rows = this.parse(text, result);
    await this.db.transaction(async (m) => {
      const municipalities = new Map(
        (await m.getRepository(Organisation).find({ where: { type: OrganisationType.GEMEENTE }, select: { id: true, code: true } })).map((o) => [o.code, o.id]),
      );
      const usable = rows.filter((r) => {
        if (municipalities.has(r.municipalityCode)) return true;
        result.skipped.push({ line: r.line, reason: `gemeente ${r.municipalityCode} onbekend` });
        return false;
      });
      // One school per BRIN, named after its main location (00) or else its first.
      const schoolNames = new Map<string, string>();
      for (const r of usable) if (!schoolNames.has(r.brin) || r.code === '00') schoolNames.set(r.brin, r.name);
      const orgRepo = m.getRepository(Organisation);
      const existing = new Map((await orgRepo.find({ where: { code: In([...schoolNames.keys()]) } })).map((o) => [o.code, o]));
      const newSchools: Partial<Organisation>[] = [];
      for (const [brin, name] of schoolNames) {
        const school = existing.get(brin);
        if (!school) newSchools.push({ type: OrganisationType.SCHOOL, code: brin, name, sector });
        else if (school.type !== OrganisationType.SCHOOL) result.skipped.push({ line: 0, reason: `code ${brin} is al in gebruik door een ${school.type}` });
        else if (school.name !== name) {
          await orgRepo.update(school.id, { name });
          result.schoolsUpdated++;
        }
      }
      for (let i = 0; i < newSchools.length; i += 500) await orgRepo.insert(newSchools.slice(i, i + 500));
      result.schoolsCreated = newSchools.length;
      const schools = new Map(
        (await orgRepo.find({ where: { code: In([...schoolNames.keys()]), type: OrganisationType.SCHOOL }, select: { id: true, code: true } })).map((o) => [o.code, o.id]),
      );

      const locRepo = m.getRepository(Location);
      const current = new Map(
        (await locRepo.find({ where: { schoolId: In([...schools.values()]) } })).map((l) => [`${l.schoolId}/${l.code}`, l]),
      );
      const inserts: Partial<Location>[] = [];
      for (const r of usable) {
        const schoolId = schools.get(r.brin);
        if (!schoolId) continue;
        const wanted = { name: r.name, street: r.street, houseNumber: r.houseNumber, postcode: r.postcode, place: r.place, municipalityId: municipalities.get(r.municipalityCode)! };
        const loc = current.get(`${schoolId}/${r.code}`);
        if (!loc) {
          inserts.push({ schoolId, code: r.code, ...wanted });
          current.set(`${schoolId}/${r.code}`, { schoolId, code: r.code, ...wanted } as Location);
        } else if ((Object.keys(wanted) as (keyof typeof wanted)[]).some((k) => loc[k] !== wanted[k])) {
          await locRepo.update(loc.id, wanted);
          result.locationsUpdated++;
        } else result.unchanged++;
      }
      for (let i = 0; i < inserts.length; i += 500) await locRepo.insert(inserts.slice(i, i + 500));
      result.locationsCreated = inserts.length;
      await this.organisations.log(m, by, AuditAction.DUO_IMPORTED, sector, {
        sector, bytes: content.length, schoolsCreated: result.schoolsCreated, schoolsUpdated: result.schoolsUpdated, locationsCreated: result.locationsCreated,
        locationsUpdated: result.locationsUpdated, unchanged: result.unchanged, skipped: result.skipped.length,
      });
    });
    this.logger.log(
      `DUO-import: ${result.schoolsCreated} scholen nieuw, ${result.schoolsUpdated} gewijzigd; ${result.locationsCreated} locaties nieuw, ` +
        `${result.locationsUpdated} gewijzigd, ${result.unchanged} ongewijzigd; ${result.skipped.length} regels overgeslagen`,
    );
    return result;
  }

  /** Why a first line is not the header of DUO's file of locations, or null when it is. */
  private headerProblem(header: string[] | undefined): string | null {
    if (!header || (header.length === 1 && header[0].trim() === '')) return 'het bestand is leeg.';
    const columns = new Set(header.map((h) => h.trim().toUpperCase()));
    const missing = REQUIRED.filter((c) => !columns.has(c));
    return missing.length > 0 ? `dit is geen DUO-vestigingenbestand: de kolommen ${missing.join(', ')} ontbreken.` : null;
  }

  private parse(text: string, result: DuoImportResult): Row[] {
    const [header, ...lines] = parseDelimited(text, ';');
    const col = new Map(header.map((h, i) => [h.trim().toUpperCase(), i]));
    const get = (fields: string[], name: string) => (col.has(name) ? (fields[col.get(name)!] ?? '').trim() : '');
    const rows: Row[] = [];
    lines.forEach((fields, i) => {
      const line = i + 2;
      const brin = get(fields, 'INSTELLINGSCODE').toUpperCase();
      const vestiging = get(fields, 'VESTIGINGSCODE').toUpperCase();
      const gemeente = get(fields, 'GEMEENTENUMMER');
      if (!isValidBrin(brin)) return result.skipped.push({ line, reason: `BRIN ${brin || '(leeg)'} ongeldig` });
      if (!/^\d{2}$/.test(vestiging.slice(4)) || !vestiging.startsWith(brin) || vestiging.length !== 6) {
        return result.skipped.push({ line, reason: `vestigingscode ${vestiging || '(leeg)'} ongeldig` });
      }
      if (!/^\d{1,4}$/.test(gemeente)) return result.skipped.push({ line, reason: `gemeentenummer ${gemeente || '(leeg)'} ongeldig` });
      const name = get(fields, 'VESTIGINGSNAAM');
      if (!name) return result.skipped.push({ line, reason: 'vestigingsnaam leeg' });
      rows.push({
        line,
        brin,
        code: vestiging.slice(4),
        name,
        street: get(fields, 'STRAATNAAM') || null,
        houseNumber: get(fields, 'HUISNUMMER-TOEVOEGING') || null,
        postcode: normalisePostcode(get(fields, 'POSTCODE')),
        place: get(fields, 'PLAATSNAAM') || null,
        municipalityCode: `GM${gemeente.padStart(4, '0')}`,
      });
    });
    return rows;
  }
}
