import { Browser, Page } from 'playwright-core';
import { describeWithBrowser, expectAccessible, launchBrowser, listen } from './support/browser';
import request from 'supertest';
import { clock } from '../src/common/clock';
import { codeAt } from '../src/identity/credentials/totp';
import { activePerson, PASSWORD, Person } from './support/people';
import { bsn, Caller, reportBody, TestApp, TestSchool } from './support/test-app';

/** Issue 11 in the portal: "Mijn meldingen", new since the last visit, assignment, the name search; at 320 px too. */
describeWithBrowser('the officer\'s workload in the portal', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let school: TestSchool;
  let amsterdam: Caller;
  let otto: Person;
  let page: Page;
  const n = { mine: 0, other: 0 };

  beforeAll(async () => {
    t = await TestApp.start();
    base = await listen(t);
    school = await t.newSchool('Werkvoorraadschool');
    amsterdam = await t.keyFor('GM0363');
    otto = await activePerson(t, 'GM0363', { username: 'otto.werk', email: 'otto@amsterdam.example', roles: ['behandelaar'] });
    await activePerson(t, 'GM0363', { username: 'wim.werk', email: 'wim@amsterdam.example', roles: ['behandelaar'] });
    n.mine = (await school.post('/api/v1/reports', reportBody(school, {}, { pgn: bsn(61001), prefix: 'van', surname: 'Ŝtraaten' })).expect(201)).body.number;
    n.other = (await school.post('/api/v1/reports', reportBody(school, {}, { pgn: bsn(61002), prefix: null, surname: 'Jansen', birthDate: '2012-02-02' })).expect(201)).body.number;
    await amsterdam.put(`/api/v1/reports/${n.mine}/assignment`, { userId: otto.user.id }).expect(200);
    browser = await launchBrowser();
    // Signed in through the API (the sign-in pages have their own tests); the session cookie goes to the browser.
    const agent = request.agent(t.http);
    await agent.post('/api/v1/session').send({ username: otto.user.username, password: PASSWORD }).expect(200);
    const res = await agent.post('/api/v1/session/code').send({ code: codeAt(otto.seed, clock.now()) }).expect(200);
    const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).map((c) => /^([^=;]*vzl_session)=([^;]+)/.exec(c)).find(Boolean)!;
    const context = await browser.newContext();
    await context.addCookies([{ name: cookie[1], value: cookie[2], url: base }]);
    page = await context.newPage();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('starts with "Mijn meldingen" and what changed since the last visit; opening a report clears its mark', async () => {
    await page.goto(`${base}/`);
    const mine = page.locator('h2#mijn-meldingen + ul');
    await expect(mine.getByRole('link').allTextContents()).resolves.toEqual([`Melding ${n.mine}`]);
    const since = page.locator('h2#sinds-vorig-bezoek + ul');
    await expect(since.getByRole('link').allTextContents()).resolves.toEqual(expect.arrayContaining([`Melding ${n.mine}`, `Melding ${n.other}`]));
    await expectAccessible(page);
    await page.goto(`${base}/meldingen`);
    await expect(page.locator(`tr:has(a[href="/meldingen/${n.other}"]) .vzl-new`).count()).resolves.toBe(1);
    await page.goto(`${base}/meldingen/${n.other}`);
    await page.goto(`${base}/meldingen`);
    await expect(page.locator(`tr:has(a[href="/meldingen/${n.other}"]) .vzl-new`).count()).resolves.toBe(0);
    await expect(page.locator(`tr:has(a[href="/meldingen/${n.mine}"])`).textContent()).resolves.toContain('bij otto.werk');
    await page.goto(`${base}/`);
    await expect(page.locator('h2#sinds-vorig-bezoek + ul').getByRole('link').allTextContents()).resolves.toEqual([`Melding ${n.mine}`]);
  }, 180_000);

  it('assigns a report on its page, and refuses a stale form with a clear message', async () => {
    await page.goto(`${base}/meldingen/${n.other}`);
    await expect(page.locator('#toewijzen + p').textContent()).resolves.toContain('aan niemand toegewezen');
    const stale = await page.locator('form[action$="/toewijzen"] input[name="version"]').inputValue();
    await page.getByLabel('Toewijzen aan').selectOption({ label: 'wim.werk' });
    await page.getByRole('button', { name: 'Toewijzing opslaan' }).click();
    await page.waitForURL(`${base}/meldingen/${n.other}?gedaan=toegewezen`);
    await expect(page.locator('#toewijzen + p').textContent()).resolves.toContain('in behandeling bij wim.werk');
    await expectAccessible(page);
    // A form opened before that change: its version is stale.
    await page.locator('form[action$="/toewijzen"] input[name="version"]').evaluate((el, v) => { (el as unknown as { value: string }).value = v; }, stale);
    await page.getByLabel('Toewijzen aan').selectOption({ label: 'otto.werk (uzelf)' });
    await page.getByRole('button', { name: 'Toewijzing opslaan' }).click();
    await page.locator('#foutmeldingen').waitFor();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Iemand anders heeft deze melding intussen gewijzigd');
    await expectAccessible(page);
  }, 180_000);

  it('searches by a part of the surname and the birth date without either appearing in the address, filters by officer', async () => {
    await page.goto(`${base}/meldingen`);
    await page.getByLabel('Achternaam').fill('straat');
    await page.getByRole('button', { name: 'Zoeken', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Meldingen van een leerling' }).waitFor();
    await expect(page.locator('table tbody a[href^="/meldingen/"]').allTextContents()).resolves.toEqual([`Melding ${n.mine}`]);
    expect(page.url()).toBe(`${base}/meldingen/zoeken`);
    await page.goto(`${base}/meldingen`);
    await page.getByLabel('Achternaam').fill('j');
    await page.getByRole('button', { name: 'Zoeken', exact: true }).click();
    await expect(page.getByRole('alert').getByRole('link').allTextContents()).resolves.toEqual([expect.stringMatching(/^Achternaam: /)]);
    await expectAccessible(page);
    await page.getByLabel('Achternaam').fill('');
    await page.getByLabel('Geboortedatum').fill('2012-02-02');
    await page.getByRole('button', { name: 'Zoeken', exact: true }).click();
    await expect(page.locator('table tbody a[href^="/meldingen/"]').allTextContents()).resolves.toEqual([`Melding ${n.other}`]);
    await page.goto(`${base}/meldingen`);
    await page.getByLabel('In behandeling bij').selectOption({ label: 'otto.werk (mijn meldingen)' });
    await page.getByRole('button', { name: 'Filteren' }).click();
    await page.waitForURL(/assignedTo=/);
    await expect(page.locator('table tbody a[href^="/meldingen/"]').allTextContents()).resolves.toEqual([`Melding ${n.mine}`]);
  }, 180_000);

  it('fits 320 px wide: what this adds to the overview and the report stays within the screen; the start page\'s lists wrap', async () => {
    await page.setViewportSize({ width: 320, height: 800 });
    // The start page's month table (not of this change) is wider than 320 px and widens the page; the new lists wrap within it.
    await page.goto(`${base}/`);
    const lists = await page.locator('#mijn-meldingen + ul li, #sinds-vorig-bezoek + ul li').evaluateAll((els) => els.map((el) => el.scrollWidth - el.clientWidth));
    expect(lists.length).toBeGreaterThan(0);
    expect(lists.every((overflow) => overflow <= 0)).toBe(true);
    const added: [string, string][] = [
      ['/meldingen', '#veld-name, #veld-birthDate, #veld-assignedTo, #veld-school'],
      [`/meldingen/${n.mine}`, '#toewijzen, form[action$="/toewijzen"], form[action$="/toewijzen"] select, form[action$="/toewijzen"] button'],
    ];
    for (const [path, selector] of added) {
      await page.goto(`${base}${path}`);
      const boxes = await page.locator(selector).evaluateAll((els) => els.map((el) => ({ id: el.id || el.tagName, right: Math.ceil(el.getBoundingClientRect().right) })));
      expect(boxes.length).toBeGreaterThan(0);
      for (const box of boxes) expect({ path, ...box, fits: box.right <= 320 }).toEqual({ path, ...box, fits: true });
      await expectAccessible(page);
    }
  }, 180_000);
});
