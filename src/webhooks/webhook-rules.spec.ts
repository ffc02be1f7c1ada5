import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { cloudEventJson, feedSequence } from './cloud-event';
import { outcomeOf, retryAfterSeconds } from './webhook-sender';
import { newWebhookSecret, signatureHeader, WebhookSecretBox } from './webhook-signing';
import { isForbiddenAddress, urlProblem } from './webhook-url';

describe('webhook addresses', () => {
  it.each([
    ['https://systeem.example.nl/hook', false, null],
    ['https://systeem.example.nl/hook', true, null],
    ['http://127.0.0.1:8080/hook', false, null],
    ['http://localhost/hook', false, null],
    ['http://[::1]:9000/hook', false, null],
    ['http://127.0.0.1:8080/hook', true, 'NOT_ALLOWED_VALUE'],
    ['http://systeem.example.nl/hook', false, 'NOT_ALLOWED_VALUE'],
    ['https://10.1.2.3/hook', true, 'NOT_ALLOWED_VALUE'],
    ['https://169.254.169.254/latest', true, 'NOT_ALLOWED_VALUE'],
    ['https://localhost/hook', true, 'NOT_ALLOWED_VALUE'],
    ['https://[fd00::1]/hook', true, 'NOT_ALLOWED_VALUE'],
    ['https://10.1.2.3/hook', false, null],
    ['https://a:b@systeem.example.nl/', false, 'NOT_ALLOWED_VALUE'],
    ['https://systeem.example.nl/#deel', false, 'NOT_ALLOWED_VALUE'],
    ['ftp://systeem.example.nl/', false, 'INVALID_FORMAT'],
    ['systeem.example.nl', false, 'INVALID_FORMAT'],
  ])('%s (production %s): %s', (url, production, code) => {
    expect(urlProblem(url, production)?.code ?? null).toBe(code);
  });

  it('knows the private, loopback and link-local ranges, also as IPv4 in IPv6', () => {
    for (const a of ['127.0.0.1', '10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fe80::1', 'fc00::1', '::ffff:10.0.0.1']) {
      expect([a, isForbiddenAddress(a)]).toEqual([a, true]);
    }
    for (const a of ['8.8.8.8', '172.32.0.1', '192.169.0.1', '100.128.0.1', '2001:db8::1', '::ffff:8.8.8.8', 'systeem.example.nl']) {
      expect([a, isForbiddenAddress(a)]).toEqual([a, false]);
    }
  });
});

