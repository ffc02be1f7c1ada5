import busboy from 'busboy';
import type { Request } from 'express';
import type { Readable } from 'node:stream';
import { ErrorCode, ProblemError } from '../common/problem';

/** A file part of a multipart form, as it arrives: its name as sent and its content as a stream (not yet read). */
export interface IncomingFile {
  fileName: string;
  stream: Readable;
}

/** The open upload of each request. */
const uploads = new WeakMap<Request, StreamedUpload>();

const FIELD_LIMITS = { files: 1, fields: 8, fieldSize: 8 * 1024, fieldNameSize: 50, parts: 9, headerPairs: 20 };

/**
 * A multipart/form-data request read as it arrives (busboy, the parser multer uses), for files that must never be
 * held in memory whole: the text fields (at most 8, 8 KiB each) are kept, the one file part is handed on as a stream
 * to be read by whoever stores it. The field values sit in an object without a prototype, so a field named
 * `__proto__` is just a field. One per request (StreamedUpload.of): the form guard opens it to check the CSRF field
 * that comes before the file; the route reads the file.
 */
export class StreamedUpload {
  readonly fields: Record<string, string> = Object.create(null) as Record<string, string>;
  /** Why the form is not as expected: a second file, too many or too long fields, a broken body. */
  problem: string | null = null;
  private file: IncomingFile | null = null;
  private readonly firstFile: Promise<IncomingFile | null>;
  private readonly done: Promise<void>;

  /** The request is not multipart/form-data (see assertMultipart). */
  private readonly unsupported: boolean = false;

  private constructor(private readonly req: Request, private readonly fileField: string) {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: FIELD_LIMITS, defParamCharset: 'utf8' });
    } catch {
      this.unsupported = true;
      this.firstFile = Promise.resolve(null);
      this.done = Promise.resolve();
      return;
    }
    let fileArrived: (file: IncomingFile | null) => void = () => undefined;
    this.firstFile = new Promise((resolve) => (fileArrived = resolve));
    this.done = new Promise((resolve) => {
      parser.on('field', (name, value, info) => {
        if (info.nameTruncated || info.valueTruncated) this.problem ??= `het veld ${name.slice(0, 50)} is te lang`;
        else this.fields[name] = value;
      });
      parser.on('file', (name, stream, info) => {
        if (name !== this.fileField || this.file) {
          this.problem ??= `alleen één bestand in het veld ${this.fileField}`;
          stream.resume();
          return;
        }
        this.file = { fileName: info.filename ?? '', stream };
        fileArrived(this.file);
      });
      for (const limit of ['partsLimit', 'filesLimit', 'fieldsLimit']) parser.on(limit, () => (this.problem ??= 'het formulier heeft te veel delen'));
      const end = () => {
        fileArrived(null);
        resolve();
      };
      parser.on('close', end);
      parser.on('error', () => {
        this.problem ??= 'het formulier is niet volledig of niet goed opgebouwd';
        this.file?.stream.destroy();
        req.unpipe(parser);
        req.resume();
        end();
      });
    });
    req.pipe(parser);
  }

  /** 415 when the request is not multipart/form-data. */
  assertMultipart(): void {
    if (this.unsupported) throw new ProblemError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'Stuur het bestand als multipart/form-data, in het veld file.');
  }

  /** The request's upload, opened on first use (a request that is not multipart/form-data has none: assertMultipart). */
  static of(req: Request, fileField: string): StreamedUpload {
    let upload = uploads.get(req);
    if (!upload) {
      upload = new StreamedUpload(req, fileField);
      uploads.set(req, upload);
    }
    return upload;
  }

  /** The fields sent before the file (all of them when there is no file); the file is not read meanwhile. */
  async fieldsBeforeFile(): Promise<Record<string, string>> {
    await this.firstFile;
    return { ...this.fields };
  }

  /** The file part, or null when the form ended without one. */
  nextFile(): Promise<IncomingFile | null> {
    return this.firstFile;
  }

  /** Resolves when the whole form has been read: then fields sent after the file are known too. */
  finished(): Promise<void> {
    return this.done;
  }

  /** Reads the rest of the request without keeping it, so that a refusal can be answered on an open connection. */
  discard(): void {
    this.file?.stream.resume();
    this.req.resume();
  }
}

/** The upload of a request the form guard opened, if it did (for the guard's refusal). */
export function discardUpload(req: Request): void {
  uploads.get(req)?.discard();
}
