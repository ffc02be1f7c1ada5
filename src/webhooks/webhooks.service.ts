import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { isUUID } from 'class-validator';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { ErrorCode, FieldCode, FieldError, invalid, notFound, ProblemError } from '../common/problem';
import { AppConfig } from '../config/app-config';
import { Actor } from '../kernel/actor';
import { DeliveryStatus } from './webhook-delivery.entity';
import { DisabledReason, EndpointStatus, WebhookEndpoint } from './webhook-endpoint.entity';
import { WebhookOutbox } from './webhook-outbox.service';
import { newWebhookSecret, WebhookSecretBox } from './webhook-signing';
import { urlProblem } from './webhook-url';
import { ChangeWebhookInput, DeliveryPage, DeliveryQuery, DeliveryView, NewWebhookInput } from './webhooks.dto';

/** Endpoints one organisation may register. */
export const MAX_ENDPOINTS = 20;

export interface IssuedSecret {
  endpoint: WebhookEndpoint;
  /** whsec_…, shown once. */
  secret: string;
}

interface DeliveryRow {
  id: string; message_id: string; type: string; report_number: number | null; status: DeliveryStatus; attempts: number;
  last_attempt_at: Date | null; last_status_code: number | null; last_answer: string | null; last_latency_ms: number | null;
  delivered_at: Date | null; created_at: Date;
}

/**
 * A beheerder's webhook endpoints (API and pages alike): register, change, switch off and on, remove, rotate the secret,
 * read the delivery log, deliver one event again, send a test event. Each acts only on the caller's organisation's
 * endpoints, in the query itself.
 */
