import archiver from 'archiver';
import { PassThrough, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { CellValue, ColumnType, EXPORT_COLUMNS, nlWallClock } from './export-columns';
import { drained } from './drained';

/**
 * The export as an .xlsx file, written for its fixed columns straight into the zip entry (ADR 0016): a minimal
 * SpreadsheetML package (workbook, styles with the two date formats, one sheet with the header row frozen and an
 * autofilter). Text goes in as inline strings (no shared-string table to hold), numbers as numbers, days and moments
 * as serial numbers with a date style, so that the spreadsheet sorts and filters them as dates. A cell is text or a
 * value, never a formula, whatever its text looks like.
 */

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG = 'http://schemas.openxmlformats.org/package/2006/relationships';
const HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const SHEET = 'Meldingen';

/** Style ids in styles.xml: 0 plain, 1 a day, 2 a moment, 3 the header's bold text. */
const STYLE: Record<ColumnType, string> = { integer: '', text: '', date: ' s="1"', datetime: ' s="2"' };

const LETTERS = EXPORT_COLUMNS.map((_, i) => String.fromCharCode(65 + i));
const LAST = LETTERS[LETTERS.length - 1];

/**
 * Characters that need more than copying: XML's own (&, <, >), control characters (XML 1.0 has no place for them; the
 * spreadsheet's escape `_xHHHH_` keeps them), an underscore (the start of text that would read as such an escape),
 * surrogates (a lone one cannot be written in UTF-8) and the two non-characters.
 */
const SPECIAL = /[&<>\x00-\x08\x0B-\x1F_\uD800-\uDFFF\uFFFE\uFFFF]/;
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** Text as SpreadsheetML's escaped string (ST_Xstring), the way Excel itself and XlsxWriter write it. */
export function xstring(text: string): string {
  if (!SPECIAL.test(text)) return text;
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|[\uFFFE\uFFFF]/g, '\uFFFD')
    .replace(/_(?=x[0-9A-Fa-f]{4}_)/g, '_x005F_') // a literal "_x0041_" stays that, not an "A"
    .replace(/[\x00-\x08\x0B-\x1F]/g, (c) => `_x${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}_`)
    .replace(/[&<>]/g, (c) => ENTITIES[c]);
}

/** An inline string's content; spaces at either end are kept (a reader may drop them otherwise). */
function inlineText(text: string): string {
  const padded = text.length > 0 && (text.charCodeAt(0) <= 32 || text.charCodeAt(text.length - 1) <= 32);
  return (padded ? '<is><t xml:space="preserve">' : '<is><t>') + xstring(text) + '</t></is>';
}

const CONTENT_TYPES = `${HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">`
  + '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
  + '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
  + '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
  + '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
  + '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>';

const ROOT_RELS = `${HEAD}<Relationships xmlns="${PKG}">`
  + `<Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/>`
  + '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>';

const WORKBOOK_RELS = `${HEAD}<Relationships xmlns="${PKG}">`
  + `<Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="${REL}/styles" Target="styles.xml"/></Relationships>`;

const STYLES = `${HEAD}<styleSheet xmlns="${MAIN}">`
  + '<numFmts count="2"><numFmt numFmtId="164" formatCode="dd-mm-yyyy"/><numFmt numFmtId="165" formatCode="dd-mm-yyyy hh:mm"/></numFmts>'
  + '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
  + '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
  + '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
  + '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
  + '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
  + '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
  + '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
  + '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
  + '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>';

const SHEET_START = `${HEAD}<worksheet xmlns="${MAIN}" xmlns:r="${REL}">`
  + '<sheetViews><sheetView tabSelected="1" workbookViewId="0"><pane xSplit="1" ySplit="1" topLeftCell="B2" activePane="bottomRight" state="frozen"/>'
  + '<selection pane="topRight"/><selection pane="bottomLeft"/><selection pane="bottomRight" activeCell="B2" sqref="B2"/></sheetView></sheetViews>'
  + '<sheetFormatPr defaultRowHeight="15"/>'
  + `<cols>${EXPORT_COLUMNS.map((c, i) => `<col min="${i + 1}" max="${i + 1}" width="${c.width}" customWidth="1"/>`).join('')}</cols>`
  + `<sheetData><row r="1">${EXPORT_COLUMNS.map((c, i) => `<c r="${LETTERS[i]}1" s="3" t="inlineStr">${inlineText(c.header)}</c>`).join('')}</row>`;

/** The rows' range for the autofilter: the header and the data under it. */
const filterRange = (lastRow: number) => `$A$1:$${LAST}$${Math.max(1, lastRow)}`;

function workbook(lastRow: number): string {
  return `${HEAD}<workbook xmlns="${MAIN}" xmlns:r="${REL}"><bookViews><workbookView/></bookViews>`
    + `<sheets><sheet name="${SHEET}" sheetId="1" r:id="rId1"/></sheets>`
    + `<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">${SHEET}!${filterRange(lastRow)}</definedName></definedNames></workbook>`;
}

