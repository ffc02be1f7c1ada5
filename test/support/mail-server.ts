import { createServer, Server, Socket } from 'node:net';
import { AddressInfo } from 'node:net';
import { ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string[];
  messageId: string;
  subject: string;
  text: string;
  html: string;
  raw: string;
  at: number;
}

function parsed(mail: ParsedMail): Pick<ReceivedMail, 'messageId' | 'subject' | 'text' | 'html'> {
  return { messageId: mail.messageId ?? '', subject: mail.subject ?? '', text: mail.text ?? '', html: typeof mail.html === 'string' ? mail.html : '' };
}

/**
 * What the mail server does with the next delivery: accept it, refuse it for now (451), reject it (550), hold it
 * without ever answering (to kill a sender mid-send), drop the connection at once, or not listen at all.
 */
export type MailServerMode = 'accept' | 'refuse' | 'reject' | 'stall' | 'drop' | 'down';

/** A real SMTP server on a fixed port, whose behaviour a test can change while the service keeps sending to it. */
export class TestMailServer {
  readonly received: ReceivedMail[] = [];
  /** Every RCPT TO the server saw, accepted or not, with its time: to see how retries are spaced. */
  readonly attempts: { to: string; at: number }[] = [];
  /** Deliveries whose data started arriving while stalling. */
  stalled = 0;
  private mode: MailServerMode = 'down';
  private smtp: SMTPServer | undefined;
  private dropper: Server | undefined;
  private readonly sockets = new Set<Socket>();

  private constructor(
    readonly port: number,
    private readonly parse: boolean,
  ) {}

  /**
   * `parse: false` (the benchmark): a delivery is answered as soon as it has arrived and kept raw, its subject, text
   * and html empty until `parseAll()`; parsing every e-mail as it came cost the benchmark's process, on the cores the
   * service is measured on, more than receiving it.
   */
  static async start(mode: MailServerMode = 'accept', options: { parse?: boolean } = {}): Promise<TestMailServer> {
    const free = createServer();
    await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve));
    const port = (free.address() as AddressInfo).port;
    await new Promise<void>((resolve) => free.close(() => resolve()));
    const server = new TestMailServer(port, options.parse ?? true);
    await server.setMode(mode);
    return server;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async setMode(mode: MailServerMode): Promise<void> {
    const listening = mode === 'down' ? 'none' : mode === 'drop' ? 'dropper' : 'smtp';
    const current = this.mode === 'down' ? 'none' : this.mode === 'drop' ? 'dropper' : 'smtp';
    this.mode = mode;
    if (listening === current) return;
    await this.close();
    if (listening === 'smtp') await this.listenSmtp();
    if (listening === 'dropper') {
      this.dropper = createServer((socket) => socket.destroy());
      this.track(this.dropper);
      await new Promise<void>((resolve) => this.dropper!.listen(this.port, '127.0.0.1', resolve));
    }
  }

  /** Waits until `count` mails have arrived (in all), or fails after `ms`. */
  async waitFor(count: number, ms = 15_000): Promise<ReceivedMail[]> {
    const until = Date.now() + ms;
    while (this.received.length < count) {
      if (Date.now() > until) throw new Error(`${this.received.length} van ${count} e-mails ontvangen na ${ms} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return this.received;
  }

  /** Fills in what `parse: false` left out: the subject, text and html of every e-mail received so far. */
  async parseAll(): Promise<void> {
    for (const mail of this.received) if (!mail.messageId) Object.assign(mail, parsed(await simpleParser(mail.raw)));
  }

  to(address: string): ReceivedMail[] {
    return this.received.filter((m) => m.to.includes(address.toLowerCase()));
  }

  async stop(): Promise<void> {
    this.mode = 'down';
    await this.close();
  }

  private async listenSmtp(): Promise<void> {
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo: (address, _session, callback) => {
        this.attempts.push({ to: address.address.toLowerCase(), at: Date.now() });
        if (this.mode === 'refuse') return callback(Object.assign(new Error('Mailbox tijdelijk niet beschikbaar'), { responseCode: 451 }));
        if (this.mode === 'reject') return callback(Object.assign(new Error('Geen zodanige mailbox'), { responseCode: 550 }));
        callback();
      },
      onData: (stream, session, callback) => {
        if (this.mode === 'stall') {
          this.stalled++;
          stream.resume(); // read it, never answer
          return;
        }
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          const to = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
          if (!this.parse) {
            this.received.push({ to, messageId: '', subject: '', text: '', html: '', raw: raw.toString('utf8'), at: Date.now() });
            return callback();
          }
          simpleParser(raw).then(
            (mail) => {
              this.received.push({ to, ...parsed(mail), raw: raw.toString('utf8'), at: Date.now() });
              callback();
            },
            (error: Error) => callback(error),
          );
        });
      },
    });
    this.smtp = smtp;
    smtp.on('error', () => undefined);
    this.track(smtp.server);
    await new Promise<void>((resolve) => smtp.listen(this.port, '127.0.0.1', resolve));
  }

  private track(server: Server): void {
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  /** Stops listening and cuts every open connection, as a mail server that goes away does. */
  private async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    const smtp = this.smtp;
    const dropper = this.dropper;
    this.smtp = undefined;
    this.dropper = undefined;
    if (smtp) await new Promise<void>((resolve) => smtp.close(() => resolve()));
    if (dropper) await new Promise<void>((resolve) => dropper.close(() => resolve()));
  }
}
