import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import request from 'supertest';
import { AccountsService } from '../src/identity/accounts.service';
import { ALLOW_KEY, PUBLIC_KEY, Permission } from '../src/kernel/access';
import { Role, ROLE_PERMISSIONS, ROLES_BY_ORGANISATION, permissionsOf } from '../src/identity/permissions';
import { OrganisationsService } from '../src/organisations/organisations.service';
import { activePerson, signIn } from './support/people';
import { bsn, reportBody, TestApp, TestSchool } from './support/test-app';
import { OrganisationType } from '../src/kernel/organisation-type';

interface Route {
  method: string;
  path: string;
  permission: Permission | undefined;
  isPublic: boolean;
}

const GUARD_REFUSAL = 'U heeft geen recht op deze handeling.';

/** Every route the application serves, with the permission it states (read from the decorators). */
function routesOf(t: TestApp): Route[] {
  const routes: Route[] = [];
  for (const module of t.app.get(ModulesContainer).values()) {
    for (const { metatype } of module.controllers.values()) {
      if (!metatype) continue;
      const base = String(Reflect.getMetadata(PATH_METADATA, metatype) ?? '');
      for (const name of Object.getOwnPropertyNames(metatype.prototype)) {
        const handler = metatype.prototype[name];
        if (name === 'constructor' || typeof handler !== 'function' || Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
        const path = `/${base}/${String(Reflect.getMetadata(PATH_METADATA, handler) ?? '')}`.replace(/\/+/g, '/').replace(/\/$/, '');
        routes.push({
          method: RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod],
          path,
          permission: Reflect.getMetadata(ALLOW_KEY, handler) ?? Reflect.getMetadata(ALLOW_KEY, metatype),
          isPublic: Reflect.getMetadata(PUBLIC_KEY, handler) === true,
        });
      }
    }
  }
  return routes.filter((r) => !r.path.startsWith('/api/docs'));
}

