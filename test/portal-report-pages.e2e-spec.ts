import { Browser, Page } from 'playwright-core';
import { describeWithBrowser, expectAccessible, launchBrowser, listen, pageSignedInAs } from './support/browser';
import { activePerson, Person } from './support/people';
import { bornAged, bsn, Caller, daysAgo, reportBody, TestApp, TestSchool } from './support/test-app';
import { feedCaughtUp } from './support/until';

/** Filing with a residence address, re-routing while new, every error in one round, labels and dates, print view. */
describeWithBrowser('the report pages: filing, errors, labels and print', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let school: TestSchool;
  let amsterdam: Caller;
  let melder: Page;
  let ownReporterId: string;

  const pageAs = (person: Person) => pageSignedInAs(browser, t, base, person);

  /** The e-mails a change put in the outbox, by recipient's organisation. */
  async function mailedOrganisations(eventType: string, number: number): Promise<string[]> {
    const rows: { code: string }[] = await t.db.query(
      `SELECT DISTINCT o.code FROM outbox_message m JOIN report_event e ON e.id = m.event_id JOIN report r ON r.id = e.report_id
         JOIN organisation o ON o.id = m.organisation_id WHERE e.type = $1 AND r.number = $2 ORDER BY o.code`,
      [eventType, number],
    );
    return rows.map((r) => r.code);
  }

  beforeAll(async () => {
    t = await TestApp.start();
    base = await listen(t);
    school = await t.newSchool('Formulierschool');
    amsterdam = await t.keyFor('GM0363');
    browser = await launchBrowser();
    const person = await activePerson(t, school.org.code, { username: 'fenna.melder', email: 'fenna@formulier.example', roles: ['melder'] });
    // The signed-in person is also a registered melder of the school (a second one): the form chooses her.
    ownReporterId = (await school.post('/api/v1/reporters', { name: 'F. Melder', function: 'Mentor', phone: '020 765 4321', email: 'Fenna@formulier.example' }).expect(201)).body.id;
    melder = await pageAs(person);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('files with a residence address, which decides the receiver; vestiging and melder come pre-selected', async () => {
    await melder.goto(`${base}/meldingen/nieuw`);
    // One vestiging: chosen. Two melders, one of them the signed-in person: she is chosen.
    await expect(melder.getByLabel('Vestiging').inputValue()).resolves.toBe(`${school.org.code}${school.location.code}`);
    await expect(melder.getByLabel('Melder', { exact: true }).inputValue()).resolves.toBe(ownReporterId);

    const body = reportBody(school, {}, { pgn: bsn(71001) });
    await melder.getByLabel('BSN of onderwijsnummer').fill(body.pupil.pgn);
    await melder.getByLabel('Voorletters').fill('K.');
    await melder.getByLabel('Achternaam').fill('Verblijf');
    await melder.getByLabel('Jongen / man').check();
    await melder.getByLabel('Geboortedatum').fill(bornAged(13));
    await melder.getByLabel('Straat', { exact: true }).fill('Bloemgracht');
    await melder.getByLabel('Huisnummer', { exact: true }).fill('12');
    await melder.getByLabel('Postcode', { exact: true }).fill('1015 TK');
    await melder.getByLabel('Woonplaats', { exact: true }).fill('Amsterdam');
    await melder.getByLabel('Gemeente van het adres').selectOption('GM0363');
    await melder.getByText('Verblijfsadres, als de leerling ergens anders woont').click();
    await melder.getByLabel('Straat (verblijfsadres)').fill('Oudegracht');
    await melder.getByLabel('Huisnummer (verblijfsadres)').fill('5');
    await melder.getByLabel('Postcode (verblijfsadres)').fill('3511ab');
    await melder.getByLabel('Woonplaats (verblijfsadres)').fill('Utrecht');
    await melder.getByLabel('Gemeente van het verblijfsadres').selectOption('GM0344');
    await melder.getByLabel('16 uur ongeoorloofd verzuim in 4 opeenvolgende lesweken').check();
    await melder.getByLabel('Reden van het verzuim').fill('Woont bij oma in Utrecht, komt niet');
    await melder.getByLabel('Eerste dag van het verzuim').fill(daysAgo(20));
    await melder.getByLabel('Laatste dag van het verzuim').fill(daysAgo(2));
    await expectAccessible(melder);
    await melder.getByRole('button', { name: 'Melding versturen' }).click();
    await melder.waitForURL(/\/meldingen\/\d+\?gedaan=gemeld$/);
    const number = Number(/meldingen\/(\d+)/.exec(melder.url())![1]);
    const filed = (await school.get(`/api/v1/reports/${number}`).expect(200)).body;
    expect([filed.receiver.code, filed.pupil.residenceAddress.postcode, filed.reporter.id]).toEqual(['GM0344', '3511 AB', ownReporterId]);
  });

  it('re-routes a new report when the school changes the address that decides the receiver; both receivers are told', async () => {
    const number = (await school.post('/api/v1/reports', reportBody(school, {}, { pgn: bsn(71002), surname: 'Verhuist' })).expect(201)).body.number;
    await Promise.all([['GM0363', 'ans'], ['GM0344', 'ulla']].map(([code, name]) => activePerson(t, code, { username: `${name}.lpa`, email: `${name}@${code}.example`, roles: ['behandelaar'] })));
    await melder.goto(`${base}/meldingen/${number}/wijzigen`);
    await melder.getByText('Verblijfsadres, als de leerling ergens anders woont').click();
    await melder.getByLabel('Straat (verblijfsadres)').fill('Oudegracht');
    await melder.getByLabel('Huisnummer (verblijfsadres)').fill('7');
    await melder.getByLabel('Postcode (verblijfsadres)').fill('3511 AB');
    await melder.getByLabel('Woonplaats (verblijfsadres)').fill('Utrecht');
    await melder.getByLabel('Gemeente van het verblijfsadres').selectOption('GM0344');
    await melder.getByRole('button', { name: 'Wijzigingen opslaan' }).click();
    await melder.waitForURL(`${base}/meldingen/${number}?gedaan=gewijzigd`);
    await expect(melder.locator('#veld-algemeen').textContent()).resolves.toContain('ontvanger Utrecht');
    const history = melder.locator('section[aria-labelledby="geschiedenis"]');
    await expect(history.getByText('Ontvanger: Amsterdam → Utrecht').count()).resolves.toBe(1);
    await expectAccessible(melder);

    // Amsterdam no longer sees it; Utrecht does, in its overview and its changes feed; both got an e-mail of the change.
    await amsterdam.get(`/api/v1/reports/${number}`).expect(404);
    const utrecht = await t.keyFor('GM0344');
    await utrecht.get(`/api/v1/reports/${number}`).expect(200);
    await feedCaughtUp(t.db);
    const feed = (await utrecht.get('/api/v1/changes').expect(200)).body.changes as { reportNumber: number; type: string }[];
    expect(feed.filter((c) => c.reportNumber === number).map((c) => c.type)).toEqual(['INGEDIEND', 'GEWIJZIGD']);
    await expect(mailedOrganisations('GEWIJZIGD', number)).resolves.toEqual(['GM0344', 'GM0363']);
    const [mail]: { data: { forwardedFrom: string; receiver: string } }[] = await t.db.query(
      `SELECT m.data FROM outbox_message m JOIN report_event e ON e.id = m.event_id JOIN report r ON r.id = e.report_id WHERE e.type = 'GEWIJZIGD' AND r.number = $1 LIMIT 1`, [number],
    );
    expect([mail.data.forwardedFrom, mail.data.receiver]).toEqual(['Amsterdam', 'Utrecht']);

    // Once taken into handling, a change of address changes the data, not the receiver: the receiver forwards.
    await utrecht.post(`/api/v1/reports/${number}/status`, { status: 'IN_BEHANDELING' }).expect(200);
    const etag = (await school.get(`/api/v1/reports/${number}`).expect(200)).headers.etag;
    await school.patch(`/api/v1/reports/${number}`, { pupil: { residenceAddress: null } }).set('If-Match', etag).expect(200);
    const after = (await school.get(`/api/v1/reports/${number}`).expect(200)).body;
    expect([after.receiver.code, after.residenceMunicipality.code]).toEqual(['GM0344', 'GM0363']);
  });

  it('shows every error of the filing form in one round, each named by its Dutch label, linked to and marked at its field', async () => {
    await melder.goto(`${base}/meldingen/nieuw`);
    await melder.getByRole('button', { name: 'Melding versturen' }).click();
    await melder.locator('#foutmeldingen').waitFor();
    const summary = melder.getByRole('alert');
    const empty = await summary.getByRole('link').allTextContents();
    // Each field by its label, never "pupil: is verplicht" or a field path.
    expect(empty).toEqual(expect.arrayContaining([expect.stringMatching(/^Achternaam: /), expect.stringMatching(/^Straat: /), expect.stringMatching(/^Eerste dag van het verzuim: /)]));
    expect(empty.filter((m) => /^(pupil|[a-z]+\.)|^[a-z]+[A-Z]\w*:/.test(m))).toEqual([]);

    // Field errors and a rule across fields (end before begin) come together, in the order of the form.
    await melder.getByLabel('BSN of onderwijsnummer').fill(bsn(71003));
    await melder.getByLabel('Postcode', { exact: true }).fill('12345');
    await melder.getByLabel('16 uur ongeoorloofd verzuim in 4 opeenvolgende lesweken').check();
    await melder.getByLabel('Eerste dag van het verzuim').fill(daysAgo(5));
    await melder.getByLabel('Laatste dag van het verzuim').fill(daysAgo(10));
    await melder.getByLabel('Nee').nth(1).check();
    await melder.getByRole('button', { name: 'Melding versturen' }).click();
    await melder.locator('#foutmeldingen').waitFor();
    const round = await summary.getByRole('link').allTextContents();
    expect(round).toEqual(expect.arrayContaining([
      expect.stringMatching(/^Achternaam: /), expect.stringMatching(/^Postcode: /), 'Laatste dag van het verzuim: ligt voor de begindatum',
      'Toelichting als u geen actie wenst: is verplicht als geen actie door de gemeente gewenst is',
    ]));
    expect(round.findIndex((m) => m.startsWith('Postcode'))).toBeLessThan(round.findIndex((m) => m.startsWith('Laatste dag')));
    // Every link leads to its field, and the field is marked with its message beside it.
    for (const href of await summary.getByRole('link').evaluateAll((as) => as.map((a) => a.getAttribute('href')!))) {
      const target = melder.locator(href);
      await expect(target.count()).resolves.toBe(1);
      const marked = melder.locator(`${href}[aria-invalid="true"], ${href} [aria-invalid="true"]`);
      expect({ href, marked: await marked.count() > 0 }).toEqual({ href, marked: true });
      await expect(melder.locator(`${href}-fout`).count()).resolves.toBe(1);
    }
    await expect(melder.getByLabel('Postcode', { exact: true }).inputValue()).resolves.toBe('12345');
    await expectAccessible(melder);
  });

  it('names codes and organisations in the history, shows the closing explanation and one date format; prints the data only', async () => {
    const number = (await school.post('/api/v1/reports', reportBody(school, {}, { pgn: bsn(71004), surname: 'Afgesloten' })).expect(201)).body.number;
    await amsterdam.post(`/api/v1/reports/${number}/status`, {
      status: 'AFGESLOTEN', closingReason: 'TERUG_NAAR_SCHOOL', closingExplanation: 'GEZIEN', contact: { name: 'A. Jansen', phone: '020 555 0101' },
    }).expect(200);
    const report = (await school.get(`/api/v1/reports/${number}`).expect(200)).body;
    await melder.goto(`${base}/meldingen/${number}`);
    const history = await melder.locator('section[aria-labelledby="geschiedenis"]').textContent();
    expect(history).toContain('Toelichting bij afsluiten: (leeg) → Leerling is gezien door gemeente');
    expect(history).toContain('Status: Geregistreerd → Afgesloten');
    expect(history).toContain('Contactpersoon van de gemeente: (leeg) → A. Jansen, 020 555 0101');
    expect(history).not.toMatch(/GEZIEN|AFGESLOTEN|TERUG_NAAR_SCHOOL|\d{4}-\d{2}-\d{2}/);
    const data = await melder.locator('section[aria-labelledby="leerling"]').textContent();
    expect(data).toContain('Leerling is gezien door gemeente');
    const day = (iso: string) => new Intl.DateTimeFormat('nl-NL', { timeZone: 'UTC', dateStyle: 'medium' }).format(new Date(`${iso}T12:00:00Z`));
    expect(data).toContain(`${day(report.beginDate)} tot en met ${day(report.endDate)}`);
    expect(data).toContain(day(report.pupil.birthDate));
    expect(await melder.locator('main').textContent()).not.toMatch(/\d{4}-\d{2}-\d{2}/);

    // The print view: the data and history, no forms, buttons or menu.
    await melder.emulateMedia({ media: 'print' });
    const visible = async (selector: string) => melder.locator(selector).evaluateAll((els) => els.filter((e) => (e as unknown as { offsetParent: unknown }).offsetParent !== null).length);
    await expect(visible('main form, main button, header nav, .utrecht-button-link')).resolves.toBe(0);
    await expect(visible('section[aria-labelledby="leerling"] dl')).resolves.toBe(2);
    await expect(visible('section[aria-labelledby="geschiedenis"] li')).resolves.toBeGreaterThanOrEqual(2);
    await melder.emulateMedia({ media: 'screen' });
    await expect(visible('main form')).resolves.toBeGreaterThan(0);
  });
});
