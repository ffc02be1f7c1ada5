import { connect, Socket } from 'node:net';
import { refuse, Refusal } from './attachment-refusals';

const unavailable = () =>
  refuse(Refusal.SCANNER_UNAVAILABLE, 'het bestand kon niet op virussen worden gecontroleerd (de virusscanner is niet bereikbaar) en is niet opgeslagen; probeer het later opnieuw');

/** Where clamd listens, from CLAMAV_URL (tcp://host:port). */
export function clamdAddress(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port) };
}

/**
 * One scan by clamd over TCP with its INSTREAM command: "zINSTREAM\0", then the file as chunks each preceded by its
 * length (4 bytes, big-endian), then a chunk of length 0; clamd answers "stream: OK" or "stream: <name> FOUND",
 * ended by a NUL. The file is sent while it streams in (with the socket's back-pressure), so it is never held whole.
 * Anything else (no connection, a time-out, an error answer such as a size limit) refuses the upload: a file is never
 * stored unscanned when scanning is on.
 */
export class ClamdScan {
  private failed = false;
  private answer = '';
  private readonly replied: Promise<void>;

  private constructor(private readonly socket: Socket, timeoutMs: number) {
    socket.setTimeout(timeoutMs, () => {
      this.failed = true;
      socket.destroy();
    });
    // The answer ends with a NUL (the z-prefixed command); clamd closes the connection after it.
    this.replied = new Promise((resolve) => {
      socket.on('data', (data: Buffer) => {
        this.answer += data.toString('latin1');
        if (this.answer.includes('\0') || this.answer.length > 1000) resolve();
      });
      socket.on('close', () => resolve());
    });
    socket.on('error', () => (this.failed = true));
  }

  static start(url: string, timeoutMs: number): Promise<ClamdScan> {
    const { host, port } = clamdAddress(url);
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      const fail = () => {
        socket.destroy();
        reject(unavailable());
      };
      const timer = setTimeout(fail, timeoutMs);
      socket.once('error', () => {
        clearTimeout(timer);
        fail();
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        const scan = new ClamdScan(socket, timeoutMs);
        socket.write('zINSTREAM\0');
        resolve(scan);
      });
    });
  }

  /** Sends one piece of the file; waits while clamd is slower than the upload. */
  async write(chunk: Buffer): Promise<void> {
    if (this.failed || chunk.length === 0) return;
    const length = Buffer.alloc(4);
    length.writeUInt32BE(chunk.length);
    this.socket.write(length);
    if (!this.socket.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.socket.off('drain', done);
          this.socket.off('close', done);
          resolve();
        };
        this.socket.on('drain', done);
        this.socket.on('close', done);
      });
    }
  }

  /** Ends the stream and reads the verdict: nothing when clean; a refusal when a virus was found or the scan failed. */
  async verdict(): Promise<void> {
    if (!this.failed) this.socket.write(Buffer.alloc(4));
    await this.replied;
    this.socket.destroy();
    const reply = this.answer.split('\0')[0].trim();
    if (!this.failed && reply === 'stream: OK') return;
    const found = /^stream: (.{1,200}) FOUND$/.exec(reply);
    if (!this.failed && found) {
      throw refuse(Refusal.VIRUS, `de virusscanner vond ${found[1].replace(/[^\w.:/-]/g, '')} in het bestand; het is niet opgeslagen`);
    }
    throw unavailable();
  }

  /** Stops a scan whose file was refused for another reason. */
  abort(): void {
    this.socket.destroy();
  }
}
