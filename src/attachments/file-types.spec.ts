import fc from 'fast-check';
import { AttachmentRefused, Refusal } from './attachment-refusals';
import { assertExtensionFits, extensionOf, FILE_TYPES, refuseBySniff, sniff, TextCheck, textType } from './file-types';
import { typeFromContentTypes } from './zip-inspection';

const reason = (fn: () => unknown): Refusal | null => {
  try {
    fn();
    return null;
  } catch (error) {
    if (error instanceof AttachmentRefused) return error.reason;
    throw error;
  }
};

describe('attachment types by content', () => {
  it('recognises the accepted formats and programs by their first bytes, whatever follows', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (rest) => {
      const tail = Buffer.from(rest);
      expect(sniff(Buffer.concat([Buffer.from('%PDF-1.4'), tail]))).toBe('pdf');
      expect(sniff(Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), tail]))).toBe('png');
      expect(sniff(Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), tail]))).toBe('jpeg');
      expect(sniff(Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), tail]))).toBe('zip');
      expect(sniff(Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), tail]))).toBe('cfb');
      for (const program of [[0x4d, 0x5a], [0x7f, 0x45, 0x4c, 0x46], [0xcf, 0xfa, 0xed, 0xfe], [0xca, 0xfe, 0xba, 0xbe], [0x23, 0x21]]) {
        expect(sniff(Buffer.concat([Buffer.from(program), tail]))).toBe('executable');
      }
    }));
  });

  it('holds text to UTF-8 without NUL, also when a character is split over two chunks', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }).filter((s) => !s.includes('\0')), fc.nat(), (text, at) => {
      const bytes = Buffer.from(text, 'utf8');
      const cut = bytes.length ? at % bytes.length : 0;
      const check = new TextCheck();
      check.feed(bytes.subarray(0, cut));
      check.feed(bytes.subarray(cut));
      expect(reason(() => check.finish())).toBeNull();
    }));
    for (const bad of [Buffer.from([0x61, 0x00]), Buffer.from([0xc3, 0x28]), Buffer.from([0xe2, 0x82])]) {
      const check = new TextCheck();
      check.feed(bad);
      expect(reason(() => check.finish())).toBe(Refusal.NOT_TEXT);
    }
  });

  it('wants the extension to fit the content', () => {
    expect(reason(() => assertExtensionFits('scan.JPG', 'jpeg'))).toBeNull();
    expect(reason(() => assertExtensionFits('scan.pdf', 'jpeg'))).toBe(Refusal.EXTENSION_MISMATCH);
    expect(reason(() => assertExtensionFits('scan', 'pdf'))).toBe(Refusal.EXTENSION_MISMATCH);
    expect(reason(() => assertExtensionFits('rapport.pdf.exe', 'pdf'))).toBe(Refusal.EXTENSION_MISMATCH);
  });

  it('tells Word from Excel by the main part, and refuses macro-enabled and other Office types', () => {
    expect(typeFromContentTypes('<Override ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>')).toBe('docx');
    expect(typeFromContentTypes('<Override ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>')).toBe('xlsx');
    expect(reason(() => typeFromContentTypes('application/vnd.ms-word.document.macroEnabled.main+xml'))).toBe(Refusal.MACRO);
    expect(reason(() => typeFromContentTypes('application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml'))).toBe(Refusal.NOT_OFFICE);
  });
});

/** The refusal's reason and the message the page shows beside the file field. */
const said = (fn: () => unknown): [Refusal, string] | null => {
  try {
    fn();
    return null;
  } catch (error) {
    if (error instanceof AttachmentRefused) return [error.reason, error.errors?.[0]?.message ?? ''];
    throw error;
  }
};

