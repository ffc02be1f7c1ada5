import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { QueryFailedError } from 'typeorm';
import { BUSY_RETRY_SECONDS, isDatabaseUnavailable, problemOfDatabaseError } from './database-errors';
import { ErrorCode, ProblemBody, ProblemError } from './problem';
import { correlationIdOfFailure, currentRequestId } from './request-context';

const HTTP_TO_CODE: Record<number, ErrorCode> = {
  400: ErrorCode.MALFORMED_JSON,
  401: ErrorCode.UNAUTHENTICATED,
  403: ErrorCode.FORBIDDEN,
  404: ErrorCode.NOT_FOUND,
  405: ErrorCode.METHOD_NOT_ALLOWED,
  408: ErrorCode.REQUEST_TIMEOUT,
  409: ErrorCode.CONFLICT,
  412: ErrorCode.PRECONDITION_FAILED,
  413: ErrorCode.PAYLOAD_TOO_LARGE,
  415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
  428: ErrorCode.PRECONDITION_REQUIRED,
  429: ErrorCode.TOO_MANY_REQUESTS,
};

/** The Dutch words for a refusal that comes from the framework rather than from our code. */
const DETAILS: Partial<Record<ErrorCode, string>> = {
  [ErrorCode.NOT_FOUND]: 'Deze route bestaat niet.',
  [ErrorCode.TOO_MANY_REQUESTS]: 'U stuurde te veel verzoeken kort na elkaar. Wacht even (zie Retry-After) en probeer het dan opnieuw.',
};

/** Turns any error into problem+json. Internals of a 500 are logged under a correlation id and never returned. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    const body = this.toProblem(exception, req);
    if (res.headersSent) return;
    if (isDatabaseUnavailable(exception)) res.setHeader('Retry-After', String(BUSY_RETRY_SECONDS));
    // Also for refusals that come before any middleware of ours ran (a body too large, broken JSON).
    res.status(body.status).type('application/problem+json').json(body);
  }

  toProblem(exception: unknown, req: Request): ProblemBody {
    if (exception instanceof ProblemError) return exception.toBody();
    const refusedByDatabase = problemOfDatabaseError(exception);
    if (isDatabaseUnavailable(exception)) logBusy(this.logger, req, exception);
    if (refusedByDatabase) return refusedByDatabase.toBody();
    const bodyParser = exception as { type?: string; status?: number; expose?: boolean };
    if (bodyParser?.type === 'entity.parse.failed') {
      return new ProblemError(ErrorCode.MALFORMED_JSON, 'De inhoud van het verzoek is geen geldige JSON.').toBody();
    }
    if (bodyParser?.type === 'entity.too.large') {
      return new ProblemError(ErrorCode.PAYLOAD_TOO_LARGE, 'De inhoud van het verzoek is groter dan toegestaan.').toBody();
    }
    if (exception instanceof HttpException && HTTP_TO_CODE[exception.getStatus()]) {
      const code = HTTP_TO_CODE[exception.getStatus()];
      return new ProblemError(code, DETAILS[code]).toBody();
    }
    if (bodyParser?.expose && typeof bodyParser.status === 'number' && HTTP_TO_CODE[bodyParser.status]) {
      return new ProblemError(HTTP_TO_CODE[bodyParser.status]).toBody();
    }
    const correlationId = correlationIdOfFailure();
    logFailure(this.logger, correlationId, req, exception);
    const requestId = currentRequestId();
    return {
      ...new ProblemError(ErrorCode.INTERNAL_ERROR, `Vermeld code ${correlationId} als u contact opneemt.`).toBody(),
      correlationId,
      ...(requestId ? { requestId } : {}),
    };
  }
}

/**
 * Logs a failure of ours under its correlation id: the route pattern, never the URL (query strings could carry search
 * terms); no request body; of a database error only its code and constraint, since PostgreSQL quotes offending values
 * in its messages.
 */
export function logFailure(logger: Logger, correlationId: string, req: Request, exception: unknown): void {
  const route = (req.route as { path?: string } | undefined)?.path ?? '(geen route)';
  if (exception instanceof QueryFailedError) {
    const pg = exception.driverError as { code?: string; constraint?: string; table?: string };
    logger.error(`${correlationId} ${req.method} ${route}: databasefout ${pg?.code ?? '?'} ${pg?.table ?? ''} ${pg?.constraint ?? ''}`.trim());
  } else {
    const err = exception as Error;
    logger.error(`${correlationId} ${req.method} ${route}: ${err?.name}: ${err?.message}`, err?.stack);
  }
}

/** The database had no connection for a request: one warning line for the operator, without the request's data. */
export function logBusy(logger: Logger, req: Request, exception: unknown): void {
  const route = (req.route as { path?: string } | undefined)?.path ?? '(geen route)';
  const e = (exception instanceof QueryFailedError ? exception.driverError : exception) as { code?: string; message?: string };
  logger.warn(`Te druk: ${req.method} ${route}: database niet beschikbaar (${e?.code ?? String(e?.message ?? '').slice(0, 60)})`);
}
