import { readFileSync } from 'node:fs';
import { Browser, Page } from 'playwright-core';
import { describeWithBrowser, expectAccessible, launchBrowser, listen, openSignedIn } from './support/browser';
import { pdfPages, readXlsx } from './support/files';
import { activePerson } from './support/people';
import { bsn, reportBody, TestApp, TestSchool } from './support/test-app';

describeWithBrowser('the exports in the portal, in Chromium at 320 px', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let school: TestSchool;
  let page: Page;
  const numbers: number[] = [];

  beforeAll(async () => {
    t = await TestApp.start();
    base = await listen(t);
    browser = await launchBrowser();
    school = await t.newSchool('Browserexport');
    for (let i = 0; i < 3; i++) {
      const res = await school.post('/api/v1/reports', reportBody(school, { kind: 'LUXE', endDate: null }, { pgn: bsn(71000 + i * 11), surname: `Export${i}` })).expect(201);
      numbers.push(res.body.number);
    }
    const melder = await activePerson(t, school.org.code, { username: 'browser.export', email: 'browser.export@example.org', roles: ['melder'] });
    page = await openSignedIn(browser, base, melder, '/meldingen');
    await page.setViewportSize({ width: 320, height: 800 });
  }, 180_000); // a browser, a school and a sign-in on a machine shared with others
  afterAll(async () => {
    await browser?.close();
    await t.stop();
  });

  it('offers every matching report as Excel and downloads them all, at 320 px without sideways scrolling of the page', async () => {
    await page.goto(`${base}/meldingen?kind=LUXE`);
    const link = page.getByRole('link', { name: 'Excel (.xlsx)' });
    await expect(link.isVisible()).resolves.toBe(true);
    await expect(page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(320);
    await expectAccessible(page);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toMatch(/^meldingen-\d{4}-\d{2}-\d{2}\.xlsx$/);
    const sheet = await readXlsx(readFileSync((await download.path())!));
    expect(sheet.getColumn(1).values.slice(2)).toEqual([...numbers].reverse());
  });

  it('downloads the ticked reports with the Excel button', async () => {
    await page.goto(`${base}/meldingen`);
    await page.getByLabel(`Melding ${numbers[1]} selecteren`).check();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Selectie downloaden (Excel)' }).click()]);
    const sheet = await readXlsx(readFileSync((await download.path())!));
    expect(sheet.getColumn(1).values.slice(2)).toEqual([numbers[1]]);
  });

  it('downloads a report as PDF from its page', async () => {
    await page.goto(`${base}/meldingen/${numbers[0]}`);
    await expectAccessible(page);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: `Melding ${numbers[0]} als PDF voor het archief` }).click()]);
    expect(download.suggestedFilename()).toBe(`melding-${numbers[0]}.pdf`);
    const { pages } = pdfPages(readFileSync((await download.path())!));
    expect(pages[0]).toContain(`Verzuimmelding ${numbers[0]}`);
    expect(pages[0]).toContain('Export0');
  });
});
