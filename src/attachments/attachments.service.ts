import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { DataSource, EntityManager } from 'typeorm';
import { AuditAction, AuditService, byActor } from '../audit/audit.service';
import { hasForbiddenCharacter } from '../common/hostile-input';
import { ErrorCode, FieldCode, invalid, notFound, ProblemError } from '../common/problem';
import { AppConfig } from '../config/app-config';
import { Actor } from '../kernel/actor';
import { ReportStatus } from '../kernel/report-codes';
import { locationLimit, lockVisibleReport, requireSide, visibleToActorSql } from '../reports/report-access';
import { ReportEventType } from '../reports/report-event.entity';
import { ReportEventsService } from '../reports/report-events.service';
import { isOpen } from '../reports/report-rules';
import { StreamedUpload } from '../web/streamed-upload';
import { takeIn } from './attachment-intake';
import { refuse, Refusal } from './attachment-refusals';
import { AttachmentCipher, chunkStream } from './attachment-store';
import { AttachmentRow, AttachmentView, attachmentView } from './attachment.view';
import { FILE_TYPES } from './file-types';

/** At most this many attachments per report. */
export const MAX_PER_REPORT = 20;
export const DESCRIPTION_MAX = 500;

/** A report as the attachment rules need it, read without its pupil data. */
export interface ReportHead {
  id: string;
  status: ReportStatus;
  school_id: string;
  receiver_id: string;
  count: number;
}

export interface Download {
  fileName: string;
  mediaType: string;
  size: number;
  content: Readable;
}

const LIST = `SELECT a.id, a.file_name, a.description, a.media_type, a.size, a.chunk_count, a.actor_name, a.created_at,
                     o.id AS org_id, o.code AS org_code, o.name AS org_name, o.type AS org_type
                FROM attachment a JOIN organisation o ON o.id = a.organisation_id`;

/** Size for people: "183 kB". */
export function sizeText(bytes: number): string {
  return bytes < 1024 * 1024 ? `${Math.max(1, Math.round(bytes / 1024))} kB` : `${(bytes / (1024 * 1024)).toFixed(1).replace('.', ',')} MB`;
}

/**
 * Attachments (aanvullingen) of reports: the filing school and the current receiver add them and both list and
 * download them; the school removes its own while the report is open. Adding and removing are changes of the report
 * (history, changes feed, the other side's e-mail, webhooks: ReportEventsService.record), in one transaction with
 * the stored content, so that a refused file leaves nothing behind. Every download and list is in the audit log.
 */
