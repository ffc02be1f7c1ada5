import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { masterKey } from '../config/master-key';

/**
 * Encrypts the pupil's PGN (BSN or onderwijsnummer) with AES-256-GCM and derives a keyed hash (HMAC-SHA256) for
 * exact-match search. Both keys come from one 32-byte master key through HKDF, so that neither can be derived
 * from the other's output.
 */
export class PgnCipher {
  private readonly encKey: Buffer;
  private readonly macKey: Buffer;

  constructor(masterKey: Buffer) {
    if (masterKey.length !== 32) throw new Error('De PGN-sleutel moet 32 bytes zijn.');
    this.encKey = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'verzuimloket pgn encryption', 32));
    this.macKey = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'verzuimloket pgn search', 32));
  }

  encrypt(pgn: string): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.encKey, iv);
    const body = Buffer.concat([cipher.update(pgn, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]);
  }

  decrypt(blob: Buffer): string {
    const decipher = createDecipheriv('aes-256-gcm', this.encKey, blob.subarray(0, 12));
    decipher.setAuthTag(blob.subarray(12, 28));
    return Buffer.concat([decipher.update(blob.subarray(28)), decipher.final()]).toString('utf8');
  }

  hash(pgn: string): Buffer {
    return createHmac('sha256', this.macKey).update(pgn, 'utf8').digest();
  }

  static fromConfig(configuredKey: string | undefined, dataDir: string): PgnCipher {
    return new PgnCipher(masterKey(configuredKey, dataDir));
  }
}
