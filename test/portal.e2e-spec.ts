import { AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { Browser, Page } from 'playwright-core';
import { clock } from '../src/common/clock';
import { AppConfig } from '../src/config/app-config';
import { AccountsService } from '../src/identity/accounts.service';
import { codeAt } from '../src/identity/credentials/totp';
import { SessionStage } from '../src/identity/session.entity';
import { SessionsService } from '../src/identity/sessions.service';
import { describeWithBrowser, expectAccessible, launchBrowser, newPage, openSignedIn, SCREENSHOTS, signInPage as signIn } from './support/browser';
import { ReceivedMail, TestMailServer } from './support/mail-server';
import { activePerson, PASSWORD, Person } from './support/people';
import { bsn, bornAged, daysAgo, reportBody, TestApp, TestSchool } from './support/test-app';

/** A port nobody listens on now: the service must know its own address (PUBLIC_URL) before it listens. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Runs an expression in the page (the tests compile without the DOM's types). */
const inPage = <T>(page: Page, expression: string): Promise<T> => page.evaluate<T>(expression);

/** What has the keyboard focus: its id (or tag) and text, and whether a sighted person can see where it is. */
interface Focus {
  id: string;
  tag: string;
  text: string;
  value: string;
  checked: boolean;
  /** A focus ring: an outline or a box shadow that is not "none". */
  ring: boolean;
  /** Its box on the screen (a skip link hidden off screen has none to speak of). */
  width: number;
}
const focused = (page: Page) =>
  inPage<Focus>(page, `(() => {
    const e = document.activeElement;
    const s = getComputedStyle(e);
    const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
    return { id: e.id, tag: e.tagName, text: (e.textContent || '').trim(), value: e.value ?? '', checked: !!e.checked,
      ring: outline || s.boxShadow !== 'none', width: e.getBoundingClientRect().width };
  })()`);

/**
 * Presses Tab and expects the focus on the element with this id next (a date field takes a Tab per part: day,
 * month, year, all the same element). A wrong focus order fails here.
 */
async function tabTo(page: Page, id: string): Promise<Focus> {
  const from = (await focused(page)).id;
  let focus = await focused(page);
  for (let i = 0; i < 4 && focus.id === from; i++) {
    await page.keyboard.press('Tab');
    focus = await focused(page);
  }
  expect({ after: from, focus: focus.id }).toEqual({ after: from, focus: id });
  return focus;
}

/** The first Tab on a fresh page reaches the skip link; Enter on it puts the focus on the page's main content. */
async function skipToContent(page: Page): Promise<void> {
  await page.keyboard.press('Tab');
  const skip = await focused(page);
  expect({ tag: skip.tag, text: skip.text, ring: skip.ring, shown: skip.width > 10 }).toEqual({ tag: 'A', text: 'Naar de inhoud', ring: true, shown: true });
  await page.keyboard.press('Enter');
  await expect(focused(page).then((f) => f.id)).resolves.toBe('inhoud');
}

/**
 * The order in which this browser's date fields take day, month and year: a Dutch one asks dd-mm-jjjj, the test
 * machine's Chromium (American, whatever the page's language) mm/dd/jjjj. Found by typing into a field of its own.
 */
async function dateOrder(browser: Browser): Promise<'dmy' | 'mdy'> {
  const probe = await newPage(browser);
  await probe.setContent('<input type="date" autofocus>');
  await probe.locator('input').focus();
  await probe.keyboard.type('01022000');
  const value = await probe.locator('input').inputValue();
  await probe.context().close();
  return value === '2000-02-01' ? 'dmy' : 'mdy';
}

/** Types a date into the date field that has the focus, part by part as the browser asks, and checks what it holds. */
async function typeDate(page: Page, order: 'dmy' | 'mdy', iso: string): Promise<void> {
  const [y, m, d] = iso.split('-');
  await page.keyboard.type(order === 'dmy' ? `${d}${m}${y}` : `${m}${d}${y}`);
  await expect(inPage<string>(page, 'document.activeElement.value')).resolves.toBe(iso);
}

/** Signs in without the accessibility checks (signInPage does them; this is for the journeys that only pass through). */
async function quickSignIn(page: Page, person: Person): Promise<void> {
  await page.getByLabel('Gebruikersnaam').fill(person.user.username);
  await page.getByLabel('Wachtwoord').fill(PASSWORD);
  await page.getByRole('button', { name: 'Volgende' }).click();
  await page.getByLabel('Code uit uw app of token').fill(codeAt(person.seed, clock.now()));
  await page.getByRole('button', { name: 'Aanmelden' }).click();
}

/** The report as a person types it into the filing form (the API's body, for the same facts). */
async function fillReport(page: Page, school: TestSchool, body: ReturnType<typeof reportBody>): Promise<void> {
  const { pupil } = body;
  await page.getByLabel('BSN of onderwijsnummer').fill(pupil.pgn);
  await page.getByLabel('Voorletters').fill(pupil.initials);
  await page.getByLabel('Achternaam').fill(pupil.surname);
  await page.getByLabel('Jongen / man').check();
  await page.getByLabel('Geboortedatum').fill(pupil.birthDate);
  await page.getByLabel('Straat', { exact: true }).fill(String(pupil.registeredAddress.street));
  await page.getByLabel('Huisnummer', { exact: true }).fill(String(pupil.registeredAddress.houseNumber));
  await page.getByLabel('Postcode', { exact: true }).fill(String(pupil.registeredAddress.postcode));
  await page.getByLabel('Woonplaats', { exact: true }).fill(String(pupil.registeredAddress.place));
  await page.getByLabel('Gemeente van het adres').selectOption(String(pupil.registeredAddress.municipalityCode));
  await page.getByLabel('16 uur ongeoorloofd verzuim in 4 opeenvolgende lesweken').check();
  await page.getByLabel('Reden van het verzuim').fill(body.reason);
  await page.getByLabel('Eerste dag van het verzuim').fill(body.beginDate);
  await page.getByLabel('Laatste dag van het verzuim').fill(body.endDate);
  await page.getByLabel('Aantal lesuren gemist').fill(String(body.hoursMissed));
  await page.getByLabel('Vestiging').selectOption(`${school.org.code}${school.location.code}`);
  await page.getByLabel('Melder', { exact: true }).selectOption(school.reporter.id);
}

/** The error summary's links: their text, and whether each leads to an element on the page. */
async function summaryLinks(page: Page): Promise<{ text: string; target: boolean }[]> {
  return inPage(page, `[...document.querySelectorAll('#foutmeldingen a')].map((a) => ({
    text: a.textContent.trim(), target: !!document.getElementById(decodeURIComponent(a.hash.slice(1))) }))`);
}

describeWithBrowser('the portal, in a real browser', () => {
  let t: TestApp;
  let mail: TestMailServer;
  let base: string;
  let browser: Browser;
  let school: TestSchool;
  let melder: Person;
  let officer: Person;

  beforeAll(async () => {
    // A real SMTP server, and the service at the address its e-mailed links name: the browser follows them.
    mail = await TestMailServer.start();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    t = await TestApp.start({ SMTP_URL: mail.url, MAIL_WORKER: 'true', MAIL_POLL_MS: '100', PUBLIC_URL: base });
    await t.app.listen(port, '127.0.0.1');
    school = await t.newSchool('Portaalschool');
    melder = await activePerson(t, school.org.code, { username: 'mila.melder', email: 'mila@school.example', roles: ['melder'] });
    officer = await activePerson(t, 'GM0363', { username: 'olaf.leerplicht', email: 'olaf@amsterdam.example', roles: ['behandelaar'] });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
    await mail?.stop();
  });

  /** The e-mail to this address whose text contains `needle`, once the worker has sent it. */
  async function mailed(address: string, needle: string): Promise<ReceivedMail> {
    const until = Date.now() + 15_000;
    for (;;) {
      const found = mail.to(address).find((m) => m.text.includes(needle));
      if (found) return found;
      if (Date.now() > until) throw new Error(`Geen e-mail aan ${address} met ${needle}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  /** The link in an e-mail's text, as the person would click it. */
  function linkIn(received: ReceivedMail, path: RegExp): string {
    const link = received.text.match(new RegExp(`https?://[^\\s/]+${path.source}`))?.[0];
    expect(link?.startsWith(`${base}/`)).toBe(true);
    return link!;
  }
  const reportCount = async () => Number((await t.db.query('SELECT count(*)::int AS n FROM report'))[0].n);

  it('lets a verzuimcoördinator file a report, bringing them back to the form after signing in and keeping what they typed after an error', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${base}/meldingen/nieuw`);
    await page.waitForURL(/\/aanmelden\?terug=%2Fmeldingen%2Fnieuw/);
    await page.screenshot({ path: join(SCREENSHOTS, 'aanmelden.png'), fullPage: true });
    await signIn(page, melder);
    await page.waitForURL(`${base}/meldingen/nieuw`);
    await expect(page.title()).resolves.toBe('Verzuim melden - Verzuimloket');
    await expectAccessible(page);

    // Sent half-filled: one summary at the top, linking to each field; the message beside the field; values kept.
    await page.getByLabel('Achternaam').fill('Zonnebloem');
    await page.getByLabel('BSN of onderwijsnummer').fill('123456789');
    await page.getByRole('button', { name: 'Melding versturen' }).click();
    await page.locator('#foutmeldingen').waitFor();
    await expect(page.title()).resolves.toBe('Fout: Verzuim melden - Verzuimloket');
    const summary = page.getByRole('alert');
    await expect(summary.getByRole('link', { name: /^BSN of onderwijsnummer: / }).count()).resolves.toBe(1);
    await expect(summary.getByRole('link', { name: /^Voorletters: / }).count()).resolves.toBe(1);
    await expect(page.getByLabel('Achternaam').inputValue()).resolves.toBe('Zonnebloem');
    await expect(page.locator('#veld-pupil-pgn').getAttribute('aria-invalid')).resolves.toBe('true');
    await expectAccessible(page);
    await summary.getByRole('link', { name: /^Voorletters: / }).click();
    await expect(page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id)).resolves.toBe('veld-pupil-initials');

    const body = reportBody(school, {}, { pgn: bsn(8080) });
    await page.getByLabel('BSN of onderwijsnummer').fill(body.pupil.pgn);
    await page.getByLabel('Voorletters').fill('Z.');
    await page.getByLabel('Jongen / man').check();
    await page.getByLabel('Geboortedatum').fill(bornAged(13));
    await page.getByLabel('Straat', { exact: true }).fill('Bloemgracht');
    await page.getByLabel('Huisnummer', { exact: true }).fill('12');
    await page.getByLabel('Postcode', { exact: true }).fill('1015 TK');
    await page.getByLabel('Woonplaats', { exact: true }).fill('Amsterdam');
    await page.getByLabel('Gemeente van het adres').selectOption('GM0363');
    await page.getByLabel('16 uur ongeoorloofd verzuim in 4 opeenvolgende lesweken').check();
    await page.getByLabel('Reden van het verzuim').fill('Komt steeds het eerste uur niet');
    await page.getByLabel('Eerste dag van het verzuim').fill(daysAgo(20));
    await page.getByLabel('Laatste dag van het verzuim').fill(daysAgo(2));
    await page.getByLabel('Aantal lesuren gemist').fill('16');
    await page.getByLabel('Vestiging').selectOption(`${school.org.code}01`);
    await page.getByLabel('Melder', { exact: true }).selectOption(school.reporter.id);
    await page.screenshot({ path: join(SCREENSHOTS, 'verzuim-melden.png'), fullPage: true });
    await page.getByRole('button', { name: 'Melding versturen' }).click();
    await page.waitForURL(/\/meldingen\/\d+\?gedaan=gemeld$/);
    await expect(page.getByRole('status').textContent()).resolves.toMatch(/Melding \d+ is verstuurd naar de ontvanger\./);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toMatch(/^Melding \d+: 16 uur/);
    await expectAccessible(page);
    await page.close();
  });

  it('lets an officer work through the inbox: open a report, reply, take it into handling and close it with a reason', async () => {
    const filed = await school.post('/api/v1/reports', reportBody(school, {}, { pgn: bsn(9090) })).expect(201);
    const n = filed.body.number;
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${base}/`);
    await signIn(page, officer);
    await page.waitForURL(`${base}/`);
    await expect(page.getByRole('link', { name: /nieuw, nog niet in behandeling/ }).textContent()).resolves.toMatch(/^\s*[1-9]\d*/);
    await expect(page.getByRole('table', { name: /Meldingen per maand/ }).isVisible()).resolves.toBe(true);
    await expectAccessible(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'start-leerplicht.png'), fullPage: true });

    await page.getByRole('link', { name: 'Meldingen', exact: true }).click();
    await expectAccessible(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'meldingen.png'), fullPage: true });
    await page.getByRole('link', { name: `Melding ${n}`, exact: true }).click();
    await page.waitForURL(`${base}/meldingen/${n}`);
    await expectAccessible(page);

    await page.getByLabel('Nieuw bericht').fill('Wij nemen contact op met de ouders.');
    await page.getByRole('button', { name: 'Bericht versturen' }).click();
    await page.waitForURL(`${base}/meldingen/${n}?gedaan=bericht`);
    await expect(page.getByRole('status').textContent()).resolves.toContain('Uw bericht is verstuurd.');
    await expect(page.getByRole('region', { name: 'Berichten' }).locator('.vzl-message').first().textContent()).resolves.toBe('Wij nemen contact op met de ouders.');

    await page.getByLabel('In behandeling').check();
    await page.getByRole('button', { name: 'Status opslaan' }).click();
    await page.waitForURL(`${base}/meldingen/${n}?gedaan=status`);
    await expect(page.getByRole('status').textContent()).resolves.toContain('De status is opgeslagen.');

    // Closing without a reason: the error names the field.
    await page.getByLabel('Afgesloten').check();
    await page.getByRole('button', { name: 'Status opslaan' }).click();
    await page.waitForURL(`${base}/meldingen/${n}/status`);
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Reden van afsluiten');
    await expectAccessible(page);
    await page.getByLabel('Afgesloten').check();
    await page.getByLabel('Reden van afsluiten').selectOption('TERUG_NAAR_SCHOOL');
    await page.getByLabel('Toelichting bij afsluiten').selectOption('GEZIEN');
    await page.getByRole('button', { name: 'Status opslaan' }).click();
    await page.waitForURL(`${base}/meldingen/${n}?gedaan=status`);
    await expect(page.getByRole('status').textContent()).resolves.toContain('De status is opgeslagen.');
    await expect(page.locator('.vzl-status').textContent()).resolves.toBe('Afgesloten');
    await page.screenshot({ path: join(SCREENSHOTS, 'melding.png'), fullPage: true });
    await expectAccessible(page);
    await page.close();
  });

  it('takes a new person from the e-mailed activation link to a first sign-in, with the QR code on the page', async () => {
    await t.app.get(AccountsService).appoint('GM0363', { username: 'nadia.nieuw', name: 'Nadia Nieuw', email: 'nadia@amsterdam.example' }, 'LINK');
    const link = linkIn(await mailed('nadia@amsterdam.example', '/activeren?code='), /\/activeren\?code=\S+/);
    const page = await (await browser.newContext()).newPage();
    await page.goto(link);
    await expect(page.content()).resolves.toContain('nadia.nieuw');
    await expectAccessible(page);
    await page.getByLabel('Kies een wachtwoord').fill('welkom123');
    await page.getByRole('button', { name: 'Volgende' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Wachtwoord');
    await expectAccessible(page);
    await page.getByLabel('Kies een wachtwoord').fill('drie lange woorden voor de lente');
    await page.getByRole('button', { name: 'Volgende' }).click();
    await page.locator('.vzl-qr svg').waitFor();
    await expect(page.getByRole('img', { name: /QR-code/ }).locator('svg').count()).resolves.toBe(1);
    await expectAccessible(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'activeren.png'), fullPage: true });
    const secret = (await page.locator('.vzl-secret').textContent())!.trim();
    await page.getByLabel('Code uit uw app of token').fill('000000');
    await page.getByRole('button', { name: 'Token koppelen' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Code');
    await page.getByLabel('Code uit uw app of token').fill(codeAt(secret));
    await page.getByRole('button', { name: 'Token koppelen' }).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Uw account is actief');
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Naar aanmelden' }).click();
    await page.getByLabel('Gebruikersnaam').fill('nadia.nieuw');
    await page.getByLabel('Wachtwoord').fill('drie lange woorden voor de lente');
    await page.getByRole('button', { name: 'Volgende' }).click();
    // Half a minute later, as it would be: the code used to confirm is never accepted again.
    const real = clock.now;
    clock.now = () => new Date(real().getTime() + 30_000);
    try {
      await page.getByLabel('Code uit uw app of token').fill(codeAt(secret, clock.now()));
      await page.getByRole('button', { name: 'Aanmelden' }).click();
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Welkom, Nadia Nieuw');
    } finally {
      clock.now = real;
    }
    await page.close();
  });

  it("shows another organisation's report to nobody, by its address or otherwise", async () => {
    const other = await t.newSchool('Andere portaalschool');
    const filed = await other.post('/api/v1/reports', reportBody(other, {}, { pgn: bsn(7070), registeredAddress: { street: 'Oudegracht', houseNumber: 1, postcode: '3511 AA', place: 'Utrecht', municipalityCode: 'GM0344' } })).expect(201);
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${base}/meldingen/${filed.body.number}`);
    const second = await activePerson(t, school.org.code, { username: 'max.melder', email: 'max@school.example', roles: ['melder'] });
    await signIn(page, second);
    await page.waitForURL(`${base}/meldingen/${filed.body.number}`);
    await expect(page.title()).resolves.toBe('Niet gevonden - Verzuimloket');
    await expect(page.content()).resolves.not.toContain('Oudegracht');
    await expectAccessible(page);
    await page.close();
  });

  it('lets a melder sign in and file a complete report with the keyboard alone, in a sensible order, always showing where the focus is', async () => {
    const kees = await activePerson(t, school.org.code, { username: 'kees.toetsenbord', email: 'kees@school.example', roles: ['melder'] });
    const body = reportBody(school, {}, { pgn: bsn(6060), surname: 'Toetsenbord' });
    const { pupil } = body;
    const order = await dateOrder(browser);
    const page = await (await browser.newContext({ locale: 'nl-NL' })).newPage();
    await page.goto(`${base}/meldingen/nieuw`);
    await page.waitForURL(/\/aanmelden\?/);

    // Signing in: skip link, the two fields, Enter; then the code, Enter.
    await skipToContent(page);
    await tabTo(page, 'veld-username');
    await page.keyboard.type(kees.user.username);
    await tabTo(page, 'veld-password');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/aanmelden\/code/);
    await skipToContent(page);
    await tabTo(page, 'veld-code');
    await page.keyboard.type(codeAt(kees.seed, clock.now()));
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/meldingen/nieuw`);

    // The form, field after field in the order it is read: the skip link passes the header and its menu.
    await skipToContent(page);
    const pgn = await tabTo(page, 'veld-pupil-pgn');
    expect(pgn.ring).toBe(true);
    await page.keyboard.type(pupil.pgn);
    await tabTo(page, 'veld-pupil-initials');
    await page.keyboard.type(pupil.initials);
    await tabTo(page, 'veld-pupil-prefix');
    await page.keyboard.type(pupil.prefix);
    await tabTo(page, 'veld-pupil-surname');
    await page.keyboard.type(pupil.surname);
    // A radio group is one stop; the arrow keys choose within it.
    await tabTo(page, 'veld-pupil-sex-0');
    await page.keyboard.press('ArrowDown');
    const sex = await focused(page);
    expect({ id: sex.id, checked: sex.checked, value: sex.value, ring: sex.ring }).toEqual({ id: 'veld-pupil-sex-1', checked: true, value: 'V', ring: true });
    await tabTo(page, 'veld-pupil-birthDate');
    await typeDate(page, order, pupil.birthDate);
    await tabTo(page, 'veld-pupil-registeredAddress-street');
    await page.keyboard.type(pupil.registeredAddress.street);
    await tabTo(page, 'veld-pupil-registeredAddress-houseNumber');
    await page.keyboard.type(String(pupil.registeredAddress.houseNumber));
    await tabTo(page, 'veld-pupil-registeredAddress-houseLetter');
    await tabTo(page, 'veld-pupil-registeredAddress-houseNumberAddition');
    await tabTo(page, 'veld-pupil-registeredAddress-postcode');
    // Typed as people do: the form makes it "1012 AB".
    await page.keyboard.type(pupil.registeredAddress.postcode.replace(' ', '').toLowerCase());
    await tabTo(page, 'veld-pupil-registeredAddress-place');
    await page.keyboard.type(pupil.registeredAddress.place);
    // A closed list chooses by typing the first letters.
    const municipality = await tabTo(page, 'veld-pupil-registeredAddress-municipalityCode');
    expect(municipality.ring).toBe(true);
    await page.keyboard.type('Amsterdam');
    await expect(focused(page).then((f) => f.value)).resolves.toBe('GM0363');
    // The verblijfsadres is folded away: its summary takes one Tab, its fields none until it is opened.
    await tabTo(page, 'veld-verblijfsadres');
    await tabTo(page, 'veld-pupil-phone');
    await tabTo(page, 'veld-pupil-studentNumber');
    await tabTo(page, 'veld-kind-0');
    await page.keyboard.press('Space');
    await expect(focused(page).then((f) => [f.value, f.checked])).resolves.toEqual(['16U', true]);
    await tabTo(page, 'veld-reason');
    await page.keyboard.type(body.reason);
    await tabTo(page, 'veld-beginDate');
    await typeDate(page, order, body.beginDate);
    await tabTo(page, 'veld-endDate');
    await typeDate(page, order, body.endDate);
    await tabTo(page, 'veld-daysMissed');
    await page.keyboard.type(String(body.daysMissed));
    await tabTo(page, 'veld-hoursMissed');
    await page.keyboard.type(String(body.hoursMissed));
    // A group with a choice already made is entered at that choice: "Ja"; down and up again.
    await tabTo(page, 'veld-allLessonsMissed-0');
    await page.keyboard.press('ArrowDown');
    await expect(focused(page).then((f) => [f.id, f.checked])).resolves.toEqual(['veld-allLessonsMissed-1', true]);
    await page.keyboard.press('ArrowUp');
    await expect(focused(page).then((f) => [f.id, f.checked])).resolves.toEqual(['veld-allLessonsMissed-0', true]);
    await tabTo(page, 'veld-absenceExplanation');
    await tabTo(page, 'veld-schoolAction');
    await page.keyboard.type('Gesprek met de ouders gehad.');
    await tabTo(page, 'veld-actionWanted-0');
    await tabTo(page, 'veld-actionWantedExplanation');
    await tabTo(page, 'veld-locationCode');
    await page.keyboard.press('ArrowDown');
    await expect(focused(page).then((f) => f.value)).resolves.toBe(`${school.org.code}${school.location.code}`);
    await tabTo(page, 'veld-reporterId');
    await page.keyboard.press('ArrowDown');
    await expect(focused(page).then((f) => f.value)).resolves.toBe(school.reporter.id);
    await tabTo(page, 'veld-emailCopies-2');
    await page.keyboard.press('Tab');
    const button = await focused(page);
    expect({ tag: button.tag, text: button.text, ring: button.ring }).toEqual({ tag: 'BUTTON', text: 'Melding versturen', ring: true });
    // Shift+Tab goes back the same way.
    await page.keyboard.press('Shift+Tab');
    await expect(focused(page).then((f) => f.id)).resolves.toBe('veld-emailCopies-2');
    await page.keyboard.press('Tab');
    await expectAccessible(page);

    const before = await reportCount();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/meldingen\/\d+\?gedaan=gemeld$/);
    await expect(page.getByRole('status').textContent()).resolves.toMatch(/Melding \d+ is verstuurd naar de ontvanger\./);
    await expect(reportCount()).resolves.toBe(before + 1);
    await expect(page.content()).resolves.toContain('Toetsenbord');
    await expectAccessible(page);
    await page.close();
  });

  it('e-mails the officer of a new report, and its link leads through signing in to that report', async () => {
    const otto = await activePerson(t, 'GM0363', { username: 'otto.link', email: 'otto@amsterdam.example', roles: ['behandelaar'] });
    const filed = await school.post('/api/v1/reports', reportBody(school, {}, { pgn: bsn(5050) })).expect(201);
    const n: number = filed.body.number;
    const link = linkIn(await mailed('otto@amsterdam.example', `/meldingen/${n}`), new RegExp(`/meldingen/${n}\\b`));
    const page = await newPage(browser);
    await page.goto(link);
    await page.waitForURL(`${base}/aanmelden?terug=${encodeURIComponent(`/meldingen/${n}`)}`);
    await signIn(page, otto);
    await page.waitForURL(link);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(`Melding ${n}: 16 uur ongeoorloofd verzuim in 4 opeenvolgende lesweken`);
    await expect(page.getByRole('button', { name: 'Status opslaan' }).isVisible()).resolves.toBe(true);
    await expectAccessible(page);
    await page.close();
  });

  it('after a while without activity asks to sign in again, then goes on where the person was; a sent reply is kept, not sent', async () => {
    const eva = await activePerson(t, 'GM0363', { username: 'eva.verlopen', email: 'eva@amsterdam.example', roles: ['behandelaar'] });
    const filed = await school.post('/api/v1/reports', reportBody(school, {}, { pgn: bsn(4040) })).expect(201);
    const n: number = filed.body.number;
    const page = await openSignedIn(browser, base, eva, `/meldingen/${n}`);
    const idle = t.app.get(AppConfig).SESSION_IDLE_MINUTES;
    const real = clock.now;
    let shift = 0;
    const later = (minutes: number) => {
      shift += minutes * 60_000;
      clock.now = () => new Date(real().getTime() + shift);
    };
    const expiredNotice = page.getByRole('status').filter({ hasText: 'U bent afgemeld omdat u een tijd niets deed' });
    try {
      // A link, clicked after the idle time: sign in again, and on to the page the link led to.
      later(idle + 1);
      await page.getByRole('link', { name: 'Meldingen', exact: true }).click();
      await page.waitForURL(`${base}/aanmelden?terug=%2Fmeldingen&verlopen=1`);
      await expect(expiredNotice.count()).resolves.toBe(1);
      await expect(page.getByText('niet opgeslagen').count()).resolves.toBe(0);
      await signIn(page, eva);
      await page.waitForURL(`${base}/meldingen`);
      await expect(page.title()).resolves.toBe('Meldingen - Verzuimloket');

      // A reply typed, sent after the idle time: kept (sealed, for her alone); back on the report after signing in,
      // the reply is in its box again, not sent.
      await page.goto(`${base}/meldingen/${n}`);
      await page.getByLabel('Nieuw bericht').fill('Dit bericht komt te laat.');
      later(idle + 1);
      await page.getByRole('button', { name: 'Bericht versturen' }).click();
      await page.waitForURL(`${base}/aanmelden?terug=${encodeURIComponent(`/meldingen/${n}`)}&verlopen=bewaard`);
      await expect(page.getByRole('status').textContent()).resolves.toContain('uw invoer is bewaard');
      await signIn(page, eva);
      await page.waitForURL(`${base}/meldingen/${n}`);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toMatch(new RegExp(`^Melding ${n}:`));
      await expect(page.getByLabel('Nieuw bericht').inputValue()).resolves.toBe('Dit bericht komt te laat.');
      const messages = page.getByRole('region', { name: 'Berichten' });
      await expect(messages.textContent()).resolves.toContain('Nog geen berichten.');
      // Kept in its box, not sent: the report has no message.
      await expect(t.db.query('SELECT count(*)::int AS n FROM report_message m JOIN report r ON r.id = m.report_id WHERE r.number = $1', [n])).resolves.toEqual([{ n: 0 }]);
      await expectAccessible(page);
    } finally {
      clock.now = real;
    }
    await page.close();
  });

  it('refuses wrong input of every kind on the filing form: each error names its field and leads to it, values stay, nothing is filed', async () => {
    const wim = await activePerson(t, school.org.code, { username: 'wim.fout', email: 'wim@school.example', roles: ['melder'] });
    const page = await openSignedIn(browser, base, wim, '/meldingen/nieuw');
    const before = await reportCount();
    const send = async () => {
      await page.getByRole('button', { name: 'Melding versturen' }).click();
      await page.locator('#foutmeldingen').waitFor();
      await expectAccessible(page);
    };
    /** A date as a browser without a date picker would send it. */
    const typeLoose = async (label: string, value: string) => {
      const field = page.getByLabel(label);
      await field.evaluate((e) => e.setAttribute('type', 'text'));
      await field.fill(value);
    };
    const long = (n: number) => 'x'.repeat(n);

    // 1. Every field wrong at once, as far as the fields' own rules go.
    await page.getByLabel('BSN of onderwijsnummer').fill('123456788'); // fails the eleven-test
    await page.getByLabel('Voorletters').fill('ABCDEFGHIJKLMNOPQRSTU');
    await page.getByLabel('Tussenvoegsel').fill('van der van de van den');
    await page.getByLabel('Achternaam').fill(long(201));
    await typeLoose('Geboortedatum', '31-02-2012');
    await page.getByLabel('Straat', { exact: true }).fill(long(201));
    await page.getByLabel('Huisnummer', { exact: true }).fill('twaalf');
    await page.getByLabel('Postcode', { exact: true }).fill('1015 TKX');
    await page.getByLabel('Woonplaats', { exact: true }).fill(long(201));
    await page.getByLabel('Reden van het verzuim').fill(long(4001));
    await typeLoose('Eerste dag van het verzuim', 'gisteren');
    await typeLoose('Laatste dag van het verzuim', '2025-02-30');
    await page.getByLabel('Aantal dagen gemist').fill('-2');
    await page.getByLabel('Aantal lesuren gemist').fill('zestien');
    await page.getByLabel('Wat heeft de school al gedaan?').fill(long(4001));
    await page.getByLabel('Toelichting als u geen actie wenst').fill(long(4001));
    await send();
    const first = await summaryLinks(page);
    expect(first.map((l) => l.text.split(':')[0]).sort()).toEqual([
      'Aantal dagen gemist', 'Aantal lesuren gemist', 'Achternaam', 'BSN of onderwijsnummer', 'Eerste dag van het verzuim', 'Geboortedatum',
      'Gemeente van het adres', 'Geslacht', 'Huisnummer', 'Laatste dag van het verzuim', 'Postcode', 'Reden van het verzuim', 'Soort verzuim', 'Straat',
      'Toelichting als u geen actie wenst', 'Tussenvoegsel', 'Voorletters', 'Wat heeft de school al gedaan', 'Woonplaats',
    ]); // vestiging and melder are chosen already: the school has one of each
    expect(first.filter((l) => !l.target)).toEqual([]);
    expect(first.map((l) => l.text)).toEqual(expect.arrayContaining([
      'BSN of onderwijsnummer: is geen geldig BSN of onderwijsnummer', 'Postcode: is geen geldige postcode (1234 AB)', 'Achternaam: is te lang',
      'Geboortedatum: is geen geldige datum (JJJJ-MM-DD)', 'Huisnummer: moet een geheel getal zijn', 'Gemeente van het adres: is verplicht',
    ]));
    await expect(page.getByLabel('BSN of onderwijsnummer').inputValue()).resolves.toBe('123456788');
    await expect(page.getByLabel('Huisnummer', { exact: true }).inputValue()).resolves.toBe('twaalf');
    await expect(page.getByLabel('Aantal dagen gemist').inputValue()).resolves.toBe('-2');
    await expect(page.getByLabel('Reden van het verzuim').inputValue()).resolves.toHaveLength(4001);
    // A date field cannot show what is not a date; the page still sends back what was typed.
    await expect(page.getByLabel('Eerste dag van het verzuim').getAttribute('value')).resolves.toBe('gisteren');

    // 2. Each field right on its own, but not together: a pupil of 14 is no RMC case, which needs an end date; no action without saying why.
    const ok = reportBody(school, {}, { pgn: bsn(3030) });
    await fillReport(page, school, ok);
    await page.getByLabel('Tussenvoegsel').fill('van');
    await page.getByLabel('Verzuim 18+ zonder startkwalificatie (RMC)').check();
    await page.getByLabel('Laatste dag van het verzuim').fill('');
    await page.getByLabel('Aantal dagen gemist').fill('5');
    await page.getByLabel('Aantal lesuren gemist').fill('18');
    await page.getByLabel('Wat heeft de school al gedaan?').fill('Gebeld');
    await page.getByRole('group', { name: 'Actie door de gemeente gewenst?' }).getByLabel('Nee').check();
    await page.getByLabel('Toelichting als u geen actie wenst').fill('');
    await send();
    const second = await summaryLinks(page);
    expect(second.map((l) => l.text).sort()).toEqual([
      'Geboortedatum: de leerling is 14 jaar op de begindatum; RMC is voor 18 tot en met 22 jaar',
      'Laatste dag van het verzuim: is verplicht bij verzuim 18+ zonder startkwalificatie (rmc)',
      'Toelichting als u geen actie wenst: is verplicht als geen actie door de gemeente gewenst is',
    ]);
    expect(second.filter((l) => !l.target)).toEqual([]);
    await expect(page.getByLabel('Verzuim 18+ zonder startkwalificatie (RMC)').isChecked()).resolves.toBe(true);
    await expect(page.getByRole('group', { name: 'Actie door de gemeente gewenst?' }).getByLabel('Nee').isChecked()).resolves.toBe(true);
    await expect(page.getByLabel('Gemeente van het adres').inputValue()).resolves.toBe('GM0363');

    // 3. Dates that cannot be: born in the future, absent since more than a year, and ending before it began.
    await page.getByLabel('16 uur ongeoorloofd verzuim in 4 opeenvolgende lesweken').check();
    await page.getByLabel('Geboortedatum').fill(daysAgo(-30));
    await page.getByLabel('Eerste dag van het verzuim').fill(daysAgo(400));
    await page.getByLabel('Laatste dag van het verzuim').fill(daysAgo(410));
    await page.getByRole('group', { name: 'Actie door de gemeente gewenst?' }).getByLabel('Ja').check();
    await send();
    const third = await summaryLinks(page);
    expect(third.map((l) => l.text).sort()).toEqual([
      'Eerste dag van het verzuim: ligt meer dan 365 dagen terug',
      'Geboortedatum: ligt in de toekomst',
      'Laatste dag van het verzuim: ligt voor de begindatum',
    ]);
    expect(third.filter((l) => !l.target)).toEqual([]);
    await expect(page.getByLabel('Laatste dag van het verzuim').inputValue()).resolves.toBe(daysAgo(410));

    await expect(reportCount()).resolves.toBe(before);
    await page.close();
  });

  /** Each role's menu, and the pages of the portal's menu (the ones that exist yet) by their menu label. */
  const ROLE_MENUS: { who: string; org: 'school' | 'GM0363' | 'OPERATOR'; role: string; menu: string[] }[] = [
    { who: 'a melder', org: 'school', role: 'melder', menu: ['Start', 'Meldingen', 'Verzuim melden', 'Mijn e-mail'] },
    { who: 'a lezer of a school', org: 'school', role: 'lezer', menu: ['Start', 'Meldingen', 'Mijn e-mail'] },
    { who: 'a behandelaar', org: 'GM0363', role: 'behandelaar', menu: ['Start', 'Meldingen', 'Mijn e-mail'] },
    { who: "a school's beheerder", org: 'school', role: 'beheerder', menu: ['Start', 'Rapportages', 'Beheer', 'Mijn e-mail'] },
    { who: "a municipality's beheerder", org: 'GM0363', role: 'beheerder', menu: ['Start', 'Rapportages', 'Beheer', 'Mijn e-mail'] },
    { who: "a municipality's rapportage", org: 'GM0363', role: 'rapportage', menu: ['Start', 'Rapportages', 'Mijn e-mail'] },
    { who: 'the operator', org: 'OPERATOR', role: 'operator', menu: ['Start', 'Beheer', 'Organisaties', 'Bewaren'] },
  ];
  const MENU_PAGES: Record<string, string> = {
    Meldingen: '/meldingen', 'Verzuim melden': '/meldingen/nieuw', Rapportages: '/rapportages', Beheer: '/beheer', Organisaties: '/organisaties',
    Bewaren: '/bewaren', 'Mijn e-mail': '/instellingen',
  };

  it.each(ROLE_MENUS)('shows $who a menu of what the role may do, and each of its pages passes axe', async ({ org, role, menu }) => {
    const person = await activePerson(t, org === 'school' ? school.org.code : org, { username: `rol.${org}.${role}`.toLowerCase(), email: `${role}@${org}.rollen.example`.toLowerCase(), roles: [role] });
    // Signed in as the sign-in pages would leave them (those pages are tested above): a session, its cookie.
    const sessions = t.app.get(SessionsService);
    const { token } = await sessions.open(person.user, SessionStage.COMPLETE, null);
    const context = await browser.newContext();
    await context.addCookies([{ name: sessions.cookieName, value: token, url: base }]);
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(`Welkom, ${person.user.name}`);
    await expect(page.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link').allTextContents()).resolves.toEqual(menu);
    await expectAccessible(page);
    const notYetBuilt: string[] = [];
    for (const [label, path] of Object.entries(MENU_PAGES)) {
      const status = (await page.goto(`${base}${path}`))?.status();
      if (status === 404 && !path.startsWith('/meldingen')) {
        notYetBuilt.push(path); // another part of the portal, still being built
      } else if (menu.includes(label)) {
        expect({ path, status }).toEqual({ path, status: 200 });
        await expect(page.locator('nav [aria-current="page"]').textContent()).resolves.toBe(label);
        await expectAccessible(page);
      } else {
        // Not in the menu: not allowed either, and said so in plain Dutch.
        expect({ path, status }).toEqual({ path, status: 403 });
        await expect(page.title()).resolves.toBe('Geen toegang - Verzuimloket');
      }
    }
    if (notYetBuilt.length > 0) console.warn(`${role}: nog niet gebouwd, dus niet getoetst: ${notYetBuilt.join(', ')}`);
    await context.close();
  });

  it('says a form from an earlier session has expired, files nothing, and leads back to the form', async () => {
    const chris = await activePerson(t, school.org.code, { username: 'chris.csrf', email: 'chris@school.example', roles: ['melder'] });
    const context = await browser.newContext();
    const form = await context.newPage();
    await form.goto(`${base}/meldingen/nieuw`);
    await quickSignIn(form, chris);
    await form.waitForURL(`${base}/meldingen/nieuw`);
    const body = reportBody(school, {}, { pgn: bsn(2020), surname: 'Verlopen' });
    await fillReport(form, school, body);

    // Meanwhile, in another tab, the person signs out and in again: a new session, with a new token for forms.
    const other = await context.newPage();
    await other.goto(`${base}/`);
    await other.getByRole('button', { name: 'Afmelden' }).click();
    await other.waitForURL(`${base}/aanmelden`);
    const real = clock.now;
    clock.now = () => new Date(real().getTime() + 30_000);
    try {
      await quickSignIn(other, chris);
      await other.waitForURL(`${base}/`);
    } finally {
      clock.now = real;
    }

    const before = await reportCount();
    const [response] = await Promise.all([form.waitForResponse(`${base}/meldingen/nieuw`), form.getByRole('button', { name: 'Melding versturen' }).click()]);
    expect(response.status()).toBe(403);
    await expect(form.title()).resolves.toBe('Formulier verlopen - Verzuimloket');
    await expect(form.locator('main').textContent()).resolves.toContain('Wat u verstuurde, is niet opgeslagen. Ga terug en probeer het opnieuw.');
    await expect(reportCount()).resolves.toBe(before);
    await expectAccessible(form);

    await form.getByRole('link', { name: 'Terug naar het formulier' }).click();
    await form.waitForURL(`${base}/meldingen/nieuw`);
    await fillReport(form, school, body);
    await form.getByRole('button', { name: 'Melding versturen' }).click();
    await form.waitForURL(/\/meldingen\/\d+\?gedaan=gemeld$/);
    await expect(reportCount()).resolves.toBe(before + 1);
    await context.close();
  });
});
