import { Injectable } from '@nestjs/common';
import { Actor } from '../kernel/actor';
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

@Injectable()
export class ReportPageSections {
  private readonly sections: ReportSection[] = [];

  add(section: ReportSection): void {
    this.sections.push(section);
  }

  /** Each section's partial with its data, in the order they were added. */
  render(actor: Actor, report: ReportView): Promise<Record<string, unknown>[]> {
    return Promise.all(this.sections.map(async (s) => ({ partial: s.partial, ...(await s.context(actor, report)) })));
  }
}
