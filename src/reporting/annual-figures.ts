import { clock } from '../common/clock';
import { todayInNL } from '../common/dates';
import { notFound } from '../common/problem';
import type { Counts } from './monthly-figures';

/** The first school year the register can hold. */
export const FIRST_SCHOOL_YEAR = 2000;

/**
 * What a jaaropgave (Leerplichtwet art. 25) holds: the counts of one school year (1 August - 31 July) for one receiving
 * organisation (a municipality, a regional office or an RMC region). Counts only, no pupil data. Computed from the
 * register and the destruction records (ADR 0013), so erasing a report does not change a finished year.
 */
export interface AnnualFigures {
  /** '2025-2026'. */
  schoolYear: string;
  organisation: { code: string; name: string; type: string };
  /** First day of the school year, 'YYYY-MM-DD'. */
  from: string;
  /** Last day counted: 31 July, or today while the year runs. */
  through: string;
  /** Whether the school year is over (its figures no longer change by new work). */
  complete: boolean;
  /** Reports filed in the year that were routed to the organisation (the first receiver; a forward in is counted apart). */
  received: number;
  byKind: Counts;
  /** By the filing school's sector: PO, VO, MBO, SO (ONBEKEND when the school has none). */
  bySector: Counts;
  /** By whole years of age at the begin date ('4' … '23'). */
  byAge: Counts;
  /** By the pupil's municipality of residence (an office or region sees its municipalities apart). */
  byMunicipality: { code: string; name: string; count: number }[];
  /** Closed (afgesloten or ter kennisneming aangenomen) in the year by the organisation. */
  closed: number;
  byClosingReason: Counts;
  byClosingExplanation: Counts;
  /** Withdrawn by the school in the year, of the reports the organisation held. */
  withdrawn: number;
  /** Forwards in the year to and from the organisation. */
  forwardedIn: number;
  forwardedOut: number;
  /** Held by the organisation and open at the end of `through`. */
  openAtEnd: number;
  /** Whole days from filing to closing of the reports closed in the year: median and 90th percentile (nearest rank). */
  medianHandlingDays: number | null;
  p90HandlingDays: number | null;
}

export interface SchoolYear {
  /** '2025-2026'. */
  label: string;
  startYear: number;
}

/** The school year a day falls in: 1 August starts the next. */
export function schoolYearOf(day: string): SchoolYear {
  const [y, m] = day.split('-').map(Number);
  const startYear = m >= 8 ? y : y - 1;
  return { label: `${startYear}-${startYear + 1}`, startYear };
}

/** The running school year (Dutch time). */
export function currentSchoolYear(now: Date = clock.now()): SchoolYear {
  return schoolYearOf(todayInNL(now));
}

/**
 * A school year as written in an address ('2025-2026'): two consecutive years, not before FIRST_SCHOOL_YEAR and not
 * after the running one. Anything else is not found (404 with a code): the value only names a page.
 */
export function parseSchoolYear(value: unknown, now: Date = clock.now()): SchoolYear {
  const match = typeof value === 'string' ? /^(\d{4})-(\d{4})$/.exec(value) : null;
  const startYear = match ? Number(match[1]) : NaN;
  if (!match || Number(match[2]) !== startYear + 1 || startYear < FIRST_SCHOOL_YEAR || startYear > currentSchoolYear(now).startYear) {
    throw notFound('Deze jaaropgave bestaat niet: kies een schooljaar als 2025-2026, niet later dan het lopende.');
  }
  return { label: `${startYear}-${startYear + 1}`, startYear };
}

/** The school year before. */
export function previousSchoolYear(year: SchoolYear): SchoolYear {
  return { label: `${year.startYear - 1}-${year.startYear}`, startYear: year.startYear - 1 };
}
