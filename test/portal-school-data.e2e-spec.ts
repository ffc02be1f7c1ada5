import { Browser, Page } from 'playwright-core';
import { AuditAction } from '../src/audit/audit-event.entity';
import { Location } from '../src/organisations/location.entity';
import { describeWithBrowser, expectAccessible, launchBrowser, listen, openSignedIn } from './support/browser';
import { activePerson, Person } from './support/people';
import { bsn, reportBody, TestApp, TestSchool } from './support/test-app';

/** Clicks a form's button and returns the status of the POST it sends (after a 303 the browser has loaded the next page). */
async function submit(page: Page, button: string): Promise<number> {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST'),
    page.getByRole('button', { name: button, exact: true }).click(),
  ]);
  await page.waitForLoadState();
  return response.status();
}

const notice = (page: Page) => page.getByRole('status').textContent();
const errorLinks = (page: Page) => page.getByRole('alert').getByRole('link').allTextContents();
const heading = (page: Page) => page.getByRole('heading', { level: 1 }).textContent();
const badge = (page: Page) => page.locator('.vzl-status').textContent();
/** The options of a select on the filing form, as their labels. */
const options = (page: Page, label: string) => page.getByLabel(label, { exact: true }).locator('option').allTextContents();

/** What a table row is to the test (the tests' TypeScript has no DOM types). */
interface Row { querySelectorAll(selector: string): ArrayLike<{ textContent: string | null }> }
/** The table's rows below the header, each as its cells' texts. */
const rows = (page: Page) =>
  page.locator('tbody tr').evaluateAll((trs) =>
    trs.map((tr) => Array.from((tr as unknown as Row).querySelectorAll('td'), (td) => (td.textContent ?? '').replace(/\s+/g, ' ').trim())),
  );

/** A journey of a dozen pages, each checked with axe: more than jest's default minute on a busy machine. */
const JOURNEY = 180_000;

