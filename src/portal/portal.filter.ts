import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { ErrorCode, ProblemError } from '../common/problem';
import { localPath } from './forms';
import { PageRenderer } from './page-renderer';

/**
 * What a person sees when a page cannot be shown: not signed in (or the session ran out) takes them to the sign-in
 * page, and back here after it; no right, or not theirs, gets a plain page in Dutch; never a JSON problem.
 */
@Catch()
export class PortalFilter implements ExceptionFilter {
  private readonly logger = new Logger('Portaal');

  constructor(private readonly pages: PageRenderer) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    const code = exception instanceof ProblemError ? exception.code : undefined;
    if (code === ErrorCode.UNAUTHENTICATED) {
      const back = req.method === 'GET' ? req.originalUrl : refererPath(req);
      const expired = /vzl_session=/.test(req.headers.cookie ?? '');
      res.redirect(303, `/aanmelden?terug=${encodeURIComponent(localPath(back))}${expired ? '&verlopen=1' : ''}`);
      return;
    }
    const [status, title, message] =
      code === ErrorCode.FORBIDDEN || code === ErrorCode.CSRF_TOKEN_INVALID
        ? [403, 'Geen toegang', 'U heeft geen recht op deze pagina of handeling. Denkt u dat dit niet klopt? Vraag het de beheerder van uw organisatie.']
        : code === ErrorCode.NOT_FOUND || (exception instanceof HttpException && exception.getStatus() === 404)
          ? [404, 'Niet gevonden', 'Deze pagina of melding bestaat niet, of is niet voor u zichtbaar.']
          : [500, 'Er ging iets mis', ''];
    let detail = message;
    if (status === 500) {
      const id = randomUUID();
      this.logger.error(`Fout ${id} op ${req.method} ${req.path}: ${(exception as Error)?.stack ?? String(exception)}`);
      detail = `Probeer het later opnieuw. Blijft het misgaan, noem dan dit kenmerk aan de helpdesk: ${id}.`;
    }
    res.status(status).type('html').send(this.pages.render('error', { title, message: detail }));
  }
}

function refererPath(req: Request): string {
  try {
    const url = new URL(req.headers.referer ?? '/', 'http://x');
    return url.pathname + url.search;
  } catch {
    return '/';
  }
}
