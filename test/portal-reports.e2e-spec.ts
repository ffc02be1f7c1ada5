import { readFileSync } from 'node:fs';
import { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { clock } from '../src/common/clock';
import { codeAt } from '../src/identity/credentials/totp';
import { describeWithBrowser, expectAccessible, launchBrowser, listen } from './support/browser';
import { activePerson, PASSWORD, Person } from './support/people';
import { bsn, Caller, reportBody, TestApp, TestSchool } from './support/test-app';

/** Raadplegen en wijzigen: the overview with its filters, sorting, selection and pupil search; changing and forwarding. */
describeWithBrowser('the reports in the portal: overview, change and forward', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let school: TestSchool;
  let amsterdam: Caller;
  const n: Record<'change' | 'luxe' | 'handled' | 'forward' | 'conflict', number> = { change: 0, luxe: 0, handled: 0, forward: 0, conflict: 0 };
  const pgn = { luxe: bsn(52001) };
  let melder: Page;
  let officer: Page;

  /** A browser page signed in as this person (through the API's two steps; the sign-in pages have their own tests). */
  async function pageAs(person: Person): Promise<Page> {
    const agent = request.agent(t.http);
    await agent.post('/api/v1/session').send({ username: person.user.username, password: PASSWORD }).expect(200);
    const res = await agent.post('/api/v1/session/code').send({ code: codeAt(person.seed, clock.now()) }).expect(200);
    const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).map((c) => /^([^=;]*vzl_session)=([^;]+)/.exec(c)).find(Boolean)!;
    const context = await browser.newContext();
    await context.addCookies([{ name: cookie[1], value: cookie[2], url: base }]);
    return context.newPage();
  }

  /** The meldingsnummers in the overview's table, top to bottom. */
  async function numbersShown(page: Page): Promise<number[]> {
    const links = await page.locator('table tbody a[href^="/meldingen/"]').allTextContents();
    return links.map((text) => Number(text.replace(/\D/g, '')));
  }

  async function file(overrides: Record<string, unknown>, pupil: Record<string, unknown>): Promise<number> {
    return (await school.post('/api/v1/reports', reportBody(school, overrides, pupil)).expect(201)).body.number;
  }

  beforeAll(async () => {
    t = await TestApp.start();
    base = await listen(t);
    school = await t.newSchool('Raadpleegschool');
    amsterdam = await t.keyFor('GM0363');
    n.change = await file({}, { pgn: bsn(51001), surname: 'Dijk' });
    n.luxe = await file({ kind: 'LUXE', endDate: null }, { pgn: pgn.luxe, surname: 'Vakantie' });
    n.handled = await file({}, { pgn: bsn(53001), surname: 'Bezig' });
    n.forward = await file({}, { pgn: bsn(54001), surname: 'Verhuisd' });
    n.conflict = await file({}, { pgn: bsn(55001), surname: 'Tegelijk' });
    await amsterdam.post(`/api/v1/reports/${n.handled}/status`, { status: 'IN_BEHANDELING' }).expect(200);
    await amsterdam.post(`/api/v1/reports/${n.change}/messages`, { body: 'Wij hebben de ouders gebeld.' }).expect(201);
    browser = await launchBrowser();
    const people = await Promise.all([
      activePerson(t, school.org.code, { username: 'rosa.melder', email: 'rosa@school.example', roles: ['melder'] }),
      activePerson(t, 'GM0363', { username: 'otto.leerplicht', email: 'otto@amsterdam.example', roles: ['behandelaar'] }),
    ]);
    [melder, officer] = await Promise.all(people.map(pageAs));
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('lets a melder change a report: an error names the field and keeps what was typed; the history shows the change', async () => {
    await melder.goto(`${base}/meldingen/${n.change}`);
    await melder.getByRole('link', { name: 'Melding wijzigen' }).click();
    await melder.waitForURL(`${base}/meldingen/${n.change}/wijzigen`);
    await expect(melder.title()).resolves.toBe(`Melding ${n.change} wijzigen - Verzuimloket`);
    await expect(melder.getByLabel('Achternaam').inputValue()).resolves.toBe('Dijk');
    await expectAccessible(melder);

    const begin = await melder.getByLabel('Eerste dag van het verzuim').inputValue();
    await melder.getByLabel('Achternaam').fill('Berg');
    await melder.getByLabel('Laatste dag van het verzuim').fill('2020-01-01');
    await melder.getByRole('button', { name: 'Wijzigingen opslaan' }).click();
    await melder.locator('#foutmeldingen').waitFor();
    await expect(melder.getByRole('alert').getByRole('link').allTextContents()).resolves.toEqual(['Laatste dag van het verzuim: ligt voor de begindatum']);
    await expect(melder.getByLabel('Achternaam').inputValue()).resolves.toBe('Berg');
    await expect(melder.locator('#veld-endDate').getAttribute('aria-invalid')).resolves.toBe('true');
    await expectAccessible(melder);

    await melder.getByLabel('Laatste dag van het verzuim').fill(begin);
    await melder.getByRole('button', { name: 'Wijzigingen opslaan' }).click();
    await melder.waitForURL(`${base}/meldingen/${n.change}?gedaan=gewijzigd`);
    await expect(melder.getByRole('status').textContent()).resolves.toContain('Uw wijzigingen zijn opgeslagen.');
    const history = melder.locator('section[aria-labelledby="geschiedenis"]');
    await expect(history.getByText('Achternaam: Dijk → Berg').count()).resolves.toBe(1);
    await expect(history.getByText(/^Laatste dag van het verzuim: \d{4}-\d{2}-\d{2} → /).count()).resolves.toBe(1);
    // Only what the person changed: the untouched address is not in the history as a change.
    await expect(history.getByText(/^Adres:/).count()).resolves.toBe(0);
    await expectAccessible(melder);
    const api = await school.get(`/api/v1/reports/${n.change}`).expect(200);
    expect([api.body.pupil.surname, api.body.endDate]).toEqual(['Berg', begin]);
  });

  it('says in Dutch that someone else changed the report meanwhile, keeping what the person typed beside the new values', async () => {
    await melder.goto(`${base}/meldingen/${n.conflict}/wijzigen`);
    await melder.getByLabel('Achternaam').fill('Gelijktijdig');
    // Meanwhile the school's administration system changes the reason.
    const etag = (await school.get(`/api/v1/reports/${n.conflict}`).expect(200)).headers.etag;
    await school.patch(`/api/v1/reports/${n.conflict}`, { reason: 'Volgens het leerlingvolgsysteem: ziek gemeld, niet bevestigd' }).set('If-Match', etag).expect(200);

    const [response] = await Promise.all([melder.waitForResponse(`${base}/meldingen/${n.conflict}/wijzigen`), melder.getByRole('button', { name: 'Wijzigingen opslaan' }).click()]);
    expect(response.status()).toBe(409);
    await expect(melder.getByRole('alert').textContent()).resolves.toContain('Iemand anders heeft deze melding gewijzigd terwijl u dit formulier invulde');
    await expect(melder.getByLabel('Achternaam').inputValue()).resolves.toBe('Gelijktijdig');
    await expect(melder.getByLabel('Reden van het verzuim').inputValue()).resolves.toBe('Volgens het leerlingvolgsysteem: ziek gemeld, niet bevestigd');
    const meanwhile = melder.getByRole('table', { name: 'Wat een ander veranderde sinds u het formulier opende' });
    await expect(meanwhile.getByRole('row', { name: /Reden van het verzuim/ }).textContent()).resolves.toContain('Volgens het leerlingvolgsysteem');
    await expect((await school.get(`/api/v1/reports/${n.conflict}`).expect(200)).body.pupil.surname).toBe('Tegelijk');
    await expectAccessible(melder);

    await melder.getByRole('button', { name: 'Wijzigingen opslaan' }).click();
    await melder.waitForURL(`${base}/meldingen/${n.conflict}?gedaan=gewijzigd`);
    const after = await school.get(`/api/v1/reports/${n.conflict}`).expect(200);
    expect([after.body.pupil.surname, after.body.reason]).toEqual(['Gelijktijdig', 'Volgens het leerlingvolgsysteem: ziek gemeld, niet bevestigd']);
  });

  it('lets an officer forward a report to another municipality, where it then is, and no longer with them', async () => {
    const utrechter = await pageAs(await activePerson(t, 'GM0344', { username: 'ute.leerplicht', email: 'ute@utrecht.example', roles: ['behandelaar'] }));
    await utrechter.goto(`${base}/meldingen`);
    await expect(numbersShown(utrechter)).resolves.not.toContain(n.forward);

    await officer.goto(`${base}/meldingen/${n.forward}`);
    await expectAccessible(officer);
    await officer.getByLabel('Doorsturen naar').selectOption('GM0344');
    await officer.getByLabel('Waarom stuurt u de melding door?').fill('Leerling woont sinds oktober in Utrecht.');
    await officer.getByRole('button', { name: 'Melding doorsturen' }).click();
    await officer.waitForURL(/\/meldingen\?gedaan=doorgestuurd/);
    await expect(officer.getByRole('status').textContent()).resolves.toContain(`Melding ${n.forward} is doorgestuurd naar Utrecht.`);
    await expect(numbersShown(officer)).resolves.not.toContain(n.forward);
    await expect(numbersShown(officer)).resolves.toContain(n.change);
    await expectAccessible(officer);

    await utrechter.goto(`${base}/meldingen`);
    await expect(numbersShown(utrechter)).resolves.toContain(n.forward);
    await utrechter.getByRole('link', { name: `Melding ${n.forward}`, exact: true }).click();
    await expect(utrechter.locator('section[aria-labelledby="geschiedenis"]').textContent()).resolves.toMatch(/Doorgestuurd[\s\S]*Ontvanger: GM0363 → GM0344[\s\S]*Leerling woont sinds oktober in Utrecht\./);
    await expectAccessible(utrechter);
    await utrechter.context().close();
  });

  it('narrows the overview by status and by kind, and pages on with the filters kept', async () => {
    await officer.goto(`${base}/meldingen`);
    await officer.getByLabel('Status').selectOption('IN_BEHANDELING');
    await officer.getByRole('button', { name: 'Filteren' }).click();
    await officer.waitForURL(/status=IN_BEHANDELING/);
    await expect(numbersShown(officer)).resolves.toEqual([n.handled]);
    await expectAccessible(officer);

    await officer.getByLabel('Status').selectOption('');
    await officer.getByLabel('Soort').selectOption('LUXE');
    await officer.getByRole('button', { name: 'Filteren' }).click();
    await officer.waitForURL(/kind=LUXE/);
    await expect(numbersShown(officer)).resolves.toEqual([n.luxe]);
    await expect(officer.getByRole('cell', { name: 'J. van Vakantie' }).count()).resolves.toBe(1);
    await expectAccessible(officer);

    await officer.goto(`${base}/meldingen?kind=16U&limit=1`);
    const first = await numbersShown(officer);
    await officer.getByRole('link', { name: 'Oudere meldingen' }).click();
    await officer.waitForURL(/kind=16U/);
    const second = await numbersShown(officer);
    expect([first.length, second.length]).toEqual([1, 1]);
    expect(second[0]).toBeLessThan(first[0]);
    expect(second[0]).not.toBe(n.luxe);
    await expectAccessible(officer);
  });

  it('finds a pupil by BSN without the number ever appearing in the address bar', async () => {
    await melder.goto(`${base}/meldingen`);
    await melder.getByLabel('BSN of onderwijsnummer').fill('123456789');
    await melder.getByRole('button', { name: 'Zoeken', exact: true }).click();
    await expect(melder.getByRole('alert').getByRole('link').allTextContents()).resolves.toEqual([expect.stringMatching(/^BSN of onderwijsnummer: /)]);
    await expectAccessible(melder);

    await melder.getByLabel('BSN of onderwijsnummer').fill(pgn.luxe);
    await melder.getByRole('button', { name: 'Zoeken', exact: true }).click();
    await melder.getByRole('heading', { level: 1, name: 'Meldingen van een leerling' }).waitFor();
    await expect(numbersShown(melder)).resolves.toEqual([n.luxe]);
    expect(melder.url()).toBe(`${base}/meldingen/zoeken`);
    expect(melder.url()).not.toContain(pgn.luxe);
    await expectAccessible(melder);
  });

  it('sorts the overview by number, and the other way round on a second click', async () => {
    await melder.goto(`${base}/meldingen`);
    const newestFirst = await numbersShown(melder);
    expect(newestFirst.length).toBeGreaterThanOrEqual(4);
    expect(newestFirst).toEqual([...newestFirst].sort((a, b) => b - a));
    await expect(melder.getByRole('columnheader', { name: /^Nummer/ }).getAttribute('aria-sort')).resolves.toBe('descending');
    await melder.getByRole('link', { name: /^Nummer/ }).click();
    await melder.waitForURL(/sorteer=nummer&volgorde=op/);
    await expect(numbersShown(melder)).resolves.toEqual([...newestFirst].reverse());
    await expect(melder.getByRole('columnheader', { name: /^Nummer/ }).getAttribute('aria-sort')).resolves.toBe('ascending');
    await expectAccessible(melder);
  });

  it('downloads the ticked reports as a CSV file with exactly those reports, logged as an export', async () => {
    await melder.goto(`${base}/meldingen`);
    await melder.getByRole('button', { name: 'Selectie downloaden (CSV)' }).click();
    await expect(melder.getByRole('alert').textContent()).resolves.toContain('Selectie: vink ten minste één melding aan');
    await expectAccessible(melder);

    await melder.getByLabel(`Melding ${n.change} selecteren`).check();
    await melder.getByLabel(`Melding ${n.luxe} selecteren`).check();
    const [download] = await Promise.all([melder.waitForEvent('download'), melder.getByRole('button', { name: 'Selectie downloaden (CSV)' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^meldingen-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8').replace(/^\uFEFF/, '');
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toMatch(/^"Meldingsnummer";"Status";"Soort verzuim";"BSN of onderwijsnummer";"Leerling";"Geboortedatum";"School";/);
    expect(lines.slice(1).map((l) => Number(l.split(';')[0].replace(/"/g, ''))).sort()).toEqual([n.change, n.luxe].sort());
    // The export is the school's own administration: it names the pupil by PGN (and is logged, without it).
    expect(csv).toContain(`"${pgn.luxe}";"J. van Vakantie"`);

    // The file is never kept by a cache, and the export is in the school's audit log, with the numbers and no PGN.
    const csrf = await melder.locator('form[action="/meldingen/selectie"] input[name="_csrf"]').inputValue();
    const direct = await melder.request.post(`${base}/meldingen/selectie`, { form: { _csrf: csrf, nummers: String(n.luxe) } });
    expect([direct.headers()['content-disposition'], direct.headers()['cache-control']]).toEqual([expect.stringMatching(/^attachment; filename="meldingen-/), 'no-store']);
    const logged: { details: { count: number; numbers: number[] } }[] = await t.db.query(
      `SELECT details FROM audit_event WHERE action = 'REPORTS_EXPORTED' AND organisation_id = $1 ORDER BY id`, [school.org.id],
    );
    expect(logged.map((e) => [e.details.count, [...e.details.numbers].sort()])).toEqual([[2, [n.change, n.luxe].sort()], [1, [n.luxe]]]);
  });

  it("shows a school the reports with a reply from the receiver on its start page, and the overview they lead to", async () => {
    await melder.goto(`${base}/`);
    const card = melder.getByRole('link', { name: /met een reactie van de ontvanger in de afgelopen 14 dagen/ });
    await expect(card.textContent()).resolves.toMatch(/^\s*1\s/);
    await expect(melder.getByText(/telt mee bij "met een reactie" als de ontvanger er in de afgelopen 14 dagen een bericht bij schreef/).count()).resolves.toBe(1);
    await expectAccessible(melder);
    await card.click();
    await melder.waitForURL(`${base}/meldingen?reactie=14`);
    await expect(numbersShown(melder)).resolves.toEqual([n.change]);
    await expectAccessible(melder);
  });

  it('shows a lezer no forms to change, handle or forward', async () => {
    const [schoolReader, cityReader] = await Promise.all([
      activePerson(t, school.org.code, { username: 'lotte.lezer', email: 'lotte@school.example', roles: ['lezer'] }),
      activePerson(t, 'GM0363', { username: 'leo.lezer', email: 'leo@amsterdam.example', roles: ['lezer'] }),
    ]).then((people) => Promise.all(people.map(pageAs)));

    await schoolReader.goto(`${base}/meldingen/${n.handled}`);
    await expect(schoolReader.getByRole('heading', { level: 1 }).textContent()).resolves.toMatch(new RegExp(`^Melding ${n.handled}:`));
    await expect(schoolReader.getByRole('link', { name: 'Melding wijzigen' }).count()).resolves.toBe(0);
    await expect(schoolReader.locator('form[action^="/meldingen/"]').count()).resolves.toBe(0);
    await expectAccessible(schoolReader);
    await schoolReader.goto(`${base}/meldingen/${n.handled}/wijzigen`);
    await expect(schoolReader.title()).resolves.toBe('Geen toegang - Verzuimloket');

    await cityReader.goto(`${base}/meldingen/${n.handled}`);
    await expect(cityReader.getByRole('heading', { level: 1 }).textContent()).resolves.toMatch(new RegExp(`^Melding ${n.handled}:`));
    await expect(cityReader.getByRole('button', { name: /doorsturen|Status opslaan|versturen/i }).count()).resolves.toBe(0);
    await expect(cityReader.locator(`form[action="/meldingen/${n.handled}/doorsturen"], form[action="/meldingen/${n.handled}/status"]`).count()).resolves.toBe(0);
    await expectAccessible(cityReader);

    // The officer who may handle it does see the forms: the reader's page lacks them for the role, not by accident.
    await officer.goto(`${base}/meldingen/${n.handled}`);
    await expect(officer.getByRole('button', { name: 'Melding doorsturen' }).count()).resolves.toBe(1);
    await Promise.all([schoolReader.context().close(), cityReader.context().close()]);
  });
});
