import { join } from 'node:path';
import { Browser, Page } from 'playwright-core';
import { clock } from '../src/common/clock';
import { AuditEvent } from '../src/audit/audit-event.entity';
import { codeAt, newSecret } from '../src/identity/credentials/totp';
import { User, UserStatus } from '../src/identity/user.entity';
import { Location } from '../src/organisations/location.entity';
import { describeWithBrowser, expectAccessible, launchBrowser, listen, newPage, openSignedIn, SCREENSHOTS } from './support/browser';
import { activePerson, Person } from './support/people';
import { TestApp, TestSchool } from './support/test-app';

const NEW_PASSWORD = 'een fiets met drie wielen';

describeWithBrowser('Beheer gebruikers, in a real browser', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let school: TestSchool;
  let beheerder: Person;
  let second: Location;

  beforeAll(async () => {
    t = await TestApp.start();
    base = await listen(t);
    school = await t.newSchool('Beheerschool');
    await school.post('/api/v1/locations', { code: '02', name: 'Beheerschool dependance', municipalityCode: 'GM0363' }).expect(201);
    second = await t.db.getRepository(Location).findOneByOrFail({ schoolId: school.org.id, code: '02' });
    beheerder = await activePerson(t, school.org.code, { username: 'bea.beheer', email: 'bea@school.example', roles: ['beheerder', 'melder', 'lezer'] });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  const userNamed = (username: string) => t.db.getRepository(User).findOneByOrFail({ username });

  /** Walks the activation pages from a link or a letter's code to "Uw account is actief"; the code from `seed`, or from the QR secret. */
  async function activate(page: Page, password: string, seed?: string): Promise<string> {
    await page.getByLabel('Kies een wachtwoord').fill(password);
    await page.getByRole('button', { name: 'Volgende' }).click();
    const secret = seed ?? (await page.locator('.vzl-secret').textContent())!.trim();
    await expectAccessible(page);
    await page.getByLabel('Code uit uw app of token').fill(codeAt(secret));
    await page.getByRole('button', { name: 'Token koppelen' }).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Uw account is actief');
    return secret;
  }

  it('takes a colleague from a new account to their first sign-in, limited to the location the beheerder chose', async () => {
    const page = await openSignedIn(browser, base, beheerder, '/beheer');
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Gebruikers' }).click();
    await page.waitForURL(`${base}/beheer/gebruikers`);
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Nieuw account' }).click();
    await expectAccessible(page);

    // Half filled, with a wrong address: each error names its field, what was typed stays.
    await page.getByLabel('Naam', { exact: true }).fill('Bram Bakker');
    await page.getByLabel('E-mailadres').fill('bram-at-school');
    await page.getByRole('button', { name: 'Account aanmaken' }).click();
    await page.locator('#foutmeldingen').waitFor();
    const summary = page.getByRole('alert');
    await expect(summary.getByRole('link', { name: /^Gebruikersnaam: / }).count()).resolves.toBe(1);
    await expect(summary.getByRole('link', { name: /^E-mailadres: is geen geldig e-mailadres/ }).count()).resolves.toBe(1);
    await expect(summary.getByRole('link', { name: /^Rollen: / }).count()).resolves.toBe(1);
    await expect(page.getByLabel('Naam', { exact: true }).inputValue()).resolves.toBe('Bram Bakker');
    await expectAccessible(page);

    await page.getByLabel('Gebruikersnaam').fill('bram.bakker');
    await page.getByLabel('E-mailadres').fill('bram@school.example');
    await page.getByLabel(/^Melder:/).check();
    await page.getByLabel(/dependance/).check();
    await page.getByLabel(/^Link per e-mail/).check();
    await page.screenshot({ path: join(SCREENSHOTS, 'beheer-nieuw-account.png'), fullPage: true });
    await page.getByRole('button', { name: 'Account aanmaken' }).click();
    await page.waitForURL(/\/beheer\/gebruikers\/[0-9a-f-]{36}\?gedaan=aangemaakt$/);
    await expect(page.getByRole('status').textContent()).resolves.toContain('De activeringslink is gemaild.');
    await expect(page.locator('.vzl-data').textContent()).resolves.toMatch(/Wacht op activering/);
    await expectAccessible(page);
    const bram = await userNamed('bram.bakker');
    expect({ roles: bram.roles, locationIds: bram.locationIds }).toEqual({ roles: ['melder'], locationIds: [second.id] });

    // Bram follows the e-mailed link, activates, and signs in: he files for the dependance only.
    const code = await t.mailedActivationCode('bram@school.example');
    const bramPage = await newPage(browser);
    await bramPage.goto(`${base}/activeren?code=${code}`);
    const seed = await activate(bramPage, NEW_PASSWORD);
    await bramPage.goto(`${base}/meldingen/nieuw`);
    await bramPage.getByLabel('Gebruikersnaam').fill('bram.bakker');
    await bramPage.getByLabel('Wachtwoord').fill(NEW_PASSWORD);
    await bramPage.getByRole('button', { name: 'Volgende' }).click();
    // The step used to confirm the token is never accepted again: sign in half a minute later, as a person would.
    const real = clock.now;
    clock.now = () => new Date(real().getTime() + 30_000);
    try {
      await bramPage.getByLabel('Code uit uw app of token').fill(codeAt(seed, clock.now()));
      await bramPage.getByRole('button', { name: 'Aanmelden' }).click();
      await bramPage.waitForURL(`${base}/meldingen/nieuw`);
    } finally {
      clock.now = real;
    }
    const locations = await bramPage.getByLabel('Vestiging').locator('option').allTextContents();
    expect(locations.filter((l) => l.includes(school.org.code))).toEqual([`Beheerschool dependance (${school.org.code}02)`]);

    // Back at the beheerder: Bram is active, and the audit log holds the creation.
    await page.goto(`${base}/beheer/gebruikers`);
    await expect(page.getByRole('row', { name: /Bram Bakker/ }).textContent()).resolves.toMatch(/melder.*Actief/);
    await page.screenshot({ path: join(SCREENSHOTS, 'beheer-gebruikers.png'), fullPage: true });
    const created = await t.db.getRepository(AuditEvent).findOneByOrFail({ action: 'USER_CREATED' as never, subjectId: bram.id });
    expect(created.actorName).toBe(beheerder.user.name);
    await page.close();
    await bramPage.close();
  });

  it('prints an activation letter, and hands out a registered hardware token that the person confirms', async () => {
    const page = await openSignedIn(browser, base, await activePerson(t, school.org.code, { username: 'bert.beheer', email: 'bert@school.example', roles: ['beheerder', 'melder', 'lezer'] }), '/beheer/gebruikers');

    // A wrong seed: named, and never shown back.
    await page.getByLabel('Serienummer').fill('HW-0001');
    await page.getByLabel('Seed').fill('niet-base32!');
    await page.getByRole('button', { name: 'Token registreren' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Seed: geen geldige seed');
    await expect(page.getByLabel('Serienummer').inputValue()).resolves.toBe('HW-0001');
    await expect(page.getByLabel('Seed').inputValue()).resolves.toBe('');
    await expectAccessible(page);
    const seed = newSecret();
    await page.getByLabel('Seed').fill(seed);
    await page.getByRole('button', { name: 'Token registreren' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('Het hardwaretoken is geregistreerd.');
    await expect(page.getByRole('row', { name: /HW-0001/ }).textContent()).resolves.toContain('Niemand (vrij)');

    await page.getByRole('link', { name: 'Nieuw account' }).click();
    await page.getByLabel('Naam', { exact: true }).fill('Lotte Lezer');
    await page.getByLabel('Gebruikersnaam').fill('lotte.lezer');
    await page.getByLabel('E-mailadres').fill('lotte@school.example');
    await page.getByLabel(/^Lezer:/).check();
    await page.getByLabel(/^Brief met een activeringscode/).check();
    await page.getByRole('button', { name: 'Account aanmaken' }).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Uw account voor Verzuimloket');
    await expect(page.locator('.vzl-letter').textContent()).resolves.toContain('lotte.lezer');
    const letterCode = (await page.locator('.vzl-letter .vzl-secret').textContent())!.trim();
    expect(letterCode).toMatch(/^[A-Z2-9]{4}(-[A-Z2-9]{4}){3}$/);
    await expectAccessible(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'activeringsbrief.png'), fullPage: true });
    await expect(t.db.query(`SELECT count(*)::int AS n FROM outbox_message WHERE recipient = 'lotte@school.example'`)).resolves.toEqual([{ n: 0 }]);

    // The token goes to Lotte before she activates; she confirms it with a code from the token.
    await page.getByRole('link', { name: 'Terug naar het account' }).click();
    await page.getByLabel('Hardwaretoken koppelen').selectOption({ label: 'HW-0001' });
    await page.getByRole('button', { name: 'Token koppelen' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('Het hardwaretoken is gekoppeld.');
    await expectAccessible(page);

    const lotte = await newPage(browser);
    await lotte.goto(`${base}/activeren`);
    await lotte.getByLabel('Activeringscode uit uw brief').fill(letterCode.toLowerCase());
    await lotte.getByRole('button', { name: 'Volgende' }).click();
    await lotte.getByLabel('Kies een wachtwoord').waitFor();
    await lotte.getByLabel('Kies een wachtwoord').fill(NEW_PASSWORD);
    await lotte.getByRole('button', { name: 'Volgende' }).click();
    await expect(lotte.locator('main').textContent()).resolves.toContain('hardwaretoken HW-0001');
    await lotte.getByLabel('Code uit uw app of token').fill(codeAt(seed));
    await lotte.getByRole('button', { name: 'Token koppelen' }).click();
    await expect(lotte.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Uw account is actief');
    await expect(userNamed('lotte.lezer')).resolves.toMatchObject({ status: UserStatus.ACTIVE });
    await page.close();
    await lotte.close();
  });

  it('locks, unlocks, ends sessions, disables and re-enables, and refuses what would leave the school without a beheerder', async () => {
    const target = await activePerson(t, school.org.code, { username: 'kees.melder', email: 'kees@school.example', roles: ['melder'] });
    const keesPage = await openSignedIn(browser, base, target, '/meldingen');
    const solo = await t.newSchool('Eenmansschool');
    const only = await activePerson(t, solo.org.code, { username: 'enige.beheerder', email: 'enige@school.example', roles: ['beheerder'] });

    const page = await openSignedIn(browser, base, await activePerson(t, school.org.code, { username: 'bas.beheer', email: 'bas@school.example', roles: ['beheerder', 'melder', 'lezer'] }), `/beheer/gebruikers/${target.user.id}`);
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Blokkeren' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('geblokkeerd');
    await expect(page.locator('.vzl-data').textContent()).resolves.toContain('Geblokkeerd');
    // Locking ended Kees's session: his next click takes him to the sign-in page.
    await keesPage.reload();
    await keesPage.waitForURL(/\/aanmelden\?/);
    await page.getByRole('button', { name: 'Deblokkeren' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('gedeblokkeerd');
    await page.getByRole('button', { name: 'Sessies beëindigen' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('sessies van dit account zijn beëindigd');
    await page.getByRole('button', { name: 'Uitschakelen' }).click();
    await expect(page.locator('.vzl-data').textContent()).resolves.toContain('Uitgeschakeld');
    await page.getByRole('button', { name: 'Weer inschakelen' }).click();
    await expect(page.locator('.vzl-data').textContent()).resolves.toContain('Actief');
    await expectAccessible(page);

    // A beheerder without the lezer role cannot grant it.
    const limited = await activePerson(t, school.org.code, { username: 'bo.beheer', email: 'bo@school.example', roles: ['beheerder', 'melder'] });
    const boPage = await openSignedIn(browser, base, limited, `/beheer/gebruikers/${target.user.id}`);
    await boPage.getByLabel(/^Lezer:/).check();
    await boPage.getByRole('button', { name: 'Rollen opslaan' }).click();
    await expect(boPage.getByRole('alert').textContent()).resolves.toContain('Rollen: U kunt geen rol toekennen of afnemen die u zelf niet heeft: lezer');
    await expectAccessible(boPage);
    await expect(userNamed('kees.melder')).resolves.toMatchObject({ roles: ['melder'] });

    // The only beheerder of a school cannot disable themselves.
    const soloPage = await openSignedIn(browser, base, only, `/beheer/gebruikers/${only.user.id}`);
    await soloPage.getByRole('button', { name: 'Uitschakelen' }).click();
    await expect(soloPage.getByRole('alert').textContent()).resolves.toContain('laatste beheerder');
    await expect(userNamed('enige.beheerder')).resolves.toMatchObject({ status: UserStatus.ACTIVE });
    await expectAccessible(soloPage);

    // Another school's account, by its address: not found, nothing about it shown.
    await soloPage.goto(`${base}/beheer/gebruikers/${target.user.id}`);
    await expect(soloPage.title()).resolves.toBe('Niet gevonden - Verzuimloket');
    await expect(soloPage.content()).resolves.not.toContain('kees');
    await soloPage.goto(`${base}/beheer/gebruikers/niet-een-id`);
    await expect(soloPage.title()).resolves.toBe('Niet gevonden - Verzuimloket');
    for (const p of [page, keesPage, boPage, soloPage]) await p.close();
  });

  it('shows no beheer to a melder: no menu entry, and the page says they have no access', async () => {
    const melder = await activePerson(t, school.org.code, { username: 'mia.melder', email: 'mia@school.example', roles: ['melder'] });
    const page = await openSignedIn(browser, base, melder, '/');
    await expect(page.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: 'Beheer' }).count()).resolves.toBe(0);
    const res = await page.goto(`${base}/beheer/gebruikers`);
    expect(res?.status()).toBe(403);
    // Every page forbids inline script and style and framing, so an injected tag could not run.
    expect(res?.headers()).toMatchObject({
      'content-security-policy': expect.stringContaining("script-src 'self'; object-src 'none'"), 'x-frame-options': 'DENY', 'x-content-type-options': 'nosniff',
    });
    await expect(page.title()).resolves.toBe('Geen toegang - Verzuimloket');
    await expectAccessible(page);
    await page.close();
  });
});
