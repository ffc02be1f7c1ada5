import { join } from 'node:path';
import { Browser } from 'playwright-core';
import { describeWithBrowser, expectAccessible, launchBrowser, listen, openSignedIn, SCREENSHOTS } from './support/browser';
import { activePerson, Person } from './support/people';
import { TestApp } from './support/test-app';
import { WebhookReceiver } from './support/webhook-receiver';

describeWithBrowser('Beheer webhooks, in a real browser', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let receiver: WebhookReceiver;
  let beheerder: Person;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    t = await TestApp.start({ WEBHOOK_WORKER: 'true', WEBHOOK_POLL_MS: '100' });
    base = await listen(t);
    beheerder = await activePerson(t, 'GM0363', { username: 'wim.webhook', email: 'wim@amsterdam.example', roles: ['beheerder'] });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
    await receiver?.stop();
  });

  it('registers an endpoint, shows its secret once, sends a test event, shows the log, redelivers, rotates, switches off and removes', async () => {
    const page = await openSignedIn(browser, base, beheerder, '/beheer');
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.waitForURL(`${base}/beheer/webhooks`);
    await expectAccessible(page);

    // Wrong address, no types: both named, what was typed stays.
    await page.getByLabel('Adres (URL)').fill('http://zaaksysteem.example.nl/hook');
    for (const box of await page.getByRole('checkbox').all()) await box.uncheck();
    await page.getByRole('button', { name: 'Endpoint registreren' }).click();
    const summary = page.getByRole('alert');
    await expect(summary.getByRole('link', { name: /^Adres \(URL\): moet met https:\/\/ beginnen/ }).count()).resolves.toBe(1);
    await expect(summary.getByRole('link', { name: /^Soorten wijzigingen: / }).count()).resolves.toBe(1);
    await expect(page.getByLabel('Adres (URL)').inputValue()).resolves.toBe('http://zaaksysteem.example.nl/hook');
    await expectAccessible(page);

    await page.getByLabel('Adres (URL)').fill(receiver.url('/zaaksysteem'));
    await page.getByLabel('Omschrijving').fill('Zaaksysteem leerplicht');
    await page.getByLabel(/^Nieuwe melding/).check();
    await page.getByRole('button', { name: 'Endpoint registreren' }).click();
    await page.getByRole('heading', { name: 'Het geheim van dit endpoint' }).waitFor();
    const secret = await page.getByRole('textbox', { name: 'Geheim' }).inputValue();
    expect(secret).toMatch(/^whsec_/);
    receiver.expect('/zaaksysteem', secret);
    await expectAccessible(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'beheer-webhook.png'), fullPage: true });

    await page.getByRole('button', { name: 'Testbericht sturen' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('Het testbericht staat klaar');
    await receiver.waitFor('het testbericht', () => receiver.delivered('/zaaksysteem').length === 1);
    await page.reload();
    const row = page.getByRole('row', { name: /Testbericht/ });
    await expect(row.textContent()).resolves.toMatch(/Bezorgd.*1.*204/s);
    await expect(page.content()).resolves.not.toContain(secret);
    await expectAccessible(page);

    await row.getByRole('button', { name: /^Opnieuw bezorgen/ }).click();
    await receiver.waitFor('de herbezorging', () => receiver.delivered('/zaaksysteem').length === 2);
    expect(receiver.delivered('/zaaksysteem')[1].id).toBe(receiver.delivered('/zaaksysteem')[0].id);

    await page.getByLabel(/oude geheim werkt direct niet meer/).check();
    await page.getByRole('button', { name: 'Nieuw geheim maken' }).click();
    const rotated = await page.getByRole('textbox', { name: 'Geheim' }).inputValue();
    expect(rotated).not.toBe(secret);

    await page.getByRole('button', { name: 'Uitzetten' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('Het endpoint staat uit');
    await expect(page.getByRole('button', { name: 'Testbericht sturen' }).count()).resolves.toBe(0);
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Endpoint verwijderen' }).click();
    await page.waitForURL(`${base}/beheer/webhooks?gedaan=verwijderd`);
    await expect(page.getByText('Uw organisatie heeft nog geen webhooks.').count()).resolves.toBe(1);
    expect(receiver.unverified).toEqual([]);
  }, 150_000);
});
