import { clock } from '../src/common/clock';
import { currentSchoolYear } from '../src/reporting/annual-figures';
import { RetentionService } from '../src/retention/retention.service';
import { addMonthsUtc } from '../src/kernel/retention';
import { activePerson, newRegionalOffice, signIn } from './support/people';
import { bornAged, bsn, Caller, reportBody, TestApp, TestSchool, withoutIds } from './support/test-app';

/**
 * The jaaropgave (Leerplichtwet art. 25) of a finished school year, against figures counted in this file from the
 * reports it made: reports of two sectors, ages on both sides of a birthday, one forwarded from Amsterdam to Utrecht,
 * one open at 31 July, one filed a minute after the year and one filed the day before it and closed in it. Then the
 * closed reports are erased (the clock moved past their term) and the figures stay as they were.
 */

/** A report of the test as it is set up: what the figures are counted from. */
interface Made {
  number: number;
  sector: 'VO' | 'PO';
  kind: string;
  age: number;
  filed: string;
  closed?: { at: string; reason: string; explanation: string };
  withdrawn?: string;
  forwardedAt?: string;
}

const year = currentSchoolYear().startYear - 1;
const label = `${year}-${year + 1}`;
const at = (day: string, time = '10:00:00') => new Date(`${day}T${time}+02:00`).toISOString();
const Y0 = String(year);
const Y1 = String(year + 1);

