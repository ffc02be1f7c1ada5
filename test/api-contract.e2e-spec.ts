import { RequestMethod } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import request from 'supertest';
import { ErrorCode } from '../src/common/problem';
import { ConfigError, loadConfig } from '../src/config/app-config';
import { ClosingExplanation, ClosingReason, ReportKind, ReportStatus } from '../src/kernel/report-codes';
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
  security?: unknown;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; securitySchemes: Record<string, { type: string; scheme?: string }> };
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
  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => HTTP_METHODS.includes(method))
        .map(([method, op]) => ({ path, method, op })),
    );

  beforeAll(async () => {
    t = await TestApp.start();
    const res = await request(t.http).get('/api/openapi.json').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    doc = res.body;

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
    path.startsWith('/api/v1/activation/') ||
    path === '/api/v1/session/code' ||
    (path === '/api/v1/session' && method !== 'get');

  it('gives every operation a summary, and a bearer-key security requirement except the public routes', () => {
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.security ?? []).toEqual([]); // no document-wide requirement that would also cover /health
    for (const { path, method, op } of operations()) {
      const where = `${method.toUpperCase()} ${path}`;
      expect({ where, summary: typeof op.summary === 'string' && op.summary.trim().length > 0 }).toEqual({ where, summary: true });
      if (isPublic(method, path)) {
        expect({ where, security: op.security ?? [] }).toEqual({ where, security: [] });
      } else {
        expect({ where, security: op.security }).toEqual({ where, security: [{ bearer: [] }] });
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

    const body = doc.paths['/api/v1/reports'].post.requestBody!.content['application/json'].schema;
    expect(body.$ref).toBe('#/components/schemas/CreateReportInput');

    const statusChange = schemaNamed('StatusChangeInput');
    expect(enumOf(statusChange.properties?.status).sort()).toEqual([...RECEIVER_STATUSES].sort());
    expect(enumOf(statusChange.properties?.closingReason).sort()).toEqual([...CLOSING_REASONS].sort());
    expect(enumOf(statusChange.properties?.closingExplanation).sort()).toEqual([...CLOSING_EXPLANATIONS].sort());
    expect(CLOSING_REASONS.sort()).toEqual(Object.values(ClosingReason).sort());
    expect(CLOSING_EXPLANATIONS.sort()).toEqual(Object.values(ClosingExplanation).sort());

    expect(enumOf(schemaNamed('ReportView').properties?.status).sort()).toEqual([...STATUSES].sort());
    expect(STATUSES.sort()).toEqual(Object.values(ReportStatus).sort());
    const listFilter = doc.paths['/api/v1/reports'].get.parameters?.find((p) => p.name === 'status' && p.in === 'query');
    expect(enumOf(listFilter?.schema).sort()).toEqual([...STATUSES].sort());
    const kindFilter = doc.paths['/api/v1/reports'].get.parameters?.find((p) => p.name === 'kind' && p.in === 'query');
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
    expect(expected.length).toBe(served.length);
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
        if (Number(status) < 400) continue;
        problems++;
        const where = `${method.toUpperCase()} ${path} ${status}`;
        expect({ where, content: Object.keys(response.content ?? {}) }).toEqual({ where, content: ['application/problem+json'] });
        expect({ where, ref: response.content!['application/problem+json'].schema.$ref }).toEqual({ where, ref: '#/components/schemas/ProblemSchema' });
      }
    }
    expect(problems).toBeGreaterThan(0);
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
    expect(ready.body).toEqual({ status: 'ok', database: 'ok', migrations: 'ok' });
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
