import { join } from 'node:path';
import { Browser } from 'playwright-core';
import { clock } from '../src/common/clock';
import { AccountsService } from '../src/identity/accounts.service';
import { codeAt } from '../src/identity/credentials/totp';
import { describeWithBrowser, expectAccessible, launchBrowser, listen, SCREENSHOTS, signInPage as signIn } from './support/browser';
import { activePerson, Person } from './support/people';
import { bsn, bornAged, daysAgo, reportBody, TestApp, TestSchool } from './support/test-app';

describeWithBrowser('the portal, in a real browser', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let school: TestSchool;
  let melder: Person;
  let officer: Person;

  beforeAll(async () => {
    t = await TestApp.start();
    base = await listen(t);
    school = await t.newSchool('Portaalschool');
    melder = await activePerson(t, school.org.code, { username: 'mila.melder', email: 'mila@school.example', roles: ['melder'] });
    officer = await activePerson(t, 'GM0363', { username: 'olaf.leerplicht', email: 'olaf@amsterdam.example', roles: ['behandelaar'] });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('lets a verzuimcoördinator file a report, bringing them back to the form after signing in and keeping what they typed after an error', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${base}/meldingen/nieuw`);
    await page.waitForURL(/\/aanmelden\?terug=%2Fmeldingen%2Fnieuw/);
    await page.screenshot({ path: join(SCREENSHOTS, 'aanmelden.png'), fullPage: true });
    await signIn(page, melder);
    await page.waitForURL(`${base}/meldingen/nieuw`);
    await expect(page.title()).resolves.toBe('Verzuim melden - Verzuimloket');
    await expectAccessible(page);

    // Sent half-filled: one summary at the top, linking to each field; the message beside the field; values kept.
    await page.getByLabel('Achternaam').fill('Zonnebloem');
    await page.getByLabel('BSN of onderwijsnummer').fill('123456789');
    await page.getByRole('button', { name: 'Melding versturen' }).click();
    await page.locator('#foutmeldingen').waitFor();
    await expect(page.title()).resolves.toBe('Fout: Verzuim melden - Verzuimloket');
    const summary = page.getByRole('alert');
    await expect(summary.getByRole('link', { name: /^BSN of onderwijsnummer: / }).count()).resolves.toBe(1);
    await expect(summary.getByRole('link', { name: /^Voorletters: / }).count()).resolves.toBe(1);
    await expect(page.getByLabel('Achternaam').inputValue()).resolves.toBe('Zonnebloem');
    await expect(page.locator('#veld-pupil-pgn').getAttribute('aria-invalid')).resolves.toBe('true');
    await expectAccessible(page);
    await summary.getByRole('link', { name: /^Voorletters: / }).click();
    await expect(page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id)).resolves.toBe('veld-pupil-initials');

    const body = reportBody(school, {}, { pgn: bsn(8080) });
    await page.getByLabel('BSN of onderwijsnummer').fill(body.pupil.pgn as string);
    await page.getByLabel('Voorletters').fill('Z.');
    await page.getByLabel('Jongen / man').check();
    await page.getByLabel('Geboortedatum').fill(bornAged(13));
    await page.getByLabel('Straat').fill('Bloemgracht');
    await page.getByLabel('Huisnummer').fill('12');
    await page.getByLabel('Postcode').fill('1015 TK');
    await page.getByLabel('Woonplaats').fill('Amsterdam');
    await page.getByLabel('Gemeente van het adres').selectOption('GM0363');
    await page.getByLabel('16 uur ongeoorloofd verzuim in 4 opeenvolgende lesweken').check();
    await page.getByLabel('Reden van het verzuim').fill('Komt steeds het eerste uur niet');
    await page.getByLabel('Eerste dag van het verzuim').fill(daysAgo(20));
    await page.getByLabel('Laatste dag van het verzuim').fill(daysAgo(2));
    await page.getByLabel('Aantal lesuren gemist').fill('16');
    await page.getByLabel('Vestiging').selectOption(`${school.org.code}01`);
    await page.getByLabel('Melder', { exact: true }).selectOption(school.reporter.id);
    await page.screenshot({ path: join(SCREENSHOTS, 'verzuim-melden.png'), fullPage: true });
    await page.getByRole('button', { name: 'Melding versturen' }).click();
    await page.waitForURL(/\/meldingen\/\d+\?gedaan=gemeld$/);
    await expect(page.getByRole('status').textContent()).resolves.toMatch(/Melding \d+ is verstuurd naar de ontvanger\./);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toMatch(/^Melding \d+: 16 uur/);
    await expectAccessible(page);
    await page.close();
  });

  it('lets an officer work through the inbox: open a report, reply, take it into handling and close it with a reason', async () => {
    const filed = await school.post('/api/v1/reports', reportBody(school, {}, { pgn: bsn(9090) })).expect(201);
    const n = filed.body.number;
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${base}/`);
    await signIn(page, officer);
    await page.waitForURL(`${base}/`);
    await expect(page.getByRole('link', { name: /nieuw, nog niet in behandeling/ }).textContent()).resolves.toMatch(/^\s*[1-9]\d*/);
    await expect(page.getByRole('table', { name: /Meldingen per maand/ }).isVisible()).resolves.toBe(true);
    await expectAccessible(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'start-leerplicht.png'), fullPage: true });

    await page.getByRole('link', { name: 'Meldingen', exact: true }).click();
    await expectAccessible(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'meldingen.png'), fullPage: true });
    await page.getByRole('link', { name: `Melding ${n}`, exact: true }).click();
    await page.waitForURL(`${base}/meldingen/${n}`);
    await expectAccessible(page);

    await page.getByLabel('Nieuw bericht').fill('Wij nemen contact op met de ouders.');
    await page.getByRole('button', { name: 'Bericht versturen' }).click();
    await page.waitForURL(`${base}/meldingen/${n}?gedaan=bericht`);
    await expect(page.getByRole('status').textContent()).resolves.toContain('Uw bericht is verstuurd.');
    await expect(page.locator('.vzl-message').first().textContent()).resolves.toBe('Wij nemen contact op met de ouders.');

    await page.getByLabel('In behandeling').check();
    await page.getByRole('button', { name: 'Status opslaan' }).click();
    await page.waitForURL(`${base}/meldingen/${n}?gedaan=status`);
    await expect(page.getByRole('status').textContent()).resolves.toContain('De status is opgeslagen.');

    // Closing without a reason: the error names the field.
    await page.getByLabel('Afgesloten').check();
    await page.getByRole('button', { name: 'Status opslaan' }).click();
    await page.waitForURL(`${base}/meldingen/${n}/status`);
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Reden van afsluiten');
    await expectAccessible(page);
    await page.getByLabel('Afgesloten').check();
    await page.getByLabel('Reden van afsluiten').selectOption('TERUG_NAAR_SCHOOL');
    await page.getByLabel('Toelichting bij afsluiten').selectOption('GEZIEN');
    await page.getByRole('button', { name: 'Status opslaan' }).click();
    await page.waitForURL(`${base}/meldingen/${n}?gedaan=status`);
    await expect(page.getByRole('status').textContent()).resolves.toContain('De status is opgeslagen.');
    await expect(page.locator('.vzl-status').textContent()).resolves.toBe('Afgesloten');
    await page.screenshot({ path: join(SCREENSHOTS, 'melding.png'), fullPage: true });
    await expectAccessible(page);
    await page.close();
  });

  it('takes a new person from the e-mailed activation link to a first sign-in, with the QR code on the page', async () => {
    await t.app.get(AccountsService).appoint('GM0363', { username: 'nadia.nieuw', name: 'Nadia Nieuw', email: 'nadia@amsterdam.example' }, 'LINK');
    const code = await t.mailedActivationCode('nadia@amsterdam.example');
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${base}/activeren?code=${code}`);
    await expect(page.content()).resolves.toContain('nadia.nieuw');
    await expectAccessible(page);
    await page.getByLabel('Kies een wachtwoord').fill('welkom123');
    await page.getByRole('button', { name: 'Volgende' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Wachtwoord');
    await expectAccessible(page);
    await page.getByLabel('Kies een wachtwoord').fill('drie lange woorden voor de lente');
    await page.getByRole('button', { name: 'Volgende' }).click();
    await page.locator('.vzl-qr svg').waitFor();
    await expect(page.getByRole('img', { name: /QR-code/ }).locator('svg').count()).resolves.toBe(1);
    await expectAccessible(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'activeren.png'), fullPage: true });
    const secret = (await page.locator('.vzl-secret').textContent())!.trim();
    await page.getByLabel('Code uit uw app of token').fill('000000');
    await page.getByRole('button', { name: 'Token koppelen' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Code');
    await page.getByLabel('Code uit uw app of token').fill(codeAt(secret));
    await page.getByRole('button', { name: 'Token koppelen' }).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Uw account is actief');
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Naar aanmelden' }).click();
    await page.getByLabel('Gebruikersnaam').fill('nadia.nieuw');
    await page.getByLabel('Wachtwoord').fill('drie lange woorden voor de lente');
    await page.getByRole('button', { name: 'Volgende' }).click();
    // Half a minute later, as it would be: the code used to confirm is never accepted again.
    const real = clock.now;
    clock.now = () => new Date(real().getTime() + 30_000);
    try {
      await page.getByLabel('Code uit uw app of token').fill(codeAt(secret, clock.now()));
      await page.getByRole('button', { name: 'Aanmelden' }).click();
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Welkom, Nadia Nieuw');
    } finally {
      clock.now = real;
    }
    await page.close();
  });

  it("shows another organisation's report to nobody, by its address or otherwise", async () => {
    const other = await t.newSchool('Andere portaalschool');
    const filed = await other.post('/api/v1/reports', reportBody(other, {}, { pgn: bsn(7070), registeredAddress: { street: 'Oudegracht', houseNumber: 1, postcode: '3511 AA', place: 'Utrecht', municipalityCode: 'GM0344' } })).expect(201);
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${base}/meldingen/${filed.body.number}`);
    const second = await activePerson(t, school.org.code, { username: 'max.melder', email: 'max@school.example', roles: ['melder'] });
    await signIn(page, second);
    await page.waitForURL(`${base}/meldingen/${filed.body.number}`);
    await expect(page.title()).resolves.toBe('Niet gevonden - Verzuimloket');
    await expect(page.content()).resolves.not.toContain('Oudegracht');
    await expectAccessible(page);
    await page.close();
  });
});
