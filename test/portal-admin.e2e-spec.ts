import { Browser } from 'playwright-core';
import { User } from '../src/identity/user.entity';
import { Location } from '../src/organisations/location.entity';
import { describeWithBrowser, expectAccessible, launchBrowser, listen, openSignedIn } from './support/browser';
import { activePerson } from './support/people';
import { bsn, reportBody, TestApp, TestSchool } from './support/test-app';

/** Issue 10: the location limit on an account (item 6) and withdrawing a report after asking once (item 8). */
describeWithBrowser('Beheer: location limits and confirmation, in a real browser', () => {
  jest.setTimeout(180_000);
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let school: TestSchool;
  let second: Location;
  let atMain: number;
  let atSecond: number;

  beforeAll(async () => {
    t = await TestApp.start();
    base = await listen(t);
    school = await t.newSchool('Limietschool');
    await school.post('/api/v1/locations', { code: '02', name: 'Limietschool dependance', municipalityCode: 'GM0363' }).expect(201);
    second = await t.db.getRepository(Location).findOneByOrFail({ schoolId: school.org.id, code: '02' });
    atMain = (await school.post('/api/v1/reports', reportBody(school, {}, { pgn: bsn(7001) })).expect(201)).body.number;
    atSecond = (await school.post('/api/v1/reports', reportBody(school, { locationCode: `${school.org.code}02` }, { pgn: bsn(7002) })).expect(201)).body.number;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  /** A person of the school limited to the dependance (02). */
  async function limited(username: string, roles: string[]) {
    const person = await activePerson(t, school.org.code, { username, email: `${username}@school.example`, roles });
    await t.db.getRepository(User).update(person.user.id, { locationIds: [second.id] });
    return person;
  }

  it('says what the location limit does, shows it on the account page, and applies it to a lezer', async () => {
    const lotte = await limited('lotte.lezer', ['lezer']);
    const bea = await activePerson(t, school.org.code, { username: 'bea.limiet', email: 'bea@school.example', roles: ['beheerder', 'melder', 'lezer'] });
    const admin = await openSignedIn(browser, base, bea, `/beheer/gebruikers/${lotte.user.id}`);
    const shown = await admin.locator('.vzl-data').textContent();
    expect(shown).toContain(`Locaties`);
    expect(shown).toContain(`Alleen Limietschool dependance (${school.org.code}02)`);
    await expect(admin.getByText('Geldt voor alle rollen: de persoon ziet alleen meldingen van de aangevinkte locaties').count()).resolves.toBe(1);
    await admin.goto(`${base}/beheer/gebruikers/${bea.user.id}`);
    await expect(admin.locator('.vzl-data').textContent()).resolves.toContain('Alle locaties van de school');
    await expectAccessible(admin);
    await admin.close();

    const page = await openSignedIn(browser, base, lotte, '/meldingen');
    await expect(page.getByRole('link', { name: `Melding ${atSecond}`, exact: true }).count()).resolves.toBe(1);
    await expect(page.getByRole('link', { name: `Melding ${atMain}`, exact: true }).count()).resolves.toBe(0);
    await expect(page.goto(`${base}/meldingen/${atSecond}`).then((r) => r?.status())).resolves.toBe(200);
    await expect(page.goto(`${base}/meldingen/${atMain}`).then((r) => r?.status())).resolves.toBe(404);
    await page.close();
  });

  it('applies the limit to a melder: files for that location only, sees only its reports', async () => {
    const mark = await limited('mark.melder', ['melder', 'lezer']);
    const page = await openSignedIn(browser, base, mark, '/meldingen/nieuw');
    const choices = await page.getByLabel('Vestiging').locator('option').allTextContents();
    expect(choices.filter((c) => c.includes(school.org.code))).toEqual([`Limietschool dependance (${school.org.code}02)`]);
    await page.goto(`${base}/meldingen`);
    await expect(page.getByRole('link', { name: `Melding ${atSecond}`, exact: true }).count()).resolves.toBe(1);
    await expect(page.getByRole('link', { name: `Melding ${atMain}`, exact: true }).count()).resolves.toBe(0);
    await expect(page.goto(`${base}/meldingen/${atMain}/intrekken`).then((r) => r?.status())).resolves.toBe(404);
    await page.close();
  });

  it('withdraws a report only after asking once, on a page that says what happens', async () => {
    const wendy = await activePerson(t, school.org.code, { username: 'wendy.intrek', email: 'wendy@school.example', roles: ['melder', 'lezer'] });
    const page = await openSignedIn(browser, base, wendy, `/meldingen/${atSecond}`);
    await page.getByRole('link', { name: 'Melding intrekken' }).click();
    await page.waitForURL(`${base}/meldingen/${atSecond}/intrekken`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(`Melding ${atSecond} intrekken?`);
    await expect(page.locator('.vzl-confirm').textContent()).resolves.toContain('krijgt de status ingetrokken');
    await expectAccessible(page);
    // No: nothing happened.
    await page.getByRole('link', { name: 'Nee, terug' }).click();
    await page.waitForURL(`${base}/meldingen/${atSecond}`);
    await expect((await school.get(`/api/v1/reports/${atSecond}`).expect(200)).body.status).toBe('GEREGISTREERD');
    // Yes, with a reason: withdrawn, and the reason in the history.
    await page.getByRole('link', { name: 'Melding intrekken' }).click();
    await page.getByLabel('Waarom trekt u de melding in?').fill('Dubbel gemeld');
    await page.getByRole('button', { name: 'Ja, melding intrekken' }).click();
    await page.waitForURL(`${base}/meldingen/${atSecond}?gedaan=ingetrokken`);
    await expect((await school.get(`/api/v1/reports/${atSecond}`).expect(200)).body.status).toBe('INGETROKKEN');
    await expect(page.getByText('Toelichting: Dubbel gemeld').count()).resolves.toBe(1);
    // Once withdrawn, the confirmation page says it can no longer be changed.
    await expect(page.goto(`${base}/meldingen/${atSecond}/intrekken`).then((r) => r?.status())).resolves.toBe(409);
    await page.close();
  });
});
