import { generateSync } from '@otplib/totp';
import { NodeCryptoPlugin } from '@otplib/plugin-crypto-node';
import { Browser, Page } from 'playwright-core';
import { clock } from '../src/common/clock';
import { FirstRunService } from '../src/identity/first-run.service';
import { describeWithBrowser, expectAccessible, launchBrowser, listen } from './support/browser';
import { TestApp } from './support/test-app';

/** RFC 4648 base32 (what the page shows as the key to type in) to bytes, independently of the service's own code. */
function base32(text: string): Uint8Array {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/\s/g, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  return Uint8Array.from(bits.match(/.{8}/g)!.map((b) => parseInt(b, 2)));
}
/** The code an authenticator app shows for the key, computed by otplib. */
const appCode = (key: string, at: Date) => generateSync({ secret: base32(key), crypto: new NodeCryptoPlugin(), algorithm: 'sha1', digits: 6, period: 30, epoch: Math.floor(at.getTime() / 1000) });

/** Nothing sticks out sideways (run in the page, as text: the tests compile without the DOM's types). */
const FITS = 'document.documentElement.scrollWidth <= window.innerWidth';

/** Issue 10, "First run": the link from the log, in Chromium, on a phone (320 px) and on a desktop. */
describeWithBrowser('The first run in a real browser', () => {
  jest.setTimeout(180_000);
  const real = clock.now;
  let shift = 0;
  const later = (seconds: number) => {
    shift += seconds * 1000;
    clock.now = () => new Date(real().getTime() + shift);
  };
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    clock.now = real;
    await browser?.close();
  });

  async function firstRun(viewport: { width: number; height: number }, username: string): Promise<void> {
    const t = await TestApp.start();
    try {
      const base = await listen(t);
      const link = (await t.app.get(FirstRunService).issueIfNeeded())!;
      const path = new URL(link.url).pathname;
      const page: Page = await (await browser.newContext({ viewport })).newPage();
      await page.goto(`${base}${path}`);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Verzuimloket inrichten');
      await expectAccessible(page);
      // WCAG 1.4.10 at 320 px.
      await expect(page.evaluate(FITS)).resolves.toBe(true);

      // A refusal first: every field named, and what was typed is kept.
      await page.getByLabel('Naam', { exact: true }).fill('Fenna Beheer');
      await page.getByLabel('Gebruikersnaam').fill(username);
      await page.getByLabel('E-mailadres').fill('fenna@operator.example');
      await page.getByLabel('Wachtwoord').fill('kort');
      await page.getByRole('button', { name: 'Volgende' }).click();
      await expect(page.getByRole('alert').textContent()).resolves.toContain('Wachtwoord:');
      await expect(page.getByLabel('Gebruikersnaam').inputValue()).resolves.toBe(username);
      await expectAccessible(page);

      const password = 'de zon schijnt op het plein 2026';
      await page.getByLabel('Wachtwoord').fill(password);
      await page.getByRole('button', { name: 'Volgende' }).click();
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Token koppelen');
      await expect(page.locator('.vzl-qr svg').count()).resolves.toBe(1);
      await expectAccessible(page);
      await expect(page.evaluate(FITS)).resolves.toBe(true);
      const key = (await page.locator('.vzl-secret').textContent())!.trim();
      await page.getByLabel('Code uit uw app of token').fill(appCode(key, clock.now()));
      await page.getByRole('button', { name: 'Token koppelen' }).click();
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Uw account is actief');

      // The link is dead: the same page for it as for any other token.
      await page.goto(`${base}${path}`);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Verzuimloket is al ingericht');
      await expectAccessible(page);

      // Signing in with the new account, with a code of a later time step, lands on the operator's start.
      later(31);
      await page.getByRole('link', { name: 'Naar aanmelden' }).click();
      await page.getByLabel('Gebruikersnaam').fill(username);
      await page.getByLabel('Wachtwoord').fill(password);
      await page.getByRole('button', { name: 'Volgende' }).click();
      await page.getByLabel('Code uit uw app of token').fill(appCode(key, clock.now()));
      await page.getByRole('button', { name: 'Aanmelden' }).click();
      await page.waitForURL(`${base}/`);
      await expect(page.getByRole('button', { name: 'Afmelden' }).count()).resolves.toBe(1);
      await expect(page.getByText('Organisaties').count()).resolves.toBeGreaterThan(0);
      await page.context().close();
    } finally {
      await t.stop();
    }
  }

  it('makes the first operator on a phone 320 px wide', () => firstRun({ width: 320, height: 640 }, 'fenna.telefoon'));
  it('makes the first operator on a desktop', () => firstRun({ width: 1280, height: 800 }, 'fenna.bureau'));
});
