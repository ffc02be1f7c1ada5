import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { ErrorCode, ProblemError } from '../common/problem';
import { localPath } from './forms';
import { PageRenderer } from './page-renderer';

/**
 * What a person sees when a page cannot be shown: not signed in (or the session ran out) takes them to the sign-in
 * page, and back here after it; a form sent with a token of an earlier session gets a page that says so, with a way
 * back; no right, or not theirs, gets a plain page in Dutch; never a JSON problem.
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
      const sent = req.method !== 'GET' && req.method !== 'HEAD';
      const back = sent ? refererPath(req) : req.originalUrl;
      // A session cookie that no longer opens a session: it ran out (idle, or too long ago). A sent form is lost.
      const expired = /vzl_session=/.test(req.headers.cookie ?? '') ? `&verlopen=${sent ? 'formulier' : '1'}` : '';
      res.redirect(303, `/aanmelden?terug=${encodeURIComponent(localPath(back))}${expired}`);
      return;
    }
    if (code === ErrorCode.CSRF_TOKEN_INVALID) {
      // The form came from an earlier session (signed out and in again, perhaps in another tab): nothing was done.
      const back = req.headers.referer ? localPath(refererPath(req), '') : '';
      res.status(403).type('html').send(this.pages.render('error', {
        title: 'Formulier verlopen',
        message: 'Uw formulier is verlopen: het hoort bij een eerdere aanmelding, bijvoorbeeld in een ander tabblad. Wat u verstuurde, is niet opgeslagen. Ga terug en probeer het opnieuw.',
        back: back || null,
      }));
      return;
    }
    const [status, title, message] =
      code === ErrorCode.FORBIDDEN
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
