import fc from 'fast-check';
import request from 'supertest';
import { activePerson, signIn } from './support/people';
import { bsn, reportBody, TestApp, TestSchool } from './support/test-app';

/**
 * Hostile values of every type, sent to every operation of the OpenAPI document, as every kind of caller: no answer is
 * a 5xx, and a refused request (4xx) leaves the register as it was. The operations, their parameters and bodies are
 * read from the live document, so a new operation is fuzzed without a change here.
 */

type Schema = { $ref?: string; type?: string | string[]; properties?: Record<string, Schema>; items?: Schema; allOf?: Schema[]; oneOf?: Schema[]; anyOf?: Schema[] };
interface Operation {
  method: string;
  path: string;
  query: string[];
  headers: string[];
  body: Schema | null;
}
interface FuzzCaller {
  label: string;
  send: (method: string, path: string) => request.Test;
  session: boolean;
}

/** Text a validator, a parser or a database may choke on. */
const HOSTILE_TEXT = [
  '', ' ', '\u0000', 'a\u0000b', '\ud800', 'x\udfff', 'x'.repeat(5000), '0x1', '1e309', '-1', '+1', '1.0', '__proto__', 'constructor', '%00', '%ED%A0%80',
  '../../etc/passwd', '<script>alert(1)</script>', "' OR 1=1 --", '😀', 'null', 'true', '99999999999999999999999', '2026-02-30', '0000-00-00', '1900-01-01', '2100-12-31', 'GM0363',
  '00000000-0000-0000-0000-000000000000', 'vzl_abcdefgh_' + 'a'.repeat(43), '\r\nSet-Cookie: x=1', '\u202e', '=cmd|x',
];
const HOSTILE = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_TEXT) },
  fc.constantFrom(-1, 0, 1.5, 2 ** 53, -(2 ** 31) - 1, 1e308, 2147483648),
  fc.constantFrom(true, false, null),
  fc.constantFrom([], {}, [1, 2], [null], [{}], { a: 1 }, JSON.parse('{"__proto__":{"x":1}}'), JSON.parse('{"constructor":{"prototype":{"x":1}}}')),
  fc.string({ maxLength: 40 }),
  fc.integer(),
  fc.array(fc.constantFrom(...HOSTILE_TEXT), { maxLength: 3 }),
);
/** What may go into an HTTP header or a path: visible characters and a few hostile ones (URL-encoded for the path). */
const HEADER_TEXT = fc.constantFrom('', '"1"', 'W/"1"', '"99999999999"', '*', 'x'.repeat(300), '0x1', '"-1"', 'abc', '"1", "2"', '\u00e9');

/** A path segment as a client would send it; half a surrogate pair goes out as the bytes a broken client sends. */
function encodePath(text: string): string {
  // An empty segment would name another route (one the contract does not have); a space stands for it.
  if (text === '') return '%20';
  try {
    return encodeURIComponent(text);
  } catch {
    return '%ED%A0%80';
  }
}

function deepen(depth: number): unknown {
  return depth === 0 ? 'x' : { a: deepen(depth - 1) };
}

