import { DOCX_MAIN, office, XLSM_MAIN, XLSX_MAIN, zip, ZipEntry } from '../../test/support/zip';
import { AttachmentRefused, Refusal } from './attachment-refusals';
import { inspectOfficeZip, RangeReader, typeFromContentTypes, ZIP_LIMITS } from './zip-inspection';

// What a school or officer sees when they attach a Word or Excel file: accepted as docx/xlsx, or refused with the
// reason the page and the API name. The archives are written by hand (test/support/zip.ts), read the way the store
// reads them: only inside the file.

/** Reads like the attachment store: a range outside the file is a bug in the inspection, not a short read. */
const reader = (file: Buffer): RangeReader => async (offset, length) => {
  if (!Number.isInteger(offset) || offset < 0 || length < 0 || offset + length > file.length) {
    throw new Error(`read outside the file: ${offset}+${length} of ${file.length}`);
  }
  return Buffer.from(file.subarray(offset, offset + length));
};

/** 'docx' or 'xlsx' when accepted, else the refusal's reason and message. */
async function outcome(file: Buffer): Promise<string | [Refusal, string]> {
  try {
    return await inspectOfficeZip(file.length, reader(file));
  } catch (error) {
    if (error instanceof AttachmentRefused) return [error.reason, error.errors?.[0]?.message ?? ''];
    throw error;
  }
}

const BROKEN: [Refusal, string] = [Refusal.NOT_OFFICE, 'file: dit zip-bestand is beschadigd of geen Word- of Excel-document'];
const BOMB: [Refusal, string] = [Refusal.ZIP_BOMB, 'file: het bestand pakt uit tot veel meer dan het groot is (een zip-bom) en wordt niet aangenomen'];
const MACRO: [Refusal, string] = [Refusal.MACRO, "file: een Office-bestand met macro's wordt niet aangenomen"];

/** Where the end record is (no archive comment) and where the central directory starts. */
const eocd = (file: Buffer) => file.length - 22;
const cdStart = (file: Buffer) => file.readUInt32LE(eocd(file) + 16);

/** The central directory entry `index`'s field at `field`, rewritten. */
function patchCentral(file: Buffer, index: number, field: number, value: number, bytes: 2 | 4 = 4): Buffer {
  const copy = Buffer.from(file);
  let p = cdStart(copy);
  for (let i = 0; i < index; i++) p += 46 + copy.readUInt16LE(p + 28) + copy.readUInt16LE(p + 30) + copy.readUInt16LE(p + 32);
  if (bytes === 2) copy.writeUInt16LE(value, p + field);
  else copy.writeUInt32LE(value, p + field);
  return copy;
}

function patchEnd(file: Buffer, field: number, value: number, bytes: 2 | 4): Buffer {
  const copy = Buffer.from(file);
  if (bytes === 2) copy.writeUInt16LE(value, eocd(copy) + field);
  else copy.writeUInt32LE(value, eocd(copy) + field);
  return copy;
}

/** A docx whose further entries claim these unpacked and packed sizes (only [Content_Types].xml is ever unpacked). */
function claiming(sizes: [unpacked: number, packed: number][]): Buffer {
  let file = office(DOCX_MAIN, sizes.map((_, i) => ({ name: `word/part${i}.xml`, data: 'x', method: 0 as const })));
  sizes.forEach(([unpacked, packed], i) => {
    file = patchCentral(file, 3 + i, 24, unpacked);
    file = patchCentral(file, 3 + i, 20, packed);
  });
  return file;
}

describe('a Word or Excel file', () => {
  it('is accepted as Word or Excel by its main part, deflated or stored', async () => {
    expect(await outcome(office(DOCX_MAIN))).toBe('docx');
    expect(await outcome(office(XLSX_MAIN))).toBe('xlsx');
    const stored = zip([{ name: '[Content_Types].xml', data: `<Override ContentType="${XLSX_MAIN}"/>`, method: 0 }]);
    expect(await outcome(stored)).toBe('xlsx');
  });

  it('is read wherever [Content_Types].xml stands, after entries with extra fields and comments', async () => {
    const before: ZipEntry[] = [
      { name: 'word/document.xml', data: '<w:document/>', centralExtra: Buffer.alloc(9, 1), comment: 'hoofddeel', localExtra: Buffer.alloc(5, 2) },
      { name: '_rels/.rels', data: '<Relationships/>', centralExtra: Buffer.alloc(4, 3) },
    ];
    const types: ZipEntry = { name: '[Content_Types].xml', data: `<Override ContentType="${DOCX_MAIN}"/>`, localExtra: Buffer.alloc(28, 4), centralExtra: Buffer.alloc(12, 5), comment: 'typen' };
    expect(await outcome(zip([...before, types]))).toBe('docx');
    expect(await outcome(zip([...before, { ...types, method: 0 }]))).toBe('docx');
  });

  it('is read with an archive comment after the end record, up to the longest a ZIP allows', async () => {
    expect(await outcome(zip([{ name: '[Content_Types].xml', data: DOCX_MAIN }], 'Gemaakt met Word'))).toBe('docx');
    expect(await outcome(zip([{ name: '[Content_Types].xml', data: DOCX_MAIN }], 'x'.repeat(0xffff)))).toBe('docx');
  });

  it('is the smallest archive that still holds a main part', async () => {
    const file = zip([{ name: '[Content_Types].xml', data: XLSX_MAIN, method: 0 }]);
    expect(await outcome(file)).toBe('xlsx');
  });
});

