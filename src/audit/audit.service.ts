import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { FieldCode, invalid } from '../common/problem';
import { Actor } from '../kernel/actor';
import { currentClientIp } from '../common/request-context';
import { AuditAction, AuditActorType, AuditOutcome, AuditSubjectType } from './audit-event.entity';
import { redactDetails, redactText } from './audit-redaction';
import { AuditQuery } from './audit.dto';
import { AuditPage } from './audit.view';

export { AuditAction, AuditActorType, AuditOutcome, AuditSubjectType };

/**
 * One entry, in the shape of the table. The coded fields take the enum members or their plain strings
 * (`outcome: 'SUCCESS'`).
 */
export interface AuditEntry {
  /** The organisation whose log this belongs to: the actor's, or for a sign-in the account's. */
  organisationId: string;
  actorType: AuditActorType | `${AuditActorType}`;
  /** The user's or key's id; null (the default) for the system and for anonymous callers. */
  actorId?: string | null;
  actorName: string;
  action: AuditAction;
  subjectType?: AuditSubjectType | `${AuditSubjectType}` | null;
  /** The meldingsnummer, a user's or key's id. */
  subjectId?: string | number | null;
  /** Default SUCCESS. */
  outcome?: AuditOutcome | `${AuditOutcome}`;
  /** Default: the address of the request being served (see requestLog); null outside a request. */
  clientIp?: string | null;
  /** Facts about the action. Never secrets or PGNs: record() drops what audit-redaction.ts describes. */
  details?: Record<string, unknown>;
}

/** The actor fields for work the service does by itself (retention, monthly reports, the CLI). */
export const SYSTEM_ACTOR = { actorType: AuditActorType.SYSTEM, actorId: null, actorName: 'Systeem' } as const;

/** An entry for something the authenticated caller did, in the caller's own organisation's log. */
export function byActor(actor: Actor, action: AuditAction, rest: Omit<AuditEntry, 'organisationId' | 'actorType' | 'actorId' | 'actorName' | 'action'> = {}): AuditEntry {
  return { organisationId: actor.organisationId, actorType: actor.type, actorId: actor.id, actorName: actor.name, action, ...rest };
}

/**
 * Writes the audit log (append-only; the database refuses UPDATE and DELETE). Pass the EntityManager of a transaction
 * to make the entry part of it: the entry then exists exactly when the change does. Without one, the entry is
 * written at once, apart from any transaction: use that for reads, refusals and failures that roll back.
 * A failed write throws: an action that must be logged does not go ahead unlogged.
 */
@Injectable()
export class AuditService {
  private readonly logger = new Logger(AuditService.name);

  private readonly listeners: ((action: AuditAction) => void)[] = [];

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async record(entry: AuditEntry, manager?: EntityManager): Promise<void> {
    const { columns, values } = this.row(entry);
    const placeholders = values.map((_, i) => `$${i + 1}`).join(', ');
    await (manager ?? this.db.manager).query(`INSERT INTO audit_event (${columns.join(', ')}) VALUES (${placeholders})`, values);
    for (const listener of this.listeners) listener(entry.action);
  }

  /** Told the action of every entry record() wrote (the metrics count sign-in failures and throttles this way). */
  onRecorded(listener: (action: AuditAction) => void): void {
    this.listeners.push(listener);
  }

  /**
   * The entry as a data-modifying CTE of another statement, for a change that writes its row, its event and its
   * audit entry in one round trip (reports). `subjectSql`, when given, is an SQL expression for the subject id that
   * the statement computes (e.g. the number of the row it inserts); the entry's own subjectId is then ignored.
   * Parameters are appended to `params`; the same redaction as record().
   */
  cte(entry: AuditEntry, params: unknown[], subjectSql?: { expression: string; from: string }): string {
    const { columns, values } = this.row(entry);
    const refs = values.map((v, i) => {
      if (subjectSql && columns[i] === 'subject_id') return subjectSql.expression;
      params.push(v);
      return `$${params.length}`;
    });
    return `INSERT INTO audit_event (${columns.join(', ')}) SELECT ${refs.join(', ')}${subjectSql ? ` FROM ${subjectSql.from}` : ''}`;
  }

