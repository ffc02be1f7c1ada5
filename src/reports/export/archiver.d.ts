/** The part of archiver (5.x, which exceljs brings along) that the .xlsx writer uses; the package has no types of its own. */
declare module 'archiver' {
  import type { Readable, Transform } from 'node:stream';

  interface Archiver extends Transform {
    append(source: string | Buffer | Readable, data: { name: string; date?: Date }): this;
    /** Resolves when the archive's last byte has been handed on. */
    finalize(): Promise<void>;
    abort(): this;
  }

  function archiver(format: 'zip', options?: { zlib?: { level?: number }; forceZip64?: boolean }): Archiver;
  export = archiver;
}
