/**
 * Closes, after each test, the browser contexts that test opened (those of the file's `beforeAll` stay). Every open
 * page keeps a Chromium renderer process busy, about a sixth of a core here even on a blank page, so the pages a
 * file's tests left open added up: by the end of a file of sixteen journeys the browser alone wanted more than the
 * machine's two cores. Browsers register themselves in `launchBrowser` (test/support/browser.ts).
 */
import type { Browser, BrowserContext } from 'playwright-core';

const registry = globalThis as typeof globalThis & { __vzlBrowsers?: Set<Browser> };
let before = new Set<BrowserContext>();

const contexts = (): BrowserContext[] => [...(registry.__vzlBrowsers ?? [])].flatMap((b) => (b.isConnected() ? b.contexts() : []));

beforeEach(() => {
  before = new Set(contexts());
});

afterEach(async () => {
  await Promise.all(contexts().filter((c) => !before.has(c)).map((c) => c.close().catch(() => undefined)));
});
