import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { WebhookAlerts } from './webhook-alerts';
import { DeliveryStatus } from './webhook-delivery.entity';
import { DisabledReason } from './webhook-endpoint.entity';
import { AttemptRecord, DueDelivery, EndpointUpdate, HeldEndpoint, WebhookQueue } from './webhook-queue';
import { AttemptResult, WebhookSender } from './webhook-sender';
import { signatureHeader, WebhookSecretBox } from './webhook-signing';
import { WebhookWakeup } from './webhook-wakeup';
import { outsideRequest } from '../common/request-context';

/** Deliveries read and sent per round for one endpoint; their outcomes are written together. */
const BATCH = 100;
const HOUSEKEEPING_MS = 10 * 60_000;
/** The longest wait a Retry-After can ask for. */
const MAX_RETRY_AFTER = 24 * 3600;

/**
 * Delivers the webhook outbox. Every instance may run one. It holds whole endpoints, not single deliveries: an
 * endpoint with something due is taken with FOR UPDATE SKIP LOCKED under a lease (WEBHOOK_CLAIM_SECONDS, renewed while
 * it works), and its deliveries are sent one after the other in the order of the changes feed, so that a receiver
 * gets each endpoint's events in order whatever the number of instances. Outcomes are written only while the lease is
 * still this instance's; when an instance dies, the lease runs out and another sends what was not recorded, with
 * the same webhook-id (at least once). A time-out, a refused connection, a 408, 429 or 5xx holds the endpoint back
 * (WEBHOOK_RETRY_SECONDS, doubling, or the receiver's Retry-After); a 410 disables it; failing for
 * WEBHOOK_DISABLE_AFTER_HOURS disables it too, and its beheerders are e-mailed (ADR 8).
 */
