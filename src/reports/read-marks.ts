import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Actor } from '../kernel/actor';
import { locationLimit, visibleToActorSql } from './report-access';

/** A change by the other side counts as new for this many days at most (older ones are not "since your last visit"). */
export const NEW_DAYS = 30;

/** A report that changed since the person last opened it, for the start page. */
export interface UnseenReport {
  id: string;
  number: number;
}

/**
 * Read marks per person (ADR 0011): what a person last saw of a report is the newest history event when they opened
 * it (`report_read_mark`, one row per person and report). A report is new for them when the other side (another
 * organisation: the officer's reply or status change for the school, the school's change, message or withdrawal for
 * the officer) recorded an event after that, in the last NEW_DAYS days. Machine keys have no marks.
 */
@Injectable()
export class ReadMarks {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Of these reports (ids), the ones with a change by the other side the person has not seen. */
  async unseen(actor: Actor, reportIds: readonly string[]): Promise<Set<string>> {
    if (actor.type !== 'USER' || reportIds.length === 0) return new Set();
    const rows: { id: string }[] = await this.db.query(
      `SELECT r.id FROM unnest($1::uuid[]) AS r(id)
         LEFT JOIN report_read_mark k ON k.user_id = $2 AND k.report_id = r.id
        WHERE EXISTS (SELECT 1 FROM report_event e WHERE e.report_id = r.id AND e.actor_organisation_id <> $3
                         AND e.id > coalesce(k.seen_event_id, 0) AND e.created_at >= now() - make_interval(days => $4))`,
      [[...reportIds], actor.id, actor.organisationId, NEW_DAYS],
    );
    return new Set(rows.map((r) => r.id));
  }

  /**
   * The reports the person sees that changed on the other side since they last opened them, newest change first,
   * and how many there are. Starts from the reports changed in the last NEW_DAYS days (an index on the side and the
   * moment of the last change), so that it costs the recent changes, not the whole register.
   */
  async sinceLastVisit(actor: Actor, limit: number): Promise<{ reports: UnseenReport[]; count: number }> {
    if (actor.type !== 'USER') return { reports: [], count: 0 };
    const rows: { id: string; number: number; total: number }[] = await this.db.query(
      `SELECT r.id, r.number, count(*) OVER ()::int AS total
         FROM report r
         LEFT JOIN report_read_mark k ON k.user_id = $3 AND k.report_id = r.id
        WHERE ${visibleToActorSql('r', '$1', '$2')} AND r.updated_at >= now() - make_interval(days => $4)
          AND EXISTS (SELECT 1 FROM report_event e WHERE e.report_id = r.id AND e.actor_organisation_id <> $1
                         AND e.id > coalesce(k.seen_event_id, 0) AND e.created_at >= now() - make_interval(days => $4))
        ORDER BY r.updated_at DESC, r.number DESC
        LIMIT $5`,
      [actor.organisationId, locationLimit(actor), actor.id, NEW_DAYS, limit],
    );
    return { reports: rows.map((r) => ({ id: r.id, number: r.number })), count: rows[0]?.total ?? 0 };
  }

  /** The person opened the report: everything recorded on it so far is seen. One statement; never moves back. */
  async markSeen(m: EntityManager, actor: Actor, reportId: string): Promise<void> {
    if (actor.type !== 'USER') return;
    await m.query(
      `INSERT INTO report_read_mark (user_id, report_id, seen_event_id, seen_at)
       SELECT $1, $2, coalesce(max(e.id), 0), now() FROM report_event e WHERE e.report_id = $2
       ON CONFLICT (user_id, report_id) DO UPDATE SET seen_event_id = GREATEST(report_read_mark.seen_event_id, EXCLUDED.seen_event_id), seen_at = now()`,
      [actor.id, reportId],
    );
  }
}
