/**
 * Closes, after each test, the browser contexts that test opened (those of the file's `beforeAll` stay). In the full
 * browser's headless mode every open page kept a renderer process busy, about a sixth of a core here even on a blank
 * page, so the pages a file's tests left open added up: by the end of a file of sixteen journeys the browser alone
 * wanted more than the machine's two cores. The headless shell the tests now prefer idles, but each page still holds
 * a process and its memory. `launchBrowser` (test/support/browser.ts) registers each browser here; the hooks below
 * come with the import, into every test file that uses the browser.
 */
import type { Browser, BrowserContext } from 'playwright-core';

const browsers = new Set<Browser>();
let before = new Set<BrowserContext>();

/** Makes `browser`'s contexts subject to closing after each test, for as long as it is connected. */
export function registerBrowser(browser: Browser): void {
  browsers.add(browser);
  browser.on('disconnected', () => browsers.delete(browser));
}

const contexts = (): BrowserContext[] => [...browsers].flatMap((b) => (b.isConnected() ? b.contexts() : []));

beforeEach(() => {
  before = new Set(contexts());
});

afterEach(async () => {
  await Promise.all(contexts().filter((c) => !before.has(c)).map((c) => c.close().catch(() => undefined)));
});
