import { createHmac, hkdfSync } from 'node:crypto';
import { AeadBox } from '../common/aead-box';
import { masterKey } from '../config/master-key';

/**
 * Encrypts the pupil's PGN (BSN or onderwijsnummer) with AES-256-GCM and derives a keyed hash (HMAC-SHA256) for
 * exact-match search. Both keys come from one 32-byte master key through HKDF, so that neither can be derived
 * from the other's output.
 */
export class PgnCipher {
  private readonly box: AeadBox;
  private readonly macKey: Buffer;

  constructor(masterKey: Buffer) {
    this.box = new AeadBox(masterKey, 'verzuimloket pgn encryption');
    this.macKey = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'verzuimloket pgn search', 32));
  }

  encrypt(pgn: string): Buffer {
    return this.box.seal(pgn);
  }

  decrypt(blob: Buffer): string {
    return this.box.open(blob);
  }

  hash(pgn: string): Buffer {
    return createHmac('sha256', this.macKey).update(pgn, 'utf8').digest();
  }

  static fromConfig(configuredKey: string | undefined, dataDir: string): PgnCipher {
    return new PgnCipher(masterKey(configuredKey, dataDir));
  }
}