  /** The columns of an entry, after redaction (see audit-redaction.ts). */
  private row(entry: AuditEntry): { columns: string[]; values: unknown[] } {
    const { details, dropped } = redactDetails(entry.details);
    if (dropped > 0) this.logger.warn(`${entry.action}: ${dropped} verboden of niet-opslagbare waarde(n) uit details weggelaten`);
    return {
      columns: ['organisation_id', 'actor_type', 'actor_id', 'actor_name', 'action', 'subject_type', 'subject_id', 'outcome', 'client_ip', 'details'],
      values: [
        entry.organisationId,
        entry.actorType,
        entry.actorId ?? null,
        redactText(entry.actorName),
        entry.action,
        entry.subjectType ?? null,
        entry.subjectId === null || entry.subjectId === undefined ? null : redactText(String(entry.subjectId)),
        entry.outcome ?? AuditOutcome.SUCCESS,
        entry.clientIp !== undefined ? entry.clientIp : currentClientIp(),
        JSON.stringify(details),
      ],
    };
  }

  /**
   * The people and API keys of an organisation, as the log names them: the choices of its "who" filter, and the names
   * of the accounts and keys entries are about.
   */
  async actorsOf(organisationId: string): Promise<{ id: string; name: string; label: string }[]> {
    return this.db.query(
      `SELECT id, name || ' (' || username || ')' AS name, name || ' (' || username || ')' AS label FROM user_account WHERE organisation_id = $1
       UNION ALL
       SELECT id, name, 'API-sleutel ' || name AS label FROM api_key WHERE organisation_id = $1
       ORDER BY label`,
      [organisationId],
    );
  }

  /**
   * The caller's organisation's log, newest first, one page. The organisation is part of the SQL, so another
   * organisation's entries cannot come back whatever the filters say. The read itself is logged (AUDIT_READ).
   */
  async search(actor: Actor, q: AuditQuery, only?: readonly AuditAction[]): Promise<AuditPage> {
    if (q.from && q.to && q.to < q.from) {
      throw invalid({ field: 'to', code: FieldCode.END_BEFORE_BEGIN, message: 'to: ligt voor from' });
    }
    const limit = q.limit ?? 50;
    const params: unknown[] = [actor.organisationId];
    const where = ['organisation_id = $1'];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (q.subjectType) add('subject_type = ?', q.subjectType);
    if (q.subjectId !== undefined) add('subject_id = ?', q.subjectId);
    if (q.actorId) add('actor_id = ?', q.actorId);
    if (q.action) add('action = ?', q.action);
    if (only) add('action = ANY(?::text[])', only);
    if (q.outcome) add('outcome = ?', q.outcome);
    // Whole days in the Netherlands, whatever the server's time zone.
    if (q.from) add(`at >= (?::date)::timestamp AT TIME ZONE 'Europe/Amsterdam'`, q.from);
    if (q.to) add(`at < (?::date + 1)::timestamp AT TIME ZONE 'Europe/Amsterdam'`, q.to);
    if (q.after) add('id < ?::bigint', q.after);
    params.push(limit + 1);
    const rows: {
      id: string; at: Date; actor_type: AuditActorType; actor_id: string | null; actor_name: string; action: AuditAction;
      subject_type: AuditSubjectType | null; subject_id: string | null; outcome: AuditOutcome; client_ip: string | null; details: Record<string, unknown>;
    }[] = await this.db.query(
      `SELECT id, at, actor_type, actor_id, actor_name, action, subject_type, subject_id, outcome, client_ip, details
         FROM audit_event WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
    const more = rows.length > limit;
    const page = rows.slice(0, limit);
    await this.record(byActor(actor, AuditAction.AUDIT_READ, { subjectType: AuditSubjectType.AUDIT_LOG, subjectId: actor.organisationCode, details: { filters: { ...q }, count: page.length } }));
    return {
      events: page.map((r) => ({
        id: r.id,
        at: r.at.toISOString(),
        actor: { type: r.actor_type, id: r.actor_id, name: r.actor_name },
        action: r.action,
        subject: r.subject_type ? { type: r.subject_type, id: r.subject_id } : null,
        outcome: r.outcome,
        clientIp: r.client_ip,
        details: r.details,
      })),
      nextCursor: more ? page[page.length - 1].id : null,
    };
  }
}
