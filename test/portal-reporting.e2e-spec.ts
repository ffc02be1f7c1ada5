import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, Page } from 'playwright-core';
import { clock } from '../src/common/clock';
import { todayInNL } from '../src/common/dates';
import { currentSchoolYear } from '../src/reporting/annual-figures';
import { MonthlyReportsService } from '../src/reporting/monthly-reports.service';
import { RetentionService } from '../src/retention/retention.service';
import { describeWithBrowser, expectAccessible, launchBrowser, listen, SCREENSHOTS, signedInPage } from './support/browser';
import { activePerson } from './support/people';
import { bsn, Caller, reportBody, TestApp, TestSchool } from './support/test-app';

/** Run in the page: how wide the document is, and what sticks out of 320 px without a scrolling box around it. */
const OVERFLOW = `(() => {
  const scrolls = (e) => { for (let p = e.parentElement; p; p = p.parentElement) if (['auto', 'scroll'].includes(getComputedStyle(p).overflowX)) return true; return false; };
  const wide = [...document.body.querySelectorAll('*')].filter((e) => e.getBoundingClientRect().right > 320.5 && !scrolls(e));
  return { scrollWidth: document.documentElement.scrollWidth, offenders: wide.slice(0, 5).map((e) => e.tagName.toLowerCase() + '.' + [...e.classList].join('.')) };
})()`;
const PHONE = { width: 320, height: 640 };
const DESKTOP = { width: 1280, height: 900 };

