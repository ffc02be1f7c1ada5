import { Logger } from '@nestjs/common';
import type { Response } from 'express';
import { finished } from 'node:stream/promises';
import { PreparedExport } from './report-exports.service';
import { RenderedPdf } from './report-pdf.service';

const logger = new Logger('Export');

/**
 * Sends a prepared export as a download. Once the first bytes are out, a failure can no longer become an error page:
 * the connection is cut, so that the receiver sees an incomplete download rather than a file that looks whole.
 */
export async function sendExport(res: Response, prepared: PreparedExport): Promise<void> {
  res.status(200).set({
    'Content-Type': prepared.contentType,
    'Content-Disposition': `attachment; filename="${prepared.fileName}"`,
    'X-Total-Count': String(prepared.count),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  try {
    await prepared.write(res);
  } catch (error) {
    logger.warn(`Export afgebroken: ${(error as Error).name}`);
    res.destroy();
  }
}

export async function sendPdf(res: Response, pdf: RenderedPdf): Promise<void> {
  res.status(200).set({
    'Content-Type': 'application/pdf',
    'Content-Disposition': `attachment; filename="${pdf.fileName}"`,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  pdf.doc.pipe(res);
  pdf.doc.end();
  await finished(res).catch(() => undefined);
}
