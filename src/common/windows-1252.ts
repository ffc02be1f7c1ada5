/**
 * Windows-1252, as older Dutch files (DUO's among them) are written. Node's TextDecoder('windows-1252') decodes it as
 * ISO-8859-1, which turns the bytes 0x80-0x9F (curly quotes, the euro sign, dashes) into control characters: a DUO
 * file's ’ became U+0092. These are the 27 characters Windows-1252 puts there (the five unused bytes stay as they are).
 */
const HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ';

export function decodeWindows1252(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b >= 0x80 && b <= 0x9f ? HIGH[b - 0x80] : String.fromCharCode(b);
  return out;
}

/** Text of a file that is UTF-8 (with or without byte order mark) or else Windows-1252. */
export function decodeUtf8OrWindows1252(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return decodeWindows1252(bytes);
  }
}
