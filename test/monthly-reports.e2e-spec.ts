import { clock } from '../src/common/clock';
import { todayInNL } from '../src/common/dates';
import { monthStart, shiftMonths } from '../src/common/dates';
import { RetentionScheduler } from '../src/retention/retention.scheduler';
import { activePerson, signIn } from './support/people';
import { bsn, Caller, reportBody, TestApp, TestSchool, withoutIds } from './support/test-app';

describe('monthly reports', () => {
  let t: TestApp;
  let school: TestSchool;
  let amsterdam: Caller;
  let month: string;
  let longOpen: number;
  const realNow = clock.now;

  beforeAll(async () => {
    t = await TestApp.start();
    school = await t.newSchool();
    amsterdam = await t.keyFor('GM0363');
    month = todayInNL(clock.now()).slice(0, 7);
    const numbers: number[] = [];
    for (let i = 0; i < 4; i++) {
      const kind = i === 3 ? { kind: 'LUXE', endDate: undefined } : {};
      numbers.push((await school.post('/api/v1/reports', reportBody(school, kind, { pgn: bsn(3000 + i * 7) })).expect(201)).body.number);
    }
    await amsterdam.post(`/api/v1/reports/${numbers[0]}/status`, { status: 'IN_BEHANDELING' }).expect(200);
    await amsterdam.post(`/api/v1/reports/${numbers[0]}/status`, { status: 'AFGESLOTEN', closingReason: 'TERUG_NAAR_SCHOOL', closingExplanation: 'GEZIEN' }).expect(200);
    await school.post(`/api/v1/reports/${numbers[1]}/withdraw`, {}).set('If-Match', '"1"').expect(200);
    // Filed before the month and still open: older than four weeks at its end, on the receiver's R08 list.
    longOpen = numbers[2];
    await t.db.query(`UPDATE report SET created_at = $2::timestamptz - interval '40 days' WHERE number = $1`, [longOpen, monthStart(month)]);
    await t.db.query(`UPDATE report_event SET created_at = $2::timestamptz - interval '40 days' WHERE report_id = (SELECT id FROM report WHERE number = $1)`, [longOpen, monthStart(month)]);
    // The first of next month, after the nightly run's time: the month's reports are made.
    clock.now = () => new Date(monthStart(shiftMonths(month, 1)).getTime() + 3 * 3_600_000);
    await t.app.get(RetentionScheduler).tick();
  });
  afterAll(async () => {
    clock.now = realNow;
    await t.stop();
  });

  it('adds up: the school\'s and the receiver\'s figures are the counts of the register for that month', async () => {
    const [start, end] = [monthStart(month), monthStart(shiftMonths(month, 1))];
    const [expected] = await t.db.query(
      `SELECT count(*) FILTER (WHERE created_at >= $2 AND created_at < $3)::int AS filed,
              count(*) FILTER (WHERE status IN ('GEREGISTREERD', 'IN_BEHANDELING'))::int AS open,
              count(*) FILTER (WHERE status = 'AFGESLOTEN' AND closed_at >= $2 AND closed_at < $3)::int AS closed,
              count(*) FILTER (WHERE status = 'INGETROKKEN' AND closed_at >= $2 AND closed_at < $3)::int AS withdrawn
         FROM report WHERE school_id = $1`,
      [school.org.id, start, end],
    );
    expect(expected).toEqual({ filed: 3, open: 2, closed: 1, withdrawn: 1 });
    const rapportage = await t.keyFor(school.org.code, ['rapportage']);
    const list = (await rapportage.get('/api/v1/monthly-reports').expect(200)).body;
    expect(list).toHaveLength(1);
    const f = list[0].figures;
    expect(f).toMatchObject({ month, side: 'school', filed: expected.filed, openAtEnd: expected.open, closed: expected.closed, withdrawn: expected.withdrawn,
      byKind: { '16U': 2, LUXE: 1 }, byClosingReason: { TERUG_NAAR_SCHOOL: 1 }, longOpen: [] });
    expect(f.byUnit).toEqual([{ code: `${school.org.code}01`, name: expect.any(String), count: 3 }]);
    const receiver = (await t.keyFor('GM0363', ['rapportage']).then((k) => k.get('/api/v1/monthly-reports').expect(200))).body[0].figures;
    // Open at the month's end and filed more than four weeks before it (today's reports too, when the month is young).
    const old: number[] = (await t.db.query(
      `SELECT number FROM report WHERE receiver_id = $1 AND status IN ('GEREGISTREERD', 'IN_BEHANDELING') AND created_at < $2::timestamptz - interval '28 days' ORDER BY number`,
      [amsterdam.org.id, end],
    )).map((r: { number: number }) => r.number);
    expect(old).toContain(longOpen);
    expect(receiver).toMatchObject({ side: 'receiver', filed: 3, openAtEnd: 2, openOver4Weeks: old.length, longOpen: old });
    expect(withoutIds(JSON.stringify(list))).not.toMatch(/Dijk|\d{9}/);
  });

  it('does not change a month when it is made again later, by the operator', async () => {
    const rapportage = await t.keyFor(school.org.code, ['rapportage']);
    const before = (await rapportage.get('/api/v1/monthly-reports').expect(200)).body;
    await amsterdam.post(`/api/v1/reports/${longOpen}/status`, { status: 'TER_KENNISNEMING_AANGENOMEN' }).expect(200);
    const operator = await activePerson(t, 'OPERATOR', { username: 'operator.maand', email: 'op.maand@example.org', roles: ['operator'] });
    const { agent, csrf } = await signIn(t, operator);
    const again = await agent.post('/rapportages/maken').type('form').send({ _csrf: csrf, month }).expect(200);
    expect(again.text).toContain('bestonden al');
    expect((await rapportage.get('/api/v1/monthly-reports').expect(200)).body).toEqual(before);
    // A month that is not finished, or nonsense, is refused with the field named.
    for (const bad of [todayInNL(clock.now()).slice(0, 7), '2026-13', "'; DROP TABLE report;--", '']) {
      const refused = await agent.post('/rapportages/maken').type('form').send({ _csrf: csrf, month: bad }).expect(422);
      expect(refused.text).toContain('kies een afgelopen maand');
    }
  });

  it('downloads as .xlsx and PDF, each download audited; another organisation\'s report is not found', async () => {
    const rapportage = await t.keyFor(school.org.code, ['rapportage']);
    const [report] = (await rapportage.get('/api/v1/monthly-reports').expect(200)).body;
    const xlsx = await rapportage.get(`/api/v1/monthly-reports/${report.id}/xlsx`).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => cb(null, Buffer.concat(chunks)));
    }).expect(200);
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
    expect((xlsx.body as Buffer).subarray(0, 2).toString()).toBe('PK');
    const pdf = await rapportage.get(`/api/v1/monthly-reports/${report.id}/pdf`).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => cb(null, Buffer.concat(chunks)));
    }).expect(200);
    expect((pdf.body as Buffer).subarray(0, 4).toString()).toBe('%PDF');
    const audited = await t.db.query(`SELECT details->>'format' AS format FROM audit_event WHERE action = 'MONTHLY_REPORT_DOWNLOADED' AND organisation_id = $1 ORDER BY id`, [school.org.id]);
    expect(audited.map((a: { format: string }) => a.format)).toEqual(['xlsx', 'pdf']);
    const other = await t.keyFor('GM0344', ['rapportage']);
    for (const id of [report.id, 'x', '../../etc', '00000000-0000-0000-0000-000000000000']) {
      expect((await other.get(`/api/v1/monthly-reports/${encodeURIComponent(id)}/xlsx`).expect(404)).body.code).toBe('NOT_FOUND');
    }
    // A melder has no rapportage role.
    await t.keyFor(school.org.code, ['melder']).then((k) => k.get('/api/v1/monthly-reports').expect(403));
  });

  it('shows the reports on the page with when each is deleted, and deletes them after three months', async () => {
    const person = await activePerson(t, school.org.code, { username: 'rapportage.school', email: 'rapportage@example.org', roles: ['rapportage'] });
    const { agent } = await signIn(t, person);
    const page = await agent.get('/rapportages').expect(200);
    expect(page.text).toContain('Wordt verwijderd op');
    const [report] = await t.db.query('SELECT id FROM monthly_report WHERE organisation_id = $1', [school.org.id]);
    expect((await agent.get(`/rapportages/${report.id}`).expect(200)).text).toContain('Ingediend, naar soort verzuim');
    const [{ expires_at }] = await t.db.query('SELECT expires_at FROM monthly_report WHERE id = $1', [report.id]);
    clock.now = () => new Date(expires_at.getTime() + 86_400_000);
    await t.app.get(RetentionScheduler).tick();
    expect(await t.db.query('SELECT id FROM monthly_report WHERE id = $1', [report.id])).toEqual([]);
  });
});
