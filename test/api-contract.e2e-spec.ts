import { RequestMethod } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import request from 'supertest';
import { ErrorCode } from '../src/common/problem';
import { ConfigError, loadConfig } from '../src/config/app-config';
import { ClosingExplanation, ClosingReason, ReportKind, ReportStatus } from '../src/kernel/report-codes';
import { contractOf } from './support/contract';
import { TestApp } from './support/test-app';

/**
 * The published contract: /api/openapi.json must describe every route the application serves, with a summary, the
 * security it needs and its problem answers; the health endpoints and the configuration check behave as documented.
 */

type Schema = { $ref?: string; enum?: string[]; items?: Schema; allOf?: Schema[]; oneOf?: Schema[]; anyOf?: Schema[]; properties?: Record<string, Schema> };
type Operation = {
  summary?: string;
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string; schema?: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
};
type OpenApi = {
  openapi: string;
  info: { version: string; contact?: Record<string, string> };
  servers: { url: string }[];
  security?: unknown;
  paths: Record<string, Record<string, Operation> & { servers?: { url: string }[] }>;
  components: { schemas: Record<string, Schema>; securitySchemes: Record<string, { type: string; scheme?: string; in?: string; name?: string }> };
};

const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'];

const KINDS = ['16U', 'LRV', 'LUXE', 'RMC', 'OVERIG'];
const STATUSES = ['GEREGISTREERD', 'IN_BEHANDELING', 'AFGESLOTEN', 'TER_KENNISNEMING_AANGENOMEN', 'INGETROKKEN'];
const RECEIVER_STATUSES = ['IN_BEHANDELING', 'AFGESLOTEN', 'TER_KENNISNEMING_AANGENOMEN'];
const CLOSING_REASONS = ['TERUG_NAAR_SCHOOL', 'ANDERE_OPLEIDING', 'WERK', 'OVERIGE_REDENEN', 'OVERLEDEN', 'LANGDURIG_ZIEK', 'LEGITIEM_AFWEZIG'];
const CLOSING_EXPLANATIONS = ['GEZIEN', 'ACTIE', 'GEEN_ACTIE'];