describeWithBrowser('Rapportages and Bewaren, in a real browser', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let school: TestSchool;
  let amsterdam: Caller;
  let erased: number;
  let people = 0;
  const person = (org: string, roles: string[]) => {
    const username = `rap.${++people}`;
    return activePerson(t, org, { username, email: `${username}@example.org`, roles });
  };
  const fitsPhone = async (page: Page) => expect(await page.evaluate(OVERFLOW)).toEqual({ scrollWidth: 320, offenders: [] });
  const month = todayInNL(clock.now()).slice(0, 7);

  async function closedReport(seed: number): Promise<number> {
    const n: number = (await school.post('/api/v1/reports', reportBody(school, {}, { pgn: bsn(seed) })).expect(201)).body.number;
    await amsterdam.post(`/api/v1/reports/${n}/status`, { status: 'AFGESLOTEN', closingReason: 'TERUG_NAAR_SCHOOL', closingExplanation: 'GEZIEN' }).expect(200);
    return n;
  }

  beforeAll(async () => {
    t = await TestApp.start();
    base = await listen(t);
    browser = await launchBrowser();
    school = await t.newSchool();
    amsterdam = await t.keyFor('GM0363');
    // One report erased (a destruction record), one due at the next run (filed six years ago), one open.
    erased = await closedReport(4100);
    await t.app.get(RetentionService).eraseDue(undefined, new Date(Date.now() + 61 * 31 * 86_400_000));
    const due = await closedReport(4200);
    await t.db.query(`UPDATE report SET created_at = now() - interval '6 years', closed_at = now() - interval '61 months' WHERE number = $1`, [due]);
    await school.post('/api/v1/reports', reportBody(school, { kind: 'LUXE', endDate: undefined }, { pgn: bsn(4300) })).expect(201);
    // This month's monthly reports, as the first of next month makes them.
    await t.db.transaction((m) => t.app.get(MonthlyReportsService).make(m, month));
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('lists the monthly reports on /rapportages and downloads one as Excel', async () => {
    const page = await signedInPage(t, browser, base, await person('GM0363', ['rapportage']), DESKTOP);
    await page.goto(`${base}/rapportages`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Rapportages');
    const rows = page.getByRole('table', { name: /Maandrapportages van uw organisatie/ }).locator('tbody tr');
    await expect(rows.count()).resolves.toBe(1);
    await expect(rows.first().textContent()).resolves.toMatch(/Wordt|\d/);
    await expectAccessible(page);
    const [download] = await Promise.all([page.waitForEvent('download'), rows.first().getByRole('link', { name: /als Excel/ }).click()]);
    expect(download.suggestedFilename()).toBe(`maandrapportage-GM0363-${month}.xlsx`);
    expect(readFileSync((await download.path())!).subarray(0, 2).toString()).toBe('PK');
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM audit_event WHERE action = 'MONTHLY_REPORT_DOWNLOADED' AND details->>'format' = 'xlsx'`);
    expect(n).toBe(1);
    // The way to the jaaropgave.
    await page.getByRole('link', { name: `Jaaropgave schooljaar ${currentSchoolYear().label}` }).click();
    await page.waitForURL(`${base}/rapportages/jaaropgave`);
  });

  it('shows the jaaropgave with the year before beside it, a chart, and no sideways scroll at 320 px', async () => {
    const label = currentSchoolYear().label;
    const desktop = await signedInPage(t, browser, base, await person('GM0363', ['beheerder']), DESKTOP);
    await desktop.goto(`${base}/rapportages/jaaropgave`);
    await expect(desktop.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(`Jaaropgave schooljaar ${label}`);
    await expect(desktop.getByText(/tot en met .*\(lopend schooljaar\)/).first().isVisible()).resolves.toBe(true);
    const totals = desktop.getByRole('table', { name: 'Totalen' });
    const previous = `${currentSchoolYear().startYear - 1}-${currentSchoolYear().startYear}`;
    await expect(totals.locator('thead th').allTextContents()).resolves.toEqual(['Wat', label, previous]);
    // Two reports were filed this school year and reached Amsterdam (the erased one counts still); one is open.
    await expect(totals.getByRole('row', { name: /Ontvangen meldingen/ }).locator('td').allTextContents()).resolves.toEqual(['2', '0']);
    await expect(totals.getByRole('row', { name: /Nog open/ }).locator('td').allTextContents()).resolves.toEqual(['1', '0']);
    await expect(desktop.getByRole('img', { name: /Staafdiagram/ }).isVisible()).resolves.toBe(true);
    await expectAccessible(desktop);
    await desktop.screenshot({ path: join(SCREENSHOTS, 'jaaropgave.png'), fullPage: true });
    const [download] = await Promise.all([desktop.waitForEvent('download'), desktop.getByRole('link', { name: 'Downloaden als Excel' }).click()]);
    expect(download.suggestedFilename()).toBe(`jaaropgave-GM0363-${label}.xlsx`);
    expect(readFileSync((await download.path())!).subarray(0, 2).toString()).toBe('PK');
    // The year before, by its link.
    await desktop.getByRole('link', { name: `Schooljaar ${previous}` }).click();
    await desktop.waitForURL(`${base}/rapportages/jaaropgave/${previous}`);
    await expect(desktop.getByText('1 augustus').first().isVisible()).resolves.toBe(true);

    const phone = await signedInPage(t, browser, base, await person('GM0363', ['rapportage']), PHONE);
    await phone.goto(`${base}/rapportages/jaaropgave/${label}`);
    await expect(phone.getByRole('table', { name: 'Ontvangen, naar soort verzuim' }).isVisible()).resolves.toBe(true);
    await expect(phone.getByRole('img', { name: /Staafdiagram/ }).isVisible()).resolves.toBe(true);
    await fitsPhone(phone);
    await expectAccessible(phone);
  });

  it("shows the operator what the next run erases per year and the destruction records, at 320 px too", async () => {
    // A person per viewport: a one-time code's time step is accepted once.
    for (const viewport of [DESKTOP, PHONE]) {
      const page = await signedInPage(t, browser, base, await person('OPERATOR', ['operator']), viewport);
      await page.goto(`${base}/bewaren`);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Bewaartermijnen');
      const next = page.getByRole('table', { name: /Wat de volgende run wist: 1 melding/ });
      await expect(next.locator('tbody tr').allTextContents()).resolves.toEqual([expect.stringMatching(new RegExp(`^\\s*${new Date().getUTCFullYear() - 6}\\s*1\\s*$`))]);
      const records = page.getByRole('table', { name: /Gewiste meldingen/ });
      await expect(records.locator('tbody tr').count()).resolves.toBe(1);
      await expect(records.locator('tbody tr th').textContent()).resolves.toBe(String(erased));
      await expect(records.locator('tbody tr').textContent()).resolves.toContain(school.org.code);
      await expectAccessible(page);
      if (viewport === PHONE) await fitsPhone(page);
    }
  });
});
