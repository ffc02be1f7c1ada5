import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, SelectQueryBuilder } from 'typeorm';
import { AuditAction, AuditService, byActor } from '../audit/audit.service';
import { addDays, monthStart, shiftMonths, startOfDayInNL, todayInNL } from '../common/dates';
import { FieldCode, invalid } from '../common/problem';
import { Actor } from '../kernel/actor';
import { OrganisationType } from '../kernel/organisation-type';
import { ReportKind, ReportStatus, STATUS_ORDER } from '../kernel/report-codes';
import { PgnCipher } from './pgn-cipher';
import { locationLimit, sideOf, visibleOnSideSql } from './report-access';
import { ReportSearchInput } from './report.dto';
import { Report } from './report.entity';
import { ReportPage, ReportSummary, SchoolChoice } from './report.view';
import { NAME_QUERY_MIN, nameQuery } from './pupil-name-key';
import { ReadMarks } from './read-marks';
import { EXPORT_SELECT, ExportRecord, ExportScope, toExportRecord } from './export/export-record';

/** Overviews reach two years back at most (and a day, for a leap year). */
export const OVERVIEW_DAYS = 731;
/** A report counts as "with a reply" for its school when another organisation wrote a message in this many days. */
export const REPLY_DAYS = 14;

/** The overview counts its matches up to this many; beyond it says "meer dan 10.000". */
export const OVERVIEW_COUNT_CAP = 10_000;

/**
 * A report's place in the status order (1 = GEREGISTREERD). The migration ScaleIndexes1765700000000 indexes exactly this
 * expression after the receiver or school, so that sorting by status, filtering by status and counting by status read
 * the index in order: keep the two the same.
 */
const STATUS_RANK = `array_position(ARRAY['${STATUS_ORDER.join("','")}']::text[], r.status)`;

/**
 * What a list shows (ReportSummary.of, the receiver's assignee, the read marks by id), and all that its query reads
 * and TypeORM makes entities of: not the report's other 27 columns or the organisations' and location's others.
 */
const SUMMARY_COLUMNS = [
  ...['id', 'number', 'kind', 'status', 'schoolId', 'locationId', 'receiverId', 'pupilInitials', 'pupilPrefix', 'pupilSurname', 'beginDate', 'endDate', 'createdAt', 'updatedAt', 'version', 'assignedUserId'].map((c) => `r.${c}`),
  ...['school', 'receiver'].flatMap((o) => ['id', 'code', 'name', 'type'].map((c) => `${o}.${c}`)),
  'location.id', 'location.code', 'location.name', 'assignee.id', 'assignee.name',
];

function rankOf(status: ReportStatus): number {
  return STATUS_ORDER.indexOf(status) + 1;
}

/** A page of the overview with its place among all matches (both counted up to OVERVIEW_COUNT_CAP + 1). */
export interface OverviewPage extends ReportPage {
  /** The first number of this page, to page backwards with; null on the first page. */
  previousCursor: number | null;
  total: number;
  /** How many matching reports come before this page. */
  offset: number;
}

/** The keyset condition "comes after (rank, number) in this direction"; by number alone when `rank` is null. */
function keyset(rank: number | null, number: number, op: '<' | '>', name: string): [string, Record<string, number>] {
  return rank === null
    ? [`r.number ${op} :${name}Number`, { [`${name}Number`]: number }]
    : [`(${STATUS_RANK}, r.number) ${op} (:${name}Rank, :${name}Number)`, { [`${name}Rank`]: rank, [`${name}Number`]: number }];
}

function toWhere([sql, params]: [string, Record<string, number>]): { sql: string; params: Record<string, number> } {
  return { sql, params };
}

