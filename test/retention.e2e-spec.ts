import { AuditService, SYSTEM_ACTOR } from '../src/audit/audit.service';
import { AuditAction } from '../src/audit/audit-event.entity';
import { clock } from '../src/common/clock';
import { addMonthsUtc } from '../src/kernel/retention';
import { PgnCipher } from '../src/reports/pgn-cipher';
import { JobRunner } from '../src/retention/job-runner';
import { RetentionService } from '../src/retention/retention.service';
import { activePerson, signIn } from './support/people';
import { bornAged, bsn, Caller, daysAgo, reportBody, TestApp, TestSchool } from './support/test-app';

/** The pupil whose report is erased: every trace of these must go. */
const PGN = bsn(424242);
const SURNAME = 'Zwanenburgh';
const BIRTH = bornAged(15);
const [by, bm, bd] = BIRTH.split('-');
const NEEDLES = [PGN, SURNAME, BIRTH, `${Number(bd)}-${Number(bm)}-${by}`, `${bd}-${bm}-${by}`];

/** Every text, jsonb, array and bytea column of every table in which one of the needles occurs (PGNs decrypted). */
async function traces(t: TestApp): Promise<string[]> {
  const columns: { table_name: string; column_name: string; data_type: string }[] = await t.db.query(
    `SELECT table_name, column_name, data_type FROM information_schema.columns
      WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'jsonb', 'json', 'ARRAY', 'bytea')`,
  );
  expect(columns.length).toBeGreaterThan(50);
  const found: string[] = [];
  for (const c of columns) {
    for (const needle of NEEDLES) {
      const sql = c.data_type === 'bytea'
        ? `SELECT count(*)::int AS n FROM "${c.table_name}" WHERE position(convert_to($1, 'UTF8') IN "${c.column_name}") > 0`
        : `SELECT count(*)::int AS n FROM "${c.table_name}" WHERE "${c.column_name}"::text LIKE '%' || $1 || '%'`;
      const [{ n }] = await t.db.query(sql, [needle]);
      if (n > 0) found.push(`${c.table_name}.${c.column_name}: ${needle}`);
    }
  }
  const cipher = t.app.get(PgnCipher);
  for (const r of await t.db.query('SELECT number, pgn_encrypted FROM report')) {
    if (cipher.decrypt(r.pgn_encrypted) === PGN) found.push(`report.pgn_encrypted (ontsleuteld) van melding ${r.number}`);
  }
  return found;
}

