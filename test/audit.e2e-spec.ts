import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { AuditAction, AuditActorType, AuditEntry, AuditOutcome, AuditService, AuditSubjectType, SYSTEM_ACTOR } from '../src/audit/audit.service';
import { bsn, Caller, TestApp, TestSchool } from './support/test-app';

type EventBody = { id: string; at: string; actor: { type: string; id: string | null; name: string }; action: string; subject: { type: string; id: string | null } | null; outcome: string; clientIp: string | null; details: Record<string, unknown> };

describe('the audit log', () => {
  let t: TestApp;
  let audit: AuditService;
  let school: TestSchool;
  let otherSchool: TestSchool;
  const mentor = { actorType: AuditActorType.USER, actorId: randomUUID(), actorName: 'M. Mentor' };
  const coordinator = { actorType: AuditActorType.USER, actorId: randomUUID(), actorName: 'V. Coördinator' };
  const stranger = { actorType: AuditActorType.USER, actorId: randomUUID(), actorName: 'Iemand van elders' };
  const anonymous = { actorType: 'ANONYMOUS', actorId: null, actorName: '(onbekend)' } as const;

  const entry = (organisationId: string, rest: Omit<AuditEntry, 'organisationId'>): AuditEntry => ({ organisationId, ...rest });
  const report = (n: number) => ({ subjectType: AuditSubjectType.REPORT, subjectId: n });
  const rows = (sql: string, params: unknown[] = []) => t.db.query(sql, params);
  /** Entries written at a given moment: record() always writes now(), so the tests insert these directly. */
  const insertAt = (at: string, organisationId: string, action: AuditAction, actorId: string) =>
    rows(
      `INSERT INTO audit_event (at, organisation_id, actor_type, actor_id, actor_name, action, outcome) VALUES ($1, $2, 'USER', $3, 'M. Mentor', $4, 'SUCCESS') RETURNING id`,
      [at, organisationId, actorId, action],
    );
  const ids = (res: request.Response) => (res.body.events as EventBody[]).map((e) => e.id);

  beforeAll(async () => {
    t = await TestApp.start();
    audit = t.app.get(AuditService);
    school = await t.newSchool();
    otherSchool = await t.newSchool('Andere school');

    const org = school.org.id;
    for (const e of [
      entry(org, { ...mentor, action: AuditAction.REPORT_READ, ...report(12) }),
      entry(org, { ...mentor, action: AuditAction.REPORT_READ, ...report(13) }),
      entry(org, { ...coordinator, action: AuditAction.REPORT_CHANGED, ...report(12), details: { fields: ['reason'] } }),
      entry(org, { ...mentor, action: AuditAction.REPORT_READ, ...report(12) }),
      entry(org, { ...anonymous, action: AuditAction.SIGN_IN_FAILED, outcome: 'FAILURE', clientIp: '192.0.2.7' }),
      entry(org, { ...coordinator, action: AuditAction.REPORT_READ, ...report(12) }),
      entry(org, { ...mentor, action: AuditAction.REPORT_READ, ...report(12) }),
      entry(org, { ...anonymous, action: AuditAction.SIGN_IN_FAILED, outcome: 'FAILURE', clientIp: '192.0.2.7' }),
      entry(org, { ...mentor, action: AuditAction.ROLES_CHANGED, outcome: AuditOutcome.DENIED, subjectType: 'USER', subjectId: coordinator.actorId }),
      // Another organisation's log, about the same report number and the same person id: never shown to this school.
      entry(otherSchool.org.id, { ...stranger, action: AuditAction.REPORT_READ, ...report(12) }),
      entry(otherSchool.org.id, { ...mentor, action: AuditAction.REPORT_READ, ...report(12) }),
    ]) {
      await audit.record(e);
    }
  });
  afterAll(() => t.stop());

  describe('recording', () => {
    it('joins the caller\'s transaction: an entry recorded in a transaction that rolls back is gone, one that commits stays', async () => {
      const marker = randomUUID();
      const inTransaction = entry(school.org.id, { ...SYSTEM_ACTOR, action: AuditAction.USER_CREATED, subjectType: AuditSubjectType.USER, subjectId: marker });
      await expect(
        t.db.transaction(async (m) => {
          await audit.record(inTransaction, m);
          // Visible inside the transaction...
          expect(await m.query(`SELECT count(*)::int AS n FROM audit_event WHERE subject_id = $1`, [marker])).toEqual([{ n: 1 }]);
          throw new Error('de wijziging mislukt');
        }),
      ).rejects.toThrow('de wijziging mislukt');
      // ...and gone with it.
      expect(await rows(`SELECT count(*)::int AS n FROM audit_event WHERE subject_id = $1`, [marker])).toEqual([{ n: 0 }]);

      await t.db.transaction((m) => audit.record(inTransaction, m));
      expect(await rows(`SELECT count(*)::int AS n FROM audit_event WHERE subject_id = $1`, [marker])).toEqual([{ n: 1 }]);
    });

    it('is append-only in the database: UPDATE, DELETE and TRUNCATE are refused, and the entry is unchanged', async () => {
      const [{ id }] = await rows(`SELECT min(id) AS id FROM audit_event WHERE organisation_id = $1`, [school.org.id]);
      const before = await rows(`SELECT * FROM audit_event WHERE id = $1`, [id]);
      await expect(rows(`UPDATE audit_event SET actor_name = 'iemand anders' WHERE id = $1`, [id])).rejects.toThrow(/append-only: UPDATE refused/);
      await expect(rows(`UPDATE audit_event SET details = '{}'`)).rejects.toThrow(/append-only/);
      await expect(rows(`DELETE FROM audit_event WHERE id = $1`, [id])).rejects.toThrow(/append-only: DELETE refused/);
      await expect(rows(`TRUNCATE audit_event`)).rejects.toThrow(/append-only: TRUNCATE refused/);
      // The id is generated ALWAYS: an entry cannot be slipped in under an old number either.
      await expect(
        rows(`INSERT INTO audit_event (id, organisation_id, actor_type, actor_name, action, outcome) VALUES (1, $1, 'SYSTEM', 'x', 'SIGN_IN', 'SUCCESS')`, [school.org.id]),
      ).rejects.toThrow(/non-DEFAULT value into column "id"/);
      expect(await rows(`SELECT * FROM audit_event WHERE id = $1`, [id])).toEqual(before);
    });

    it('strips details keys that name a password, code, seed, secret, token or PGN, and PGNs in any text, before they are stored', async () => {
      const subject = randomUUID();
      await audit.record(entry(school.org.id, {
        ...coordinator,
        action: AuditAction.TOKEN_RESET,
        subjectType: 'USER',
        subjectId: subject,
        details: {
          password: 'Correct-Horse-Battery-9', otpCode: '123456', totpSeed: 'JBSWY3DPEHPK3PXP', apiKeySecret: 'vzl_x', sessionToken: 'abc',
          activationCode: 'K7Q2-9XMM', pgn: bsn(777), BSN: bsn(777), kind: 'AUTHENTICATOR_APP', note: `leerling ${bsn(777)}`,
          nested: { newWachtwoord: 'x', reason: 'telefoon kwijt' },
        },
      }));
      const [stored] = await rows(`SELECT details FROM audit_event WHERE subject_id = $1`, [subject]);
      expect(stored.details).toEqual({ kind: 'AUTHENTICATOR_APP', note: 'leerling [verwijderd]', nested: { reason: 'telefoon kwijt' } });
      const res = await school.get(`/api/v1/audit?subjectType=USER&subjectId=${subject}`).expect(200);
      expect(res.body.events).toHaveLength(1);
      expect(res.body.events[0].details).toEqual(stored.details);
      expect(JSON.stringify(res.body)).not.toMatch(/Correct-Horse|JBSWY3DP|K7Q2-9XMM|vzl_x/);
      expect(JSON.stringify(res.body)).not.toContain(bsn(777));
    });
  });

  describe('the query API', () => {
    it('answers "who looked at report 12?" for the own organisation only, newest first', async () => {
      const res = await school.get('/api/v1/audit?subjectType=REPORT&subjectId=12').expect(200);
      const events = res.body.events as EventBody[];
      expect(events.map((e) => `${e.action} ${e.actor.name}`)).toEqual([
        'REPORT_READ M. Mentor', 'REPORT_READ V. Coördinator', 'REPORT_READ M. Mentor', 'REPORT_CHANGED V. Coördinator', 'REPORT_READ M. Mentor',
      ]);
      expect(events[0]).toMatchObject({ actor: { type: 'USER', id: mentor.actorId }, subject: { type: 'REPORT', id: '12' }, outcome: 'SUCCESS' });
      expect(new Date(events[0].at).toISOString()).toBe(events[0].at);
      expect(ids(res)).toEqual([...ids(res)].sort((a, b) => Number(b) - Number(a)));
      expect(res.body.nextCursor).toBeNull();

      // The other school sees its own two entries about its report numbered 12, not these.
      const theirs = await otherSchool.get('/api/v1/audit?subjectType=REPORT&subjectId=12').expect(200);
      expect((theirs.body.events as EventBody[]).map((e) => e.actor.name)).toEqual(['M. Mentor', 'Iemand van elders']);
      expect(ids(theirs).filter((id) => ids(res).includes(id))).toEqual([]);
    });

    it('answers "what did this person do?", and filters by action and outcome', async () => {
      const res = await school.get(`/api/v1/audit?actorId=${mentor.actorId}`).expect(200);
      expect((res.body.events as EventBody[]).map((e) => `${e.action} ${e.subject?.id ?? ''}`.trim())).toEqual([
        `ROLES_CHANGED ${coordinator.actorId}`, 'REPORT_READ 12', 'REPORT_READ 12', 'REPORT_READ 13', 'REPORT_READ 12',
      ]);
      const reads = await school.get(`/api/v1/audit?actorId=${mentor.actorId}&action=REPORT_READ&subjectType=REPORT&subjectId=13`).expect(200);
      expect(reads.body.events).toHaveLength(1);

      const failed = await school.get('/api/v1/audit?action=SIGN_IN_FAILED&outcome=FAILURE').expect(200);
      expect(failed.body.events).toHaveLength(2);
      expect(failed.body.events[0]).toMatchObject({ actor: { type: 'ANONYMOUS', id: null, name: '(onbekend)' }, outcome: 'FAILURE', clientIp: '192.0.2.7', subject: null });
      const denied = await school.get('/api/v1/audit?outcome=DENIED').expect(200);
      expect((denied.body.events as EventBody[]).map((e) => e.action)).toEqual(['ROLES_CHANGED']);

      // The stranger's id means nothing in this organisation's log.
      expect((await school.get(`/api/v1/audit?actorId=${stranger.actorId}`).expect(200)).body).toEqual({ events: [], nextCursor: null });
    });

    it('filters by whole days in Dutch time', async () => {
      const actor = randomUUID();
      const [[early], [inside], [late], [later]] = [
        await insertAt('2025-01-14T22:30:00Z', school.org.id, AuditAction.SIGN_IN, actor), // 23:30 on the 14th in NL
        await insertAt('2025-01-14T23:30:00Z', school.org.id, AuditAction.SIGN_IN, actor), // 00:30 on the 15th
        await insertAt('2025-01-15T22:59:59Z', school.org.id, AuditAction.SIGN_IN, actor), // 23:59:59 on the 15th
        await insertAt('2025-01-15T23:00:00Z', school.org.id, AuditAction.SIGN_IN, actor), // 00:00 on the 16th
      ];
      const day = await school.get(`/api/v1/audit?actorId=${actor}&from=2025-01-15&to=2025-01-15`).expect(200);
      expect(ids(day)).toEqual([late.id, inside.id]);
      expect(ids(await school.get(`/api/v1/audit?actorId=${actor}&from=2025-01-16`).expect(200))).toEqual([later.id]);
      expect(ids(await school.get(`/api/v1/audit?actorId=${actor}&to=2025-01-14`).expect(200))).toEqual([early.id]);
      // Another organisation asking for the same days gets none of them.
      expect((await otherSchool.get(`/api/v1/audit?from=2025-01-14&to=2025-01-16`).expect(200)).body.events).toEqual([]);
    });

    it('pages with a keyset: every entry once, in order, until nextCursor is null', async () => {
      const all = ids(await school.get('/api/v1/audit?subjectType=REPORT&limit=200').expect(200));
      expect(all).toHaveLength(6);
      const seen: string[] = [];
      let after: string | null = null;
      let pages = 0;
      do {
        const res: request.Response = await school.get(`/api/v1/audit?subjectType=REPORT&limit=4${after ? `&after=${after}` : ''}`).expect(200);
        seen.push(...ids(res));
        after = res.body.nextCursor;
        pages++;
      } while (after !== null && pages < 10);
      expect(pages).toBe(2);
      expect(seen).toEqual(all);
      // A cursor from another organisation's log does not open it.
      const theirs = ids(await otherSchool.get('/api/v1/audit?subjectType=REPORT').expect(200));
      const next = await school.get(`/api/v1/audit?subjectType=REPORT&after=${Number(theirs[0]) + 1}`).expect(200);
      expect(ids(next).filter((id) => theirs.includes(id))).toEqual([]);
    });

    it('logs its own use, with the caller and the client address', async () => {
      const marker = randomUUID();
      await school.get(`/api/v1/audit?actorId=${marker}`).expect(200);
      const res = await school.get('/api/v1/audit?action=AUDIT_READ&limit=1').expect(200);
      expect(res.body.events[0]).toMatchObject({
        action: 'AUDIT_READ',
        actor: { type: 'API_KEY', name: expect.stringMatching(/^API-sleutel test /) },
        subject: { type: 'AUDIT_LOG', id: school.org.code },
        outcome: 'SUCCESS',
        clientIp: expect.stringMatching(/127\.0\.0\.1|::1/),
        details: { filters: { actorId: marker }, count: 0 },
      });
    });

    it('refuses wrong filters with field codes', async () => {
      const fieldsOf = async (query: string) =>
        ((await school.get(`/api/v1/audit?${query}`).expect(422)).body.errors as { field: string; code: string }[]).map((e) => `${e.field}:${e.code}`);
      expect(await fieldsOf('limit=0')).toEqual(['limit:TOO_SMALL']);
      expect(await fieldsOf('limit=201')).toEqual(['limit:TOO_LARGE']);
      expect(await fieldsOf('after=abc')).toEqual(['after:INVALID_FORMAT']);
      expect(await fieldsOf('after=99999999999999999999')).toEqual(['after:INVALID_FORMAT']);
      expect(await fieldsOf('subjectId=12')).toEqual(['subjectType:REQUIRED']);
      expect(await fieldsOf('subjectType=PUPIL')).toEqual(['subjectType:NOT_ALLOWED_VALUE']);
      expect(await fieldsOf('action=DROP_TABLE')).toEqual(['action:NOT_ALLOWED_VALUE']);
      expect(await fieldsOf(`actorId=${'x'.repeat(36)}`)).toEqual(['actorId:INVALID_FORMAT']);
      expect(await fieldsOf('from=2026-02-30')).toEqual(['from:INVALID_DATE']);
      expect(await fieldsOf('from=2026-11-02&to=2026-11-01')).toEqual(['to:END_BEFORE_BEGIN']);
      expect(await fieldsOf('organisationId=00000000-0000-0000-0000-000000000000')).toEqual(['organisationId:UNKNOWN_FIELD']);
    });

    it('needs the audit:read permission: a beheerder key has it, a melder key, a lezer key and a municipality\'s default key do not', async () => {
      await school.get('/api/v1/audit').expect(200);
      const melder: Caller = await t.keyFor(school.org.code, ['melder']);
      expect((await melder.get('/api/v1/audit').expect(403)).body.code).toBe('FORBIDDEN');
      await (await t.keyFor(school.org.code, ['lezer'])).get('/api/v1/audit').expect(403);
      await (await t.keyFor(school.org.code, ['beheerder'])).get('/api/v1/audit').expect(200);
      await (await t.keyFor('GM0363')).get('/api/v1/audit').expect(403);
      expect((await request(t.http).get('/api/v1/audit').expect(401)).body.code).toBe('UNAUTHENTICATED');
    });
  });
});
