import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditAction, AuditService, AuditSubjectType, SYSTEM_ACTOR } from '../audit/audit.service';
import { clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { ReportStatus } from '../kernel/report-codes';

/** Reports erased per transaction. */
const BATCH = 200;
/** Statuses after which the retention term runs (closed_at is set in each). */
const FINISHED = [ReportStatus.AFGESLOTEN, ReportStatus.TER_KENNISNEMING_AANGENOMEN, ReportStatus.INGETROKKEN];
/** The details an audit entry about an erased report keeps: codes and counts. Free text (an explanation) goes. */
const AUDIT_KEYS_KEPT = ['from', 'to', 'receiver', 'via', 'fields', 'count'];

export interface ErasureSummary {
  reports: number;
  sentMails: number;
  monthlyReports: number;
  /** Forms kept across an ended session and one-time results that nobody came back for (kept_input). */
  keptInputs: number;
}

/**
 * Erases what is due (ADR 0009): each closed or withdrawn report RETENTION_REPORT_MONTHS after closing, with
 * everything that names it: its history, messages, idempotency keys and attachments (their foreign keys cascade), the
 * e-mails and webhook messages of its changes, its items in digests, and free text in the details of audit entries
 * about it. What remains is a destruction record per report and an audit entry in the logs of the school and the
 * receiver. Also removes sent e-mails after RETENTION_SENT_MAIL_DAYS, monthly reports whose time is up, and kept form
 * input past its hour (sealed, but a person's typing all the same).
 */
@Injectable()
export class RetentionService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {}

  get rule(): string {
    return `${this.config.RETENTION_REPORT_MONTHS} maanden na afsluiten of intrekken`;
  }

  async eraseDue(manager: EntityManager = this.db.manager, now: Date = clock.now()): Promise<ErasureSummary> {
    let reports = 0;
    for (;;) {
      const erased = await manager.transaction((m) => this.eraseBatch(m, now));
      reports += erased;
      if (erased < BATCH) break;
    }
    const days = this.config.RETENTION_SENT_MAIL_DAYS;
    const [mails]: { n: number }[] = await manager.query(
      `WITH gone AS (DELETE FROM outbox_message
                      WHERE (status = 'SENT' AND sent_at < $1::timestamptz - make_interval(days => $2))
                         OR (status = 'BUNDLED' AND created_at < $1::timestamptz - make_interval(days => $2))
                     RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [now, days],
    );
    const [monthly]: { n: number }[] = await manager.query('WITH gone AS (DELETE FROM monthly_report WHERE expires_at <= $1 RETURNING 1) SELECT count(*)::int AS n FROM gone', [now]);
    const [kept]: { n: number }[] = await manager.query('WITH gone AS (DELETE FROM kept_input WHERE expires_at <= $1 RETURNING 1) SELECT count(*)::int AS n FROM gone', [now]);
    return { reports, sentMails: mails.n, monthlyReports: monthly.n, keptInputs: kept.n };
  }

  private async eraseBatch(m: EntityManager, now: Date): Promise<number> {
    const due: { id: string; number: number; school_id: string; receiver_id: string; kind: string }[] = await m.query(
      `SELECT id, number, school_id, receiver_id, kind FROM report
        WHERE status = ANY($1::text[]) AND closed_at + make_interval(months => $2) <= $3
        ORDER BY closed_at, number LIMIT $4 FOR UPDATE SKIP LOCKED`,
      [FINISHED, this.config.RETENTION_REPORT_MONTHS, now, BATCH],
    );
    if (due.length === 0) return 0;
    const ids = due.map((r) => r.id);
    const numbers = due.map((r) => String(r.number));
    await m.query(`SELECT set_config('verzuimloket.erasure', 'on', true)`);
    await m.query(
      `INSERT INTO destruction_record (report_number, school_id, receiver_id, residence_municipality_id, kind, status, age_at_begin, begin_date,
         filed_at, handling_at, closed_at, closing_reason, closing_explanation, forwards, erased_at, rule)
       SELECT r.number, r.school_id, r.receiver_id, r.residence_municipality_id, r.kind, r.status,
              date_part('year', age(r.begin_date, r.pupil_birth_date))::int, r.begin_date, r.created_at,
              (SELECT min(e.created_at) FROM report_event e WHERE e.report_id = r.id AND e.changes @> '[{"field":"status","to":"IN_BEHANDELING"}]'),
              r.closed_at, r.closing_reason, r.closing_explanation,
              coalesce((SELECT jsonb_agg(jsonb_build_object('from', e.details->>'from', 'to', e.details->>'to', 'at', e.created_at) ORDER BY e.id)
                          FROM report_event e WHERE e.report_id = r.id AND e.type = 'DOORGESTUURD'), '[]'::jsonb),
              $2, $3
         FROM report r WHERE r.id = ANY($1::uuid[])`,
      [ids, now, this.rule],
    );
    // Audit entries about these reports keep their codes and counts; an explanation or other text goes.
    await m.query(
      `UPDATE audit_event SET details = (SELECT coalesce(jsonb_object_agg(k, v), '{}'::jsonb) FROM jsonb_each(details) AS d(k, v) WHERE k = ANY($2::text[]))
        WHERE subject_type = 'REPORT' AND subject_id = ANY($1::text[])
          AND EXISTS (SELECT 1 FROM jsonb_object_keys(details) AS k WHERE NOT (k = ANY($2::text[])))`,
      [numbers, AUDIT_KEYS_KEPT],
    );
    // A digest carries a copy of each notification: take these reports' items out, and drop a digest left empty.
    await m.query(
      `UPDATE outbox_message SET data = jsonb_set(data, '{items}', (
          SELECT coalesce(jsonb_agg(i ORDER BY n), '[]'::jsonb) FROM jsonb_array_elements(data->'items') WITH ORDINALITY AS x(i, n)
           WHERE NOT ((i->>'number') = ANY($1::text[]))))
        WHERE jsonb_typeof(data->'items') = 'array'
          AND EXISTS (SELECT 1 FROM jsonb_array_elements(data->'items') AS i WHERE (i->>'number') = ANY($1::text[]))`,
      [numbers],
    );
    await m.query(`DELETE FROM outbox_message WHERE jsonb_typeof(data->'items') = 'array' AND jsonb_array_length(data->'items') = 0`);
    await m.query('DELETE FROM webhook_message WHERE report_number = ANY($1::int[])', [numbers]);
    // The history (and with it its e-mails and webhook messages), messages and idempotency keys cascade.
    await m.query('DELETE FROM report WHERE id = ANY($1::uuid[])', [ids]);
    for (const r of due) {
      for (const organisationId of new Set([r.school_id, r.receiver_id])) {
        await this.audit.record({
          ...SYSTEM_ACTOR, organisationId, action: AuditAction.REPORT_ERASED, subjectType: AuditSubjectType.REPORT, subjectId: r.number,
          clientIp: null, details: { kind: r.kind, rule: this.rule },
        }, m);
      }
    }
    return due.length;
  }
}