describeWithBrowser('beheer locaties en melders, in a real browser', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let school: TestSchool;
  let other: TestSchool;

  beforeAll(async () => {
    t = await TestApp.start();
    base = await listen(t);
    school = await t.newSchool('Beheerschool');
    other = await t.newSchool('Andere beheerschool');
    // The first location and reporter are on a report: removing them deactivates them instead.
    await school.post('/api/v1/reports', reportBody(school, {}, { pgn: bsn(4242) })).expect(201);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  /** What a person's changes put in the school's audit log, oldest first. */
  async function audited(person: Person, action: AuditAction): Promise<{ operation: string; id: string; fields?: string[] }[]> {
    const found: { details: { operation: string; id: string; fields?: string[] } }[] = await t.db.query(
      'SELECT details FROM audit_event WHERE organisation_id = $1 AND actor_id = $2 AND action = $3 ORDER BY id',
      [school.org.id, person.user.id, action],
    );
    return found.map((r) => r.details);
  }

  it('lets a school beheerder add, change, deactivate and remove a location, and the filing form follows', async () => {
    const brin = school.org.code;
    const first = [`${brin}01`, 'Beheerschool hoofdlocatie', 'onbekend', 'Amsterdam', 'Actief', `Wijzigen locatie ${brin}01`];
    const bea = await activePerson(t, brin, { username: 'bea.beheer', email: 'bea@school.example', roles: ['beheerder', 'melder'] });
    const page = await openSignedIn(browser, base, bea, '/beheer/locaties');
    await expect(page.title()).resolves.toBe('Locaties - Verzuimloket');
    await expect(rows(page)).resolves.toEqual([first]);
    await expectAccessible(page);

    // A wrong number: the error names the field, what was typed stays.
    await page.getByLabel('Vestigingsnummer').fill('2');
    await page.getByLabel('Naam', { exact: true }).fill('Locatie Noord');
    await page.getByLabel(/^Postcode/).fill('1031 KM');
    await page.getByLabel(/^Plaats/).fill('Amsterdam');
    await page.getByLabel(/^Gemeente/).selectOption('GM0363');
    await expect(submit(page, 'Locatie toevoegen')).resolves.toBe(422);
    await expect(page.title()).resolves.toBe('Fout: Locaties - Verzuimloket');
    await expect(errorLinks(page)).resolves.toEqual(['Vestigingsnummer: moet twee cijfers zijn, bijv. 01']);
    await expect(page.getByLabel('Vestigingsnummer').inputValue()).resolves.toBe('2');
    await expect(page.getByLabel('Naam', { exact: true }).inputValue()).resolves.toBe('Locatie Noord');
    await expect(page.getByLabel(/^Gemeente/).inputValue()).resolves.toBe('GM0363');
    await expectAccessible(page);
    // A number the school already has: the service refuses it, named the same way.
    await page.getByLabel('Vestigingsnummer').fill('01');
    await expect(submit(page, 'Locatie toevoegen')).resolves.toBe(422);
    await expect(errorLinks(page)).resolves.toEqual(['Vestigingsnummer: locatie 01 bestaat al']);

    await page.getByLabel('Vestigingsnummer').fill('02');
    await expect(submit(page, 'Locatie toevoegen')).resolves.toBe(303);
    await expect(notice(page)).resolves.toBe(`Locatie ${brin}02 (Locatie Noord) is toegevoegd.`);
    await expect(rows(page)).resolves.toEqual([first, [`${brin}02`, 'Locatie Noord', '1031 KM Amsterdam', 'Amsterdam', 'Actief', `Wijzigen locatie ${brin}02`]]);
    await expectAccessible(page);
    await page.goto(`${base}/meldingen/nieuw`);
    await expect(options(page, 'Vestiging')).resolves.toContain(`Locatie Noord (${brin}02)`);

    // Change it: an emptied name is refused by its label; then a new name and street, and the postcode cleared.
    await page.goto(`${base}/beheer/locaties`);
    await page.getByRole('link', { name: `Wijzigen locatie ${brin}02` }).click();
    await expect(heading(page)).resolves.toBe(`Locatie ${brin}02: Locatie Noord`);
    await expect(page.getByLabel(/^Postcode/).inputValue()).resolves.toBe('1031 KM');
    await expectAccessible(page);
    await page.getByLabel('Naam', { exact: true }).fill('');
    await page.getByLabel(/^Straat/).fill('Schoolstraat');
    await expect(submit(page, 'Wijzigingen opslaan')).resolves.toBe(422);
    await expect(errorLinks(page)).resolves.toEqual(['Naam: mag niet leeg zijn']);
    await expect(page.getByLabel(/^Straat/).inputValue()).resolves.toBe('Schoolstraat');
    await expectAccessible(page);
    await page.getByLabel('Naam', { exact: true }).fill('Locatie Noordwest');
    await page.getByLabel(/^Huisnummer/).fill('3');
    await page.getByLabel(/^Postcode/).fill('');
    await expect(submit(page, 'Wijzigingen opslaan')).resolves.toBe(303);
    await expect(notice(page)).resolves.toBe('De wijzigingen zijn opgeslagen.');
    await expect(heading(page)).resolves.toBe(`Locatie ${brin}02: Locatie Noordwest`);
    await expect(page.getByLabel(/^Postcode/).inputValue()).resolves.toBe('');
    await expectAccessible(page);

    // Deactivated: gone from the filing form. Active again: listed as such.
    await expect(submit(page, 'Locatie deactiveren')).resolves.toBe(303);
    await expect(notice(page)).resolves.toBe(`Locatie ${brin}02 is gedeactiveerd en niet meer te kiezen op een nieuwe melding.`);
    await expect(badge(page)).resolves.toBe('Gedeactiveerd');
    await expectAccessible(page);
    const detail = page.url().replace(/\?.*$/, '');
    await page.goto(`${base}/meldingen/nieuw`);
    await expect(options(page, 'Vestiging')).resolves.toEqual(['Kies de vestiging', `Beheerschool hoofdlocatie (${brin}01)`]);
    await page.goto(detail);
    await expect(submit(page, 'Locatie weer activeren')).resolves.toBe(303);
    await expect(notice(page)).resolves.toBe(`Locatie ${brin}02 is weer actief en weer te kiezen op een nieuwe melding.`);
    await page.getByRole('link', { name: 'Terug naar de locaties' }).click();
    await expect(rows(page)).resolves.toEqual([first, [`${brin}02`, 'Locatie Noordwest', 'Schoolstraat 3, Amsterdam', 'Amsterdam', 'Actief', `Wijzigen locatie ${brin}02`]]);

    // Removed: no report names it, so it is gone. The first location is on a report: deactivated instead, and said so.
    await page.getByRole('link', { name: `Wijzigen locatie ${brin}02` }).click();
    // Asked once, on a page that says what happens; "Nee, terug" does nothing.
    await page.getByRole('link', { name: 'Locatie verwijderen' }).click();
    await expect(heading(page)).resolves.toBe(`Locatie Locatie Noordwest (${brin}02) verwijderen?`);
    await expect(page.locator('.vzl-confirm').textContent()).resolves.toContain('wie verzuim meldt, kan haar niet meer kiezen');
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Nee, terug' }).click();
    await expect(heading(page)).resolves.toBe(`Locatie ${brin}02: Locatie Noordwest`);
    await page.getByRole('link', { name: 'Locatie verwijderen' }).click();
    await expect(submit(page, 'Ja, locatie verwijderen')).resolves.toBe(303);
    await expect(notice(page)).resolves.toBe('De locatie is verwijderd.');
    await expect(rows(page)).resolves.toEqual([first]);
    await page.getByRole('link', { name: `Wijzigen locatie ${brin}01` }).click();
    await page.getByRole('link', { name: 'Locatie verwijderen' }).click();
    await expect(submit(page, 'Ja, locatie verwijderen')).resolves.toBe(303);
    await expect(notice(page)).resolves.toBe(
      `Locatie ${brin}01 staat op een of meer meldingen en is daarom gedeactiveerd in plaats van verwijderd: niet meer te kiezen op een nieuwe melding, wel te zien op de bestaande.`,
    );
    await expect(badge(page)).resolves.toBe('Gedeactiveerd');

    const entries = await audited(bea, AuditAction.LOCATION_CHANGED);
    expect(entries.map((e) => e.operation)).toEqual(['added', 'changed', 'deactivated', 'reactivated', 'removed', 'deactivated']);
    expect(entries[1].fields).toEqual(['name', 'street', 'houseNumber', 'postcode']);
    expect(entries[5].id).toBe(school.location.id);

    // Another school's location, by its address: not found, to look at or to change.
    const csrf = await page.locator('input[name="_csrf"]').first().inputValue();
    const theirs = `${base}/beheer/locaties/${other.location.id}`;
    await expect(page.goto(theirs).then((r) => r?.status())).resolves.toBe(404);
    await expect(page.title()).resolves.toBe('Niet gevonden - Verzuimloket');
    await expect(page.content()).resolves.not.toContain('Andere beheerschool hoofdlocatie');
    await expectAccessible(page);
    await expect(page.request.post(theirs, { form: { _csrf: csrf, name: 'Overgenomen' }, maxRedirects: 0 }).then((r) => r.status())).resolves.toBe(404);
    await expect(page.request.post(`${theirs}/verwijderen`, { form: { _csrf: csrf }, maxRedirects: 0 }).then((r) => r.status())).resolves.toBe(404);
    await expect(t.db.getRepository(Location).findOneByOrFail({ id: other.location.id })).resolves.toMatchObject({ name: 'Andere beheerschool hoofdlocatie', active: true });
    await page.close();
  }, JOURNEY);

  it('lets a school beheerder add, change, deactivate and remove a melder, and the filing form follows', async () => {
    const first = ['V. Coördinator', 'Verzuimcoördinator', '020 123 4567', school.reporter.email, 'Actief', 'Wijzigen melder V. Coördinator'];
    const ben = await activePerson(t, school.org.code, { username: 'ben.beheer', email: 'ben@school.example', roles: ['beheerder', 'melder'] });
    const page = await openSignedIn(browser, base, ben, '/beheer/melders');
    await expect(page.title()).resolves.toBe('Melders - Verzuimloket');
    await expect(rows(page)).resolves.toEqual([first]);
    await expectAccessible(page);

    await page.getByLabel('Naam', { exact: true }).fill('M. Mentor');
    await page.getByLabel('Functie').fill('Mentor');
    await page.getByLabel('Telefoonnummer').fill('06 1234 5678');
    await page.getByLabel('E-mailadres').fill('mentor op school');
    await expect(submit(page, 'Melder toevoegen')).resolves.toBe(422);
    await expect(page.title()).resolves.toBe('Fout: Melders - Verzuimloket');
    await expect(errorLinks(page)).resolves.toEqual(['E-mailadres: is geen geldig e-mailadres']);
    await expect(page.getByLabel('Naam', { exact: true }).inputValue()).resolves.toBe('M. Mentor');
    await expect(page.getByLabel('E-mailadres').inputValue()).resolves.toBe('mentor op school');
    await expect(page.getByLabel('E-mailadres').getAttribute('aria-invalid')).resolves.toBe('true');
    await expectAccessible(page);
    await page.getByLabel('E-mailadres').fill('mentor@school.example');
    await expect(submit(page, 'Melder toevoegen')).resolves.toBe(303);
    await expect(notice(page)).resolves.toBe('Melder M. Mentor is toegevoegd.');
    await expect(rows(page)).resolves.toEqual([
      ['M. Mentor', 'Mentor', '06 1234 5678', 'mentor@school.example', 'Actief', 'Wijzigen melder M. Mentor'], first,
    ]);
    await expectAccessible(page);
    await page.goto(`${base}/meldingen/nieuw`);
    await expect(options(page, 'Melder')).resolves.toContain('M. Mentor, Mentor');

    await page.goto(`${base}/beheer/melders`);
    await page.getByRole('link', { name: 'Wijzigen melder M. Mentor' }).click();
    await expect(heading(page)).resolves.toBe('Melder M. Mentor');
    await expectAccessible(page);
    await page.getByLabel('Functie').fill('Zorgcoördinator');
    await page.getByLabel('Telefoonnummer').fill('bel de receptie');
    await expect(submit(page, 'Wijzigingen opslaan')).resolves.toBe(422);
    await expect(errorLinks(page)).resolves.toEqual(['Telefoonnummer: is geen geldig telefoonnummer']);
    await expect(page.getByLabel('Functie').inputValue()).resolves.toBe('Zorgcoördinator');
    await expectAccessible(page);
    await page.getByLabel('Telefoonnummer').fill('020 765 4321');
    await expect(submit(page, 'Wijzigingen opslaan')).resolves.toBe(303);
    await expect(notice(page)).resolves.toBe('De wijzigingen zijn opgeslagen.');
    await expect(page.getByLabel('Telefoonnummer').inputValue()).resolves.toBe('020 765 4321');

    await expect(submit(page, 'Melder deactiveren')).resolves.toBe(303);
    await expect(notice(page)).resolves.toBe('Melder M. Mentor is gedeactiveerd en niet meer te kiezen op een nieuwe melding.');
    await expect(badge(page)).resolves.toBe('Gedeactiveerd');
    await expectAccessible(page);
    const detail = page.url().replace(/\?.*$/, '');
    await page.goto(`${base}/meldingen/nieuw`);
    await expect(options(page, 'Melder')).resolves.toEqual(['Selecteer melder', 'V. Coördinator, Verzuimcoördinator']);

    await page.goto(detail);
    await page.getByRole('link', { name: 'Melder verwijderen' }).click();
    await expect(heading(page)).resolves.toBe('Melder M. Mentor verwijderen?');
    await expectAccessible(page);
    await expect(submit(page, 'Ja, melder verwijderen')).resolves.toBe(303);
    await expect(notice(page)).resolves.toBe('De melder is verwijderd.');
    await expect(rows(page)).resolves.toEqual([first]);
    await page.getByRole('link', { name: 'Wijzigen melder V. Coördinator' }).click();
    await page.getByRole('link', { name: 'Melder verwijderen' }).click();
    await expect(submit(page, 'Ja, melder verwijderen')).resolves.toBe(303);
    await expect(notice(page)).resolves.toMatch(/^Melder V\. Coördinator staat op een of meer meldingen en is daarom gedeactiveerd in plaats van verwijderd/);
    await expect(badge(page)).resolves.toBe('Gedeactiveerd');
    await expectAccessible(page);

    const entries = await audited(ben, AuditAction.REPORTER_CHANGED);
    expect(entries.map((e) => e.operation)).toEqual(['added', 'changed', 'deactivated', 'removed', 'deactivated']);
    expect(entries[1].fields).toEqual(['function', 'phone']);
    expect(entries[4].id).toBe(school.reporter.id);

    // Another school's reporter by its address, and an address that is no id at all: not found, not an error.
    await expect(page.goto(`${base}/beheer/melders/${other.reporter.id}`).then((r) => r?.status())).resolves.toBe(404);
    await expect(page.title()).resolves.toBe('Niet gevonden - Verzuimloket');
    await expect(page.content()).resolves.not.toContain(other.reporter.email);
    await expect(page.goto(`${base}/beheer/melders/1%27%20OR%201=1`).then((r) => r?.status())).resolves.toBe(404);
    await expect(page.goto(`${base}/beheer/locaties/12345`).then((r) => r?.status())).resolves.toBe(404);
    await expect(page.title()).resolves.toBe('Niet gevonden - Verzuimloket');
    await page.close();
  }, JOURNEY);

  it("has no locations or melders for a municipality's beheerder: not found, not an error", async () => {
    const gina = await activePerson(t, 'GM0363', { username: 'gina.gemeente', email: 'gina@amsterdam.example', roles: ['beheerder'] });
    const page = await openSignedIn(browser, base, gina, '/');
    for (const path of ['/beheer/locaties', '/beheer/melders', `/beheer/locaties/${school.location.id}`]) {
      await expect(page.goto(`${base}${path}`).then((r) => r?.status())).resolves.toBe(404);
      await expect(page.title()).resolves.toBe('Niet gevonden - Verzuimloket');
    }
    await expectAccessible(page);
    await page.close();
  });

  // The service once saved the loaded location whole, writing its (cleared) municipality back: any change lost it.
  it('keeps the municipality of a location when a change (page or API) leaves it alone', async () => {
    const third = await t.newSchool('Derde beheerschool');
    await third.patch(`/api/v1/locations/${third.location.id}`, { name: 'Nieuwe naam' }).expect(200);
    await third.patch(`/api/v1/locations/${third.location.id}`, { active: false }).expect(200);
    await expect(third.get('/api/v1/locations').then((r) => r.body)).resolves.toMatchObject([{ name: 'Nieuwe naam', municipalityCode: 'GM0363', active: false }]);
  });
});
