import { todayInNL } from '../src/common/dates';
import { bornAged, bsn, Caller, daysAgo, reportBody, TestApp, TestSchool } from './support/test-app';

/**
 * The rules of report-rules.ts and report-access.ts as a school and an officer meet them through the API: what a unit
 * test proves of a function, proved of the answer (a field error, not a 500; an ETag that works from version 10 on).
 */
describe('the report rules through the API', () => {
  let t: TestApp;
  let school: TestSchool;
  let amsterdam: Caller;
  let pupil = 20000;
  const zaanstad = { street: 'Stationsplein', houseNumber: 1, postcode: '1506 DZ', place: 'Zaandam', municipalityCode: 'GM0479' };

  beforeAll(async () => {
    t = await TestApp.start();
    school = await t.newSchool();
    amsterdam = await t.keyFor('GM0363');
  });
  afterAll(() => t.stop());

  const file = (overrides: Record<string, unknown>, child: Record<string, unknown> = {}) =>
    school.post('/api/v1/reports', reportBody(school, overrides, { pgn: bsn(++pupil), ...child }));

  it('refuses an 18+ pupil whose municipality belongs to no RMC region with a 422 that names the address field', async () => {
    await t.db.query(`UPDATE organisation SET rmc_region_id = NULL WHERE code = 'GM0479'`);
    const res = await file({ kind: 'RMC' }, { birthDate: bornAged(19), registeredAddress: zaanstad }).expect(422);
    expect(res.body.errors).toEqual([
      { field: 'pupil.registeredAddress.municipalityCode', code: 'UNKNOWN_MUNICIPALITY', message: 'pupil.registeredAddress.municipalityCode: De woongemeente hoort bij geen RMC-regio.' },
    ]);
    const deviating = await file({ kind: 'RMC' }, { birthDate: bornAged(19), residenceAddress: zaanstad }).expect(422);
    expect(deviating.body.errors.map((e: { field: string }) => e.field)).toEqual(['pupil.residenceAddress.municipalityCode']);
    // Under 18 the municipality itself receives the report.
    const young = await file({}, { registeredAddress: zaanstad }).expect(201);
    expect(young.body.receiver.code).toBe('GM0479');
  });

  it('accepts a one-day absence of today, and one of a day last week', async () => {
    const today = todayInNL();
    await file({ beginDate: today, endDate: today }).expect(201);
    await file({ beginDate: daysAgo(7), endDate: daysAgo(7) }).expect(201);
  });

  it('answers a birth date after the begin date with a field error, not a 500', async () => {
    const res = await file({ beginDate: daysAgo(10), endDate: daysAgo(3) }, { birthDate: daysAgo(5) }).expect(422);
    expect(res.body.errors).toEqual([{ field: 'pupil.birthDate', code: 'AGE_DOES_NOT_FIT_KIND', message: 'pupil.birthDate: ligt na de begindatum van het verzuim' }]);
  });

  it('refuses a luxeverzuim report for a 3-year-old', async () => {
    const res = await file({ kind: 'LUXE', endDate: undefined }, { birthDate: bornAged(3) }).expect(422);
    expect(res.body.errors.map((e: { field: string; code: string }) => `${e.field}:${e.code}`)).toEqual(['pupil.birthDate:AGE_DOES_NOT_FIT_KIND']);
  });

  it('lets the officer reopen a report taken for notice', async () => {
    const { body } = await file({}).expect(201);
    const noted = await amsterdam.post(`/api/v1/reports/${body.number}/status`, { status: 'TER_KENNISNEMING_AANGENOMEN' }).set('If-Match', '"1"').expect(200);
    expect(noted.body.status).toBe('TER_KENNISNEMING_AANGENOMEN');
    const reopened = await amsterdam.post(`/api/v1/reports/${body.number}/status`, { status: 'IN_BEHANDELING' }).set('If-Match', noted.headers.etag).expect(200);
    expect(reopened.body.status).toBe('IN_BEHANDELING');
  });

  it('updates a report at version 10 and beyond with its ETag, and answers 412 to an If-Match it cannot read', async () => {
    const { body } = await file({}).expect(201);
    const n = body.number;
    let etag = '"1"';
    for (let i = 1; i <= 10; i++) {
      const res = await school.patch(`/api/v1/reports/${n}`, { hoursMissed: 18 + i }).set('If-Match', etag).expect(200);
      etag = res.headers.etag;
    }
    expect(etag).toBe('"11"');
    const weak = await school.patch(`/api/v1/reports/${n}`, { hoursMissed: 40 }).set('If-Match', `W/${etag}`).expect(200);
    expect(weak.headers.etag).toBe('"12"');
    for (const unreadable of ['abc', '"12', 'W/', '"1.5"']) {
      const res = await school.patch(`/api/v1/reports/${n}`, { hoursMissed: 41 }).set('If-Match', unreadable).expect(412);
      expect([unreadable, res.body.code]).toEqual([unreadable, 'PRECONDITION_FAILED']);
    }
    expect((await school.get(`/api/v1/reports/${n}`).expect(200)).body.hoursMissed).toBe(40);
  });
});