describe('what a file is, by its first bytes', () => {
  const bytes = (...b: number[]) => Buffer.from(b);

  it('knows every ZIP start (a document, an empty archive, a spanned one) and the old Office format', () => {
    expect(sniff(Buffer.from('PK\x05\x06', 'latin1'))).toBe('zip');
    expect(sniff(Buffer.from('PK\x07\x08', 'latin1'))).toBe('zip');
    expect(sniff(Buffer.from('PK\x03\x05', 'latin1'))).toBe('text');
    expect(sniff(bytes(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1))).toBe('cfb');
  });

  it('knows every kind of program it refuses: Mach-O in both byte orders, and a script with a byte order mark', () => {
    for (const program of [[0xfe, 0xed, 0xfa, 0xce], [0xfe, 0xed, 0xfa, 0xcf], [0xce, 0xfa, 0xed, 0xfe], [0xef, 0xbb, 0xbf, 0x23, 0x21]]) {
      expect([program, sniff(bytes(...program, 0x0a))]).toEqual([program, 'executable']);
    }
  });

  it('reads a file exactly as long as its signature, and treats a shorter or nearly matching start as text', () => {
    expect(sniff(Buffer.from('%PDF-'))).toBe('pdf');
    expect(sniff(bytes(0xff, 0xd8, 0xff))).toBe('jpeg');
    expect(sniff(Buffer.from('%PDF'))).toBe('text');
    expect(sniff(Buffer.from('%PDF+1.4'))).toBe('text');
    expect(sniff(bytes(0xff, 0xd8))).toBe('text');
    expect(sniff(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0b))).toBe('text');
    expect(sniff(Buffer.alloc(0))).toBe('text');
    expect(sniff(Buffer.from('Naam;Klas\n'))).toBe('text');
    expect(sniff(Buffer.from('#!'))).toBe('executable');
    expect(sniff(Buffer.from('# kop'))).toBe('text');
  });

  it('refuses a program or an old or password-protected Office file at once, and lets the others through to their checks', () => {
    expect(said(() => refuseBySniff('executable'))).toEqual([Refusal.EXECUTABLE, 'file: een programma of script wordt niet aangenomen']);
    expect(said(() => refuseBySniff('cfb'))).toEqual([
      Refusal.ENCRYPTED_OFFICE,
      'file: een met een wachtwoord beveiligd of oud Office-bestand (.doc, .xls) wordt niet aangenomen; sla het op als .docx of .xlsx zonder wachtwoord',
    ]);
    for (const other of ['pdf', 'png', 'jpeg', 'zip', 'text'] as const) expect([other, said(() => refuseBySniff(other))]).toEqual([other, null]);
  });
});

describe('the name of a file', () => {
  it('has as extension what follows the last dot, in lower case, up to ten characters, never a folder', () => {
    expect(extensionOf('verzuim.PDF')).toBe('pdf');
    expect(extensionOf('brief.2026.docx')).toBe('docx');
    expect(extensionOf('a.abcdefghij')).toBe('abcdefghij');
    expect(extensionOf('a.abcdefghijk')).toBe('');
    expect(extensionOf('verzuim')).toBe('');
    expect(extensionOf('verzuim.')).toBe('');
    expect(extensionOf('map.pdf/verzuim')).toBe('');
    expect(extensionOf('map.pdf\\verzuim')).toBe('');
    expect(extensionOf('.csv')).toBe('csv');
  });

  it('says which text it is: .csv or .txt, else refused naming the extension and what is accepted', () => {
    expect(textType('leerlingen.CSV')).toBe('csv');
    expect(textType('notitie.txt')).toBe('txt');
    expect(said(() => textType('notitie.rtf'))).toEqual([
      Refusal.UNKNOWN_TYPE, 'file: dit soort bestand wordt niet aangenomen (.rtf); wel PDF, PNG, JPEG, Word (.docx), Excel (.xlsx), CSV en tekst (.txt)',
    ]);
    expect(said(() => textType('notitie'))).toEqual([
      Refusal.UNKNOWN_TYPE, 'file: dit soort bestand wordt niet aangenomen (zonder extensie); wel PDF, PNG, JPEG, Word (.docx), Excel (.xlsx), CSV en tekst (.txt)',
    ]);
  });

  it('must end as the content is, and the refusal says what it ends on and what it should', () => {
    expect(said(() => assertExtensionFits('foto.jpeg', 'jpeg'))).toBeNull();
    expect(said(() => assertExtensionFits('foto.png', 'jpeg'))).toEqual([
      Refusal.EXTENSION_MISMATCH, 'file: de naam eindigt op .png, maar het bestand is een JPEG-afbeelding; de naam moet eindigen op .jpg of .jpeg',
    ]);
    expect(said(() => assertExtensionFits('brief', 'docx'))).toEqual([
      Refusal.EXTENSION_MISMATCH, 'file: de naam eindigt op niets, maar het bestand is een Word-document (.docx); de naam moet eindigen op .docx',
    ]);
    for (const [name, type] of [['a.pdf', 'pdf'], ['a.png', 'png'], ['a.jpg', 'jpeg'], ['a.docx', 'docx'], ['a.xlsx', 'xlsx'], ['a.csv', 'csv'], ['a.txt', 'txt']] as const) {
      expect([name, said(() => assertExtensionFits(name, type))]).toEqual([name, null]);
    }
    expect(said(() => assertExtensionFits('a.xlsx', 'docx'))?.[0]).toBe(Refusal.EXTENSION_MISMATCH);
    expect(said(() => assertExtensionFits('a.txt', 'csv'))?.[0]).toBe(Refusal.EXTENSION_MISMATCH);
  });
});

