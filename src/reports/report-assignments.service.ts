import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditAction, AuditService, byActor } from '../audit/audit.service';
import { ErrorCode, FieldCode, invalid, ProblemError } from '../common/problem';
import { sameValue } from '../common/same-value';
import { Actor } from '../kernel/actor';
import { findVisibleReport, lockVisibleReport, requireSide } from './report-access';
import { ReportEventType } from './report-event.entity';
import { ReportEventsService } from './report-events.service';
import { isOpen } from './report-rules';
import { AssignInput } from './report.dto';
import { MunicipalContact } from './report.entity';
import { AssignmentsView, OfficerView } from './report.view';

/** The role whose holders handle reports. */
const OFFICER_ROLE = 'behandelaar';

/**
 * "In behandeling bij": the receiving organisation assigns a report to one of its officers, reassigns or releases it.
 * Every assignment is a row of `report_assignment` (the receiver's own history) and an audit entry (REPORT_CHANGED with
 * `assignedTo`: the audit action enum of API 1.x cannot grow); it raises the
 * report's version, so that two officers assigning at once with If-Match cannot both win. The school does not see the
 * assignment, unless the officer is made the municipal contact with it: that is a change the school sees, with its
 * own history event and e-mail.
 */
@Injectable()
export class ReportAssignmentsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly events: ReportEventsService,
    private readonly audit: AuditService,
  ) {}

  /** The officers of the actor's organisation a report can be assigned to: active accounts with the role behandelaar. */
  async officers(actor: Actor): Promise<OfficerView[]> {
    return this.db.query(
      `SELECT id, name FROM user_account WHERE organisation_id = $1 AND $2 = ANY(roles) AND status = 'ACTIVE' ORDER BY name, id`,
      [actor.organisationId, OFFICER_ROLE],
    );
  }

  /** The assignment of a report and its history, for the receiver only (the school gets 403). */
  async get(actor: Actor, number: number): Promise<AssignmentsView> {
    const report = await findVisibleReport(this.db.manager, actor, number);
    requireSide(report, actor, 'receiver');
    return this.view(number, report.id, report.version);
  }

  async assign(actor: Actor, number: number, version: number | undefined, input: AssignInput): Promise<AssignmentsView> {
    const { id, version: next } = await this.db.transaction(async (m) => {
      const report = await lockVisibleReport(m, actor, number, version);
      requireSide(report, actor, 'receiver');
      if (!isOpen(report.status)) throw new ProblemError(ErrorCode.REPORT_CLOSED, 'Alleen een open melding kan worden toegewezen; heropen haar eerst.');
      const [officer]: { id: string; name: string; email: string }[] = input.userId === null ? [] : await m.query(
        `SELECT id, name, email FROM user_account WHERE id = $1 AND organisation_id = $2 AND $3 = ANY(roles) AND status = 'ACTIVE'`,
        [input.userId, actor.organisationId, OFFICER_ROLE],
      );
      if (input.userId !== null && !officer) {
        throw invalid({ field: 'userId', code: FieldCode.NOT_ALLOWED_VALUE, message: 'userId: is geen actieve behandelaar van uw organisatie' });
      }
      if (input.asContact && !officer) {
        throw invalid({ field: 'asContact', code: FieldCode.NOT_ALLOWED_VALUE, message: 'asContact: kies een behandelaar om contactpersoon te maken' });
      }
      const contact: MunicipalContact | undefined = input.asContact && officer
        ? { name: officer.name, function: 'Leerplichtambtenaar', phone: report.municipalContact?.phone ?? null, email: officer.email }
        : undefined;
      const contactChanges = contact !== undefined && !sameValue(contact, report.municipalContact);
      if (report.assignedUserId === (officer?.id ?? null) && !contactChanges) {
        throw invalid({ field: 'userId', code: FieldCode.SAME_AS_CURRENT, message: officer ? `userId: de melding is al in behandeling bij ${officer.name}` : 'userId: de melding is aan niemand toegewezen' });
      }
      const params = [officer?.id ?? null, report.id, actor.organisationId, officer?.name ?? null, actor.name, actor.type === 'USER' ? actor.id : null];
      const history = 'INSERT INTO report_assignment (report_id, organisation_id, user_id, user_name, actor_name, actor_id) VALUES ($2, $3, $1, $4, $5, $6)';
      let written: number;
      if (contactChanges) {
        // The school sees its contact change: a history event (and the school's e-mail), in the same statement.
        const from = report.municipalContact;
        report.municipalContact = contact!;
        const row = await this.events.record(m, {
          report, actor, type: ReportEventType.GEWIJZIGD, changes: [{ field: 'municipalContact', from, to: contact }],
          audit: { action: AuditAction.REPORT_CHANGED, details: { assignedTo: officer?.id ?? null, asContact: true } },
          write: {
            sql: `UPDATE report SET assigned_user_id = $1, municipal_contact = $7::jsonb, version = version + 1, updated_at = now() WHERE id = $2 RETURNING version`,
            params: [...params, JSON.stringify(contact)],
            also: [history],
          },
        });
        written = Number(row.version);
      } else {
        const [row]: { version: number }[] = await m.query(
          `WITH h AS (${history}), u AS (UPDATE report SET assigned_user_id = $1, version = version + 1 WHERE id = $2 RETURNING version) SELECT version FROM u`, params,
        );
        await this.audit.record(byActor(actor, AuditAction.REPORT_CHANGED, { subjectType: 'REPORT', subjectId: number, details: { assignedTo: officer?.id ?? null } }), m);
        written = row.version;
      }
      return { id: report.id, version: written };
    });
    return this.view(number, id, next);
  }

  private async view(number: number, reportId: string, version: number): Promise<AssignmentsView> {
    const rows: { user_id: string | null; user_name: string | null; actor_name: string; created_at: Date; current: string | null; current_name: string | null }[] = await this.db.query(
      `SELECT a.user_id, a.user_name, a.actor_name, a.created_at, r.assigned_user_id AS current, u.name AS current_name
         FROM report r LEFT JOIN user_account u ON u.id = r.assigned_user_id
         LEFT JOIN report_assignment a ON a.report_id = r.id AND a.organisation_id = r.receiver_id
        WHERE r.id = $1 ORDER BY a.id`,
      [reportId],
    );
    const current = rows[0]?.current ? { id: rows[0].current, name: rows[0].current_name ?? '' } : null;
    return {
      number, version, assignedTo: current,
      history: rows.filter((r) => r.created_at).map((r) => ({
        userId: r.user_id, name: r.user_name, by: r.actor_name, at: r.created_at.toISOString(),
      })),
    };
  }
}
