import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditAction, AuditService, byActor } from '../audit/audit.service';
import { clock } from '../common/clock';
import { ErrorCode, ProblemError } from '../common/problem';
import { Actor } from '../kernel/actor';
import { RECEIVER_TYPES } from '../kernel/organisation-type';
import { AnnualFigures, parseSchoolYear, previousSchoolYear, SchoolYear } from './annual-figures';
import { annualFigures } from './annual-figures.query';

export type AnnualFormat = 'json' | 'xlsx';

/**
 * The jaaropgave (Leerplichtwet art. 25) of the caller's own organisation: a municipality, regional office or RMC
 * region. Computed when asked from the register and the destruction records (ADR 0013); no other organisation's
 * figures can be asked for (the address names only the school year).
 */
@Injectable()
export class AnnualReportsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** Whether the organisation has a jaaropgave: receivers only (a school reads its monthly reports). */
  static hasAnnual(actor: Actor): boolean {
    return RECEIVER_TYPES.includes(actor.organisationType);
  }

  /** The year's figures (`value` as in the address, e.g. '2025-2026'); nonsense or a future year is 404. */
  async figures(actor: Actor, value: unknown, now: Date = clock.now()): Promise<AnnualFigures> {
    return this.compute(actor, parseSchoolYear(value, now), now);
  }

  /** The year and the year before it, for the page. */
  async withPrevious(actor: Actor, value: unknown, now: Date = clock.now()): Promise<{ year: AnnualFigures; previous: AnnualFigures }> {
    const year = parseSchoolYear(value, now);
    const [current, previous] = [await this.compute(actor, year, now), await this.compute(actor, previousSchoolYear(year), now)];
    return { year: current, previous };
  }

  /** The figures to hand out as a file or API answer: the download is in the audit log before it leaves. */
  async download(actor: Actor, value: unknown, format: AnnualFormat): Promise<AnnualFigures> {
    const figures = await this.figures(actor, value);
    await this.audit.record(byActor(actor, AuditAction.ANNUAL_REPORT_DOWNLOADED, { details: { schoolYear: figures.schoolYear, format } }));
    return figures;
  }

  private async compute(actor: Actor, year: SchoolYear, now: Date): Promise<AnnualFigures> {
    if (!AnnualReportsService.hasAnnual(actor)) {
      throw new ProblemError(ErrorCode.FORBIDDEN, 'De jaaropgave is er voor gemeenten, regionale bureaus leerplicht en RMC-regio\'s.');
    }
    const [organisation] = await this.db.query('SELECT id, code, name, type FROM organisation WHERE id = $1', [actor.organisationId]);
    return annualFigures(this.db.manager, organisation, year, now);
  }
}
