import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { newWebhookSecret, signatureHeader, WebhookSecretBox } from './webhook-signing';

// Imports only the signing module and its verifier: `npm run mutation` reruns this file for every changed line of it.
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
    }), { numRuns: Math.min(50, fc.readConfigureGlobal().numRuns ?? 50) });
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
