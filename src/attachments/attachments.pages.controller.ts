import { Controller, Get, OnModuleInit, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { nlDateTime } from '../common/dates';
import { notFound } from '../common/problem';
import { Allow, CurrentActor, Permission } from '../kernel/access';
import { Actor } from '../kernel/actor';
import { parseReportNumber } from '../reports/report-access';
import { ReportPageSections } from '../reports/report-page-sections';
import { isOpen } from '../reports/report-rules';
import { ReportView } from '../reports/report.view';
import { fieldErrorsOf, pageErrors } from '../web/forms';
import { nav } from '../web/nav';
import { PageRenderer } from '../web/page-renderer';
import { PortalFilter } from '../web/portal.filter';
import { StreamedUpload } from '../web/streamed-upload';
import { Upload } from '../web/upload';
import { sendDownload } from './attachment-http';
import { ALLOWED_TEXT } from './attachment-refusals';
import { ATTACHMENT_UPLOAD } from './attachments.api.controller';
import { AttachmentsService, MAX_PER_REPORT, sizeText } from './attachments.service';
import { FILE_TYPES } from './file-types';

const LABELS = { description: 'Omschrijving', file: 'Bestand', algemeen: 'Let op' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const typeLabel = (mediaType: string) => Object.values(FILE_TYPES).find((t) => t.mediaType === mediaType)?.label.replace(/^een /, '') ?? mediaType;

/**
 * The attachments on a report's page (a section the report page shows, see ReportPageSections), adding one from it
 * (a page of its own when the file was refused, with the reason beside the field), downloading and removing.
 */
@ApiExcludeController()
@UseFilters(PortalFilter)
@Controller('meldingen/:number/bijlagen')
export class AttachmentsPagesController implements OnModuleInit {
  constructor(
    private readonly pages: PageRenderer,
    private readonly attachments: AttachmentsService,
    private readonly sections: ReportPageSections,
  ) {}

  onModuleInit(): void {
    this.sections.add({ partial: 'attachments/report-attachments', context: (actor, report) => this.section(actor, report.number, report) });
    this.sections.listAttachmentsWith(async (report) => (await this.attachments.listOfVisible(report.id, report.number)).map((a) => ({
      fileName: a.fileName, description: a.description, size: a.size, createdAt: a.createdAt, organisation: { name: a.addedBy.name },
    })));
  }

  @Post()
  @Allow(Permission.REPORT_MESSAGE)
  @Upload(ATTACHMENT_UPLOAD)
  async add(@CurrentActor() actor: Actor, @Param('number') number: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const n = parseReportNumber(number);
    const upload = StreamedUpload.of(req, ATTACHMENT_UPLOAD.field);
    try {
      await this.attachments.add(actor, n, upload);
      res.redirect(303, `/meldingen/${n}?gedaan=bijlage-toegevoegd#bijlagen`);
    } catch (error) {
      const errors = pageErrors(fieldErrorsOf(error), LABELS);
      const section = await this.section(actor, n);
      res.status(error instanceof Error && 'status' in error ? Number(error.status) : 422).type('html').send(this.pages.render('attachments/attachments', {
        title: `Bijlagen bij melding ${n}`, nav: nav(actor, 'meldingen'), errors, values: { description: upload.fields.description ?? '' }, section,
      }));
    }
  }

  @Get(':id')
  @Allow(Permission.REPORT_READ)
  async download(@CurrentActor() actor: Actor, @Param('number') number: string, @Param('id') id: string, @Res() res: Response): Promise<void> {
    const n = parseReportNumber(number);
    if (!UUID.test(id)) throw notFound('Deze bijlage bestaat niet of is niet voor u zichtbaar.');
    await sendDownload(res, await this.attachments.download(actor, n, id));
  }

  @Post(':id/verwijderen')
  @Allow(Permission.REPORT_UPDATE)
  async remove(@CurrentActor() actor: Actor, @Param('number') number: string, @Param('id') id: string, @Res() res: Response): Promise<void> {
    const n = parseReportNumber(number);
    if (!UUID.test(id)) throw notFound('Deze bijlage bestaat niet of is niet voor u zichtbaar.');
    await this.attachments.remove(actor, n, id);
    res.redirect(303, `/meldingen/${n}?gedaan=bijlage-verwijderd#bijlagen`);
  }

  /** What the section shows: the list, the remove buttons of the school's own, the form to add. */
  private async section(actor: Actor & { csrfToken?: string }, number: number, report?: ReportView): Promise<Record<string, unknown>> {
    const { attachments, report: head } = await this.attachments.listForPage(actor, number);
    const open = isOpen(report?.status ?? head.status);
    const school = head.school_id === actor.organisationId;
    return {
      number, max: MAX_PER_REPORT, maxMb: this.attachments.maxBytes / (1024 * 1024), allowed: `Toegestaan: ${ALLOWED_TEXT}`,
      canAdd: open && actor.permissions.has(Permission.REPORT_MESSAGE) && attachments.length < MAX_PER_REPORT,
      attachments: attachments.map((a) => ({
        ...a, typeLabel: typeLabel(a.mediaType), sizeLabel: sizeText(a.size), createdAtLabel: nlDateTime(a.createdAt),
        removable: open && school && a.addedBy.code === actor.organisationCode && actor.permissions.has(Permission.REPORT_UPDATE),
      })),
    };
  }
}
