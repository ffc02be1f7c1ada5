import { Browser, Locator, Page } from 'playwright-core';
import request from 'supertest';
import { clock } from '../src/common/clock';
import { codeAt } from '../src/identity/credentials/totp';
import { describeWithBrowser, expectAccessible, launchBrowser, listen } from './support/browser';
import { activePerson, PASSWORD, Person } from './support/people';
import { bsn, reportBody, TestApp, TestSchool } from './support/test-app';

/** The page's own document, inside page.evaluate (the tests compile without the DOM library). */
declare const document: { querySelector(s: string): { querySelectorAll(s: string): Iterable<{ tagName: string; className: string; getBoundingClientRect(): { right: number } }> } & { tagName: string; className: string; getBoundingClientRect(): { right: number } } | null };

const PDF = Buffer.from('%PDF-1.7\n1 0 obj <</Type /Catalog>> endobj\n%%EOF\n');
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(32, 1)]);

/** The attachments on a report's page, used by a melder and an officer on a 320-pixel-wide screen. */
describeWithBrowser('attachments in the portal', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let school: TestSchool;
  let n: number;
  let melder: Page;
  let officer: Page;

  async function pageAs(person: Person): Promise<Page> {
    const agent = request.agent(t.http);
    await agent.post('/api/v1/session').send({ username: person.user.username, password: PASSWORD }).expect(200);
    const res = await agent.post('/api/v1/session/code').send({ code: codeAt(person.seed, clock.now()) }).expect(200);
    const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).map((c) => /^([^=;]*vzl_session)=([^;]+)/.exec(c)).find(Boolean)!;
    const context = await browser.newContext({ viewport: { width: 320, height: 900 }, acceptDownloads: true });
    await context.addCookies([{ name: cookie[1], value: cookie[2], url: base }]);
    return context.newPage();
  }
  /** Whether the attachments' part of the page fits a 320-pixel screen (nothing in it wider than the page). */
  const fitsWidth = (page: Page) => page.evaluate(() => {
    const part = document.querySelector('section[aria-labelledby="bijlagen"]')!;
    const wide = [part, ...part.querySelectorAll('*')].filter((e) => e.getBoundingClientRect().right > 320);
    if (wide.length) console.log(wide.map((e) => `${e.tagName}.${e.className} ${e.getBoundingClientRect().right}`).join('; '));
    return wide.length === 0;
  });
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
    [melder, officer] = await Promise.all(people.map(pageAs));
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
    expect((await t.db.query('SELECT count(*)::int AS c FROM attachment'))[0].c).toBe(0);
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
    const res = await officer.request.post(`${base}/meldingen/${n}/bijlagen`, {
      multipart: { _csrf: 'niet-de-juiste', file: { name: 'x.pdf', mimeType: 'application/pdf', buffer: PDF } },
    });
    expect(res.status()).toBe(403);
    expect((await t.db.query('SELECT count(*)::int AS c FROM attachment'))[0].c).toBe(2);
  });
});
