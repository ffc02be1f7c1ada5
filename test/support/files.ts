import ExcelJS from 'exceljs';
import { inflateSync } from 'node:zlib';
import type request from 'supertest';
import { parseDelimited } from '../../src/common/csv';

/** Supertest's parser for a download: the body as one Buffer, whatever the type. */
export function binary(res: request.Response, callback: (error: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
}

/** The first worksheet of an .xlsx file, read back with exceljs. */
export async function readXlsx(body: Buffer): Promise<ExcelJS.Worksheet> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(body as unknown as ArrayBuffer);
  return workbook.worksheets[0];
}

/** A CSV download read back: checks the byte order mark and gives the rows. */
export function readCsv(body: Buffer): string[][] {
  const text = body.toString('utf8');
  if (text.charCodeAt(0) !== 0xfeff) throw new Error('CSV zonder byte order mark');
  return parseDelimited(text);
}

/**
 * The text of each page of a PDF as pdfkit writes it: every content stream (deflated, or not when compression is off),
 * with its strings (hex, in the standard fonts' WinAnsi encoding) joined; a small parser, enough for these files.
 */
export function pdfPages(body: Buffer): { pageCount: number; pages: string[] } {
  const raw = body.toString('latin1');
  const pageCount = Number(/\/Type \/Pages[\s\S]*?\/Count (\d+)/.exec(raw)?.[1] ?? 0);
  const pages: string[] = [];
  const re = /<<([^>]*(?:>[^>][^>]*)*)>>\s*stream\r?\n/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(raw))) {
    const start = m.index + m[0].length;
    const length = Number(/\/Length (\d+)/.exec(m[1])?.[1]);
    const data = body.subarray(start, start + length);
    const content = (/\/Filter \/FlateDecode/.test(m[1]) ? inflateSync(data) : data).toString('latin1');
    if (!/\bBT\b/.test(content)) continue;
    const lines: string[] = [];
    for (const op of content.matchAll(/\[((?:<[0-9a-fA-F]*>|\s|-?[\d.]+)*)\]\s*TJ|<([0-9a-fA-F]*)>\s*Tj/g)) {
      const hexes = op[1] !== undefined ? [...op[1].matchAll(/<([0-9a-fA-F]*)>/g)].map((h) => h[1]) : [op[2]];
      lines.push(hexes.map((h) => Buffer.from(h, 'hex').toString('latin1')).join(''));
    }
    pages.push(lines.join('\n'));
  }
  return { pageCount, pages };
}
