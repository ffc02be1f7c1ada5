import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, SelectQueryBuilder } from 'typeorm';
import { AuditAction, AuditService, byActor } from '../audit/audit.service';
import { addDays, todayInNL } from '../common/dates';
import { FieldCode, invalid } from '../common/problem';
import { Actor } from '../kernel/actor';
import { OrganisationType } from '../kernel/organisation-type';
import { ReportKind, ReportStatus, STATUS_ORDER } from '../kernel/report-codes';
import { PgnCipher } from './pgn-cipher';
import { locationLimit, visibleToActorSql } from './report-access';
import { ReportSearchInput } from './report.dto';
import { Report } from './report.entity';
import { ReportPage, ReportSummary } from './report.view';
import { EXPORT_SELECT, ExportRecord, ExportScope, toExportRecord } from './export/export-record';

/** Overviews reach two years back at most (and a day, for a leap year). */
export const OVERVIEW_DAYS = 731;
/** A report counts as "with a reply" for its school when another organisation wrote a message in this many days. */
export const REPLY_DAYS = 14;

/** What the start page shows: open reports by status, reports per month (12) by kind, and for a school the replies. */
export interface StartFigures {
  open: Partial<Record<ReportStatus, number>>;
  monthly: { month: string; kind: ReportKind; count: number }[];
  /** Schools only: reports with a reply in the last REPLY_DAYS days. */
  answered: number | null;
}

/**
 * The register's read queries, each scoped to what the actor may see in the SQL itself: the overview (filters, keyset
 * paging by number or status), a chosen selection, the start page's figures, the reports with a recent reply. Every
 * list of pupils' data is logged as a read.
 */
