import type { NextFunction, Request, Response } from 'express';
import { hostileFields, hostilePath, TooDeepError } from './hostile-input';
import { ErrorCode, FieldError, invalid, ProblemError } from './problem';

/** A page that answers a portal request the service will not read, in Dutch (the API answers problem+json). */
function refusalPage(title: string, text: string): string {
  return `<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} - Verzuimloket</title><link rel="stylesheet" href="/assets/portal.css"></head>
<body><main id="inhoud" class="vzl-wrap"><h1>${title}</h1>
<p>${text}</p>
<p><a href="/">Naar de startpagina</a></p></main></body></html>`;
}

const UNSUPPORTED_PAGE = refusalPage(
  'Formulier niet verwerkt',
  'Deze pagina neemt alleen formulieren aan zoals een webbrowser ze verstuurt. Ga terug en verstuur het formulier opnieuw.',
);
const HOSTILE_PAGE = refusalPage(
  'Verzoek niet verwerkt',
  'Het adres of formulier bevat een veldnaam of teken dat Verzuimloket niet aanneemt. Er is niets opgeslagen. Ga terug en probeer het opnieuw.',
);

/** The API's routes that take a file (attachments): they also accept multipart/form-data. */
const MULTIPART_API = /^\/api\/v1\/reports\/[^/]+\/attachments$/;

/**
 * Checks every request before anything interprets it (see hostile-input.ts), as express middleware ahead of every
 * route: a body that is not JSON gets 415 on the API (rather than a list of "required" fields); a body, query or path
 * with a key that addresses a prototype, a NUL character or half a surrogate pair gets 422 naming the field; nesting
 * beyond any form of ours gets 400. The API answers problem+json; the portal's pages (everything outside /api) take
 * HTML forms as well, and are told off in HTML.
 *
 * Files (multipart/form-data) are not read here: the guards read them after they have checked who sends them and
 * whether they may (identity/upload.ts), and check their form fields the same way.
 */
export function inspectRequest(req: Request, res: Response, next: NextFunction): void {
  const api = req.path.startsWith('/api/');
  const refuse = (problem: ProblemError, page: string) => {
    if (api) res.status(problem.status).type('application/problem+json').json(problem.toBody());
    else res.status(problem.status).type('html').send(page);
  };
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  const accepted = !api ? ['application/x-www-form-urlencoded', 'multipart/form-data']
    : MULTIPART_API.test(req.path) && req.method === 'POST' ? ['application/json', 'application/*+json', 'multipart/form-data'] : ['application/json', 'application/*+json'];
  if (hasBody && ['POST', 'PUT', 'PATCH', 'DELETE'].includes(req.method) && !req.is(accepted)) {
    refuse(new ProblemError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'Stuur de inhoud als JSON (Content-Type: application/json).'), UNSUPPORTED_PAGE);
    return;
  }
  let refused: FieldError[];
  try {
    refused = [...hostilePath(req.path), ...hostileFields(req.query), ...hostileFields(req.body)];
  } catch (error) {
    if (!(error instanceof TooDeepError)) throw error;
    refuse(new ProblemError(ErrorCode.MALFORMED_JSON, 'De inhoud is te diep genest.'), HOSTILE_PAGE);
    return;
  }
  if (refused.length > 0) refuse(invalid(...refused), HOSTILE_PAGE);
  else next();
}
