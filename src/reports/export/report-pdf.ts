import { nlDateTime, nlDay } from '../../common/dates';
import { pdfkit } from '../../common/heavy-libraries';
import {
  CLOSING_EXPLANATION_LABELS, CLOSING_REASON_LABELS, ClosingExplanation, ClosingReason, KIND_LABELS, STATUS_LABELS,
} from '../../kernel/report-codes';
import { addressText, COPIES_LABELS, EVENT_LABELS, HISTORY_LABELS, SEX_LABELS, shown } from '../report-labels';
import { HistoryEntryView, ReportView } from '../report.view';

/** An attachment as the archive lists it (the report's data carries them once attachments exist). */
export interface PdfAttachment {
  fileName: string;
  description?: string | null;
  size?: number | null;
  createdAt?: string | null;
  organisation?: { name: string } | null;
  removedAt?: string | null;
}

const MARGIN = 56;
const LABEL_WIDTH = 170;

/**
 * One report for the digital archive, as a PDF of real text (pdfkit, its standard Helvetica): every field, the messages,
 * the history and the list of attachments, with the meldingsnummer, the printing date and the page number on every page.
 * `compress: false` writes the page contents readable (the tests read them back).
 */
export function reportPdf(r: ReportView & { attachments?: PdfAttachment[] }, history: readonly HistoryEntryView[], printedAt: Date, compress = true): PDFKit.PDFDocument {
  const PDFDocument = pdfkit();
  const doc = new PDFDocument({
    size: 'A4', margins: { top: MARGIN + 14, bottom: MARGIN + 10, left: MARGIN, right: MARGIN }, bufferPages: true, compress,
    info: { Title: `Verzuimmelding ${r.number}`, Author: 'Verzuimloket', Subject: 'Verzuimmelding voor het archief', CreationDate: printedAt },
    lang: 'nl-NL', displayTitle: true,
  });
  const w = new Writer(doc);
  doc.font('Helvetica-Bold').fontSize(16).text(`Verzuimmelding ${r.number}`);
  doc.font('Helvetica').fontSize(10).text(`${KIND_LABELS[r.kind]} · ${STATUS_LABELS[r.status]}`).moveDown(0.5);

  const p = r.pupil;
  w.section('Leerling', [
    [p.pgnType === 'BSN' ? 'BSN' : 'Onderwijsnummer', p.pgn],
    ['Naam', [p.initials, p.prefix, p.surname].filter(Boolean).join(' ')],
    ['Geslacht', SEX_LABELS[p.sex]],
    ['Geboortedatum', nlDay(p.birthDate)],
    ['Adres (BRP)', addressText(p.registeredAddress) + ` (${p.registeredAddress.municipalityCode})`],
    ['Afwijkend verblijfsadres', p.residenceAddress ? `${addressText(p.residenceAddress)} (${p.residenceAddress.municipalityCode})` : null],
    ['Telefoon ouder of leerling', p.phone],
    ['Leerlingnummer op school', p.studentNumber],
  ]);
  w.section('Verzuim', [
    ['Soort verzuim', KIND_LABELS[r.kind]],
    ['Vermoedelijke reden', r.reason],
    ['Eerste dag van het verzuim', nlDay(r.beginDate)],
    ['Laatste dag van het verzuim', r.endDate ? nlDay(r.endDate) : null],
    ['Alle lessen gemist', r.allLessonsMissed ? 'Ja' : 'Nee'],
    ['Aantal dagen gemist', r.daysMissed],
    ['Aantal lesuren gemist', r.hoursMissed],
    ['Verzuim per dag', r.absenceDays?.length ? r.absenceDays.map((d) => `${nlDay(d.date)}: lesuur ${d.lessonHours.join(', ')}`).join('\n') : null],
    ['Toelichting bij het verzuim', r.absenceExplanation],
    ['Door school ondernomen actie', r.schoolAction],
    ['Actie door de gemeente gewenst', r.actionWanted ? 'Ja' : 'Nee'],
    ['Toelichting geen actie gewenst', r.actionWantedExplanation],
  ]);
  w.section('School', [
    ['School', `${r.school.name} (${r.school.code})`],
    ['Vestiging', `${r.location.name} (${r.location.vestigingscode})`],
    ['Melder', [r.reporter.name, r.reporter.function, r.reporter.phone, r.reporter.email].filter(Boolean).join(', ')],
    ['Bericht van reacties aan', COPIES_LABELS[r.emailCopies]],
  ]);
  const contact = r.municipalContact;
  w.section('Ontvanger en afhandeling', [
    ['Ontvanger', `${r.receiver.name} (${r.receiver.code})`],
    ['Woongemeente', `${r.residenceMunicipality.name} (${r.residenceMunicipality.code})`],
    ['Status', STATUS_LABELS[r.status]],
    ['Gemeld op', nlDateTime(r.createdAt, 'long')],
    ['Laatst gewijzigd', nlDateTime(r.updatedAt, 'long')],
    ['Afgesloten op', r.closedAt ? nlDateTime(r.closedAt, 'long') : null],
    ['Reden van afsluiten', r.closingReason ? CLOSING_REASON_LABELS[r.closingReason as ClosingReason] ?? r.closingReason : null],
    ['Toelichting bij afsluiten', r.closingExplanation ? CLOSING_EXPLANATION_LABELS[r.closingExplanation as ClosingExplanation] ?? r.closingExplanation : null],
    ['Contactpersoon gemeente', contact ? [contact.name, contact.function, contact.phone, contact.email].filter(Boolean).join(', ') : null],
  ]);

  w.heading('Berichten');
  if (r.messages.length === 0) w.line('Geen berichten.');
  for (const m of r.messages) w.entry(`${nlDateTime(m.createdAt, 'long')}, ${m.authorName} (${m.from.name})`, [m.body]);

  w.heading('Geschiedenis');
  for (const h of history) {
    const lines = h.changes.map((c) => `${HISTORY_LABELS[c.field] ?? c.field}: van ${shown(c.field, c.from)} naar ${shown(c.field, c.to)}`);
    const d = h.details;
    if (typeof d.from === 'string' && typeof d.to === 'string') {
      lines.push(h.type === 'DOORGESTUURD' ? `Van ${d.from} naar ${d.to}` : `Van ${shown('status', d.from)} naar ${shown('status', d.to)}`);
    }
    if (typeof d.explanation === 'string') lines.push(`Toelichting: ${d.explanation}`);
    w.entry(`${nlDateTime(h.at, 'long')}: ${EVENT_LABELS[h.type] ?? h.type}, door ${h.actor} (${h.organisation.name})`, lines);
  }

  const attachments = r.attachments;
  if (Array.isArray(attachments)) {
    w.heading('Bijlagen');
    if (attachments.length === 0) w.line('Geen bijlagen.');
    for (const a of attachments) {
      const facts = [
        a.description, a.size ? `${Math.max(1, Math.round(a.size / 1024))} kB` : null,
        a.createdAt ? `toegevoegd ${nlDateTime(a.createdAt, 'long')}${a.organisation ? ` door ${a.organisation.name}` : ''}` : null,
        a.removedAt ? `verwijderd ${nlDateTime(a.removedAt, 'long')}` : null,
      ].filter(Boolean) as string[];
      w.entry(a.fileName, [facts.join(', ')].filter(Boolean));
    }
  }
  w.pageMarks(r.number, printedAt);
  return doc;
}