function core(created: Date): string {
  return `${HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"`
    + ' xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    + `<dc:creator>Verzuimloket</dc:creator><dcterms:created xsi:type="dcterms:W3CDTF">${created.toISOString().slice(0, 19)}Z</dcterms:created></cp:coreProperties>`;
}

/** Days since 30 December 1899: the spreadsheet's serial number of a moment given as milliseconds "in UTC". */
const serial = (ms: number) => ms / 86_400_000 + 25_569;

/** Serial numbers of calendar days (YYYY-MM-DD) seen in this process: birth and absence dates repeat a lot. */
const days = new Map<string, number>();
function daySerial(iso: string): number {
  let n = days.get(iso);
  if (n === undefined) {
    n = serial(Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10)));
    if (days.size > 50_000) days.clear();
    days.set(iso, n);
  }
  return n;
}

const TYPES = EXPORT_COLUMNS.map((c) => c.type);
/** Rows whose XML is handed to the zip entry at once (some 50 kB). */
const ROWS_PER_PIECE = 64;
/** Each column's cell as far as its row number: `<c r="B`. */
const OPEN = LETTERS.map((l) => `<c r="${l}`);

/** One row's XML: a cell per value (none for a null), each with its address. Built from pieces: it runs per cell. */
export function rowXml(r: number, cells: readonly CellValue[]): string {
  let xml = '<row r="' + r + '">';
  for (let i = 0; i < cells.length; i++) {
    const v = cells[i];
    if (v === null || v === undefined) continue;
    const type = TYPES[i];
    let number = NaN;
    if (type === 'text' && typeof v === 'string') {
      xml += OPEN[i] + r + '" t="inlineStr">' + inlineText(v) + '</c>';
      continue;
    }
    if (type === 'integer' && typeof v === 'number') number = v;
    else if (type === 'date' && typeof v === 'string') number = daySerial(v);
    else if (type === 'datetime' && typeof v === 'number') number = serial(nlWallClock(v));
    // A value that is not what its column holds (never, from the export's query) is written as the text it is.
    xml += Number.isFinite(number) ? OPEN[i] + r + '"' + STYLE[type] + '><v>' + number + '</v></c>' : OPEN[i] + r + '" t="inlineStr">' + inlineText(String(v)) + '</c>';
  }
  return xml + '</row>';
}

/**
 * Writes the rows to `out` as an .xlsx file as they come, and ends it. A batch is turned into XML in one piece and
 * handed to the zip entry; the next is read only when the entry and `out` have taken it, so that a slow receiver
 * holds back the database rather than filling memory. Resolves with the number of rows when `out` has the whole file.
 */
export async function writeXlsx(out: Writable, batches: AsyncIterable<CellValue[][]>): Promise<number> {
  const zip = archiver('zip', { zlib: { level: 1 } });
  let failure: Error | undefined;
  zip.on('error', (e: Error) => { failure ??= e; out.destroy(e); });
  zip.on('warning', (e: Error) => { failure ??= e; });
  zip.pipe(out);
  const sheet = new PassThrough({ highWaterMark: 256 * 1024 });
  zip.append(CONTENT_TYPES, { name: '[Content_Types].xml' });
  zip.append(ROOT_RELS, { name: '_rels/.rels' });
  zip.append(core(new Date()), { name: 'docProps/core.xml' });
  zip.append(WORKBOOK_RELS, { name: 'xl/_rels/workbook.xml.rels' });
  zip.append(STYLES, { name: 'xl/styles.xml' });
  zip.append(sheet, { name: 'xl/worksheets/sheet1.xml' });
  let row = 1;
  try {
    sheet.write(SHEET_START);
    for await (const batch of batches) {
      // Handed on every ROWS_PER_PIECE rows: a string built over a whole batch outlives the young generation's
      // collections and is moved to the old one, which then grows (V8 lets it) by the size of the export.
      let xml = '';
      for (let i = 0; i < batch.length; i++) {
        xml += rowXml(++row, batch[i]);
        if (i % ROWS_PER_PIECE === ROWS_PER_PIECE - 1) {
          sheet.write(xml);
          xml = '';
        }
      }
      if (xml) sheet.write(xml);
      await drained(sheet);
      await drained(out);
      if (failure) throw failure;
    }
    sheet.end(`</sheetData><autoFilter ref="A1:${LAST}${row}"/><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>`);
    zip.append(workbook(row), { name: 'xl/workbook.xml' });
    await zip.finalize();
    await finished(out);
  } catch (error) {
    zip.abort();
    sheet.destroy();
    throw error;
  }
  if (failure) throw failure;
  return row - 1;
}
