import { Writable } from 'node:stream';

/** Waits until `out` has room again, so that a slow reader holds back the database instead of filling memory. */
export async function drained(out: Writable): Promise<void> {
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
