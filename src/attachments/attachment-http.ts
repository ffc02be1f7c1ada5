import type { Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { Download } from './attachments.service';

/** Content-Disposition for a download: always `attachment`, an ASCII fallback name and the exact name per RFC 6266/8187. */
export function contentDisposition(fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\%]/g, '_') || 'bijlage';
  const exact = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${exact}`;
}

/**
 * Sends a download: the type found in the content, never shown inline, never sniffed, never cached. The content
 * streams chunk by chunk; if a chunk cannot be read the connection is cut (the client sees an incomplete download,
 * not a wrong file).
 */
export async function sendDownload(res: Response, download: Download): Promise<void> {
  res.status(200);
  res.setHeader('Content-Type', download.mediaType);
  res.setHeader('Content-Length', String(download.size));
  res.setHeader('Content-Disposition', contentDisposition(download.fileName));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'no-store');
  try {
    await pipeline(download.content, res);
  } catch {
    res.destroy();
  }
}
