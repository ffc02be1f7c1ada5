import { join } from 'node:path';
import { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { MailFrequency, User } from '../src/identity/user.entity';
import { MailTemplate, OutboxMessage, OutboxStatus } from '../src/notifications/outbox-message.entity';
import { Organisation } from '../src/organisations/organisation.entity';
import { describeWithBrowser, expectAccessible, launchBrowser, listen, openSignedIn, SCREENSHOTS } from './support/browser';
import { activePerson, Person } from './support/people';
import { TestApp, TestSchool } from './support/test-app';

describeWithBrowser('the beheer pages (API keys, e-mail, audit log) and a person’s own e-mail choice, in a real browser', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let school: TestSchool;
  let other: TestSchool;
  let beheerder: Person;
  /** The school beheerder's page: signed in once, used by the journeys that follow each other below. */
  let page: Page;
  let ours: OutboxMessage;
  let theirs: OutboxMessage;

  const heading = () => page.getByRole('heading', { level: 1 }).textContent();
  const outbox = (id: string) => t.db.getRepository(OutboxMessage).findOneByOrFail({ id });

  beforeAll(async () => {
    t = await TestApp.start();
    base = await listen(t);
    school = await t.newSchool('Sleutelschool');
    other = await t.newSchool('Buurschool');
    // A beheerder who also files reports: she can give a key the melder role because she has it herself.
    beheerder = await activePerson(t, school.org.code, { username: 'bea.beheer', email: 'bea@sleutelschool.example', roles: ['melder', 'beheerder'] });
    const parked = { status: OutboxStatus.FAILED, attempts: 5, nextAttemptAt: new Date() };
    ours = await t.db.getRepository(OutboxMessage).save({
      ...parked, template: MailTemplate.REPORT_EVENT, organisationId: school.org.id, recipient: 'oud-adres@sleutelschool.example',
      data: { number: 12, kind: 'relatief verzuim', school: school.org.name, location: 'hoofdlocatie', receiver: 'Amsterdam' },
      lastError: '550 5.1.1 <oud-adres@sleutelschool.example>: mailbox unavailable',
    });
    theirs = await t.db.getRepository(OutboxMessage).save({
      ...parked, template: MailTemplate.ACTIVATION, organisationId: other.org.id, recipient: 'nieuw@buurschool.example', data: {}, lastError: '421 try again later',
    });
    browser = await launchBrowser();
    page = await openSignedIn(browser, base, beheerder, '/beheer/sleutels');
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('lets a school beheerder make an API key, shows its secret once, and revoke it so that it stops working', async () => {
    await expect(heading()).resolves.toBe('API-sleutels');
    await expect(page.getByRole('link', { name: 'Beheer', exact: true }).getAttribute('aria-current')).resolves.toBe('page');
    await expectAccessible(page);

    // Nothing ticked beforehand, and only the roles she has herself on offer.
    await expect(page.getByRole('checkbox').evaluateAll((boxes) => boxes.map((b) => [b.getAttribute('value'), (b as unknown as { checked: boolean }).checked]))).resolves
      .toEqual([['melder', false], ['beheerder', false]]);
    // No name and no role: the errors name the fields.
    await page.getByRole('button', { name: 'Sleutel maken' }).click();
    await expect(page.getByRole('alert').getByRole('link', { name: /^Naam van de sleutel: / }).count()).resolves.toBe(1);
    await expect(page.getByRole('alert').getByRole('link', { name: /^Rollen: kies minstens één rol/ }).count()).resolves.toBe(1);
    await expectAccessible(page);

    await page.getByLabel('Naam van de sleutel').fill('Magister');
    await page.getByLabel(/^Melder:/).check();
    // Post/Redirect/Get: the secret waits on the server for the page after the redirect, never in its address.
    const created = page.waitForResponse((r) => r.url() === `${base}/beheer/sleutels` && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Sleutel maken' }).click();
    const response = await created;
    expect(response.status()).toBe(303);
    await page.waitForURL(`${base}/beheer/sleutels?gedaan=gemaakt`);
    const shown = await page.request.get(`${base}/beheer/sleutels?gedaan=gemaakt`, { maxRedirects: 0 }).catch(() => null);
    expect(shown?.headers()['cache-control']).toBe('no-store');
    await expect(page.getByRole('status').textContent()).resolves.toContain('De sleutel Magister is gemaakt.');
    await expect(page.locator('.vzl-key-issued').textContent()).resolves.toContain('Hij wordt alleen nu getoond');
    const secret = await page.getByLabel('Sleutel Magister').inputValue();
    expect(secret).toMatch(/^vzl_\w{8}_[\w-]{43}$/);
    await expect(page.getByRole('row', { name: /^Magister / }).textContent()).resolves.toMatch(/Melder.*Nog niet gebruikt.*Actief/s);
    await expectAccessible(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'api-sleutel.png'), fullPage: true });

    // The key works as the school's system would use it, with the melder role only.
    await request(t.http).get('/api/v1/locations').set('Authorization', `Bearer ${secret}`).expect(200);

    // Reloading the result makes no second key and shows the secret no more; neither does the list.
    await page.reload();
    await expect(page.content()).resolves.not.toContain(secret.slice(13));
    await expect(page.getByLabel('Sleutel Magister').count()).resolves.toBe(0);
    await expect(page.getByRole('row', { name: /^Magister / }).count()).resolves.toBe(1);
    await page.goto(`${base}/beheer/sleutels`);
    await expect(page.content()).resolves.not.toContain(secret.slice(13));
    await expect(page.getByLabel('Sleutel Magister').count()).resolves.toBe(0);
    await expect(page.getByRole('row', { name: /^Magister / }).textContent()).resolves.not.toContain('Nog niet gebruikt');
    await expectAccessible(page);

    // Asked once, on a page that says what happens.
    await page.getByRole('link', { name: 'Sleutel Magister intrekken' }).click();
    await expect(heading()).resolves.toBe('Sleutel Magister intrekken?');
    await expect(page.locator('.vzl-confirm').textContent()).resolves.toContain('elk verzoek wordt geweigerd');
    await expectAccessible(page);
    await request(t.http).get('/api/v1/locations').set('Authorization', `Bearer ${secret}`).expect(200);
    await page.getByRole('button', { name: 'Ja, sleutel intrekken' }).click();
    await page.waitForURL(`${base}/beheer/sleutels?gedaan=ingetrokken`);
    await expect(page.getByRole('status').textContent()).resolves.toContain('De sleutel is ingetrokken');
    await expect(page.getByRole('row', { name: /^Magister / }).textContent()).resolves.toContain('Ingetrokken op');
    await expect(page.getByRole('link', { name: 'Sleutel Magister intrekken' }).count()).resolves.toBe(0);
    await expectAccessible(page);
    await request(t.http).get('/api/v1/locations').set('Authorization', `Bearer ${secret}`).expect(401);
  });

  it('lets the beheerder set the general mailbox, refusing a wrong address by name and keeping what was typed', async () => {
    await page.goto(`${base}/beheer/e-mail`);
    await expect(heading()).resolves.toBe('E-mail');
    await expectAccessible(page);

    await page.getByLabel('Algemeen e-mailadres').fill('administratie@');
    await page.getByRole('button', { name: 'E-mailadres opslaan' }).click();
    await expect(page.title()).resolves.toBe('Fout: E-mail - Verzuimloket');
    await expect(page.getByRole('alert').getByRole('link').textContent()).resolves.toBe('Algemeen e-mailadres: is geen geldig e-mailadres');
    await expect(page.getByLabel('Algemeen e-mailadres').inputValue()).resolves.toBe('administratie@');
    await expect(page.getByLabel('Algemeen e-mailadres').getAttribute('aria-invalid')).resolves.toBe('true');
    await expectAccessible(page);

    await page.getByLabel('Algemeen e-mailadres').fill('Administratie@Sleutelschool.example');
    await page.getByRole('button', { name: 'E-mailadres opslaan' }).click();
    await page.waitForURL(`${base}/beheer/e-mail?gedaan=adres`);
    await expect(page.getByRole('status').textContent()).resolves.toContain('Het algemene e-mailadres is opgeslagen.');
    await expect(page.getByLabel('Algemeen e-mailadres').inputValue()).resolves.toBe('administratie@sleutelschool.example');
    await expect(t.db.getRepository(Organisation).findOneByOrFail({ id: school.org.id })).resolves.toMatchObject({ mailbox: 'administratie@sleutelschool.example' });
    await expectAccessible(page);

    await page.getByRole('button', { name: 'E-mailadres administratie@sleutelschool.example verwijderen' }).click();
    await page.waitForURL(`${base}/beheer/e-mail?gedaan=adres-leeg`);
    await expect(page.getByRole('status').textContent()).resolves.toContain('Het algemene e-mailadres is verwijderd.');
    await expect(page.getByLabel('Algemeen e-mailadres').inputValue()).resolves.toBe('');
    await expect(t.db.getRepository(Organisation).findOneByOrFail({ id: school.org.id })).resolves.toMatchObject({ mailbox: null });
    await expectAccessible(page);
  });

  it('shows the school its own failed e-mails to resend, and another school’s as not found', async () => {
    await page.goto(`${base}/beheer/e-mail`);
    const row = page.getByRole('row', { name: /oud-adres@sleutelschool\.example/ });
    await expect(row.textContent()).resolves.toMatch(/Bericht over een melding \(melding 12\).*550 5\.1\.1.*5/s);
    await expect(page.content()).resolves.not.toContain('nieuw@buurschool.example');
    await expectAccessible(page);

    // A form sent with another organisation's e-mail in it: not found, and that e-mail stays as it was.
    const button = page.getByRole('button', { name: 'Opnieuw versturen aan oud-adres@sleutelschool.example' });
    await button.evaluate((b, id) => b.closest('form')!.setAttribute('action', `/beheer/e-mail/mislukt/${id}/opnieuw`), theirs.id);
    const refused = page.waitForResponse((r) => r.url().endsWith(`/${theirs.id}/opnieuw`));
    await button.click();
    expect((await refused).status()).toBe(404);
    await expect(page.title()).resolves.toBe('Niet gevonden - Verzuimloket');
    await expectAccessible(page);
    await expect(outbox(theirs.id)).resolves.toMatchObject({ status: OutboxStatus.FAILED, attempts: 5 });

    await page.goto(`${base}/beheer/e-mail`);
    await page.getByRole('button', { name: 'Opnieuw versturen aan oud-adres@sleutelschool.example' }).click();
    await page.waitForURL(`${base}/beheer/e-mail?gedaan=opnieuw`);
    await expect(page.getByRole('status').textContent()).resolves.toContain('De e-mail staat weer klaar om verstuurd te worden');
    await expect(page.getByText('Er zijn geen mislukte e-mails.').count()).resolves.toBe(1);
    await page.screenshot({ path: join(SCREENSHOTS, 'beheer-e-mail.png'), fullPage: true });
    await expect(outbox(ours.id)).resolves.toMatchObject({ status: OutboxStatus.PENDING, attempts: 0 });
    await expectAccessible(page);
  });

  it('shows the beheerder the audit log, filtered by action, with their own API key creation in it', async () => {
    await page.goto(`${base}/beheer/logboek`);
    await expect(heading()).resolves.toBe('Logboek');
    await expectAccessible(page);

    await page.getByLabel('Handeling').selectOption({ label: 'API-sleutel gemaakt' });
    await page.getByLabel('Wie').selectOption({ label: 'bea.beheer (bea.beheer)' });
    await page.getByRole('button', { name: 'Filteren' }).click();
    await page.waitForURL(/\/beheer\/logboek\?.*action=API_KEY_CREATED/);
    const rows = page.getByRole('table').locator('tbody tr');
    await expect(rows.count()).resolves.toBe(1);
    await expect(rows.first().textContent()).resolves.toMatch(/bea\.beheer.*API-sleutel gemaakt.*API-sleutel Magister.*Gelukt.*naam: Magister; rollen: melder(?!, )/s);
    await expect(page.getByLabel('Handeling').inputValue()).resolves.toBe('API_KEY_CREATED');
    await expectAccessible(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'logboek.png'), fullPage: true });

    // One entry a page: the next page holds the one before it, and a link leads back to the newest.
    await page.goto(`${base}/beheer/logboek?limit=1`);
    const newest = await rows.first().textContent();
    await page.getByRole('link', { name: 'Oudere regels' }).click();
    await page.waitForURL(/\/beheer\/logboek\?limit=1&after=\d+$/);
    await expect(rows.count()).resolves.toBe(1);
    await expect(rows.first().textContent()).resolves.not.toBe(newest);
    await expect(page.getByRole('link', { name: 'Terug naar de nieuwste regels' }).getAttribute('href')).resolves.toBe('/beheer/logboek?limit=1');
    await expectAccessible(page);

    // A period that ends before it begins: the error names the field.
    await page.getByLabel('Vanaf').fill('2026-03-10');
    await page.getByLabel('Tot en met').fill('2026-03-01');
    await page.getByRole('button', { name: 'Filteren' }).click();
    await expect(page.getByRole('alert').getByRole('link').textContent()).resolves.toBe('Tot en met: ligt voor de datum bij Vanaf');
    await expect(page.getByLabel('Vanaf').inputValue()).resolves.toBe('2026-03-10');
    await expectAccessible(page);
  });

  it('shows the operator the failed e-mails of every organisation, with its name', async () => {
    const operator = await activePerson(t, 'OPERATOR', { username: 'olga.operator', email: 'olga@operator.example', roles: ['operator'] });
    const op = await openSignedIn(browser, base, operator, '/beheer/e-mail');
    await expect(op.getByRole('row', { name: /nieuw@buurschool\.example/ }).textContent()).resolves.toMatch(new RegExp(`${other.org.name}.*Activeringslink.*421 try again later`, 's'));
    await expectAccessible(op);
    await op.close();
  });

  it('lets a melder choose one e-mail a day, kept after a reload, shows where the e-mails go, and keeps the audit log from them', async () => {
    const melder = await activePerson(t, school.org.code, { username: 'mees.melder', email: 'mees@sleutelschool.example', roles: ['melder'] });
    const own = await openSignedIn(browser, base, melder, '/instellingen');
    await expect(own.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Mijn e-mail');
    await expect(own.getByRole('link', { name: 'Mijn e-mail' }).getAttribute('aria-current')).resolves.toBe('page');
    await expect(own.getByText('De e-mails gaan naar mees@sleutelschool.example.').count()).resolves.toBe(1);
    await expect(own.getByLabel('Bij elke wijziging meteen een e-mail').isChecked()).resolves.toBe(true);
    await expectAccessible(own);

    await own.getByLabel(/^Eén overzicht per dag/).check();
    await own.getByRole('button', { name: 'Keuze opslaan' }).click();
    await own.waitForURL(`${base}/instellingen?gedaan=opgeslagen`);
    await expect(own.getByRole('status').textContent()).resolves.toContain('Uw keuze is opgeslagen.');
    await expectAccessible(own);
    await own.goto(`${base}/instellingen`);
    await expect(own.getByLabel(/^Eén overzicht per dag/).isChecked()).resolves.toBe(true);
    await expect(own.getByLabel('Bij elke wijziging meteen een e-mail').isChecked()).resolves.toBe(false);
    await expect(t.db.getRepository(User).findOneByOrFail({ id: melder.user.id })).resolves.toMatchObject({ mailFrequency: MailFrequency.DAILY });

    // The beheer pages are not theirs: no menu item, and "Geen toegang" by the address.
    await expect(own.getByRole('link', { name: 'Beheer', exact: true }).count()).resolves.toBe(0);
    const denied = await own.goto(`${base}/beheer/logboek`);
    expect(denied?.status()).toBe(403);
    await expect(own.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Geen toegang');
    await expectAccessible(own);
    await own.close();
  });
});
