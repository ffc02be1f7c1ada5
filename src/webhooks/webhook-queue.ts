import { DataSource, EntityManager } from 'typeorm';
import { DeliveryStatus } from './webhook-delivery.entity';
import { DisabledReason, EndpointStatus } from './webhook-endpoint.entity';

/** An endpoint held by this instance: where to send, with which secrets, under which lease. */
export interface HeldEndpoint {
  id: string;
  organisationId: string;
  url: string;
  description: string;
  secretSealed: Buffer;
  previousSecretSealed: Buffer | null;
  previousSecretExpiresAt: Date | null;
  failingSince: Date | null;
  leaseToken: string;
}

export interface DueDelivery {
  id: string;
  messageId: string;
  attempts: number;
  body: string;
}

/** The outcome of one attempt, to be written. */
export interface AttemptRecord {
  id: string;
  status: DeliveryStatus;
  at: Date;
  statusCode: number | null;
  answer: string;
  latencyMs: number;
}

export interface EndpointUpdate {
  failingSince: Date | null;
  /** Seconds before the endpoint is tried again (0: at once). */
  retryInSeconds: number;
  /** Keep holding the endpoint (more to send) or let it go. */
  keep: boolean;
  disable?: DisabledReason.GONE | DisabledReason.FAILING;
}

/** Rows of transactions older than every running one: none can appear later before them (ADR 2). */
const VISIBLE = 'd.txid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint';

/** The SQL of the webhook worker: holding endpoints, reading what is due, writing what happened. */
export class WebhookQueue {
  constructor(private readonly db: DataSource) {}

  /**
   * Takes up to `limit` active endpoints that are free (no lease, or a lease that ran out), not waiting for a retry,
   * and have something visible to send, each under a new lease token. FOR UPDATE SKIP LOCKED: two instances never
   * take the same endpoint.
   */
  async hold(limit: number, claimSeconds: number): Promise<HeldEndpoint[]> {
    if (limit <= 0) return [];
    const [rows]: [Record<string, unknown>[]] = await this.db.query(
      `UPDATE webhook_endpoint w
          SET lease_until = now() + make_interval(secs => $1), lease_token = gen_random_uuid()
        WHERE w.id IN (SELECT e.id FROM webhook_endpoint e
                        WHERE e.status = $2 AND e.retry_at <= now() AND (e.lease_until IS NULL OR e.lease_until < now())
                          AND EXISTS (SELECT 1 FROM webhook_delivery d WHERE d.endpoint_id = e.id AND d.status = $3 AND ${VISIBLE})
                        ORDER BY e.retry_at
                        LIMIT $4
                        FOR UPDATE SKIP LOCKED)
      RETURNING w.id, w.organisation_id, w.url, w.description, w.secret_sealed, w.previous_secret_sealed, w.previous_secret_expires_at,
                w.failing_since, w.lease_token`,
      [claimSeconds, EndpointStatus.ACTIVE, DeliveryStatus.PENDING, limit],
    );
    return rows.map((r) => ({
      id: r.id as string,
      organisationId: r.organisation_id as string,
      url: r.url as string,
      description: r.description as string,
      secretSealed: r.secret_sealed as Buffer,
      previousSecretSealed: r.previous_secret_sealed as Buffer | null,
      previousSecretExpiresAt: r.previous_secret_expires_at as Date | null,
      failingSince: r.failing_since as Date | null,
      leaseToken: r.lease_token as string,
    }));
  }

  /** The oldest pending deliveries of the endpoint, in the feed's order. */
  async due(endpointId: string, limit: number): Promise<DueDelivery[]> {
    const rows: { id: string; message_id: string; attempts: number; body: string }[] = await this.db.query(
      `SELECT d.id, d.message_id, d.attempts, m.body
         FROM webhook_delivery d JOIN webhook_message m ON m.id = d.message_id
        WHERE d.endpoint_id = $1 AND d.status = $2 AND ${VISIBLE}
        ORDER BY d.txid, d.id
        LIMIT $3`,
      [endpointId, DeliveryStatus.PENDING, limit],
    );
    return rows.map((r) => ({ id: String(r.id), messageId: r.message_id, attempts: r.attempts, body: r.body }));
  }

