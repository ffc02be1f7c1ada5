import { decodeUtf8OrWindows1252, decodeWindows1252 } from './windows-1252';

describe('Windows-1252', () => {
  it('reads the curly quote, the euro sign and the dashes as those characters, not as control characters', () => {
    expect(decodeWindows1252(Buffer.from([0x92, 0x80, 0x96, 0x97, 0x93, 0x94]))).toBe('’€–—“”');
  });

  it('reads the Latin-1 part as Latin-1 and leaves the five unused bytes as they are', () => {
    expect(decodeWindows1252(Buffer.from('Caf\xe9 \xeb', 'latin1'))).toBe('Café ë');
    expect([0x81, 0x8d, 0x8f, 0x90, 0x9d].map((b) => decodeWindows1252(Buffer.from([b])).charCodeAt(0))).toEqual([0x81, 0x8d, 0x8f, 0x90, 0x9d]);
  });

  it('takes UTF-8 when the bytes are UTF-8, else Windows-1252', () => {
    expect(decodeUtf8OrWindows1252(Buffer.from("'t Kompas’ school", 'utf8'))).toBe("'t Kompas’ school");
    expect(decodeUtf8OrWindows1252(Buffer.from([0x4b, 0x92, 0x73]))).toBe('K’s');
  });
});
