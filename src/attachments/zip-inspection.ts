import { inflateRawSync } from 'node:zlib';
import { refuse, Refusal } from './attachment-refusals';
import { FileType } from './file-types';

/** Reads `length` bytes at `offset` of a stored file. */
export type RangeReader = (offset: number, length: number) => Promise<Buffer>;

/** Limits that no honest Word or Excel file of at most a few tens of megabytes comes near. */
export const ZIP_LIMITS = {
  /** Everything in the archive together, unpacked. */
  totalUnpacked: 250 * 1024 * 1024,
  /** Unpacked to packed, for an entry of more than 1 MiB unpacked. */
  ratio: 100,
  entries: 10_000,
  centralDirectory: 4 * 1024 * 1024,
  contentTypes: 1024 * 1024,
};

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

const broken = () => refuse(Refusal.NOT_OFFICE, 'dit zip-bestand is beschadigd of geen Word- of Excel-document');

/**
 * What a ZIP file is, read from its central directory (where the archive says what it holds), with random access to
 * the stored bytes: a Word document (.docx) or Excel workbook (.xlsx) by its [Content_Types].xml, and nothing else.
 * Refused: a ZIP bomb (the entries' unpacked sizes together, or one entry's ratio), ZIP64 (a document of this size
 * never needs it), encrypted entries, macros (vbaProject.bin or a macro-enabled content type) and any other ZIP.
 */
export async function inspectOfficeZip(size: number, read: RangeReader): Promise<FileType> {
  const tailLength = Math.min(size, 22 + 0xffff);
  const tail = await read(size - tailLength, tailLength);
  let at = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD) {
      at = i;
      break;
    }
  }
  if (at < 0) throw broken();
  const entries = tail.readUInt16LE(at + 10);
  const cdSize = tail.readUInt32LE(at + 12);
  const cdOffset = tail.readUInt32LE(at + 16);
  if (tail.readUInt16LE(at + 4) !== 0 || tail.readUInt16LE(at + 6) !== 0 || entries === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    throw refuse(Refusal.NOT_OFFICE, 'een zip-bestand in delen of in ZIP64-formaat wordt niet aangenomen');
  }
  if (entries > ZIP_LIMITS.entries || cdSize > ZIP_LIMITS.centralDirectory) throw refuse(Refusal.ZIP_BOMB, 'het zip-bestand bevat te veel bestanden');
  if (entries === 0 || cdOffset + cdSize > size - tailLength + at) throw broken();
  const cd = await read(cdOffset, cdSize);
  let p = 0;
  let total = 0;
  let contentTypes: { offset: number; method: number; packed: number; unpacked: number } | null = null;
  for (let n = 0; n < entries; n++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== CENTRAL) throw broken();
    const flags = cd.readUInt16LE(p + 8);
    const method = cd.readUInt16LE(p + 10);
    const packed = cd.readUInt32LE(p + 20);
    const unpacked = cd.readUInt32LE(p + 24);
    const nameLength = cd.readUInt16LE(p + 28);
    const next = p + 46 + nameLength + cd.readUInt16LE(p + 30) + cd.readUInt16LE(p + 32);
    if (next > cd.length) throw broken();
    const name = cd.subarray(p + 46, p + 46 + nameLength).toString('utf8');
    const offset = cd.readUInt32LE(p + 42);
    if (packed === 0xffffffff || unpacked === 0xffffffff || offset === 0xffffffff) {
      throw refuse(Refusal.NOT_OFFICE, 'een zip-bestand in ZIP64-formaat wordt niet aangenomen');
    }
    if (flags & 0x1) {
      throw refuse(Refusal.ENCRYPTED_OFFICE, 'een zip-bestand met versleutelde inhoud wordt niet aangenomen; sla het document op zonder wachtwoord');
    }
    if (/(^|\/)vbaproject\.bin$/i.test(name)) throw refuse(Refusal.MACRO, "een Office-bestand met macro's wordt niet aangenomen");
    total += unpacked;
    if (total > ZIP_LIMITS.totalUnpacked || (unpacked > 1024 * 1024 && unpacked > ZIP_LIMITS.ratio * Math.max(packed, 1))) {
      throw refuse(Refusal.ZIP_BOMB, `het bestand pakt uit tot veel meer dan het groot is (een zip-bom) en wordt niet aangenomen`);
    }
    if (name === '[Content_Types].xml') contentTypes = { offset, method, packed, unpacked };
    p = next;
  }
  if (!contentTypes) throw refuse(Refusal.NOT_OFFICE, 'dit zip-bestand is geen Word- of Excel-document; een gewoon zip-bestand wordt niet aangenomen');
  return typeFromContentTypes(await readEntry(contentTypes, size, read));
}

async function readEntry(e: { offset: number; method: number; packed: number; unpacked: number }, size: number, read: RangeReader): Promise<string> {
  if (e.unpacked > ZIP_LIMITS.contentTypes || e.packed > ZIP_LIMITS.contentTypes || e.offset + 30 > size) throw broken();
  const header = await read(e.offset, 30);
  if (header.readUInt32LE(0) !== LOCAL) throw broken();
  const start = e.offset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  if (start + e.packed > size) throw broken();
  const data = await read(start, e.packed);
  if (e.method === 0) return data.toString('utf8');
  if (e.method !== 8) throw broken();
  try {
    return inflateRawSync(data, { maxOutputLength: ZIP_LIMITS.contentTypes }).toString('utf8');
  } catch {
    throw broken();
  }
}

/** docx or xlsx by the main part's content type; macro-enabled types are refused. */
export function typeFromContentTypes(xml: string): FileType {
  if (/macroEnabled|vbaProject/i.test(xml)) throw refuse(Refusal.MACRO, "een Office-bestand met macro's wordt niet aangenomen");
  if (xml.includes('application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml')) return 'docx';
  if (xml.includes('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml')) return 'xlsx';
  throw refuse(Refusal.NOT_OFFICE, 'dit Office-bestand is geen Word-document (.docx) of Excel-werkmap (.xlsx)');
}
