import { lookup as dnsLookup, LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { isForbiddenAddress } from './webhook-url';

/** What the receiver made of an attempt: taken (2xx), try again later, gone for good (410), or refused this event. */
export type Outcome = 'DELIVERED' | 'RETRY' | 'GONE' | 'REFUSED';

export interface AttemptResult {
  outcome: Outcome;
  statusCode: number | null;
  /** The start of the answer's body, or what went wrong; for the delivery log, never for the service's log. */
  answer: string;
  latencyMs: number;
  /** The receiver's Retry-After, in seconds, when it sent one with a 429 or 503. */
  retryAfterSeconds: number | null;
}

const ANSWER_CHARS = 500;
const MAX_BODY_BYTES = 64 * 1024;

/** What a status code means for the delivery. Time-outs and refused connections are RETRY too (see send). */
export function outcomeOf(status: number): Outcome {
  if (status >= 200 && status < 300) return 'DELIVERED';
  if (status === 410) return 'GONE';
  if (status === 408 || status === 429 || status >= 500) return 'RETRY';
  return 'REFUSED';
}

/** Retry-After as seconds (a number of seconds or an HTTP date), or null when absent or unreadable. */
export function retryAfterSeconds(header: string | undefined, now = Date.now()): number | null {
  if (!header) return null;
  const value = header.trim();
  if (/^\d{1,9}$/.test(value)) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * Posts one signed event and reads the answer, with keep-alive connections per instance. Redirects are not followed
 * (a 3xx is a refusal: the registered address is the one that is trusted). With `guardAddresses` (production without
 * WEBHOOK_ALLOW_PRIVATE_NETWORKS) every address a name resolves to is checked before connecting.
 */
export class WebhookSender {
  private readonly agents: { http: http.Agent; https: https.Agent };

  constructor(
    private readonly timeoutMs: number,
    private readonly guardAddresses: boolean,
  ) {
    const lookup = guardAddresses ? guardedLookup : undefined;
    this.agents = {
      http: new http.Agent({ keepAlive: true, maxSockets: 2, ...(lookup ? { lookup } : {}) } as http.AgentOptions),
      https: new https.Agent({ keepAlive: true, maxSockets: 2, ...(lookup ? { lookup } : {}) } as https.AgentOptions),
    };
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  send(url: string, headers: Record<string, string>, body: string): Promise<AttemptResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    return new Promise<AttemptResult>((resolve) => {
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        resolve({ outcome: 'REFUSED', statusCode: null, answer: 'Ongeldig adres', latencyMs: 0, retryAfterSeconds: null });
        return;
      }
      const host = target.hostname.replace(/^\[|\]$/g, '');
      if (this.guardAddresses && isIP(host) && isForbiddenAddress(host)) {
        resolve({ outcome: 'RETRY', statusCode: null, answer: 'Adres in een intern netwerk: niet toegestaan', latencyMs: 0, retryAfterSeconds: null });
        return;
      }
      const secure = target.protocol === 'https:';
      const payload = Buffer.from(body, 'utf8');
      let settled = false;
      const finish = (result: AttemptResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const req = (secure ? https : http).request(target, {
        method: 'POST',
        agent: secure ? this.agents.https : this.agents.http,
        headers: { ...headers, 'content-length': String(payload.length) },
      });
      const timer = setTimeout(() => {
        req.destroy();
        finish({ outcome: 'RETRY', statusCode: null, answer: `Geen antwoord binnen ${this.timeoutMs / 1000} s`, latencyMs: elapsed(), retryAfterSeconds: null });
      }, this.timeoutMs);
      req.on('error', (error: NodeJS.ErrnoException) => {
        finish({ outcome: 'RETRY', statusCode: null, answer: describeError(error), latencyMs: elapsed(), retryAfterSeconds: null });
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const done = () => {
          const status = res.statusCode ?? 0;
          const text = Buffer.concat(chunks).toString('utf8');
          const header = res.headers['retry-after'];
          finish({
            outcome: outcomeOf(status),
            statusCode: status,
            answer: readable(text),
            latencyMs: elapsed(),
            retryAfterSeconds: status === 429 || status === 503 ? retryAfterSeconds(Array.isArray(header) ? header[0] : header) : null,
          });
        };
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_BODY_BYTES) chunks.push(chunk);
          else {
            // An answer this long is not read to the end; the connection is dropped, the status counts.
            res.destroy();
            done();
          }
        });
        res.on('end', done);
        res.on('error', done);
      });
      req.end(payload);
    });
  }
}

function guardedLookup(
  hostname: string,
  options: { all?: boolean },
  callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
): void {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    const forbidden = addresses.find((a) => isForbiddenAddress(a.address));
    if (forbidden) return callback(Object.assign(new Error('Adres in een intern netwerk: niet toegestaan'), { code: 'EFORBIDDEN' }), []);
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0].address, addresses[0].family);
  });
}

function describeError(error: NodeJS.ErrnoException): string {
  const known: Record<string, string> = {
    ECONNREFUSED: 'Verbinding geweigerd',
    ECONNRESET: 'Verbinding verbroken',
    ENOTFOUND: 'Naam niet gevonden',
    EAI_AGAIN: 'Naam tijdelijk niet op te zoeken',
    ETIMEDOUT: 'Verbinding duurde te lang',
    EHOSTUNREACH: 'Server niet bereikbaar',
    EFORBIDDEN: 'Adres in een intern netwerk: niet toegestaan',
    CERT_HAS_EXPIRED: 'Certificaat verlopen',
    DEPTH_ZERO_SELF_SIGNED_CERT: 'Certificaat niet vertrouwd (zelf ondertekend)',
    ERR_TLS_CERT_ALTNAME_INVALID: 'Certificaat past niet bij de naam',
  };
  return error.code ? `${known[error.code] ?? 'Verbinding mislukt'} (${error.code})` : 'Verbinding mislukt';
}

/** The first characters of an answer, on one line, without control characters. */
function readable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, ANSWER_CHARS);
}
