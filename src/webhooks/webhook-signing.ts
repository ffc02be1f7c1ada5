import { createHmac, randomBytes } from 'node:crypto';
import { AeadBox } from '../common/aead-box';

const SECRET_PATTERN = /^whsec_([A-Za-z0-9+/]{43}=)$/;

/** Webhook secrets at rest, sealed with their own key derived from the master key and bound to the endpoint's id. */
export class WebhookSecretBox extends AeadBox {
  constructor(masterKey: Buffer) {
    super(masterKey, 'verzuimloket webhook secret v1');
  }
}

/** A new secret as the Standard Webhooks specification writes them: whsec_ and 32 random bytes in base64. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/**
 * The webhook-signature header of Standard Webhooks: for each secret, `v1,` and the base64 HMAC-SHA256 under the
 * secret's bytes of `id.timestamp.body`; several (during a rotation) separated by spaces. Written with node:crypto
 * (the standardwebhooks package verifies it in the tests: an independent implementation checks ours).
 */
export function signatureHeader(secrets: readonly string[], id: string, timestamp: number, body: string): string {
  return secrets
    .map((secret) => {
      const match = SECRET_PATTERN.exec(secret);
      if (!match) throw new Error('Geen geldig webhookgeheim.');
      // Stryker disable next-line StringLiteral: '' is Node's default encoding for a string, UTF-8
      const mac = createHmac('sha256', Buffer.from(match[1], 'base64')).update(`${id}.${timestamp}.${body}`, 'utf8').digest('base64');
      return `v1,${mac}`;
    })
    .join(' ');
}
