import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { nlDay, todayInNL } from '../common/dates';
import { preparedQuery } from '../common/prepared-query';
import { AppConfig } from '../config/app-config';
import { createMailTransport, MailDeliveryError, MailTransport } from './mail-transport';
import { MailTemplates } from './mail-templates';
import { MailSecretBox } from './notifications.service';
import { MailTemplate, OutboxMessage, OutboxStatus } from './outbox-message.entity';
import { outsideRequest } from '../common/request-context';

const BATCH = 20;
/**
 * Batches in flight at once when more than one is due, each claimed, sent and marked on its own (SKIP LOCKED keeps
 * them apart): one lane waits on the database while another waits on the mail server. In alternating runs of
 * `BENCH_REPORTS=5000 npm run bench` the last e-mail arrived 13.1-14.0 s after the first filing against 14.5-17.2 s
 * with one (docs/benchmarks.md).
 */
const LANES = 2;
/** Any number, the same in every instance: only one instance puts the digests together at a time. */
const DIGEST_LOCK = 0x767a6c64; // "vzld"

/** What one change contributes to a merged e-mail: what the template's change partial needs. */
function changeOf(data: Record<string, unknown>): Record<string, unknown> {
  const { type, bySchool, status, closingReason, forwardedFrom, receiver } = data;
  return { type, bySchool, status, closingReason, forwardedFrom, receiver };
}

interface ClaimedRow {
  id: string;
  template: MailTemplate;
  recipient: string;
  data: Record<string, unknown>;
  sealed: Buffer | null;
  attempts: number;
}

/**
 * Delivers the outbox. Every instance may run one: a message is claimed with FOR UPDATE SKIP LOCKED and held for
 * MAIL_CLAIM_SECONDS, sent outside any transaction (so no transaction stays open while a mail server answers), and
 * then marked sent. When the instance dies in between, the claim runs out and the message goes out again with the
 * same Message-ID. Temporary failures wait MAIL_RETRY_SECONDS, doubling, up to MAIL_MAX_ATTEMPTS; then, or at a
 * permanent rejection, the message is parked as FAILED until someone sends it again (ADR 0004).
 */