@Injectable()
export class WebhookWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Webhooks');
  private readonly queue: WebhookQueue;
  private sender: WebhookSender | undefined;
  private readonly serving = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private stopped = false;
  private lastHousekeeping = 0;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
    private readonly box: WebhookSecretBox,
    private readonly alerts: WebhookAlerts,
    private readonly wakeup: WebhookWakeup,
  ) {
    this.queue = new WebhookQueue(db);
  }

  onApplicationBootstrap(): void {
    if (!this.config.WEBHOOK_WORKER) return;
    this.sender = new WebhookSender(this.config.WEBHOOK_TIMEOUT_SECONDS * 1000, this.config.isProduction && !this.config.WEBHOOK_ALLOW_PRIVATE_NETWORKS);
    this.wakeup.onWake(() => this.schedule(0));
    this.schedule(0);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.polling;
    await Promise.allSettled([...this.serving.values()]);
    this.sender?.close();
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = outsideRequest(() =>
      setTimeout(() => {
        if (this.polling) return void this.polling.then(() => this.schedule(0));
        this.polling = this.poll().finally(() => {
          this.polling = undefined;
          this.schedule(this.config.WEBHOOK_POLL_MS);
        });
      }, ms),
    );
  }

  /** Takes as many free endpoints as there are free places, and serves each until nothing is left to send to it. */
  private async poll(): Promise<void> {
    try {
      if (Date.now() - this.lastHousekeeping > HOUSEKEEPING_MS) {
        this.lastHousekeeping = Date.now();
        await this.queue.housekeeping(this.config.WEBHOOK_LOG_DAYS);
      }
      const held = await this.queue.hold(this.config.WEBHOOK_CONCURRENCY - this.serving.size, this.config.WEBHOOK_CLAIM_SECONDS);
      for (const endpoint of held) {
        const run = this.serve(endpoint)
          .catch((error) => this.logger.error(`Webhook-endpoint ${endpoint.id}: bezorgen mislukt: ${(error as Error).message}`))
          .finally(() => {
            this.serving.delete(endpoint.id);
            this.schedule(0);
          });
        this.serving.set(endpoint.id, run);
      }
    } catch (error) {
      this.logger.error(`Webhooks ophalen mislukt: ${(error as Error).message}`);
    }
  }

  private async serve(endpoint: HeldEndpoint): Promise<void> {
    let failingSince = endpoint.failingSince;
    for (;;) {
      const due = await this.queue.due(endpoint.id, BATCH);
      if (due.length === 0 || this.stopped) return this.queue.release(endpoint);
      let leaseEnds = Date.now() + (this.config.WEBHOOK_CLAIM_SECONDS - 1) * 1000;
      const records: AttemptRecord[] = [];
      let stop: { retryIn: number } | { disable: DisabledReason.GONE | DisabledReason.FAILING } | undefined;
      for (const delivery of due) {
        if (this.stopped) break;
        // Renew the hold before an attempt could outlast it, writing what is done so far.
        if (Date.now() + this.config.WEBHOOK_TIMEOUT_SECONDS * 1000 + 2000 > leaseEnds) {
          if (!(await this.queue.record(endpoint, records.splice(0), { failingSince, retryInSeconds: 0, keep: true }, this.config.WEBHOOK_CLAIM_SECONDS))) return;
          leaseEnds = Date.now() + (this.config.WEBHOOK_CLAIM_SECONDS - 1) * 1000;
        }
        const at = new Date();
        const result = await this.attempt(endpoint, delivery);
        const outcome = result.outcome;
        records.push({
          id: delivery.id, at, statusCode: result.statusCode, answer: result.answer, latencyMs: result.latencyMs,
          status: outcome === 'DELIVERED' ? DeliveryStatus.DELIVERED : outcome === 'RETRY' ? DeliveryStatus.PENDING : DeliveryStatus.FAILED,
        });
        failingSince = outcome === 'DELIVERED' ? null : (failingSince ?? at);
        if (outcome !== 'DELIVERED') {
          // The id and the status only: the address and the answer stay in the delivery log.
          this.logger.warn(`Webhook-endpoint ${endpoint.id}: bezorging ${delivery.id} poging ${delivery.attempts + 1}: ${result.statusCode ?? 'geen antwoord'}`);
        }
        if (outcome === 'GONE') stop = { disable: DisabledReason.GONE };
        else if (failingSince && at.getTime() - failingSince.getTime() >= this.config.WEBHOOK_DISABLE_AFTER_HOURS * 3600_000) stop = { disable: DisabledReason.FAILING };
        else if (outcome === 'RETRY') stop = { retryIn: this.retryDelay(delivery.attempts + 1, result) };
        if (stop) break;
      }
      const update: EndpointUpdate = stop && 'disable' in stop
        ? { failingSince, retryInSeconds: 0, keep: false, disable: stop.disable }
        : { failingSince, retryInSeconds: stop ? stop.retryIn : 0, keep: !stop && !this.stopped };
      const lastAnswer = records.length ? records[records.length - 1].answer : null;
      const written = await this.queue.record(endpoint, records, update, this.config.WEBHOOK_CLAIM_SECONDS, update.disable
        ? (m) => this.disabled(m, endpoint, update.disable!, failingSince, lastAnswer)
        : undefined);
      if (!written || stop || this.stopped) return;
    }
  }

  private attempt(endpoint: HeldEndpoint, delivery: DueDelivery): Promise<AttemptResult> {
    const secrets = [this.box.open(endpoint.secretSealed, endpoint.id)];
    if (endpoint.previousSecretSealed && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt.getTime() > Date.now()) {
      secrets.push(this.box.open(endpoint.previousSecretSealed, endpoint.id));
    }
    // Signed at each attempt: the timestamp is the attempt's, the webhook-id the message's (the same on every retry).
    const timestamp = Math.floor(Date.now() / 1000);
    return this.sender!.send(endpoint.url, {
      'content-type': 'application/cloudevents+json; charset=utf-8',
      'user-agent': 'Verzuimloket-Webhooks/1.0',
      'webhook-id': delivery.messageId,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signatureHeader(secrets, delivery.messageId, timestamp, delivery.body),
    }, delivery.body);
  }

  /** WEBHOOK_RETRY_SECONDS doubling per attempt up to WEBHOOK_RETRY_MAX_SECONDS; a Retry-After from the receiver instead. */
  private retryDelay(attempts: number, result: AttemptResult): number {
    if (result.retryAfterSeconds !== null) return Math.min(Math.max(result.retryAfterSeconds, 1), MAX_RETRY_AFTER);
    return Math.min(this.config.WEBHOOK_RETRY_SECONDS * 2 ** Math.min(attempts - 1, 30), this.config.WEBHOOK_RETRY_MAX_SECONDS);
  }

  private async disabled(m: EntityManager, endpoint: HeldEndpoint, reason: DisabledReason.GONE | DisabledReason.FAILING, failingSince: Date | null, lastAnswer: string | null): Promise<void> {
    this.logger.warn(`Webhook-endpoint ${endpoint.id} uitgezet: ${reason === DisabledReason.GONE ? 'de ontvanger antwoordde 410 Gone' : `${this.config.WEBHOOK_DISABLE_AFTER_HOURS} uur lang mislukt`}`);
    await this.alerts.endpointDisabled(m, {
      organisationId: endpoint.organisationId, endpointId: endpoint.id, description: endpoint.description,
      host: new URL(endpoint.url).host, reason, failingSince, lastAnswer,
    });
  }
}