describe('hostile values at every operation of the API, as every caller', () => {
  let t: TestApp;
  let school: TestSchool;
  let other: TestSchool;
  let doc: {
    servers?: { url: string }[];
    paths: Record<string, Record<string, { parameters?: { in: string; name: string }[]; requestBody?: { content?: Record<string, { schema: Schema }> } }>>;
    components: { schemas: Record<string, Schema> };
  };
  let operations: Operation[];
  const callers: FuzzCaller[] = [];
  const valid: Record<string, unknown> = {};

  const resolve = (s: Schema | undefined): Schema | undefined => (s?.$ref ? doc.components.schemas[s.$ref.split('/').pop()!] : s);

  /** The register as a fingerprint: every table a refused request must leave alone (not the audit log, sessions or counters). */
  async function fingerprint(): Promise<string> {
    const [row] = await t.db.query(`SELECT md5(concat_ws('|',
      (SELECT string_agg(md5(r::text), ',' ORDER BY r.id) FROM report r),
      (SELECT count(*) FROM report_event), (SELECT count(*) FROM report_message), (SELECT count(*) FROM idempotency_key),
      (SELECT string_agg(md5(l::text), ',' ORDER BY l.id) FROM location l),
      (SELECT string_agg(md5(p::text), ',' ORDER BY p.id) FROM reporter p),
      (SELECT string_agg(md5(o::text), ',' ORDER BY o.id) FROM organisation o),
      (SELECT string_agg(md5(x::text), ',' ORDER BY x.municipality_id, x.kind) FROM routing_rule x),
      (SELECT string_agg(md5(m::text), ',' ORDER BY m.id) FROM outbox_message m),
      (SELECT string_agg(md5(h::text), ',' ORDER BY h.id) FROM hardware_token h),
      (SELECT string_agg(md5(row(k.id, k.name, k.roles, k.revoked_at)::text), ',' ORDER BY k.id) FROM api_key k),
      (SELECT string_agg(md5(row(u.id, u.username, u.name, u.email, u.roles, u.location_ids, u.mail_frequency, u.status, u.locked_at,
         u.password_hash, u.token_kind, u.totp_seed, u.hardware_token_id, u.activation_hash)::text), ',' ORDER BY u.id) FROM user_account u)
    )) AS f`);
    return row.f;
  }

  beforeAll(async () => {
    t = await TestApp.start();
    school = await t.newSchool();
    other = await t.newSchool('Andere');
    const filed = await school.post('/api/v1/reports', reportBody(school)).expect(201);
    doc = (await request(t.http).get('/api/openapi.json').expect(200)).body;
    operations = [];
    const server = (item: { servers?: { url: string }[] }) => (item.servers?.[0]?.url ?? doc.servers?.[0]?.url ?? '').replace(/\/$/, '');
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
        operations.push({
          method: method.toUpperCase(), path: `${server(item as { servers?: { url: string }[] })}${path}`,
          query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
          headers: (op.parameters ?? []).filter((p) => p.in === 'header').map((p) => p.name),
          body: op.requestBody?.content?.['application/json']?.schema ?? null,
        });
      }
    }
    // Valid bodies to start from, so that one hostile field is met deep in the handler, not at the first check.
    Object.assign(valid, {
      CreateReportInput: reportBody(school, {}, { pgn: bsn(900001) }),
      ReportSearchInput: { pgn: bsn(900001) },
      ChangeReportInput: { reason: 'Nieuwe reden' },
      StatusChangeInput: { status: 'IN_BEHANDELING' },
      MessageInput: { body: 'Bericht' },
      ForwardInput: { to: 'GM0344' },
      LocationInput: { code: '07', name: 'Nieuw', municipalityCode: 'GM0363' },
      ReporterInput: { name: 'M. Entor', function: 'Mentor', phone: '020 123 4567', email: 'm@school.example' },
      NewAccountInput: { username: 'nieuw.account', name: 'Nieuw', email: 'n@example.org', roles: ['lezer'], activation: 'LETTER' },
      NewApiKeyInput: { name: 'Pakket', roles: ['lezer'] },
      PasswordStepInput: { username: 'niemand', password: 'fout-wachtwoord-1' },
      MailboxInput: { mailbox: 'postbus@example.org' },
      PreferenceInput: { frequency: 'DAILY' },
      HardwareTokenInput: { serial: 'TOKEN-1', seed: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP' },
      AppointInput: { username: 'eerste.beheerder', name: 'Eerste', email: 'e@example.org', activation: 'LETTER' },
    });
    const values = { number: String(filed.body.number), id: other.location.id, code: 'GM0363' };
    Object.assign(valid, { pathValues: values });

    const key = (label: string, secret: string): FuzzCaller => ({
      label, session: false,
      send: (method, path) => (request(t.http) as unknown as Record<string, (p: string) => request.Test>)[method.toLowerCase()](path).set('Authorization', `Bearer ${secret}`),
    });
    const person = async (org: string, roles: string[]): Promise<FuzzCaller> => {
      const p = await activePerson(t, org, { username: `fuzz.${org.toLowerCase()}.${roles.join('-')}`, email: `fuzz.${org.toLowerCase()}@example.org`, roles });
      const { agent, csrf } = await signIn(t, p);
      return {
        label: `${org} ${roles.join('+')} (persoon)`, session: true,
        send: (method, path) => (agent as unknown as Record<string, (p: string) => request.Test>)[method.toLowerCase()](path).set('X-CSRF-Token', csrf),
      };
    };
    callers.push(
      { label: 'anoniem', session: false, send: (method, path) => (request(t.http) as unknown as Record<string, (p: string) => request.Test>)[method.toLowerCase()](path) },
      key('school melder+beheerder (sleutel)', school.key),
      key('school lezer (sleutel)', (await t.keyFor(school.org.code, ['lezer'])).key),
      key('gemeente behandelaar (sleutel)', (await t.keyFor('GM0363', ['behandelaar'])).key),
      await person(school.org.code, ['melder', 'lezer', 'beheerder']),
      await person('GM0363', ['behandelaar', 'beheerder']),
      await person('OPERATOR', ['operator']),
    );
  });
  afterAll(() => t?.stop());

  /** A body for the operation: a valid one with one hostile value somewhere in it, or something hostile instead. */
  function bodyArbitrary(schema: Schema | null): fc.Arbitrary<unknown> {
    if (!schema) return fc.constant(undefined);
    const base = valid[schema.$ref?.split('/').pop() ?? ''] ?? {};
    const paths = leaves(schema);
    const mutate = paths.length ? fc.tuple(fc.constantFrom(...paths), HOSTILE).map(([path, value]) => withValue(base, path, value)) : HOSTILE;
    return fc.oneof({ weight: 6, arbitrary: mutate }, { weight: 1, arbitrary: HOSTILE }, { weight: 1, arbitrary: fc.constant(deepen(40)) });
  }

  const wrong: string[] = [];
  let baseline = '';

  /** Sends one request and checks the answer: never a 5xx; refused, then the register is as it was; problem+json. */
  async function check(caller: FuzzCaller, op: Operation, url: string, body: unknown, header: string | null = null): Promise<number> {
    let req = caller.send(op.method, url);
    if (header !== null) for (const h of op.headers) req = req.set(h, header);
    const res = await (body === undefined ? req : req.set('Content-Type', 'application/json').send(JSON.stringify(body)));
    const label = `${caller.label}: ${op.method} ${url} ${JSON.stringify(body)?.slice(0, 160) ?? ''}`;
    if (res.status >= 500) wrong.push(`${label} -> ${res.status}`);
    const now = await fingerprint();
    if (res.status >= 400 && now !== baseline) wrong.push(`${label} -> ${res.status}, but the register changed`);
    if (res.status >= 400 && res.headers['content-type']?.startsWith('application/json')) wrong.push(`${label} -> ${res.status}, not problem+json`);
    baseline = now;
    return res.status;
  }

  /** Every leaf of a body schema, as paths of keys ('0' for the first element of a list). */
  function leaves(schema: Schema | null): string[][] {
    const out: string[][] = [];
    const walk = (s: Schema | undefined, at: string[], depth: number) => {
      const r = resolve(s);
      if (!r || depth > 3) return;
      for (const [key, child] of Object.entries(r.properties ?? {})) {
        out.push([...at, key]);
        walk(child, [...at, key], depth + 1);
        const items = resolve(child)?.items;
        if (items) walk(items, [...at, key, '0'], depth + 1);
      }
    };
    walk(schema ?? undefined, [], 0);
    return out;
  }

  function withValue(base: unknown, path: string[], value: unknown): unknown {
    const body = structuredClone(base ?? {}) as Record<string, unknown>;
    let node: Record<string, unknown> = body;
    for (const key of path.slice(0, -1)) {
      if (node[key] === null || typeof node[key] !== 'object') node[key] = /^\d+$/.test(key) ? [] : {};
      node = node[key] as Record<string, unknown>;
    }
    node[path[path.length - 1]] = value;
    return body;
  }

  /** Who may perform each operation: the guard refuses (401, 403) before reading input, so an empty body at an object that does not exist tells, without changing anything. */
  async function whoMay(): Promise<Map<Operation, FuzzCaller[]>> {
    const nowhere: Record<string, string> = { number: '999999', id: '00000000-0000-4000-8000-000000000000', code: 'ZZ99' };
    const allowed = new Map<Operation, FuzzCaller[]>();
    for (const op of operations) {
      const url = op.path.replace(/\{(\w+)\}/g, (_, name: string) => nowhere[name] ?? 'x');
      const may: FuzzCaller[] = [];
      for (const caller of usable(op)) {
        const probe = caller.send(op.method, url);
        const res = await (op.body ? probe.send({}) : probe);
        if (res.status !== 401 && res.status !== 403) may.push(caller);
      }
      allowed.set(op, may.length ? may : usable(op));
    }
    return allowed;
  }

  /** A session's own sign-out would end the session the rest of the run uses. */
  const usable = (op: Operation) => callers.filter((c) => !(c.session && op.method === 'DELETE' && op.path === '/api/v1/session'));

  it('meets each field, parameter and path of every operation with each kind of hostile value, as a caller who may perform it', async () => {
    const allowed = await whoMay();
    const pathValues = valid.pathValues as Record<string, string>;
    const KILLERS: unknown[] = ['a\u0000b', 'x\ud800', 1e308, -1, {}, [], 'x'.repeat(5000), JSON.parse('{"__proto__":{"polluted":1}}')];
    baseline = await fingerprint();
    let sent = 0;
    for (const op of operations) {
      const caller = allowed.get(op)![0];
      const url = op.path.replace(/\{(\w+)\}/g, (_, name: string) => pathValues[name] ?? 'x');
      const base = valid[op.body?.$ref?.split('/').pop() ?? ''];
      for (const path of leaves(op.body)) {
        for (const value of KILLERS) {
          await check(caller, op, url, withValue(base, path, value));
          sent++;
        }
      }
      for (const name of op.query) {
        // Hostile values, and valid ones at the edges of what validation lets through (the oldest and newest dates).
        for (const value of ['a\u0000b', '\ud800', 'x'.repeat(5000), '0x1', '-1', '99999999999999999999', '1900-01-01', '2100-12-31']) {
          await check(caller, op, `${url}?${new URLSearchParams({ [name]: value })}`, op.body ? base : undefined);
          sent++;
        }
      }
      if (op.path.includes('{')) {
        for (const value of ['%00', '%ED%A0%80', '..%2F..', 'x'.repeat(300), '0x1', '-1']) {
          await check(caller, op, op.path.replace(/\{(\w+)\}/g, value), op.body ? base : undefined);
          sent++;
        }
      }
    }
    expect({ sent: sent > 300, wrong }).toEqual({ sent: true, wrong: [] });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }, 300_000);

  it('answers no random hostile request with a 5xx, and refused ones change nothing', async () => {
    const allowed = await whoMay();
    const pathValues = valid.pathValues as Record<string, string>;
    wrong.length = 0;
    baseline = await fingerprint();
    const runs = Number(process.env.FUZZ_RUNS ?? 400);
    let sent = 0;
    const request$ = fc.constantFrom(...operations).chain((op) => fc.record({
      op: fc.constant(op),
      caller: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...allowed.get(op)!) }, { weight: 1, arbitrary: fc.constantFrom(...usable(op)) }),
      path: fc.array(fc.oneof(fc.constant(null), fc.constantFrom(...HOSTILE_TEXT)), { minLength: 3, maxLength: 3 }),
      query: fc.array(fc.tuple(fc.constantFrom('', ...op.query), fc.constantFrom(...HOSTILE_TEXT)), { maxLength: 3 }),
      header: fc.option(HEADER_TEXT),
      body: bodyArbitrary(op.body),
    }));
    await fc.assert(
      fc.asyncProperty(request$, async ({ op, caller, path, query, header, body }) => {
        let i = 0;
        const url = op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
          const hostile = path[i++];
          return hostile === null ? pathValues[name] ?? 'x' : encodePath(hostile);
        });
        const search = new URLSearchParams(query.filter(([k]) => k !== '').map(([k, v]): [string, string] => [k, v])).toString();
        await check(caller, op, search ? `${url}?${search}` : url, body, header);
        sent++;
      }),
      { numRuns: runs, seed: Number(process.env.FUZZ_SEED ?? 20261201), endOnFailure: true },
    );
    expect(wrong).toEqual([]);
    expect(sent).toBe(runs);
  }, 300_000);
});
