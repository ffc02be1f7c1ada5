import request from 'supertest';
import { AccountsService } from '../src/identity/accounts.service';
import { Role } from '../src/identity/permissions';
import { Permission } from '../src/kernel/permission';
import { OrganisationType } from '../src/kernel/organisation-type';
import { EXPECTED_ROLES, expectedAllowed } from './support/expected-rights';
import { activePerson, newRegionalOffice, signIn } from './support/people';
import { Route, routesOf } from './support/routes';
import { bornAged, bsn, reportBody, TestApp, TestSchool } from './support/test-app';

/**
 * Who may call which route, checked against the rights written down by hand (test/support/expected-rights.ts), not
 * against src/identity/permissions.ts: every route the application serves (API and pages), for a person of every
 * role and a key of every role, in every kind of organisation, the regional office included.
 */

interface CallerSpec {
  type: OrganisationType;
  roles: Role[];
  machine: boolean;
}

/** Each role alone, as a person and as a key, per kind of organisation; and the combinations people and systems really hold. */
const SPECS: CallerSpec[] = [
  ...Object.values(OrganisationType).flatMap((type) =>
    EXPECTED_ROLES[type].flatMap((role) => [false, true].map((machine) => ({ type, roles: [role as Role], machine }))),
  ),
  { type: OrganisationType.SCHOOL, roles: [Role.MELDER, Role.BEHEERDER], machine: true }, // a school administration system
  { type: OrganisationType.SCHOOL, roles: [Role.MELDER, Role.LEZER, Role.BEHEERDER], machine: false },
  { type: OrganisationType.GEMEENTE, roles: [Role.BEHANDELAAR, Role.BEHEERDER], machine: false },
];
const labelOf = (s: CallerSpec) => `${s.type} ${s.roles.join('+')} (${s.machine ? 'sleutel' : 'persoon'})`;

interface Caller {
  spec: CallerSpec;
  call: (method: string, path: string, payload?: object) => request.Test;
}

/** A valid body per route, so that the answer is about access and existence, not about the input. */
const BODIES: Record<string, object> = {
  'PATCH /api/v1/reports/:number': { reason: 'Nieuwe reden' },
  'POST /api/v1/reports/:number/messages': { body: 'Bericht' },
  'POST /api/v1/reports/:number/status': { status: 'IN_BEHANDELING' },
  'POST /api/v1/reports/:number/forward': { to: 'GM0344' },
  'PUT /api/v1/users/:id/roles': { roles: ['lezer'] },
  'POST /api/v1/users/:id/token/hardware': { tokenId: '00000000-0000-4000-8000-000000000000' },
  'PUT /api/v1/notifications/preferences/:id': { frequency: 'DAILY' },
  'PUT /api/v1/reports/:number/assignment': { userId: null },
};
const bodyFor = (route: Route) => BODIES[`${route.method} ${route.path}`] ?? {};
/** The API takes JSON, the pages take forms (a page refuses JSON with 415 before anyone asks who is calling). */
const sent = (path: string, req: request.Test, payload: object) => (path.startsWith('/api/') ? req.send(payload) : req.type('form').send(payload as Record<string, string>));

