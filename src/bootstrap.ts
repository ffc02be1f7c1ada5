import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { inspectRequest } from './common/inspect-request';
import { ErrorCode, ProblemError } from './common/problem';
import { API_VERSION, setupOpenApi } from './openapi/openapi';
import { validationPipe } from './common/validation';
import type { NextFunction, Request, Response } from 'express';
import type { Server } from 'node:http';
import { AppConfig, trustedProxies } from './config/app-config';
import { templatesDir } from './common/templates-dir';
import { dirname } from 'node:path';
import { createLogger, PinoNestLogger } from './logging/logger';
import { requestLog } from './logging/request-log';
import { MetricsService } from './metrics/metrics.service';

/** Builds the HTTP application: the same for `npm start`, the tests and the benchmarks. */
export async function createApp(config: AppConfig, options: { logger?: false } = {}): Promise<INestApplication> {
  // JSON lines through pino (src/logging); `logger: false` (tests, benchmarks) writes nothing.
  const logger = options.logger === false ? null : createLogger(config.LOG_LEVEL);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    logger: logger ? new PinoNestLogger(logger) : false,
    // While shutting down, a request on a connection still open gets 503 (src/main.ts handles the signal).
    return503OnClosing: true,
  });
  // First the request's id and its log line, then the headers every answer carries, static files included.
  const metrics = app.get(MetricsService);
  app.use(requestLog(logger, [metrics.observe]));
  // /metrics: on METRICS_PORT (listening once the app is), and here only behind METRICS_TOKEN; else no such route.
  if (config.METRICS_TOKEN) {
    app.use('/metrics', (req: Request, res: Response, next: NextFunction) => {
      if (req.method !== 'GET' || req.path !== '/') return next();
      if (!metrics.allows(req.headers.authorization)) {
        res.status(401).setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
        res.type('text/plain; charset=utf-8').send('Niet aangemeld\n');
        return;
      }
      void metrics.render(res);
    });
  }
  app.use(securityHeaders(config));
  app.useBodyParser('json', { limit: config.BODY_LIMIT, type: ['application/json', 'application/*+json'] });
  // The portal's forms: flat name=value pairs (no nested "qs" objects), at most as many fields as the largest form.
  app.useBodyParser('urlencoded', { limit: config.BODY_LIMIT, extended: false, parameterLimit: 200 });
  // Then, before any route, the check of what was sent (hostile-input.ts).
  app.use(inspectRequest);
  // The NL Design System's CSS (design tokens and components) and the portal's own, from this server: no CDN.
  const asset = { index: false, maxAge: '1h' } as const;
  app.useStaticAssets(dirname(require.resolve('@utrecht/design-tokens/dist/index.css')), { ...asset, prefix: '/assets/nlds/tokens/' });
  app.useStaticAssets(dirname(require.resolve('@utrecht/component-library-css/dist/index.css')), { ...asset, prefix: '/assets/nlds/components/' });
  app.useStaticAssets(templatesDir('assets'), { ...asset, prefix: '/assets/' });
  // X-Forwarded-For is believed only from the proxies TRUST_PROXY names: otherwise anyone could choose the address
  // that sign-in failures and rate limits are counted against.
  app.set('trust proxy', config.TRUST_PROXY ? trustedProxies(config.TRUST_PROXY) : false);
  app.disable('x-powered-by');
  // A client has REQUEST_TIMEOUT_SECONDS to send its whole request; a slow body no longer holds a connection for minutes.
  const server = app.getHttpServer() as Server;
  server.requestTimeout = config.REQUEST_TIMEOUT_SECONDS * 1000;
  server.headersTimeout = Math.min(server.requestTimeout, 20_000);
  // How often Node looks for requests past those limits (its default, 30 s, would let a slow body stay that long).
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = 1_000;
  app.useGlobalPipes(validationPipe());
  setupOpenApi(app, config);
  return app;
}

/**
 * What every answer tells the browser: no sniffing, no framing, no referrer to other sites; for the portal a
 * Content-Security-Policy that allows only this server's own files (no inline script or style, no CDN); over https,
 * to stay on https (HSTS). Nothing but the static files may be kept in a cache: pages and API answers can carry a
 * pupil's personal data. The OpenAPI viewer at /api/docs ships inline scripts and keeps the browser's defaults.
 *
 * A state-changing request that the browser marks as coming from another site (Sec-Fetch-Site: cross-site) is refused
 * before anything reads it: no form or script of another site can act with a person's session.
 */
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function securityHeaders(config: AppConfig) {
  return (req: Request, res: Response, next: NextFunction): void => {
    res.setHeader('API-Version', API_VERSION);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'same-origin');
    if (config.isHttps) res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    if (!req.path.startsWith('/api/docs')) res.setHeader('Content-Security-Policy', CSP);
    if (!req.path.startsWith('/assets/')) res.setHeader('Cache-Control', 'no-store');
    if (!SAFE_METHODS.has(req.method) && req.headers['sec-fetch-site'] === 'cross-site') {
      const refusal = new ProblemError(ErrorCode.FORBIDDEN, 'Geweigerd: dit verzoek komt van een andere website.');
      if (req.path.startsWith('/api/')) res.status(403).type('application/problem+json').json(refusal.toBody());
      else res.status(403).type('text/plain; charset=utf-8').send(refusal.detail);
      return;
    }
    next();
  };
}
