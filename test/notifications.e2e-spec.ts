import request from 'supertest';
import { MailFrequency } from '../src/identity/user.entity';
import { TestMailServer, ReceivedMail } from './support/mail-server';
import { activePerson, Person, signIn } from './support/people';
import { bsn, Caller, reportBody, TestApp, TestSchool } from './support/test-app';

/** Everything about the pupil that a test puts into a report; none of it may reach an e-mail. */
const PUPIL = {
  pgn: bsn(424242),
  initials: 'Q.X.',
  prefix: 'ter',
  surname: 'Zwaluwstaart',
  birthDate: '2012-03-17',
  phone: '06 98765432',
  registeredAddress: { street: 'Kwartelkoninglaan', houseNumber: 77, postcode: '1013 ZX', place: 'Amsterdam', municipalityCode: 'GM0363' },
};
const FREE_TEXT = ['Blijft thuis wegens Kwakzalverij-afspraak', 'Gesprek met moeder Zwaluwstaart gepland', 'Antwoord: Quirijn is weer op school', 'Ingetrokken: dubbel-Hyacint'];
const PERSONAL = [PUPIL.pgn, PUPIL.surname, PUPIL.birthDate, '17-03-2012', '17 maart 2012', PUPIL.phone, PUPIL.registeredAddress.street, PUPIL.registeredAddress.postcode, 'Quirijn', 'Hyacint', 'Kwakzalverij'];

