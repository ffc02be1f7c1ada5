import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { BUSY_RETRY_SECONDS, isDatabaseUnavailable, problemOfDatabaseError } from '../common/database-errors';
import { ErrorCode, ProblemError } from '../common/problem';
import { logBusy, logFailure } from '../common/problem.filter';
import { correlationIdOfFailure } from '../common/request-context';
import { localPath } from './forms';
import { KeptInputService } from './kept-input.service';
import { PageRenderer } from './page-renderer';

/**
 * What a person sees when a page cannot be shown: not signed in (or the session ran out) takes them to the sign-in
 * page, and back here after it; a form sent with a token of an earlier session gets a page that says so, with a way
 * back; no right, or not theirs, gets a plain page in Dutch; never a JSON problem.
 */
@Catch()
export class PortalFilter implements ExceptionFilter {
  private readonly logger = new Logger('Portaal');

  constructor(
    private readonly pages: PageRenderer,
    private readonly kept: KeptInputService,
  ) {}

  /**
   * Not signed in, or the session ran out (its cookie no longer opens one): to the sign-in page and back here after
   * it. A form sent meanwhile is kept (KeptInputService) and fills the form again after signing in, for its owner.
   */
  private async toSignIn(req: Request, res: Response): Promise<void> {
    const sent = req.method !== 'GET' && req.method !== 'HEAD';
    const back = localPath(sent ? refererPath(req) : req.originalUrl);
    let state = /vzl_session=/.test(req.headers.cookie ?? '') ? (sent ? 'formulier' : '1') : '';
    try {
      if (sent && back !== '/' && (await this.kept.keepForm(req, res, back))) state = 'bewaard';
    } catch (error) {
      // Keeping is a courtesy: when it fails, the person signs in as before and is told the form was not kept.
      this.logger.warn(`Invoer niet bewaard: ${(error as Error).message}`);
    }
    res.redirect(303, `/aanmelden?terug=${encodeURIComponent(back)}${state ? `&verlopen=${state}` : ''}`);
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    const code = exception instanceof ProblemError ? exception.code : undefined;
    if (code === ErrorCode.UNAUTHENTICATED) {
      void this.toSignIn(req, res);
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
    const problem = exception instanceof ProblemError ? exception : problemOfDatabaseError(exception) ?? frameworkRefusal(exception);
    if (isDatabaseUnavailable(exception)) {
      logBusy(this.logger, req, exception);
      res.setHeader('Retry-After', String(BUSY_RETRY_SECONDS));
      res.status(503).type('html').send(this.pages.render('error', { title: 'Even te druk', message: problem?.detail ?? '' }));
      return;
    }
    if (problem && problem.status < 500) {
      const [title, message] = PAGES[problem.code] ?? ['Niet gelukt', problem.detail ?? problem.message];
      if (problem.code === ErrorCode.TOO_MANY_REQUESTS && !res.getHeader('Retry-After')) res.setHeader('Retry-After', '60');
      res.status(problem.status).type('html').send(this.pages.render('error', { title, message }));
      return;
    }
    const id = correlationIdOfFailure();
    logFailure(this.logger, id, req, exception);
    res.status(500).type('html').send(this.pages.render('error', {
      title: 'Er ging iets mis', message: `Probeer het later opnieuw. Blijft het misgaan, noem dan dit kenmerk aan de helpdesk: ${id}.`,
    }));
  }
}

/** What a person reads for a refusal, by its code; others show the refusal's own Dutch detail. */
const PAGES: Partial<Record<ErrorCode, [string, string]>> = {
  [ErrorCode.FORBIDDEN]: ['Geen toegang', 'U heeft geen recht op deze pagina of handeling. Denkt u dat dit niet klopt? Vraag het de beheerder van uw organisatie.'],
  [ErrorCode.NOT_FOUND]: ['Niet gevonden', 'Deze pagina of melding bestaat niet, of is niet voor u zichtbaar.'],
  [ErrorCode.TOO_MANY_REQUESTS]: ['Even wachten', 'Er kwamen te veel verzoeken kort na elkaar van u of van uw adres. Wacht een minuut en probeer het dan opnieuw.'],
  [ErrorCode.VALIDATION_FAILED]: ['Verzoek niet verwerkt', 'Het formulier of adres bevat iets dat Verzuimloket niet aanneemt. Er is niets opgeslagen. Ga terug en probeer het opnieuw.'],
  [ErrorCode.REQUEST_TIMEOUT]: ['Verzoek niet verwerkt', 'Het formulier kwam niet op tijd binnen. Er is niets opgeslagen. Probeer het opnieuw.'],
};

/** A refusal by the framework (no route, too many requests, an unreadable request) as a ProblemError. */
function frameworkRefusal(exception: unknown): ProblemError | null {
  const status = exception instanceof HttpException ? exception.getStatus() : (exception as { status?: unknown })?.status;
  if (typeof status !== 'number' || status >= 500) return null;
  if (status === 404) return new ProblemError(ErrorCode.NOT_FOUND);
  if (status === 429) return new ProblemError(ErrorCode.TOO_MANY_REQUESTS);
  if (status === 408) return new ProblemError(ErrorCode.REQUEST_TIMEOUT);
  if (status === 413) return new ProblemError(ErrorCode.PAYLOAD_TOO_LARGE, 'Wat u verstuurde is groter dan Verzuimloket aanneemt.');
  return new ProblemError(ErrorCode.VALIDATION_FAILED);
}

function refererPath(req: Request): string {
  try {
    const url = new URL(req.headers.referer ?? '/', 'http://x');
    return url.pathname + url.search;
  } catch {
    return '/';
  }
}