describe('a ZIP that is refused', () => {
  it('is any other ZIP: without [Content_Types].xml, or with a part of another name', async () => {
    const plain: [Refusal, string] = [Refusal.NOT_OFFICE, 'file: dit zip-bestand is geen Word- of Excel-document; een gewoon zip-bestand wordt niet aangenomen'];
    expect(await outcome(zip([{ name: 'a.txt', data: 'a' }]))).toEqual(plain);
    expect(await outcome(zip([{ name: 'x/[Content_Types].xml', data: DOCX_MAIN }, { name: '[content_types].xml', data: DOCX_MAIN }]))).toEqual(plain);
  });

  it('is a PowerPoint or other Office package', async () => {
    expect(await outcome(office('application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml'))).toEqual([
      Refusal.NOT_OFFICE, 'file: dit Office-bestand is geen Word-document (.docx) of Excel-werkmap (.xlsx)',
    ]);
  });

  it("is a document with macros: a macro-enabled type, or a vbaProject.bin anywhere in it", async () => {
    expect(await outcome(office(XLSM_MAIN))).toEqual(MACRO);
    expect(await outcome(office(DOCX_MAIN, [{ name: 'word/vbaProject.bin', data: Buffer.alloc(10) }]))).toEqual(MACRO);
    expect(await outcome(office(DOCX_MAIN, [{ name: 'VBAPROJECT.BIN', data: Buffer.alloc(10) }]))).toEqual(MACRO);
    expect(await outcome(office(DOCX_MAIN, [{ name: 'word/myvbaProject.bin', data: 'x' }, { name: 'word/vbaProject.bin.txt', data: 'x' }]))).toBe('docx');
  });

  it('is a document with an encrypted entry', async () => {
    expect(await outcome(office(DOCX_MAIN, [{ name: 'x.xml', data: 'x', flags: 1 }]))).toEqual([
      Refusal.ENCRYPTED_OFFICE, 'file: een zip-bestand met versleutelde inhoud wordt niet aangenomen; sla het document op zonder wachtwoord',
    ]);
    expect(await outcome(office(DOCX_MAIN, [{ name: 'x.xml', data: 'x', flags: 0x808 }]))).toBe('docx');
  });

  it('is a ZIP bomb: one entry that unpacks to more than a hundred times its size', async () => {
    expect(await outcome(office(XLSX_MAIN, [{ name: 'xl/sheet.xml', data: Buffer.alloc(8 * 1024 * 1024) }]))).toEqual(BOMB);
    expect(await outcome(claiming([[1024 * 1024 + 1, 10_485]]))).toEqual(BOMB);
    expect(await outcome(claiming([[1024 * 1024 + 1, 10_486]]))).toBe('docx'); // 100 x 10,486 is more
    expect(await outcome(claiming([[100 * 20_000, 20_000]]))).toBe('docx'); // exactly a hundred times
    expect(await outcome(claiming([[100 * 20_000 + 1, 20_000]]))).toEqual(BOMB);
    expect(await outcome(claiming([[1024 * 1024, 1]]))).toBe('docx'); // up to 1 MiB any ratio (small parts compress well)
    expect(await outcome(claiming([[1024 * 1024 + 1, 0]]))).toEqual(BOMB);
  });

  it('is a ZIP bomb: entries that unpack to more than 250 MiB together', async () => {
    const mib = 1024 * 1024;
    const total = ZIP_LIMITS.totalUnpacked;
    expect(total).toBe(250 * mib);
    // The three small parts of office() unpack to half a kilobyte; the rest claim up to 200 MiB each at a modest ratio.
    const base = office(DOCX_MAIN);
    const parts = [0, 1, 2].reduce((sum, i) => {
      let p = cdStart(base);
      for (let j = 0; j < i; j++) p += 46 + base.readUInt16LE(p + 28);
      return sum + base.readUInt32LE(p + 24);
    }, 0);
    expect(await outcome(claiming([[100 * mib, 10 * mib], [100 * mib, 10 * mib], [50 * mib - parts + 1, 10 * mib]]))).toEqual(BOMB);
    expect(await outcome(claiming([[100 * mib, 10 * mib], [100 * mib, 10 * mib], [50 * mib - parts, 10 * mib]]))).toBe('docx');
    expect(await outcome(claiming([[100 * mib, 10 * mib], [100 * mib, 10 * mib], [50 * mib, 10 * mib]]))).toEqual(BOMB);
    expect(await outcome(claiming([[200 * mib, 10 * mib], [60 * mib, 10 * mib]]))).toEqual(BOMB);
  });

  it('is a ZIP with more than 10,000 entries or a central directory over 4 MiB', async () => {
    const many: [Refusal, string] = [Refusal.ZIP_BOMB, 'file: het zip-bestand bevat te veel bestanden'];
    expect(await outcome(patchEnd(office(DOCX_MAIN), 10, 10_001, 2))).toEqual(many);
    expect(await outcome(patchEnd(office(DOCX_MAIN), 12, 4 * 1024 * 1024 + 1, 4))).toEqual(many);
    // Exactly at the limits it is not "too many" (the archive then does not hold what it claims: damaged).
    expect(await outcome(patchEnd(office(DOCX_MAIN), 10, 10_000, 2))).toEqual(BROKEN);
    expect(await outcome(patchEnd(office(DOCX_MAIN), 12, 4 * 1024 * 1024, 4))).toEqual(BROKEN);
  });

  it('is a ZIP in parts or in ZIP64 format', async () => {
    const parts: [Refusal, string] = [Refusal.NOT_OFFICE, 'file: een zip-bestand in delen of in ZIP64-formaat wordt niet aangenomen'];
    const file = office(DOCX_MAIN);
    expect(await outcome(patchEnd(file, 4, 1, 2))).toEqual(parts);
    expect(await outcome(patchEnd(file, 6, 1, 2))).toEqual(parts);
    expect(await outcome(patchEnd(file, 10, 0xffff, 2))).toEqual(parts);
    expect(await outcome(patchEnd(file, 12, 0xffffffff, 4))).toEqual(parts);
    expect(await outcome(patchEnd(file, 16, 0xffffffff, 4))).toEqual(parts);
    const zip64: [Refusal, string] = [Refusal.NOT_OFFICE, 'file: een zip-bestand in ZIP64-formaat wordt niet aangenomen'];
    expect(await outcome(patchCentral(file, 1, 20, 0xffffffff))).toEqual(zip64);
    expect(await outcome(patchCentral(file, 1, 24, 0xffffffff))).toEqual(zip64);
    expect(await outcome(patchCentral(file, 1, 42, 0xffffffff))).toEqual(zip64);
  });
});