describe('notifications: each change reaches the other side by e-mail, without personal data', () => {
  let t: TestApp;
  let mail: TestMailServer;
  let school: TestSchool;
  let amsterdam: Caller;
  let olga: Person; // behandelaar, each e-mail at once
  let otto: Person; // behandelaar, daily digest
  let oscar: Person; // behandelaar, no e-mail
  const GEMEENTE_MAILBOX = 'leerplicht@amsterdam.example';
  const SCHOOL_MAILBOX = 'administratie@school.example';

  beforeAll(async () => {
    mail = await TestMailServer.start();
    t = await TestApp.start({ SMTP_URL: mail.url, MAIL_WORKER: 'true', MAIL_POLL_MS: '100', PUBLIC_URL: 'http://localhost:3000' });
    school = await t.newSchool('Notificatieschool');
    amsterdam = await t.keyFor('GM0363', ['behandelaar', 'beheerder']);
    olga = await activePerson(t, 'GM0363', { username: 'olga', email: 'Olga@Amsterdam.example', roles: ['behandelaar'] });
    otto = await activePerson(t, 'GM0363', { username: 'otto', email: 'otto@amsterdam.example', roles: ['behandelaar'], frequency: MailFrequency.DAILY });
    oscar = await activePerson(t, 'GM0363', { username: 'oscar', email: 'oscar@amsterdam.example', roles: ['behandelaar'], frequency: MailFrequency.OFF });
    await activePerson(t, 'GM0363', { username: 'lea', email: 'lea@amsterdam.example', roles: ['lezer'] });
    await amsterdam.put('/api/v1/notifications/mailbox', { mailbox: GEMEENTE_MAILBOX }).expect(200);
    await school.put('/api/v1/notifications/mailbox', { mailbox: SCHOOL_MAILBOX }).expect(200);
  });
  afterAll(async () => {
    await t?.stop();
    await mail?.stop();
  });

  /** Waits for `count` more e-mails than `before`, then a little longer to catch any that should not come. */
  async function next(before: number, count: number): Promise<ReceivedMail[]> {
    await mail.waitFor(before + count);
    await new Promise((r) => setTimeout(r, 400));
    return mail.received.slice(before);
  }
  const recipients = (mails: ReceivedMail[]) => mails.flatMap((m) => m.to).sort();

  it('tells each side what the other did, to the right people, in DUO\'s words, with nothing about the pupil', async () => {
    const schoolName = school.org.name;
    const subject = `Melding relatief verzuim door ${schoolName}, Notificatieschool hoofdlocatie, Amsterdam is gewijzigd`;
    let seen = mail.received.length;

    // The school files: the receiving officers who want e-mail at once, and the municipality's mailbox.
    const filed = await school.post('/api/v1/reports', reportBody(school, { reason: FREE_TEXT[0] }, PUPIL)).expect(201);
    const n = filed.body.number;
    let got = await next(seen, 2);
    expect(recipients(got)).toEqual([GEMEENTE_MAILBOX, 'olga@amsterdam.example']);
    for (const m of got) {
      expect(m.subject).toBe(subject);
      expect(m.text).toContain(`Melding relatief verzuim bekend onder meldingsnummer ${n} is gewijzigd.`);
      expect(m.text).toContain('De school heeft een nieuwe melding ingediend.');
      expect(m.text).toContain(`http://localhost:3000/meldingen/${n}`);
      expect(m.html).toContain(`href="http://localhost:3000/meldingen/${n}"`);
    }
    // One Message-ID per (event, recipient).
    expect(new Set(got.map((m) => m.messageId)).size).toBe(2);

    // The officer replies, signed in: the reporter and the school's mailbox hear of it (the report asked for both).
    seen = mail.received.length;
    const { agent, csrf } = await signIn(t, olga);
    await agent.post(`/api/v1/reports/${n}/messages`).set('X-CSRF-Token', csrf).send({ body: FREE_TEXT[1] }).expect(201);
    got = await next(seen, 2);
    expect(recipients(got)).toEqual([SCHOOL_MAILBOX, school.reporter.email.toLowerCase()].sort());
    expect(got[0].text).toContain('Amsterdam heeft een bericht gestuurd.');

    // The school answers and changes the report: the officers again.
    seen = mail.received.length;
    await school.post(`/api/v1/reports/${n}/messages`, { body: FREE_TEXT[2] }).expect(201);
    const current = await school.get(`/api/v1/reports/${n}`).expect(200);
    await school.patch(`/api/v1/reports/${n}`, { hoursMissed: 20 }).set('If-Match', current.headers.etag).expect(200);
    got = await next(seen, 4);
    expect(recipients(got)).toEqual([GEMEENTE_MAILBOX, GEMEENTE_MAILBOX, 'olga@amsterdam.example', 'olga@amsterdam.example']);
    expect(got.map((m) => m.text).join('\n')).toContain('De school heeft gegevens van de melding gewijzigd.');

    // The officer takes it into handling and closes it with a reason; the school hears of both; Olga of neither.
    seen = mail.received.length;
    await agent.post(`/api/v1/reports/${n}/status`).set('X-CSRF-Token', csrf).send({ status: 'IN_BEHANDELING' }).expect(200);
    await agent.post(`/api/v1/reports/${n}/status`).set('X-CSRF-Token', csrf)
      .send({ status: 'AFGESLOTEN', closingReason: 'TERUG_NAAR_SCHOOL', closingExplanation: 'GEZIEN' }).expect(200);
    got = await next(seen, 4);
    expect(recipients(got)).not.toContain('olga@amsterdam.example');
    const texts = got.map((m) => m.text).join('\n');
    expect(texts).toContain('De status is gewijzigd in: In behandeling.');
    expect(texts).toContain('De status is gewijzigd in: Afgesloten. Reden van afsluiten: Terug naar school / opleiding hervat.');

    // Reopened and forwarded to Rotterdam: the school hears of both, Rotterdam's mailbox of the forward.
    await t.keyFor('GM0599', ['beheerder']).then((r) => r.put('/api/v1/notifications/mailbox', { mailbox: 'leerplicht@rotterdam.example' }).expect(200));
    seen = mail.received.length;
    await agent.post(`/api/v1/reports/${n}/status`).set('X-CSRF-Token', csrf).send({ status: 'IN_BEHANDELING' }).expect(200);
    await agent.post(`/api/v1/reports/${n}/forward`).set('X-CSRF-Token', csrf).send({ to: 'GM0599', explanation: FREE_TEXT[3] }).expect(200);
    got = await next(seen, 5);
    expect(recipients(got)).toEqual(['leerplicht@rotterdam.example', SCHOOL_MAILBOX, SCHOOL_MAILBOX, school.reporter.email.toLowerCase(), school.reporter.email.toLowerCase()].sort());
    expect(got.find((m) => m.to.includes('leerplicht@rotterdam.example'))!.text).toContain('De melding is doorgestuurd van Amsterdam naar Rotterdam.');
    expect(got.map((m) => m.text).join('\n')).toContain('De melding is heropend; de status is nu: In behandeling.');

    // The school withdraws it: Rotterdam hears of it.
    seen = mail.received.length;
    const now = await school.get(`/api/v1/reports/${n}`).expect(200);
    await school.post(`/api/v1/reports/${n}/withdraw`, { explanation: FREE_TEXT[3] }).set('If-Match', now.headers.etag).expect(200);
    got = await next(seen, 1);
    expect(got[0].to).toEqual(['leerplicht@rotterdam.example']);
    expect(got[0].text).toContain('De school heeft de melding ingetrokken.');

    // Nobody who opted out, no lezer; the digest reader had nothing yet.
    for (const address of ['oscar@amsterdam.example', 'lea@amsterdam.example', 'otto@amsterdam.example']) expect(mail.to(address)).toEqual([]);

    // The daily digest: when it is due, Otto gets one e-mail with each change he would have had.
    seen = mail.received.length;
    await t.db.query(`UPDATE outbox_message SET next_attempt_at = now() WHERE status = 'DIGEST'`);
    got = await next(seen, 1);
    expect(got[0].to).toEqual(['otto@amsterdam.example']);
    expect(got[0].subject).toMatch(/^Verzuimloket: 3 wijzigingen in meldingen \(\d+ \w+ \d{4}\)$/);
    expect(got[0].text.match(new RegExp(`Meldingsnummer ${n}:`, 'g'))).toHaveLength(3);
    expect(got[0].text).toContain('De school heeft een nieuwe melding ingediend.');

    assertNoPersonalData(mail.received);
  });

  it('e-mails the activation link to the person alone, and the link works', async () => {
    const beheerder = await activePerson(t, school.org.code, { username: 'bea.school', email: 'bea@school.example', roles: ['beheerder', 'melder'] });
    const { agent, csrf } = await signIn(t, beheerder);
    const seen = mail.received.length;
    const created = await agent.post('/api/v1/users').set('X-CSRF-Token', csrf)
      .send({ username: 'nieuw.collega', name: 'Nina Nieuw', email: 'Nina@School.example', roles: ['melder'], activation: 'LINK' }).expect(201);
    expect(created.body.activation).toEqual({ kind: 'LINK', sentTo: 'Nina@School.example', expiresAt: expect.any(String) });
    expect(JSON.stringify(created.body)).not.toMatch(/activeren\?code=/);
    const [m] = await next(seen, 1);
    expect(m.to).toEqual(['nina@school.example']);
    expect(m.subject).toBe('Activeer uw account voor Verzuimloket');
    expect(m.text).toContain('nieuw.collega');
    const link = /http:\/\/localhost:3000\/activeren\?code=[\w-]+/.exec(m.text)![0];
    const code = new URL(link).searchParams.get('code')!;
    const inspected = await request(t.http).post('/api/v1/activation/inspect').send({ activationCode: code }).expect(200);
    expect(inspected.body).toMatchObject({ username: 'nieuw.collega', needsPassword: true });
    // Sent: the secret is gone from the outbox.
    const [row] = await t.db.query(`SELECT sealed, status FROM outbox_message WHERE template = 'activation' AND recipient = 'nina@school.example'`);
    expect(row).toEqual({ sealed: null, status: 'SENT' });
    assertNoPersonalData([m]);
  });

  it('lets a person choose their e-mails and the beheerder set the mailbox, checking the input', async () => {
    const { agent, csrf } = await signIn(t, otto);
    expect((await agent.get('/api/v1/notifications/preference').expect(200)).body).toEqual({ frequency: 'DAILY' });
    await agent.put('/api/v1/notifications/preference').set('X-CSRF-Token', csrf).send({ frequency: 'IMMEDIATE' }).expect(200);
    expect((await agent.get('/api/v1/notifications/preference').expect(200)).body).toEqual({ frequency: 'IMMEDIATE' });
    const bad = await agent.put('/api/v1/notifications/preference').set('X-CSRF-Token', csrf).send({ frequency: 'WEEKLY' }).expect(422);
    expect(bad.body.errors[0]).toMatchObject({ field: 'frequency' });
    // A key is no person.
    await amsterdam.get('/api/v1/notifications/preference').expect(403);

    const wrong = await amsterdam.put('/api/v1/notifications/mailbox', { mailbox: 'geen-adres' }).expect(422);
    expect(wrong.body.errors[0]).toMatchObject({ field: 'mailbox', code: 'INVALID_EMAIL' });
    await amsterdam.put('/api/v1/notifications/mailbox', {}).expect(422);
    expect((await amsterdam.get('/api/v1/notifications/mailbox').expect(200)).body).toEqual({ mailbox: GEMEENTE_MAILBOX });
    await amsterdam.put('/api/v1/notifications/mailbox', { mailbox: null }).expect(200);
    expect((await amsterdam.get('/api/v1/notifications/mailbox').expect(200)).body).toEqual({ mailbox: null });
    await amsterdam.put('/api/v1/notifications/mailbox', { mailbox: GEMEENTE_MAILBOX }).expect(200);

    // A beheerder sets it for a person of their own organisation only.
    const gemBeheerder = await activePerson(t, 'GM0363', { username: 'gert.beheer', email: 'gert@amsterdam.example', roles: ['beheerder'] });
    const b = await signIn(t, gemBeheerder);
    await b.agent.put(`/api/v1/notifications/preferences/${oscar.user.id}`).set('X-CSRF-Token', b.csrf).send({ frequency: 'DAILY' }).expect(200);
    const [{ mail_frequency }] = await t.db.query('SELECT mail_frequency FROM user_account WHERE id = $1', [oscar.user.id]);
    expect(mail_frequency).toBe('DAILY');
    const schoolPerson = await activePerson(t, school.org.code, { username: 'sam.school', email: 'sam@school.example', roles: ['lezer'] });
    await b.agent.put(`/api/v1/notifications/preferences/${schoolPerson.user.id}`).set('X-CSRF-Token', b.csrf).send({ frequency: 'OFF' }).expect(404);
  });
});

/** No pupil's data, and none of the free text the other side typed, in any part of any e-mail. */
function assertNoPersonalData(mails: ReceivedMail[]): void {
  expect(mails.length).toBeGreaterThan(0);
  for (const m of mails) {
    const whole = [m.subject, m.text, m.html, m.raw].join('\n');
    for (const secret of [...PERSONAL, ...FREE_TEXT]) expect(whole).not.toContain(secret);
  }
}
