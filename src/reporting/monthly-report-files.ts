import { nlDateTime } from '../common/dates';
import { exceljs, pdfkit } from '../common/heavy-libraries';
import {
  CLOSING_EXPLANATION_LABELS, CLOSING_REASON_LABELS, ClosingExplanation, ClosingReason, KIND_LABELS, ReportKind, STATUS_LABELS, ReportStatus,
} from '../kernel/report-codes';
import { MonthlyFigures } from './monthly-figures';
import type { MonthlyReportRow } from './monthly-reports.service';

export interface Section {
  title: string;
  rows: [string, string | number][];
}

const MONTHS = ['januari', 'februari', 'maart', 'april', 'mei', 'juni', 'juli', 'augustus', 'september', 'oktober', 'november', 'december'];

/** '2026-11' as "november 2026". */
export function monthName(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return `${MONTHS[m - 1]} ${y}`;
}

const label = <K extends string>(labels: Record<K, string>) => (code: string) => labels[code as K] ?? (code === 'ONBEKEND' ? 'Onbekend' : code);

/** The report as sections of label and value: the same on the page, in the .xlsx and in the PDF. */
export function sectionsOf(f: MonthlyFigures): Section[] {
  const counts = (title: string, c: Record<string, number>, name: (code: string) => string): Section => ({
    title, rows: Object.entries(c).sort(([a], [b]) => a.localeCompare(b)).map(([code, n]) => [name(code), n]),
  });
  const sections: Section[] = [
    {
      title: 'Totalen',
      rows: [
        ['Ingediend in de maand', f.filed], ['Open aan het eind van de maand', f.openAtEnd], ['Afgesloten in de maand', f.closed],
        ['Ingetrokken in de maand', f.withdrawn], ['Open langer dan 4 weken', f.openOver4Weeks], ['Open langer dan 3 maanden', f.openOver3Months],
        ['Mediaan dagen tot in behandeling', f.medianDaysToHandling ?? '–'], ['Mediaan dagen tot afsluiten', f.medianDaysToClosing ?? '–'],
      ],
    },
    counts('Ingediend, naar soort verzuim', f.byKind, label(KIND_LABELS as Record<ReportKind, string>)),
    counts('Ingediend, naar status aan het eind van de maand', f.byStatus, label(STATUS_LABELS as Record<ReportStatus, string>)),
    counts('Afgesloten, naar reden', f.byClosingReason, label(CLOSING_REASON_LABELS as Record<ClosingReason, string>)),
    counts('Afgesloten, naar toelichting', f.byClosingExplanation, label(CLOSING_EXPLANATION_LABELS as Record<ClosingExplanation, string>)),
    { title: f.side === 'school' ? 'Ingediend, naar locatie' : 'Ontvangen, naar school', rows: f.byUnit.map((u) => [`${u.name} (${u.code})`, u.count]) },
  ];
  if (f.side === 'receiver') {
    sections.push({ title: 'Potentieel langdurig: open meldingen ouder dan 4 weken (meldingsnummers)', rows: f.longOpen.map((n) => ['Melding', n]) });
  }
  return sections;
}

function heading(r: MonthlyReportRow): string {
  return `Maandrapportage ${monthName(r.month)}: ${r.figures.organisation.name} (${r.figures.organisation.code})`;
}

export async function monthlyReportXlsx(r: MonthlyReportRow): Promise<Buffer> {
  const book = new (exceljs().Workbook)();
  book.creator = 'Verzuimloket';
  book.created = r.madeAt;
  const sheet = book.addWorksheet(r.month);
  sheet.columns = [{ width: 60 }, { width: 14 }];
  sheet.addRow([heading(r)]).font = { bold: true, size: 13 };
  sheet.addRow([`Gemaakt op ${nlDateTime(r.madeAt)}; wordt verwijderd op ${nlDateTime(r.expiresAt)}`]);
  for (const s of sectionsOf(r.figures)) {
    sheet.addRow([]);
    sheet.addRow([s.title]).font = { bold: true };
    if (s.rows.length === 0) sheet.addRow(['Geen']);
    for (const row of s.rows) sheet.addRow(row);
  }
  return Buffer.from(await book.xlsx.writeBuffer());
}

export function monthlyReportPdf(r: MonthlyReportRow): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const PDFDocument = pdfkit();
    const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: heading(r), Author: 'Verzuimloket' } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.font('Helvetica-Bold').fontSize(14).text(heading(r));
    doc.font('Helvetica').fontSize(9).text(`Gemaakt op ${nlDateTime(r.madeAt)}; wordt verwijderd op ${nlDateTime(r.expiresAt)}`);
    for (const s of sectionsOf(r.figures)) {
      doc.moveDown().font('Helvetica-Bold').fontSize(11).text(s.title);
      doc.font('Helvetica').fontSize(10);
      if (s.rows.length === 0) doc.text('Geen');
      for (const [name, value] of s.rows) doc.text(`${name}: ${value}`);
    }
    doc.end();
  });
}
