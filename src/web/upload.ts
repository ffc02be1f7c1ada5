import { SetMetadata } from '@nestjs/common';
import type { Request, Response } from 'express';
// multer: the multipart parser NestJS's FileInterceptor uses; here the access guard calls it, after it has checked
// who sends the file and whether they may (an interceptor would run after the guard, which then sees no CSRF field).
import multer from 'multer';
import { hasForbiddenCharacter, hostileFields } from '../common/hostile-input';
import { invalid } from '../common/problem';

/** A route that takes one file (multipart/form-data): its field and its largest size. */
export interface UploadSpec {
  field: string;
  maxBytes: number;
  /**
   * The route reads the file itself as it streams in (StreamedUpload), and enforces its own size (maxBytes is then
   * unused); the form guard only reads the fields before the file, for the CSRF token.
   */
  streamed?: boolean;
}

export const UPLOAD_KEY = 'verzuimloket:upload';

/** Marks a portal route that takes a file; the access guard reads it (see readUpload). */
export const Upload = (spec: UploadSpec) => SetMetadata(UPLOAD_KEY, spec);

/** A file as it was read into memory. */
export interface UploadedFile {
  originalname: string;
  mimetype: string;
  size: number;
  buffer: Buffer;
}

/** What went wrong with an upload: larger than allowed, or not a well-formed form with one file in the right field. */
export type UploadProblem = 'TOO_LARGE' | 'INVALID';

const uploadProblems = new WeakMap<Request, UploadProblem>();

/** The uploaded file of an upload route, or why there is none. */
export function uploadOf(req: Request): { file?: UploadedFile; problem?: UploadProblem } {
  return { file: (req as Request & { file?: UploadedFile }).file, problem: uploadProblems.get(req) };
}

/** The form sent its file before its CSRF field, or with another one: nothing of the file is kept. */
class CsrfBeforeFile extends Error {}


/**
 * Reads the file of an upload route, for a caller the guard has identified and allowed. The form's `_csrf` field
 * must arrive before the file (our forms put it first) and match the session's: otherwise the file is not read into
 * memory (the rest of the body is discarded as it arrives). The file is held up to `maxBytes`; a larger one or a
 * broken form does not stop the request: the page says what was wrong (uploadOf), after the guard checked the token.
 */
export async function readUpload(req: Request, res: Response, spec: UploadSpec, csrfToken: string): Promise<void> {
  const parse = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: spec.maxBytes, files: 1, fields: 5, fieldSize: 1024, fieldNameSize: 50, parts: 6 },
    fileFilter: (request, _file, accept) => {
      const sent = (request.body as Record<string, unknown> | undefined)?._csrf;
      if (typeof sent === 'string' && sent === csrfToken) accept(null, true);
      else accept(new CsrfBeforeFile());
    },
  }).single(spec.field);
  await new Promise<void>((resolve) => {
    parse(req, res, (error?: unknown) => {
      // A file without a right CSRF field before it is not read: the upload did not arrive (the guard then checks
      // the token that came, if any, like any form's).
      if (error) uploadProblems.set(req, (error as { code?: string }).code === 'LIMIT_FILE_SIZE' ? 'TOO_LARGE' : 'INVALID');
      resolve();
    });
  });
  // The fields read before a failure stay (the form sends `_csrf` before the file), so the guard can still check it.
  req.body ??= {};
  const refused = hostileFields(req.body);
  const file = uploadOf(req).file;
  if (file && hasForbiddenCharacter(file.originalname)) refused.push({ field: spec.field, code: 'INVALID_CHARACTER', message: `${spec.field}: de bestandsnaam bevat een teken dat niet is toegestaan` });
  if (refused.length > 0) throw invalid(...refused);
}
