import { Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, PipeTransform, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiProblems } from '../common/api-problems.decorator';
import { notFound } from '../common/problem';
import { Allow, CurrentActor, Permission } from '../kernel/access';
import { Actor } from '../kernel/actor';
import { parseReportNumber } from '../reports/report-access';
import { StreamedUpload } from '../web/streamed-upload';
import { Upload } from '../web/upload';
import { sendDownload } from './attachment-http';
import { AttachmentView } from './attachment.view';
import { AttachmentsService, DESCRIPTION_MAX, MAX_PER_REPORT } from './attachments.service';
import { FILE_TYPES } from './file-types';

const reportNumber: PipeTransform<string, number> = { transform: parseReportNumber };
const attachmentId = new ParseUUIDPipe({ exceptionFactory: () => notFound('Deze bijlage bestaat niet of is niet voor u zichtbaar.') });
export const ATTACHMENT_UPLOAD = { field: 'file', maxBytes: 0, streamed: true };

@ApiTags('Bijlagen')
@ApiBearerAuth()
@Controller('api/v1/reports/:number/attachments')
export class AttachmentsApiController {
  constructor(private readonly attachments: AttachmentsService) {}

  @Post()
  @Allow(Permission.REPORT_MESSAGE)
  @Upload(ATTACHMENT_UPLOAD)
  @ApiOperation({
    summary: 'Een bijlage (aanvulling) toevoegen, door de school of de ontvanger',
    description: `Multipart: \`file\` (verplicht) en \`description\`. Toegestaan: PDF, PNG, JPEG, Word (.docx), Excel (.xlsx), CSV en tekst (.txt), herkend aan de inhoud; `
      + `de extensie moet passen. Geweigerd (422, veld \`file\`): een ander soort bestand of een programma (NOT_ALLOWED_VALUE), een extensie die niet past of tekst die geen UTF-8 is `
      + `(INVALID_FORMAT), een versleuteld of macrobestand (NOT_ALLOWED_VALUE), een zip-bom (TOO_LARGE), een leeg bestand (TOO_SMALL), meer dan ${MAX_PER_REPORT} bijlagen (TOO_MANY), `
      + `een virus of een onbereikbare virusscanner (NOT_ALLOWED_VALUE); groter dan ATTACHMENT_MAX_MB (standaard 10 MB): 413. Er wordt dan niets opgeslagen. Alleen bij een open melding (anders 409).`,
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object', required: ['file'],
      properties: {
        description: { type: 'string', maxLength: DESCRIPTION_MAX, description: 'Wat de bijlage is, voor de andere kant' },
        file: { type: 'string', format: 'binary', description: 'Het bestand' },
      },
    },
  })
  @ApiCreatedResponse({ type: AttachmentView, headers: { Location: { description: 'Waar de bijlage te downloaden is', schema: { type: 'string' } } } })
  @ApiProblems(400, 401, 403, 404, 409, 413, 415, 422)
  async add(@CurrentActor() actor: Actor, @Param('number', reportNumber) number: number, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<AttachmentView> {
    const view = await this.attachments.add(actor, number, StreamedUpload.of(req, ATTACHMENT_UPLOAD.field));
    res.status(201).setHeader('Location', view.href);
    return view;
  }

  @Get()
  @Allow(Permission.REPORT_READ)
  @ApiOperation({ summary: 'De bijlagen van een melding, oudste eerst' })
  @ApiOkResponse({ type: [AttachmentView] })
  @ApiProblems(401, 403, 404)
  list(@CurrentActor() actor: Actor, @Param('number', reportNumber) number: number): Promise<AttachmentView[]> {
    return this.attachments.list(actor, number);
  }

  @Get(':id')
  @Allow(Permission.REPORT_READ)
  @ApiOperation({ summary: 'De inhoud van een bijlage downloaden', description: 'Content-Disposition: attachment, het herkende soort, nosniff, no-store. Elke download staat in het logboek.' })
  @ApiProduces(...[...new Set(Object.values(FILE_TYPES).map((t) => t.mediaType.split(';')[0]))])
  @ApiOkResponse({
    description: 'De inhoud',
    schema: { type: 'string', format: 'binary' },
    headers: { 'Content-Disposition': { description: 'attachment; filename="…"; filename*=UTF-8\'\'…', schema: { type: 'string' } } },
  })
  @ApiProblems(401, 403, 404)
  async download(
    @CurrentActor() actor: Actor, @Param('number', reportNumber) number: number, @Param('id', attachmentId) id: string, @Res() res: Response,
  ): Promise<void> {
    await sendDownload(res, await this.attachments.download(actor, number, id));
  }

  @Delete(':id')
  @HttpCode(204)
  @Allow(Permission.REPORT_UPDATE)
  @ApiOperation({ summary: 'Een eigen bijlage verwijderen (school), zolang de melding open is; de geschiedenis houdt bij dat ze er was' })
  @ApiNoContentResponse({ description: 'Verwijderd' })
  @ApiProblems(401, 403, 404, 409)
  async remove(@CurrentActor() actor: Actor, @Param('number', reportNumber) number: number, @Param('id', attachmentId) id: string): Promise<void> {
    await this.attachments.remove(actor, number, id);
  }
}
