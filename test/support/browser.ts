import AxeBuilder from '@axe-core/playwright';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';
import { clock } from '../../src/common/clock';
import request from 'supertest';
import { codeAt } from '../../src/identity/credentials/totp';
import { PASSWORD, Person } from './people';
import { TestApp } from './test-app';

/** Debian's Chromium (installed by .ci/run); the tests never download a browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The README's pictures, renewed with UPDATE_SCREENSHOTS=1; other runs write them where git does not look. */
export const SCREENSHOTS = join(__dirname, '..', '..', process.env.UPDATE_SCREENSHOTS ? 'docs/screenshots' : 'test-results/screenshots');
/** In CI a missing browser fails the suite; elsewhere (a laptop without Chromium) the browser tests are skipped. */
export const describeWithBrowser = existsSync(CHROMIUM) || process.env.CI ? describe : describe.skip;

export async function launchBrowser(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
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
export async function expectAccessible(page: Page): Promise<void> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const found = result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  expect({ url: page.url(), violations: found }).toEqual({ url: page.url(), violations: [] });
}

/** Whether this test file has had the two sign-in steps checked with axe: once per file is enough, they do not vary. */
let signInChecked = false;

/**
 * Signs in on the sign-in page the browser is on (both steps checked with axe, the first time in a test file: the
 * same two pages every time, and axe costs a second or two of CPU per page). A time step once used is never accepted
 * again: one person signs in once per 30 seconds, so give each journey its own person.
 */
export async function signInPage(page: Page, person: Person): Promise<void> {
  const check = !signInChecked;
  signInChecked = true;
  if (check) await expectAccessible(page);
  await page.getByLabel('Gebruikersnaam').fill(person.user.username);
  await page.getByLabel('Wachtwoord').fill(PASSWORD);
  await page.getByRole('button', { name: 'Volgende' }).click();
  if (check) await expectAccessible(page);
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
