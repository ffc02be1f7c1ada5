/** Counts by a code (kind, status, closing reason, ...). */
export type Counts = Record<string, number>;

/** What a maandrapportage holds: counts of one month, no pupil data. Stored as made; never recomputed. */
export interface MonthlyFigures {
  /** 'YYYY-MM'. */
  month: string;
  /** The organisation as it was named when the report was made. */
  organisation: { code: string; name: string; type: string };
  /** A school sees what it filed; a receiver what it received. */
  side: 'school' | 'receiver';
  filed: number;
  /** Open (registered or in handling) at the end of the month, whenever filed. */
  openAtEnd: number;
  closed: number;
  withdrawn: number;
  /** Filed in the month, by kind. */
  byKind: Counts;
  /** Filed in the month, by their status at the end of the month. */
  byStatus: Counts;
  /** Closed in the month, by closing reason and by closing explanation. */
  byClosingReason: Counts;
  byClosingExplanation: Counts;
  /** Filed in the month per location (school) or per school (receiver). */
  byUnit: { code: string; name: string; count: number }[];
  /** Median whole days from filing to first "in behandeling" (taken into handling in the month) and to closing (closed in the month). */
  medianDaysToHandling: number | null;
  medianDaysToClosing: number | null;
  openOver4Weeks: number;
  openOver3Months: number;
  /** A receiver's open reports older than four weeks at the end of the month, by meldingsnummer (DUO's R08 list). */
  longOpen: number[];
}