/** Writes sections of label and value, breaking pages between whole fields where it can. */
class Writer {
  private readonly width: number;

  constructor(private readonly doc: PDFKit.PDFDocument) {
    this.width = doc.page.width - MARGIN * 2;
  }

  heading(text: string): void {
    this.room(40);
    this.doc.moveDown(0.6).font('Helvetica-Bold').fontSize(12).text(text, MARGIN, this.doc.y, { width: this.width });
    this.doc.moveTo(MARGIN, this.doc.y + 1).lineTo(MARGIN + this.width, this.doc.y + 1).lineWidth(0.5).strokeColor('#888888').stroke();
    this.doc.moveDown(0.3).font('Helvetica').fontSize(10);
  }

  section(title: string, fields: [string, string | number | null | undefined][]): void {
    this.heading(title);
    for (const [label, value] of fields) this.field(label, value === null || value === undefined || value === '' ? '-' : String(value));
  }

  line(text: string): void {
    this.doc.font('Helvetica').fontSize(10).text(text, MARGIN, this.doc.y, { width: this.width });
  }

  entry(title: string, lines: string[]): void {
    this.room(30);
    this.doc.moveDown(0.2).font('Helvetica-Bold').fontSize(10).text(title, MARGIN, this.doc.y, { width: this.width });
    for (const l of lines) this.doc.font('Helvetica').text(l, MARGIN + 12, this.doc.y, { width: this.width - 12 });
  }

  private field(label: string, value: string): void {
    const doc = this.doc.fontSize(10);
    const valueWidth = this.width - LABEL_WIDTH;
    const height = Math.max(doc.font('Helvetica-Bold').heightOfString(label, { width: LABEL_WIDTH - 8 }), doc.font('Helvetica').heightOfString(value, { width: valueWidth }));
    // A field that fits on a page starts on the page it fits; a longer text flows on to the next ones.
    if (height < this.bottom() - MARGIN * 2) this.room(height);
    const top = doc.y;
    doc.font('Helvetica-Bold').text(label, MARGIN, top, { width: LABEL_WIDTH - 8 });
    const afterLabel = { page: this.pageIndex(), y: doc.y };
    doc.font('Helvetica').text(value, MARGIN + LABEL_WIDTH, top, { width: valueWidth });
    if (this.pageIndex() === afterLabel.page) doc.y = Math.max(doc.y, afterLabel.y);
    doc.y += 3;
  }

  /** On every page: the meldingsnummer and the printing date at the top; the same and "pagina x van y" at the bottom. */
  pageMarks(number: number, printedAt: Date): void {
    const doc = this.doc;
    const range = doc.bufferedPageRange();
    for (let i = range.start; i < range.start + range.count; i++) {
      doc.switchToPage(i);
      const bottom = doc.page.margins.bottom;
      doc.page.margins.bottom = 0; // writing in the margin must not start a new page
      doc.font('Helvetica').fontSize(8).fillColor('#444444');
      doc.text(`Verzuimloket · Meldingsnummer ${number}`, MARGIN, MARGIN - 20, { width: this.width / 2, lineBreak: false });
      doc.text(`Afgedrukt op ${nlDateTime(printedAt, 'long')}`, MARGIN + this.width / 2, MARGIN - 20, { width: this.width / 2, align: 'right', lineBreak: false });
      doc.text(`Meldingsnummer ${number} · afgedrukt op ${nlDateTime(printedAt, 'long')} · pagina ${i + 1} van ${range.count}`,
        MARGIN, doc.page.height - MARGIN + 10, { width: this.width, align: 'center', lineBreak: false });
      doc.page.margins.bottom = bottom;
      doc.fillColor('#000000');
    }
  }

  private room(height: number): void {
    if (this.doc.y + height > this.bottom()) this.doc.addPage();
  }

  private bottom(): number {
    return this.doc.page.height - this.doc.page.margins.bottom;
  }

  private pageIndex(): number {
    const range = this.doc.bufferedPageRange();
    return range.start + range.count - 1;
  }
}