@Injectable()
export class MailWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Mail');
  private readonly domain: string;
  private transport: MailTransport | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
    private readonly box: MailSecretBox,
    private readonly templates: MailTemplates,
  ) {
    this.domain = /@([^>\s]+)/.exec(config.MAIL_FROM)?.[1] ?? 'verzuimloket.localhost';
  }

  onApplicationBootstrap(): void {
    if (!this.config.MAIL_WORKER) return;
    this.transport = createMailTransport(this.config);
    this.schedule(0);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    this.transport?.close();
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = outsideRequest(() =>
      setTimeout(() => {
        this.running = this.runOnce().finally(() => this.schedule(this.config.MAIL_POLL_MS));
      }, ms),
    );
  }

  /**
   * Puts due digests together and sends everything due, batch by batch, until nothing is left. "Due" is measured once,
   * at the start, for the merging and the sending alike: an e-mail that became due after the merging looked would
   * otherwise go out alone, and the changes after it in a second e-mail (it waits for the next round, merged).
   */
  async runOnce(): Promise<void> {
    try {
      const [{ now }]: { now: Date }[] = await this.db.query('SELECT now() AS now');
      await this.bundleDigests();
      await this.coalesce(now);
      const lane = async (): Promise<void> => {
        while (!this.stopped && (await this.deliverBatch(now)) === BATCH);
      };
      if (!this.stopped && (await this.deliverBatch(now)) === BATCH) await Promise.all(Array.from({ length: LANES }, lane));
    } catch (error) {
      this.logger.error(`Verzenden van e-mail mislukt: ${(error as Error).message}`);
    }
  }

  private async deliverBatch(due: Date): Promise<number> {
    // Named statements (ADR 0017), as the e-mails are written: a claim and a "sent" for every batch of every round.
    const claimed = await preparedQuery<ClaimedRow>(
      this.db,
      `UPDATE outbox_message o
          SET claimed_until = now() + make_interval(secs => $1), attempts = o.attempts + 1
        WHERE o.id IN (SELECT id FROM outbox_message
                        WHERE status = $2 AND next_attempt_at <= $4 AND (claimed_until IS NULL OR claimed_until < now())
                        ORDER BY next_attempt_at, id
                        LIMIT $3
                        FOR UPDATE SKIP LOCKED)
      RETURNING o.id, o.template, o.recipient, o.data, o.sealed, o.attempts`,
      [this.config.MAIL_CLAIM_SECONDS, OutboxStatus.PENDING, BATCH, due],
    );
    const sent = (await Promise.all(claimed.map((row) => this.deliver(row)))).filter((id): id is string => id !== undefined);
    // Done, in one statement for the batch (was one per e-mail: a commit each): the secrets are no longer needed.
    // Only our own claim may finish an e-mail (it may have run out and moved on).
    if (sent.length > 0) {
      await preparedQuery(
        this.db,
        `UPDATE outbox_message SET status = $2, sent_at = now(), claimed_until = NULL, last_error = NULL, sealed = NULL
          WHERE id = ANY($1::uuid[]) AND status = $3`,
        [sent, OutboxStatus.SENT, OutboxStatus.PENDING],
      );
    }
    return claimed.length;
  }

  /** Sends one claimed e-mail: its id once the mail server has taken it; a failure is noted for a later attempt. */
  private async deliver(row: ClaimedRow): Promise<string | undefined> {
    try {
      const secret = row.sealed ? { link: this.box.open(row.sealed, row.id) } : {};
      const mail = this.templates.render(row.template, { ...row.data, ...secret });
      await this.transport!.send({ messageId: `<${row.id}@${this.domain}>`, to: row.recipient, ...mail });
      return row.id;
    } catch (error) {
      await this.failed(row, error);
      return undefined;
    }
  }

  private async failed(row: ClaimedRow, error: unknown): Promise<void> {
    const permanent = !(error instanceof MailDeliveryError) || error.permanent;
    const message = error instanceof Error ? error.message : String(error);
    const park = permanent || row.attempts >= this.config.MAIL_MAX_ATTEMPTS;
    const delay = this.config.MAIL_RETRY_SECONDS * 2 ** (row.attempts - 1);
    await this.db.query(
      `UPDATE outbox_message
          SET status = $2, last_error = $3, claimed_until = NULL, next_attempt_at = now() + make_interval(secs => $4)
        WHERE id = $1 AND status = $5`,
      [row.id, park ? OutboxStatus.FAILED : OutboxStatus.PENDING, message, park ? 0 : delay, OutboxStatus.PENDING],
    );
    // The id only: the error text of a mail server can carry the address.
    this.logger.warn(`E-mail ${row.id}: poging ${row.attempts} mislukt${park ? ', geparkeerd als mislukt' : `, nieuwe poging over ${delay} s`}`);
  }

  /**
   * E-mails about changes of one report to one address that wait together (each waits MAIL_COALESCE_SECONDS before it
   * is due) become one: when the first is due, it takes up the others (listed as `changes`, oldest first) and they are
   * marked BUNDLED with its id. Only rows no instance has tried yet; the rows are locked while merging, so a worker
   * elsewhere skips them and then sees the result. The school that gets "in behandeling", a reply and "afgesloten"
   * within a second gets one e-mail naming all three.
   */
  private async coalesce(due: Date): Promise<void> {
    if (this.config.MAIL_COALESCE_SECONDS === 0) return;
    await this.db.transaction(async (m) => {
      const waiting = `status = '${OutboxStatus.PENDING}' AND template = '${MailTemplate.REPORT_EVENT}' AND attempts = 0 AND claimed_until IS NULL`;
      const rows: { id: string; recipient: string; data: Record<string, unknown> }[] = await m.query(
        `SELECT id, recipient, data FROM outbox_message
          WHERE ${waiting} AND (recipient, data->>'number') IN (
                SELECT recipient, data->>'number' FROM outbox_message WHERE ${waiting}
                 GROUP BY 1, 2 HAVING count(*) > 1 AND min(next_attempt_at) <= $1)
          ORDER BY recipient, data->>'number', created_at, id
          FOR UPDATE SKIP LOCKED`,
        [due],
      );
      const groups = new Map<string, typeof rows>();
      for (const row of rows) {
        const key = `${row.recipient}\n${String(row.data.number)}`;
        groups.set(key, [...(groups.get(key) ?? []), row]);
      }
      for (const group of groups.values()) {
        if (group.length < 2) continue;
        const changes = group.flatMap((row) => (Array.isArray(row.data.changes) ? row.data.changes : [changeOf(row.data)]));
        const [lead, ...rest] = group;
        await m.query('UPDATE outbox_message SET data = $2::jsonb WHERE id = $1', [lead.id, JSON.stringify({ ...group[group.length - 1].data, changes })]);
        await m.query('UPDATE outbox_message SET status = $1, digest_id = $2 WHERE id = ANY($3::uuid[])', [OutboxStatus.BUNDLED, lead.id, rest.map((r) => r.id)]);
      }
    });
  }

  /**
   * For each person whose daily digest is due: one digest message with every waiting notification, in one
   * transaction, so that an item lands in exactly one digest.
   */
  private async bundleDigests(): Promise<void> {
    await this.db.transaction(async (m) => {
      const [{ locked }] = await m.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [DIGEST_LOCK]);
      if (!locked) return;
      const due: { id: string; recipient: string; organisation_id: string; user_id: string | null; data: Record<string, unknown> }[] = await m.query(
        `SELECT id, recipient, organisation_id, user_id, data FROM outbox_message
          WHERE status = $1 AND next_attempt_at <= now() ORDER BY recipient, created_at, id FOR UPDATE`,
        [OutboxStatus.DIGEST],
      );
      const byRecipient = new Map<string, typeof due>();
      for (const row of due) byRecipient.set(row.recipient, [...(byRecipient.get(row.recipient) ?? []), row]);
      for (const [recipient, items] of byRecipient) {
        const [digest] = (await m
          .createQueryBuilder()
          .insert()
          .into(OutboxMessage)
          .values({
            template: MailTemplate.DIGEST,
            organisationId: items[0].organisation_id,
            userId: items[0].user_id,
            recipient,
            data: { date: nlDay(todayInNL()), single: items.length === 1, preferenceHint: true, items: items.map((i) => i.data) } as never,
          })
          .returning(['id'])
          .execute()).raw as { id: string }[];
        await m.query('UPDATE outbox_message SET status = $1, digest_id = $2 WHERE id = ANY($3::uuid[])', [
          OutboxStatus.BUNDLED, digest.id, items.map((i) => i.id),
        ]);
      }
    });
  }
}
