import { Browser } from 'playwright-core';
import { AuditEvent } from '../src/audit/audit-event.entity';
import { clock } from '../src/common/clock';
import { verifyPassword } from '../src/identity/credentials/passwords';
import { User } from '../src/identity/user.entity';
import { Location } from '../src/organisations/location.entity';
import { codeAt } from '../src/identity/credentials/totp';
import { describeWithBrowser, expectAccessible, launchBrowser, listen, newPage, openSignedIn } from './support/browser';
import { activePerson, PASSWORD, signIn } from './support/people';
import { bsn, reportBody, TestApp, TestSchool } from './support/test-app';

/** Issue 10: the location limit on an account (item 6), asking once (item 8), changing one's own password (item 9). */
describeWithBrowser('Beheer: location limits and confirmation, in a real browser', () => {
  jest.setTimeout(180_000);
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let school: TestSchool;
  let second: Location;
  let atMain: number;
  let atSecond: number;

  beforeAll(async () => {
    t = await TestApp.start();
    base = await listen(t);
    school = await t.newSchool('Limietschool');
    await school.post('/api/v1/locations', { code: '02', name: 'Limietschool dependance', municipalityCode: 'GM0363' }).expect(201);
    second = await t.db.getRepository(Location).findOneByOrFail({ schoolId: school.org.id, code: '02' });
    atMain = (await school.post('/api/v1/reports', reportBody(school, {}, { pgn: bsn(7001) })).expect(201)).body.number;
    atSecond = (await school.post('/api/v1/reports', reportBody(school, { locationCode: `${school.org.code}02` }, { pgn: bsn(7002) })).expect(201)).body.number;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  /** A person of the school limited to the dependance (02). */
  async function limited(username: string, roles: string[]) {
    const person = await activePerson(t, school.org.code, { username, email: `${username}@school.example`, roles });
    await t.db.getRepository(User).update(person.user.id, { locationIds: [second.id] });
    return person;
  }

  it('says what the location limit does, shows it on the account page, and applies it to a lezer', async () => {
    const lotte = await limited('lotte.lezer', ['lezer']);
    const bea = await activePerson(t, school.org.code, { username: 'bea.limiet', email: 'bea@school.example', roles: ['beheerder', 'melder', 'lezer'] });
    const admin = await openSignedIn(browser, base, bea, `/beheer/gebruikers/${lotte.user.id}`);
    const shown = await admin.locator('.vzl-data').textContent();
    expect(shown).toContain(`Locaties`);
    expect(shown).toContain(`Alleen Limietschool dependance (${school.org.code}02)`);
    await expect(admin.getByText('Geldt voor alle rollen: de persoon ziet alleen meldingen van de aangevinkte locaties').count()).resolves.toBe(1);
    await admin.goto(`${base}/beheer/gebruikers/${bea.user.id}`);
    await expect(admin.locator('.vzl-data').textContent()).resolves.toContain('Alle locaties van de school');
    await expectAccessible(admin);
    await admin.close();

    const page = await openSignedIn(browser, base, lotte, '/meldingen');
    await expect(page.getByRole('link', { name: `Melding ${atSecond}`, exact: true }).count()).resolves.toBe(1);
    await expect(page.getByRole('link', { name: `Melding ${atMain}`, exact: true }).count()).resolves.toBe(0);
    await expect(page.goto(`${base}/meldingen/${atSecond}`).then((r) => r?.status())).resolves.toBe(200);
    await expect(page.goto(`${base}/meldingen/${atMain}`).then((r) => r?.status())).resolves.toBe(404);
    await page.close();
  });

  it('applies the limit to a melder: files for that location only, sees only its reports', async () => {
    const mark = await limited('mark.melder', ['melder', 'lezer']);
    const page = await openSignedIn(browser, base, mark, '/meldingen/nieuw');
    const choices = await page.getByLabel('Vestiging').locator('option').allTextContents();
    expect(choices.filter((c) => c.includes(school.org.code))).toEqual([`Limietschool dependance (${school.org.code}02)`]);
    await page.goto(`${base}/meldingen`);
    await expect(page.getByRole('link', { name: `Melding ${atSecond}`, exact: true }).count()).resolves.toBe(1);
    await expect(page.getByRole('link', { name: `Melding ${atMain}`, exact: true }).count()).resolves.toBe(0);
    await expect(page.goto(`${base}/meldingen/${atMain}/intrekken`).then((r) => r?.status())).resolves.toBe(404);
    await page.close();
  });

  it('lets a person change their own password: current one required, the rules apply, other sessions end', async () => {
    const piet = await activePerson(t, school.org.code, { username: 'piet.wachtwoord', email: 'piet@school.example', roles: ['lezer'] });
    const elsewhere = await signIn(t, piet);
    await elsewhere.agent.get('/api/v1/session').expect(200);
    // The browser signs in half a minute later: a code's time step is accepted once.
    const real = clock.now;
    clock.now = () => new Date(real().getTime() + 30_000);
    const page = await openSignedIn(browser, base, piet, '/instellingen').finally(() => { clock.now = real; });
    await page.getByRole('link', { name: 'Wachtwoord wijzigen' }).click();
    await page.waitForURL(`${base}/instellingen/wachtwoord`);
    await expectAccessible(page);
    const summary = () => page.getByRole('alert').getByRole('link').allTextContents();

    // A wrong current password, and a new one too short: both named, nothing changed, no password shown back.
    await page.getByLabel('Huidig wachtwoord').fill('niet mijn wachtwoord');
    await page.getByLabel('Nieuw wachtwoord').fill('te kort');
    await page.getByRole('button', { name: 'Wachtwoord wijzigen' }).click();
    await expect(summary()).resolves.toEqual([
      'Huidig wachtwoord: dit is niet uw huidige wachtwoord, of er waren te veel pogingen; probeer het later opnieuw',
      'Nieuw wachtwoord: moet minstens 12 tekens lang zijn',
    ]);
    await expect(page.getByLabel('Nieuw wachtwoord').inputValue()).resolves.toBe('');
    await expectAccessible(page);
    // The right current password, but a new one with the person's own name in it.
    await page.getByLabel('Huidig wachtwoord').fill(PASSWORD);
    await page.getByLabel('Nieuw wachtwoord').fill('piet.wachtwoord is geheim');
    await page.getByRole('button', { name: 'Wachtwoord wijzigen' }).click();
    await expect(summary()).resolves.toEqual(['Nieuw wachtwoord: mag uw gebruikersnaam, naam of e-mailadres niet bevatten']);
    await elsewhere.agent.get('/api/v1/session').expect(200);

    await page.getByLabel('Huidig wachtwoord').fill(PASSWORD);
    await page.getByLabel('Nieuw wachtwoord').fill('drie groene fietsen op het plein');
    await page.getByRole('button', { name: 'Wachtwoord wijzigen' }).click();
    await page.waitForURL(`${base}/instellingen/wachtwoord?gedaan=gewijzigd`);
    await expect(page.getByRole('status').textContent()).resolves.toContain('Uw wachtwoord is gewijzigd');
    // Still signed in here; the other session has ended; the new password is the one stored.
    await page.goto(`${base}/instellingen`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Mijn e-mail');
    await elsewhere.agent.get('/api/v1/session').expect(401);
    const stored = await t.db.getRepository(User).findOneByOrFail({ id: piet.user.id });
    await expect(verifyPassword(stored.passwordHash!, 'drie groene fietsen op het plein')).resolves.toBe(true);
    await expect(t.db.getRepository(AuditEvent).countBy({ action: 'PASSWORD_CHANGED' as never, subjectId: piet.user.id })).resolves.toBe(1);
    await page.close();
  });

  it("lets the beheerder correct a person's name and e-mail address: audited, both addresses told", async () => {
    const anna = await activePerson(t, school.org.code, { username: 'anna.adres', email: 'anna.oud@school.example', roles: ['lezer'] });
    const bart = await activePerson(t, school.org.code, { username: 'bart.beheer', email: 'bart@school.example', roles: ['beheerder', 'lezer'] });
    const page = await openSignedIn(browser, base, bart, `/beheer/gebruikers/${anna.user.id}`);
    await page.getByLabel('Naam', { exact: true }).fill('Anna de Vries');
    await page.getByLabel(/^E-mailadres/).fill('anna-at-school');
    await page.getByRole('button', { name: 'Naam en e-mailadres opslaan' }).click();
    await expect(page.getByRole('alert').getByRole('link').allTextContents()).resolves.toEqual(['E-mailadres: is geen geldig e-mailadres']);
    await expect(page.getByLabel('Naam', { exact: true }).inputValue()).resolves.toBe('Anna de Vries');
    await expectAccessible(page);
    await expect(t.db.getRepository(User).findOneByOrFail({ id: anna.user.id })).resolves.toMatchObject({ name: 'anna.adres', email: 'anna.oud@school.example' });

    await page.getByLabel(/^E-mailadres/).fill('anna.nieuw@school.example');
    await page.getByRole('button', { name: 'Naam en e-mailadres opslaan' }).click();
    await page.waitForURL(`${base}/beheer/gebruikers/${anna.user.id}?gedaan=gegevens`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Anna de Vries');
    await expect(t.db.getRepository(User).findOneByOrFail({ id: anna.user.id })).resolves.toMatchObject({ name: 'Anna de Vries', email: 'anna.nieuw@school.example' });
    const mails: { recipient: string; data: object }[] = await t.db.query(
      `SELECT recipient, data FROM outbox_message WHERE template = 'address-changed' AND user_id = $1 ORDER BY recipient`, [anna.user.id]);
    expect(mails.map((m) => m.recipient)).toEqual(['anna.nieuw@school.example', 'anna.oud@school.example']);
    // What the mail needs (organisation, username), not the name or the addresses.
    expect(JSON.stringify(mails.map((m) => m.data))).not.toMatch(/Anna de Vries|@school\.example/);
    const audit = await t.db.getRepository(AuditEvent).findBy({ action: 'USER_CHANGED' as never, subjectId: anna.user.id });
    expect(audit.map((a) => a.details)).toEqual([expect.objectContaining({ fields: ['name', 'email'] })]);
    expect(JSON.stringify(audit[0].details)).not.toContain('anna.nieuw');
    await page.close();
  });

  it('resumes an activation abandoned after the password step at the token, with the same secret, until it expires', async () => {
    const boss = await activePerson(t, school.org.code, { username: 'bas.activering', email: 'bas@school.example', roles: ['beheerder', 'lezer'] });
    const { agent, csrf } = await signIn(t, boss);
    await agent.post('/api/v1/users').set('X-CSRF-Token', csrf).send({ username: 'rosa.later', name: 'Rosa Later', email: 'rosa@school.example', roles: ['lezer'] }).expect(201);
    await agent.post('/api/v1/users').set('X-CSRF-Token', csrf).send({ username: 'tim.te.laat', name: 'Tim te Laat', email: 'tim@school.example', roles: ['lezer'] }).expect(201);
    const code = await t.mailedActivationCode('rosa@school.example');

    const first = await newPage(browser);
    await first.goto(`${base}/activeren?code=${code}`);
    await first.getByLabel('Kies een wachtwoord').fill('mijn eigen lange zin 2026');
    await first.getByRole('button', { name: 'Volgende' }).click();
    const secret = (await first.locator('.vzl-secret').textContent())!.trim();
    await first.context().close();

    // Back later, in another browser: no password asked, no talk of a reset token; the same secret to confirm.
    const again = await newPage(browser);
    await again.goto(`${base}/activeren?code=${code}`);
    await expect(again.getByRole('status').textContent()).resolves.toContain('U koos al een wachtwoord');
    await expect(again.getByLabel(/wachtwoord/i).count()).resolves.toBe(0);
    await expect(again.getByText('opnieuw ingesteld').count()).resolves.toBe(0);
    await expectAccessible(again);
    await again.getByRole('button', { name: 'Verder met het token' }).click();
    await expect(again.locator('.vzl-secret').textContent().then((s) => s?.trim())).resolves.toBe(secret);
    await again.getByLabel('Code uit uw app of token').fill(codeAt(secret));
    await again.getByRole('button', { name: 'Token koppelen' }).click();
    await expect(again.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Uw account is actief');
    await again.context().close();

    // After its expiry the link leads nowhere, abandoned or not.
    const tim = await t.mailedActivationCode('tim@school.example');
    await t.db.query(`UPDATE user_account SET activation_expires_at = now() - interval '1 minute' WHERE username = 'tim.te.laat'`);
    const late = await newPage(browser);
    await late.goto(`${base}/activeren?code=${tim}`);
    await expect(late.getByRole('alert').textContent()).resolves.toContain('is al gebruikt of is verlopen');
    await late.context().close();
  });

  it('withdraws a report only after asking once, on a page that says what happens', async () => {
    const wendy = await activePerson(t, school.org.code, { username: 'wendy.intrek', email: 'wendy@school.example', roles: ['melder', 'lezer'] });
    const page = await openSignedIn(browser, base, wendy, `/meldingen/${atSecond}`);
    await page.getByRole('link', { name: 'Melding intrekken' }).click();
    await page.waitForURL(`${base}/meldingen/${atSecond}/intrekken`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(`Melding ${atSecond} intrekken?`);
    await expect(page.locator('.vzl-confirm').textContent()).resolves.toContain('krijgt de status ingetrokken');
    await expectAccessible(page);
    // No: nothing happened.
    await page.getByRole('link', { name: 'Nee, terug' }).click();
    await page.waitForURL(`${base}/meldingen/${atSecond}`);
    await expect((await school.get(`/api/v1/reports/${atSecond}`).expect(200)).body.status).toBe('GEREGISTREERD');
    // Yes, with a reason: withdrawn, and the reason in the history.
    await page.getByRole('link', { name: 'Melding intrekken' }).click();
    await page.getByLabel('Waarom trekt u de melding in?').fill('Dubbel gemeld');
    await page.getByRole('button', { name: 'Ja, melding intrekken' }).click();
    await page.waitForURL(`${base}/meldingen/${atSecond}?gedaan=ingetrokken`);
    await expect((await school.get(`/api/v1/reports/${atSecond}`).expect(200)).body.status).toBe('INGETROKKEN');
    await expect(page.getByText('Toelichting: Dubbel gemeld').count()).resolves.toBe(1);
    // Once withdrawn, the confirmation page says it can no longer be changed.
    await expect(page.goto(`${base}/meldingen/${atSecond}/intrekken`).then((r) => r?.status())).resolves.toBe(409);
    await page.close();
  });
});
