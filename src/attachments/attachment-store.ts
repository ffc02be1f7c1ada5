import { Readable } from 'node:stream';
import { DataSource, EntityManager } from 'typeorm';
import { AeadBox } from '../common/aead-box';

/** The size of one stored piece of a file: what is held in memory at a time while a file goes in or out. */
export const CHUNK_SIZE = 256 * 1024;

/**
 * Seals attachments' chunks with AES-256-GCM under its own key, derived from the master key (like the PGN's). Each
 * chunk has its own nonce and is bound to its attachment, its place and whether it is the last: a chunk moved to
 * another attachment or place, or a file cut short, does not open.
 */
export class AttachmentCipher {
  private readonly box: AeadBox;

  constructor(masterKey: Buffer) {
    this.box = new AeadBox(masterKey, 'verzuimloket attachment chunk v1');
  }

  seal(attachmentId: string, index: number, last: boolean, plain: Buffer): Buffer {
    return this.box.sealBytes(plain, `${attachmentId}/${index}/${last ? 'last' : 'more'}`);
  }

  open(attachmentId: string, index: number, last: boolean, sealed: Buffer): Buffer {
    return this.box.openBytes(sealed, `${attachmentId}/${index}/${last ? 'last' : 'more'}`);
  }
}

/**
 * Writes a file into attachment_chunk as it arrives, in one buffer of CHUNK_SIZE: a full buffer is sealed and
 * written when more bytes follow (so that the last chunk is known as the last), the rest at the end.
 */
export class ChunkWriter {
  private readonly buffer = Buffer.allocUnsafe(CHUNK_SIZE);
  private filled = 0;
  count = 0;
  size = 0;

  constructor(private readonly m: EntityManager, private readonly cipher: AttachmentCipher, private readonly attachmentId: string) {}

  /** Takes the next bytes; `onChunk` sees each complete piece of plaintext before it is written. */
  async write(data: Buffer, onChunk: (plain: Buffer) => Promise<void> | void): Promise<void> {
    let at = 0;
    while (at < data.length) {
      if (this.filled === CHUNK_SIZE) await this.flush(false, onChunk);
      const n = data.copy(this.buffer, this.filled, at, Math.min(data.length, at + CHUNK_SIZE - this.filled));
      this.filled += n;
      at += n;
      this.size += n;
    }
  }

  /** Writes what is left as the last chunk. */
  async end(onChunk: (plain: Buffer) => Promise<void> | void): Promise<void> {
    if (this.filled > 0 || this.count === 0) await this.flush(true, onChunk);
  }

  private async flush(last: boolean, onChunk: (plain: Buffer) => Promise<void> | void): Promise<void> {
    const plain = this.buffer.subarray(0, this.filled);
    await onChunk(plain);
    await this.m.query('INSERT INTO attachment_chunk (attachment_id, index, data) VALUES ($1, $2, $3)', [
      this.attachmentId, this.count, this.cipher.seal(this.attachmentId, this.count, last, plain),
    ]);
    this.count += 1;
    this.filled = 0;
  }
}

/** Reads any range of a stored file (for the ZIP check), opening only the chunks it needs. */
export function rangeReader(m: EntityManager, cipher: AttachmentCipher, attachmentId: string, chunkCount: number) {
  return async (offset: number, length: number): Promise<Buffer> => {
    if (length <= 0) return Buffer.alloc(0);
    const first = Math.floor(offset / CHUNK_SIZE);
    const last = Math.floor((offset + length - 1) / CHUNK_SIZE);
    const rows: { index: number; data: Buffer }[] = await m.query(
      'SELECT index, data FROM attachment_chunk WHERE attachment_id = $1 AND index BETWEEN $2 AND $3 ORDER BY index',
      [attachmentId, first, last],
    );
    const plain = Buffer.concat(rows.map((r) => cipher.open(attachmentId, r.index, r.index === chunkCount - 1, r.data)));
    const start = offset - first * CHUNK_SIZE;
    return plain.subarray(start, start + length);
  };
}

/** The file as a stream, one chunk read, opened and passed on at a time (back-pressure from the reader). */
export function chunkStream(db: DataSource, cipher: AttachmentCipher, attachmentId: string, chunkCount: number): Readable {
  async function* chunks(): AsyncGenerator<Buffer> {
    for (let index = 0; index < chunkCount; index++) {
      const [row]: { data: Buffer }[] = await db.query('SELECT data FROM attachment_chunk WHERE attachment_id = $1 AND index = $2', [attachmentId, index]);
      if (!row) throw new Error('Een deel van de bijlage ontbreekt.');
      yield cipher.open(attachmentId, index, index === chunkCount - 1, row.data);
    }
  }
  return Readable.from(chunks(), { objectMode: false, highWaterMark: 1 });
}
