import fc from 'fast-check';
import { AttachmentRefused, Refusal } from './attachment-refusals';
import { assertExtensionFits, sniff, TextCheck } from './file-types';
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
