/**
 * Closes, after each test, the browser contexts that test opened (those of the file's `beforeAll` stay). In the full
 * browser's headless mode every open page kept a renderer process busy, about a sixth of a core here even on a blank
 * page, so the pages a file's tests left open added up: by the end of a file of sixteen journeys the browser alone
 * wanted more than the machine's two cores. The headless shell the tests now prefer idles, but each page still holds
 * a process and its memory. Browsers register themselves in `launchBrowser` (test/support/browser.ts).
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
