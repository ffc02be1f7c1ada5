import { Browser, Page } from 'playwright-core';
import { describeWithBrowser, launchBrowser, listen, pageSignedInAs } from './support/browser';
import { activePerson, Person } from './support/people';
import { bsn, reportBody, TestApp, TestSchool } from './support/test-app';

/** WCAG 1.4.10 (reflow): at 320 CSS pixels wide (1280 px at 400 % zoom) nothing scrolls sideways but a table in its own box. */
const WIDTH = 320;
/** Pages per role at most: the crawl keeps one address per pattern (/meldingen/12 and /meldingen/13 are one page). */
const MAX_PAGES = 60;

/** Run in the page (as text: the tests compile without the DOM's types). */
const OVERFLOW = `(width) => {
  const scrolls = (e) => {
    for (let p = e.parentElement; p; p = p.parentElement) if (['auto', 'scroll'].includes(getComputedStyle(p).overflowX)) return true;
    return false;
  };
  const wide = [...document.body.querySelectorAll('*')]
    .filter((e) => e.getBoundingClientRect().right > width + 0.5 && !scrolls(e) && getComputedStyle(e).visibility !== 'hidden');
  // The innermost ones: what makes its ancestors wide.
  const offenders = wide.filter((e) => !wide.some((o) => o !== e && e.contains(o))).slice(0, 5)
    .map((e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + '.' + [...e.classList].join('.') + ' (' + Math.round(e.getBoundingClientRect().right) + ')');
  return { scrollWidth: document.documentElement.scrollWidth, offenders };
}`;

describeWithBrowser('every page of every role fits 320 px wide (reflow)', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let school: TestSchool;

  const pageAs = (person: Person) => pageSignedInAs(browser, t, base, person, { viewport: { width: WIDTH, height: 720 } });

  /** What sticks out on the right: the page's scroll width, and the elements beyond the edge outside a scrolling box. */
  async function overflow(page: Page): Promise<{ scrollWidth: number; offenders: string[] }> {
    return page.evaluate(`(${OVERFLOW})(${WIDTH})`) as Promise<{ scrollWidth: number; offenders: string[] }>;
  }

  /** Opens `start` and every page linked from what it finds (same site, GET, one per pattern); each must fit. */
  async function crawl(page: Page, start: string[]): Promise<{ visited: string[]; wide: string[] }> {
    const queue = [...start];
    const seen = new Set<string>();
    const visited: string[] = [];
    const wide: string[] = [];
    const pattern = (path: string) => path.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, ':id').replace(/\/\d+(?=\/|$)/g, '/:n').replace(/\?.*$/, '');
    while (queue.length > 0 && visited.length < MAX_PAGES) {
      const path = queue.shift()!;
      if (seen.has(pattern(path))) continue;
      seen.add(pattern(path));
      // A link to a file must say so (the `download` attribute), or the browser leaves the page for a download.
      const response = await page.goto(`${base}${path}`).catch((e: Error) => {
        if (/Download is starting/.test(e.message)) wide.push(`${path}: a download linked without the download attribute`);
        else throw e;
        return null;
      });
      if (!response || !(response.headers()['content-type'] ?? '').startsWith('text/html')) continue;
      visited.push(path);
      const { scrollWidth, offenders } = await overflow(page);
      if (scrollWidth > WIDTH) wide.push(`${path}: ${scrollWidth} px, ${offenders.join(', ')}`);
      // Pages only: a link that downloads a file (CSV, Excel, PDF) is no page to fit.
      const links = await page.locator('a[href^="/"]:not([download])').evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
      for (const href of links) {
        if (/^\/(afmelden|api|assets)|\.csv$|\/(export|pdf)(\?|$)/.test(href) || href.startsWith('//')) continue;
        if (!seen.has(pattern(href))) queue.push(href.replace(/#.*$/, ''));
      }
    }
    return { visited, wide };
  }

  beforeAll(async () => {
    t = await TestApp.start();
    base = await listen(t);
    school = await t.newSchool('Smalle school');
    const amsterdam = await t.keyFor('GM0363');
    // Long words, the longest labels and a history with several entries: the worst case for a narrow screen.
    const number = (await school.post('/api/v1/reports', reportBody(school, { reason: 'Ongeoorloofdverzuimregistratieoverzichtsdocumentatie '.repeat(3) }, { pgn: bsn(61001), surname: 'Weerbarstig-Langenaamsdrager' })).expect(201)).body.number;
    await school.post('/api/v1/reports', reportBody(school, {}, { pgn: bsn(61002) })).expect(201);
    await amsterdam.post(`/api/v1/reports/${number}/messages`, { body: 'Wij nemen contact op met de ouders.' }).expect(201);
    await amsterdam.post(`/api/v1/reports/${number}/status`, { status: 'IN_BEHANDELING' }).expect(200);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('signed out: the sign-in and activation pages', async () => {
    const page = await (await browser.newContext({ viewport: { width: WIDTH, height: 720 } })).newPage();
    const { visited, wide } = await crawl(page, ['/aanmelden', '/activeren']);
    expect(visited.length).toBeGreaterThanOrEqual(2);
    expect(wide).toEqual([]);
  });

  it.each([
    ['a melder', 'SCHOOL', ['melder']],
    ['a lezer of the school', 'SCHOOL', ['lezer']],
    ['a beheerder of the school', 'SCHOOL', ['beheerder', 'melder']],
    ['an officer', 'GM0363', ['behandelaar']],
    ['a beheerder of the municipality', 'GM0363', ['beheerder', 'behandelaar']],
    ['the operator', 'OPERATOR', ['operator']],
  ])('%s: every page linked from the start page, and the filing form with its errors', async (label, org, roles) => {
    const code = org === 'SCHOOL' ? school.org.code : org;
    const username = `smal.${label.replace(/\W+/g, '.')}`;
    const page = await pageAs(await activePerson(t, code, { username, email: `${username}@example.org`, roles }));
    const { visited, wide } = await crawl(page, ['/']);
    expect(visited.length).toBeGreaterThanOrEqual(roles.includes('operator') ? 4 : 3);
    if (roles.includes('melder')) {
      expect(visited).toEqual(expect.arrayContaining(['/meldingen/nieuw', expect.stringMatching(/^\/meldingen\/\d+$/), expect.stringMatching(/^\/meldingen\/\d+\/wijzigen$/)]));
      await page.goto(`${base}/meldingen/nieuw`);
      await page.getByRole('button', { name: 'Melding versturen' }).click();
      await page.locator('#foutmeldingen').waitFor();
      const { scrollWidth, offenders } = await overflow(page);
      if (scrollWidth > WIDTH) wide.push(`/meldingen/nieuw with errors: ${scrollWidth} px, ${offenders.join(', ')}`);
    }
    expect(wide).toEqual([]);
    // The header's links are on the screen, not beyond its edge.
    await page.goto(`${base}/`);
    for (const name of ['Afmelden', 'Start']) {
      const box = await page.getByRole(name === 'Afmelden' ? 'button' : 'link', { name, exact: true }).boundingBox();
      expect(box && box.x >= 0 && box.x + box.width <= WIDTH).toBe(true);
    }
    await page.context().close();
  });
});