describe('a damaged ZIP', () => {
  const file = office(DOCX_MAIN);

  it('is refused as damaged, never with an error of the server', async () => {
    const cases: [string, Buffer][] = [
      ['no end record', file.subarray(0, file.length - 1)],
      ['only the end record', zip([])],
      ['no entries', patchEnd(file, 10, 0, 2)],
      ['a central directory past its end record', patchEnd(file, 16, cdStart(file) + 1, 4)],
      ['a central directory longer than the file', patchEnd(file, 12, file.length, 4)],
      ['fewer entries than the end record counts', patchEnd(file, 10, 4, 2)],
      ['a central entry that is not one', patchCentral(file, 1, 0, 0x12345678)],
      ['a name running past the central directory', patchCentral(file, 2, 28, 500, 2)],
      ['an extra field running past it', patchCentral(file, 2, 30, 1, 2)],
      ['a comment running past it', patchCentral(file, 2, 32, 1, 2)],
      ['[Content_Types].xml larger than 1 MiB unpacked', patchCentral(patchCentral(file, 0, 24, 1024 * 1024 + 1), 0, 20, 20_000)],
      ['[Content_Types].xml larger than 1 MiB packed', patchCentral(file, 0, 20, 1024 * 1024 + 1)],
      ['[Content_Types].xml packed longer than the file', patchCentral(file, 0, 20, file.length)],
      ['[Content_Types].xml said to start past the end', patchCentral(file, 0, 42, file.length - 29)],
      ['[Content_Types].xml without its local header', patchCentral(file, 0, 42, 1)],
      ['an unknown compression method', patchCentral(file, 0, 10, 12, 2)],
      ['compressed data that does not inflate', patchCentral(zip([{ name: '[Content_Types].xml', data: Buffer.alloc(8, 0xff), method: 0 }]), 0, 10, 8, 2)],
    ];
    for (const [what, damaged] of cases) {
      expect([what, await outcome(damaged)]).toEqual([what, BROKEN]);
    }
  });

  it('reads a stored part exactly at the end of the data, and one more byte is damage', async () => {
    const stored = zip([{ name: '[Content_Types].xml', data: DOCX_MAIN, method: 0 }]);
    expect(await outcome(stored)).toBe('docx');
    const start = 30 + '[Content_Types].xml'.length;
    expect(await outcome(patchCentral(stored, 0, 20, stored.length - start))).toBe('docx'); // up to the last byte of the file
    expect(await outcome(patchCentral(stored, 0, 20, stored.length - start + 1))).toEqual(BROKEN);
    const shifted = zip([{ name: '[Content_Types].xml', data: DOCX_MAIN, method: 0, localExtra: Buffer.alloc(40, 0x20) }]);
    expect(await outcome(patchCentral(shifted, 0, 20, shifted.length - start - 40))).toBe('docx');
    expect(await outcome(patchCentral(shifted, 0, 20, shifted.length - start - 40 + 1))).toEqual(BROKEN);
  });

  it('refuses [Content_Types].xml over 1 MiB, unpacked or packed, also when it would otherwise be read', async () => {
    const types = `<Override ContentType="${DOCX_MAIN}"/>`.padEnd(11_000, ' '); // stored: 11,000 bytes packed and unpacked
    const honest = zip([{ name: '[Content_Types].xml', data: types, method: 0 }]);
    expect(await outcome(honest)).toBe('docx');
    expect(await outcome(patchCentral(honest, 0, 24, 1024 * 1024 + 1))).toEqual(BROKEN); // a ratio under 100: no bomb
    const big = zip([{ name: '[Content_Types].xml', data: types.padEnd(1024 * 1024 + 1, ' '), method: 0 }]);
    expect(await outcome(patchCentral(big, 0, 24, 1024 * 1024))).toEqual(BROKEN);
  });

  it('refuses a part that unpacks to more than its entry says, and one without its local header', async () => {
    const liar = zip([{ name: '[Content_Types].xml', data: `<Override ContentType="${DOCX_MAIN}"/>`.padEnd(2 * 1024 * 1024, ' ') }]);
    expect(await outcome(patchCentral(liar, 0, 24, 1000))).toEqual(BROKEN);
    const headless = Buffer.from(office(DOCX_MAIN));
    headless.writeUInt32LE(0, 0); // [Content_Types].xml is the first entry: its local header starts the file
    expect(await outcome(headless)).toEqual(BROKEN);
  });

  it('reads a directory whose last entry has no name, extra field or comment', async () => {
    expect(await outcome(office(DOCX_MAIN, [{ name: '', data: 'x' }]))).toBe('docx');
  });

  it('may hold [Content_Types].xml of exactly 1 MiB', async () => {
    const big = `<Override ContentType="${DOCX_MAIN}"/>`.padEnd(1024 * 1024, ' ');
    expect(await outcome(zip([{ name: '[Content_Types].xml', data: big }]))).toBe('docx');
    expect(await outcome(zip([{ name: '[Content_Types].xml', data: big, method: 0 }]))).toBe('docx');
    expect(await outcome(zip([{ name: '[Content_Types].xml', data: `${big} `, method: 0 }]))).toEqual(BROKEN);
  });
});

describe('the main part decides between Word and Excel', () => {
  it('by its content type; macros are refused whatever else it says', () => {
    const refusal = (xml: string) => {
      try {
        return typeFromContentTypes(xml);
      } catch (error) {
        return (error as AttachmentRefused).reason;
      }
    };
    expect(refusal(`<Override ContentType="${DOCX_MAIN}"/>`)).toBe('docx');
    expect(refusal(`<Override ContentType="${XLSX_MAIN}"/>`)).toBe('xlsx');
    expect(refusal(`${DOCX_MAIN} application/vnd.ms-word.document.MACROENABLED.main+xml`)).toBe(Refusal.MACRO);
    expect(refusal(`${XLSX_MAIN} /xl/vbaproject.bin`)).toBe(Refusal.MACRO);
    expect(refusal('')).toBe(Refusal.NOT_OFFICE);
  });
});
