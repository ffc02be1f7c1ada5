import { TestMailServer } from './support/mail-server';
import { MailWorker } from '../src/notifications/mail-worker.service';
import { bsn, Caller, reportBody, TestApp, TestSchool } from './support/test-app';
import { sleep } from './support/until';

/** An app with a mail server and the worker on, a school with its own mailbox, and Amsterdam's officer key. */
async function start(schoolName: string, mailbox: string, env: Record<string, string>): Promise<{ t: TestApp; mail: TestMailServer; school: TestSchool; amsterdam: Caller }> {
  const mail = await TestMailServer.start();
  const t = await TestApp.start({ SMTP_URL: mail.url, MAIL_WORKER: 'true', MAIL_COALESCE_SECONDS: '20', ...env });
  const school = await t.newSchool(schoolName);
  const amsterdam = await t.keyFor('GM0363');
  await school.put('/api/v1/notifications/mailbox', { mailbox }).expect(200);
  return { t, mail, school, amsterdam };
}

/** Issue 11: e-mails about one report that follow each other within seconds reach each person as one. */
describe('e-mails about one report within MAIL_COALESCE_SECONDS are combined', () => {
  let t: TestApp;
  let mail: TestMailServer;
  let school: TestSchool;
  let amsterdam: Caller;
  const SCHOOL_MAILBOX = 'administratie@werklast.example';
  const PUPIL = { pgn: bsn(777001), initials: 'Z.', prefix: 'de', surname: 'Kwikstaart', birthDate: '2012-04-04' };

  // The window (20 s) opens at the first change: wide enough that the three calls below fit in it on a loaded machine (10 s did not, once).
  beforeAll(async () => ({ t, mail, school, amsterdam } = await start('Bundelschool', SCHOOL_MAILBOX, { MAIL_POLL_MS: '100' })));
  afterAll(async () => {
    await t?.stop();
    await mail?.stop();
  });

  it('sends the school one e-mail naming all three when the officer takes into handling, replies and closes within a second', async () => {
    const n = (await school.post('/api/v1/reports', reportBody(school, {}, PUPIL)).expect(201)).body.number;
    const other = (await school.post('/api/v1/reports', reportBody(school, {}, { ...PUPIL, pgn: bsn(777002) })).expect(201)).body.number;
    const before = mail.received.length;
    const started = Date.now();
    await amsterdam.post(`/api/v1/reports/${n}/status`, { status: 'IN_BEHANDELING' }).expect(200);
    await amsterdam.post(`/api/v1/reports/${n}/messages`, { body: 'Wij hebben Kwikstaart thuis bezocht.' }).expect(201);
    await amsterdam.post(`/api/v1/reports/${n}/status`, { status: 'AFGESLOTEN', closingReason: 'TERUG_NAAR_SCHOOL', closingExplanation: 'GEZIEN' }).expect(200);
    await amsterdam.post(`/api/v1/reports/${other}/status`, { status: 'IN_BEHANDELING' }).expect(200);
    // Two addresses (the reporter and the school's mailbox), two reports: four e-mails, not eight.
    await mail.waitFor(before + 4, 40_000);
    await sleep(3_000);
    const mails = mail.received.slice(before);
    expect(mails).toHaveLength(4);
    expect(Date.now() - started).toBeGreaterThanOrEqual(19_500);
    const aboutN = mails.filter((m) => m.text.includes(`meldingsnummer ${n} `));
    expect(aboutN.flatMap((m) => m.to).sort()).toEqual([SCHOOL_MAILBOX, school.reporter.email.toLowerCase()].sort());
    for (const m of aboutN) {
      expect(m.text).toContain('3 wijzigingen kort na elkaar');
      expect(m.text).toContain('De status is gewijzigd in: In behandeling.');
      expect(m.text).toContain('Amsterdam heeft een bericht gestuurd.');
      expect(m.text).toMatch(/De status is gewijzigd in: Afgesloten\. Reden van afsluiten: /);
      expect(m.html).toContain('<li>');
      for (const secret of [PUPIL.pgn, PUPIL.surname, '04-04-2012', 'thuis bezocht']) {
        expect(m.raw).not.toContain(secret);
      }
    }
    const aboutOther = mails.filter((m) => m.text.includes(`meldingsnummer ${other} `));
    expect(aboutOther).toHaveLength(2);
    for (const m of aboutOther) expect(m.text).not.toContain('wijzigingen kort na elkaar');
    // In the outbox: the merged rows point at the one that carried them; nothing is left waiting.
    const rows: { status: string; count: number }[] = await t.db.query('SELECT status, count(*)::int AS count FROM outbox_message GROUP BY status ORDER BY status');
    expect(rows).toEqual(expect.arrayContaining([{ status: 'BUNDLED', count: 4 }]));
    expect(rows.find((r) => r.status === 'PENDING')).toBeUndefined();
  }, 60_000);
});

/**
 * The worker decides once per round what is due, for merging and sending alike: an e-mail that becomes due while the
 * round merges must not go out alone (it did under load: the first change alone, the rest in a second e-mail).
 */
describe('the mail worker measures "due" once per round', () => {
  let t: TestApp;
  let mail: TestMailServer;
  let school: TestSchool;
  let amsterdam: Caller;
  const SCHOOL_MAILBOX = 'administratie@ronde.example';

  // The worker's own rounds are a minute apart: the test drives them.
  beforeAll(async () => ({ t, mail, school, amsterdam } = await start('Rondeschool', SCHOOL_MAILBOX, { MAIL_POLL_MS: '60000' })));
  afterAll(async () => {
    await t?.stop();
    await mail?.stop();
  });

  it('leaves an e-mail that became due during the merging for the next round, which sends it merged', async () => {
    const n = (await school.post('/api/v1/reports', reportBody(school, {}, { pgn: bsn(777101) })).expect(201)).body.number;
    await amsterdam.post(`/api/v1/reports/${n}/status`, { status: 'IN_BEHANDELING' }).expect(200);
    await amsterdam.post(`/api/v1/reports/${n}/messages`, { body: 'Wij nemen contact op.' }).expect(201);
    // Per address the first change falls due in 300 ms, the second in 20 s.
    const firsts: { id: string }[] = await t.db.query(
      `SELECT DISTINCT ON (recipient) id FROM outbox_message WHERE data->>'number' = $1 AND status = 'PENDING' ORDER BY recipient, created_at, id`, [String(n)],
    );
    expect(firsts).toHaveLength(2);
    await t.db.query(`UPDATE outbox_message SET next_attempt_at = now() + interval '300 milliseconds' WHERE id = ANY($1::uuid[])`, [firsts.map((r) => r.id)]);

    // A round whose merging looks before they are due and whose sending comes after.
    const worker = t.app.get(MailWorker) as unknown as { coalesce(due: Date): Promise<void>; runOnce(): Promise<void> };
    const merge = worker.coalesce.bind(worker);
    const slow = jest.spyOn(worker, 'coalesce').mockImplementation(async (due: Date) => {
      await merge(due);
      await sleep(600);
    });
    const before = mail.received.length;
    await worker.runOnce();
    slow.mockRestore();
    expect(mail.received.length).toBe(before);

    // The next round merges each address's two changes and sends them as one.
    await worker.runOnce();
    const mails = await mail.waitFor(before + 2);
    const sent = mails.slice(before);
    expect(sent.flatMap((m) => m.to).sort()).toEqual([SCHOOL_MAILBOX, school.reporter.email.toLowerCase()].sort());
    for (const m of sent) expect(m.text).toContain('2 wijzigingen kort na elkaar');
  });
});