describe('retention: erasure after the term, nothing personal left', () => {
  let t: TestApp;
  let school: TestSchool;
  let amsterdam: Caller;
  let utrecht: Caller;
  let erased: number;
  let open: number;
  let recent: number;
  const realNow = clock.now;

  beforeAll(async () => {
    t = await TestApp.start();
    school = await t.newSchool();
    amsterdam = await t.keyFor('GM0363');
    utrecht = await t.keyFor('GM0344');
    // An officer who takes a daily digest: the notifications wait in the outbox, naming the report.
    await activePerson(t, 'GM0344', { username: 'lpa.utrecht', email: 'lpa@utrecht.example', roles: ['behandelaar'], frequency: 'DAILY' as never });
    const filed = await school.post('/api/v1/reports', reportBody(school, {}, { pgn: PGN, surname: SURNAME, initials: 'Q.X.', birthDate: BIRTH })).expect(201);
    erased = filed.body.number;
    await amsterdam.post(`/api/v1/reports/${erased}/status`, { status: 'IN_BEHANDELING', contact: { name: 'A. Jansen', email: 'lpa@amsterdam.example' } }).expect(200);
    await amsterdam.post(`/api/v1/reports/${erased}/messages`, { body: `Gesprek met ${SURNAME} en ouders gepland.` }).expect(201);
    await amsterdam.post(`/api/v1/reports/${erased}/forward`, { to: 'GM0344', explanation: `${SURNAME} woont sinds de zomer in Utrecht` }).expect(200);
    await utrecht.post(`/api/v1/reports/${erased}/status`, { status: 'AFGESLOTEN', closingReason: 'TERUG_NAAR_SCHOOL', closingExplanation: 'GEZIEN' }).expect(200);
    // A later caller that wrote free text about the report into the audit log.
    await t.app.get(AuditService).record({ ...SYSTEM_ACTOR, organisationId: school.org.id, action: AuditAction.REPORT_CHANGED, subjectType: 'REPORT', subjectId: erased,
      details: { fields: ['reason'], explanation: `Naam ${SURNAME} gecorrigeerd` } });
    // A digest put together before the erasure, carrying this report and another one.
    open = (await school.post('/api/v1/reports', reportBody(school, {}, { pgn: bsn(515151), surname: 'Blijft' })).expect(201)).body.number;
    await t.db.query(
      `INSERT INTO outbox_message (template, organisation_id, recipient, data, status) VALUES ('digest', $1, 'lpa@utrecht.example', $2, 'DIGEST')`,
      [utrecht.org.id, JSON.stringify({ items: [{ number: erased, kind: '16U' }, { number: open, kind: '16U' }] })],
    );
    const other = await school.post('/api/v1/reports', reportBody(school, { beginDate: daysAgo(30), endDate: daysAgo(20) }, { pgn: bsn(616161), surname: 'Recent' })).expect(201);
    recent = other.body.number;
    // Withdrawn a year later than the first was closed: not yet due when the first is.
    await school.post(`/api/v1/reports/${recent}/withdraw`, {}).set('If-Match', '"1"').expect(200);
    await t.db.query(`UPDATE report SET closed_at = closed_at + interval '1 year' WHERE number = $1`, [recent]);
    // A sent e-mail of long ago, and one of yesterday.
    await t.db.query(
      `INSERT INTO outbox_message (template, organisation_id, recipient, status, sent_at) VALUES
         ('report-event', $1, 'oud@example.org', 'SENT', now() - interval '100 days'), ('report-event', $1, 'nieuw@example.org', 'SENT', now() - interval '1 day')`,
      [school.org.id],
    );
  });
  afterAll(async () => {
    clock.now = realNow;
    await t.stop();
  });

  it('finds the pupil in the register before the term, and erases nothing then', async () => {
    const before = await traces(t);
    expect(before).toEqual(expect.arrayContaining([expect.stringMatching(/^report\.pupil_surname/), expect.stringMatching(/^report_message\.body/),
      expect.stringMatching(/^report_event\.details/), expect.stringMatching(/^audit_event\.details/), expect.stringMatching(/pgn_encrypted \(ontsleuteld\)/)]));
    const summary = await t.app.get(RetentionService).eraseDue();
    expect(summary.reports).toBe(0);
    expect(summary.sentMails).toBe(1);
    expect((await t.db.query(`SELECT recipient FROM outbox_message WHERE status = 'SENT'`)).map((r: { recipient: string }) => r.recipient)).toEqual(['nieuw@example.org']);
  });

  it('removes kept form input past its hour, and only that', async () => {
    await t.db.query(
      `INSERT INTO kept_input (token_hash, purpose, page, sealed, expires_at) VALUES
         ('\\x01', 'FORM', '/meldingen/nieuw', '\\x00', now() - interval '1 minute'), ('\\x02', 'FLASH', '/beheer/sleutels', '\\x00', now() - interval '3 days'),
         ('\\x03', 'FORM', '/meldingen/nieuw', '\\x00', now() + interval '30 minutes')`,
    );
    const summary = await t.app.get(RetentionService).eraseDue();
    expect(summary.keptInputs).toBe(2);
    await expect(t.db.query(`SELECT token_hash FROM kept_input`)).resolves.toEqual([{ token_hash: Buffer.from([3]) }]);
  });

  it('shows on the report page when the report will be erased', async () => {
    const melder = await activePerson(t, school.org.code, { username: 'melder.bewaar', email: 'melder.bewaar@example.org', roles: ['melder'] });
    const { agent } = await signIn(t, melder);
    const [{ closed_at }] = await t.db.query('SELECT closed_at FROM report WHERE number = $1', [erased]);
    const due = addMonthsUtc(closed_at, 60);
    const page = await agent.get(`/meldingen/${erased}`).expect(200);
    expect(page.text).toContain(`wordt op ${new Intl.DateTimeFormat('nl-NL', { timeZone: 'Europe/Amsterdam', dateStyle: 'long' }).format(due)} gewist`);
    expect((await agent.get(`/meldingen/${open}`).expect(200)).text).toContain('wordt niet gewist');
  });

  it('after five years erases the closed report and every trace of the pupil, and keeps a destruction record', async () => {
    const [{ closed_at }] = await t.db.query('SELECT closed_at FROM report WHERE number = $1', [erased]);
    clock.now = () => new Date(addMonthsUtc(closed_at, 60).getTime() + 60_000);
    const summary = await t.app.get(RetentionService).eraseDue();
    expect(summary.reports).toBe(1);
    expect(await traces(t)).toEqual([]);
    const left: number[] = (await t.db.query('SELECT number FROM report ORDER BY number')).map((r: { number: number }) => r.number);
    expect(left).toEqual([open, recent]);
    const [record] = await t.db.query('SELECT * FROM destruction_record');
    expect(record).toMatchObject({ report_number: erased, kind: '16U', status: 'AFGESLOTEN', age_at_begin: 15, closing_reason: 'TERUG_NAAR_SCHOOL', closing_explanation: 'GEZIEN' });
    expect(record.forwards).toEqual([expect.objectContaining({ from: 'GM0363', to: 'GM0344' })]);
    expect(record.handling_at).not.toBeNull();
    // No e-mail, webhook message or digest item names the report any more; the other report's item stays.
    const digests: { data: { items: { number: number }[] } }[] = await t.db.query(`SELECT data FROM outbox_message WHERE template = 'digest'`);
    expect(digests.map((d) => d.data.items.map((i) => i.number))).toEqual([[open]]);
    expect(await t.db.query(`SELECT id FROM outbox_message WHERE data->>'number' = $1`, [String(erased)])).toEqual([]);
    expect(await t.db.query('SELECT id FROM webhook_message WHERE report_number = $1', [erased])).toEqual([]);
    // The school's and the receiver's logs say it was erased; the earlier entries keep codes, not text.
    const entries = await t.db.query(`SELECT organisation_id, details FROM audit_event WHERE action = 'REPORT_ERASED' AND subject_id = $1 ORDER BY organisation_id`, [String(erased)]);
    expect(entries.map((e: { organisation_id: string }) => e.organisation_id).sort()).toEqual([school.org.id, utrecht.org.id].sort());
    const changed = await t.db.query(`SELECT details FROM audit_event WHERE action = 'REPORT_CHANGED' AND subject_id = $1`, [String(erased)]);
    expect(changed[0].details).toEqual({ fields: ['reason'] });
    // The audit log is still append-only outside the erasure.
    await expect(t.db.query(`UPDATE audit_event SET details = '{}' WHERE action = 'REPORT_ERASED'`)).rejects.toThrow(/append-only/);
    await expect(t.db.query(`DELETE FROM audit_event WHERE action = 'REPORT_ERASED'`)).rejects.toThrow(/append-only/);
  });

  it('erases the withdrawn report a year later, never the open one', async () => {
    const [{ closed_at }] = await t.db.query('SELECT closed_at FROM report WHERE number = $1', [recent]);
    clock.now = () => new Date(addMonthsUtc(closed_at, 60).getTime() - 60_000);
    expect((await t.app.get(RetentionService).eraseDue()).reports).toBe(0);
    clock.now = () => new Date(addMonthsUtc(closed_at, 600).getTime());
    expect((await t.app.get(RetentionService).eraseDue()).reports).toBe(1);
    expect((await t.db.query('SELECT number FROM report')).map((r: { number: number }) => r.number)).toEqual([open]);
  });

  it('shows the operator what the next run erases and the destruction records', async () => {
    clock.now = realNow;
    await t.db.query(`UPDATE report SET status = 'AFGESLOTEN', closed_at = now() - interval '61 months' WHERE number = $1`, [open]);
    const operator = await activePerson(t, 'OPERATOR', { username: 'operator.bewaar', email: 'op.bewaar@example.org', roles: ['operator'] });
    const { agent } = await signIn(t, operator);
    const page = await agent.get('/bewaren').expect(200);
    expect(page.text).toContain('Wat de volgende run wist: 1 melding(en)');
    expect(page.text).toContain('Vernietigingsverklaringen (2)');
    expect(page.text).toContain(`>${erased}</th>`);
    expect(page.text).not.toContain(SURNAME);
    // A hostile page number is the first page, never an error.
    expect((await agent.get('/bewaren?pagina=-1%27%20OR%201=1').expect(200)).text).toContain('Vernietigingsverklaringen (2)');
    const melder = await activePerson(t, school.org.code, { username: 'melder.geen', email: 'melder.geen@example.org', roles: ['melder', 'beheerder'] });
    await (await signIn(t, melder)).agent.get('/bewaren').expect(403);
  });

  it('runs a job once per period, whichever instance asks, and again after a failure', async () => {
    const jobs = t.app.get(JobRunner);
    let runs = 0;
    const work = async () => ({ runs: ++runs });
    const results = await Promise.all([jobs.once('test', '2026-12-01', work), jobs.once('test', '2026-12-01', work)]);
    expect(runs).toBe(1);
    expect(results.filter((r) => r !== null)).toEqual([{ runs: 1 }]);
    expect(await jobs.once('test', '2026-12-01', work)).toBeNull();
    await expect(jobs.once('test', '2026-12-02', async () => { throw new Error('kapot'); })).rejects.toThrow('kapot');
    expect(await jobs.once('test', '2026-12-02', work)).toEqual({ runs: 2 });
  });
});