describe('the access matrix, generated from the permission table', () => {
  let t: TestApp;
  let routes: Route[];
  let school: TestSchool;
  let otherSchool: TestSchool;
  const objects: Record<string, { own: string; other: string }> = {};

  type Caller = { label: string; orgType: OrganisationType; permissions: Set<Permission>; call: (method: string, path: string, payload?: object) => request.Test };

  /** A valid body per route, so that the answer is about access and existence, not about the input. */
  const BODIES: Record<string, object> = {
    'PATCH /api/v1/reports/:number': { reason: 'Nieuwe reden' },
    'POST /api/v1/reports/:number/messages': { body: 'Bericht' },
    'POST /api/v1/reports/:number/status': { status: 'IN_BEHANDELING' },
    'POST /api/v1/reports/:number/forward': { to: 'GM0344' },
    'PUT /api/v1/users/:id/roles': { roles: ['lezer'] },
    'POST /api/v1/users/:id/token/hardware': { tokenId: '00000000-0000-4000-8000-000000000000' },
    'PUT /api/v1/notifications/preferences/:id': { frequency: 'DAILY' },
  };
  const bodyFor = (route: Route) => BODIES[`${route.method} ${route.path}`] ?? {};
  const callers: Caller[] = [];

  async function person(orgCode: string, roles: Role[]): Promise<Caller> {
    const username = `m.${orgCode.toLowerCase()}.${roles.join('-')}`;
    const someone = await activePerson(t, orgCode, { username, email: `${username}@example.org`, roles });
    const { agent, csrf } = await signIn(t, someone);
    const org = await t.app.get(OrganisationsService).requireByCode(orgCode, 'org');
    return {
      label: `${org.type} ${roles.join('+')} (persoon)`,
      orgType: org.type,
      permissions: permissionsOf(roles, false),
      call: (method, path, payload = {}) =>
        (agent as unknown as Record<string, (p: string) => request.Test>)[method.toLowerCase()](path).set('X-CSRF-Token', csrf).set('If-Match', '"1"').send(payload),
    };
  }

  async function key(orgCode: string, roles?: Role[]): Promise<Caller> {
    const c = await t.keyFor(orgCode, roles);
    const org = c.org;
    const effective = roles ?? ({ SCHOOL: [Role.MELDER, Role.BEHEERDER], OPERATOR: [Role.OPERATOR] } as Record<string, Role[]>)[org.type] ?? [Role.BEHANDELAAR];
    return {
      label: `${org.type} ${effective.join('+')} (sleutel)`,
      orgType: org.type,
      permissions: permissionsOf(effective, true),
      call: (method, path, payload = {}) =>
        (request(t.http) as unknown as Record<string, (p: string) => request.Test>)[method.toLowerCase()](path).set('Authorization', `Bearer ${c.key}`).set('If-Match', '"1"').send(payload),
    };
  }

  beforeAll(async () => {
    t = await TestApp.start();
    routes = routesOf(t);
    school = await t.newSchool();
    otherSchool = await t.newSchool('Andere school');
    const own = await school.post('/api/v1/reports', reportBody(school)).expect(201);
    const other = await otherSchool.post('/api/v1/reports', reportBody(otherSchool, {}, { pgn: bsn(777), registeredAddress: { street: 'Oudegracht', houseNumber: 1, postcode: '3511 AA', place: 'Utrecht', municipalityCode: 'GM0344' } })).expect(201);
    objects.number = { own: String(own.body.number), other: String(other.body.number) };
    objects.id = { own: school.location.id, other: otherSchool.location.id };
    objects.code = { own: 'GM0363', other: 'GM0363' };
    const accounts = t.app.get(AccountsService);
    await accounts.appoint(school.org.code, { username: 'matrix.first', name: 'Eerste beheerder', email: 'eerste@example.org' }, 'LETTER');
    for (const [orgCode, type] of [[school.org.code, OrganisationType.SCHOOL], ['GM0363', OrganisationType.GEMEENTE], ['OPERATOR', OrganisationType.OPERATOR]] as const) {
      for (const role of ROLES_BY_ORGANISATION[type]) callers.push(await person(orgCode, [role]));
      callers.push(await key(orgCode));
    }
    callers.push(await key(school.org.code, [Role.LEZER]));
  });
  afterAll(() => t.stop());

  it('finds a stated permission, or an explicit @Public, on every route', () => {
    expect(routes.length).toBeGreaterThan(30);
    const unstated = routes.filter((r) => !r.isPublic && !r.permission).map((r) => `${r.method} ${r.path}`);
    expect(unstated).toEqual([]);
    const unknown = routes.filter((r) => r.permission && !Object.values(Permission).includes(r.permission)).map((r) => `${r.method} ${r.path}`);
    expect(unknown).toEqual([]);
  });

  it('gives each role exactly the routes of its permissions, and machine keys none of the human-only ones', async () => {
    const wrong: string[] = [];
    for (const caller of callers) {
      // The API's routes; the portal's pages state the same permissions and are walked in a browser (portal.e2e-spec).
      for (const route of routes.filter((r) => !r.isPublic && r.path.startsWith('/api/'))) {
        const path = route.path.replace(/:(\w+)/g, (_, name: string) => objects[name]?.own ?? 'x');
        const res = await caller.call(route.method, path);
        const refusedByGuard = res.status === 403 && res.body.detail === GUARD_REFUSAL;
        const allowed = caller.permissions.has(route.permission!);
        if (res.status === 401 || allowed === refusedByGuard || res.status >= 500) {
          wrong.push(`${caller.label}: ${route.method} ${route.path} -> ${res.status} ${res.body.code ?? ''} (table says ${allowed ? 'allow' : 'deny'})`);
        }
      }
    }
    expect(wrong).toEqual([]);
  }, 300_000); // every role of three organisations against every API route: minutes on a loaded machine

  it("answers 404 for another organisation's report, whatever the permitted role does with it", async () => {
    const wrong: string[] = [];
    for (const caller of callers) {
      for (const route of routes.filter((r) => r.path.includes(':number') && r.path.startsWith('/api/'))) {
        if (!caller.permissions.has(route.permission!)) continue;
        const res = await caller.call(route.method, route.path.replace(':number', objects.number.other), bodyFor(route));
        if (res.status !== 404) wrong.push(`${caller.label}: ${route.method} ${route.path} -> ${res.status}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("answers 404 for another school's location, reporter, account and failed e-mail", async () => {
    const schoolCallers = callers.filter((c) => c.orgType === OrganisationType.SCHOOL);
    const wrong: string[] = [];
    const otherAccount = await t.app.get(AccountsService).appoint(otherSchool.org.code, { username: 'andere.beheerder', name: 'Ander', email: 'ander@example.org' }, 'LETTER');
    const [otherMail] = await t.db.query(
      `INSERT INTO outbox_message (template, organisation_id, recipient, status) VALUES ('digest', $1, 'ander@example.org', 'FAILED') RETURNING id`,
      [otherSchool.org.id],
    );
    const otherIdFor = (path: string) =>
      /\/(users|preferences)\//.test(path) ? otherAccount.user.id : path.includes('/failed/') ? otherMail.id : objects.id.other;
    for (const caller of schoolCallers) {
      for (const route of routes.filter((r) => r.path.startsWith('/api/') && (r.path.includes(':id') && r.method !== 'GET' || r.path.endsWith('users/:id')))) {
        if (!caller.permissions.has(route.permission!)) continue;
        const otherId = otherIdFor(route.path);
        const res = await caller.call(route.method, route.path.replace(':id', otherId), bodyFor(route));
        if (res.status !== 404) wrong.push(`${caller.label}: ${route.method} ${route.path} -> ${res.status}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('lists in the permission table only permissions that some route needs', () => {
    const needed = new Set(routes.map((r) => r.permission).filter(Boolean));
    const granted = new Set(Object.values(ROLE_PERMISSIONS).flat());
    expect([...granted].filter((p) => !needed.has(p))).toEqual([]);
  });
});
