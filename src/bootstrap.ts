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
