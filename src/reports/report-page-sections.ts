import { Injectable } from '@nestjs/common';
import { Actor } from '../kernel/actor';
import type { PdfAttachment } from './export/report-pdf';
import { ReportView } from './report.view';

/**
 * A part of a report's page that another capability shows (attachments: the list and the buttons). The page is this
 * capability's; the part's data is the other's, which registers it here, so that reports needs nothing of it.
 */
export interface ReportSection {
  /** The partial that shows it: templates/pages/<capability>/partials/<name>.hbs as '<capability>/<name>'. */
  partial: string;
  context(actor: Actor, report: ReportView): Promise<Record<string, unknown>>;
}

/** A report whose visibility to the caller has been checked (findVisibleReport): its id and number. */
export interface VisibleReport {
  id: string;
  number: number;
}

@Injectable()
export class ReportPageSections {
  private readonly sections: ReportSection[] = [];
  private attachmentList?: (report: VisibleReport) => Promise<PdfAttachment[]>;

  add(section: ReportSection): void {
    this.sections.push(section);
  }

  /** Each section's partial with its data, in the order they were added. */
  render(actor: Actor, report: ReportView): Promise<Record<string, unknown>[]> {
    return Promise.all(this.sections.map(async (s) => ({ partial: s.partial, ...(await s.context(actor, report)) })));
  }

  /**
   * The capability that holds a report's attachments says how to list them for the archive (the PDF). It is given a
   * report the caller has already been found to see, so it does not look that up again.
   */
  listAttachmentsWith(list: (report: VisibleReport) => Promise<PdfAttachment[]>): void {
    this.attachmentList = list;
  }

  /** The attachments of a report the caller sees (checked before), or undefined where no capability holds attachments. */
  attachments(report: VisibleReport): Promise<PdfAttachment[] | undefined> {
    return this.attachmentList ? this.attachmentList(report) : Promise.resolve(undefined);
  }
}
