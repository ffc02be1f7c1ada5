import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** What the receiver does with a request: take it, fail, ask to wait, say it is gone, answer late or never. */
export type ReceiverMode = 'accept' | 'fail500' | 'busy429' | 'gone410' | 'bad400' | 'slow' | 'stall' | 'flaky';

export interface Received {
  path: string;
  id: string;
  timestamp: number;
  signature: string;
  body: string;
  /** The CloudEvent, parsed. */
  event: { id: string; type: string; subject?: string; sequence?: string; source: string; time: string; specversion: string; datacontenttype: string; data: Record<string, unknown> };
  contentType: string;
  at: number;
  /** The answer this request got. */
  answered: ReceiverMode;
}

/**
 * A receiver of webhooks for the tests, on a real port: every request is checked with the standardwebhooks package
 * (the reference implementation of the specification) against the secrets registered for its path; a request whose
 * signature does not verify fails the test (it is counted in `unverified`). Each path has its own mode. `down()`
 * closes the port (connections are refused), `up()` opens it again on the same port.
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  /** Requests that arrived, whatever the answer. */
  readonly attempts: Received[] = [];
  readonly unverified: { path: string; reason: string }[] = [];
  private readonly secrets = new Map<string, string[]>();
  private readonly modes = new Map<string, ReceiverMode>();
  private readonly stalled: ServerResponse[] = [];
  private server: Server;
  retryAfter = '2';
  /** In 'flaky' mode every n-th request gets a 500. */
  flakyEvery = 4;
  private count = 0;
  slowMs = 3000;

  private constructor(readonly port: number, server: Server) {
    this.server = server;
  }

  static async start(): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver(0, createServer());
    await receiver.listen(0);
    return receiver;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** The secrets a path's signatures must verify with (each alone must verify: one of the signatures is enough). */
  expect(path: string, ...secrets: string[]): void {
    this.secrets.set(path, secrets);
  }

  setMode(path: string, mode: ReceiverMode): void {
    this.modes.set(path, mode);
    if (mode !== 'stall') for (const res of this.stalled.splice(0)) res.destroy();
  }

  delivered(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  async waitFor(what: string, probe: () => boolean, ms = 30_000): Promise<void> {
    const end = Date.now() + ms;
    while (!probe()) {
      if (Date.now() > end) throw new Error(`Wachten op ${what} duurde langer dan ${ms} ms`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async down(): Promise<void> {
    for (const res of this.stalled.splice(0)) res.destroy();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  async up(): Promise<void> {
    this.server = createServer();
    await this.listen(this.port);
  }

  async stop(): Promise<void> {
    await this.down();
  }

  private async listen(port: number): Promise<void> {
    this.server.keepAliveTimeout = 5000;
    this.server.on('request', (req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    (this as { port: number }).port = (this.server.address() as AddressInfo).port;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const path = req.url ?? '/';
    const chosen = this.modes.get(path) ?? 'accept';
    const mode = chosen === 'flaky' ? (++this.count % this.flakyEvery === 0 ? 'fail500' : 'accept') : chosen;
    const header = (name: string) => String(req.headers[name] ?? '');
    const entry: Received = {
      path, id: header('webhook-id'), timestamp: Number(header('webhook-timestamp')), signature: header('webhook-signature'), body,
      event: JSON.parse(body), contentType: header('content-type'), at: Date.now(), answered: mode,
    };
    for (const secret of this.secrets.get(path) ?? []) {
      try {
        new Webhook(secret).verify(body, { 'webhook-id': entry.id, 'webhook-timestamp': header('webhook-timestamp'), 'webhook-signature': entry.signature });
      } catch (error) {
        this.unverified.push({ path, reason: (error as Error).message });
      }
    }
    if (!this.secrets.has(path)) this.unverified.push({ path, reason: 'geen geheim bekend voor dit pad' });
    this.attempts.push(entry);
    switch (mode) {
      case 'accept':
        this.received.push(entry);
        return void res.writeHead(204).end();
      case 'fail500':
        return void res.writeHead(500, { 'content-type': 'text/plain' }).end('Interne fout bij de ontvanger');
      case 'busy429':
        return void res.writeHead(429, { 'retry-after': this.retryAfter }).end('Even rustig aan');
      case 'gone410':
        return void res.writeHead(410).end('Dit endpoint bestaat niet meer');
      case 'bad400':
        return void res.writeHead(400).end('Onbekend type');
      case 'slow':
        await new Promise((r) => setTimeout(r, this.slowMs));
        if (!res.destroyed) res.writeHead(204).end();
        return;
      case 'stall':
        this.stalled.push(res);
        return;
      default:
        res.writeHead(500).end();
    }
  }
}