@Injectable()
export class WebhooksService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
    private readonly box: WebhookSecretBox,
    private readonly outbox: WebhookOutbox,
  ) {}

  list(actor: Actor): Promise<WebhookEndpoint[]> {
    return this.db.getRepository(WebhookEndpoint).find({ where: { organisationId: actor.organisationId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  async get(actor: Actor, id: string, m: EntityManager = this.db.manager, lock = false): Promise<WebhookEndpoint> {
    const found = isUUID(id)
      ? await m.getRepository(WebhookEndpoint).findOne({ where: { id, organisationId: actor.organisationId }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) })
      : null;
    if (!found) throw notFound('Dit webhook-endpoint bestaat niet of is niet van uw organisatie.');
    return found;
  }

  async create(actor: Actor, input: NewWebhookInput): Promise<IssuedSecret> {
    this.checkUrl(input.url);
    const secret = newWebhookSecret();
    const endpoint = await this.db.transaction(async (m) => {
      // One at a time per organisation, so that the limit holds when two requests come at once.
      await m.query('SELECT id FROM organisation WHERE id = $1 FOR UPDATE', [actor.organisationId]);
      const [{ count }]: { count: number }[] = await m.query('SELECT count(*)::int AS count FROM webhook_endpoint WHERE organisation_id = $1', [actor.organisationId]);
      if (count >= MAX_ENDPOINTS) {
        throw invalid({ field: 'url', code: FieldCode.TOO_MANY, message: `url: uw organisatie heeft al ${MAX_ENDPOINTS} endpoints; verwijder er eerst een` });
      }
      const id = randomUUID();
      const saved = await m.getRepository(WebhookEndpoint).save({
        id, organisationId: actor.organisationId, url: input.url, description: input.description ?? '', eventTypes: input.eventTypes,
        secretSealed: this.box.seal(secret, id),
      });
      return saved;
    });
    return { endpoint: await this.get(actor, endpoint.id), secret };
  }

  async change(actor: Actor, id: string, input: ChangeWebhookInput): Promise<WebhookEndpoint> {
    if (input.url !== undefined) this.checkUrl(input.url);
    await this.db.transaction(async (m) => {
      const endpoint = await this.get(actor, id, m, true);
      const changed: string[] = [];
      if (input.url !== undefined && input.url !== endpoint.url) {
        endpoint.url = input.url;
        changed.push('url');
      }
      if (input.description !== undefined && input.description !== endpoint.description) {
        endpoint.description = input.description;
        changed.push('description');
      }
      if (input.eventTypes !== undefined && [...input.eventTypes].sort().join() !== [...endpoint.eventTypes].sort().join()) {
        endpoint.eventTypes = input.eventTypes;
        changed.push('eventTypes');
      }
      if (input.enabled === true && endpoint.status === EndpointStatus.DISABLED) {
        Object.assign(endpoint, { status: EndpointStatus.ACTIVE, disabledReason: null, disabledAt: null, failingSince: null, retryAt: new Date() });
        changed.push('enabled');
      } else if (input.enabled === false && endpoint.status === EndpointStatus.ACTIVE) {
        Object.assign(endpoint, { status: EndpointStatus.DISABLED, disabledReason: DisabledReason.BEHEERDER, disabledAt: new Date() });
        // Waiting deliveries stay waiting: switched on again, the endpoint gets them, in order.
        changed.push('disabled');
      }
      if (changed.length === 0) return;
      await m.getRepository(WebhookEndpoint).save(endpoint);
    });
    return this.get(actor, id);
  }

  async remove(actor: Actor, id: string): Promise<void> {
    await this.db.transaction(async (m) => {
      const endpoint = await this.get(actor, id, m, true);
      await m.getRepository(WebhookEndpoint).delete(endpoint.id);
    });
  }

  /** A new secret, shown once; the one before keeps signing (beside it) for `overlapHours`, so receivers can switch over. */
  async rotateSecret(actor: Actor, id: string, overlapHours = 24): Promise<IssuedSecret> {
    const secret = newWebhookSecret();
    await this.db.transaction(async (m) => {
      const endpoint = await this.get(actor, id, m, true);
      endpoint.previousSecretSealed = overlapHours > 0 ? endpoint.secretSealed : null;
      endpoint.previousSecretExpiresAt = overlapHours > 0 ? new Date(Date.now() + overlapHours * 3600_000) : null;
      endpoint.secretSealed = this.box.seal(secret, endpoint.id);
      await m.getRepository(WebhookEndpoint).save(endpoint);
    });
    return { endpoint: await this.get(actor, id), secret };
  }

  async sendTest(actor: Actor, id: string): Promise<DeliveryView> {
    const deliveryId = await this.db.transaction(async (m) => {
      const endpoint = this.requireActive(await this.get(actor, id, m, true));
      const made = await this.outbox.enqueueTest(m, endpoint.id, actor.organisationCode);
      return made;
    });
    return this.delivery(actor, id, deliveryId);
  }

  /** The same message (same webhook-id) once more, after what is waiting for the endpoint. */
  async redeliver(actor: Actor, id: string, deliveryId: string): Promise<DeliveryView> {
    const made = await this.db.transaction(async (m) => {
      const endpoint = this.requireActive(await this.get(actor, id, m, true));
      const [row]: { message_id: string; status: DeliveryStatus }[] = /^[1-9]\d{0,17}$/.test(deliveryId)
        ? await m.query('SELECT message_id, status FROM webhook_delivery WHERE id = $1 AND endpoint_id = $2', [deliveryId, endpoint.id])
        : [];
      if (!row) throw notFound('Deze bezorging bestaat niet.');
      if (row.status === DeliveryStatus.PENDING) throw new ProblemError(ErrorCode.CONFLICT, 'Deze bezorging wacht nog op verzending; zij gaat vanzelf.');
      const again = await this.outbox.enqueueAgain(m, endpoint.id, row.message_id);
      return again;
    });
    return this.delivery(actor, id, made);
  }

  /** The delivery log of an endpoint, newest first, keyset-paged on the delivery's number. */
  async deliveries(actor: Actor, id: string, q: DeliveryQuery): Promise<DeliveryPage> {
    const endpoint = await this.get(actor, id);
    const limit = q.limit ?? 50;
    const rows: DeliveryRow[] = await this.db.query(
      `${DELIVERY_SELECT} WHERE d.endpoint_id = $1 AND ($2::text IS NULL OR d.status = $2) AND ($3::bigint IS NULL OR d.id < $3)
        ORDER BY d.id DESC LIMIT $4`,
      [endpoint.id, q.status ?? null, q.after ?? null, limit + 1],
    );
    const items = rows.slice(0, limit).map(deliveryView);
    return { items, nextCursor: rows.length > limit ? items[items.length - 1].id : null };
  }

  /** Counts per status, for the pages' overview. */
  async counts(actor: Actor, id: string): Promise<Record<DeliveryStatus, number>> {
    const rows: { status: DeliveryStatus; n: number }[] = await this.db.query(
      `SELECT d.status, count(*)::int AS n FROM webhook_delivery d JOIN webhook_endpoint w ON w.id = d.endpoint_id
        WHERE d.endpoint_id = $1 AND w.organisation_id = $2 GROUP BY d.status`,
      [id, actor.organisationId],
    );
    const out = { PENDING: 0, DELIVERED: 0, FAILED: 0 } as Record<DeliveryStatus, number>;
    for (const r of rows) out[r.status] = r.n;
    return out;
  }

  private async delivery(actor: Actor, endpointId: string, deliveryId: string): Promise<DeliveryView> {
    const [row]: DeliveryRow[] = await this.db.query(
      `${DELIVERY_SELECT} JOIN webhook_endpoint w ON w.id = d.endpoint_id WHERE d.id = $1 AND d.endpoint_id = $2 AND w.organisation_id = $3`,
      [deliveryId, endpointId, actor.organisationId],
    );
    return deliveryView(row);
  }

  private requireActive(endpoint: WebhookEndpoint): WebhookEndpoint {
    if (endpoint.status !== EndpointStatus.ACTIVE) throw new ProblemError(ErrorCode.CONFLICT, 'Dit endpoint staat uit; zet het eerst weer aan.');
    return endpoint;
  }

  /** What is wrong with an address for this service (production or not), or null: the rule create and change apply. */
  addressProblem(url: unknown): FieldError | null {
    return typeof url === 'string' && url !== '' ? urlProblem(url, this.config.isProduction) : null;
  }

  private checkUrl(url: string): void {
    const problem = this.addressProblem(url);
    if (problem) throw invalid(problem);
  }

}

const DELIVERY_SELECT = `SELECT d.id, d.message_id, m.type, m.report_number, d.status, d.attempts, d.last_attempt_at, d.last_status_code,
       d.last_answer, d.last_latency_ms, d.delivered_at, d.created_at
  FROM webhook_delivery d JOIN webhook_message m ON m.id = d.message_id`;

function deliveryView(r: DeliveryRow): DeliveryView {
  return {
    id: String(r.id), messageId: r.message_id, type: r.type, reportNumber: r.report_number, status: r.status, attempts: r.attempts,
    lastAttemptAt: r.last_attempt_at?.toISOString() ?? null, lastStatusCode: r.last_status_code, lastAnswer: r.last_answer,
    lastLatencyMs: r.last_latency_ms, deliveredAt: r.delivered_at?.toISOString() ?? null, createdAt: r.created_at.toISOString(),
  };
}

export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}