describe('the access matrix, against the rights written down by hand', () => {
  let t: TestApp;
  let routes: Route[];
  let school: TestSchool;
  let otherSchool: TestSchool;
  const codeOf: Partial<Record<OrganisationType, string>> = { GEMEENTE: 'GM0363', REGIONAAL_BUREAU: 'RBL-MATRIX', RMC_REGIO: 'RMC21', OPERATOR: 'OPERATOR' };
  /** A report each kind of organisation sees (filed by the school, or routed to the receiver), and one nobody of them sees. */
  const visible: Partial<Record<OrganisationType, string>> = {};
  let invisible: string;
  let spareLocationId: string;
  let people = 0;

  async function callerFor(spec: CallerSpec): Promise<Caller> {
    const orgCode = codeOf[spec.type]!;
    if (spec.machine) {
      const key = await t.keyFor(orgCode, spec.roles);
      return {
        spec,
        call: (method, path, payload = {}) =>
          sent(path, (request(t.http) as unknown as Record<string, (p: string) => request.Test>)[method.toLowerCase()](path)
            .set('Authorization', `Bearer ${key.key}`).set('If-Match', '"1"'), payload),
      };
    }
    const username = `matrix.${++people}`;
    const someone = await activePerson(t, orgCode, { username, email: `${username}@example.org`, roles: spec.roles });
    const { agent, csrf } = await signIn(t, someone);
    return {
      spec,
      call: (method, path, payload = {}) =>
        sent(path, (agent as unknown as Record<string, (p: string) => request.Test>)[method.toLowerCase()](path)
          .set('X-CSRF-Token', csrf).set('If-Match', '"1"'), payload),
    };
  }

  /** The highest id of a refusal by the access guard: every refusal it makes is logged as ACCESS_DENIED, API and pages alike. */
  async function lastRefusal(): Promise<bigint> {
    const [row] = await t.db.query(`SELECT coalesce(max(id), 0)::text AS id FROM audit_event WHERE action = 'ACCESS_DENIED'`);
    return BigInt(row.id);
  }

  function pathFor(route: Route, spec: CallerSpec): string {
    const values: Record<string, string> = {
      number: visible[spec.type] ?? invisible, id: spareLocationId, code: 'GM0363', deliveryId: '00000000-0000-4000-8000-000000000000', schoolYear: '2025-2026',
    };
    return route.path.replace(/:(\w+)/g, (_, name: string) => values[name] ?? 'x');
  }

  beforeAll(async () => {
    t = await TestApp.start();
    routes = routesOf(t.app).filter((r) => !r.path.startsWith('/api/docs'));
    school = await t.newSchool();
    otherSchool = await t.newSchool('Andere school');
    codeOf.SCHOOL = school.org.code;
    await newRegionalOffice(t, 'RBL-MATRIX', ['GM0362']);
    const amstelveen = { street: 'Stadsplein', houseNumber: 1, postcode: '1181 ZM', place: 'Amstelveen', municipalityCode: 'GM0362' };
    const utrecht = { street: 'Oudegracht', houseNumber: 1, postcode: '3511 AA', place: 'Utrecht', municipalityCode: 'GM0344' };
    const own = await school.post('/api/v1/reports', reportBody(school)).expect(201);
    const toOffice = await school.post('/api/v1/reports', reportBody(school, {}, { pgn: bsn(555), registeredAddress: amstelveen })).expect(201);
    expect(toOffice.body.receiver).toMatchObject({ code: 'RBL-MATRIX', type: 'REGIONAAL_BUREAU' });
    const toRegion = await school.post('/api/v1/reports', reportBody(school, { kind: 'RMC' }, { pgn: bsn(666), birthDate: bornAged(19) })).expect(201);
    expect(toRegion.body.receiver).toMatchObject({ code: 'RMC21' });
    const other = await otherSchool.post('/api/v1/reports', reportBody(otherSchool, {}, { pgn: bsn(777), registeredAddress: utrecht })).expect(201);
    Object.assign(visible, { SCHOOL: String(own.body.number), GEMEENTE: String(own.body.number), REGIONAAL_BUREAU: String(toOffice.body.number), RMC_REGIO: String(toRegion.body.number) });
    invisible = String(other.body.number);
    // Routes that change a location get one of its own, so that what an allowed caller does with it spoils nothing else.
    spareLocationId = (await school.post('/api/v1/locations', { code: '09', name: 'Reservelocatie', municipalityCode: 'GM0363' }).expect(201)).body.id;
  });
  afterAll(() => t.stop());

  it('finds a stated permission, or an explicit @Public, on every route', () => {
    expect(routes.length).toBeGreaterThan(100);
    expect(routes.filter((r) => !r.isPublic && !r.permission).map((r) => `${r.method} ${r.path}`)).toEqual([]);
    expect(routes.filter((r) => r.permission && !Object.values(Permission).includes(r.permission)).map((r) => `${r.method} ${r.path}`)).toEqual([]);
  });

  it('has a caller of every role of every kind of organisation, as person and as key', () => {
    for (const type of Object.values(OrganisationType)) {
      for (const role of EXPECTED_ROLES[type]) {
        for (const machine of [false, true]) expect(SPECS.some((s) => s.type === type && s.machine === machine && s.roles.join() === role)).toBe(true);
      }
    }
  });

  describe.each(SPECS.map((s) => [labelOf(s), s] as const))('%s', (_label, spec) => {
    it('is let through exactly the routes the table gives it, API and pages', async () => {
      const caller = await callerFor(spec);
      const wrong: string[] = [];
      for (const route of routes.filter((r) => !r.isPublic)) {
        const before = await lastRefusal();
        const res = await caller.call(route.method, pathFor(route, spec), bodyFor(route));
        const refused = (await lastRefusal()) > before;
        const allowed = expectedAllowed(spec.roles, spec.machine, route.permission!);
        if (res.status === 401 || allowed === refused || res.status >= 500) {
          wrong.push(`${route.method} ${route.path} (${route.permission}) -> ${res.status}${refused ? ' refused by the guard' : ''}; the table says ${allowed ? 'allow' : 'deny'}`);
        }
        if (refused && route.path.startsWith('/api/')) expect([route.path, res.status, res.body.detail]).toEqual([route.path, 403, 'U heeft geen recht op deze handeling.']);
      }
      expect(wrong).toEqual([]);
    });

    it("answers 404 for another organisation's report, whatever it may do with its own", async () => {
      const caller = await callerFor(spec);
      const wrong: string[] = [];
      for (const route of routes.filter((r) => r.path.includes(':number') && r.path.startsWith('/api/'))) {
        if (!expectedAllowed(spec.roles, spec.machine, route.permission!)) continue;
        const res = await caller.call(route.method, route.path.replace(':number', invisible), bodyFor(route));
        if (res.status !== 404) wrong.push(`${route.method} ${route.path} -> ${res.status}`);
      }
      expect(wrong).toEqual([]);
      if (expectedAllowed(spec.roles, spec.machine, Permission.REPORT_READ)) {
        await caller.call('GET', `/api/v1/reports/${visible[spec.type]}`).expect(200);
      }
    });
  });

  it("answers 404 for another school's location, reporter, account and failed e-mail", async () => {
    const otherAccount = await t.app.get(AccountsService).appoint(otherSchool.org.code, { username: 'andere.beheerder', name: 'Ander', email: 'ander@example.org' }, 'LETTER');
    const [otherMail] = await t.db.query(
      `INSERT INTO outbox_message (template, organisation_id, recipient, status) VALUES ('digest', $1, 'ander@example.org', 'FAILED') RETURNING id`,
      [otherSchool.org.id],
    );
    const otherIdFor = (path: string) => (/\/(users|preferences)\//.test(path) ? otherAccount.user.id : path.includes('/failed/') ? otherMail.id : otherSchool.location.id);
    const wrong: string[] = [];
    for (const spec of SPECS.filter((s) => s.type === OrganisationType.SCHOOL)) {
      const caller = await callerFor(spec);
      for (const route of routes.filter((r) => r.path.startsWith('/api/') && ((r.path.includes(':id') && r.method !== 'GET') || r.path.endsWith('users/:id')))) {
        if (!expectedAllowed(spec.roles, spec.machine, route.permission!)) continue;
        const res = await caller.call(route.method, route.path.replace(':id', otherIdFor(route.path)), bodyFor(route));
        if (res.status !== 404) wrong.push(`${labelOf(spec)}: ${route.method} ${route.path} -> ${res.status}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('needs every permission of the table on some route', () => {
    const needed = new Set(routes.map((r) => r.permission).filter(Boolean));
    expect(Object.values(Permission).filter((p) => !needed.has(p))).toEqual([]);
  });
});