/** What the start page shows: open reports by status, reports per month (12) by kind, and for a school the replies. */
export interface StartFigures {
  open: Partial<Record<ReportStatus, number>>;
  /** The twelve months counted, 'YYYY-MM' in the Netherlands, oldest first. */
  months: string[];
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
    private readonly marks: ReadMarks,
  ) {}

  /** The overview: filters, sorting by number or status, keyset paging (the cursor is the last report's number). */
  async list(actor: Actor, q: ReportSearchInput): Promise<ReportPage> {
    const { reports, nextCursor } = await this.page(actor, q);
    return { reports, nextCursor };
  }

  /**
   * The overview as the pages show it: a page after `q.after` or before `before` (the first number of the page
   * after it), with both cursors, and where the page is among all the reports that match: "51-100 van 116". The
   * counts stop at OVERVIEW_COUNT_CAP, so that a filter matching very many reports costs no more than that.
   */
  async overview(actor: Actor, q: ReportSearchInput, before?: number): Promise<OverviewPage> {
    const page = await this.page(actor, q, before);
    const [total, offset] = await Promise.all([
      this.count(this.filtered(actor, q, false)),
      page.reports.length > 0 && (q.after || before) ? this.count(this.filtered(actor, q, false).andWhere(page.first!.sql, page.first!.params)) : Promise.resolve(0),
    ]);
    return { reports: page.reports, nextCursor: page.nextCursor, previousCursor: offset > 0 && page.reports.length > 0 ? page.reports[0].number : null, total, offset };
  }

  /** One page in the order asked for; `before` pages backwards (read in the reverse order, then turned round). */
  private async page(actor: Actor, q: ReportSearchInput, before?: number) {
    const limit = q.limit ?? 50;
    const sort = q.sort ?? '-number';
    const descending = sort.startsWith('-');
    const byStatus = sort.endsWith('status');
    const backwards = before !== undefined;
    const dir = descending !== backwards ? 'DESC' : 'ASC';
    const qb = this.filtered(actor, q).limit(limit + 1); // the joins are many-to-one: one row per report
    // Filtered by one status, the order by number is the order by (rank, number), the index's (see filter()).
    if (byStatus || q.status) qb.orderBy(STATUS_RANK, dir).addOrderBy('r.number', dir);
    // (receiver or school, number, created_at) gives the newest of a date range in order: a month long ago costs the
    // index entries walked past, not a read of every report of the month (migration NumberDateIndexes).
    else qb.orderBy('r.number', dir);
    const cursor = backwards ? before : q.after;
    if (cursor) {
      // Filtered by one status, every report of the list has its rank, also the cursor's after it moved on (its status
      // now would place the cursor past the whole list: an empty next page).
      const key = byStatus ? (q.status ? rankOf(q.status) : await this.statusKey(actor, cursor)) : null;
      qb.andWhere(...keyset(key, cursor, dir === 'DESC' ? '<' : '>', 'c'));
    }
    const rows = await qb.getMany();
    const more = rows.length > limit;
    const shown = rows.slice(0, limit);
    if (backwards) shown.reverse();
    const searched = q.pgn !== undefined || q.name !== undefined || q.birthDate !== undefined;
    await this.audit.record(
      byActor(actor, searched ? AuditAction.REPORTS_SEARCHED : AuditAction.REPORTS_LISTED, {
        details: { numbers: shown.map((r) => r.number), ...(searched ? { by: ['pgn', 'name', 'birthDate'].filter((f) => q[f as keyof ReportSearchInput] !== undefined) } : {}) },
      }),
    );
    // Read marks are a person's: an API key has none, so its list asks nothing about them.
    const unseen = actor.type === 'USER' ? await this.marks.unseen(actor, shown.map((r) => r.id)) : null;
    const first = shown[0];
    return {
      reports: shown.map((r) => ({
        ...ReportSummary.of(r),
        ...(r.receiverId === actor.organisationId ? { assignedTo: r.assignedUser ? { id: r.assignedUser.id, name: r.assignedUser.name } : null } : {}),
        ...(unseen ? { unseen: unseen.has(r.id) } : {}),
      })),
      nextCursor: (backwards ? shown.length > 0 : more) ? shown[shown.length - 1].number : null,
      /** What comes before the page's first report in the order shown. */
      first: first ? toWhere(keyset(byStatus ? rankOf(first.status) : null, first.number, descending ? '>' : '<', 'f')) : null,
    };
  }

  /**
   * The cursor's place in the status order is its status: looked up among the reports the caller sees, so that the
   * answer never tells whether another organisation's report exists or what its status is.
   */
  private async statusKey(actor: Actor, number: number): Promise<number> {
    const [cursor]: { status: ReportStatus }[] = await this.db.query(
      `SELECT r.status FROM report r WHERE r.number = $1 AND ${visibleOnSideSql(actor, 'r', '$2', '$3')}`,
      [number, actor.organisationId, locationLimit(actor)],
    );
    if (!cursor) throw invalid({ field: 'after', code: FieldCode.INVALID_CURSOR, message: 'after: is geen geldige cursor' });
    return rankOf(cursor.status);
  }

  /** The visible reports that match the filters, unordered. */
  private filtered(actor: Actor, q: ReportSearchInput, joins = true): SelectQueryBuilder<Report> {
    return this.filter(this.visible(actor, sideOf(actor), joins), q);
  }

  /** How many rows a query has, counting no further than OVERVIEW_COUNT_CAP + 1. */
  private async count(qb: SelectQueryBuilder<Report>): Promise<number> {
    const [sql, params] = qb.select('1', 'one').limit(OVERVIEW_COUNT_CAP + 1).getQueryAndParameters(); // no column: an index-only scan can count
    const [row]: { count: number }[] = await this.db.query(`SELECT count(*)::int AS count FROM (${sql}) x`, params);
    return row.count;
  }

  /**
   * The schools whose reports the receiver has (now), for the school filter: found by skipping through the index on
   * (receiver, school), one step per school, not by reading every report.
   */
  async schools(actor: Actor): Promise<SchoolChoice[]> {
    return this.db.query(
      `WITH RECURSIVE s(id) AS (
         (SELECT school_id FROM report WHERE receiver_id = $1 ORDER BY school_id LIMIT 1)
         UNION ALL
         SELECT (SELECT school_id FROM report WHERE receiver_id = $1 AND school_id > s.id ORDER BY school_id LIMIT 1) FROM s WHERE s.id IS NOT NULL
       )
       SELECT o.code, o.name FROM s JOIN organisation o ON o.id = s.id ORDER BY o.name, o.code`,
      [actor.organisationId],
    );
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

  /**
   * The start page's figures, counted in the database (no pupil data leaves it). Each count reads an index of the
   * actor's side only: the open reports by status from (receiver or school, status rank, number) and their rows (an
   * index-only scan cannot use an index on an expression of a column it lacks), the months by kind from (receiver or
   * school, created_at, kind) alone (ADR 0014).
   */
  async startFigures(actor: Actor): Promise<StartFigures> {
    const params = [actor.organisationId, locationLimit(actor)];
    const visible = visibleOnSideSql(actor, 'r', '$1', '$2');
    const thisMonth = todayInNL().slice(0, 7);
    const months = Array.from({ length: 12 }, (_, i) => shiftMonths(thisMonth, i - 11));
    const starts = months.map(monthStart);
    const end = monthStart(shiftMonths(thisMonth, 1)); // a report dated later (a clock ahead) is in none of them
    const [open, monthly, answered] = await Promise.all([
      this.db.query(`SELECT ${STATUS_RANK} AS rank, count(*)::int AS count FROM report r WHERE ${visible} AND ${STATUS_RANK} IN (${rankOf(ReportStatus.GEREGISTREERD)}, ${rankOf(ReportStatus.IN_BEHANDELING)}) GROUP BY 1`, params),
      // Each report's month found among the twelve months' first moments (width_bucket, a binary search), where
      // formatting every report's moment as a Dutch month cost two thirds of the query at the largest inbox.
      this.db.query(
        `SELECT width_bucket(r.created_at, $3::timestamptz[]) AS month, r.kind, count(*)::int AS count
           FROM report r WHERE ${visible} AND r.created_at >= $4 AND r.created_at < $5 GROUP BY 1, 2`,
        [...params, starts, starts[0], end],
      ),
      actor.organisationType === OrganisationType.SCHOOL
        ? this.db.query(
          `SELECT count(*)::int AS count FROM report r WHERE ${visible} AND r.school_id = $1
             AND EXISTS (SELECT 1 FROM report_message m WHERE m.report_id = r.id AND m.organisation_id <> r.school_id AND m.created_at >= now() - interval '${REPLY_DAYS} days')`,
          params,
        )
        : Promise.resolve(null),
    ]) as [{ rank: number; count: number }[], { month: number; kind: ReportKind; count: number }[], { count: number }[] | null];
    return {
      open: Object.fromEntries(open.map((o) => [STATUS_ORDER[o.rank - 1], o.count])),
      months,
      monthly: monthly.map((m) => ({ month: months[m.month - 1], kind: m.kind, count: m.count })),
      answered: answered ? answered[0].count : null,
    };
  }

  /** The active reporter of the actor's school that is the signed-in person (the same e-mail address), if any. */
  async reporterOf(actor: Actor): Promise<string | null> {
    if (actor.type !== 'USER') return null;
    const [row]: { id: string }[] = await this.db.query(
      `SELECT p.id FROM reporter p JOIN user_account u ON u.organisation_id = p.school_id AND lower(u.email) = lower(p.email)
        WHERE u.id = $1 AND p.school_id = $2 AND p.active ORDER BY p.name, p.id LIMIT 1`,
      [actor.id, actor.organisationId],
    );
    return row?.id ?? null;
  }

  /**
   * The names a report's history refers to by code, in one query: organisations by code, the school's locations by
   * vestigingscode and its reporters by id; keyed "organisation:GM0363", "location:00ZV01", "reporter:<id>".
   */
  async historyNames(schoolCode: string, refs: { organisations: string[]; locations: string[]; reporters: string[] }): Promise<Map<string, string>> {
    if (refs.organisations.length + refs.locations.length + refs.reporters.length === 0) return new Map();
    const rows: { key: string; name: string }[] = await this.db.query(
      `SELECT 'organisation:' || code AS key, name FROM organisation WHERE code = ANY($2::text[])
       UNION ALL SELECT 'location:' || s.code || l.code, l.name FROM location l JOIN organisation s ON s.id = l.school_id
        WHERE s.code = $1 AND s.code || l.code = ANY($3::text[])
       UNION ALL SELECT 'reporter:' || p.id::text, p.name FROM reporter p JOIN organisation s ON s.id = p.school_id WHERE s.code = $1 AND p.id::text = ANY($4::text[])`,
      [schoolCode, refs.organisations, refs.locations, refs.reporters],
    );
    return new Map(rows.map((r) => [r.key, r.name]));
  }

  /**
   * An export's rows: the overview's filters or a ticked selection, newest first, read in keyset batches of `size` so that
   * no export holds more than a batch or two. Only reports numbered up to `upTo` (the highest when the export began) come
   * along, so that the file matches the count in the audit log unless a report left the caller's sight meanwhile. The
   * reports filed by the caller and those routed to it are read apart, each along its own index (school or receiver,
   * then number), and merged: one query with both sides in an OR cannot walk an index in order.
   */
  async *exportBatches(actor: Actor, scope: ExportScope, upTo: number, size = 1000): AsyncGenerator<ExportRecord[]> {
    const sides = (['school', 'receiver'] as const).map((side) => ({ side, ...this.exportQuery(actor, scope, side, size), rows: [] as ExportRecord[], at: 0, after: upTo + 1, done: false }));
    for (;;) {
      for (const s of sides) {
        if (s.at < s.rows.length || s.done) continue;
        s.params[s.afterAt] = s.after;
        s.rows = ((await this.db.query(s.sql, s.params)) as Record<string, unknown>[]).map(toExportRecord);
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

  /**
   * One side's batch query of an export, built once: its SQL and parameters, and which parameter is the keyset's
   * "below this number", set anew for each batch (building it with TypeORM for every batch showed in the profile).
   */
  private exportQuery(actor: Actor, scope: ExportScope, side: 'school' | 'receiver', size: number): { sql: string; params: unknown[]; afterAt: number } {
    const marker = Number.MIN_SAFE_INTEGER;
    const qb = this.scoped(actor, scope, side).andWhere('r.number < :after', { after: marker }).orderBy('r.number', 'DESC').limit(size);
    qb.select(EXPORT_SELECT[0][0], EXPORT_SELECT[0][1]);
    for (const [sql, alias] of EXPORT_SELECT.slice(1)) qb.addSelect(sql, alias);
    const [sql, params] = qb.getQueryAndParameters();
    const afterAt = params.indexOf(marker);
    if (afterAt < 0 || params.indexOf(marker, afterAt + 1) >= 0) throw new Error('export query: the keyset parameter is not in the query once');
    return { sql, params, afterAt };
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
    // Days as they are in the Netherlands: filed at 00:30 on the 1st is filed on the 1st.
    const from = q.from && q.from > earliest ? q.from : earliest;
    qb.andWhere('r.createdAt >= :from', { from: startOfDayInNL(from) });
    if (q.to) qb.andWhere('r.createdAt < :to', { to: startOfDayInNL(addDays(q.to, 1)) });
    if (q.kind) qb.andWhere('r.kind = :kind', { kind: q.kind });
    // The status by its rank, so that the index on (receiver or school, rank, number) serves the filter in order. A
    // range of one rank, not "= rank": with an equality PostgreSQL drops the rank from the order as a constant, and
    // then prefers walking every report's number from the newest (closed reports at the largest inbox: 3,941 pages).
    if (q.status) qb.andWhere(`${STATUS_RANK} BETWEEN :rank AND :rank`, { rank: rankOf(q.status) });
    if (q.number) qb.andWhere('r.number = :number', { number: q.number });
    if (q.reporterId) qb.andWhere('r.reporterId = :reporterId', { reporterId: q.reporterId });
    // School and location by id, looked up once (an init plan), so that the index on (receiver, school, number) serves them.
    if (q.location) {
      qb.andWhere(`r.schoolId = (SELECT s.id FROM organisation s WHERE s.code = substr(:loc, 1, 4))`, { loc: q.location })
        .andWhere(`r.locationId = (SELECT l.id FROM location l JOIN organisation s ON s.id = l.school_id WHERE s.code || l.code = :loc)`);
    }
    if (q.pgn) qb.andWhere('r.pgnHash = :hash', { hash: this.cipher.hash(q.pgn) });
    if (q.school) qb.andWhere('r.schoolId = (SELECT s.id FROM organisation s WHERE s.code = :school)', { school: q.school });
    // The assignment is the receiver's own business: the school side cannot filter on it (nor learn it that way).
    if (q.assignedTo) qb.andWhere('r.assignedUserId = :assignedTo AND r.receiverId = :org', { assignedTo: q.assignedTo });
    if (q.birthDate) qb.andWhere('r.pupilBirthDate = :birthDate', { birthDate: q.birthDate });
    if (q.name !== undefined) {
      const name = nameQuery(q.name);
      if (!name) throw invalid({ field: 'name', code: FieldCode.TOO_SHORT, message: `name: geef minstens ${NAME_QUERY_MIN} letters van de naam` });
      qb.andWhere('r.pupilNameGrams @> CAST(:grams AS text[]) AND r.pupilNameKey LIKE :like', name);
    }
    return qb;
  }

  /** Reports the actor sees, with school, location and receiver: as filing school (within a melder's locations) or as receiver. */
  private visible(actor: Actor, side?: 'school' | 'receiver', joins = true): SelectQueryBuilder<Report> {
    const limit = locationLimit(actor);
    const schoolSide = new Brackets((w) => {
      w.where('r.schoolId = :org', { org: actor.organisationId });
      if (limit) w.andWhere('r.locationId IN (:...locations)', { locations: [...limit] });
    });
    const qb = this.db.getRepository(Report).createQueryBuilder('r');
    if (joins) {
      qb.select(SUMMARY_COLUMNS)
        .innerJoin('r.school', 'school')
        .innerJoin('r.location', 'location')
        .innerJoin('r.receiver', 'receiver')
        .leftJoin('r.assignedUser', 'assignee');
    }
    if (side === 'school') return qb.where(schoolSide);
    // A school never receives its own report; said here so that the two sides cannot overlap.
    if (side === 'receiver') return qb.where('r.receiverId = :org AND r.schoolId <> :org', { org: actor.organisationId });
    return qb.where(new Brackets((w) => w.where(schoolSide).orWhere('r.receiverId = :org', { org: actor.organisationId })));
  }
}
