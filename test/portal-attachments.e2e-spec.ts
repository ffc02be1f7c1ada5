import { Browser, Locator, Page } from 'playwright-core';
import { describeWithBrowser, expectAccessible, launchBrowser, listen, signedInPage } from './support/browser';
import { activePerson } from './support/people';
import { bsn, reportBody, TestApp, TestSchool } from './support/test-app';

const PDF = Buffer.from('%PDF-1.7\n1 0 obj <</Type /Catalog>> endobj\n%%EOF\n');
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(32, 1)]);

jest.setTimeout(240_000);

/** The attachments on a report's page, used by a melder and an officer on a 320-pixel-wide screen. */
describeWithBrowser('attachments in the portal', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let school: TestSchool;
  let n: number;
  let melder: Page;
  let officer: Page;

  /** Whether the attachments' part of the page fits a 320-pixel screen (nothing in it wider than the page). */
  const fitsWidth = (page: Page) => page.evaluate<boolean>(`(() => {
    const part = document.querySelector('section[aria-labelledby="bijlagen"]');
    return [part, ...part.querySelectorAll('*')].every((e) => e.getBoundingClientRect().right <= 320);
  })()`);
  const count = async (): Promise<number> => (await t.db.query('SELECT count(*)::int AS c FROM attachment'))[0].c;
  const shown = (locator: Locator) => locator.first().waitFor({ state: 'visible', timeout: 10_000 });
  const section = (page: Page) => page.locator('section[aria-labelledby="bijlagen"]');

  beforeAll(async () => {
    t = await TestApp.start();
    base = await listen(t);
    school = await t.newSchool('Bijlageschool portaal');
    n = (await school.post('/api/v1/reports', reportBody(school, {}, { pgn: bsn(61001) })).expect(201)).body.number;
    browser = await launchBrowser();
    const people = await Promise.all([
      activePerson(t, school.org.code, { username: 'bea.melder', email: 'bea@school.example', roles: ['melder'] }),
      activePerson(t, 'GM0363', { username: 'bart.leerplicht', email: 'bart@amsterdam.example', roles: ['behandelaar'] }),
    ]);
    [melder, officer] = await Promise.all(people.map((p) => signedInPage(t, browser, base, p, { width: 320, height: 900 })));
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('lets the melder add a document with a description, download it and remove it; the history keeps it', async () => {
    await melder.goto(`${base}/meldingen/${n}`);
    await shown(section(melder).getByText('Nog geen bijlagen.'));
    await melder.getByLabel('Omschrijving van de bijlage').fill('Verzuimoverzicht oktober');
    await melder.getByLabel('Bestand').setInputFiles({ name: 'overzicht oktober.pdf', mimeType: 'application/pdf', buffer: PDF });
    await melder.getByRole('button', { name: 'Bijlage toevoegen' }).click();
    await melder.waitForURL(`${base}/meldingen/${n}?gedaan=bijlage-toegevoegd#bijlagen`);
    await shown(melder.getByText('De bijlage is toegevoegd.'));
    await shown(section(melder).getByText('Verzuimoverzicht oktober'));
    await expectAccessible(melder);
    expect(await fitsWidth(melder)).toBe(true);

    const [download] = await Promise.all([melder.waitForEvent('download'), section(melder).getByRole('link', { name: 'overzicht oktober.pdf' }).click()]);
    expect(download.suggestedFilename()).toBe('overzicht oktober.pdf');

    await section(melder).getByRole('button', { name: 'Verwijder overzicht oktober.pdf' }).click();
    await melder.waitForURL(`${base}/meldingen/${n}?gedaan=bijlage-verwijderd#bijlagen`);
    await shown(section(melder).getByText('Nog geen bijlagen.'));
    const history = melder.locator('section[aria-labelledby="geschiedenis"]');
    await shown(history.getByText('Bijlage toegevoegd'));
    await shown(history.getByText('Bijlage verwijderd'));
  });

  it('says beside the field why a file was refused, keeps the description, and stores nothing', async () => {
    const before = await count();
    await melder.goto(`${base}/meldingen/${n}`);
    await melder.getByLabel('Omschrijving van de bijlage').fill('Een foto');
    await melder.getByLabel('Bestand').setInputFiles({ name: 'scan.pdf', mimeType: 'application/pdf', buffer: PNG });
    await melder.getByRole('button', { name: 'Bijlage toevoegen' }).click();
    await shown(melder.getByRole('heading', { name: `Bijlagen bij melding ${n}` }));
    const summary = melder.locator('#foutmeldingen');
    await shown(summary.getByRole('link', { name: /Bestand: de naam eindigt op \.pdf, maar het bestand is een PNG-afbeelding/ }));
    expect(await melder.getByLabel('Omschrijving van de bijlage').inputValue()).toBe('Een foto');
    await expectAccessible(melder);
    expect(await fitsWidth(melder)).toBe(true);
    expect(await count()).toBe(before);
  });

  it('lets the officer add one too, but not remove the school\'s; a form whose CSRF field is wrong is refused unread', async () => {
    await melder.goto(`${base}/meldingen/${n}`);
    await melder.getByLabel('Bestand').setInputFiles({ name: 'school.pdf', mimeType: 'application/pdf', buffer: PDF });
    await melder.getByRole('button', { name: 'Bijlage toevoegen' }).click();
    await melder.waitForURL(/gedaan=bijlage-toegevoegd/);
    await officer.goto(`${base}/meldingen/${n}`);
    await officer.getByLabel('Bestand').setInputFiles({ name: 'gemeente.pdf', mimeType: 'application/pdf', buffer: PDF });
    await officer.getByRole('button', { name: 'Bijlage toevoegen' }).click();
    await officer.waitForURL(/gedaan=bijlage-toegevoegd/);
    await shown(section(officer).getByRole('link', { name: 'school.pdf' }));
    expect(await section(officer).getByRole('button', { name: /Verwijder/ }).count()).toBe(0);
    await expectAccessible(officer);
    const before = await count();
    const res = await officer.request.post(`${base}/meldingen/${n}/bijlagen`, {
      multipart: { _csrf: 'niet-de-juiste', file: { name: 'x.pdf', mimeType: 'application/pdf', buffer: PDF } },
    });
    expect(res.status()).toBe(403);
    expect(await count()).toBe(before);
  });
});