describe('jaaropgave', () => {
  let t: TestApp;
  let vo: TestSchool;
  let po: TestSchool;
  let amsterdam: Caller;
  let utrecht: Caller;
  const made: Made[] = [];
  const realNow = clock.now;

  async function file(school: TestSchool, sector: 'VO' | 'PO', spec: Omit<Made, 'number' | 'sector'>, beginDate: string, birthDate: string): Promise<Made> {
    const overrides = spec.kind === 'LUXE' ? { kind: 'LUXE', endDate: undefined } : {};
    const number: number = (await school.post('/api/v1/reports', reportBody(school, overrides, { pgn: bsn(9100 + made.length * 13) })).expect(201)).body.number;
    const m = { number, sector, ...spec };
    if (spec.closed) {
      await amsterdam.post(`/api/v1/reports/${number}/status`, { status: 'IN_BEHANDELING' }).expect(200);
      await amsterdam.post(`/api/v1/reports/${number}/status`, { status: 'AFGESLOTEN', closingReason: spec.closed.reason, closingExplanation: spec.closed.explanation }).expect(200);
    }
    if (spec.withdrawn) await school.post(`/api/v1/reports/${number}/withdraw`, {}).set('If-Match', '"1"').expect(200);
    if (spec.forwardedAt) await amsterdam.post(`/api/v1/reports/${number}/forward`, { to: 'GM0344' }).expect(200);
    // Into the school year of the test: filing, closing and the history's times; the age from the birth date.
    await t.db.query(
      `UPDATE report SET created_at = $2, closed_at = $3, begin_date = $4, pupil_birth_date = $5 WHERE number = $1`,
      [number, at(spec.filed), spec.closed ? at(spec.closed.at) : spec.withdrawn ? at(spec.withdrawn) : null, beginDate, birthDate],
    );
    await t.db.query(`UPDATE report_event SET created_at = CASE WHEN type = 'DOORGESTUURD' THEN $2::timestamptz ELSE $3::timestamptz END
                       WHERE report_id = (SELECT id FROM report WHERE number = $1)`, [number, spec.forwardedAt ? at(spec.forwardedAt) : null, at(spec.filed)]);
    made.push(m);
    return m;
  }

  beforeAll(async () => {
    t = await TestApp.start();
    vo = await t.newSchool();
    po = await t.newSchool('Basisschool');
    await t.db.query(`UPDATE organisation SET sector = 'PO' WHERE id = $1`, [po.org.id]);
    amsterdam = await t.keyFor('GM0363');
    utrecht = await t.keyFor('GM0344', ['rapportage']);
    const close = (day: string, reason = 'TERUG_NAAR_SCHOOL', explanation = 'GEZIEN') => ({ at: day, reason, explanation });
    // Ages: the 12th birthday on the begin date is 12; a day later it would have been 11.
    await file(vo, 'VO', { kind: '16U', age: 12, filed: `${Y0}-09-10`, closed: close(`${Y0}-10-10`) }, `${Y0}-09-01`, `${year - 12}-09-01`);
    await file(po, 'PO', { kind: '16U', age: 11, filed: `${Y0}-11-01`, closed: close(`${Y1}-03-01`, 'ANDERE_OPLEIDING', 'GEEN_ACTIE') }, `${Y0}-10-20`, `${year - 12}-10-21`);
    await file(vo, 'VO', { kind: 'LUXE', age: 15, filed: `${Y1}-02-01` }, `${Y1}-01-20`, `${year - 15}-06-01`);
    await file(vo, 'VO', { kind: '16U', age: 16, filed: `${Y1}-03-01`, forwardedAt: `${Y1}-03-15` }, `${Y1}-02-10`, `${year - 15}-01-01`);
    await file(po, 'PO', { kind: '16U', age: 9, filed: `${Y0}-12-01`, withdrawn: `${Y1}-01-10` }, `${Y0}-11-20`, `${year - 10}-12-01`);
    // The last minute of 31 July (Dutch time) is in the year; the first of 1 August is not.
    await file(vo, 'VO', { kind: '16U', age: 13, filed: `${Y1}-07-31` }, `${Y1}-07-01`, `${year + 1 - 13}-01-01`);
    await t.db.query('UPDATE report SET created_at = $2 WHERE number = $1', [made[5].number, at(`${Y1}-07-31`, '23:59:00')]);
    await file(vo, 'VO', { kind: '16U', age: 14, filed: `${Y1}-08-01` }, `${Y1}-07-10`, `${year - 14}-01-01`);
    await t.db.query('UPDATE report SET created_at = $2 WHERE number = $1', [made[6].number, at(`${Y1}-08-01`, '00:01:00')]);
    // Filed the day before the year, closed in it: counted as closed, not as received.
    await file(vo, 'VO', { kind: 'LUXE', age: 10, filed: `${Y0}-07-31`, closed: close(`${Y0}-08-20`, 'TERUG_NAAR_SCHOOL', 'ACTIE') }, `${Y0}-07-01`, `${year - 11}-01-01`);
  });
  afterAll(async () => {
    clock.now = realNow;
    await t.stop();
  });

  /** What the jaaropgave must say, counted here from the reports as made. */
  function expected(org: 'GM0363' | 'GM0344') {
    const [start, end] = [new Date(at(`${Y0}-08-01`, '00:00:00')), new Date(at(`${Y1}-08-01`, '00:00:00'))];
    const inYear = (d?: string, time?: string) => !!d && new Date(at(d, time)) >= start && new Date(at(d, time)) < end;
    const filedIn = (m: Made) => (m === made[5] ? true : m === made[6] ? false : inYear(m.filed));
    const received = org === 'GM0363' ? made.filter(filedIn) : [];
    const closed = org === 'GM0363' ? made.filter((m) => m.closed && inYear(m.closed.at)) : [];
    const count = (rows: Made[], key: (m: Made) => string) => rows.reduce<Record<string, number>>((c, m) => ({ ...c, [key(m)]: (c[key(m)] ?? 0) + 1 }), {});
    const days = closed.map((m) => Math.floor((Date.parse(at(m.closed!.at)) - Date.parse(at(m.filed))) / 86_400_000)).sort((a, b) => a - b);
    const open = made.filter((m) => filedIn(m) && !m.closed && !m.withdrawn && (org === 'GM0344') === !!m.forwardedAt);
    return {
      schoolYear: label, complete: true, from: `${Y0}-08-01`, through: `${Y1}-07-31`,
      received: received.length, byKind: count(received, (m) => m.kind), bySector: count(received, (m) => m.sector), byAge: count(received, (m) => String(m.age)),
      closed: closed.length, byClosingReason: count(closed, (m) => m.closed!.reason), byClosingExplanation: count(closed, (m) => m.closed!.explanation),
      withdrawn: org === 'GM0363' ? made.filter((m) => inYear(m.withdrawn)).length : 0,
      forwardedIn: org === 'GM0344' ? made.filter((m) => inYear(m.forwardedAt)).length : 0,
      forwardedOut: org === 'GM0363' ? made.filter((m) => inYear(m.forwardedAt)).length : 0,
      openAtEnd: open.length,
      medianHandlingDays: days.length ? (days.length % 2 ? days[days.length >> 1] : (days[days.length / 2 - 1] + days[days.length / 2]) / 2) : null,
      p90HandlingDays: days.length ? days[Math.ceil(0.9 * days.length) - 1] : null,
    };
  }

  it('adds up: received by kind, sector and age, closed by reason, forwards both ways, open at 31 July, handling time', async () => {
    const rapportage = await t.keyFor('GM0363', ['rapportage']);
    const body = (await rapportage.get(`/api/v1/annual-reports/${label}`).expect(200)).body;
    const want = expected('GM0363');
    // The scenario itself, so that a mistake in counting above cannot hide one below.
    expect(want).toMatchObject({ received: 6, bySector: { VO: 4, PO: 2 }, byAge: { 9: 1, 11: 1, 12: 1, 13: 1, 15: 1, 16: 1 }, closed: 3, withdrawn: 1, forwardedOut: 1, openAtEnd: 2, medianHandlingDays: 30, p90HandlingDays: 120 });
    expect(body).toMatchObject(want);
    expect(body.organisation).toMatchObject({ code: 'GM0363', type: 'GEMEENTE' });
    expect(body.byMunicipality).toEqual([{ code: 'GM0363', name: 'Amsterdam', count: 6 }]);
    // Utrecht reads its own figures only: the report forwarded to it, open at the year's end.
    const own = (await utrecht.get(`/api/v1/annual-reports/${label}`).expect(200)).body;
    expect(own).toMatchObject(expected('GM0344'));
    expect(own).toMatchObject({ received: 0, forwardedIn: 1, openAtEnd: 1, organisation: { code: 'GM0344' } });
    expect(withoutIds(JSON.stringify(body))).not.toMatch(/Dijk|\d{9}/);
  });

  it('does not change a finished year when its reports are erased', async () => {
    const rapportage = await t.keyFor('GM0363', ['rapportage']);
    const before = (await rapportage.get(`/api/v1/annual-reports/${label}`).expect(200)).body;
    const beforeUtrecht = (await utrecht.get(`/api/v1/annual-reports/${label}`).expect(200)).body;
    const [{ last }] = await t.db.query(`SELECT max(closed_at) AS last FROM report WHERE status IN ('AFGESLOTEN', 'INGETROKKEN')`);
    const later = new Date(addMonthsUtc(last, 60).getTime() + 60_000);
    clock.now = () => later;
    expect((await t.app.get(RetentionService).eraseDue(undefined, later)).reports).toBe(4);
    expect(await t.db.query('SELECT number FROM report WHERE number = ANY($1)', [[made[0].number, made[1].number, made[4].number, made[7].number]])).toEqual([]);
    expect((await rapportage.get(`/api/v1/annual-reports/${label}`).expect(200)).body).toEqual(before);
    expect((await utrecht.get(`/api/v1/annual-reports/${label}`).expect(200)).body).toEqual(beforeUtrecht);
    clock.now = realNow;
  });

  it('lets the rapportage role and the beheerder read it; refuses a school, a lezer, a melder and a key without the permission', async () => {
    const beheerder = await activePerson(t, 'GM0363', { username: 'jaar.beheerder', email: 'jaar.beheerder@example.org', roles: ['beheerder'] });
    const { agent } = await signIn(t, beheerder);
    expect((await agent.get(`/api/v1/annual-reports/${label}`).expect(200)).body.schoolYear).toBe(label);
    const page = await agent.get('/rapportages/jaaropgave').expect(200);
    expect(page.text).toContain('tot en met');
    expect(page.text).toContain('(lopend schooljaar)');
    expect((await agent.get(`/rapportages/jaaropgave/${label}`).expect(200)).text).toContain('Ontvangen, naar onderwijssector');
    const schoolPerson = await activePerson(t, vo.org.code, { username: 'jaar.school', email: 'jaar.school@example.org', roles: ['rapportage'] });
    const school = await signIn(t, schoolPerson);
    expect((await school.agent.get(`/api/v1/annual-reports/${label}`).expect(403)).body.code).toBe('FORBIDDEN');
    await school.agent.get('/rapportages/jaaropgave').expect(403);
    for (const [org, roles] of [['GM0363', ['lezer']], ['GM0363', ['behandelaar']], [vo.org.code, ['melder']]] as const) {
      const someone = await activePerson(t, org, { username: `jaar.${roles[0]}`, email: `jaar.${roles[0]}@example.org`, roles: [...roles] });
      const { agent: theirs } = await signIn(t, someone);
      expect((await theirs.get(`/api/v1/annual-reports/${label}`).expect(403)).body.code).toBe('FORBIDDEN');
      await theirs.get(`/rapportages/jaaropgave/${label}`).expect(403);
    }
    expect((await amsterdam.get(`/api/v1/annual-reports/${label}`).expect(403)).body.code).toBe('FORBIDDEN');
  });

  it("gives a regional office its municipalities apart, and an RMC region its own 18+ reports", async () => {
    await newRegionalOffice(t, 'RBL-JAAR', ['GM0362', 'GM0394']);
    const address = (code: string, place: string) => ({ street: 'Plein', houseNumber: 1, postcode: '1181 ZM', place, municipalityCode: code });
    for (const [i, code] of ['GM0362', 'GM0394', 'GM0394'].entries()) {
      await vo.post('/api/v1/reports', reportBody(vo, {}, { pgn: bsn(9700 + i * 7), registeredAddress: address(code, 'Ergens') })).expect(201);
    }
    const rmc = await vo.post('/api/v1/reports', reportBody(vo, { kind: 'RMC' }, { pgn: bsn(9800), birthDate: bornAged(19) })).expect(201);
    expect(rmc.body.receiver.code).toBe('RMC21');
    const running = currentSchoolYear().label;
    const office = (await (await t.keyFor('RBL-JAAR', ['rapportage'])).get(`/api/v1/annual-reports/${running}`).expect(200)).body;
    expect(office).toMatchObject({ complete: false, received: 3, openAtEnd: 3, byKind: { '16U': 3 }, bySector: { VO: 3 } });
    expect(office.byMunicipality).toEqual([{ code: 'GM0362', name: 'Amstelveen', count: 1 }, { code: 'GM0394', name: 'Haarlemmermeer', count: 2 }]);
    const region = (await (await t.keyFor('RMC21', ['rapportage'])).get(`/api/v1/annual-reports/${running}`).expect(200)).body;
    expect(region).toMatchObject({ received: 1, byKind: { RMC: 1 }, byAge: { 19: 1 }, byMunicipality: [{ code: 'GM0363', count: 1 }] });
  });

  it('answers 404 with a code to a school year that is not one, never 500', async () => {
    const rapportage = await t.keyFor('GM0363', ['rapportage']);
    const future = `${currentSchoolYear().startYear + 1}-${currentSchoolYear().startYear + 2}`;
    for (const bad of [`${year}-${year + 2}`, 'abc', '__proto__', 'constructor', '9'.repeat(2000), `${'9'.repeat(400)}-1`, future, '1999-2000', '0000-0001', `${label} `, '%00', "2025-2026'; DROP TABLE report;--"]) {
      const res = await rapportage.get(`/api/v1/annual-reports/${encodeURIComponent(bad)}`);
      expect([bad.slice(0, 20), res.status, res.body.code]).toEqual([bad.slice(0, 20), 404, 'NOT_FOUND']);
      const file = await rapportage.get(`/api/v1/annual-reports/${encodeURIComponent(bad)}/xlsx`);
      expect([bad.slice(0, 20), file.status]).toEqual([bad.slice(0, 20), 404]);
    }
  });

  it('downloads the year as .xlsx; every download is in the audit log', async () => {
    const rapportage = await t.keyFor('GM0363', ['rapportage']);
    const before = Number((await t.db.query(`SELECT count(*) AS n FROM audit_event WHERE action = 'ANNUAL_REPORT_DOWNLOADED'`))[0].n);
    const xlsx = await rapportage.get(`/api/v1/annual-reports/${label}/xlsx`).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => cb(null, Buffer.concat(chunks)));
    }).expect(200);
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
    expect(xlsx.headers['content-disposition']).toContain(`jaaropgave-GM0363-${label}.xlsx`);
    expect((xlsx.body as Buffer).subarray(0, 2).toString()).toBe('PK');
    await rapportage.get(`/api/v1/annual-reports/${label}`).expect(200);
    const audited = await t.db.query(
      `SELECT details->>'format' AS format, details->>'schoolYear' AS year FROM audit_event WHERE action = 'ANNUAL_REPORT_DOWNLOADED' ORDER BY id OFFSET $1`, [before],
    );
    expect(audited).toEqual([{ format: 'xlsx', year: label }, { format: 'json', year: label }]);
  });
});
