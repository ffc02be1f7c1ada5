import { Client } from 'pg';
import { AppConfig } from '../src/config/app-config';
import { bsn, Caller, reportBody, TestApp, TestSchool } from './support/test-app';

/**
 * GET /api/v1/changes as a school administration system or a municipality's case system uses it: poll, keep
 * nextCursor, poll again. Every event the organisation may see arrives once, in order, and none is skipped, also
 * when transactions commit out of order.
 */

interface Change {
  cursor: string;
  reportNumber: number;
  type: string;
  at: string;
  organisation: { code: string; name: string; type: string };
  status: string;
}
interface Page {
  changes: Change[];
  nextCursor: string;
}

const brief = (changes: Change[]) => changes.map((c) => `${c.reportNumber} ${c.type}`);
const cursorKey = (cursor: string) => cursor.split('-').map(BigInt) as [bigint, bigint];
const before = (a: string, b: string) => {
  const [at, ai] = cursorKey(a);
  const [bt, bi] = cursorKey(b);
  return at < bt || (at === bt && ai < bi);
};

describe('the changes feed', () => {
  let t: TestApp;
  let school: TestSchool;
  let otherSchool: TestSchool;
  let amsterdam: Caller;
  let utrecht: Caller;
  let pupil = 40_000;

  async function poll(caller: Caller, after?: string, limit?: number): Promise<Page> {
    const query = new URLSearchParams();
    if (after !== undefined) query.set('after', after);
    if (limit !== undefined) query.set('limit', String(limit));
    const res = await caller.get(`/api/v1/changes?${query}`).expect(200);
    return res.body;
  }

  /** Every page from `after` until an empty one: what a poller has after catching up. */
  async function drain(caller: Caller, after?: string, limit?: number): Promise<Page> {
    const changes: Change[] = [];
    let cursor = after;
    for (let i = 0; i < 1000; i++) {
      const page = await poll(caller, cursor, limit);
      if (limit !== undefined) expect(page.changes.length).toBeLessThanOrEqual(limit);
      changes.push(...page.changes);
      if (page.changes.length === 0) return { changes, nextCursor: page.nextCursor };
      expect(page.nextCursor).toBe(page.changes.at(-1)!.cursor);
      cursor = page.nextCursor;
    }
    throw new Error('de feed houdt niet op');
  }

  /**
   * Polls until at least `count` changes arrived (or `count` says the changes are complete). The feed holds back events while any older transaction runs, and
   * that includes transactions of other test files on the same server: a short wait is normal, a gap is not.
   */
  async function drainUntil(caller: Caller, after: string | undefined, count: number | ((changes: Change[]) => boolean), timeoutMs = 20_000): Promise<Page> {
    const done = typeof count === 'number' ? (changes: Change[]) => changes.length >= count : count;
    const changes: Change[] = [];
    let cursor = after;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const page = await drain(caller, cursor);
      changes.push(...page.changes);
      cursor = page.nextCursor;
      if (done(changes) || Date.now() > deadline) return { changes, nextCursor: page.nextCursor };
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function file(by: TestSchool, overrides: Record<string, unknown> = {}, pupilFields: Record<string, unknown> = {}): Promise<number> {
    const res = await by.post('/api/v1/reports', reportBody(by, overrides, { pgn: bsn(pupil++), ...pupilFields })).expect(201);
    return res.body.number;
  }

  const UTRECHT_ADDRESS = { street: 'Oudegracht', houseNumber: 1, postcode: '3511 AA', place: 'Utrecht', municipalityCode: 'GM0344' };

  beforeAll(async () => {
    t = await TestApp.start();
    school = await t.newSchool('Feedschool');
    otherSchool = await t.newSchool('Andere feedschool');
    amsterdam = await t.keyFor('GM0363');
    utrecht = await t.keyFor('GM0344');
  });
  afterAll(() => t.stop());

  let r1: number;
  let r2: number;
  let r3: number;
  let schoolCursor: string;

  it('gives a poller without cursor every event its organisation may see, in order', async () => {
    r1 = await file(school);
    r2 = await file(school, {}, { residenceAddress: UTRECHT_ADDRESS });
    await amsterdam.post(`/api/v1/reports/${r1}/status`, { status: 'IN_BEHANDELING' }).expect(200);
    await amsterdam.post(`/api/v1/reports/${r1}/messages`, { body: 'Ouders uitgenodigd.' }).expect(201);
    const { headers } = await school.get(`/api/v1/reports/${r1}`).expect(200);
    await school.patch(`/api/v1/reports/${r1}`, { reason: 'Spijbelt met vrienden' }).set('If-Match', headers.etag).expect(200);
    await utrecht.post(`/api/v1/reports/${r2}/messages`, { body: 'Wij nemen contact op.' }).expect(201);
    r3 = await file(otherSchool);

    const forSchool = await drainUntil(school, undefined, 6);
    expect(brief(forSchool.changes)).toEqual([
      `${r1} INGEDIEND`, `${r2} INGEDIEND`, `${r1} STATUS_GEWIJZIGD`, `${r1} BERICHT`, `${r1} GEWIJZIGD`, `${r2} BERICHT`,
    ]);
    expect(forSchool.changes.map((c) => c.organisation.code)).toEqual([
      school.org.code, school.org.code, 'GM0363', 'GM0363', school.org.code, 'GM0344',
    ]);
    expect(forSchool.changes[0]).toMatchObject({ status: 'IN_BEHANDELING', at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) });
    for (let i = 1; i < forSchool.changes.length; i++) expect(before(forSchool.changes[i - 1].cursor, forSchool.changes[i].cursor)).toBe(true);
    expect(forSchool.nextCursor).toBe(forSchool.changes.at(-1)!.cursor);
    schoolCursor = forSchool.nextCursor;

    const forAmsterdam = await drainUntil(amsterdam, undefined, 5);
    expect(brief(forAmsterdam.changes)).toEqual([`${r1} INGEDIEND`, `${r1} STATUS_GEWIJZIGD`, `${r1} BERICHT`, `${r1} GEWIJZIGD`, `${r3} INGEDIEND`]);
    const forUtrecht = await drainUntil(utrecht, undefined, 2);
    expect(brief(forUtrecht.changes)).toEqual([`${r2} INGEDIEND`, `${r2} BERICHT`]);
    const forOtherSchool = await drainUntil(otherSchool, undefined, 1);
    expect(brief(forOtherSchool.changes)).toEqual([`${r3} INGEDIEND`]);
  });

  it('resumed from nextCursor, gives only newer events and never one twice', async () => {
    const idle = await poll(school, schoolCursor);
    expect(idle).toEqual({ changes: [], nextCursor: schoolCursor });

    await amsterdam.post(`/api/v1/reports/${r1}/status`, { status: 'AFGESLOTEN', closingReason: 'TERUG_NAAR_SCHOOL', closingExplanation: 'GEZIEN' }).expect(200);
    const r4 = await file(school, { kind: 'LUXE', endDate: null });
    const next = await drainUntil(school, schoolCursor, 2);
    expect(brief(next.changes)).toEqual([`${r1} STATUS_GEWIJZIGD`, `${r4} INGEDIEND`]);
    expect(next.changes[0].status).toBe('AFGESLOTEN');
    expect(before(schoolCursor, next.changes[0].cursor)).toBe(true);
    expect(await poll(school, next.nextCursor)).toEqual({ changes: [], nextCursor: next.nextCursor });

    const all = await drain(school);
    expect(new Set(all.changes.map((c) => c.cursor)).size).toBe(all.changes.length);
    expect(all.changes.length).toBe(8);
    schoolCursor = next.nextCursor;
  });

  it('pages with limit=1 give the same sequence as one big page', async () => {
    const big = await poll(school, undefined, 500);
    expect(big.changes.length).toBeGreaterThanOrEqual(8);
    const paged = await drain(school, undefined, 1);
    expect(paged.changes).toEqual(big.changes);
    expect(paged.nextCursor).toBe(big.nextCursor);
    const [first, ...rest] = big.changes;
    const fromFirst = await drain(school, first.cursor, 3);
    expect(fromFirst.changes).toEqual(rest);
  });

  it('holds back an event of a transaction still open, and everything after it, until it commits', async () => {
    const url = t.app.get(AppConfig).DATABASE_URL;
    if (url === undefined) {
      // The embedded database serves one connection: no second session can hold a transaction open.
      return;
    }
    const start = (await drain(school, schoolCursor)).nextCursor;
    await school.post(`/api/v1/reports/${r1}/messages`, { body: 'Bericht voor de open transactie.' }).expect(201);

    const [{ id: reportId }] = await t.db.query('SELECT id FROM report WHERE number = $1', [r1]);
    const client = new Client({ connectionString: url });
    await client.connect();
    let open = false;
    try {
      await client.query('BEGIN');
      open = true;
      // As ReportEventsService.record writes it: tagged with the writing transaction's id.
      await client.query(
        `INSERT INTO report_event (txid, report_id, receiver_id, school_id, type, actor_organisation_id, actor_type, actor_id, actor_name, changes, details)
         SELECT pg_current_xact_id()::text::bigint, r.id, r.receiver_id, r.school_id, 'BERICHT', $2, 'API_KEY', NULL, 'trage transactie', '[]'::jsonb, '{}'::jsonb
           FROM report r WHERE r.id = $1`,
        [reportId, school.org.id],
      );
      const later = await file(school);
      // The later report is committed and in the table; only the feed holds it back.
      expect(await t.db.query('SELECT e.type FROM report_event e JOIN report r ON r.id = e.report_id WHERE r.number = $1', [later])).toEqual([{ type: 'INGEDIEND' }]);

      // The message committed before the open transaction began comes through; the open event and the later
      // report (committed, but after the open transaction's id) do not.
      const during = await drainUntil(school, start, 1);
      expect(brief(during.changes)).toEqual([`${r1} BERICHT`]);
      await new Promise((r) => setTimeout(r, 300));
      expect(await poll(school, during.nextCursor)).toEqual({ changes: [], nextCursor: during.nextCursor });
      const amsterdamNow = await drain(amsterdam);
      expect(brief(amsterdamNow.changes)).not.toContain(`${later} INGEDIEND`);

      await client.query('COMMIT');
      open = false;

      const after = await drainUntil(school, during.nextCursor, 2);
      expect(brief(after.changes)).toEqual([`${r1} BERICHT`, `${later} INGEDIEND`]);
      expect(await poll(school, after.nextCursor)).toEqual({ changes: [], nextCursor: after.nextCursor });
      // Amsterdam receives r1 and the later report: it too gets both, in the same order.
      expect(brief((await drainUntil(amsterdam, amsterdamNow.nextCursor, 2)).changes)).toEqual([`${r1} BERICHT`, `${later} INGEDIEND`]);

      // From the start, the whole history once each, in commit-safe order.
      const all = await drain(school);
      expect(new Set(all.changes.map((c) => c.cursor)).size).toBe(all.changes.length);
      expect(brief(all.changes).slice(-3)).toEqual([`${r1} BERICHT`, `${r1} BERICHT`, `${later} INGEDIEND`]);
      schoolCursor = all.nextCursor;
    } finally {
      if (open) await client.query('ROLLBACK').catch(() => undefined);
      await client.end();
    }
  });

  it('after a forward, the previous receiver no longer gets events of the report; the new receiver does', async () => {
    const r6 = await file(school);
    const seenByAmsterdam = await drainUntil(amsterdam, undefined, (changes) => brief(changes).includes(`${r6} INGEDIEND`));
    expect(brief(seenByAmsterdam.changes)).toContain(`${r6} INGEDIEND`);
    const a0 = seenByAmsterdam.nextCursor;
    const u0 = (await drain(utrecht)).nextCursor;

    await amsterdam.post(`/api/v1/reports/${r6}/forward`, { to: 'GM0344', explanation: 'Verhuisd naar Utrecht' }).expect(200);
    await school.post(`/api/v1/reports/${r6}/messages`, { body: 'Nieuw adres doorgegeven.' }).expect(201);
    await utrecht.post(`/api/v1/reports/${r6}/status`, { status: 'IN_BEHANDELING' }).expect(200);

    // Utrecht's cursor stood before r6 was filed, so from there it now gets r6's whole history.
    const forUtrecht = await drainUntil(utrecht, u0, 4);
    expect(brief(forUtrecht.changes)).toEqual([`${r6} INGEDIEND`, `${r6} DOORGESTUURD`, `${r6} BERICHT`, `${r6} STATUS_GEWIJZIGD`]);
    const forSchool = await drainUntil(school, schoolCursor, 4);
    expect(brief(forSchool.changes)).toEqual([`${r6} INGEDIEND`, `${r6} DOORGESTUURD`, `${r6} BERICHT`, `${r6} STATUS_GEWIJZIGD`]);

    const forAmsterdam = await drain(amsterdam, a0);
    expect(brief(forAmsterdam.changes.filter((c) => c.reportNumber === r6 && c.type !== 'DOORGESTUURD'))).toEqual([]);
  });

  it('gives an organisation that filed and received nothing an empty feed', async () => {
    for (const code of ['GM0014', 'RMC21']) {
      const outsider = await t.keyFor(code);
      expect(await poll(outsider)).toEqual({ changes: [], nextCursor: '0-0' });
    }
    const third = await t.newSchool('Derde feedschool');
    expect(await poll(third)).toEqual({ changes: [], nextCursor: '0-0' });
  });

  it('refuses a malformed or out-of-range cursor with 422 and field code INVALID_CURSOR', async () => {
    const answers: Record<string, string> = {};
    for (const after of ['abc', '12', '1-2-3', '-1-1', '99999999999999999999-1', '9223372036854775808-1', '1-9223372036854775808']) {
      const res = await school.get(`/api/v1/changes?after=${encodeURIComponent(after)}`);
      const codes = (res.body.errors ?? []).map((e: { field: string; code: string }) => `${e.field}:${e.code}`).join(',');
      answers[after] = `${res.status} ${res.headers['content-type']?.split(';')[0]} ${res.body.code} ${codes}`;
    }
    const expected = '422 application/problem+json VALIDATION_FAILED after:INVALID_CURSOR';
    expect(answers).toEqual(Object.fromEntries(Object.keys(answers).map((k) => [k, expected])));
  });
});
