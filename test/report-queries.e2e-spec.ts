import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';
import { Actor } from '../src/kernel/actor';
import { ReportKind, ReportStatus, STATUS_ORDER } from '../src/kernel/report-codes';
import { ReportEventsService } from '../src/reports/report-events.service';
import { ReportQueries } from '../src/reports/report-queries';
import { ReportSearchInput, ReportSort } from '../src/reports/report.dto';
import { bornAged, bsn, Caller, daysAgo, reportBody, TestApp, TestSchool } from './support/test-app';
import { feedCaughtUp } from './support/until';

/**
 * The overview's query on the cloned database, in tables (as immich's test/medium does for its repositories): for
 * every kind of caller, every sort and direction, every filter and several page sizes, paging one by one and in pages
 * yields each report the caller may see exactly once, in order, and nothing else.
 */
describe('ReportQueries.list, in tables', () => {
  let t: TestApp;
  let queries: ReportQueries;
  let school: TestSchool;
  let other: TestSchool;
  let officer: Caller;
  let secondLocationId: string;
  const actors: Record<string, Actor> = {};

  const actor = (caller: { org: { id: string; code: string; type: Actor['organisationType'] } }, roles: string[], locationIds?: string[]): Actor => ({
    type: 'USER', id: '00000000-0000-4000-8000-000000000001', name: 'Test', organisationId: caller.org.id, organisationType: caller.org.type,
    organisationCode: caller.org.code, roles, permissions: new Set(), ...(locationIds ? { locationIds } : {}),
  });

  beforeAll(async () => {
    t = await TestApp.start();
    queries = t.app.get(ReportQueries);
    school = await t.newSchool();
    other = await t.newSchool('Andere');
    officer = await t.keyFor('GM0363', ['behandelaar']);
    const loc = await school.post('/api/v1/locations', { code: '02', name: 'Dependance', municipalityCode: 'GM0363' }).expect(201);
    secondLocationId = loc.body.id;
    const kinds = [ReportKind.U16, ReportKind.LUXE, ReportKind.OVERIG];
    let seed = 7000;
    // 24 reports of the school (two locations, three kinds, two receivers), 6 of another school.
    for (let i = 0; i < 30; i++) {
      const own = i < 24;
      const by = own ? school : other;
      const kind = kinds[i % 3];
      const municipality = i % 4 === 0 ? 'GM0344' : 'GM0363';
      const body = reportBody(by, {
        kind, locationCode: `${by.org.code}${own && i % 2 ? '02' : '01'}`,
        ...(kind === ReportKind.LUXE ? { endDate: null } : {}),
      }, {
        pgn: bsn((seed += 3)), birthDate: bornAged(12),
        registeredAddress: { street: 'Straat', houseNumber: 1, postcode: '1012 AB', place: 'Plaats', municipalityCode: municipality },
      });
      const filed = await by.post('/api/v1/reports', body).expect(201);
      const n = filed.body.number as number;
      // Spread over statuses: those of GM0363 are handled by its officer, some withdrawn by the school.
      if (municipality === 'GM0363' && i % 5 === 1) await officer.post(`/api/v1/reports/${n}/status`, { status: ReportStatus.IN_BEHANDELING }).expect(200);
      if (municipality === 'GM0363' && i % 5 === 2) await officer.post(`/api/v1/reports/${n}/status`, { status: ReportStatus.TER_KENNISNEMING_AANGENOMEN }).expect(200);
      if (municipality === 'GM0363' && i % 5 === 3) {
        await officer.post(`/api/v1/reports/${n}/status`, { status: ReportStatus.AFGESLOTEN, closingReason: 'TERUG_NAAR_SCHOOL', closingExplanation: 'GEZIEN' }).expect(200);
      }
      if (i % 5 === 4) await by.post(`/api/v1/reports/${n}/withdraw`, {}).expect(200);
      // Filed on different days, one of them longer ago than the overview reaches.
      await t.db.query(`UPDATE report SET created_at = now() - $2 * interval '1 day' WHERE number = $1`, [n, i === 29 ? 800 : i * 9]);
    }
    const orgType = (c: Caller) => ({ org: { id: c.org.id, code: c.org.code, type: c.org.type } });
    actors['school'] = actor(orgType(school), ['melder']);
    actors['school, one location'] = actor(orgType(school), ['lezer'], [secondLocationId]);
    actors['other school'] = actor(orgType(other), ['melder']);
    actors['municipality'] = actor(orgType(officer), ['behandelaar']);
  });
  afterAll(() => t.stop());

  /** What the caller may see under these filters, written plainly (no keyset, no joins): the expectation. */
  async function expected(a: Actor, f: ReportSearchInput): Promise<number[]> {
    const rows: { number: number }[] = await t.db.query(
      `SELECT r.number FROM report r JOIN organisation s ON s.id = r.school_id JOIN location l ON l.id = r.location_id
        WHERE ((r.school_id = $1 AND ($2::uuid[] IS NULL OR r.location_id = ANY($2))) OR r.receiver_id = $1)
          AND (r.created_at AT TIME ZONE 'Europe/Amsterdam')::date >= (now() AT TIME ZONE 'Europe/Amsterdam')::date - 731
          AND ($3::text IS NULL OR r.status = $3) AND ($4::text IS NULL OR r.kind = $4) AND ($5::text IS NULL OR s.code || l.code = $5)
          AND ($6::date IS NULL OR (r.created_at AT TIME ZONE 'Europe/Amsterdam')::date >= $6::date)
          AND ($7::date IS NULL OR (r.created_at AT TIME ZONE 'Europe/Amsterdam')::date <= $7::date)`,
      [a.organisationId, a.locationIds ?? null, f.status ?? null, f.kind ?? null, f.location ?? null, f.from ?? null, f.to ?? null],
    );
    return rows.map((r) => r.number).sort((x, y) => x - y);
  }

  const sorts: ReportSort[] = ['-number', 'number', 'status', '-status'];
  const filters = (code: string): [string, ReportSearchInput][] => [
    ['no filter', {}],
    ['status in behandeling', { status: ReportStatus.IN_BEHANDELING }],
    ['status ter kennisneming', { status: ReportStatus.TER_KENNISNEMING_AANGENOMEN }],
    ['kind luxe', { kind: ReportKind.LUXE }],
    ['location 02', { location: `${code}02` }],
    ['filed in the last 60 days', { from: daysAgo(60) }],
    // A range that ends before today: the newest reports are not in it (the list walks past them in its index).
    ['filed 100 to 20 days ago', { from: daysAgo(100), to: daysAgo(20) }],
    ['in behandeling, filed up to 30 days ago', { status: ReportStatus.IN_BEHANDELING, to: daysAgo(30) }],
  ];

  it('yields each visible report exactly once, in order, for every caller, sort, filter and page size', async () => {
    const wrong: string[] = [];
    let pages = 0;
    for (const [who, a] of Object.entries(actors)) {
      for (const [label, filter] of filters(school.org.code)) {
        const want = await expected(a, filter);
        for (const sort of sorts) {
          for (const limit of [1, 4, 50]) {
            const seen: number[] = [];
            const statuses = new Map<number, ReportStatus>();
            let after: number | undefined;
            do {
              const page = await queries.list(a, { ...filter, sort, limit, ...(after ? { after } : {}) });
              pages++;
              for (const r of page.reports) {
                seen.push(r.number);
                statuses.set(r.number, r.status);
              }
              after = page.nextCursor ?? undefined;
            } while (after !== undefined);
            const key = `${who} | ${label} | ${sort} | ${limit}`;
            if (new Set(seen).size !== seen.length) wrong.push(`${key}: a report twice`);
            if (JSON.stringify([...seen].sort((x, y) => x - y)) !== JSON.stringify(want)) wrong.push(`${key}: got ${seen.length}, want ${want.length}`);
            const dir = sort.startsWith('-') ? -1 : 1;
            const rank = (n: number) => (sort.endsWith('status') ? STATUS_ORDER.indexOf(statuses.get(n)!) : 0);
            for (let i = 1; i < seen.length; i++) {
              const [x, y] = [seen[i - 1], seen[i]];
              const ordered = dir * (rank(x) - rank(y) || x - y) < 0;
              if (!ordered) wrong.push(`${key}: ${x} before ${y}`);
            }
          }
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(pages).toBeGreaterThan(500);
  }, 300_000); // thousands of pages: minutes on a loaded machine, so more than the default minute

  it('sees the school\u2019s reports, another school none of them, a limited person only their location\u2019s', async () => {
    expect((await expected(actors['school'], {})).length).toBe(24);
    expect(await expected(actors['other school'], {})).toHaveLength(5);
    const limited = await expected(actors['school, one location'], {});
    expect(limited.length).toBe(12);
    const page = await queries.list(actors['school, one location'], { limit: 200 });
    expect(page.reports.every((r) => r.location.vestigingscode === `${school.org.code}02`)).toBe(true);
  });

  it("gives an API key the person's list without read marks, and asks the database nothing about them for it", async () => {
    const key: Actor = { ...actors['municipality'], type: 'API_KEY', id: '00000000-0000-4000-8000-000000000002' };
    const sent: string[] = [];
    const original = PostgresQueryRunner.prototype.query;
    const spy = jest.spyOn(PostgresQueryRunner.prototype, 'query').mockImplementation(function (this: PostgresQueryRunner, sql: string, ...rest: unknown[]) {
      sent.push(sql);
      return (original as (...a: unknown[]) => Promise<never>).call(this, sql, ...rest);
    });
    try {
      const person = await queries.list(actors['municipality'], { limit: 50 });
      const personQueries = sent.splice(0);
      const machine = await queries.list(key, { limit: 50 });
      expect(person.reports.length).toBeGreaterThan(0);
      expect(person.reports.some((r) => r.unseen)).toBe(true); // filed by the school, never opened: new for the person
      expect(machine.reports).toEqual(person.reports.map((r) => Object.fromEntries(Object.entries(r).filter(([field]) => field !== 'unseen'))));
      expect(machine.reports.every((r) => !('unseen' in r))).toBe(true);
      expect(personQueries.filter((q) => q.includes('report_read_mark'))).toHaveLength(1);
      expect(sent.filter((q) => q.includes('report_read_mark'))).toEqual([]);
      expect(sent).toHaveLength(personQueries.length - 1);
    } finally {
      spy.mockRestore();
    }
  });
  it('gives each caller of the changes feed every event of the reports it may see exactly once, in order, at every page size', async () => {
    const events = t.app.get(ReportEventsService);
    await feedCaughtUp(t.db);
    for (const [who, a] of Object.entries(actors)) {
      const expectedEvents: { id: string }[] = await t.db.query(
        `SELECT e.id FROM report_event e JOIN report r ON r.id = e.report_id
          WHERE (r.school_id = $1 AND ($2::uuid[] IS NULL OR r.location_id = ANY($2))) OR r.receiver_id = $1
          ORDER BY e.txid, e.id`,
        [a.organisationId, a.locationIds ?? null],
      );
      for (const limit of [1, 2, 7, 500]) {
        const seen: string[] = [];
        let after: string | undefined;
        for (let i = 0; i < 1000; i++) {
          const page = await events.changes(a, after, limit);
          expect(page.changes.length).toBeLessThanOrEqual(limit);
          if (page.changes.length === 0) break;
          seen.push(...page.changes.map((c) => c.cursor.split('-')[1]));
          after = page.nextCursor;
        }
        expect({ who, limit, events: seen }).toEqual({ who, limit, events: expectedEvents.map((e) => e.id) });
      }
    }
    expect((await events.changes(actors['school, one location'], undefined, 500)).changes.length).toBeLessThan(
      (await events.changes(actors['school'], undefined, 500)).changes.length,
    );
  });

  it('pages on through one status sorted by status after the report at the cursor moved to another status', async () => {
    const fresh = await t.newSchool('Cursorschool');
    const numbers: number[] = [];
    for (const pgn of [9101, 9107, 9113]) numbers.push((await fresh.post('/api/v1/reports', reportBody(fresh, {}, { pgn: bsn(pgn), birthDate: bornAged(12) })).expect(201)).body.number);
    const a = actor({ org: { id: fresh.org.id, code: fresh.org.code, type: fresh.org.type } }, ['melder']);
    for (const sort of ['status', '-status'] as ReportSort[]) {
      const first = await queries.list(a, { status: ReportStatus.GEREGISTREERD, sort, limit: 1 });
      const cursor = first.nextCursor!;
      await officer.post(`/api/v1/reports/${cursor}/status`, { status: ReportStatus.IN_BEHANDELING }).expect(200);
      const rest = await queries.list(a, { status: ReportStatus.GEREGISTREERD, sort, limit: 50, after: cursor });
      const want = numbers.filter((n) => n !== cursor && (sort === 'status' ? n > cursor : n < cursor));
      expect({ sort, rest: rest.reports.map((r) => r.number) }).toEqual({ sort, rest: sort === 'status' ? want : want.reverse() });
      expect(rest.reports.length).toBeGreaterThan(0);
      numbers.splice(numbers.indexOf(cursor), 1);
    }
  });
});
