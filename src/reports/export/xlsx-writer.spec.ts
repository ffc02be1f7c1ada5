import ExcelJS from 'exceljs';
import { PassThrough } from 'node:stream';
import { CellValue, EXPORT_COLUMNS, nlWallClock } from './export-columns';
import { writeXlsx } from './xlsx-writer';

/** What Excel and LibreOffice show for a written string: SpreadsheetML's `_xHHHH_` escapes decoded (exceljs leaves them). */
const shown = (text: string) => text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

async function* batchesOf(rows: CellValue[][], size: number): AsyncGenerator<CellValue[][]> {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}

async function written(rows: CellValue[][], size = 2): Promise<{ sheet: ExcelJS.Worksheet; count: number; workbook: ExcelJS.Workbook }> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const count = await writeXlsx(out, batchesOf(rows, size));
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(Buffer.concat(chunks) as unknown as ArrayBuffer);
  return { sheet: workbook.worksheets[0], count, workbook };
}

const moment = Date.UTC(2026, 6, 1, 10, 15, 30, 250); // summer: 12:15:30.250 in the Netherlands
function row(number: number, name: string, overrides: Partial<Record<number, CellValue>> = {}): CellValue[] {
  const cells: CellValue[] = [
    number, 'Geregistreerd', 'Luxeverzuim', '123456782', name, '2014-03-14', 'School & Co <BV>', '00ZV01', 'Hoofdlocatie', 'Amsterdam',
    moment, '2026-10-22', null, 3, 18, null, null, moment,
  ];
  for (const [i, v] of Object.entries(overrides)) cells[Number(i)] = v as CellValue;
  return cells;
}

describe('the .xlsx writer', () => {
  it('writes a workbook Excel reads: the header in bold and frozen, an autofilter over the rows, numbers and dates as such', async () => {
    const rows = [row(3, 'A. Jansen'), row(2, 'B. de Vries', { 12: '2026-11-02', 15: 'Terug naar school / opleiding hervat' }), row(1, 'C. Bakker')];
    const { sheet, count, workbook } = await written(rows);
    expect(count).toBe(3);
    expect(workbook.worksheets.map((w) => w.name)).toEqual(['Meldingen']);
    expect(sheet.getRow(1).values).toEqual([undefined, ...EXPORT_COLUMNS.map((c) => c.header)]);
    expect(sheet.getRow(1).getCell(1).font?.bold).toBe(true);
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', xSplit: 1, ySplit: 1, topLeftCell: 'B2' });
    expect(sheet.autoFilter).toBe('A1:R4');
    expect(sheet.getColumn(1).width).toBe(15);
    expect(sheet.rowCount).toBe(4);
    const second = sheet.getRow(3);
    expect(second.getCell(1).value).toBe(2);
    expect(second.getCell(1).type).toBe(ExcelJS.ValueType.Number);
    expect(second.getCell(4).value).toBe('123456782'); // a PGN stays text: its leading zeros would not survive a number
    expect(second.getCell(7).value).toBe('School & Co <BV>');
    expect(second.getCell(6).value).toEqual(new Date('2014-03-14T00:00:00Z'));
    expect(second.getCell(6).numFmt).toBe('dd-mm-yyyy');
    expect(second.getCell(13).value).toEqual(new Date('2026-11-02T00:00:00Z'));
    expect(second.getCell(11).value).toEqual(new Date(nlWallClock(moment)));
    expect((second.getCell(11).value as Date).toISOString()).toBe('2026-07-01T12:15:30.250Z'); // the Dutch clock, as a spreadsheet has no zones
    expect(second.getCell(11).numFmt).toBe('dd-mm-yyyy hh:mm');
    expect([second.getCell(14).value, second.getCell(15).value, second.getCell(16).value]).toEqual([3, 18, 'Terug naar school / opleiding hervat']);
    expect(sheet.getRow(2).getCell(13).value).toBeNull(); // no end date: an empty cell
  });

  it('keeps hostile text as the text it is: no formula, no broken XML, control characters escaped', async () => {
    const hostile = [
      '=HYPERLINK("http://evil.example","klik")', '+31 6 1234', '-2+3', '@SUM(A1:A9)', '=1+1', '<row r="1"><c><f>1+1</f></c></row>', 'A & B </t></is>',
      'bel\u0007l', 'esc\u001b[31m', 'nul?\u0001\u0002', 'tab\tnew\nline\rreturn', '  spaties  ', 'letterlijk _x0041_ en _x005F_', 'emoji \uD83D\uDE00',
      ']]><!--', '&amp;',
    ];
    const { sheet } = await written(hostile.map((name, i) => row(i + 1, name, { 9: name })), 5);
    expect(sheet.rowCount).toBe(hostile.length + 1);
    hostile.forEach((name, i) => {
      const r = sheet.getRow(i + 2);
      for (const column of [5, 10]) {
        expect(r.getCell(column).type).toBe(ExcelJS.ValueType.String);
        expect(r.getCell(column).formula).toBeUndefined();
        expect(shown(String(r.getCell(column).value))).toBe(name);
      }
    });
    // What cannot be written in XML at all becomes the replacement character, and nothing else changes.
    const { sheet: broken } = await written([row(1, 'half \uD800 surrogaat \uFFFE')]);
    expect(broken.getRow(2).getCell(5).value).toBe('half \uFFFD surrogaat \uFFFD');
  });

  it('writes an empty export as the header alone', async () => {
    const { sheet, count } = await written([]);
    expect([count, sheet.rowCount, sheet.autoFilter]).toEqual([0, 1, 'A1:R1']);
  });
});
