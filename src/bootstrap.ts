import { INestApplication, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module';
import { ProblemSchema } from './common/api-problems.decorator';
import { validationPipe } from './common/validation';
import { AppConfig } from './config/app-config';
import { templatesDir } from './common/templates-dir';
import { dirname } from 'node:path';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** Builds the HTTP application: the same for `npm start`, the tests and the benchmarks. */
export async function createApp(config: AppConfig, options: { logger?: false } = {}): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    logger: options.logger ?? LEVELS.slice(0, LEVELS.indexOf(config.LOG_LEVEL) + 1),
  });
  app.useBodyParser('json', { limit: config.BODY_LIMIT, type: ['application/json', 'application/*+json'] });
  // The portal's forms: flat name=value pairs (no nested "qs" objects), at most as many fields as the largest form.
  app.useBodyParser('urlencoded', { limit: config.BODY_LIMIT, extended: false, parameterLimit: 200 });
  // The NL Design System's CSS (design tokens and components) and the portal's own, from this server: no CDN.
  const asset = { index: false, maxAge: '1h' } as const;
  app.useStaticAssets(dirname(require.resolve('@utrecht/design-tokens/dist/index.css')), { ...asset, prefix: '/assets/nlds/tokens/' });
  app.useStaticAssets(dirname(require.resolve('@utrecht/component-library-css/dist/index.css')), { ...asset, prefix: '/assets/nlds/components/' });
  app.useStaticAssets(templatesDir('assets'), { ...asset, prefix: '/assets/' });
  app.set('trust proxy', 'loopback');
  app.disable('x-powered-by');
  app.use(securityHeaders);
  app.useGlobalPipes(validationPipe());
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Verzuimloket API')
      .setDescription(
        'Verzuimmeldingen van scholen aan leerplicht en RMC. Authenticatie met een API-sleutel als bearer-token. ' +
          'Fouten zijn application/problem+json (RFC 9457) met een stabiele `code` en per veld `errors[]` ({field, code, message}).',
      )
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API-sleutel (vzl_...)' })
      .build(),
    { extraModels: [ProblemSchema] },
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/openapi.json', raw: ['json'], customSiteTitle: 'Verzuimloket API' });
  return app;
}

/**
 * What every answer tells the browser: no sniffing, no framing, no referrer to other sites, and for the portal a
 * Content-Security-Policy that allows only this server's own files (no inline script or style, no CDN). The
 * OpenAPI viewer at /api/docs ships inline scripts and keeps the browser's defaults.
 */
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

function securityHeaders(req: { path: string }, res: { setHeader(name: string, value: string): void }, next: () => void): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'same-origin');
  if (!req.path.startsWith('/api/docs')) res.setHeader('Content-Security-Policy', CSP);
  next();
}
