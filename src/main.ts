import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { createApp } from './bootstrap';
import { ConfigError, loadConfig } from './config/app-config';
import { DatabaseInUseError } from './database/embedded-database';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  await app.listen(config.PORT, config.HOST);
  const logger = new Logger('Verzuimloket');
  logger.log(`Klaar op ${config.PUBLIC_URL} (API-documentatie: ${config.PUBLIC_URL}/api/docs)`);
  // On a first start there is nobody who can sign in: say how to make the first operator.
  const [{ n }] = await app.get<DataSource>(getDataSourceToken()).query(
    `SELECT count(*)::int AS n FROM user_account u JOIN organisation o ON o.id = u.organisation_id WHERE o.type = 'OPERATOR' AND u.status <> 'DISABLED'`,
  );
  if (n === 0) {
    logger.warn(
      'Er is nog geen account voor functioneel beheer. Maak het eerste met: npm run cli -- create-operator --username <naam> ' +
        '--name "<volledige naam>" --email <adres>' + (config.usesEmbeddedDatabase ? ' (stop eerst de service: de ingebouwde database bedient één proces)' : ''),
    );
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof DatabaseInUseError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`Starten mislukt: ${(error as Error)?.stack ?? String(error)}\n`);
  }
  process.exit(1);
});
