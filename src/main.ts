import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './bootstrap';
import { ConfigError, loadConfig } from './config/app-config';
import { DatabaseInUseError } from './database/embedded-database';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  await app.listen(config.PORT, config.HOST);
  new Logger('Verzuimloket').log(`Klaar op ${config.PUBLIC_URL} (API-documentatie: ${config.PUBLIC_URL}/api/docs)`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof DatabaseInUseError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`Starten mislukt: ${(error as Error)?.stack ?? String(error)}\n`);
  }
  process.exit(1);
});
