import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { timingSafeEqual, createHash } from 'node:crypto';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { AuditAction } from '../audit/audit-event.entity';
import { AuditService } from '../audit/audit.service';
import { AppConfig } from '../config/app-config';
import { readOutboxState } from '../health/outbox-state';

interface FinishedRequest {
  method: string;
  route: string;
  status: number;
  seconds: number;
}

/** The pool of `pg` under TypeORM's PostgreSQL driver. */
interface PgPool {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/**
 * Prometheus metrics (prom-client), served at /metrics only when asked for: on METRICS_PORT (a listener of its own,
 * for a network the public never reaches) and/or on the service's port behind METRICS_TOKEN (a bearer token).
 * Request durations per route template and status; the database pool; both outboxes; failed e-mails; sign-in
 * failures and throttles; rate-limit refusals; Node's process metrics. The outbox figures are read when scraped.
 */
@Injectable()
export class MetricsService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly registry = new Registry();
  private readonly logger = new Logger('Metrics');
  private server: Server | null = null;

  private readonly requests = new Histogram({
    name: 'vzl_http_request_duration_seconds',
    help: 'Duur van HTTP-verzoeken, per route (zoals in de code) en status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly rateLimited = new Counter({
    name: 'vzl_http_rate_limited_total', help: 'Verzoeken geweigerd met 429 (te veel verzoeken), per route',
    labelNames: ['route'] as const, registers: [this.registry],
  });
  private readonly signInFailures = new Counter({
    name: 'vzl_sign_in_failures_total', help: 'Mislukte aanmeldingen (verkeerde naam, wachtwoord of code, geblokkeerd account)', registers: [this.registry],
  });
  private readonly signInThrottles = new Counter({
    name: 'vzl_sign_in_throttles_total', help: 'Keren dat een account of adres na te veel mislukte pogingen moet wachten', registers: [this.registry],
  });

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
    audit: AuditService,
  ) {
    collectDefaultMetrics({ register: this.registry, prefix: 'vzl_' });
    audit.onRecorded((action) => {
      if (action === AuditAction.SIGN_IN_FAILED) this.signInFailures.inc();
      else if (action === AuditAction.SIGN_IN_THROTTLED) this.signInThrottles.inc();
    });
    const pool = () => (this.db.driver as unknown as { master?: PgPool }).master;
    new Gauge({
      name: 'vzl_db_pool_connections', help: 'Verbindingen van de databasepool: in gebruik, vrij, en verzoeken die wachten op een verbinding',
      labelNames: ['state'] as const, registers: [this.registry],
      collect() {
        const p = pool();
        this.set({ state: 'in_use' }, p ? p.totalCount - p.idleCount : 0);
        this.set({ state: 'idle' }, p?.idleCount ?? 0);
        this.set({ state: 'waiting' }, p?.waitingCount ?? 0);
      },
    });
    // One query for all outbox figures per scrape, shared by the gauges below.
    let reading: Promise<Awaited<ReturnType<typeof readOutboxState>>> | null = null;
    const state = () => (reading ??= readOutboxState(this.db).finally(() => setTimeout(() => (reading = null), 1000).unref()));
    const gauge = (name: string, help: string, value: (s: Awaited<ReturnType<typeof readOutboxState>>) => number) =>
      new Gauge({ name, help, registers: [this.registry], async collect() { this.set(value(await state())); } });
    gauge('vzl_mail_outbox_pending', 'E-mails die wachten om verstuurd te worden', (s) => s.mailPending);
    gauge('vzl_mail_outbox_oldest_due_seconds', 'Hoe lang de oudste verschuldigde e-mail al wacht op een worker', (s) => s.mailOldestDueSeconds);
    gauge('vzl_mail_failed', 'E-mails die na alle pogingen geparkeerd zijn (beheer: mislukte e-mails)', (s) => s.mailFailed);
    gauge('vzl_webhook_outbox_pending', 'Webhook-afleveringen die nog moeten gebeuren', (s) => s.webhookPending);
    gauge('vzl_webhook_outbox_oldest_pending_seconds', 'Leeftijd van de oudste webhook-aflevering die nog moet gebeuren', (s) => s.webhookOldestPendingSeconds);
  }

  /** Called by the request log for every answer (src/logging/request-log.ts). */
  readonly observe = (r: FinishedRequest): void => {
    const status = String(r.status);
    this.requests.observe({ method: r.method, route: r.route, status }, r.seconds);
    if (r.status === 429) this.rateLimited.inc({ route: r.route });
  };

  /** Whether `authorization` carries METRICS_TOKEN (compared in constant time). */
  allows(authorization: string | undefined): boolean {
    const token = this.config.METRICS_TOKEN;
    if (!token || !authorization?.startsWith('Bearer ')) return false;
    const digest = (s: string) => createHash('sha256').update(s).digest();
    return timingSafeEqual(digest(authorization.slice(7)), digest(token));
  }

  async render(res: ServerResponse): Promise<void> {
    try {
      const body = await this.registry.metrics();
      res.writeHead(200, { 'content-type': this.registry.contentType, 'cache-control': 'no-store' }).end(body);
    } catch (error) {
      this.logger.error(`Metrics niet te lezen: ${(error as Error).message}`);
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' }).end('Metrics niet beschikbaar\n');
    }
  }

  /** METRICS_PORT: a listener that serves /metrics only (no token: it belongs on a network only Prometheus reaches). */
  async onApplicationBootstrap(): Promise<void> {
    if (this.config.METRICS_PORT === undefined) return;
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      if (req.method === 'GET' && (req.url === '/metrics' || req.url?.startsWith('/metrics?'))) void this.render(res);
      else res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Niet gevonden\n');
    });
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(this.config.METRICS_PORT, this.config.METRICS_HOST, resolve));
    this.server = server;
    this.logger.log(`Metrics op http://${this.config.METRICS_HOST}:${this.port}/metrics`);
  }

  get port(): number | null {
    const address = this.server?.address();
    return address && typeof address === 'object' ? address.port : null;
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
