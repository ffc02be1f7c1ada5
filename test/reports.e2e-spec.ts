import { bornAged, bsn, Caller, daysAgo, reportBody, TestApp, TestSchool } from './support/test-app';

describe('the report register', () => {
  let t: TestApp;
  let school: TestSchool;
  let amsterdam: Caller;
  let rmc: Caller;

  beforeAll(async () => {
    t = await TestApp.start();
    school = await t.newSchool();
    amsterdam = await t.keyFor('GM0363');
    rmc = await t.keyFor('RMC21'); // Amsterdam's RMC region (Agglomeratie Amsterdam)
  });
  afterAll(() => t.stop());

  it('files a report, routes it to the municipality where the pupil lives and returns its number', async () => {
    const res = await school.post('/api/v1/reports', reportBody(school)).expect(201);
    expect(res.body).toMatchObject({ status: 'GEREGISTREERD', kind: '16U', receiver: { code: 'GM0363', type: 'GEMEENTE' } });
    expect(res.body.number).toEqual(expect.any(Number));
    expect(res.headers.etag).toBe('"1"');
    expect(res.headers.location).toBe(`/api/v1/reports/${res.body.number}`);
    const seen = await amsterdam.get(`/api/v1/reports/${res.body.number}`).expect(200);
    expect(seen.body.pupil).toMatchObject({ pgn: bsn(123456), pgnType: 'BSN', surname: 'Dijk' });
  });

  it('routes by the deviating address when one is given', async () => {
    const body = reportBody(school, {}, {
      pgn: bsn(2000),
      residenceAddress: { street: 'Oudegracht', houseNumber: 1, postcode: '3511 AA', place: 'Utrecht', municipalityCode: 'GM0344' },
    });
    const res = await school.post('/api/v1/reports', body).expect(201);
    expect(res.body.receiver.code).toBe('GM0344');
    expect(res.body.residenceMunicipality.code).toBe('GM0344');
    await amsterdam.get(`/api/v1/reports/${res.body.number}`).expect(404);
  });

  it('routes an RMC report for an 18-year-old to the RMC region of the residence', async () => {
    const res = await school
      .post('/api/v1/reports', reportBody(school, { kind: 'RMC' }, { pgn: bsn(3000), birthDate: bornAged(18) }))
      .expect(201);
    expect(res.body.receiver).toMatchObject({ code: 'RMC21', type: 'RMC_REGIO' });
    await rmc.get(`/api/v1/reports/${res.body.number}`).expect(200);
  });

  it('sends the reports of a municipality that delegated to the regional office, and honours alternative routing', async () => {
    const orgs = t.app.get((await import('../src/organisations/organisations.service')).OrganisationsService);
    await orgs.createOffice('RBL-ZAAN', 'Regionaal Bureau Leerplicht Zaanstreek');
    await orgs.setDelegation('GM0479', 'RBL-ZAAN'); // Zaanstad
    await orgs.setRoutingRule('GM0479', 'RMC' as never, 'GM0363');
    const zaanstad = { street: 'Stationsplein', houseNumber: 2, postcode: '1506 AA', place: 'Zaandam', municipalityCode: 'GM0479' };
    const young = await school.post('/api/v1/reports', reportBody(school, {}, { pgn: bsn(4000), registeredAddress: zaanstad })).expect(201);
    expect(young.body.receiver.code).toBe('RBL-ZAAN');
    const old = await school
      .post('/api/v1/reports', reportBody(school, { kind: 'RMC' }, { pgn: bsn(4100), registeredAddress: zaanstad, birthDate: bornAged(19) }))
      .expect(201);
    expect(old.body.receiver.code).toBe('GM0363');
    const history = await school.get(`/api/v1/reports/${young.body.number}/history`).expect(200);
    expect(history.body[0]).toMatchObject({ type: 'INGEDIEND', details: { receiver: 'RBL-ZAAN', routing: ['WOONGEMEENTE', 'DELEGATIE'] } });
  });

  it('lets the receiver take the report into handling, reply and close it; the school answers; both see the same history', async () => {
    const { body: filed } = await school.post('/api/v1/reports', reportBody(school, {}, { pgn: bsn(5000) })).expect(201);
    const n = filed.number;
    await amsterdam.post(`/api/v1/reports/${n}/status`, { status: 'IN_BEHANDELING', contact: { name: 'A. Jansen', function: 'Leerplichtambtenaar', email: 'lpa@amsterdam.example' } }).expect(200);
    const reply = await amsterdam.post(`/api/v1/reports/${n}/messages`, { body: 'Ouders uitgenodigd voor gesprek.' }).expect(201);
    expect(reply.body.from.code).toBe('GM0363');
    await school.post(`/api/v1/reports/${n}/messages`, { body: 'Dank, leerling is sinds maandag weer op school.' }).expect(201);
    const closed = await amsterdam
      .post(`/api/v1/reports/${n}/status`, { status: 'AFGESLOTEN', closingReason: 'TERUG_NAAR_SCHOOL', closingExplanation: 'GEZIEN' })
      .expect(200);
    expect(closed.body).toMatchObject({ status: 'AFGESLOTEN', closingReason: 'TERUG_NAAR_SCHOOL', closingExplanation: 'GEZIEN', municipalContact: { name: 'A. Jansen' } });
    expect(closed.body.closedAt).not.toBeNull();

    const forSchool = await school.get(`/api/v1/reports/${n}`).expect(200);
    expect(forSchool.body.status).toBe('AFGESLOTEN');
    expect(forSchool.body.messages.map((m: { body: string }) => m.body)).toEqual([
      'Ouders uitgenodigd voor gesprek.',
      'Dank, leerling is sinds maandag weer op school.',
    ]);
    const a = await school.get(`/api/v1/reports/${n}/history`).expect(200);
    const b = await amsterdam.get(`/api/v1/reports/${n}/history`).expect(200);
    expect(a.body).toEqual(b.body);
    expect(a.body.map((e: { type: string }) => e.type)).toEqual(['INGEDIEND', 'STATUS_GEWIJZIGD', 'BERICHT', 'BERICHT', 'STATUS_GEWIJZIGD']);
    expect(a.body[4].changes).toEqual(
      expect.arrayContaining([
        { field: 'status', from: 'IN_BEHANDELING', to: 'AFGESLOTEN' },
        { field: 'closingReason', from: null, to: 'TERUG_NAAR_SCHOOL' },
      ]),
    );

    // Closed: the school can no longer change or withdraw it; the officer can reopen it.
    await school.patch(`/api/v1/reports/${n}`, { reason: 'x' }).set('If-Match', `"${forSchool.body.version}"`).expect(409);
    const refused = await amsterdam.post(`/api/v1/reports/${n}/status`, { status: 'TER_KENNISNEMING_AANGENOMEN' }).expect(409);
    expect(refused.body).toMatchObject({ code: 'TRANSITION_NOT_ALLOWED', allowed: ['IN_BEHANDELING'] });
    const reopened = await amsterdam.post(`/api/v1/reports/${n}/status`, { status: 'IN_BEHANDELING' }).expect(200);
    expect(reopened.body).toMatchObject({ status: 'IN_BEHANDELING', closingReason: null, closedAt: null });
    const history = await school.get(`/api/v1/reports/${n}/history`).expect(200);
    expect(history.body.at(-1).type).toBe('HEROPEND');
  });

  it('requires a closing reason and explanation to close', async () => {
    const { body } = await school.post('/api/v1/reports', reportBody(school, {}, { pgn: bsn(5500) })).expect(201);
    const res = await amsterdam.post(`/api/v1/reports/${body.number}/status`, { status: 'AFGESLOTEN' }).expect(422);
    expect(res.body.errors.map((e: { field: string; code: string }) => `${e.field}:${e.code}`).sort()).toEqual([
      'closingExplanation:REQUIRED',
      'closingReason:REQUIRED',
    ]);
  });

  it('keeps the sides apart: the school cannot set a status, the receiver cannot change or withdraw', async () => {
    const { body } = await school.post('/api/v1/reports', reportBody(school, {}, { pgn: bsn(5600) })).expect(201);
    const n = body.number;
    expect((await school.post(`/api/v1/reports/${n}/status`, { status: 'IN_BEHANDELING' }).expect(403)).body.code).toBe('FORBIDDEN');
    await amsterdam.patch(`/api/v1/reports/${n}`, { reason: 'x' }).set('If-Match', '"1"').expect(403);
    await amsterdam.post(`/api/v1/reports/${n}/withdraw`, {}).expect(403);
    await amsterdam.post('/api/v1/reports', reportBody(school)).expect(403);
  });

  it('hides reports from every organisation that did not file or receive them', async () => {
    const { body } = await school.post('/api/v1/reports', reportBody(school, {}, { pgn: bsn(6000) })).expect(201);
    const otherSchool = await t.newSchool('Andere school');
    const utrecht = await t.keyFor('GM0344');
    for (const outsider of [otherSchool, utrecht, rmc]) {
      const res = await outsider.get(`/api/v1/reports/${body.number}`).expect(404);
      expect(res.body.code).toBe('NOT_FOUND');
      await outsider.get(`/api/v1/reports/${body.number}/history`).expect(404);
      await outsider.post(`/api/v1/reports/${body.number}/messages`, { body: 'hallo' }).expect(404);
      const list = await outsider.get(`/api/v1/reports?number=${body.number}`).expect(200);
      expect(list.body.reports).toEqual([]);
    }
    await otherSchool.patch(`/api/v1/reports/${body.number}`, { reason: 'x' }).set('If-Match', '"1"').expect(404);
    await utrecht.post(`/api/v1/reports/${body.number}/status`, { status: 'IN_BEHANDELING' }).expect(404);
    await t.app.get((await import('../src/identity/api-keys.service')).ApiKeysService);
    await school.get('/api/v1/reports/999999').expect(404);
    await school.get('/api/v1/reports/abc').expect(404);
  });

  it('gives the same report for the same Idempotency-Key, and refuses the key with another body', async () => {
    const body = reportBody(school, {}, { pgn: bsn(7000) });
    const first = await school.post('/api/v1/reports', body).set('Idempotency-Key', 'magister-42').expect(201);
    const again = await school.post('/api/v1/reports', body).set('Idempotency-Key', 'magister-42').expect(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.number).toBe(first.body.number);
    const other = await school.post('/api/v1/reports', { ...body, reason: 'anders' }).set('Idempotency-Key', 'magister-42').expect(422);
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const other16U = reportBody(school, {}, { pgn: bsn(7100) });
    const [a, b] = await Promise.all([
      school.post('/api/v1/reports', other16U).set('Idempotency-Key', 'tegelijk'),
      school.post('/api/v1/reports', other16U).set('Idempotency-Key', 'tegelijk'),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    expect(a.body.number).toBe(b.body.number);
  });

  it('makes one report of eight requests at once with the same Idempotency-Key, and refuses the others that differ', async () => {
    const body = reportBody(school, {}, { pgn: bsn(7200) });
    const same = await Promise.all(Array.from({ length: 8 }, () => school.post('/api/v1/reports', body).set('Idempotency-Key', 'acht-tegelijk')));
    expect(same.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(same.map((r) => r.body.number)).size).toBe(1);
    const differing = await Promise.all(Array.from({ length: 8 }, (_, i) =>
      school.post('/api/v1/reports', { ...body, pupil: { ...body.pupil, pgn: bsn(7300) }, reason: `reden ${i}` }).set('Idempotency-Key', 'acht-anders')));
    expect(differing.filter((r) => r.status === 201)).toHaveLength(1);
    expect(differing.filter((r) => r.status === 422).map((r) => r.body.code)).toEqual(Array(7).fill('IDEMPOTENCY_KEY_REUSED'));
    // One report each, with one event: nothing of the refused or replayed requests was written.
    const [counts] = await t.db.query(
      `SELECT count(DISTINCT r.id)::int AS reports, count(e.id)::int AS events FROM report r JOIN report_event e ON e.report_id = r.id
        WHERE r.pgn_hash IN (SELECT pgn_hash FROM report WHERE number = ANY($1))`,
      [[same[0].body.number, differing.find((r) => r.status === 201)!.body.number]],
    );
    expect(counts).toEqual({ reports: 2, events: 2 });
  });

  it('changes a report with If-Match, records every changed field, and refuses a stale or missing version', async () => {
    const { body } = await school.post('/api/v1/reports', reportBody(school, {}, { pgn: bsn(8000) })).expect(201);
    const n = body.number;
    await school.patch(`/api/v1/reports/${n}`, { reason: 'Nieuw' }).expect(428);
    const changed = await school
      .patch(`/api/v1/reports/${n}`, { reason: 'Spijbelt met vrienden', pupil: { surname: 'Dijkstra', pgn: bsn(8001) } })
      .set('If-Match', '"1"')
      .expect(200);
    expect(changed.headers.etag).toBe('"2"');
    expect(changed.body).toMatchObject({ reason: 'Spijbelt met vrienden', version: 2, pupil: { surname: 'Dijkstra', pgn: bsn(8001) } });
    const stale = await school.patch(`/api/v1/reports/${n}`, { reason: 'Te laat' }).set('If-Match', '"1"').expect(412);
    expect(stale.body.code).toBe('PRECONDITION_FAILED');
    expect((await school.get(`/api/v1/reports/${n}`)).body.reason).toBe('Spijbelt met vrienden');
    const history = await school.get(`/api/v1/reports/${n}/history`).expect(200);
    const change = history.body.find((e: { type: string }) => e.type === 'GEWIJZIGD');
    expect(change.changes).toEqual(
      expect.arrayContaining([
        { field: 'reason', from: 'Blijft thuis zonder bericht', to: 'Spijbelt met vrienden' },
        { field: 'pupil.surname', from: 'Dijk', to: 'Dijkstra' },
        { field: 'pupil.pgn', from: '(vertrouwelijk)', to: '(vertrouwelijk)' },
      ]),
    );
    expect(JSON.stringify(history.body)).not.toContain(bsn(8001));
  });

  it('lets only one of two concurrent changes with the same version win', async () => {
    const { body } = await school.post('/api/v1/reports', reportBody(school, {}, { pgn: bsn(9000) })).expect(201);
    const n = body.number;
    const results = await Promise.all(
      ['Eerste', 'Tweede', 'Derde'].map((reason) => school.patch(`/api/v1/reports/${n}`, { reason }).set('If-Match', '"1"')),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 412, 412]);
    const winner = results.find((r) => r.status === 200)!.body.reason;
    const now = await school.get(`/api/v1/reports/${n}`).expect(200);
    expect(now.body).toMatchObject({ reason: winner, version: 2 });
    const history = await school.get(`/api/v1/reports/${n}/history`).expect(200);
    expect(history.body.filter((e: { type: string }) => e.type === 'GEWIJZIGD')).toHaveLength(1);
  });

  it('forwards a report: the new receiver sees it, the previous one no longer does, the school sees where it went', async () => {
    const { body } = await school.post('/api/v1/reports', reportBody(school, {}, { pgn: bsn(10000) })).expect(201);
    const n = body.number;
    await amsterdam.post(`/api/v1/reports/${n}/status`, { status: 'IN_BEHANDELING' }).expect(200);
    const fwd = await amsterdam.post(`/api/v1/reports/${n}/forward`, { to: 'GM0344', explanation: 'Verhuisd naar Utrecht' }).expect(200);
    expect(fwd.body).toEqual({ number: n, forwardedTo: 'GM0344' });
    await amsterdam.get(`/api/v1/reports/${n}`).expect(404);
    const utrecht = await t.keyFor('GM0344');
    const seen = await utrecht.get(`/api/v1/reports/${n}`).expect(200);
    expect(seen.body).toMatchObject({ status: 'GEREGISTREERD', receiver: { code: 'GM0344' } });
    const forSchool = await school.get(`/api/v1/reports/${n}`).expect(200);
    expect(forSchool.body.receiver.code).toBe('GM0344');
    const history = await school.get(`/api/v1/reports/${n}/history`).expect(200);
    expect(history.body.at(-1)).toMatchObject({ type: 'DOORGESTUURD', details: { from: 'GM0363', to: 'GM0344' } });
    const unknown = await utrecht.post(`/api/v1/reports/${n}/forward`, { to: 'GM9999' }).expect(422);
    expect(unknown.body.errors[0]).toMatchObject({ field: 'to', code: 'UNKNOWN_ORGANISATION' });
    const notReceiver = await utrecht.post(`/api/v1/reports/${n}/forward`, { to: school.org.code }).expect(422);
    expect(notReceiver.body.errors[0]).toMatchObject({ field: 'to', code: 'NOT_A_RECEIVER' });
  });

  it('lets the school withdraw an open report, after which nothing changes it', async () => {
    const { body } = await school.post('/api/v1/reports', reportBody(school, {}, { pgn: bsn(11000) })).expect(201);
    const n = body.number;
    const res = await school.post(`/api/v1/reports/${n}/withdraw`, { explanation: 'Ziekmelding kwam later binnen' }).expect(200);
    expect(res.body.status).toBe('INGETROKKEN');
    await school.post(`/api/v1/reports/${n}/withdraw`, {}).expect(409);
    const refused = await amsterdam.post(`/api/v1/reports/${n}/status`, { status: 'IN_BEHANDELING' }).expect(409);
    expect(refused.body.allowed).toEqual([]);
  });

  it('finds reports by filters and exact PGN, newest first, page by page', async () => {
    const pgn = bsn(12000);
    for (let i = 0; i < 3; i++) {
      await school.post('/api/v1/reports', reportBody(school, { kind: 'LUXE', endDate: null, beginDate: daysAgo(100 - i * 20) }, { pgn })).expect(201);
    }
    const found = await school.post('/api/v1/reports/search', { pgn, limit: 2 }).expect(200);
    expect(found.body.reports).toHaveLength(2);
    expect(found.body.reports[0].number).toBeGreaterThan(found.body.reports[1].number);
    expect(found.body.reports[0]).not.toHaveProperty('pupil');
    const next = await school.post('/api/v1/reports/search', { pgn, limit: 2, after: found.body.nextCursor }).expect(200);
    expect(next.body.reports).toHaveLength(1);
    expect(next.body.nextCursor).toBeNull();
    const byKind = await amsterdam.get('/api/v1/reports?kind=LUXE&status=GEREGISTREERD').expect(200);
    expect(byKind.body.reports).toHaveLength(3);
    const byLocation = await school.get(`/api/v1/reports?location=${school.org.code}01&kind=LUXE`).expect(200);
    expect(byLocation.body.reports).toHaveLength(3);
    const none = await school.post('/api/v1/reports/search', { pgn: bsn(12001) }).expect(200);
    expect(none.body.reports).toEqual([]);
    await school.get(`/api/v1/reports?pgn=${pgn}`).expect(422);
  });

  it('refuses a second 16U report for the same pupil within the counting period', async () => {
    const pgn = bsn(13000);
    await school.post('/api/v1/reports', reportBody(school, { beginDate: daysAgo(30), endDate: daysAgo(20) }, { pgn })).expect(201);
    const overlap = await school.post('/api/v1/reports', reportBody(school, { beginDate: daysAgo(25), endDate: daysAgo(10) }, { pgn })).expect(422);
    expect(overlap.body.errors[0]).toMatchObject({ field: 'beginDate', code: 'TOO_SOON_AFTER_PREVIOUS' });
    const tooSoon = await school.post('/api/v1/reports', reportBody(school, { beginDate: daysAgo(19), endDate: daysAgo(15) }, { pgn })).expect(422);
    expect(tooSoon.body.errors[0]).toMatchObject({ field: 'endDate', code: 'TOO_SOON_AFTER_PREVIOUS' });
    await school.post('/api/v1/reports', reportBody(school, { beginDate: daysAgo(19), endDate: daysAgo(12) }, { pgn })).expect(201);
  });
});
