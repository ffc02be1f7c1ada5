import { createServer, Server, Socket } from 'node:net';

export const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!H+H*';

/**
 * A small clamd that speaks the real INSTREAM protocol (zINSTREAM\0, chunks each after a 4-byte big-endian length,
 * a zero length to end; the answer "stream: OK" or "stream: <name> FOUND", NUL-terminated, then the connection
 * closes). It finds the EICAR test string. `mode: 'hangup'` closes every connection without an answer.
 */
export class FakeClamd {
  /** What each finished scan received, in bytes. */
  readonly scanned: number[] = [];
  /** The largest piece one INSTREAM chunk carried. */
  largestChunk = 0;
  mode: 'scan' | 'hangup' = 'scan';
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();

  constructor(public port = 0) {}

  get url(): string {
    return `tcp://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((socket) => this.serve(socket));
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  /** Stops listening: the scanner is unreachable until start() again (on the same port). */
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
  }

  private serve(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    if (this.mode === 'hangup') {
      socket.destroy();
      return;
    }
    let buffer = Buffer.alloc(0);
    let command = false;
    const parts: Buffer[] = [];
    let total = 0;
    socket.on('data', (data: Buffer) => {
      buffer = Buffer.concat([buffer, data]);
      if (!command) {
        const end = buffer.indexOf(0);
        if (end < 0) return;
        if (buffer.subarray(0, end).toString() !== 'zINSTREAM') {
          socket.end('UNKNOWN COMMAND\0');
          return;
        }
        command = true;
        buffer = buffer.subarray(end + 1);
      }
      while (buffer.length >= 4) {
        const length = buffer.readUInt32BE(0);
        if (length === 0) {
          this.scanned.push(total);
          const found = Buffer.concat(parts).includes(EICAR);
          socket.end(found ? 'stream: Eicar-Test-Signature FOUND\0' : 'stream: OK\0');
          buffer = Buffer.alloc(0);
          return;
        }
        if (buffer.length < 4 + length) return;
        this.largestChunk = Math.max(this.largestChunk, length);
        parts.push(Buffer.from(buffer.subarray(4, 4 + length)));
        total += length;
        buffer = buffer.subarray(4 + length);
      }
    });
  }
}
