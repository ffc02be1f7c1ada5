import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditAction, AuditService, AuditSubjectType, byActor } from '../../audit/audit.service';
import { Actor } from '../../kernel/actor';
import { findVisibleReport } from '../report-access';
import { ReportEventsService } from '../report-events.service';
import { ReportPageSections } from '../report-page-sections';
import { ReportsService } from '../reports.service';
import { reportPdf } from './report-pdf';

export interface RenderedPdf {
  fileName: string;
  /** The document, complete but for end(): whoever sends it pipes it and ends it. */
  doc: PDFKit.PDFDocument;
}

/** One report for the digital archive, as the caller sees it; reading it for the PDF is logged as an export. */
@Injectable()
export class ReportPdfService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly reports: ReportsService,
    private readonly events: ReportEventsService,
    private readonly audit: AuditService,
    private readonly sections: ReportPageSections,
  ) {}

  async render(actor: Actor, number: number, printedAt = new Date()): Promise<RenderedPdf> {
    const report = await findVisibleReport(this.db.manager, actor, number);
    // The report is visible (found just above): its attachments are listed without looking that up again.
    const [view, history, attachments] = await Promise.all([this.reports.view(report), this.events.history(report.id), this.sections.attachments(report)]);
    await this.audit.record(byActor(actor, AuditAction.REPORTS_EXPORTED, { subjectType: AuditSubjectType.REPORT, subjectId: number, details: { format: 'PDF' } }));
    return { fileName: `melding-${number}.pdf`, doc: reportPdf(attachments ? { ...view, attachments } : view, history, printedAt) };
  }
}
