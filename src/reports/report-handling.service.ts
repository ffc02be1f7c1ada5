import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ErrorCode, FieldCode, invalid, ProblemError } from '../common/problem';
import { Actor } from '../kernel/actor';
import { Organisation } from '../organisations/organisation.entity';
import { lockVisibleReport, requireSide } from './report-access';
import { ReportStatus } from '../kernel/report-codes';
import { FieldChange, ReportEventType } from './report-event.entity';
import { ReportEventsService } from './report-events.service';
import { allowedReceiverTransitions, isOpen, isReopen } from './report-rules';
import { ForwardInput, MessageInput, StatusChangeInput, WithdrawInput } from './report.dto';
import { Report } from './report.entity';
import { ReportMessage } from './report-message.entity';
import { MessageView } from './report.view';
import { AuditAction, AuditService, byActor } from '../audit/audit.service';
import { sameValue } from '../common/same-value';
import { RECEIVER_TYPES } from '../kernel/organisation-type';

/** What happens to a report after filing: the receiver's status changes, forwards and replies; the school's withdrawal. */
@Injectable()
export class ReportHandlingService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly events: ReportEventsService,
    private readonly audit: AuditService,
  ) {}

  private log(m: EntityManager, actor: Actor, action: AuditAction, number: number, details: Record<string, unknown> = {}) {
    return this.audit.record(byActor(actor, action, { subjectType: 'REPORT', subjectId: number, details }), m);
  }

  async setStatus(actor: Actor, number: number, version: number | undefined, input: StatusChangeInput): Promise<void> {
    await this.db.transaction(async (m) => {
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
      const closing = input.status === ReportStatus.AFGESLOTEN;
      const update: Partial<Report> = {
        status: input.status,
        closingReason: closing ? input.closingReason! : null,
        closingExplanation: closing ? input.closingExplanation! : null,
        closedAt: isOpen(input.status) ? null : new Date(),
        version: report.version + 1,
      };
      if (input.contact) update.municipalContact = { name: input.contact.name, function: input.contact.function ?? null, phone: input.contact.phone ?? null, email: input.contact.email ?? null };
      const changes: FieldChange[] = [{ field: 'status', from: report.status, to: input.status }];
      for (const field of ['closingReason', 'closingExplanation', 'municipalContact'] as const) {
        if (update[field] !== undefined && !sameValue(update[field], report[field])) {
          changes.push({ field, from: report[field], to: update[field] });
        }
      }
      await m.getRepository(Report).update(report.id, update);
      const type = isReopen(report.status, input.status) ? ReportEventType.HEROPEND : ReportEventType.STATUS_GEWIJZIGD;
      await this.events.record(m, report.id, actor, type, changes, { from: report.status, to: input.status });
      await this.log(m, actor, AuditAction.REPORT_STATUS_CHANGED, number, { from: report.status, to: input.status });
    });
  }

  async withdraw(actor: Actor, number: number, version: number | undefined, input: WithdrawInput): Promise<void> {
    await this.db.transaction(async (m) => {
      const report = await lockVisibleReport(m, actor, number, version);
      requireSide(report, actor, 'school');
      if (!isOpen(report.status)) {
        throw new ProblemError(ErrorCode.TRANSITION_NOT_ALLOWED, `Een melding met status ${report.status} kan niet meer ingetrokken worden.`, undefined, {
          currentStatus: report.status,
          allowed: [],
        });
      }
      await m.getRepository(Report).update(report.id, { status: ReportStatus.INGETROKKEN, closedAt: new Date(), version: report.version + 1 });
      await this.events.record(m, report.id, actor, ReportEventType.INGETROKKEN, [{ field: 'status', from: report.status, to: ReportStatus.INGETROKKEN }], {
        ...(input.explanation ? { explanation: input.explanation } : {}),
      });
      await this.log(m, actor, AuditAction.REPORT_WITHDRAWN, number);
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
      const orgs = m.getRepository(Organisation);
      const chosen = await orgs.findOne({ where: { code: input.to.toUpperCase() } });
      if (!chosen) throw invalid({ field: 'to', code: FieldCode.UNKNOWN_ORGANISATION, message: `to: organisatie ${input.to} bestaat niet` });
      if (!RECEIVER_TYPES.includes(chosen.type) || !chosen.active) {
        throw invalid({ field: 'to', code: FieldCode.NOT_A_RECEIVER, message: `to: ${chosen.code} ontvangt geen meldingen` });
      }
      // A municipality that delegated its leerplicht tasks receives through its regional office.
      const target = chosen.delegateId ? await orgs.findOneByOrFail({ id: chosen.delegateId }) : chosen;
      if (target.id === report.receiverId) {
        throw invalid({ field: 'to', code: FieldCode.SAME_AS_CURRENT, message: `to: de melding ligt al bij ${target.name}` });
      }
      await m.getRepository(Report).update(report.id, { receiverId: target.id, status: ReportStatus.GEREGISTREERD, version: report.version + 1 });
      await this.events.record(
        m, report.id, actor, ReportEventType.DOORGESTUURD,
        [{ field: 'receiver', from: report.receiver.code, to: target.code }, ...(report.status !== ReportStatus.GEREGISTREERD ? [{ field: 'status', from: report.status, to: ReportStatus.GEREGISTREERD }] : [])],
        { from: report.receiver.code, to: target.code, ...(target.id !== chosen.id ? { via: chosen.code } : {}), ...(input.explanation ? { explanation: input.explanation } : {}) },
      );
      await this.log(m, actor, AuditAction.REPORT_FORWARDED, number, { from: report.receiver.code, to: target.code });
      return target.code;
    });
  }

  /** A reply from the receiver, or the school's answer. Both sides may write while they see the report. */
  async addMessage(actor: Actor, number: number, input: MessageInput): Promise<MessageView> {
    const id = await this.db.transaction(async (m) => {
      const report = await lockVisibleReport(m, actor, number);
      const message = await m.getRepository(ReportMessage).save({ reportId: report.id, organisationId: actor.organisationId, authorName: actor.name, body: input.body });
      await m.getRepository(Report).update(report.id, { version: report.version + 1 });
      await this.events.record(m, report.id, actor, ReportEventType.BERICHT, [], { messageId: message.id });
      await this.log(m, actor, AuditAction.REPORT_MESSAGE_ADDED, number);
      return message.id;
    });
    const saved = await this.db.getRepository(ReportMessage).findOneOrFail({ where: { id }, relations: { organisation: true } });
    return MessageView.of(saved);
  }
}
