import request from 'supertest';
import { AccountsService } from '../src/identity/accounts.service';
import { ApiKeysService } from '../src/identity/api-keys.service';
import { OrganisationsService } from '../src/organisations/organisations.service';
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
  /** The audit log's actor id of this person or key: its refusals are found by it. */
  actorId: string;
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
      const org = await t.app.get(OrganisationsService).requireByCode(orgCode, 'code');
      const { key, secret } = await t.app.get(ApiKeysService).create(org, `matrix ${++people}`, spec.roles);
      return {
        spec,
        actorId: key.id,
        call: (method, path, payload = {}) =>
          sent(path, (request(t.http) as unknown as Record<string, (p: string) => request.Test>)[method.toLowerCase()](path)
            .set('Authorization', `Bearer ${secret}`).set('If-Match', '"1"'), payload),
      };
    }
    const username = `matrix.${++people}`;
    const someone = await activePerson(t, orgCode, { username, email: `${username}@example.org`, roles: spec.roles });
    const { agent, csrf } = await signIn(t, someone);
    return {
      spec,
      actorId: someone.user.id,
      call: (method, path, payload = {}) =>
        sent(path, (agent as unknown as Record<string, (p: string) => request.Test>)[method.toLowerCase()](path)
          .set('X-CSRF-Token', csrf).set('If-Match', '"1"'), payload),
    };
  }

  /**
   * The routes the access guard refused this caller, as "METHOD /path/:template": every refusal it makes is logged as
   * ACCESS_DENIED with the route, API and pages alike. A caller calls each route once, so callers can run side by side.
   */
  async function refusalsOf(caller: Caller): Promise<Set<string>> {
    const rows: { route: string }[] = await t.db.query(`SELECT details->>'route' AS route FROM audit_event WHERE action = 'ACCESS_DENIED' AND actor_id = $1`, [caller.actorId]);
    return new Set(rows.map((r) => r.route.replace(/(.)\/$/, '$1')));
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

  /**
   * One test per kind of organisation; its callers run side by side (each calls every route once, in order), which the
   * per-caller refusals allow. What one allowed caller changes (a location, a report's status) can change another's
   * answer from 200 to 404 or 409, never whether the guard lets it through.
   */
  /** Every route for every caller of a kind: a few minutes on a busy machine; a test that hangs still fails. */
  const WHOLE_KIND = 900_000;

  describe.each(Object.values(OrganisationType))('%s', (type) => {
    const specs = SPECS.filter((s) => s.type === type);

    it('lets every role, person and key, through exactly the routes the table gives it, API and pages', async () => {
      const wrong = await Promise.all(
        specs.map(async (spec) => {
          const caller = await callerFor(spec);
          const answers: { route: Route; status: number; detail: unknown }[] = [];
          for (const route of routes.filter((r) => !r.isPublic)) {
            const res = await caller.call(route.method, pathFor(route, spec), bodyFor(route));
            answers.push({ route, status: res.status, detail: res.body?.detail });
          }
          const refusals = await refusalsOf(caller);
          const found: string[] = [];
          for (const { route, status, detail } of answers) {
            const refused = refusals.has(`${route.method} ${route.path}`);
            const allowed = expectedAllowed(spec.roles, spec.machine, route.permission!);
            if (status === 401 || allowed === refused || status >= 500) {
              found.push(`${labelOf(spec)}: ${route.method} ${route.path} (${route.permission}) -> ${status}${refused ? ' refused by the guard' : ''}; the table says ${allowed ? 'allow' : 'deny'}`);
            }
            if (refused && route.path.startsWith('/api/') && (status !== 403 || detail !== 'U heeft geen recht op deze handeling.')) {
              found.push(`${labelOf(spec)}: ${route.method} ${route.path} refused with ${status} ${String(detail)}`);
            }
          }
          // Every refusal logged belongs to a route called: none is counted against a route it did not come from.
          const called = new Set(answers.map(({ route }) => `${route.method} ${route.path}`));
          for (const r of refusals) if (!called.has(r)) found.push(`${labelOf(spec)}: a refusal for ${r}, which is not a route of the table`);
          return found;
        }),
      );
      expect(wrong.flat()).toEqual([]);
    }, WHOLE_KIND);

    it("answers 404 for another organisation's report, whatever it may do with its own", async () => {
      const wrong = await Promise.all(
        specs.map(async (spec) => {
          const caller = await callerFor(spec);
          const found: string[] = [];
          for (const route of routes.filter((r) => r.path.includes(':number') && r.path.startsWith('/api/'))) {
            if (!expectedAllowed(spec.roles, spec.machine, route.permission!)) continue;
            const res = await caller.call(route.method, route.path.replace(':number', invisible), bodyFor(route));
            if (res.status !== 404) found.push(`${labelOf(spec)}: ${route.method} ${route.path} -> ${res.status}`);
          }
          if (expectedAllowed(spec.roles, spec.machine, Permission.REPORT_READ)) {
            const own = await caller.call('GET', `/api/v1/reports/${visible[spec.type]}`);
            if (own.status !== 200) found.push(`${labelOf(spec)}: its own report -> ${own.status}`);
          }
          return found;
        }),
      );
      expect(wrong.flat()).toEqual([]);
    }, WHOLE_KIND);
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
