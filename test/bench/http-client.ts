import { Agent, request } from 'node:http';

/**
 * JSON requests with a bearer key over kept-alive connections, with node:http: a fraction of the CPU of fetch (undici)
 * per request. The benchmark's clients share the machine's two cores with the service they measure; what they spend
 * is taken from it (docs/benchmarks.md).
 */
export class JsonClient {
  private readonly agent: Agent;

  constructor(private readonly base: string, connections: number) {
    this.agent = new Agent({ keepAlive: true, maxSockets: connections });
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  call(key: string, method: string, path: string, body?: unknown): Promise<any> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers = { authorization: `Bearer ${key}`, ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}) };
    return new Promise((resolve, reject) => {
      const req = request(this.base + path, { method, agent: this.agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if ((res.statusCode ?? 500) >= 300) reject(new Error(`${method} ${path}: ${res.statusCode} ${text}`));
          else resolve(text === '' ? undefined : JSON.parse(text));
        });
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
