import { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { AppConfig } from '../src/config/app-config';
import { Report } from '../src/reports/report.entity';
import { describeWithBrowser, launchBrowser, listen, openSignedIn, signInPage } from './support/browser';
import { activePerson, Person } from './support/people';
import { movableClock } from './support/movable-clock';
import { TestApp, TestSchool } from './support/test-app';

/** Issue 10, item 1: what a person typed survives a session that ended before they sent it. */
describeWithBrowser('Input kept across an ended session, in a real browser', () => {
  jest.setTimeout(180_000);
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let school: TestSchool;
  /** Moves the service's clock on: past the idle time, or half a minute so that a person may sign in again. */
  const { later, restore } = movableClock();

  beforeAll(async () => {
    t = await TestApp.start();
    base = await listen(t);
    school = await t.newSchool('Bewaarschool');
    browser = await launchBrowser();
  });
  afterAll(async () => {
    restore();
    await browser?.close();
    await t?.stop();
  });

  const melder = (username: string) => activePerson(t, school.org.code, { username, email: `${username}@school.example`, roles: ['melder', 'lezer'] });
  const idle = () => t.app.get(AppConfig).SESSION_IDLE_MINUTES;

  async function fillSome(page: Page): Promise<void> {
    await page.getByLabel('BSN of onderwijsnummer').fill('123456782');
    await page.getByLabel('Voorletters').fill('K.');
    await page.getByLabel('Achternaam').fill('Bewaard');
    await page.getByLabel('Reden van het verzuim').fill('Komt niet meer, ouders onbereikbaar');
    await page.getByLabel('Vestiging').selectOption(`${school.org.code}${school.location.code}`);
  }

  async function expectFilled(page: Page): Promise<void> {
    await expect(page.getByLabel('BSN of onderwijsnummer').inputValue()).resolves.toBe('123456782');
    await expect(page.getByLabel('Voorletters').inputValue()).resolves.toBe('K.');
    await expect(page.getByLabel('Achternaam').inputValue()).resolves.toBe('Bewaard');
    await expect(page.getByLabel('Reden van het verzuim').inputValue()).resolves.toBe('Komt niet meer, ouders onbereikbaar');
    await expect(page.getByLabel('Vestiging').inputValue()).resolves.toBe(`${school.org.code}${school.location.code}`);
    await expect(page.getByRole('status').textContent()).resolves.toContain('staat weer in het formulier');
  }

  const keptNotice = 'Uw sessie was verlopen; meld u opnieuw aan, uw invoer is bewaard';
  const signInUrl = () => `${base}/aanmelden?terug=${encodeURIComponent('/meldingen/nieuw')}&verlopen=bewaard`;

  it('keeps the filing form across an expired session, for the same person, filled in and not sent; once', async () => {
    const kim = await melder('kim.bewaar');
    const page = await openSignedIn(browser, base, kim, '/meldingen/nieuw');
    await fillSome(page);
    later(idle() + 1);
    await page.getByRole('button', { name: 'Melding versturen' }).click();
    await page.waitForURL(`${base}/aanmelden?terug=${encodeURIComponent('/meldingen/nieuw')}&verlopen=bewaard`);
    await expect(page.getByRole('status').textContent()).resolves.toContain(keptNotice);
    // Nothing of it in the address, and only sealed in the database.
    expect(page.url()).not.toMatch(/Bewaard|123456782/);
    const rows: { sealed: Buffer; user_id: string }[] = await t.db.query(`SELECT sealed, user_id FROM kept_input`);
    expect(rows.map((r) => r.user_id)).toEqual([kim.user.id]);
    expect(rows[0].sealed.toString('latin1')).not.toMatch(/Bewaard|123456782/);

    await signInPage(page, kim);
    await page.waitForURL(`${base}/meldingen/nieuw`);
    await expectFilled(page);
    await expect(t.db.getRepository(Report).count()).resolves.toBe(0);
    // Given back once: a reload shows the empty form, and nothing is left in the table.
    await page.reload();
    await expect(page.getByLabel('Achternaam').inputValue()).resolves.toBe('');
    await expect(t.db.query(`SELECT count(*)::int AS n FROM kept_input`)).resolves.toEqual([{ n: 0 }]);
    await page.close();
  });

  it('keeps the form when the person signed out in another tab', async () => {
    later(1);
    const kees = await melder('kees.tabblad');
    const page = await openSignedIn(browser, base, kees, '/meldingen/nieuw');
    const other = await page.context().newPage();
    await other.goto(`${base}/`);
    await other.getByRole('button', { name: 'Afmelden' }).click();
    await other.waitForURL(`${base}/aanmelden`);
    await fillSome(page);
    await page.getByRole('button', { name: 'Melding versturen' }).click();
    await page.waitForURL(signInUrl());
    await expect(page.getByRole('status').textContent()).resolves.toContain(keptNotice);
    later(1);
    await signInPage(page, kees);
    await page.waitForURL(`${base}/meldingen/nieuw`);
    await expectFilled(page);
    await page.context().close();
  });

  it('after a sign-out in another tab, gives the kept form to no one else who signs in on that browser', async () => {
    later(1);
    const ilse: Person = await melder('ilse.uitgelogd');
    const other: Person = await melder('otto.ander');
    const page = await openSignedIn(browser, base, ilse, '/meldingen/nieuw');
    const tab = await page.context().newPage();
    await tab.goto(`${base}/`);
    await tab.getByRole('button', { name: 'Afmelden' }).click();
    await tab.waitForURL(`${base}/aanmelden`);
    await fillSome(page);
    await page.getByRole('button', { name: 'Melding versturen' }).click();
    await page.waitForURL(signInUrl());
    // Kept for Ilse, named by the form's CSRF token of her ended session.
    await expect(t.db.query(`SELECT user_id FROM kept_input WHERE purpose = 'FORM'`)).resolves.toEqual([{ user_id: ilse.user.id }]);
    later(1);
    await signInPage(page, other);
    await page.waitForURL(`${base}/meldingen/nieuw`);
    await expect(page.getByLabel('Achternaam').inputValue()).resolves.toBe('');
    await expect(page.getByText('staat weer in het formulier').count()).resolves.toBe(0);
    await expect(t.db.query(`SELECT count(*)::int AS n FROM kept_input WHERE purpose = 'FORM'`)).resolves.toEqual([{ n: 0 }]);
    await page.context().close();
  });

  it('keeps no form whose person cannot be known, and says so', async () => {
    const sent = await request(t.http).post('/meldingen/nieuw').type('form').set('Referer', `${base}/meldingen/nieuw`)
      .send({ _csrf: 'x'.repeat(32), 'pupil.surname': 'Onbekend', reason: 'Van niemand' }).expect(303);
    expect(sent.headers.location).toBe(`/aanmelden?terug=${encodeURIComponent('/meldingen/nieuw')}`);
    await expect(t.db.query(`SELECT count(*)::int AS n FROM kept_input WHERE purpose = 'FORM'`)).resolves.toEqual([{ n: 0 }]);
  });

  it('gives the kept input to no one else who signs in on that browser', async () => {
    later(1);
    const first: Person = await melder('fleur.eerst');
    const second: Person = await melder('sam.tweede');
    const page = await openSignedIn(browser, base, first, '/meldingen/nieuw');
    await fillSome(page);
    later(idle() + 1);
    await page.getByRole('button', { name: 'Melding versturen' }).click();
    await page.waitForURL(signInUrl());
    await signInPage(page, second);
    await page.waitForURL(`${base}/meldingen/nieuw`);
    await expect(page.getByLabel('Achternaam').inputValue()).resolves.toBe('');
    await expect(page.getByText('staat weer in het formulier').count()).resolves.toBe(0);
    await expect(t.db.query(`SELECT count(*)::int AS n FROM kept_input WHERE user_id = $1`, [first.user.id])).resolves.toEqual([{ n: 0 }]);
    await page.close();
  });
});
