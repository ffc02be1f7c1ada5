import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * A fresh random 12-byte IV for every seal, cut from a pool drawn from the CSPRNG 256 at a time (as Node's randomUUID
 * does): one call to the generator per seal cost a filing more than the encryption itself. A pool is never reused.
 */
const IV_BYTES = 12;
let ivPool = Buffer.alloc(0);
let ivAt = 0;

function freshIv(): Buffer {
  if (ivAt === ivPool.length) {
    ivPool = randomBytes(IV_BYTES * 256);
    ivAt = 0;
  }
  ivAt += IV_BYTES;
  return ivPool.subarray(ivAt - IV_BYTES, ivAt);
}

/**
 * Encrypts short secrets at rest with AES-256-GCM under a key derived through HKDF from the 32-byte master key, one
 * key per purpose (so one purpose's key says nothing about another's). A sealed blob is IV (12 bytes), tag (16 bytes)
 * and ciphertext. The optional associated data (e.g. an account's id) binds a blob to its row: opened with other
 * associated data, or changed in any way, it fails.
 */
export class AeadBox {
  private readonly key: Buffer;

  constructor(masterKey: Buffer, purpose: string) {
    if (masterKey.length !== 32) throw new Error('De hoofdsleutel moet 32 bytes zijn.');
    this.key = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), purpose, 32));
  }

  seal(plaintext: string, associatedData?: string): Buffer {
    return this.sealBytes(Buffer.from(plaintext, 'utf8'), associatedData);
  }

  /** The plaintext; throws when the blob was altered, is too short, or was sealed with another key or associated data. */
  open(blob: Buffer, associatedData?: string): string {
    return this.openBytes(blob, associatedData).toString('utf8');
  }

  /** seal for bytes (e.g. a chunk of a file). */
  sealBytes(plaintext: Buffer, associatedData?: string): Buffer {
    const iv = freshIv();
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    if (associatedData !== undefined) cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]);
  }

  /** open for bytes. */
  openBytes(blob: Buffer, associatedData?: string): Buffer {
    if (blob.length < 28) throw new Error('Versleuteld geheim is te kort.');
    const decipher = createDecipheriv('aes-256-gcm', this.key, blob.subarray(0, 12));
    decipher.setAuthTag(blob.subarray(12, 28));
    if (associatedData !== undefined) decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    return Buffer.concat([decipher.update(blob.subarray(28)), decipher.final()]);
  }
}
