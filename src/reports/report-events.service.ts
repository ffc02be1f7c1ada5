import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { FieldCode, invalid } from '../common/problem';
import { Actor } from '../kernel/actor';
import { locationLimit, sideOf, visibleOnSideSql } from './report-access';
import { ClosingReason, ReportStatus } from '../kernel/report-codes';
import { ReportEventBus, ReportFacts } from './report-event-bus';
import { Report } from './report.entity';
import { Organisation } from '../organisations/organisation.entity';
import { AuditAction, AuditService, byActor } from '../audit/audit.service';
import { FieldChange, ReportEventType, v1EventType } from './report-event.entity';
import { ChangesPage, HistoryEntryView } from './report.view';
import { OrganisationType } from '../kernel/organisation-type';
import { preparedQuery } from '../common/prepared-query';

/**
 * The history of reports and the changes feed. Every change writes its event in the same transaction, tagged with
 * the transaction id; the feed hands out only events of transactions older than every transaction still running,
 * in (txid, id) order, so that a poller resuming from its cursor sees each event once and misses none. The listeners
 * on the ReportEventBus (e-mails, webhooks) write with each event, in its statement.
 */
/** A change of a report, to record: see ReportEventsService.record. */
export interface ReportChange {
  /** The report as it is after the change (its relations school, location, reporter and receiver loaded). */
  report: Report;
  actor: Actor;
  type: ReportEventType;
  changes?: FieldChange[];
  details?: Record<string, unknown>;
  audit: { action: AuditAction; details?: Record<string, unknown> };
  /**
   * The statement that writes the report's row, with its own parameters ($1...), and any further statements of the
   * same change (`also`, which may use the same parameters). Without it: an event only.
   */
  write?: { sql: string; params: unknown[]; also?: string[] };
  /** A forward: the receiver the report leaves. */
  previousReceiver?: Organisation;
}

/** What listeners need to know of the report, from what the writer already has. */
function factsOf(r: Report, previous?: Organisation): ReportFacts {
  const org = (o: Organisation) => ({ id: o.id, code: o.code, name: o.name, mailbox: o.mailbox });
  return {
    kind: r.kind, status: r.status, closingReason: r.closingReason as ClosingReason | null, emailCopies: r.emailCopies,
    school: org(r.school), location: { code: r.school.code + r.location.code, name: r.location.name },
    receiver: org(r.receiver), reporterEmail: r.reporter.email, ...(previous ? { previousReceiver: org(previous) } : {}),
  };
}

