import { ALLOWED_TEXT, refuse, Refusal } from './attachment-refusals';

/** What the first bytes say a file is. 'zip' and 'text' need a closer look (zip-inspection.ts, TextCheck). */
export type Sniffed = 'pdf' | 'png' | 'jpeg' | 'zip' | 'cfb' | 'executable' | 'text';

/** The types that are accepted, by what their content turned out to be. */
export type FileType = 'pdf' | 'png' | 'jpeg' | 'docx' | 'xlsx' | 'csv' | 'txt';

export const FILE_TYPES: Record<FileType, { mediaType: string; extensions: readonly string[]; label: string }> = {
  pdf: { mediaType: 'application/pdf', extensions: ['pdf'], label: 'een PDF-document' },
  png: { mediaType: 'image/png', extensions: ['png'], label: 'een PNG-afbeelding' },
  jpeg: { mediaType: 'image/jpeg', extensions: ['jpg', 'jpeg'], label: 'een JPEG-afbeelding' },
  docx: { mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', extensions: ['docx'], label: 'een Word-document (.docx)' },
  xlsx: { mediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', extensions: ['xlsx'], label: 'een Excel-werkmap (.xlsx)' },
  csv: { mediaType: 'text/csv; charset=utf-8', extensions: ['csv'], label: 'een CSV-bestand' },
  txt: { mediaType: 'text/plain; charset=utf-8', extensions: ['txt'], label: 'een tekstbestand' },
};

// Stryker disable next-line ConditionalExpression: reading past the end gives undefined, which equals no byte; the length test only says so
const starts = (head: Buffer, ...bytes: number[]) => head.length >= bytes.length && bytes.every((b, i) => head[i] === b);

/**
 * The kind of file by its first bytes (magic numbers), never by its name or declared type. Programs (Windows PE,
 * ELF, Mach-O, Java classes, scripts with #!) are recognised to be refused by name; anything else that is not one
 * of the accepted formats is treated as text and must then prove to be UTF-8 without NULs.
 */
export function sniff(head: Buffer): Sniffed {
  if (starts(head, 0x25, 0x50, 0x44, 0x46, 0x2d)) return 'pdf'; // %PDF-
  if (starts(head, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'png';
  if (starts(head, 0xff, 0xd8, 0xff)) return 'jpeg';
  if (starts(head, 0x50, 0x4b, 0x03, 0x04) || starts(head, 0x50, 0x4b, 0x05, 0x06) || starts(head, 0x50, 0x4b, 0x07, 0x08)) return 'zip';
  if (starts(head, 0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1)) return 'cfb'; // OLE: .doc, .xls, or an encrypted .docx/.xlsx
  if (
    starts(head, 0x4d, 0x5a) || // MZ: Windows programs and libraries
    starts(head, 0x7f, 0x45, 0x4c, 0x46) || // ELF
    starts(head, 0xfe, 0xed, 0xfa, 0xce) || starts(head, 0xfe, 0xed, 0xfa, 0xcf) || starts(head, 0xce, 0xfa, 0xed, 0xfe) ||
    starts(head, 0xcf, 0xfa, 0xed, 0xfe) || starts(head, 0xca, 0xfe, 0xba, 0xbe) || // Mach-O, fat binaries and Java classes
    starts(head, 0x23, 0x21) || starts(head, 0xef, 0xbb, 0xbf, 0x23, 0x21) // #! scripts
  ) return 'executable';
  return 'text';
}

/** The extension of a file name, lower case, without the dot ('' when there is none). */
export function extensionOf(fileName: string): string {
  const match = /\.([^./\\]{1,10})$/.exec(fileName);
  return match ? match[1].toLowerCase() : '';
}

/** What a text file is by its name: .csv or .txt; another extension on text is a mismatch. */
export function textType(fileName: string): FileType {
  const ext = extensionOf(fileName);
  if (ext === 'csv') return 'csv';
  if (ext === 'txt') return 'txt';
  throw refuse(Refusal.UNKNOWN_TYPE, `dit soort bestand wordt niet aangenomen (${ext ? `.${ext}` : 'zonder extensie'}); wel ${ALLOWED_TEXT}`);
}

/** Refuses a name whose extension does not fit the content (a PNG called .pdf, a PDF called .exe). */
export function assertExtensionFits(fileName: string, type: FileType): void {
  const ext = extensionOf(fileName);
  const { extensions, label } = FILE_TYPES[type];
  if (!extensions.includes(ext)) {
    throw refuse(Refusal.EXTENSION_MISMATCH, `de naam eindigt op ${ext ? `.${ext}` : 'niets'}, maar het bestand is ${label}; de naam moet eindigen op .${extensions.join(' of .')}`);
  }
}

/** Refusals that follow from the first bytes alone. */
export function refuseBySniff(sniffed: Sniffed): void {
  if (sniffed === 'executable') throw refuse(Refusal.EXECUTABLE, 'een programma of script wordt niet aangenomen');
  if (sniffed === 'cfb') {
    throw refuse(Refusal.ENCRYPTED_OFFICE, 'een met een wachtwoord beveiligd of oud Office-bestand (.doc, .xls) wordt niet aangenomen; sla het op als .docx of .xlsx zonder wachtwoord');
  }
}

/**
 * Checks, chunk by chunk, that a stream is text: valid UTF-8 (also across chunk borders) without NUL characters.
 * Holds nothing but the decoder's few bytes of an unfinished character.
 */
export class TextCheck {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private ok = true;

  feed(chunk: Buffer): void {
    // Stryker disable next-line ConditionalExpression: nothing sets ok back to true, so feeding on only costs time
    if (!this.ok) return;
    if (chunk.includes(0)) this.ok = false;
    else {
      try {
        this.decoder.decode(chunk, { stream: true });
      } catch {
        this.ok = false;
      }
    }
  }

  /** Refuses the file when it was not text. */
  finish(): void {
    // Stryker disable next-line ConditionalExpression: flushing a decoder that already failed leaves ok false as well
    if (this.ok) {
      try {
        this.decoder.decode();
      } catch {
        this.ok = false;
      }
    }
    if (!this.ok) throw refuse(Refusal.NOT_TEXT, `dit soort bestand wordt niet aangenomen: het is geen tekst in UTF-8 (of bevat NUL-tekens); wel ${ALLOWED_TEXT}`);
  }
}