@Injectable()
export class AttachmentsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly events: ReportEventsService,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    private readonly cipher: AttachmentCipher,
  ) {}

  get maxBytes(): number {
    return this.config.ATTACHMENT_MAX_MB * 1024 * 1024;
  }

  /** The report's attachments, oldest first; the read is audited. */
  async list(actor: Actor, number: number): Promise<AttachmentView[]> {
    const report = await this.head(this.db.manager, actor, number);
    await this.audit.record(byActor(actor, AuditAction.REPORT_READ, { subjectType: 'REPORT', subjectId: number, details: { part: 'attachments' } }));
    return this.rows(report.id).then((rows) => rows.map((r) => attachmentView(number, r)));
  }

  /** The list for the report's page (whose own read is audited already), with the report's facts for the buttons. */
  async listForPage(actor: Actor, number: number): Promise<{ attachments: AttachmentView[]; report: ReportHead }> {
    const report = await this.head(this.db.manager, actor, number);
    return { attachments: (await this.rows(report.id)).map((r) => attachmentView(number, r)), report };
  }

  /**
   * The attachments of a report the caller was already found to see (its id, from findVisibleReport), for the
   * archive's PDF, which checks and audits that read itself: no second visibility query, no audit entry.
   */
  async listOfVisible(reportId: string, number: number): Promise<AttachmentView[]> {
    return (await this.rows(reportId)).map((r) => attachmentView(number, r));
  }

  /**
   * Adds the file of `upload` to the report. Refused before the body is read: a report the actor cannot see (404),
   * one that is not open (409), one that has its 20 already. Then the file streams in (see takeIn); at the end the
   * report is locked and counted again, so that uploads in parallel never make more than 20.
   */
  async add(actor: Actor, number: number, upload: StreamedUpload): Promise<AttachmentView> {
    try {
      await this.assertCanAdd(await this.head(this.db.manager, actor, number));
      upload.assertMultipart();
      const file = await upload.nextFile();
      if (!file) {
        if (upload.problem) throw invalid({ field: 'file', code: FieldCode.INVALID_FORMAT, message: `file: ${upload.problem}` });
        throw refuse(Refusal.MISSING, 'kies een bestand');
      }
      return await this.db.transaction(async (m) => {
        const id = randomUUID();
        // The chunks first (their reference to the attachment is checked at commit), then, with the report locked,
        // the count and the attachment's row: an upload in progress holds no lock that another change waits for.
        const taken = await takeIn(m, this.cipher, id, file, {
          maxBytes: this.maxBytes,
          clamd: this.config.CLAMAV_URL ? { url: this.config.CLAMAV_URL, timeoutMs: this.config.CLAMAV_TIMEOUT_SECONDS * 1000 } : undefined,
        });
        await upload.finished();
        if (upload.problem) throw invalid({ field: 'file', code: FieldCode.INVALID_FORMAT, message: `file: ${upload.problem}` });
        const description = this.description(upload.fields.description);
        const report = await lockVisibleReport(m, actor, number);
        const [{ count }]: { count: number }[] = await m.query('SELECT count(*)::int AS count FROM attachment WHERE report_id = $1', [report.id]);
        await this.assertCanAdd({ id: report.id, status: report.status, school_id: report.schoolId, receiver_id: report.receiverId, count });
        const { mediaType, label } = FILE_TYPES[taken.type];
        const row = await this.events.record(m, {
          report, actor, type: ReportEventType.BIJLAGE_TOEGEVOEGD,
          changes: [{ field: 'attachments', from: null, to: `${taken.fileName} (${label.replace(/^een /, '')}, ${sizeText(taken.size)})` }],
          details: { attachmentId: id, fileName: taken.fileName, mediaType, size: taken.size, ...(description ? { description } : {}) },
          audit: { action: AuditAction.REPORT_CHANGED, details: { attachmentAdded: id, mediaType, size: taken.size } },
          write: {
            sql: `INSERT INTO attachment (file_name, description, media_type, size, chunk_count, id, report_id, organisation_id, actor_name)
                  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING created_at`,
            params: [taken.fileName, description, mediaType, taken.size, taken.chunkCount, id, report.id, actor.organisationId, actor.name],
            also: ['UPDATE report SET version = version + 1, updated_at = now() WHERE id = $7'],
          },
        });
        const organisation = report.schoolId === actor.organisationId ? report.school : report.receiver;
        return attachmentView(number, {
          id, file_name: taken.fileName, description, media_type: mediaType, size: taken.size, chunk_count: taken.chunkCount, actor_name: actor.name,
          created_at: row.created_at as Date, org_id: organisation.id, org_code: organisation.code, org_name: organisation.name, org_type: organisation.type,
        });
      });
    } catch (error) {
      upload.discard();
      throw error;
    }
  }

  /** One attachment's content, streamed from its chunks; the download is audited. */
  async download(actor: Actor, number: number, id: string): Promise<Download> {
    const report = await this.head(this.db.manager, actor, number);
    const [row] = await this.rows(report.id, id);
    if (!row) throw notFound('Deze bijlage bestaat niet of is niet voor u zichtbaar.');
    await this.audit.record(byActor(actor, AuditAction.REPORT_READ, { subjectType: 'REPORT', subjectId: number, details: { attachment: id } }));
    return { fileName: row.file_name, mediaType: row.media_type, size: row.size, content: chunkStream(this.db, this.cipher, id, row.chunk_count) };
  }

  /** The school removes an attachment it added, while the report is open; the history keeps that it existed. */
  async remove(actor: Actor, number: number, id: string): Promise<void> {
    await this.db.transaction(async (m) => {
      const report = await lockVisibleReport(m, actor, number);
      requireSide(report, actor, 'school');
      const [row] = await this.rows(report.id, id, m);
      if (!row || row.org_id !== report.schoolId) throw notFound('Deze bijlage bestaat niet of is niet door de school toegevoegd.');
      if (!isOpen(report.status)) throw new ProblemError(ErrorCode.REPORT_CLOSED, 'Een bijlage kan alleen verwijderd worden zolang de melding open is.');
      await this.events.record(m, {
        report, actor, type: ReportEventType.BIJLAGE_VERWIJDERD,
        changes: [{ field: 'attachments', from: row.file_name, to: null }],
        details: { attachmentId: id, fileName: row.file_name, mediaType: row.media_type, size: row.size },
        audit: { action: AuditAction.REPORT_CHANGED, details: { attachmentRemoved: id } },
        write: {
          sql: 'DELETE FROM attachment WHERE id = $1 RETURNING id',
          params: [id, report.id],
          also: ['UPDATE report SET version = version + 1, updated_at = now() WHERE id = $2'],
        },
      });
    });
  }

  /** The report's facts the rules need, if the actor sees it (else 404), with its number of attachments. */
  private async head(m: EntityManager, actor: Actor, number: number): Promise<ReportHead> {
    const [report]: ReportHead[] = await m.query(
      `SELECT r.id, r.status, r.school_id, r.receiver_id, (SELECT count(*)::int FROM attachment a WHERE a.report_id = r.id) AS count
         FROM report r WHERE r.number = $1 AND ${visibleToActorSql('r', '$2', '$3')}`,
      [number, actor.organisationId, locationLimit(actor)],
    );
    if (!report) throw notFound('Deze melding bestaat niet of is niet voor u zichtbaar.');
    return report;
  }

  private async assertCanAdd(report: ReportHead): Promise<void> {
    if (!isOpen(report.status)) throw new ProblemError(ErrorCode.REPORT_CLOSED, 'Aan een afgesloten of ingetrokken melding kan geen bijlage meer worden toegevoegd.');
    if (report.count >= MAX_PER_REPORT) throw refuse(Refusal.TOO_MANY, `een melding heeft ten hoogste ${MAX_PER_REPORT} bijlagen`);
  }

  private description(value: string | undefined): string {
    const text = (value ?? '').trim();
    if (hasForbiddenCharacter(text)) throw invalid({ field: 'description', code: FieldCode.INVALID_CHARACTER, message: 'description: bevat een teken dat niet is toegestaan' });
    if (text.length > DESCRIPTION_MAX) throw invalid({ field: 'description', code: FieldCode.TOO_LONG, message: `description: ten hoogste ${DESCRIPTION_MAX} tekens` });
    return text;
  }

  private rows(reportId: string, id?: string, m: EntityManager = this.db.manager): Promise<AttachmentRow[]> {
    if (id !== undefined && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return Promise.resolve([]);
    return m.query(`${LIST} WHERE a.report_id = $1 ${id ? 'AND a.id = $2' : ''} ORDER BY a.created_at, a.id`, id ? [reportId, id] : [reportId]);
  }
}
