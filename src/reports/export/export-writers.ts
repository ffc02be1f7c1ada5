import type * as ExcelJS from 'exceljs';
import { Writable } from 'node:stream';
import { csvLine } from '../../common/csv';
import { exceljs } from '../../common/heavy-libraries';
import { CellValue, csvText, dayAsDate, EXPORT_COLUMNS, nlWallClock } from './export-columns';

export const EXPORT_FORMATS = ['xlsx', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
};

/** Waits until `out` has room again, so that a slow reader holds back the database instead of filling memory. */
async function drained(out: Writable): Promise<void> {
  if (out.writableNeedDrain && !out.destroyed) {
    await new Promise<void>((resolve) => {
      const done = () => {
        out.off('drain', done).off('close', done);
        resolve();
      };
      out.on('drain', done).on('close', done);
    });
  }
  if (out.destroyed) throw new Error('De ontvanger brak de download af.');
}

/**
 * The rows as a spreadsheet, written to `out` as they come (exceljs's streaming writer: each row is committed and
 * zipped, never held): real numbers and dates, the header row frozen and with an autofilter. Resolves when the file is
 * complete; `out` is ended.
 */
export async function writeXlsx(out: Writable, batches: AsyncIterable<CellValue[][]>): Promise<number> {
  const workbook = new (exceljs().stream.xlsx.WorkbookWriter)({ stream: out, useStyles: true, useSharedStrings: false, zip: { zlib: { level: 1 } } });
  workbook.creator = 'Verzuimloket';
  workbook.created = new Date();
  const last = String.fromCharCode(64 + EXPORT_COLUMNS.length);
  const sheet = workbook.addWorksheet('Meldingen', {
    views: [{ state: 'frozen', xSplit: 1, ySplit: 1, topLeftCell: 'B2', activeCell: 'B2' }],
  });
  sheet.autoFilter = `A1:${last}1`;
  // One style object per column, given to each of its cells: exceljs recognises a style it has seen by the object, and
  // otherwise works out every cell's style anew (a third of the time of a large export).
  const styles: Partial<ExcelJS.Style>[] = EXPORT_COLUMNS.map((c) => (c.type === 'date' ? { numFmt: 'dd-mm-yyyy' } : c.type === 'datetime' ? { numFmt: 'dd-mm-yyyy hh:mm' } : {}));
  sheet.columns = EXPORT_COLUMNS.map((c) => ({ width: c.width }));
  const header = sheet.addRow(EXPORT_COLUMNS.map((c) => c.header));
  header.font = { bold: true };
  header.commit();
  let count = 0;
  for await (const batch of batches) {
    for (const cells of batch) {
      const row = sheet.addRow(cells.map((v, i) => {
        if (v === null) return null;
        const type = EXPORT_COLUMNS[i].type;
        return type === 'date' ? dayAsDate(v as string) : type === 'datetime' ? new Date(nlWallClock(v as number)) : v;
      }));
      row.eachCell((cell, column) => { cell.style = styles[column - 1]; });
      row.commit();
    }
    count += batch.length;
    // exceljs hands the sheet's XML to the zip without waiting for it to be taken (a stream of its own, piped into the
    // archive's entry): wait here until the entry, and then the receiver, have taken what this batch wrote, so that a
    // fast database and a slow compression or reader do not pile the sheet up in memory. (exceljs is pinned at 4.4.0.)
    for (const entry of (sheet as unknown as { stream?: { pipes?: Writable[] } }).stream?.pipes ?? []) await drained(entry);
    await drained(out);
  }
  sheet.commit();
  await workbook.commit();
  return count;
}

/** The rows as CSV: UTF-8 with a byte order mark, semicolons, each cell made safe against formulas (csvLine). */
export async function writeCsv(out: Writable, batches: AsyncIterable<CellValue[][]>): Promise<number> {
  out.write(`\uFEFF${csvLine(EXPORT_COLUMNS.map((c) => c.header))}`);
  let count = 0;
  for await (const batch of batches) {
    out.write(batch.map((cells) => csvLine(cells.map((v, i) => csvText(EXPORT_COLUMNS[i].type, v)))).join(''));
    count += batch.length;
    await drained(out);
  }
  out.end();
  return count;
}