describe('Standard Webhooks signatures', () => {
  it('verify with the standardwebhooks package, for any id, moment and body; each secret of a rotation alone', () => {
    const [a, b] = [newWebhookSecret(), newWebhookSecret()];
    fc.assert(fc.property(fc.uuid(), fc.integer({ min: 0, max: 60 }), fc.string({ unit: 'grapheme' }), (id, ago, text) => {
      const body = JSON.stringify({ text });
      const timestamp = Math.floor(Date.now() / 1000) - ago;
      const header = signatureHeader([a, b], id, timestamp, body);
      for (const secret of [a, b]) {
        expect(new Webhook(secret).verify(body, { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': header })).toEqual({ text });
      }
      expect(() => new Webhook(newWebhookSecret()).verify(body, { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': header })).toThrow();
      expect(() => new Webhook(a).verify(`${body} `, { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': header })).toThrow();
    }), { numRuns: 50 });
  });

  it('refuses a secret that is not whsec_ with 32 bytes', () => {
    expect(() => signatureHeader(['geheim'], 'id', 1, '{}')).toThrow('Geen geldig webhookgeheim.');
    const good = newWebhookSecret();
    for (const bad of [`x${good}`, `${good}x`, good.replace('whsec_', ''), good.replace('=', 'A'), `whsec_${'A'.repeat(42)}=`, `whsec_${'A'.repeat(44)}=`, `whsec_${'-'.repeat(43)}=`]) {
      expect(() => signatureHeader([good, bad], 'id', 1, '{}')).toThrow('Geen geldig webhookgeheim.');
    }
  });

  it('makes secrets of 32 random bytes as whsec_ and base64, never the same twice', () => {
    const [a, b] = [newWebhookSecret(), newWebhookSecret()];
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(a.slice(6), 'base64')).toHaveLength(32);
    expect(a).not.toBe(b);
  });

  it('signs as the standardwebhooks package does (known answer), one v1 signature per secret, separated by a space', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwMfKQ9r8GKYo=';
    const at = new Date('2026-12-01T10:00:00Z');
    const body = '{"type":"nl.verzuimloket.melding.ingediend"}';
    const expected = new Webhook(secret).sign('msg_1', at, body);
    expect(expected).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(signatureHeader([secret], 'msg_1', at.getTime() / 1000, body)).toBe(expected);
    expect(signatureHeader([secret, secret], 'msg_1', at.getTime() / 1000, body)).toBe(`${expected} ${expected}`);
    expect(signatureHeader([], 'msg_1', 1, body)).toBe('');
  });

  it('still opens a secret sealed by an earlier release (known answer for the key that seals them)', () => {
    // Sealed with master key 32 x 0x07 for endpoint "endpoint-1": a changed label ("verzuimloket webhook secret v1")
    // would make every stored secret unreadable after a deploy.
    const sealed = Buffer.from(
      'a7487ba55366069810cb0208f3cc253ba013b40c4422cb549b25ed47856715369b3797e3d85a7997cbb2956513edae3f648f84b7e9663b17e18b95adf03fd5f6b4db',
      'hex',
    );
    expect(new WebhookSecretBox(Buffer.alloc(32, 7)).open(sealed, 'endpoint-1')).toBe('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
  });
});

describe('what an answer means', () => {
  it.each([[200, 'DELIVERED'], [204, 'DELIVERED'], [301, 'REFUSED'], [400, 'REFUSED'], [404, 'REFUSED'], [408, 'RETRY'], [410, 'GONE'], [429, 'RETRY'], [500, 'RETRY'], [503, 'RETRY']])(
    '%i: %s', (status, outcome) => expect(outcomeOf(status)).toBe(outcome),
  );

  it('reads Retry-After as seconds or as a date', () => {
    const now = Date.parse('2026-12-01T12:00:00Z');
    expect(retryAfterSeconds('120', now)).toBe(120);
    expect(retryAfterSeconds('Tue, 01 Dec 2026 12:01:00 GMT', now)).toBe(60);
    expect(retryAfterSeconds('Tue, 01 Dec 2026 11:00:00 GMT', now)).toBe(0);
    expect(retryAfterSeconds('morgen', now)).toBeNull();
    expect(retryAfterSeconds(undefined, now)).toBeNull();
  });
});

describe('the CloudEvent', () => {
  it('orders its sequence as text the way the feed orders its cursor', () => {
    fc.assert(fc.property(fc.bigInt({ min: 1n, max: 2n ** 62n }), fc.bigInt({ min: 1n, max: 2n ** 62n }), fc.bigInt({ min: 1n, max: 2n ** 62n }), fc.bigInt({ min: 1n, max: 2n ** 62n }),
      (t1, i1, t2, i2) => {
        const feedOrder = t1 < t2 || (t1 === t2 && i1 < i2) ? -1 : t1 === t2 && i1 === i2 ? 0 : 1;
        const a = feedSequence(String(t1), String(i1));
        const b = feedSequence(String(t2), String(i2));
        expect(a < b ? -1 : a === b ? 0 : 1).toBe(feedOrder);
      }));
  });

  it('has the attributes of CloudEvents 1.0, always in the same order', () => {
    const json = cloudEventJson({ id: 'x', source: 'urn:nld:verzuimloket', type: 'nl.verzuimloket.melding.ingediend', time: new Date(0), subject: '12', sequence: 's', data: { a: 1 } });
    expect(Object.keys(JSON.parse(json))).toEqual(['specversion', 'id', 'source', 'type', 'time', 'subject', 'sequence', 'datacontenttype', 'data']);
  });
});
