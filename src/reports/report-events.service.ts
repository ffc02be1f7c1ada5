import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { FieldCode, invalid } from '../common/problem';
import { Actor } from '../kernel/actor';
import { locationLimit, visibleToActorSql } from './report-access';
import { ReportStatus } from '../kernel/report-codes';
import { ReportEventBus } from './report-event-bus';
import { FieldChange, ReportEvent, ReportEventType } from './report-event.entity';
import { ChangesPage, HistoryEntryView } from './report.view';
import { OrganisationType } from '../kernel/organisation-type';

/**
 * The history of reports and the changes feed. Every change writes its event in the same transaction, tagged with
 * the transaction id; the feed hands out only events of transactions older than every transaction still running,
 * in (txid, id) order, so that a poller resuming from its cursor sees each event once and misses none. Every event
 * is published on the ReportEventBus in the same transaction (notifications write its e-mails there).
 */
@Injectable()
export class ReportEventsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly bus: ReportEventBus,
  ) {}

  async record(
    m: EntityManager,
    reportId: string,
    actor: Actor,
    type: ReportEventType,
    changes: FieldChange[] = [],
    details: Record<string, unknown> = {},
  ): Promise<void> {
    const inserted = await m
      .createQueryBuilder()
      .insert()
      .into(ReportEvent)
      .values({
        reportId,
        txid: () => 'pg_current_xact_id()::text::bigint',
        type,
        actorOrganisationId: actor.organisationId,
        actorType: actor.type,
        actorId: actor.id,
        actorName: actor.name,
        // jsonb columns: TypeORM's deep-partial typing does not fit free-form JSON.
        changes: changes as never,
        details: details as never,
      })
      .returning(['id'])
      .execute();
    const eventId = String((inserted.raw as { id: string }[])[0].id);
    // Who listens (notifications: the e-mails about this change) writes in the same transaction.
    await this.bus.publish(m, { eventId, reportId, type, actor, details });
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

  /** Changes to the reports the actor can see now: as filing school (within a melder's locations) or as current receiver. */
  async changes(actor: Actor, after: string | undefined, limit: number): Promise<ChangesPage> {
    const [txid, id] = parseCursor(after);
    const rows: {
      id: string; txid: string; type: ReportEventType; created_at: Date; number: number; status: ReportStatus;
      code: string; name: string; org_type: OrganisationType;
    }[] = await this.db.query(
      `SELECT e.id, e.txid, e.type, e.created_at, r.number, r.status, o.code, o.name, o.type AS org_type
         FROM report_event e
         JOIN report r ON r.id = e.report_id
         JOIN organisation o ON o.id = e.actor_organisation_id
        WHERE ${visibleToActorSql('r', '$1', '$5')}
          AND (e.txid, e.id) > ($2::bigint, $3::bigint)
          AND e.txid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
        ORDER BY e.txid, e.id
        LIMIT $4`,
      [actor.organisationId, txid, id, limit, locationLimit(actor)],
    );
    const last = rows[rows.length - 1];
    return {
      changes: rows.map((r) => ({
        cursor: `${r.txid}-${r.id}`,
        reportNumber: r.number,
        type: r.type,
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
