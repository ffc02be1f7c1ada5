import { DataSource } from 'typeorm';
import { permissionsOf } from '../src/identity/permissions';
import { Actor } from '../src/kernel/actor';
import { OrganisationType } from '../src/kernel/organisation-type';
import { Organisation } from '../src/organisations/organisation.entity';
import { OrganisationsService } from '../src/organisations/organisations.service';
import { ReportEventsService } from '../src/reports/report-events.service';
import { ReportQueries } from '../src/reports/report-queries';
import { ReportSearchInput } from '../src/reports/report.dto';
import { bsn, Caller, reportBody, TestApp, TestSchool } from './support/test-app';
import { feedCaughtUp } from './support/until';

/**
 * Issue 14: the start page's figures and the changes feed read one side's index (ADR 0014). Whatever happened to the
 * reports, and however many requests did it at once, they must be what a direct count over every report says: the
 * rule written out in full (filed by the organisation, or received by it now).
 */
describe('start page figures and the changes feed, read from one side\'s index', () => {
  let t: TestApp;
  let school: TestSchool;
  let otherSchool: TestSchool;
  let amsterdam: Caller;
  let db: DataSource;

  const actorOf = (org: Organisation): Actor => ({
    type: 'API_KEY', id: '00000000-0000-4000-8000-000000000001', name: 'test', organisationId: org.id, organisationType: org.type as OrganisationType,
    organisationCode: org.code, roles: ['lezer'], permissions: permissionsOf(['lezer'], true),
  });

  /** What a direct count over all reports says, by the full rule (either side), for the start page's figures. */
  async function counted(org: Organisation) {
    const visible = '(r.school_id = $1 OR r.receiver_id = $1)';
    const open: { status: string; count: number }[] = await db.query(
      `SELECT status, count(*)::int AS count FROM report r WHERE ${visible} AND status IN ('GEREGISTREERD', 'IN_BEHANDELING') GROUP BY status`, [org.id],
    );
    const monthly: { month: string; kind: string; count: number }[] = await db.query(
      `SELECT to_char(created_at AT TIME ZONE 'Europe/Amsterdam', 'YYYY-MM') AS month, kind, count(*)::int AS count FROM report r WHERE ${visible} GROUP BY 1, 2`, [org.id],
    );
    return { open: Object.fromEntries(open.map((o) => [o.status, o.count])), monthly: monthly.sort((a, b) => a.kind.localeCompare(b.kind)) };
  }

  beforeAll(async () => {
    t = await TestApp.start();
    db = t.app.get(DataSource);
    school = await t.newSchool('Telschool');
    otherSchool = await t.newSchool('Andere telschool');
    amsterdam = await t.keyFor('GM0363');
    // 24 filings at once from two schools, then at once: into handling, closed, withdrawn, forwarded, and more filings.
    const filed = await Promise.all(Array.from({ length: 24 }, (_, i) => {
      const s = i % 3 === 0 ? otherSchool : school;
      return s.post('/api/v1/reports', reportBody(s, { kind: i % 4 === 0 ? 'LUXE' : '16U' }, { pgn: bsn(4100 + i * 7) })).expect(201).then((r) => ({ s, n: r.body.number as number }));
    }));
    await Promise.all(filed.map(async ({ s, n }, i) => {
      if (i % 6 === 1) await amsterdam.post(`/api/v1/reports/${n}/status`, { status: 'IN_BEHANDELING' }).expect(200);
      if (i % 6 === 2) {
        await amsterdam.post(`/api/v1/reports/${n}/status`, { status: 'IN_BEHANDELING' }).expect(200);
        await amsterdam.post(`/api/v1/reports/${n}/status`, { status: 'AFGESLOTEN', closingReason: 'TERUG_NAAR_SCHOOL', closingExplanation: 'GEZIEN' }).expect(200);
      }
      if (i % 6 === 3) await s.post(`/api/v1/reports/${n}/withdraw`, {}).expect(200);
      if (i % 6 === 4) await amsterdam.post(`/api/v1/reports/${n}/forward`, { to: 'GM0344' }).expect(200);
      if (i % 6 === 5) await s.post('/api/v1/reports', reportBody(s, { kind: 'OVERIG' }, { pgn: bsn(5100 + i * 7) })).expect(201);
    }));
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('counts open reports by status and reports per month by kind as a direct count does, for each receiver and each school', async () => {
    const orgs = t.app.get(OrganisationsService);
    const gm0344 = (await orgs.findByCode('GM0344'))!;
    const gm0363 = (await orgs.findByCode('GM0363'))!;
    for (const org of [gm0363, gm0344, school.org, otherSchool.org]) {
      const figures = await t.app.get(ReportQueries).startFigures(actorOf(org));
      const expected = await counted(org);
      expect({ org: org.code, open: figures.open }).toEqual({ org: org.code, open: expected.open });
      expect({ org: org.code, monthly: [...figures.monthly].sort((a, b) => a.kind.localeCompare(b.kind)) }).toEqual({ org: org.code, monthly: expected.monthly });
    }
    // Not vacuous: both receivers have open reports, and Amsterdam's differ by status.
    const mine = await t.app.get(ReportQueries).startFigures(actorOf(gm0363));
    expect(mine.open.GEREGISTREERD).toBeGreaterThan(0);
    expect(mine.open.IN_BEHANDELING).toBeGreaterThan(0);
    expect((await t.app.get(ReportQueries).startFigures(actorOf(gm0344))).open.GEREGISTREERD).toBe(4);
  });

  it('counts a report filed at 00:30 on the first of a month in that month, and begins the overview\'s days at midnight in the Netherlands', async () => {
    const night = await t.newSchool('Nachtschool');
    const file = async (pgn: number) => (await night.post('/api/v1/reports', reportBody(night, { kind: 'OVERIG' }, { pgn: bsn(pgn) })).expect(201)).body.number as number;
    const early = await file(6101);
    const late = await file(6107);
    // The first moment of the oldest month the start page shows, in Dutch time (the server's session runs in UTC).
    const [m]: { start: Date; month: string; day: string; before: string }[] = await db.query(
      `SELECT w AT TIME ZONE 'Europe/Amsterdam' AS start, to_char(w, 'YYYY-MM') AS month, to_char(w, 'YYYY-MM-DD') AS day, to_char(w - interval '1 day', 'YYYY-MM-DD') AS before
         FROM (SELECT date_trunc('month', now() AT TIME ZONE 'Europe/Amsterdam') - interval '11 months' AS w) x`,
    );
    await db.query(`UPDATE report SET created_at = $2::timestamptz + interval '30 minutes' WHERE number = $1`, [early, m.start]);
    await db.query(`UPDATE report SET created_at = $2::timestamptz - interval '30 minutes' WHERE number = $1`, [late, m.start]);
    const actor = actorOf(night.org);
    const queries = t.app.get(ReportQueries);
    expect((await queries.startFigures(actor)).monthly).toEqual([{ month: m.month, kind: 'OVERIG', count: 1 }]);
    const listed = async (q: ReportSearchInput) => (await queries.list(actor, q)).reports.map((r) => r.number);
    expect(await listed({ from: m.day, to: m.day } as ReportSearchInput)).toEqual([early]);
    expect(await listed({ to: m.before } as ReportSearchInput)).toEqual([late]);
    expect(await listed({ from: m.before } as ReportSearchInput)).toEqual([early, late].sort((a, b) => b - a));
    // The oldest and newest dates a filter accepts: nothing found, and no error.
    expect(await listed({ from: '1900-01-01', to: '1900-01-01' } as ReportSearchInput)).toEqual([]);
    expect(await listed({ to: '2100-12-31' } as ReportSearchInput)).toEqual([early, late].sort((a, b) => b - a));
    // The twelve months are Dutch months, oldest first; a report dated after this month (a clock ahead) is in none.
    const figures = await queries.startFigures(actor);
    expect([figures.months.length, figures.months[0]]).toEqual([12, m.month]);
    await db.query(
      `UPDATE report SET created_at = (date_trunc('month', now() AT TIME ZONE 'Europe/Amsterdam') + interval '1 month 1 hour') AT TIME ZONE 'Europe/Amsterdam' WHERE number = $1`,
      [late],
    );
    expect((await queries.startFigures(actor)).monthly).toEqual([{ month: m.month, kind: 'OVERIG', count: 1 }]);
  });

  it('gives each side the events of the reports it sees now, and after a forward the new receiver the whole history', async () => {
    const orgs = t.app.get(OrganisationsService);
    for (const org of [(await orgs.findByCode('GM0363'))!, (await orgs.findByCode('GM0344'))!, school.org, otherSchool.org]) {
      const expected: { id: string }[] = await db.query(
        `SELECT e.id FROM report_event e JOIN report r ON r.id = e.report_id WHERE (r.school_id = $1 OR r.receiver_id = $1) ORDER BY e.txid, e.id`, [org.id],
      );
      await feedCaughtUp(db);
      const events = (await t.app.get(ReportEventsService).changes(actorOf(org), undefined, 1000)).changes.map((c) => c.cursor.split('-')[1]);
      expect({ org: org.code, events }).toEqual({ org: org.code, events: expected.map((e) => String(e.id)) });
      expect(events.length).toBeGreaterThan(0);
    }
  });
});
