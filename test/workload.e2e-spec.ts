import { activePerson, Person, signIn } from './support/people';
import { bsn, Caller, reportBody, TestApp, TestSchool } from './support/test-app';

/** Issue 11, the officer's workload: search by name and birth date, school and officer filters, assignment, read marks. */
describe('the officer\'s workload', () => {
  let t: TestApp;
  let school: TestSchool;
  let otherSchool: TestSchool;
  let amsterdam: Caller;
  let utrecht: Caller;
  let anna: Person; // behandelaar, Amsterdam
  let bram: Person; // behandelaar, Amsterdam
  let lezer: Person; // lezer, Amsterdam
  let melder: Person; // melder, the school
  let utrechtOfficer: Person;
  const numbers: Record<string, number> = {};

  async function file(s: TestSchool, key: string, pupil: Record<string, unknown>, seed: number): Promise<number> {
    const res = await s.post('/api/v1/reports', reportBody(s, {}, { pgn: bsn(seed), ...pupil })).expect(201);
    numbers[key] = res.body.number;
    return res.body.number;
  }

  beforeAll(async () => {
    t = await TestApp.start();
    school = await t.newSchool('Werklastschool');
    otherSchool = await t.newSchool('Andere school');
    amsterdam = await t.keyFor('GM0363');
    utrecht = await t.keyFor('GM0344');
    anna = await activePerson(t, 'GM0363', { username: 'anna', email: 'anna@amsterdam.example', roles: ['behandelaar'] });
    bram = await activePerson(t, 'GM0363', { username: 'bram', email: 'bram@amsterdam.example', roles: ['behandelaar'] });
    lezer = await activePerson(t, 'GM0363', { username: 'lezer.a', email: 'lezer@amsterdam.example', roles: ['lezer'] });
    utrechtOfficer = await activePerson(t, 'GM0344', { username: 'ursula', email: 'ursula@utrecht.example', roles: ['behandelaar'] });
    melder = await activePerson(t, school.org.code, { username: 'melder.w', email: 'melder@school.example', roles: ['melder'] });
    await file(school, 'berg', { prefix: 'van der', surname: 'Berg', birthDate: '2012-05-01' }, 1001);
    await file(school, 'bergen', { prefix: null, surname: 'Bergen', birthDate: '2011-02-03' }, 1002);
    await file(school, 'ozdemir', { prefix: null, surname: 'Özdemir', birthDate: '2012-05-01' }, 1003);
    await file(otherSchool, 'otherBerg', { prefix: null, surname: 'Berg', birthDate: '2012-05-01' }, 1004);
    await file(school, 'ek', { prefix: null, surname: 'Ek', birthDate: '2010-09-09' }, 1005);
  });
  afterAll(async () => {
    await t?.stop();
  });

  const found = (body: { reports: { number: number }[] }) => body.reports.map((r) => r.number).sort((a, b) => a - b);
  const sorted = (...keys: string[]) => keys.map((k) => numbers[k]).sort((a, b) => a - b);

  describe('search by name and birth date', () => {
    it('finds a part of the surname, with or without prefix, case and diacritics', async () => {
      expect(found((await amsterdam.post('/api/v1/reports/search', { name: 'berg' }).expect(200)).body)).toEqual(sorted('berg', 'bergen', 'otherBerg'));
      expect(found((await amsterdam.post('/api/v1/reports/search', { name: 'Van der BERG' }).expect(200)).body)).toEqual(sorted('berg'));
      expect(found((await amsterdam.post('/api/v1/reports/search', { name: 'ozdem' }).expect(200)).body)).toEqual(sorted('ozdemir'));
      expect(found((await amsterdam.post('/api/v1/reports/search', { name: 'ÖZDEMİR' }).expect(200)).body)).toEqual(sorted('ozdemir'));
      expect(found((await amsterdam.post('/api/v1/reports/search', { name: 'ek' }).expect(200)).body)).toEqual(sorted('ek'));
      expect(found((await amsterdam.post('/api/v1/reports/search', { name: 'rge' }).expect(200)).body)).toEqual(sorted('bergen'));
      expect(found((await amsterdam.post('/api/v1/reports/search', { name: 'xyzzy' }).expect(200)).body)).toEqual([]);
    });

    it('combines name, birth date, school and the existing filters', async () => {
      expect(found((await amsterdam.post('/api/v1/reports/search', { name: 'berg', birthDate: '2012-05-01' }).expect(200)).body)).toEqual(sorted('berg', 'otherBerg'));
      expect(found((await amsterdam.post('/api/v1/reports/search', { birthDate: '2012-05-01', school: school.org.code }).expect(200)).body)).toEqual(sorted('berg', 'ozdemir'));
      expect(found((await amsterdam.post('/api/v1/reports/search', { name: 'berg', kind: 'LRV' }).expect(200)).body)).toEqual([]);
      expect(found((await amsterdam.get(`/api/v1/reports?school=${otherSchool.org.code}`).expect(200)).body)).toEqual(sorted('otherBerg'));
    });

    it('pages with a keyset cursor', async () => {
      const first = await amsterdam.post('/api/v1/reports/search', { name: 'berg', limit: 2 }).expect(200);
      expect(first.body.reports).toHaveLength(2);
      const second = await amsterdam.post('/api/v1/reports/search', { name: 'berg', limit: 2, after: first.body.nextCursor }).expect(200);
      expect(second.body.nextCursor).toBeNull();
      expect([...found(first.body), ...found(second.body)].sort((a, b) => a - b)).toEqual(sorted('berg', 'bergen', 'otherBerg'));
    });

    it('finds only what the caller sees: the school its own reports, another municipality nothing', async () => {
      expect(found((await school.post('/api/v1/reports/search', { name: 'berg' }).expect(200)).body)).toEqual(sorted('berg', 'bergen'));
      expect(found((await utrecht.post('/api/v1/reports/search', { name: 'berg' }).expect(200)).body)).toEqual([]);
    });

    it('lists the schools a receiver has reports from', async () => {
      const res = await amsterdam.get('/api/v1/reports/schools').expect(200);
      expect(res.body.map((s: { code: string }) => s.code).sort()).toEqual([school.org.code, otherSchool.org.code].sort());
      expect((await utrecht.get('/api/v1/reports/schools').expect(200)).body).toEqual([]);
      expect((await school.get('/api/v1/reports/schools').expect(200)).body).toEqual([]);
    });

    it('is audited as a search, naming how it searched but not the name', async () => {
      await amsterdam.post('/api/v1/reports/search', { name: 'Zeldzaam' }).expect(200);
      const [row]: { action: string; details: Record<string, unknown> }[] = await t.db.query(
        "SELECT action, details FROM audit_event WHERE action = 'REPORTS_SEARCHED' ORDER BY id DESC LIMIT 1",
      );
      expect(row.details.by).toEqual(['name']);
      expect(JSON.stringify(row)).not.toMatch(/zeldzaam/i);
    });

    it.each([
      [{ name: 'a' }, 'name'], [{ name: '--' }, 'name'], [{ name: 'x'.repeat(101) }, 'name'], [{ name: 12 }, 'name'], [{ name: 'ab\u0000c' }, 'name'],
      [{ birthDate: '2012-13-01' }, 'birthDate'], [{ birthDate: "2012-01-01' OR 1=1" }, 'birthDate'], [{ school: 'zz' }, 'school'],
      [{ assignedTo: 'niet-een-id' }, 'assignedTo'], [{ name: ['berg'] }, 'name'], [{ name: { $ne: 1 } }, 'name'],
    ])('refuses hostile input %j naming the field', async (body, field) => {
      const res = await amsterdam.post('/api/v1/reports/search', body).expect(422);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('never takes the name in a URL', async () => {
      const res = await amsterdam.get('/api/v1/reports?name=berg').expect(422);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('name');
    });
  });

  describe('assignment', () => {
    it('assigns, reassigns and releases, with history and audit, and filters by officer', async () => {
      const n = numbers.berg;
      const first = await amsterdam.put(`/api/v1/reports/${n}/assignment`, { userId: anna.user.id }).expect(200);
      expect(first.body.assignedTo).toEqual({ id: anna.user.id, name: 'anna' });
      const second = await amsterdam.put(`/api/v1/reports/${n}/assignment`, { userId: bram.user.id }).set('If-Match', first.headers.etag).expect(200);
      expect(second.body.assignedTo.id).toBe(bram.user.id);
      expect(second.body.history.map((h: { name: string }) => h.name)).toEqual(['anna', 'bram']);
      expect(found((await amsterdam.get(`/api/v1/reports?assignedTo=${bram.user.id}`).expect(200)).body)).toEqual([n]);
      expect(found((await amsterdam.get(`/api/v1/reports?assignedTo=${anna.user.id}`).expect(200)).body)).toEqual([]);
      const list = await amsterdam.post('/api/v1/reports/search', { number: n }).expect(200);
      expect(list.body.reports[0].assignedTo).toEqual({ id: bram.user.id, name: 'bram' });
      const audits: { count: number }[] = await t.db.query("SELECT count(*)::int AS count FROM audit_event WHERE action = 'REPORT_CHANGED' AND details ? 'assignedTo' AND subject_id = $1", [String(n)]);
      expect(audits[0].count).toBe(2);
      const released = await amsterdam.put(`/api/v1/reports/${n}/assignment`, { userId: null }).expect(200);
      expect(released.body.assignedTo).toBeNull();
      expect(released.body.history).toHaveLength(3);
    });

    it('keeps the assignment from the school: not in its list, its history or its filter', async () => {
      const n = numbers.bergen;
      await amsterdam.put(`/api/v1/reports/${n}/assignment`, { userId: anna.user.id }).expect(200);
      const own = await school.post('/api/v1/reports/search', { number: n }).expect(200);
      expect(own.body.reports[0]).not.toHaveProperty('assignedTo');
      expect(found((await school.get(`/api/v1/reports?assignedTo=${anna.user.id}`).expect(200)).body)).toEqual([]);
      const history = await school.get(`/api/v1/reports/${n}/history`).expect(200);
      expect(JSON.stringify(history.body)).not.toContain('anna');
      await school.get(`/api/v1/reports/${n}/assignment`).expect(403);
      await school.put(`/api/v1/reports/${n}/assignment`, { userId: anna.user.id }).expect(403);
    });

    it('makes the officer the contact person when asked: then the school sees it, with a history entry', async () => {
      const n = numbers.ek;
      await amsterdam.put(`/api/v1/reports/${n}/assignment`, { userId: bram.user.id, asContact: true }).expect(200);
      const seen = await school.get(`/api/v1/reports/${n}`).expect(200);
      expect(seen.body.municipalContact).toMatchObject({ name: 'bram', email: 'bram@amsterdam.example' });
      const history = await school.get(`/api/v1/reports/${n}/history`).expect(200);
      expect(history.body.at(-1)).toMatchObject({ type: 'GEWIJZIGD', changes: [{ field: 'municipalContact' }] });
      const mails: { recipient: string }[] = await t.db.query(
        "SELECT recipient FROM outbox_message o JOIN report_event e ON e.id = o.event_id JOIN report r ON r.id = e.report_id WHERE r.number = $1 AND e.type = 'GEWIJZIGD'", [n],
      );
      expect(mails.map((m) => m.recipient)).toContain(school.reporter.email.toLowerCase());
      expect(mails.map((m) => m.recipient)).not.toContain('anna@amsterdam.example');
    });

    it('refuses an officer of another organisation, a lezer, nobody as contact, the same again, and a closed report', async () => {
      const n = numbers.ozdemir;
      const refused = async (body: object, field: string) => {
        const res = await amsterdam.put(`/api/v1/reports/${n}/assignment`, body).expect(422);
        expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      };
      await refused({ userId: utrechtOfficer.user.id }, 'userId');
      await refused({ userId: lezer.user.id }, 'userId');
      await refused({ userId: melder.user.id }, 'userId');
      await refused({ userId: null, asContact: true }, 'asContact');
      await refused({}, 'userId');
      await refused({ userId: 'x' }, 'userId');
      await refused({ userId: anna.user.id, asContact: 'ja' }, 'asContact');
      await amsterdam.put(`/api/v1/reports/${n}/assignment`, { userId: anna.user.id }).expect(200);
      await refused({ userId: anna.user.id }, 'userId');
      await amsterdam.put(`/api/v1/reports/${n}/assignment`, { userId: anna.user.id, __proto__: { admin: true } }).expect(422);
      await utrecht.put(`/api/v1/reports/${n}/assignment`, { userId: utrechtOfficer.user.id }).expect(404);
      await utrecht.get(`/api/v1/reports/${n}/assignment`).expect(404);
      await amsterdam.put('/api/v1/reports/99999999/assignment', { userId: anna.user.id }).expect(404);
      await amsterdam.put('/api/v1/reports/abc/assignment', { userId: anna.user.id }).expect(404);
      await amsterdam.put(`/api/v1/reports/${n}/assignment`, { userId: bram.user.id }).set('If-Match', 'rommel').expect(412);
    });

    it('lets one of two parallel assignments with the same version win; the other gets 412', async () => {
      const n = numbers.otherBerg;
      const etag = (await amsterdam.get(`/api/v1/reports/${n}/assignment`).expect(200)).headers.etag;
      const results = await Promise.all([
        amsterdam.put(`/api/v1/reports/${n}/assignment`, { userId: anna.user.id }).set('If-Match', etag),
        amsterdam.put(`/api/v1/reports/${n}/assignment`, { userId: bram.user.id }).set('If-Match', etag),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 412]);
      const winner = results.find((r) => r.status === 200)!.body.assignedTo.id;
      const now = await amsterdam.get(`/api/v1/reports/${n}/assignment`).expect(200);
      expect(now.body.assignedTo.id).toBe(winner);
      expect(now.body.history).toHaveLength(1);
    });

    it('lists the officers of the own organisation only', async () => {
      const res = await amsterdam.get('/api/v1/reports/officers').expect(200);
      expect(res.body.map((o: { name: string }) => o.name)).toEqual(['anna', 'bram']);
      await school.get('/api/v1/reports/officers').expect(403);
    });

    it('clears the assignment when the report is forwarded', async () => {
      const n = await file(school, 'moved', { surname: 'Verhuisd' }, 1006);
      await amsterdam.put(`/api/v1/reports/${n}/assignment`, { userId: anna.user.id }).expect(200);
      await amsterdam.post(`/api/v1/reports/${n}/forward`, { to: 'GM0344' }).expect(200);
      expect((await utrecht.get(`/api/v1/reports/${n}/assignment`).expect(200)).body.assignedTo).toBeNull();
    });
  });

  describe('read marks', () => {
    it('marks a report new for the other side until the person opens it', async () => {
      const n = await file(school, 'marks', { surname: 'Gelezen' }, 1007);
      const officer = await signIn(t, anna);
      const schoolPerson = await signIn(t, melder);
      const unseen = async (who: typeof officer) =>
        (await who.agent.post('/api/v1/reports/search').set('X-CSRF-Token', who.csrf).send({ number: n }).expect(200)).body.reports[0].unseen;
      expect(await unseen(officer)).toBe(true); // filed by the school, not yet opened
      await officer.agent.get(`/api/v1/reports/${n}`).expect(200);
      expect(await unseen(officer)).toBe(false);
      // Nothing the officer did yet: nothing new for the school. The officer replies: new for the school's person, not for the officer.
      expect(await unseen(schoolPerson)).toBe(false);
      await officer.agent.post(`/api/v1/reports/${n}/messages`).set('X-CSRF-Token', officer.csrf).send({ body: 'Wij nemen contact op.' }).expect(201);
      expect(await unseen(officer)).toBe(false);
      expect(await unseen(schoolPerson)).toBe(true);
      await schoolPerson.agent.get(`/api/v1/reports/${n}`).expect(200);
      expect(await unseen(schoolPerson)).toBe(false);
      // The school changes the report: new for the officer again.
      await school.patch(`/api/v1/reports/${n}`, { reason: 'Andere reden' }).set('If-Match', `"${(await school.get(`/api/v1/reports/${n}`)).body.version}"`).expect(200);
      expect(await unseen(officer)).toBe(true);
      // Another officer has marks of their own.
      const other = await signIn(t, bram);
      expect(await unseen(other)).toBe(true);
      // A machine key has no marks.
      expect((await amsterdam.post('/api/v1/reports/search', { number: n }).expect(200)).body.reports[0]).not.toHaveProperty('unseen');
    });
  });
});
