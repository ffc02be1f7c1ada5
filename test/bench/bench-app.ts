import type { INestApplication } from '@nestjs/common';
import { createApp } from '../../src/bootstrap';
import { loadConfig } from '../../src/config/app-config';
import globalSetup from '../support/global-setup';
import globalTeardown from '../support/global-teardown';
import { createTestDatabase } from '../support/test-database';
import { bornAged, bsn, daysAgo } from '../support/test-app';

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

/** The body of the i-th report a benchmark files over the API: a pupil of its own, living in Amsterdam, luxury absence. */
export function benchReportBody(i: number, p: { pgnFrom: number; surname: string; locationCode: string; reporterId: string; emailCopies: 'MELDER' | 'BEIDE' }): object {
  return {
    pupil: {
      pgn: bsn(p.pgnFrom + i * 7), initials: 'B.', surname: `${p.surname}${i}`, sex: i % 2 ? 'M' : 'V', birthDate: bornAged(8 + (i % 9)),
      registeredAddress: { street: 'Straat', houseNumber: 1 + (i % 200), postcode: '1012 AB', place: 'Amsterdam', municipalityCode: 'GM0363' },
    },
    kind: 'LUXE', reason: 'Vakantie buiten de schoolvakanties', beginDate: daysAgo(10), allLessonsMissed: true, actionWanted: true,
    locationCode: p.locationCode, reporterId: p.reporterId, emailCopies: p.emailCopies,
  };
}