@Injectable()
export class ReportEventsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly bus: ReportEventBus,
    private readonly audit: AuditService,
  ) {}

  /**
   * Records a change of a report in ONE statement: the change of the report's row itself (`write`, a data-modifying
   * statement that becomes the CTE "r"; its RETURNING columns come back), the history event (with the transaction id
   * the changes feed orders by), the audit entry, and what every listener on the ReportEventBus writes for it (the
   * e-mails, the webhook deliveries), built from the report's facts as they are after the change (`report`, updated by
   * the caller), so that none of them reads the report again. One round trip, atomic by itself: a caller that writes
   * nothing else needs no transaction.
   */
  async record(m: EntityManager, change: ReportChange): Promise<Record<string, unknown>> {
    const { report, actor, type } = change;
    const params: unknown[] = [...(change.write?.params ?? [])];
    const p = (value: unknown) => `$${params.push(value)}`;
    const reportId = p(report.id);
    const receiverId = p(report.receiverId);
    const parts: [string, string][] = [];
    if (change.write) parts.push(['r', change.write.sql]);
    (change.write?.also ?? []).forEach((sql, i) => parts.push([`w${i}`, sql]));
    parts.push(['e', `INSERT INTO report_event (report_id, receiver_id, school_id, txid, type, actor_organisation_id, actor_type, actor_id, actor_name, changes, details)
      VALUES (${reportId}::uuid, ${receiverId}::uuid, ${p(report.schoolId)}::uuid, pg_current_xact_id()::text::bigint, ${p(type)}, ${p(actor.organisationId)}::uuid, ${p(actor.type)}, ${p(actor.id)}::uuid,
              ${p(actor.name)}, ${p(JSON.stringify(change.changes ?? []))}::jsonb, ${p(JSON.stringify(change.details ?? {}))}::jsonb)
      RETURNING id, txid, created_at`]);
    // The earlier events follow the report to its receiver now (after a forward or a re-routing; otherwise nothing changes).
    parts.push(['f', `UPDATE report_event SET receiver_id = ${receiverId}::uuid WHERE report_id = ${reportId}::uuid AND receiver_id <> ${receiverId}::uuid`]);
    const numbered = change.write && report.number === undefined;
    parts.push(['a', this.audit.cte(
      byActor(actor, change.audit.action, { subjectType: 'REPORT', subjectId: report.number, details: change.audit.details ?? {} }),
      params,
      numbered ? { expression: 'r.number::text', from: 'r' } : undefined,
    )]);
    const after: { counted: string; run: (rows: number, m: EntityManager) => void }[] = [];
    this.bus.contribute({
      number: numbered ? '(SELECT number FROM r)' : `${p(report.number)}::int`,
      param: p,
      part: (name, sql) => {
        if (parts.some(([n]) => n === name)) throw new Error(`report change statement: part ${name} twice`);
        parts.push([name, sql]);
      },
      afterwards: (counted, run) => after.push({ counted, run }),
    }, { reportId: report.id, type, actor, details: change.details ?? {}, report: factsOf(report, change.previousReceiver) });
    const counts = after.map((a, i) => `, (SELECT count(*) FROM ${a.counted})::int AS counted_${i}`).join('');
    const [row] = await preparedQuery(
      m,
      `WITH ${parts.map(([name, sql]) => `${name} AS (${sql})`).join(', ')}
       SELECT e.id AS event_id${counts}${change.write ? ', r.*' : ''} FROM e${change.write ? ' CROSS JOIN r' : ''}`,
      params,
    );
    if (numbered) report.number = Number(row.number);
    after.forEach((a, i) => a.run(Number(row[`counted_${i}`]), m));
    return row;
  }

  async history(reportId: string): Promise<HistoryEntryView[]> {
    const rows: {
      type: ReportEventType; created_at: Date; code: string; name: string; org_type: OrganisationType;
      actor_name: string; changes: FieldChange[]; details: Record<string, unknown>;
    }[] = await this.db.query(
      `SELECT e.type, e.created_at, o.code, o.name, o.type AS org_type, e.actor_name, e.changes, e.details
         FROM report_event e JOIN organisation o ON o.id = e.actor_organisation_id
        WHERE e.report_id = $1 ORDER BY e.id`,
      [reportId],
    );
    return rows.map((r) => ({
      type: r.type,
      at: r.created_at.toISOString(),
      organisation: { code: r.code, name: r.name, type: r.org_type },
      actor: r.actor_name,
      changes: r.changes,
      details: r.details,
    }));
  }

  /**
   * Changes to the reports the actor can see now: as filing school (within a melder's locations) or as current
   * receiver. The page's events are read first, from the side's own index in feed order and no further than the
   * limit (an event carries its report's school and current receiver); then their reports and organisations.
   */
  async changes(actor: Actor, after: string | undefined, limit: number): Promise<ChangesPage> {
    const [txid, id] = parseCursor(after);
    const rows: {
      id: string; txid: string; type: ReportEventType; created_at: Date; number: number; status: ReportStatus;
      code: string; name: string; org_type: OrganisationType;
    }[] = await this.db.query(
      `SELECT e.id, e.txid, e.type, e.created_at, r.number, r.status, o.code, o.name, o.type AS org_type
         FROM (SELECT p.id, p.txid, p.type, p.created_at, p.report_id, p.actor_organisation_id
                 FROM report_event p
                WHERE p.${sideOf(actor)}_id = $1
                  AND (p.txid, p.id) > ($2::bigint, $3::bigint)
                  AND p.txid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
                  AND ($5::uuid[] IS NULL OR EXISTS (SELECT 1 FROM report l WHERE l.id = p.report_id AND l.location_id = ANY($5)))
                ORDER BY p.txid, p.id
                LIMIT $4) e
         JOIN report r ON r.id = e.report_id
         JOIN organisation o ON o.id = e.actor_organisation_id
        WHERE ${visibleOnSideSql(actor, 'r', '$1', '$5')}
        ORDER BY e.txid, e.id`,
      [actor.organisationId, txid, id, limit, locationLimit(actor)],
    );
    const last = rows[rows.length - 1];
    return {
      changes: rows.map((r) => ({
        cursor: `${r.txid}-${r.id}`,
        reportNumber: r.number,
        type: v1EventType(r.type),
        at: r.created_at.toISOString(),
        organisation: { code: r.code, name: r.name, type: r.org_type },
        status: r.status,
      })),
      nextCursor: last ? `${last.txid}-${last.id}` : `${txid}-${id}`,
    };
  }
}

function parseCursor(after: string | undefined): [string, string] {
  if (!after) return ['0', '0'];
  const match = /^(\d{1,19})-(\d{1,19})$/.exec(after);
  if (!match || BigInt(match[1]) > 9223372036854775807n || BigInt(match[2]) > 9223372036854775807n) {
    throw invalid({ field: 'after', code: FieldCode.INVALID_CURSOR, message: 'after: is geen geldige cursor' });
  }
  return [match[1], match[2]];
}
