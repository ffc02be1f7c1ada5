import type * as ExcelJSModule from 'exceljs';
import type PDFDocumentClass from 'pdfkit';

/**
 * The spreadsheet and PDF libraries, required on first use rather than at start. Together they cost some 0.6 s of
 * CPU and 20 MB of memory to load, at every start, while most processes never write such a file (issue 14: ready
 * within 5 s, idle under 250 MB; `npm run bench -- --embedded`).
 */
let excel: typeof ExcelJSModule | undefined;
let pdf: typeof PDFDocumentClass | undefined;

export function exceljs(): typeof ExcelJSModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (excel ??= require('exceljs') as typeof ExcelJSModule);
}

export function pdfkit(): typeof PDFDocumentClass {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (pdf ??= require('pdfkit') as typeof PDFDocumentClass);
}
