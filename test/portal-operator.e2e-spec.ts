import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { AuditEvent } from '../src/audit/audit-event.entity';
import { User } from '../src/identity/user.entity';
import { describeWithBrowser, expectAccessible, launchBrowser, listen, openSignedIn, SCREENSHOTS } from './support/browser';
import { activePerson, signIn } from './support/people';
import { TestApp } from './support/test-app';

/**
 * A few lines of DUO's real file (test/fixtures/duo-sample.csv, from the August 2026 list of school locations): school
 * 13XW with three locations, 32JK with one, and a line with a broken BRIN made here.
 */
function duoSample(): string {
  const lines = readFileSync(join(__dirname, 'fixtures', 'duo-sample.csv'), 'utf8').split(/\r?\n/);
  const header = lines[0];
  const of = (code: string) => lines.filter((l) => l.split(';')[3] === code);
  const broken = of('32JK00')[0].replace(';32JK;32JK00;', ';X1;X100;');
  return [header, ...of('32JK00'), ...of('13XW00'), ...of('13XW01'), ...of('13XW02'), broken].join('\r\n') + '\r\n';
}

describeWithBrowser("the operator's pages, in a real browser", () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let dir: string;
  const operator = (name: string) => activePerson(t, 'OPERATOR', { username: `fb.${name}`, email: `${name}@beheer.example`, roles: ['operator'] });

  beforeAll(async () => {
    t = await TestApp.start();
    base = await listen(t);
    browser = await launchBrowser();
    dir = mkdtempSync(join(tmpdir(), 'vzl-duo-'));
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const audited = (action: string, subjectId?: string) =>
    t.db.getRepository(AuditEvent).countBy({ action: action as AuditEvent['action'], ...(subjectId ? { subjectId } : {}) });
  const notice = (page: Page) => page.getByRole('status').textContent();
  const errors = (page: Page) => page.getByRole('alert').textContent();
  /** Sends a form and waits for the page that answers (which may have the same address as the form). */
  async function submit(page: Page, button: string, url: string | RegExp): Promise<void> {
    const loaded = page.waitForEvent('load');
    await page.getByRole('button', { name: button, exact: true }).click();
    await loaded;
    await page.waitForURL(url);
  }

  it('creates a regional office (refusing a wrong code first), delegates a municipality to it, and sets and clears an alternative routing', async () => {
    const page = await openSignedIn(browser, base, await operator('olga'), '/organisaties');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Organisaties');
    await expect(page.getByRole('link', { name: 'Organisaties', exact: true }).getAttribute('aria-current')).resolves.toBe('page');
    await expect(page.getByRole('table').locator('caption').textContent()).resolves.toMatch(/^\d{3} organisaties, op code, 50 op deze pagina$/);
    await expectAccessible(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'organisaties.png'), fullPage: true });

    // Paging: the next page starts after the last code of this one; the previous page brings the first back.
    const firstCode = await page.getByRole('table').locator('tbody tr').first().locator('td').first().textContent();
    await page.getByRole('link', { name: 'Volgende pagina' }).click();
    await page.waitForURL(/after=/);
    await expect(page.getByRole('table').locator('tbody tr').first().locator('td').first().textContent()).resolves.not.toBe(firstCode);
    await page.getByRole('link', { name: 'Vorige pagina' }).click();
    await page.waitForURL(/before=/);
    await expect(page.getByRole('table').locator('tbody tr').first().locator('td').first().textContent()).resolves.toBe(firstCode);

    await page.getByLabel('Soort').selectOption('GEMEENTE');
    await page.getByLabel('Code of naam bevat').fill('amsterdam');
    await submit(page, 'Zoeken', /\/organisaties\?type=GEMEENTE&q=amsterdam/);
    await expect(page.getByRole('table').locator('tbody tr').allTextContents()).resolves.toEqual([expect.stringMatching(/GM0363\s*Amsterdam\s*Gemeente/)]);
    await expectAccessible(page);

    await page.getByRole('link', { name: 'Nieuw regionaal bureau' }).click();
    await page.getByLabel('Code van het bureau').fill('GM9999');
    await page.getByLabel('Naam van het bureau').fill('Regionaal Bureau Leerplicht Amstelland');
    await submit(page, 'Bureau aanmaken', `${base}/organisaties/nieuw-bureau`);
    await expect(errors(page)).resolves.toContain('Code van het bureau: 3 tot 20 letters, cijfers of streepjes');
    await expect(page.getByLabel('Code van het bureau').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.getByLabel('Naam van het bureau').inputValue()).resolves.toBe('Regionaal Bureau Leerplicht Amstelland');
    await expectAccessible(page);
    await page.getByLabel('Code van het bureau').fill('rbl-amstel');
    await submit(page, 'Bureau aanmaken', `${base}/organisaties/RBL-AMSTEL?gedaan=bureau`);
    await expect(notice(page)).resolves.toContain('Het regionaal bureau is aangemaakt.');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Regionaal Bureau Leerplicht Amstelland (RBL-AMSTEL)');
    await expectAccessible(page);
    await expect(audited('ORGANISATION_CREATED', 'RBL-AMSTEL')).resolves.toBe(1);

    await page.goto(`${base}/organisaties/GM0363`);
    await expect(page.locator('dd').filter({ hasText: 'de gemeente zelf' }).count()).resolves.toBe(1);
    await page.getByLabel('Regionaal bureau', { exact: true }).selectOption('RBL-AMSTEL');
    await submit(page, 'Delegatie opslaan', `${base}/organisaties/GM0363?gedaan=delegatie`);
    await expect(notice(page)).resolves.toContain('De delegatie is opgeslagen.');
    await expect(page.locator('dd').filter({ hasText: 'Regionaal Bureau Leerplicht Amstelland (RBL-AMSTEL)' }).count()).resolves.toBe(1);
    await expectAccessible(page);
    await page.goto(`${base}/organisaties?type=GEMEENTE&q=GM0363`);
    await expect(page.getByRole('table').locator('tbody tr').textContent()).resolves.toContain('Regionaal Bureau Leerplicht Amstelland (RBL-AMSTEL)');
    await page.goto(`${base}/organisaties/RBL-AMSTEL`);
    await expect(page.getByRole('region', { name: 'Gemeenten die hun meldingen hierheen sturen' }).getByRole('link').allTextContents()).resolves.toEqual(['Amsterdam (GM0363)']);
    await expect(audited('DELEGATION_CHANGED', 'GM0363')).resolves.toBe(1);

    await page.goto(`${base}/organisaties/routering`);
    await expect(page.getByText('Er is geen alternatieve routering ingesteld').count()).resolves.toBe(1);
    await expectAccessible(page);
    await page.getByLabel('Gemeente', { exact: true }).selectOption('GM0363');
    await page.getByLabel('Luxeverzuim').check();
    // Municipalities by name, the receiver picked from a list: no code to type.
    const municipalityNames = await page.getByLabel('Gemeente', { exact: true }).locator('option').allTextContents();
    expect(municipalityNames.slice(1)).toEqual([...municipalityNames.slice(1)].sort((a, b) => a.localeCompare(b, 'nl')));
    expect(municipalityNames).toContain('Amsterdam (GM0363)');
    await expect(page.getByLabel('Ontvanger').locator('optgroup').evaluateAll((groups) => groups.map((g) => g.getAttribute('label'))))
      .resolves.toEqual(['Gemeenten', 'Regionale bureaus leerplicht', "RMC-regio's"]);
    // Nothing chosen: the error names the field, and what was chosen stays.
    await submit(page, 'Routering opslaan', `${base}/organisaties/routering`);
    await expect(errors(page)).resolves.toContain('Ontvanger: is verplicht');
    await expect(page.getByLabel('Luxeverzuim').isChecked()).resolves.toBe(true);
    await expectAccessible(page);
    // A code that is not in the list, sent by hand: refused by name.
    const csrf = await page.locator('input[name="_csrf"]').first().inputValue();
    const forged = await page.request.post(`${base}/organisaties/routering`, { form: { _csrf: csrf, municipality: 'GM0363', kind: 'LUXE', target: 'XX99' }, maxRedirects: 0 });
    expect(forged.status()).toBe(422);
    expect(await forged.text()).toContain('Ontvanger: organisatie XX99 bestaat niet');
    await page.getByLabel('Ontvanger').selectOption('GM0344');
    await submit(page, 'Routering opslaan', `${base}/organisaties/routering?gedaan=routering`);
    await expect(notice(page)).resolves.toContain('De alternatieve routering is opgeslagen.');
    await expect(page.getByRole('table', { name: 'Ingestelde routeringen' }).locator('tbody tr').allTextContents())
      .resolves.toEqual([expect.stringMatching(/Amsterdam \(GM0363\)\s*Luxeverzuim\s*Utrecht \(GM0344\)/)]);
    await expectAccessible(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'alternatieve-routering.png'), fullPage: true });
    await page.getByRole('button', { name: 'Opheffen: Luxeverzuim van Amsterdam' }).click();
    await page.waitForURL(`${base}/organisaties/routering?gedaan=routering-opgeheven`);
    await expect(notice(page)).resolves.toContain('De alternatieve routering is opgeheven.');
    await expect(page.getByRole('table', { name: 'Ingestelde routeringen' }).count()).resolves.toBe(0);
    await expectAccessible(page);
    await expect(audited('ROUTING_CHANGED', 'GM0363')).resolves.toBe(2);

    // And the delegation taken back.
    await page.goto(`${base}/organisaties/GM0363`);
    await page.getByLabel('Regionaal bureau', { exact: true }).selectOption('');
    await submit(page, 'Delegatie opslaan', `${base}/organisaties/GM0363?gedaan=delegatie-opgeheven`);
    await expect(notice(page)).resolves.toContain('De delegatie is opgeheven');
    await expect(page.locator('dd').filter({ hasText: 'de gemeente zelf' }).count()).resolves.toBe(1);
    await page.close();
  });

  it("creates a school and appoints its first beheerder with an e-mailed link, then another with a printed letter", async () => {
    const page = await openSignedIn(browser, base, await operator('pieter'), '/organisaties/nieuwe-school');
    await expectAccessible(page);
    await page.getByLabel('BRIN-code').fill('ZZ1');
    await page.getByLabel('Naam van de school').fill('De Operatorschool');
    await submit(page, 'School aanmaken', `${base}/organisaties/nieuwe-school`);
    await expect(errors(page)).resolves.toContain('BRIN-code: is geen geldige BRIN-code');
    await expectAccessible(page);
    await page.getByLabel('BRIN-code').fill('77op');
    await page.getByLabel('Sector').selectOption('VO');
    await submit(page, 'School aanmaken', `${base}/organisaties/77OP?gedaan=school`);
    await expect(notice(page)).resolves.toContain('De school is aangemaakt.');
    await expect(page.getByText('Deze organisatie heeft nog geen beheerder.').count()).resolves.toBe(1);
    await expect(page.locator('dd').allTextContents()).resolves.toEqual(expect.arrayContaining(['77OP', 'School', 'VO']));
    await expectAccessible(page);
    await expect(audited('ORGANISATION_CREATED', '77OP')).resolves.toBe(1);

    // By link (the default): a wrong address first.
    await expect(page.getByLabel('Activeringslink per e-mail').isChecked()).resolves.toBe(true);
    await page.getByLabel('Naam', { exact: true }).fill('Lotte Link');
    await page.getByLabel('Gebruikersnaam').fill('lotte.link');
    await page.getByLabel('E-mailadres').fill('lotte-at-school');
    await submit(page, 'Beheerder aanwijzen', `${base}/organisaties/77OP/beheerder`);
    await expect(errors(page)).resolves.toContain('E-mailadres: is geen geldig e-mailadres');
    await expect(page.getByLabel('Gebruikersnaam').inputValue()).resolves.toBe('lotte.link');
    await expectAccessible(page);
    await page.getByLabel('E-mailadres').fill('lotte@operatorschool.example');
    await submit(page, 'Beheerder aanwijzen', `${base}/organisaties/77OP?gedaan=beheerder`);
    await expect(notice(page)).resolves.toContain('De activeringslink is per e-mail verstuurd');
    await expect(page.getByRole('table', { name: 'Beheerders van De Operatorschool' }).locator('tbody tr').allTextContents())
      .resolves.toEqual([expect.stringMatching(/Lotte Link\s*lotte\.link\s*Wacht op activering/)]);
    await expect(page.getByRole('heading', { name: 'Nog een beheerder aanwijzen' }).count()).resolves.toBe(1);
    await expectAccessible(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'organisatie.png'), fullPage: true });
    const link = await t.mailedActivationCode('lotte@operatorschool.example');
    const lotte = await t.db.getRepository(User).findOneOrFail({ where: { username: 'lotte.link' }, relations: { organisation: true } });
    expect([lotte.organisation.code, [...lotte.roles].sort()]).toEqual(['77OP', ['beheerder', 'lezer', 'melder']]);

    // By letter: the code on a page of its own, shown once, that prints without the portal around it.
    await page.getByLabel('Naam', { exact: true }).fill('Bart Brief');
    await page.getByLabel('Gebruikersnaam').fill('bart.brief');
    await page.getByLabel('E-mailadres').fill('bart@operatorschool.example');
    await page.getByLabel('Brief met een activeringscode').check();
    await submit(page, 'Beheerder aanwijzen', `${base}/organisaties/77OP/beheerder`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Uw account voor Verzuimloket');
    await expect(notice(page)).resolves.toContain('maar één keer getoond');
    const code = (await page.locator('code').textContent())!.trim();
    expect(code).toMatch(/^[A-Z2-9]{4}(-[A-Z2-9]{4}){3}$/);
    await expect(page.getByText('bart.brief', { exact: true }).count()).resolves.toBe(1);
    await expectAccessible(page);
    await page.emulateMedia({ media: 'print' });
    await expect([await page.locator('header').isVisible(), await page.getByRole('status').isVisible(), await page.locator('code').isVisible()]).toEqual([false, false, true]);
    await page.emulateMedia({ media: 'screen' });
    await expect(audited('USER_CREATED')).resolves.toBe(2);

    // Both activations work: the link and the letter's code each open the activation of their own account.
    await page.goto(`${base}/activeren?code=${link}`);
    await expect(page.getByText('lotte.link', { exact: true }).count()).resolves.toBe(1);
    await page.goto(`${base}/activeren`);
    await page.getByLabel('Activeringscode uit uw brief').fill(code);
    await page.getByRole('button', { name: 'Volgende' }).click();
    await expect(page.getByText('bart.brief', { exact: true }).count()).resolves.toBe(1);
    await page.close();
  });

  it('imports a few lines of DUO\'s file and shows the counts; the same file again changes nothing', async () => {
    const sample = join(dir, 'vestigingen-bo.csv');
    writeFileSync(sample, duoSample());
    const other = join(dir, 'iets-anders.csv');
    writeFileSync(other, 'naam;adres\nDe Regenboog;Schoolstraat 1\n');
    const page = await openSignedIn(browser, base, await operator('dirk'), '/organisaties/duo-import');
    await expectAccessible(page);

    await submit(page, 'Importeren', `${base}/organisaties/duo-import`);
    await expect(errors(page)).resolves.toContain('Bestand: kies het bestand van DUO');
    await expectAccessible(page);
    await page.getByLabel('Bestand', { exact: true }).setInputFiles(other);
    await submit(page, 'Importeren', `${base}/organisaties/duo-import`);
    await expect(errors(page)).resolves.toContain('Bestand: dit is geen DUO-vestigingenbestand');

    const counts = async () => Object.fromEntries((await page.getByRole('table', { name: 'Wat de import deed' }).locator('tr').allTextContents()).map((row) => {
      const [, label, n] = row.trim().match(/^(.*?)\s*(\d+)$/)!;
      return [label, Number(n)];
    }));
    await page.getByLabel('Bestand', { exact: true }).setInputFiles(sample);
    await submit(page, 'Importeren', `${base}/organisaties/duo-import`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Resultaat van de import');
    await expect(notice(page)).resolves.toContain('Het bestand vestigingen-bo.csv is geïmporteerd.');
    await expect(counts()).resolves.toEqual({
      'Scholen toegevoegd': 2, 'Scholen gewijzigd (naam)': 0, 'Locaties toegevoegd': 4, 'Locaties gewijzigd': 0, 'Locaties ongewijzigd': 0, 'Regels overgeslagen': 1,
    });
    await expect(page.getByRole('table', { name: 'Overgeslagen regels met de reden' }).locator('tbody tr').allTextContents())
      .resolves.toEqual([expect.stringMatching(/^\s*6\s*BRIN X1 ongeldig\s*$/)]);
    await expectAccessible(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'duo-import.png'), fullPage: true });

    await page.goto(`${base}/organisaties/duo-import`);
    await page.getByLabel('Bestand', { exact: true }).setInputFiles(sample);
    await submit(page, 'Importeren', `${base}/organisaties/duo-import`);
    await expect(notice(page)).resolves.toContain('Er is niets veranderd');
    await expect(counts()).resolves.toEqual({
      'Scholen toegevoegd': 0, 'Scholen gewijzigd (naam)': 0, 'Locaties toegevoegd': 0, 'Locaties gewijzigd': 0, 'Locaties ongewijzigd': 4, 'Regels overgeslagen': 1,
    });
    await expectAccessible(page);
    await expect(audited('DUO_IMPORTED')).resolves.toBe(2);

    await page.goto(`${base}/organisaties/13XW`);
    await expect(page.getByRole('region', { name: 'Locaties' }).locator('tbody tr td:first-child').allTextContents()).resolves.toEqual(['13XW00', '13XW01', '13XW02']);
    await expectAccessible(page);

    // A file over the limit: refused with the reason, after the whole upload was read (no broken connection).
    const big = join(dir, 'te-groot.csv');
    writeFileSync(big, Buffer.alloc(20 * 1024 * 1024 + 1, 'a'));
    await page.goto(`${base}/organisaties/duo-import`);
    await page.getByLabel('Bestand', { exact: true }).setInputFiles(big);
    const [response] = await Promise.all([page.waitForResponse(`${base}/organisaties/duo-import`), page.getByRole('button', { name: 'Importeren' }).click()]);
    expect(response.status()).toBe(413);
    await expect(errors(page)).resolves.toContain('Bestand: is groter dan 20 MB');
    await expectAccessible(page);
    await page.close();
  });

  it('checks the CSRF token of an upload from its form field, and answers a page sent the wrong kind of content in Dutch', async () => {
    const { agent, csrf } = await signIn(t, await operator('carla'));
    const upload = (token: string) => agent.post('/organisaties/duo-import').field('_csrf', token).field('sector', 'PO').attach('bestand', Buffer.from(duoSample()), 'vestigingen.csv');
    const imports = await audited('DUO_IMPORTED');
    await upload('niet-het-token-van-deze-sessie').expect(403);
    await expect(audited('DUO_IMPORTED')).resolves.toBe(imports);
    const done = await upload(csrf).expect(200);
    expect(done.text).toContain('Resultaat van de import');
    await expect(audited('DUO_IMPORTED')).resolves.toBe(imports + 1);

    // Not signed in: to the sign-in page, the file unread.
    const anonymous = await request(t.http).post('/organisaties/duo-import').field('_csrf', csrf).attach('bestand', Buffer.from(duoSample()), 'vestigingen.csv').expect(303);
    expect(anonymous.headers.location).toMatch(/^\/aanmelden\?terug=/);

    const json = await agent.post('/organisaties/nieuw-bureau').set('X-CSRF-Token', csrf).send({ code: 'RBL-JSON', name: 'Via JSON' }).expect(415);
    expect([json.headers['content-type'], json.text]).toEqual([expect.stringMatching(/^text\/html/), expect.stringContaining('<h1>Formulier niet verwerkt</h1>')]);
    const api = await agent.post('/api/v1/reports').set('X-CSRF-Token', csrf).type('form').send('kind=LUXE').expect(415);
    expect(api.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('shows anyone but the operator "Geen toegang" for the organisations', async () => {
    const school = await t.newSchool('Gewone school');
    const beheerder = await activePerson(t, school.org.code, { username: 'bea.school', email: 'bea@school.example', roles: ['beheerder'] });
    const page = await openSignedIn(browser, base, beheerder, '/organisaties');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Geen toegang');
    await expect(page.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: 'Organisaties' }).count()).resolves.toBe(0);
    await expectAccessible(page);
    const refused = await page.goto(`${base}/organisaties/GM0363`);
    expect(refused?.status()).toBe(403);
    await page.close();
  });
});