describe('the refusal of a name that does not fit says what the file is', () => {
  it.each([
    ['pdf', 'een PDF-document', '.pdf'], ['png', 'een PNG-afbeelding', '.png'], ['jpeg', 'een JPEG-afbeelding', '.jpg of .jpeg'],
    ['docx', 'een Word-document (.docx)', '.docx'], ['xlsx', 'een Excel-werkmap (.xlsx)', '.xlsx'], ['csv', 'een CSV-bestand', '.csv'],
    ['txt', 'een tekstbestand', '.txt'],
  ] as const)('%s: %s', (type, label, endings) => {
    expect(said(() => assertExtensionFits('bestand.exe', type))?.[1]).toBe(`file: de naam eindigt op .exe, maar het bestand is ${label}; de naam moet eindigen op ${endings}`);
  });
});

describe('the type a downloaded attachment is served as', () => {
  it('is the media type of its content, text always as UTF-8', () => {
    expect(Object.fromEntries(Object.entries(FILE_TYPES).map(([type, t]) => [type, t.mediaType]))).toEqual({
      pdf: 'application/pdf',
      png: 'image/png',
      jpeg: 'image/jpeg',
      docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      csv: 'text/csv; charset=utf-8',
      txt: 'text/plain; charset=utf-8',
    });
  });
});

describe('a text file checked as it streams in', () => {
  it('stays refused once a chunk was not text, whatever follows', () => {
    const check = new TextCheck();
    check.feed(Buffer.from([0xff]));
    check.feed(Buffer.from('gewone tekst'));
    expect(said(() => check.finish())?.[0]).toBe(Refusal.NOT_TEXT);
    const nul = new TextCheck();
    nul.feed(Buffer.from('a\0b'));
    nul.feed(Buffer.from('c'));
    expect(said(() => nul.finish())).toEqual([
      Refusal.NOT_TEXT, 'file: dit soort bestand wordt niet aangenomen: het is geen tekst in UTF-8 (of bevat NUL-tekens); wel PDF, PNG, JPEG, Word (.docx), Excel (.xlsx), CSV en tekst (.txt)',
    ]);
  });

  it('refuses a file that ends halfway a character, and accepts an empty one', () => {
    const cut = new TextCheck();
    cut.feed(Buffer.from('café', 'utf8').subarray(0, 4));
    expect(said(() => cut.finish())?.[0]).toBe(Refusal.NOT_TEXT);
    expect(said(() => new TextCheck().finish())).toBeNull();
  });
});
