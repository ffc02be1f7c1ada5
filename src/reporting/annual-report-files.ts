import { nlDate } from '../common/dates';
import {
  CLOSING_EXPLANATION_LABELS, CLOSING_REASON_LABELS, ClosingExplanation, ClosingReason, KIND_LABELS, ReportKind,
} from '../kernel/report-codes';
import { AnnualFigures } from './annual-figures';
import { exceljs } from '../common/heavy-libraries';

/** A row of the jaaropgave: what, this year, the year before (when shown). */
export type AnnualRow = [string, number | string, (number | string)?];

export interface AnnualSection {
  title: string;
  rows: AnnualRow[];
}

const SECTORS: Record<string, string> = { PO: 'Primair onderwijs (PO)', VO: 'Voortgezet onderwijs (VO)', MBO: 'Middelbaar beroepsonderwijs (MBO)', SO: 'Speciaal onderwijs ((V)SO)', ONBEKEND: 'Onbekend' };
const label = (labels: Record<string, string>) => (code: string) => labels[code] ?? (code === 'ONBEKEND' ? 'Onbekend' : code);

/** "Schooljaar 2025-2026" with its period: "tot en met <datum>" while it runs. */
export function periodOf(f: AnnualFigures): string {
  return f.complete ? `1 augustus ${f.from.slice(0, 4)} tot en met 31 juli ${f.through.slice(0, 4)}` : `${nlDate(f.from)} tot en met ${nlDate(f.through)} (lopend schooljaar)`;
}

/** The jaaropgave as sections of rows, the same on the page and in the .xlsx; with `previous`, a column for the year before. */
export function annualSections(f: AnnualFigures, previous?: AnnualFigures): AnnualSection[] {
  const both = (rows: [string, (a: AnnualFigures) => number | null][]): AnnualRow[] =>
    rows.map(([name, get]) => (previous ? [name, get(f) ?? '–', get(previous) ?? '–'] : [name, get(f) ?? '–']));
  const counts = (title: string, pick: (a: AnnualFigures) => Record<string, number>, name: (code: string) => string, order?: (a: string, b: string) => number): AnnualSection => {
    const codes = [...new Set([...Object.keys(pick(f)), ...Object.keys(previous ? pick(previous) : {})])].sort(order ?? ((a, b) => a.localeCompare(b)));
    return { title, rows: both(codes.map((code) => [name(code), (a) => pick(a)[code] ?? 0])) };
  };
  const municipalities = new Map([...(previous?.byMunicipality ?? []), ...f.byMunicipality].map((m) => [m.code, m.name]));
  const countOf = (a: AnnualFigures, code: string) => a.byMunicipality.find((m) => m.code === code)?.count ?? 0;
  return [
    {
      title: 'Totalen',
      rows: both([
        ['Ontvangen meldingen', (a) => a.received], ['Afgesloten', (a) => a.closed], ['Ingetrokken door de school', (a) => a.withdrawn],
        ['Doorgestuurd naar uw organisatie', (a) => a.forwardedIn], ['Doorgestuurd naar een andere organisatie', (a) => a.forwardedOut],
        ['Nog open aan het eind', (a) => a.openAtEnd], ['Behandelduur in dagen, mediaan', (a) => a.medianHandlingDays],
        ['Behandelduur in dagen, 90e percentiel', (a) => a.p90HandlingDays],
      ]),
    },
    counts('Ontvangen, naar soort verzuim', (a) => a.byKind, label(KIND_LABELS as Record<ReportKind, string>)),
    counts('Ontvangen, naar onderwijssector', (a) => a.bySector, label(SECTORS)),
    counts('Ontvangen, naar leeftijd op de begindatum', (a) => a.byAge, (age) => `${age} jaar`, (a, b) => Number(a) - Number(b)),
    counts('Afgesloten, naar reden', (a) => a.byClosingReason, label(CLOSING_REASON_LABELS as Record<ClosingReason, string>)),
    counts('Afgesloten, naar toelichting', (a) => a.byClosingExplanation, label(CLOSING_EXPLANATION_LABELS as Record<ClosingExplanation, string>)),
    { title: 'Ontvangen, naar woongemeente', rows: both([...municipalities].sort(([a], [b]) => a.localeCompare(b)).map(([code, name]) => [`${name} (${code})`, (a) => countOf(a, code)])) },
  ];
}

export function annualHeading(f: AnnualFigures): string {
  return `Jaaropgave schooljaar ${f.schoolYear}: ${f.organisation.name} (${f.organisation.code})`;
}

export async function annualReportXlsx(f: AnnualFigures, madeAt: Date): Promise<Buffer> {
  const book = new (exceljs().Workbook)();
  book.creator = 'Verzuimloket';
  book.created = madeAt;
  const sheet = book.addWorksheet(f.schoolYear);
  sheet.columns = [{ width: 60 }, { width: 14 }];
  sheet.addRow([annualHeading(f)]).font = { bold: true, size: 13 };
  sheet.addRow([`${periodOf(f)}. Aantallen, geen leerlinggegevens (Leerplichtwet art. 25).`]);
  for (const s of annualSections(f)) {
    sheet.addRow([]);
    sheet.addRow([s.title]).font = { bold: true };
    if (s.rows.length === 0) sheet.addRow(['Geen']);
    for (const row of s.rows) sheet.addRow(row);
  }
  return Buffer.from(await book.xlsx.writeBuffer());
}
