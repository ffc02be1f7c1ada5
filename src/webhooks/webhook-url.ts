import { isIP } from 'node:net';
import { FieldCode, FieldError } from '../common/problem';

/**
 * Where a webhook may go. https always; plain http only to this machine (loopback), and only outside production, for
 * development and tests. No user name or password in the address (it would be stored and shown), no fragment.
 * Returns the refusal, or null when the address is acceptable.
 */
export function urlProblem(value: string, production: boolean, field = 'url'): FieldError | null {
  const refuse = (code: FieldCode, text: string): FieldError => ({ field, code, message: `${field}: ${text}` });
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return refuse(FieldCode.INVALID_FORMAT, 'is geen geldig adres (bijv. https://systeem.example.nl/webhooks/verzuimloket)');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return refuse(FieldCode.INVALID_FORMAT, 'moet met https:// beginnen');
  if (url.username || url.password) return refuse(FieldCode.NOT_ALLOWED_VALUE, 'mag geen gebruikersnaam of wachtwoord bevatten');
  if (url.hash) return refuse(FieldCode.NOT_ALLOWED_VALUE, 'mag geen #-deel hebben');
  if (url.protocol === 'http:' && (production || !isLoopbackHost(url.hostname))) {
    return refuse(FieldCode.NOT_ALLOWED_VALUE, production ? 'moet met https:// beginnen' : 'moet met https:// beginnen (http alleen naar deze computer: localhost, 127.0.0.1, [::1])');
  }
  if (production && isForbiddenAddress(url.hostname.replace(/^\[|\]$/g, ''))) {
    return refuse(FieldCode.NOT_ALLOWED_VALUE, 'mag niet naar een intern of lokaal netwerkadres wijzen');
  }
  return null;
}

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

/**
 * An address no webhook may reach in production unless WEBHOOK_ALLOW_PRIVATE_NETWORKS: loopback, private (RFC 1918,
 * IPv6 unique local), link-local (cloud metadata at 169.254.169.254), carrier-grade NAT, unspecified. Checked on the
 * name at registration and on every resolved address at sending (a name can be made to resolve elsewhere later).
 */
export function isForbiddenAddress(address: string): boolean {
  const host = address.toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const version = isIP(host);
  if (version === 4) {
    const [a, b] = host.split('.').map(Number);
    return a === 0 || a === 10 || a === 127 || (a === 100 && b >= 64 && b <= 127) || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
  }
  if (version === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host);
    if (mapped) return isForbiddenAddress(mapped[1]);
    return host === '::' || host === '::1' || /^f[cd]/.test(host) || /^fe[89ab]/.test(host);
  }
  return false;
}