@Injectable()
export class ReportQueries {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly cipher: PgnCipher,
    private readonly audit: AuditService,
  ) {}

  /** The overview: filters, sorting by number or status, keyset paging (the cursor is the last report's number). */
  async list(actor: Actor, q: ReportSearchInput): Promise<ReportPage> {
    const limit = q.limit ?? 50;
    const qb = this.visible(actor).limit(limit + 1); // the joins are many-to-one: one row per report
    const sort = q.sort ?? '-number';
    const dir = sort.startsWith('-') ? 'DESC' : 'ASC';
    const rank = `array_position(ARRAY['${STATUS_ORDER.join("','")}']::text[], r.status::text)`;
    if (sort.endsWith('status')) {
      qb.orderBy(rank, dir).addOrderBy('r.number', dir);
      if (q.after) {
        // The cursor's place in the order is its status: looked up among the reports the caller sees, so that the
        // answer never tells whether another organisation's report exists or what its status is.
        const [cursor]: { status: ReportStatus }[] = await this.db.query(
          `SELECT r.status FROM report r WHERE r.number = $1 AND ${visibleToActorSql('r', '$2', '$3')}`,
          [q.after, actor.organisationId, locationLimit(actor)],
        );
        if (!cursor) throw invalid({ field: 'after', code: FieldCode.INVALID_CURSOR, message: 'after: is geen geldige cursor' });
        qb.andWhere(`(${rank}, r.number) ${dir === 'DESC' ? '<' : '>'} (:afterRank, :after)`, { afterRank: STATUS_ORDER.indexOf(cursor.status) + 1, after: q.after });
      }
    } else {
      qb.orderBy('r.number', dir);
      if (q.after) qb.andWhere(`r.number ${dir === 'DESC' ? '<' : '>'} :after`, { after: q.after });
    }
    this.filter(qb, q);
    const rows = await qb.getMany();
    const more = rows.length > limit;
    const page = rows.slice(0, limit);
    await this.audit.record(
      byActor(actor, q.pgn ? AuditAction.REPORTS_SEARCHED : AuditAction.REPORTS_LISTED, { details: { numbers: page.map((r) => r.number) } }),
    );
    return { reports: page.map(ReportSummary.of), nextCursor: more ? page[page.length - 1].number : null };
  }

  /** The reports of a ticked selection that the actor (still) sees, newest first, in one query; the read is logged. */
  async selection(actor: Actor, numbers: readonly number[], purpose: AuditAction = AuditAction.REPORTS_LISTED, details: Record<string, unknown> = {}): Promise<ReportSummary[]> {
    if (numbers.length === 0) return [];
    const rows = await this.visible(actor).andWhere('r.number IN (:...numbers)', { numbers: [...numbers] }).orderBy('r.number', 'DESC').getMany();
    await this.audit.record(byActor(actor, purpose, { details: { ...details, count: rows.length, numbers: rows.map((r) => r.number) } }));
    return rows.map(ReportSummary.of);
  }

  /** The school's reports whose receiver (now or before a forward) wrote to it in the last REPLY_DAYS days; logged as a list. */
  async recentlyAnswered(actor: Actor, limit: number): Promise<ReportSummary[]> {
    const rows = await this.visible(actor)
      .andWhere('r.schoolId = :school', { school: actor.organisationId })
      .andWhere(`EXISTS (SELECT 1 FROM report_message m WHERE m.report_id = r.id AND m.organisation_id <> r.school_id AND m.created_at >= now() - interval '${REPLY_DAYS} days')`)
      .orderBy('r.number', 'DESC')
      .limit(limit)
      .getMany();
    await this.audit.record(byActor(actor, AuditAction.REPORTS_LISTED, { details: { numbers: rows.map((r) => r.number), filter: `reactie ${REPLY_DAYS} dagen` } }));
    return rows.map(ReportSummary.of);
  }

  /** The start page's figures, counted in the database (no pupil data leaves it). */
  async startFigures(actor: Actor): Promise<StartFigures> {
    const params = [actor.organisationId, locationLimit(actor)];
    const visible = visibleToActorSql('r', '$1', '$2');
    const [open, monthly, answered] = await Promise.all([
      this.db.query(`SELECT r.status, count(*)::int AS count FROM report r WHERE ${visible} AND r.status IN ('GEREGISTREERD', 'IN_BEHANDELING') GROUP BY r.status`, params),
      this.db.query(
        `SELECT to_char(r.created_at AT TIME ZONE 'Europe/Amsterdam', 'YYYY-MM') AS month, r.kind, count(*)::int AS count
           FROM report r WHERE ${visible} AND r.created_at >= date_trunc('month', now() AT TIME ZONE 'Europe/Amsterdam') - interval '11 months'
          GROUP BY 1, 2`,
        params,
      ),
      actor.organisationType === OrganisationType.SCHOOL
        ? this.db.query(
          `SELECT count(*)::int AS count FROM report r WHERE ${visible} AND r.school_id = $1
             AND EXISTS (SELECT 1 FROM report_message m WHERE m.report_id = r.id AND m.organisation_id <> r.school_id AND m.created_at >= now() - interval '${REPLY_DAYS} days')`,
          params,
        )
        : Promise.resolve(null),
    ]) as [{ status: ReportStatus; count: number }[], StartFigures['monthly'], { count: number }[] | null];
    return { open: Object.fromEntries(open.map((o) => [o.status, o.count])), monthly, answered: answered ? answered[0].count : null };
  }

  /**
   * An export's rows: the overview's filters or a ticked selection, newest first, read in keyset batches of `size` so that
   * no export holds more than a batch or two. Only reports numbered up to `upTo` (the highest when the export began) come
   * along, so that the file matches the count in the audit log unless a report left the caller's sight meanwhile. The
   * reports filed by the caller and those routed to it are read apart, each along its own index (school or receiver,
   * then number), and merged: one query with both sides in an OR cannot walk an index in order.
   */
  async *exportBatches(actor: Actor, scope: ExportScope, upTo: number, size = 1000): AsyncGenerator<ExportRecord[]> {
    const sides = (['school', 'receiver'] as const).map((side) => ({ side, rows: [] as ExportRecord[], at: 0, after: upTo + 1, done: false }));
    for (;;) {
      for (const s of sides) {
        if (s.at < s.rows.length || s.done) continue;
        const qb = this.scoped(actor, scope, s.side).andWhere('r.number < :after', { after: s.after }).orderBy('r.number', 'DESC').limit(size);
        qb.select(EXPORT_SELECT[0][0], EXPORT_SELECT[0][1]);
        for (const [sql, alias] of EXPORT_SELECT.slice(1)) qb.addSelect(sql, alias);
        s.rows = (await qb.getRawMany<Record<string, unknown>>()).map(toExportRecord);
        s.at = 0;
        s.done = s.rows.length < size;
        if (s.rows.length) s.after = s.rows[s.rows.length - 1].number;
      }
      const batch: ExportRecord[] = [];
      // Newest first from either side, until a side that may have more has given all it read.
      while (sides.every((s) => s.at < s.rows.length || s.done)) {
        const heads = sides.filter((s) => s.at < s.rows.length);
        if (heads.length === 0) break;
        const next = heads.reduce((a, b) => (a.rows[a.at].number > b.rows[b.at].number ? a : b));
        batch.push(next.rows[next.at++]);
      }
      if (batch.length === 0) return;
      yield batch;
    }
  }

  /** How many reports an export will have, and the highest number among them (its batches stop there). */
  async exportCount(actor: Actor, scope: ExportScope): Promise<{ count: number; upTo: number; numbers?: number[] }> {
    const qb = this.scoped(actor, scope).select('count(*)::int', 'count').addSelect('coalesce(max(r.number), 0)', 'upTo');
    // A ticked selection is short: the numbers that will be in the file go into the audit log.
    if ('numbers' in scope) qb.addSelect('array_agg(r.number ORDER BY r.number DESC)', 'numbers');
    const row = await qb.getRawOne<{ count: number; upTo: number; numbers?: number[] | null }>();
    return { count: Number(row?.count ?? 0), upTo: Number(row?.upTo ?? 0), ...('numbers' in scope ? { numbers: (row?.numbers ?? []).map(Number) } : {}) };
  }

  private scoped(actor: Actor, scope: ExportScope, side?: 'school' | 'receiver'): SelectQueryBuilder<Report> {
    const qb = this.visible(actor, side);
    return 'numbers' in scope ? qb.andWhere('r.number IN (:...numbers)', { numbers: scope.numbers.length ? [...scope.numbers] : [0] }) : this.filter(qb, scope.filters);
  }

  /** The overview's filters, two years back at most. */
  private filter(qb: SelectQueryBuilder<Report>, q: ReportSearchInput): SelectQueryBuilder<Report> {
    const earliest = addDays(todayInNL(), -OVERVIEW_DAYS);
    const from = q.from && q.from > earliest ? q.from : earliest;
    qb.andWhere('r.createdAt >= :from', { from });
    if (q.to) qb.andWhere('r.createdAt < :to', { to: addDays(q.to, 1) });
    if (q.kind) qb.andWhere('r.kind = :kind', { kind: q.kind });
    if (q.status) qb.andWhere('r.status = :status', { status: q.status });
    if (q.number) qb.andWhere('r.number = :number', { number: q.number });
    if (q.reporterId) qb.andWhere('r.reporterId = :reporterId', { reporterId: q.reporterId });
    if (q.location) qb.andWhere("school.code || location.code = :loc", { loc: q.location });
    if (q.pgn) qb.andWhere('r.pgnHash = :hash', { hash: this.cipher.hash(q.pgn) });
    return qb;
  }

  /** Reports the actor sees, with school, location and receiver: as filing school (within a melder's locations) or as receiver. */
  private visible(actor: Actor, side?: 'school' | 'receiver'): SelectQueryBuilder<Report> {
    const limit = locationLimit(actor);
    const schoolSide = new Brackets((w) => {
      w.where('r.schoolId = :org', { org: actor.organisationId });
      if (limit) w.andWhere('r.locationId IN (:...locations)', { locations: [...limit] });
    });
    const qb = this.db.getRepository(Report).createQueryBuilder('r')
      .innerJoinAndSelect('r.school', 'school')
      .innerJoinAndSelect('r.location', 'location')
      .innerJoinAndSelect('r.receiver', 'receiver');
    if (side === 'school') return qb.where(schoolSide);
    // A school never receives its own report; said here so that the two sides cannot overlap.
    if (side === 'receiver') return qb.where('r.receiverId = :org AND r.schoolId <> :org', { org: actor.organisationId });
    return qb.where(new Brackets((w) => w.where(schoolSide).orWhere('r.receiverId = :org', { org: actor.organisationId })));
  }
}