describe('the API contract', () => {
  let t: TestApp;
  let doc: OpenApi;
  /** "GET /api/v1/reports/{number}" for every route the Nest application registered on its HTTP server. */
  let served: string[];

  const schemaNamed = (name: string): Schema => {
    const s = doc.components.schemas[name];
    if (!s) throw new Error(`schema ${name} ontbreekt in de OpenAPI-beschrijving`);
    return s;
  };
  const resolve = (s: Schema): Schema => (s.$ref ? resolve(schemaNamed(s.$ref.replace('#/components/schemas/', ''))) : s);
  /** The enum values a property allows, following $ref, allOf/oneOf and array items. */
  const enumOf = (s: Schema | undefined): string[] => {
    if (!s) return [];
    const r = resolve(s);
    if (r.enum) return [...r.enum];
    if (r.items) return enumOf(r.items);
    for (const parts of [r.allOf, r.oneOf, r.anyOf]) if (parts) return parts.flatMap(enumOf);
    return [];
  };
  /** Every operation, with its path as the server sees it: the document's paths are relative to its server (/api/v1). */
  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => HTTP_METHODS.includes(method))
        .map(([method, op]) => ({ path: `${(item.servers ?? doc.servers)[0].url.replace(/\/$/, '')}${path}`, method, op: op as Operation })),
    );

  beforeAll(async () => {
    t = await TestApp.start();
    const res = await request(t.http).get('/api/v1/openapi.json').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    doc = res.body;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers).toEqual([expect.objectContaining({ url: '/api/v1' })]);

    const router = (t.app.getHttpAdapter().getInstance() as { router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] } }).router;
    served = router.stack
      .filter((layer) => layer.route)
      .flatMap((layer) =>
        Object.keys(layer.route!.methods)
          .filter((m) => m !== '_all')
          .map((m) => `${m.toUpperCase()} ${layer.route!.path.replace(/:(\w+)/g, '{$1}')}`),
      )
      // What SwaggerModule itself serves is not part of the described API, nor are the portal's pages.
      .filter((route) => !/^GET \/api\/(docs|openapi\.json)/.test(route) && /^\w+ \/(api|health)\//.test(route));
  });
  afterAll(() => t.stop());

  it('describes every route the application serves, with its method, and nothing it does not serve', () => {
    // A sanity check that the routes really came from the router.
    expect(served).toEqual(expect.arrayContaining(['POST /api/v1/reports', 'GET /api/v1/changes', 'GET /health/ready', 'GET /api/v1/reports/{number}']));
    const documented = operations().map(({ path, method }) => `${method.toUpperCase()} ${path}`);
    expect([...new Set(documented)].sort()).toEqual([...new Set(served)].sort());
  });

  /** Routes anyone may call: health checks, signing in and out, activating an account. */
  const isPublic = (method: string, path: string) =>
    path.startsWith('/health/') ||
    path === '/api/v1/openapi.json' ||
    path.startsWith('/api/v1/activation/') ||
    path === '/api/v1/session/code' ||
    (path === '/api/v1/session' && method !== 'get');

  it('gives every operation a summary, and the key-or-session security requirement except the public routes', () => {
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components.securitySchemes.session).toMatchObject({ type: 'apiKey', in: 'cookie', name: '__Host-vzl_session' });
    expect(doc.security ?? []).toEqual([]); // no document-wide requirement that would also cover /health
    for (const { path, method, op } of operations()) {
      const where = `${method.toUpperCase()} ${path}`;
      expect({ where, summary: typeof op.summary === 'string' && op.summary.trim().length > 0 }).toEqual({ where, summary: true });
      if (isPublic(method, path)) {
        expect({ where, security: op.security }).toEqual({ where, security: [] });
      } else {
        expect({ where, security: op.security }).toEqual({ where, security: [{ apiKey: [] }, { session: [] }] });
        expect({ where, documents: Object.keys(op.responses).filter((s) => s === '401' || s === '403') }).toEqual({ where, documents: ['401', '403'] });
      }
    }
  });

  it('lists every kind, status, closing reason and closing explanation', () => {
    const create = schemaNamed('CreateReportInput');
    expect(enumOf(create.properties?.kind).sort()).toEqual([...KINDS].sort());
    expect(KINDS.sort()).toEqual(Object.values(ReportKind).sort());
    expect(enumOf(resolve(create.properties!.pupil).properties?.sex).sort()).toEqual(['M', 'O', 'V', 'X']);
    expect(enumOf(create.properties?.emailCopies).sort()).toEqual(['BEIDE', 'MELDER', 'SCHOOLMAILBOX']);

    const body = doc.paths['/reports'].post.requestBody!.content['application/json'].schema;
    expect(body.$ref).toBe('#/components/schemas/CreateReportInput');

    const statusChange = schemaNamed('StatusChangeInput');
    expect(enumOf(statusChange.properties?.status).sort()).toEqual([...RECEIVER_STATUSES].sort());
    expect(enumOf(statusChange.properties?.closingReason).sort()).toEqual([...CLOSING_REASONS].sort());
    expect(enumOf(statusChange.properties?.closingExplanation).sort()).toEqual([...CLOSING_EXPLANATIONS].sort());
    expect(CLOSING_REASONS.sort()).toEqual(Object.values(ClosingReason).sort());
    expect(CLOSING_EXPLANATIONS.sort()).toEqual(Object.values(ClosingExplanation).sort());

    expect(enumOf(schemaNamed('ReportView').properties?.status).sort()).toEqual([...STATUSES].sort());
    expect(STATUSES.sort()).toEqual(Object.values(ReportStatus).sort());
    const listFilter = doc.paths['/reports'].get.parameters?.find((p) => p.name === 'status' && p.in === 'query');
    expect(enumOf(listFilter?.schema).sort()).toEqual([...STATUSES].sort());
    const kindFilter = doc.paths['/reports'].get.parameters?.find((p) => p.name === 'kind' && p.in === 'query');
    expect(enumOf(kindFilter?.schema).sort()).toEqual([...KINDS].sort());
  });

  it('documents the success status each handler answers with by default (@HttpCode, else 201 for POST and 200 otherwise)', () => {
    const join = (...parts: string[]) => `/${parts.map((p) => p.replace(/^\/+|\/+$/g, '')).filter(Boolean).join('/')}`.replace(/:(\w+)/g, '{$1}');
    const found = new Set<string>();
    for (const module of t.app.get(ModulesContainer).values()) {
      for (const wrapper of module.controllers.values()) {
        const controller = wrapper.metatype as new (...args: never[]) => object;
        const base = [Reflect.getMetadata(PATH_METADATA, controller) ?? ''].flat()[0] as string;
        for (const name of Object.getOwnPropertyNames(controller.prototype)) {
          const handler = (controller.prototype as Record<string, unknown>)[name];
          if (name === 'constructor' || typeof handler !== 'function' || Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
          const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
          const status = (Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined) ?? (method === 'POST' ? 201 : 200);
          for (const path of [Reflect.getMetadata(PATH_METADATA, handler) as string | string[]].flat()) {
            if (/^\/(api|health)\//.test(join(base, path))) found.add(`${method} ${join(base, path)} ${status}`);
          }
        }
      }
    }
    const expected = [...found];
    // All but the document itself, which is served beside the controllers.
    expect(expected.length).toBe(served.filter((r) => r !== 'GET /api/v1/openapi.json').length);
    const documented = operations().flatMap(({ path, method, op }) => Object.keys(op.responses).map((status) => `${method.toUpperCase()} ${path} ${status}`));
    expect(expected.filter((e) => !documented.includes(e)).sort()).toEqual([]);
  });

  it('describes every problem answer as application/problem+json with ProblemSchema', () => {
    const problem = schemaNamed('ProblemSchema');
    expect(Object.keys(problem.properties ?? {})).toEqual(expect.arrayContaining(['type', 'title', 'status', 'code', 'detail', 'errors']));
    expect(enumOf(problem.properties?.code).sort()).toEqual(Object.values(ErrorCode).sort());
    let problems = 0;
    for (const { path, method, op } of operations()) {
      for (const [status, response] of Object.entries(op.responses)) {
        // The readiness check answers load balancers in its own terms (ReadyView), also when not ready (503).
        if (Number(status) < 400 || (path === '/health/ready' && status === '503')) continue;
        problems++;
        const where = `${method.toUpperCase()} ${path} ${status}`;
        expect({ where, content: Object.keys(response.content ?? {}) }).toEqual({ where, content: ['application/problem+json'] });
        expect({ where, ref: response.content!['application/problem+json'].schema.$ref }).toEqual({ where, ref: '#/components/schemas/ProblemSchema' });
      }
    }
    expect(problems).toBeGreaterThan(0);
  });

  it('publishes the same document at /api/v1/openapi.json and /api/openapi.json, for every site (CORS), without a key', async () => {
    for (const url of ['/api/v1/openapi.json', '/api/openapi.json']) {
      const res = await request(t.http).get(url).set('Origin', 'https://leverancier.example').expect(200);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.body).toEqual(doc);
    }
  });

  it('names the version of the contract in an API-Version header on every answer, refusals included (ADR /core/version-header)', async () => {
    expect(doc.info.version).toMatch(/^\d+\.\d+\.\d+$/);
    for (const [url, status] of [['/health/live', 200], ['/api/v1/reports', 401], ['/api/v1/nothing-here', 404], ['/api/v1/openapi.json', 200]] as const) {
      const res = await request(t.http).get(url).expect(status);
      expect({ url, version: res.headers['api-version'] }).toEqual({ url, version: doc.info.version });
    }
    for (const { path, method, op } of operations()) {
      for (const [status, response] of Object.entries(op.responses) as [string, { headers?: Record<string, unknown> }][]) {
        const where = `${method.toUpperCase()} ${path} ${status}`;
        expect({ where, header: Object.keys(response.headers ?? {}) }).toEqual({ where, header: expect.arrayContaining(['API-Version']) });
      }
    }
  });

  /**
   * The rules of the Dutch API Design Rules ruleset for Spectral (Logius) that are not part of spectral:oas and so are
   * not run by `npm run contract:check`: each checked here by our own code (docs/api-contract.md lists them and the
   * ones not met).
   */
  describe('the API Design Rules (nlgov rules of the ADR Spectral ruleset)', () => {
    const schemas = () => Object.entries(doc.components.schemas);
    const properties = () => schemas().flatMap(([name, s]) => Object.entries(s.properties ?? {}).map(([prop, p]) => ({ name, prop, p: p as Schema & { format?: string } })));

    it('nlgov:openapi3, nlgov:semver: OpenAPI 3 and a semver info.version', () => {
      expect(doc.openapi).toMatch(/^3(\.\d+){1,2}$/);
      expect(doc.info.version).toMatch(/^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/);
    });

    it('nlgov:include-major-version-in-uri, nlgov:servers-use-https: the server URL has the major version and is not plain http', () => {
      for (const server of doc.servers) {
        expect(server.url).toMatch(/\/v\d/);
        expect(server.url).not.toMatch(/^http:\/\//);
      }
    });

    it('nlgov:paths-no-trailing-slash, nlgov:paths-kebab-case, nlgov:http-methods: lower-case kebab paths, standard methods', () => {
      for (const [path, item] of Object.entries(doc.paths)) {
        expect(path).not.toMatch(/.\/$/);
        if (path !== '/openapi.json') expect(path).toMatch(/^(\/([a-z0-9-]+|\{[^}]+\}))+$/);
        for (const key of Object.keys(item)) expect(['get', 'post', 'put', 'patch', 'delete', 'servers', 'parameters', 'summary', 'description']).toContain(key);
      }
    });

    it('nlgov:query-keys-camel-case: query parameters are lowerCamelCase', () => {
      for (const { op } of operations()) for (const p of op.parameters ?? []) if (p.in === 'query') expect(p.name).toMatch(/^[a-z][a-z\d]*([A-Z][a-z\d]*)*$/);
    });

    it('nlgov:schema-camel-case, nlgov:property-casing: schemas UpperCamelCase, no _links', () => {
      for (const [name] of schemas()) expect(name).toMatch(/^[A-Z][A-Za-z0-9]*$/);
      for (const { prop } of properties()) expect(prop).not.toMatch(/_links/i);
    });

    it('nlgov:use-problem-schema, nlgov:problem-schema-members: problem+json with status, title and detail', () => {
      const problem = schemaNamed('ProblemSchema');
      expect(Object.keys(problem.properties ?? {})).toEqual(expect.arrayContaining(['status', 'title', 'detail']));
      expect((problem as { required?: string[] }).required).toEqual(expect.arrayContaining(['status', 'title', 'detail']));
    });

    it('nlgov:specify-format-for-date-and-time, nlgov:use-date-instead-of-datetime, nlgov:date-time-ensure-timezone', () => {
      const dated = properties().filter(({ prop }) => prop === 'date' || prop === 'datum' || /((\w+D)|(_[dD]))((ate)|(atum))/.test(prop));
      expect(dated.length).toBeGreaterThan(5);
      for (const { name, prop, p } of dated) expect({ where: `${name}.${prop}`, format: p.format }).toEqual({ where: `${name}.${prop}`, format: 'date' });
      for (const { p } of properties()) expect(['date-time-local', 'time']).not.toContain(p.format);
    });

    it('/core/transport/no-sensitive-uris: no path or query parameter carries personal data (the PGN goes in the body of /reports/search)', () => {
      const inUrls = operations().flatMap(({ op }) => (op.parameters ?? []).filter((p) => p.in === 'path' || p.in === 'query').map((p) => p.name.toLowerCase()));
      expect(inUrls.length).toBeGreaterThan(10);
      for (const personal of ['pgn', 'bsn', 'onderwijsnummer', 'birthdate', 'surname', 'initials', 'name', 'email', 'phone', 'postcode', 'street', 'address']) {
        expect(inUrls).not.toContain(personal);
      }
      expect(schemaNamed('ReportSearchInput').properties).toHaveProperty('pgn');
    });

    it('nlgov:info-contact-fields-exist: a contact with name and url (the e-mail address is not met: docs/api-contract.md)', () => {
      expect(doc.info.contact).toEqual({ name: expect.any(String), url: expect.stringMatching(/^https?:\/\//) });
    });
  });

  it('fails a test whose answer drifts from the contract (the check every e2e caller runs)', async () => {
    const school = await t.newSchool();
    const res = await school.get('/api/v1/locations').expect(200);
    const check = (status: number, body: unknown, headers: Record<string, string> = { 'api-version': doc.info.version, 'content-type': 'application/json' }) =>
      contractOf(t.app).check('get', '/api/v1/locations', { ...res, status, body, text: JSON.stringify(body), headers } as typeof res);
    expect(() => check(200, res.body)).not.toThrow();
    const [location] = res.body;
    expect(() => check(200, [{ ...location, active: 'ja' }])).toThrow(/active must be boolean/);
    expect(() => check(200, [{ ...location, street: undefined }])).toThrow(/must have required property 'street'/);
    expect(() => check(200, [{ ...location, createdBy: 'x' }])).not.toThrow(); // additions are allowed (minor version)
    expect(() => check(418, {})).toThrow(/status 418 staat niet in het contract/);
    expect(() => check(200, res.body, { 'content-type': 'application/json' })).toThrow(/API-Version ontbreekt/);
  });

  it('serves the documentation as HTML at /api/docs', async () => {
    const res = await request(t.http).get('/api/docs').redirects(1).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toMatch(/swagger-ui/i);
    expect(res.text).toContain('Verzuimloket API');
  });

  it('answers the health checks without a key: live, and ready with the database migrated', async () => {
    const live = await request(t.http).get('/health/live').expect(200);
    expect(live.body).toEqual({ status: 'ok' });
    const ready = await request(t.http).get('/health/ready').expect(200);
    expect(ready.body).toEqual({ status: 'ok', database: 'ok', migrations: 'ok', outbox: 'ok' });
  });
});

describe('the configuration', () => {
  const fails = (env: NodeJS.ProcessEnv): ConfigError => {
    try {
      loadConfig(env);
    } catch (error) {
      return error as ConfigError;
    }
    throw new Error(`loadConfig(${JSON.stringify(env)}) gaf geen fout`);
  };

  it('refuses a port that is not a number, naming PORT', () => {
    const error = fails({ PORT: 'abc' });
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/^\s*PORT:/m);
    expect(error.message).not.toMatch(/^\s*(HOST|DATABASE_URL|PGN_ENCRYPTION_KEY):/m);
  });

  it('requires PGN_ENCRYPTION_KEY with DATABASE_URL, naming it', () => {
    const error = fails({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/verzuimloket' });
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/^\s*PGN_ENCRYPTION_KEY:/m);
    expect(error.message).not.toMatch(/^\s*DATABASE_URL:/m);
  });

  it('needs no environment at all: the defaults run with the embedded database', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ PORT: 3000, DATABASE_URL: undefined, MIGRATIONS_RUN: true, LOG_LEVEL: 'log' });
    expect(config.usesEmbeddedDatabase).toBe(true);
  });
});
