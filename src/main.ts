import 'reflect-metadata';
import { INestApplication, Logger } from '@nestjs/common';
import type { Server } from 'node:http';
import { createApp } from './bootstrap';
import { AppConfig, ConfigError, loadConfig } from './config/app-config';
import { DatabaseInUseError } from './database/embedded-database';
import { FirstRunService } from './identity/first-run.service';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  await app.listen(config.PORT, config.HOST);
  const logger = new Logger('Verzuimloket');
  stopGracefully(app, config, logger);
  logger.log(`Klaar op ${config.PUBLIC_URL} (API-documentatie: ${config.PUBLIC_URL}/api/docs)`);
  // On a first start there is nobody who can sign in: the log gets a one-time link to make the first operator (ADR 0012).
  try {
    await app.get(FirstRunService).announce();
  } catch (error) {
    logger.warn(`Geen link voor de eerste start (${(error as Error).message}); maak het eerste account met: npm run cli -- create-operator`);
  }
}

/**
 * SIGTERM (or SIGINT): stop taking connections, answer new requests on open ones with 503 (readiness too), let the
 * mail and webhook workers finish what they hold (each writes its outcome and lets go of its claim or lease), let
 * the requests in flight finish, then close the database. What is still running after SHUTDOWN_TIMEOUT_SECONDS is
 * cut off; should closing itself hang, the process ends five seconds later anyway.
 */
function stopGracefully(app: INestApplication, config: AppConfig, logger: Logger): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const server = app.getHttpServer() as Server;
    logger.log(`${signal} ontvangen: geen nieuwe verzoeken meer; lopende verzoeken krijgen ${config.SHUTDOWN_TIMEOUT_SECONDS} s`);
    const deadline = setTimeout(() => {
      logger.warn(`Na ${config.SHUTDOWN_TIMEOUT_SECONDS} s nog niet klaar: open verbindingen worden gesloten`);
      server.closeAllConnections();
      setTimeout(() => {
        logger.error('Afsluiten blijft hangen: het proces stopt nu');
        process.exit(1);
      }, 5_000).unref();
    }, config.SHUTDOWN_TIMEOUT_SECONDS * 1000);
    deadline.unref();
    app.close().then(
      () => {
        clearTimeout(deadline);
        logger.log('Afgesloten.');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error(`Afsluiten mislukt: ${(error as Error)?.message}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof DatabaseInUseError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`Starten mislukt: ${(error as Error)?.stack ?? String(error)}\n`);
  }
  process.exit(1);
});
