import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditAction } from '../audit/audit.service';
import { ErrorCode, FieldCode, invalid, ProblemError } from '../common/problem';
import { sameValue } from '../common/same-value';
import { Actor } from '../kernel/actor';
import { RECEIVER_TYPES } from '../kernel/organisation-type';
import { ReportStatus } from '../kernel/report-codes';
import { Organisation } from '../organisations/organisation.entity';
import { lockVisibleReport, requireSide } from './report-access';
import { FieldChange, ReportEventType } from './report-event.entity';
import { ReportEventsService } from './report-events.service';
import { allowedReceiverTransitions, isOpen, isReopen } from './report-rules';
import { ForwardInput, MessageInput, StatusChangeInput, WithdrawInput } from './report.dto';
import { Report } from './report.entity';
import { ReportMessage } from './report-message.entity';

/**
 * What happens to a report after filing: the receiver's status changes, forwards and replies; the school's withdrawal.
 * Each is one transaction of few round trips: the locked report is read once with all it shows (lockVisibleReport),
 * the change of its row, its history event and its audit entry are one statement (ReportEventsService.record), and
 * the answer is the report as written, without reading it again.
 */
@Injectable()
export class ReportHandlingService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly events: ReportEventsService,
  ) {}

  /** The receiver's status change; the report as it is afterwards. */
  async setStatus(actor: Actor, number: number, version: number | undefined, input: StatusChangeInput): Promise<Report> {
    return this.db.transaction(async (m) => {
      const report = await lockVisibleReport(m, actor, number, version);
      requireSide(report, actor, 'receiver');
      const allowed = allowedReceiverTransitions(report.status);
      if (!allowed.includes(input.status)) {
        throw new ProblemError(
          ErrorCode.TRANSITION_NOT_ALLOWED,
          `Van ${report.status} naar ${input.status} kan niet.` + (allowed.length ? ` Wel: ${allowed.join(', ')}.` : ' Deze melding kan niet meer van status veranderen.'),
          undefined,
          { currentStatus: report.status, allowed },
        );
      }
      const from = report.status;
      const closing = input.status === ReportStatus.AFGESLOTEN;
      const next: Pick<Report, 'closingReason' | 'closingExplanation'> & { municipalContact?: Report['municipalContact'] } = {
        closingReason: closing ? input.closingReason! : null,
        closingExplanation: closing ? input.closingExplanation! : null,
        ...(input.contact
          ? { municipalContact: { name: input.contact.name, function: input.contact.function ?? null, phone: input.contact.phone ?? null, email: input.contact.email ?? null } }
          : {}),
      };
      const changes: FieldChange[] = [{ field: 'status', from, to: input.status }];
      for (const field of ['closingReason', 'closingExplanation', 'municipalContact'] as const) {
        if (next[field] !== undefined && !sameValue(next[field], report[field])) changes.push({ field, from: report[field], to: next[field] });
      }
      Object.assign(report, next, { status: input.status });
      const row = await this.events.record(m, {
        report, actor, type: isReopen(from, input.status) ? ReportEventType.HEROPEND : ReportEventType.STATUS_GEWIJZIGD, changes,
        details: { from, to: input.status },
        audit: { action: AuditAction.REPORT_STATUS_CHANGED, details: { from, to: input.status } },
        write: {
          sql: `UPDATE report SET status = $1, closing_reason = $2, closing_explanation = $3,
                  closed_at = CASE WHEN $4 THEN NULL ELSE now() END, municipal_contact = CASE WHEN $5 THEN $6::jsonb ELSE municipal_contact END,
                  version = version + 1, updated_at = now()
                WHERE id = $7 RETURNING version, updated_at, closed_at`,
          params: [input.status, report.closingReason, report.closingExplanation, isOpen(input.status), next.municipalContact !== undefined,
            JSON.stringify(next.municipalContact ?? null), report.id],
        },
      });
      return written(report, row);
    });
  }

  /** The school withdraws its report while it is open; the report as it is afterwards. */
  async withdraw(actor: Actor, number: number, version: number | undefined, input: WithdrawInput): Promise<Report> {
    return this.db.transaction(async (m) => {
      const report = await lockVisibleReport(m, actor, number, version);
      requireSide(report, actor, 'school');
      if (!isOpen(report.status)) {
        throw new ProblemError(ErrorCode.TRANSITION_NOT_ALLOWED, `Een melding met status ${report.status} kan niet meer ingetrokken worden.`, undefined, {
          currentStatus: report.status,
          allowed: [],
        });
      }
      const from = report.status;
      report.status = ReportStatus.INGETROKKEN;
      const row = await this.events.record(m, {
        report, actor, type: ReportEventType.INGETROKKEN, changes: [{ field: 'status', from, to: ReportStatus.INGETROKKEN }],
        details: input.explanation ? { explanation: input.explanation } : {},
        audit: { action: AuditAction.REPORT_WITHDRAWN },
        write: {
          sql: `UPDATE report SET status = $1, closed_at = now(), version = version + 1, updated_at = now() WHERE id = $2 RETURNING version, updated_at, closed_at`,
          params: [ReportStatus.INGETROKKEN, report.id],
        },
      });
      return written(report, row);
    });
  }

  /** Sends the report to another receiver (the pupil moved); the previous receiver no longer sees it. */
  async forward(actor: Actor, number: number, version: number | undefined, input: ForwardInput): Promise<string> {
    return this.db.transaction(async (m) => {
      const report = await lockVisibleReport(m, actor, number, version);
      requireSide(report, actor, 'receiver');
      if (!isOpen(report.status)) {
        throw new ProblemError(ErrorCode.REPORT_CLOSED, 'Alleen een open melding kan doorgestuurd worden; heropen haar eerst.');
      }
      const chosen = await m.getRepository(Organisation).findOne({ where: { code: input.to.toUpperCase() }, relations: { delegate: true } });
      if (!chosen) throw invalid({ field: 'to', code: FieldCode.UNKNOWN_ORGANISATION, message: `to: organisatie ${input.to} bestaat niet` });
      if (!RECEIVER_TYPES.includes(chosen.type) || !chosen.active) {
        throw invalid({ field: 'to', code: FieldCode.NOT_A_RECEIVER, message: `to: ${chosen.code} ontvangt geen meldingen` });
      }
      // A municipality that delegated its leerplicht tasks receives through its regional office.
      const target = chosen.delegate ?? chosen;
      if (target.id === report.receiverId) {
        throw invalid({ field: 'to', code: FieldCode.SAME_AS_CURRENT, message: `to: de melding ligt al bij ${target.name}` });
      }
      const previous = report.receiver;
      const from = report.status;
      Object.assign(report, { receiver: target, receiverId: target.id, status: ReportStatus.GEREGISTREERD });
      await this.events.record(m, {
        report, actor, type: ReportEventType.DOORGESTUURD, previousReceiver: previous,
        changes: [{ field: 'receiver', from: previous.code, to: target.code }, ...(from !== ReportStatus.GEREGISTREERD ? [{ field: 'status', from, to: ReportStatus.GEREGISTREERD }] : [])],
        details: { from: previous.code, to: target.code, ...(target.id !== chosen.id ? { via: chosen.code } : {}), ...(input.explanation ? { explanation: input.explanation } : {}) },
        audit: { action: AuditAction.REPORT_FORWARDED, details: { from: previous.code, to: target.code } },
        write: {
          sql: `UPDATE report SET receiver_id = $1, status = $2, assigned_user_id = NULL, version = version + 1, updated_at = now() WHERE id = $3 RETURNING version`,
          params: [target.id, ReportStatus.GEREGISTREERD, report.id],
        },
      });
      return target.code;
    });
  }

  /** A reply from the receiver, or the school's answer. Both sides may write while they see the report. */
  async addMessage(actor: Actor, number: number, input: MessageInput): Promise<ReportMessage> {
    return this.db.transaction(async (m) => {
      const report = await lockVisibleReport(m, actor, number);
      const id = randomUUID();
      const row = await this.events.record(m, {
        report, actor, type: ReportEventType.BERICHT, details: { messageId: id },
        audit: { action: AuditAction.REPORT_MESSAGE_ADDED },
        write: {
          sql: `INSERT INTO report_message (id, report_id, organisation_id, author_name, body) VALUES ($1, $2, $3, $4, $5) RETURNING created_at`,
          params: [id, report.id, actor.organisationId, actor.name, input.body],
          also: ['UPDATE report SET version = version + 1, updated_at = now() WHERE id = $2'],
        },
      });
      const organisation = report.schoolId === actor.organisationId ? report.school : report.receiver;
      return Object.assign(new ReportMessage(), {
        id, reportId: report.id, organisationId: actor.organisationId, organisation, authorName: actor.name, body: input.body, createdAt: row.created_at as Date,
      });
    });
  }
}

/** The report as the statement wrote it: its new version and moments from RETURNING. */
function written(report: Report, row: Record<string, unknown>): Report {
  report.version = Number(row.version);
  report.updatedAt = row.updated_at as Date;
  if ('closed_at' in row) report.closedAt = row.closed_at as Date | null;
  return report;
}