  /**
   * Writes the attempts and the endpoint's state in one transaction, only while this instance still holds the
   * endpoint (else nothing is written and false is returned: another instance took over and sends again). `then`
   * runs in the same transaction (the alert when the endpoint is disabled).
   */
  async record(
    endpoint: HeldEndpoint,
    attempts: AttemptRecord[],
    update: EndpointUpdate,
    claimSeconds: number,
    then?: (m: EntityManager) => Promise<void>,
  ): Promise<boolean> {
    return this.db.transaction(async (m) => {
      const held: unknown[] = await m.query(
        `SELECT 1 FROM webhook_endpoint WHERE id = $1 AND lease_token = $2 AND lease_until > now() FOR UPDATE`,
        [endpoint.id, endpoint.leaseToken],
      );
      if (held.length === 0) return false;
      if (attempts.length > 0) {
        await m.query(
          `UPDATE webhook_delivery d
              SET status = u.status, attempts = d.attempts + 1, last_attempt_at = u.at, last_status_code = u.code,
                  last_answer = u.answer, last_latency_ms = u.latency, delivered_at = CASE WHEN u.status = $7 THEN u.at END
             FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::int[], $5::text[], $6::int[]) AS u(id, status, at, code, answer, latency)
            WHERE d.id = u.id AND d.status = $8`,
          [
            attempts.map((a) => a.id), attempts.map((a) => a.status), attempts.map((a) => a.at), attempts.map((a) => a.statusCode),
            attempts.map((a) => a.answer), attempts.map((a) => a.latencyMs), DeliveryStatus.DELIVERED, DeliveryStatus.PENDING,
          ],
        );
      }
      if (update.disable) {
        await m.query(
          `UPDATE webhook_endpoint SET status = $2, disabled_reason = $3, disabled_at = now(), failing_since = $4,
                  lease_until = NULL, lease_token = NULL, updated_at = now() WHERE id = $1`,
          [endpoint.id, EndpointStatus.DISABLED, update.disable, update.failingSince],
        );
        // What was still waiting is not sent: the log shows it, a redelivery or the changes feed makes up for it.
        await m.query(
          `UPDATE webhook_delivery SET status = $2, last_answer = COALESCE(last_answer, $4) WHERE endpoint_id = $1 AND status = $3`,
          [endpoint.id, DeliveryStatus.FAILED, DeliveryStatus.PENDING, 'Niet verstuurd: het endpoint is uitgezet'],
        );
      } else {
        await m.query(
          `UPDATE webhook_endpoint
              SET failing_since = $3, retry_at = now() + make_interval(secs => $4),
                  lease_until = CASE WHEN $5 THEN now() + make_interval(secs => $6) END, lease_token = CASE WHEN $5 THEN lease_token END
            WHERE id = $1 AND lease_token = $2`,
          [endpoint.id, endpoint.leaseToken, update.failingSince, update.retryInSeconds, update.keep, claimSeconds],
        );
      }
      if (then) await then(m);
      return true;
    });
  }

  /** Lets go of an endpoint without writing anything (shutdown with nothing recorded). */
  async release(endpoint: HeldEndpoint): Promise<void> {
    await this.db.query('UPDATE webhook_endpoint SET lease_until = NULL, lease_token = NULL WHERE id = $1 AND lease_token = $2', [endpoint.id, endpoint.leaseToken]);
  }

  /** The delivery log keeps WEBHOOK_LOG_DAYS; a rotation's previous secret stops signing when its time is up. */
  async housekeeping(logDays: number): Promise<void> {
    await this.db.query(
      `DELETE FROM webhook_delivery WHERE status <> $1 AND created_at < now() - make_interval(days => $2)`,
      [DeliveryStatus.PENDING, logDays],
    );
    await this.db.query(
      `DELETE FROM webhook_message m WHERE m.created_at < now() - make_interval(days => $1)
          AND NOT EXISTS (SELECT 1 FROM webhook_delivery d WHERE d.message_id = m.id)`,
      [logDays],
    );
    await this.db.query(
      `UPDATE webhook_endpoint SET previous_secret_sealed = NULL, previous_secret_expires_at = NULL WHERE previous_secret_expires_at < now()`,
    );
  }
}
