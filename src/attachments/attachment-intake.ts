import { EntityManager } from 'typeorm';
import { IncomingFile } from '../web/streamed-upload';
import { refuse, Refusal } from './attachment-refusals';
import { AttachmentCipher, ChunkWriter, rangeReader } from './attachment-store';
import { ClamdScan } from './clamd';
import { assertExtensionFits, FileType, refuseBySniff, sniff, Sniffed, TextCheck, textType } from './file-types';
import { inspectOfficeZip } from './zip-inspection';

export interface IntakeOptions {
  maxBytes: number;
  /** clamd (CLAMAV_URL), when scanning is on. */
  clamd?: { url: string; timeoutMs: number };
}

export interface TakenIn {
  fileName: string;
  type: FileType;
  size: number;
  chunkCount: number;
}

/** A file name fit for a list and a download header: no folders, no control characters or quotes, at most 200 characters. */
export function safeFileName(sent: string): string {
  const base = sent.split(/[/\\]/).pop() ?? '';
  const clean = base.replace(/[\u0000-\u001f\u007f"<>|*?:;]/g, '').replace(/\s+/g, ' ').trim().replace(/^\.+/, '');
  if (clean.length <= 200) return clean;
  const dot = clean.lastIndexOf('.');
  const ext = dot > 0 && clean.length - dot <= 11 ? clean.slice(dot) : '';
  return clean.slice(0, 200 - ext.length) + ext;
}

/**
 * Takes a file in as it streams: every piece goes, in the same pass, through the type check (magic bytes on the first
 * piece, UTF-8 for text), to the virus scanner, and sealed into the attachment's chunks in the transaction `m`. Past
 * the size limit it stops at once. After the last piece: the ZIP check of a Word or Excel file (from the stored
 * chunks), the end of the text check and the scanner's verdict. Any refusal throws, and the caller's transaction
 * then stores nothing.
 */
export async function takeIn(m: EntityManager, cipher: AttachmentCipher, attachmentId: string, file: IncomingFile, options: IntakeOptions): Promise<TakenIn> {
  const fileName = safeFileName(file.fileName);
  if (!fileName) throw refuse(Refusal.MISSING, 'het bestand heeft geen naam; geef het een naam met de juiste extensie');
  const scan = options.clamd ? await ClamdScan.start(options.clamd.url, options.clamd.timeoutMs) : null;
  try {
    const writer = new ChunkWriter(m, cipher, attachmentId);
    const text = new TextCheck();
    let sniffed: Sniffed | null = null;
    const onChunk = async (plain: Buffer) => {
      if (sniffed === null && plain.length > 0) {
        sniffed = sniff(plain);
        refuseBySniff(sniffed);
        if (sniffed === 'text') textType(fileName);
        else if (sniffed !== 'zip') assertExtensionFits(fileName, sniffed as FileType);
      }
      if (sniffed === 'text') text.feed(plain);
      await scan?.write(plain);
    };
    const mb = Math.round(options.maxBytes / (1024 * 1024));
    for await (const data of file.stream as AsyncIterable<Buffer>) {
      if (writer.size + data.length > options.maxBytes) throw refuse(Refusal.TOO_LARGE, `het bestand is groter dan ${mb} MB`);
      await writer.write(data, onChunk);
    }
    await writer.end(onChunk);
    if (writer.size === 0) throw refuse(Refusal.EMPTY, 'het bestand is leeg');
    let type: FileType;
    const found = sniffed as Sniffed | null;
    if (found === 'zip') {
      type = await inspectOfficeZip(writer.size, rangeReader(m, cipher, attachmentId, writer.count));
      assertExtensionFits(fileName, type);
    } else if (found === 'text') {
      text.finish();
      type = textType(fileName);
    } else type = found as FileType;
    await scan?.verdict();
    return { fileName, type, size: writer.size, chunkCount: writer.count };
  } catch (error) {
    scan?.abort();
    throw error;
  }
}
