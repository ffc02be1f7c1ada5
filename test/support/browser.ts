import axe from 'axe-core';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';
import { clock } from '../../src/common/clock';
import request from 'supertest';
import { codeAt } from '../../src/identity/credentials/totp';
import { registerBrowser } from './close-pages';
import { PASSWORD, Person } from './people';
import { TestApp } from './test-app';

/**
 * Debian's Chromium (installed by .ci/run); the tests never download a browser. Its headless shell when installed
 * (Debian's chromium-headless-shell, the same Chromium built for automation, which Playwright also prefers): the full
 * browser's headless mode here cost three to four times its CPU per page, and every open page of a browser context kept
 * about a sixth of a core busy doing nothing (docs/testing.md).
 */
export const CHROMIUM =
  process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium-headless-shell', '/usr/bin/chromium'].find((path) => existsSync(path)) ?? '/usr/bin/chromium';
/** The README's pictures, renewed with UPDATE_SCREENSHOTS=1; other runs write them where git does not look. */
export const SCREENSHOTS = join(__dirname, '..', '..', process.env.UPDATE_SCREENSHOTS ? 'docs/screenshots' : 'test-results/screenshots');
/** In CI a missing browser fails the suite; elsewhere (a laptop without Chromium) the browser tests are skipped. */
export const describeWithBrowser = existsSync(CHROMIUM) || process.env.CI ? describe : describe.skip;

/** Launches Chromium, registered so that the contexts each test opens are closed after it (test/support/close-pages.ts). */
export async function launchBrowser(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  registerBrowser(browser);
  return browser;
}

/** The service listening on a free port, and its address for the browser. */
export async function listen(t: TestApp): Promise<string> {
  await t.app.listen(0, '127.0.0.1');
  return (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
}

/** A fresh page in its own context (own cookies): axe needs a page made by browser.newContext(). */
export async function newPage(browser: Browser): Promise<Page> {
  return (await browser.newContext()).newPage();
}

/** WCAG 2.1 A and AA, as Dutch public services must meet. */
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * The page's shape: every element's tag, classes, role, type and attribute names, and whether it holds text of its
 * own, in document order with its depth; not the text, ids or links. Two pages of the same template with the same
 * parts shown (an error summary, a list of three rows, a disabled button) have the same shape.
 */
const PAGE_SHAPE = `(() => {
  const parts = [];
  const walk = (el, depth) => {
    const names = Array.from(el.attributes, (a) => a.name).sort().join(',');
    const ownText = Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim() !== '');
    parts.push(depth + '<' + el.tagName + ' ' + (el.getAttribute('class') || '') + '|' + (el.getAttribute('role') || '') + '|' +
      (el.getAttribute('type') || '') + '|' + names + '|' + (ownText ? 't' : ''));
    for (const child of Array.from(el.children)) walk(child, depth + 1);
  };
  walk(document.documentElement, 0);
  return parts.join('\\n');
})()`;

/** Runs axe (injected before) in the page and lists the violations. */
const RUN_AXE = (tags: string[]): string => `(async () => {
  const result = await window.axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(tags)} } });
  return result.violations.map((v) => v.id + ': ' + v.help + ' (' + v.nodes.map((n) => n.target.join(' ')).join(', ') + ')');
})()`;

/**
 * The shapes axe has passed in this test run, at which viewport: a file per shape in a folder the global set-up
 * makes, so that the jest workers share it (without it, this process's own memory).
 */
const checkedHere = new Set<string>();
function alreadyChecked(key: string): boolean {
  const dir = process.env.VZL_TEST_AXE_DIR;
  return dir ? existsSync(join(dir, key)) : checkedHere.has(key);
}
function markChecked(key: string): void {
  const dir = process.env.VZL_TEST_AXE_DIR;
  if (dir) writeFileSync(join(dir, key), '');
  else checkedHere.add(key);
}

/**
 * Checks the page with axe-core against WCAG 2.1 A and AA. Axe costs a second or two of CPU per page on these two
 * cores, and most tests pass the same templates again (the sign-in steps in every file), so a page whose shape and
 * viewport have already passed in this run is not checked again; any page that differs in its elements, classes or
 * attributes is. Axe runs in the page itself (our pages have no frames).
 */
export async function expectAccessible(page: Page): Promise<void> {
  const viewport = page.viewportSize();
  const shape = (await page.evaluate(PAGE_SHAPE)) as string;
  const key = createHash('sha256').update(`${viewport?.width}x${viewport?.height}\n${shape}`).digest('hex');
  if (alreadyChecked(key)) return;
  if (!(await page.evaluate("'axe' in window"))) await page.evaluate(axe.source);
  const found = (await page.evaluate(RUN_AXE(WCAG_TAGS))) as string[];
  expect({ url: page.url(), violations: found }).toEqual({ url: page.url(), violations: [] });
  markChecked(key);
}

/**
 * Signs in on the sign-in page the browser is on (both steps checked with axe, which passes them quickly after the
 * first time in a run). A time step once used is never accepted again: one person signs in once per 30 seconds, so
 * give each journey its own person.
 */
export async function signInPage(page: Page, person: Person): Promise<void> {
  await expectAccessible(page);
  await page.getByLabel('Gebruikersnaam').fill(person.user.username);
  await page.getByLabel('Wachtwoord').fill(PASSWORD);
  await page.getByRole('button', { name: 'Volgende' }).click();
  await expectAccessible(page);
  await page.getByLabel('Code uit uw app of token').fill(codeAt(person.seed, clock.now()));
  await page.getByRole('button', { name: 'Aanmelden' }).click();
}

/** Opens `path` and signs in on the way: the portal sends an anonymous visitor to sign in and back. */
export async function openSignedIn(browser: Browser, base: string, person: Person, path = '/'): Promise<Page> {
  const page = await newPage(browser);
  await page.goto(`${base}${path}`);
  await signInPage(page, person);
  await page.waitForURL(`${base}${path}`);
  return page;
}

/**
 * A page in its own context, signed in as this person through the API's two steps (the sign-in pages have their own
 * tests), at this viewport (default: the browser's).
 */
export async function signedInPage(t: TestApp, browser: Browser, base: string, person: Person, viewport?: { width: number; height: number }): Promise<Page> {
  const agent = request.agent(t.http);
  await agent.post('/api/v1/session').send({ username: person.user.username, password: PASSWORD }).expect(200);
  const res = await agent.post('/api/v1/session/code').send({ code: codeAt(person.seed, clock.now()) }).expect(200);
  const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).map((c) => /^([^=;]*vzl_session)=([^;]+)/.exec(c)).find(Boolean)!;
  const context = await browser.newContext({ ...(viewport ? { viewport } : {}), acceptDownloads: true });
  await context.addCookies([{ name: cookie[1], value: cookie[2], url: base }]);
  return context.newPage();
}

/** The same, with the context options the report page tests pass (a viewport). */
export function pageSignedInAs(browser: Browser, t: TestApp, base: string, person: Person, options: { viewport?: { width: number; height: number } } = {}): Promise<Page> {
  return signedInPage(t, browser, base, person, options.viewport);
}
