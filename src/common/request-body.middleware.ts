import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ErrorCode, FieldCode, FieldError, invalid, ProblemError } from './problem';

/** Deeper than any form of ours; deeper input is an attack on the parser, not a report. */
const MAX_DEPTH = 16;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Checks a request body before anything interprets it: a body that is not JSON gets 415 (rather than a list of
 * "required" fields), nesting beyond any form of ours gets 400, and keys that address object prototypes are refused.
 * The portal's pages (everything outside /api) take HTML forms as well.
 */
@Injectable()
export class RequestBodyMiddleware implements NestMiddleware {
  use(req: Request, _res: Response, next: NextFunction): void {
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    const accepted = req.originalUrl.startsWith('/api/') ? ['application/json', 'application/*+json'] : ['application/x-www-form-urlencoded'];
    if (hasBody && ['POST', 'PUT', 'PATCH'].includes(req.method) && !req.is(accepted)) {
      throw new ProblemError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'Stuur de inhoud als JSON (Content-Type: application/json).');
    }
    if (req.body !== undefined && req.body !== null && typeof req.body === 'object') inspect(req.body);
    next();
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
