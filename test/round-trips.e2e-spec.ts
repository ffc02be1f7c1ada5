import { MailWorker } from '../src/notifications/mail-worker.service';
import { TestMailServer } from './support/mail-server';
import { activePerson, signIn } from './support/people';
import { captureStatements } from './support/sql-capture';
import { bsn, reportBody, TestApp } from './support/test-app';

/** The text of every statement node-postgres sent while `work` ran. */
async function count(work: () => Promise<unknown>): Promise<string[]> {
  return (await captureStatements(work)).map((s) => s.text);
}

/**
 * Filing a report takes 3 round trips to the database, the whole request counted: the caller's key with the
 * request's count against the rate limit, one read of what the write needs, and ONE statement for the report, its
 * history event, its audit entry and what the listeners write (the e-mails, the webhook deliveries), with no
 * transaction around them; the answer comes from what was written. Closing one takes at most 8 (it locks the report in a transaction). Counted, not timed: every
 * statement node-postgres sends is one round trip.
 */
describe('round trips to the database', () => {
  let t: TestApp;

  beforeAll(async () => (t = await TestApp.start()));
  afterAll(() => t.stop());

  it('files a report in 3, with a key, and closes it in at most 8', async () => {
    const school = await t.newSchool();
    const officer = await t.keyFor('GM0363', ['behandelaar']);
    await officer.get('/api/v1/reports').expect(200); // the key's last use is written at most once a minute
    let n = 0;
    const filing = await count(async () => (n = (await school.post('/api/v1/reports', reportBody(school)).expect(201)).body.number));
    expect(filing).toHaveLength(3);
    expect(filing[0]).toMatch(/FROM api_key[\s\S]*INSERT INTO rate_limit/);
    const write = filing.filter((q) => /INSERT INTO report \(/.test(q));
    expect(write).toHaveLength(1);
    for (const table of ['report_event', 'audit_event', 'outbox_message', 'webhook_message', 'webhook_delivery']) expect(write[0]).toContain(`INSERT INTO ${table} (`);
    expect(filing.some((q) => /^\s*(START TRANSACTION|BEGIN)/i.test(q))).toBe(false);
    const closing = await count(() => officer.post(`/api/v1/reports/${n}/status`, { status: 'AFGESLOTEN', closingReason: 'TERUG_NAAR_SCHOOL', closingExplanation: 'GEZIEN' }).expect(200));
    expect(closing.length).toBeLessThanOrEqual(8);
  });

  it('closes a report in at most 8 with a signed-in session', async () => {
    const school = await t.newSchool('Tweede');
    const person = await activePerson(t, 'GM0363', { username: 'r.rondes', email: 'r@example.org', roles: ['behandelaar'] });
    const { agent, csrf } = await signIn(t, person);
    const n = (await school.post('/api/v1/reports', reportBody(school)).expect(201)).body.number;
    await agent.get('/api/v1/session').expect(200);
    const closing = await count(() => agent.post(`/api/v1/reports/${n}/status`).set('X-CSRF-Token', csrf).send({ status: 'IN_BEHANDELING' }).expect(200));
    expect(closing.length).toBeLessThanOrEqual(8);
  });
});

describe('round trips of the mail worker', () => {
  let t: TestApp;
  let mail: TestMailServer;

  // The worker's own rounds are a minute apart: the test drives one.
  beforeAll(async () => {
    mail = await TestMailServer.start();
    t = await TestApp.start({ SMTP_URL: mail.url, MAIL_WORKER: 'true', MAIL_POLL_MS: '60000' });
  });
  afterAll(async () => {
    await t?.stop();
    await mail?.stop();
  });

  it('claims a batch of e-mails in one statement and marks them sent in one more, not one per e-mail', async () => {
    const school = await t.newSchool('Postschool');
    // Each filing e-mails the municipality's mailbox.
    await (await t.keyFor('GM0363', ['behandelaar', 'beheerder'])).put('/api/v1/notifications/mailbox', { mailbox: 'leerplicht@amsterdam.example' }).expect(200);
    for (let i = 0; i < 3; i++) await school.post('/api/v1/reports', reportBody(school, {}, { pgn: bsn(778100 + i) })).expect(201);
    const [{ due }] = await t.db.query(`SELECT count(*)::int AS due FROM outbox_message WHERE status = 'PENDING'`);
    expect(due).toBeGreaterThanOrEqual(3);
    const worker = t.app.get(MailWorker);
    const round = await count(() => worker.runOnce());
    await mail.waitFor(due);
    expect(round.filter((q) => /UPDATE outbox_message o\s+SET claimed_until/.test(q))).toHaveLength(1);
    expect(round.filter((q) => /SET status = \$2, sent_at = now\(\)/.test(q))).toHaveLength(1);
    const [{ left }] = await t.db.query(`SELECT count(*)::int AS left FROM outbox_message WHERE status <> 'SENT'`);
    expect(left).toBe(0);
  });

  it('sends more than a batch in two lanes at once, every e-mail exactly once', async () => {
    const school = await t.newSchool('Drukke postschool');
    const before = mail.received.length;
    for (let i = 0; i < 45; i++) await school.post('/api/v1/reports', reportBody(school, {}, { pgn: bsn(778200 + i * 10) })).expect(201);
    const [{ due }] = await t.db.query(`SELECT count(*)::int AS due FROM outbox_message WHERE status = 'PENDING'`);
    expect(due).toBeGreaterThanOrEqual(45);
    const round = await count(() => t.app.get(MailWorker).runOnce());
    const received = (await mail.waitFor(before + due)).slice(before);
    // 45 and more: a full first batch, then two lanes that claim on their own until each finds less than a batch.
    expect(round.filter((q) => /UPDATE outbox_message o\s+SET claimed_until/.test(q)).length).toBeGreaterThanOrEqual(4);
    await new Promise((r) => setTimeout(r, 300)); // an e-mail sent twice would arrive by now
    await mail.parseAll();
    const ids = received.map((m) => m.messageId);
    expect(mail.received.length - before).toBe(due);
    expect(new Set(ids).size).toBe(due);
    const [{ left }] = await t.db.query(`SELECT count(*)::int AS left FROM outbox_message WHERE status <> 'SENT'`);
    expect(left).toBe(0);
  });
});
