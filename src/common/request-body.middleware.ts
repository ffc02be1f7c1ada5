import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
// multer: the multipart parser NestJS's FileInterceptor uses; here it runs before the guards (see below).
import multer from 'multer';
import { readCookie } from '../identity/cookies';
import { SessionStage } from '../identity/session.entity';
import { SessionsService } from '../identity/sessions.service';
import { ErrorCode, FieldCode, FieldError, invalid, ProblemError } from './problem';

/** Deeper than any form of ours; deeper input is an attack on the parser, not a report. */
const MAX_DEPTH = 16;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** The portal's pages that take a file (multipart/form-data): the path, the file's field, its largest size. */
export const UPLOADS: Readonly<Record<string, { field: string; maxBytes: number }>> = {
  '/organisaties/duo-import': { field: 'bestand', maxBytes: 20 * 1024 * 1024 },
};

/** A file as multer keeps it in memory. */
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


/** The answer to a portal page that is sent something other than a form (the API answers problem+json). */
const UNSUPPORTED_PAGE = `<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Formulier niet verwerkt - Verzuimloket</title><link rel="stylesheet" href="/assets/portal.css"></head>
<body><main id="inhoud" class="vzl-wrap"><h1>Formulier niet verwerkt</h1>
<p>Deze pagina neemt alleen formulieren aan zoals een webbrowser ze verstuurt. Ga terug en verstuur het formulier opnieuw.</p>
<p><a href="/">Naar de startpagina</a></p></main></body></html>`;

/**
 * Checks a request body before anything interprets it: a body that is not JSON gets 415 (rather than a list of
 * "required" fields), nesting beyond any form of ours gets 400, and keys that address object prototypes are refused.
 * The portal's pages (everything outside /api) take HTML forms as well, and are told off in HTML.
 *
 * File uploads (UPLOADS) are read here, before the guards: the access guard then finds the form's `_csrf` field in
 * the body as for any other form (an interceptor such as FileInterceptor would run after the guard, which would see no
 * token). Only a signed-in session's upload is read, into memory, up to its size limit; a file too large or a broken
 * form does not stop the request: the page says what was wrong (uploadOf), after the guard has checked the token.
 */
@Injectable()
export class RequestBodyMiddleware implements NestMiddleware {
  private readonly parsers = new Map(
    Object.entries(UPLOADS).map(([path, u]) => [
      path,
      multer({ storage: multer.memoryStorage(), limits: { fileSize: u.maxBytes, files: 1, fields: 5, fieldSize: 1024, fieldNameSize: 50, parts: 6 } }).single(u.field),
    ]),
  );

  constructor(private readonly sessions: SessionsService) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    const api = req.originalUrl.startsWith('/api/');
    const parser = !api && req.method === 'POST' ? this.parsers.get(req.originalUrl.split('?')[0]) : undefined;
    if (parser && hasBody && req.is('multipart/form-data')) {
      this.receive(parser, req, res, next).catch(next);
      return;
    }
    const accepted = api ? ['application/json', 'application/*+json'] : ['application/x-www-form-urlencoded'];
    if (hasBody && ['POST', 'PUT', 'PATCH'].includes(req.method) && !req.is(accepted)) {
      if (api) throw new ProblemError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'Stuur de inhoud als JSON (Content-Type: application/json).');
      res.status(415).type('html').send(UNSUPPORTED_PAGE);
      return;
    }
    if (req.body !== undefined && req.body !== null && typeof req.body === 'object') inspect(req.body);
    next();
  }

  private async receive(parser: ReturnType<ReturnType<typeof multer>['single']>, req: Request, res: Response, next: NextFunction): Promise<void> {
    // Someone not signed in is sent to sign in by the guard; the server does not hold their file meanwhile.
    if (!(await this.sessions.find(readCookie(req, this.sessions.cookieName), SessionStage.COMPLETE))) {
      req.body = {};
      next();
      return;
    }
    parser(req, res, (error?: unknown) => {
      if (error) uploadProblems.set(req, (error as { code?: string }).code === 'LIMIT_FILE_SIZE' ? 'TOO_LARGE' : 'INVALID');
      // The fields read before a failure stay (the form sends `_csrf` before the file), so the guard can still check it.
      req.body ??= {};
      try {
        inspect(req.body);
      } catch (refused) {
        next(refused);
        return;
      }
      next();
    });
  }
}

function inspect(root: object): void {
  const queue: [unknown, string, number][] = [[root, '', 0]];
  const refused: FieldError[] = [];
  for (let i = 0; i < queue.length; i++) {
    const [value, path, depth] = queue[i];
    if (value === null || typeof value !== 'object') continue;
    if (depth > MAX_DEPTH) throw new ProblemError(ErrorCode.MALFORMED_JSON, `De inhoud is dieper genest dan ${MAX_DEPTH} niveaus.`);
    for (const key of Object.keys(value)) {
      const child = Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
      if (FORBIDDEN_KEYS.has(key)) refused.push({ field: child, code: FieldCode.UNKNOWN_FIELD, message: `${child}: is geen bekend veld` });
      else queue.push([(value as Record<string, unknown>)[key], child, depth + 1]);
    }
  }
  if (refused.length > 0) throw invalid(...refused);
}
