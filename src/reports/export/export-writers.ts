import { Writable } from 'node:stream';
import { csvLine } from '../../common/csv';
import { drained } from './drained';
import { CellValue, csvText, EXPORT_COLUMNS } from './export-columns';

export { writeXlsx } from './xlsx-writer';

export const EXPORT_FORMATS = ['xlsx', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
};

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
