import { crc32, deflateRawSync } from 'node:zlib';

export interface ZipEntry {
  name: string;
  data: Buffer | string;
  /** Deflate (8, the default) or store (0). */
  method?: 0 | 8;
  /** General purpose flags; bit 0 says the entry is encrypted. */
  flags?: number;
  /** Extra field bytes in the local header, in the central directory, and the entry's comment there. */
  localExtra?: Buffer;
  centralExtra?: Buffer;
  comment?: string;
}

/** A ZIP archive written by hand (local headers, data, central directory, end record), for tests of what is refused. */
export function zip(entries: ZipEntry[], archiveComment = ''): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const plain = Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data, 'utf8');
    const method = e.method ?? 8;
    const packed = method === 8 ? deflateRawSync(plain) : plain;
    const name = Buffer.from(e.name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(e.flags ?? 0, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc32(plain), 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(plain.length, 22);
    local.writeUInt16LE(name.length, 26);
    const localExtra = e.localExtra ?? Buffer.alloc(0);
    local.writeUInt16LE(localExtra.length, 28);
    const centralExtra = e.centralExtra ?? Buffer.alloc(0);
    const comment = Buffer.from(e.comment ?? '', 'utf8');
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(e.flags ?? 0, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc32(plain), 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(plain.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(centralExtra.length, 30);
    central.writeUInt16LE(comment.length, 32);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, localExtra, packed);
    centrals.push(central, name, centralExtra, comment);
    offset += 30 + name.length + localExtra.length + packed.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  const trailer = Buffer.from(archiveComment, 'latin1');
  end.writeUInt16LE(trailer.length, 20);
  return Buffer.concat([...locals, cd, end, trailer]);
}

const TYPES = (main: string) =>
  `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">`
  + `<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>`
  + `<Override PartName="/main.xml" ContentType="${main}"/></Types>`;

export const DOCX_MAIN = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml';
export const XLSX_MAIN = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml';
export const XLSM_MAIN = 'application/vnd.ms-excel.sheet.macroEnabled.main+xml';

/** A minimal Office Open XML package whose main part has this content type, with any further entries. */
export function office(main: string, more: ZipEntry[] = []): Buffer {
  return zip([{ name: '[Content_Types].xml', data: TYPES(main) }, { name: '_rels/.rels', data: '<Relationships/>' }, { name: 'main.xml', data: '<document>Verzuim</document>' }, ...more]);
}
