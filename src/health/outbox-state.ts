import { DataSource } from 'typeorm';

/** How the two outboxes stand, for readiness and metrics; each figure read through a partial index. */
export interface OutboxState {
  mailPending: number;
  mailFailed: number;
  /** Seconds since the oldest pending e-mail became due and no worker took it (0 when none is due). */
  mailOldestDueSeconds: number;
  webhookPending: number;
  /** Seconds since the oldest delivery still pending was written (0 when none). */
  webhookOldestPendingSeconds: number;
}

export async function readOutboxState(db: DataSource): Promise<OutboxState> {
  const [row] = await db.query(
    `SELECT (SELECT count(*) FROM outbox_message WHERE status = 'PENDING')::int AS mail_pending,
            (SELECT count(*) FROM outbox_message WHERE status = 'FAILED')::int AS mail_failed,
            COALESCE((SELECT extract(epoch FROM now() - min(next_attempt_at)) FROM outbox_message
                       WHERE status = 'PENDING' AND next_attempt_at <= now()
                         AND (claimed_until IS NULL OR claimed_until < now())), 0)::float8 AS mail_oldest_due,
            (SELECT count(*) FROM webhook_delivery WHERE status = 'PENDING')::int AS webhook_pending,
            COALESCE((SELECT extract(epoch FROM now() - min(created_at)) FROM webhook_delivery WHERE status = 'PENDING'), 0)::float8 AS webhook_oldest`,
  );
  return {
    mailPending: row.mail_pending,
    mailFailed: row.mail_failed,
    mailOldestDueSeconds: row.mail_oldest_due,
    webhookPending: row.webhook_pending,
    webhookOldestPendingSeconds: row.webhook_oldest,
  };
}
