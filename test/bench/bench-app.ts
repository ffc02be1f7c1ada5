import type { INestApplication } from '@nestjs/common';
import { createApp } from '../../src/bootstrap';
import { loadConfig } from '../../src/config/app-config';
import globalSetup from '../support/global-setup';
import globalTeardown from '../support/global-teardown';
import { createTestDatabase } from '../support/test-database';

export interface BenchApp {
  app: INestApplication;
  /** The app's address, e.g. http://127.0.0.1:41234. */
  base: string;
  /** Which database it runs on, for the printed figures. */
  mode: string;
  /** Closes the app and drops its database. */
  stop(): Promise<void>;
}

/**
 * A benchmark's application, as the tests start theirs: the template database migrated once, a clone of it for this
 * run, the app listening on a free loopback port with only errors logged. `env` adds to or overrides the settings.
 */
export async function startBenchApp(env: Record<string, string> = {}): Promise<BenchApp> {
  await globalSetup();
  const db = await createTestDatabase();
  const app = await createApp(loadConfig({ ...db.env, LOG_LEVEL: 'error', MAIL_WORKER: 'false', ...env }), { logger: false });
  await app.listen(0, '127.0.0.1');
  return {
    app,
    base: await app.getUrl(),
    mode: process.env.VZL_TEST_EMBEDDED ? 'embedded PGlite' : 'PostgreSQL',
    async stop() {
      await app.close();
      await db.drop();
      await globalTeardown();
    },
  };
}
