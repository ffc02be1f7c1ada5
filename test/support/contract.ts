import { INestApplication } from '@nestjs/common';
import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type request from 'supertest';
import { openApiDocumentOf } from '../../src/openapi/openapi';

/**
 * Checks an answer of the API against the published document: the operation (method and path) and its status must be
 * described, the body must be valid against the schema for that status and content type, and the API-Version header
 * must be there. Pages outside the API (the portal) are not described and are not checked.
 */
type Doc = { servers: { url: string }[]; paths: Record<string, Record<string, unknown> & { servers?: { url: string }[] }> };
type Responses = Record<string, { content?: Record<string, unknown> }>;

interface Route {
  method: string;
  template: string;
  regex: RegExp;
  literals: number;
  pointer: string;
  responses: Responses;
}

class ContractChecker {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  private readonly routes: Route[] = [];
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly doc: Doc) {
    addFormats(this.ajv);
    this.ajv.addSchema(doc as object, 'openapi.json');
    for (const [path, item] of Object.entries(doc.paths)) {
      const base = (item.servers ?? doc.servers)[0].url.replace(/\/$/, '');
      for (const [method, op] of Object.entries(item)) {
        if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
        const full = `${base}${path}`;
        const source = full.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+');
        this.routes.push({
          method,
          template: full,
          regex: new RegExp(`^${source}$`),
          literals: full.split('/').filter((s) => s && !s.startsWith('{')).length,
          pointer: `#/paths/${path.replace(/~/g, '~0').replace(/\//g, '~1')}/${method}/responses`,
          responses: (op as { responses: Responses }).responses,
        });
      }
    }
    this.routes.sort((a, b) => b.literals - a.literals);
  }

  check(method: string, url: string, res: request.Response): void {
    const path = new URL(url, 'http://x').pathname;
    if (!/^\/(api|health)\//.test(path) || path.startsWith('/api/docs')) return;
    const where = `${method.toUpperCase()} ${path} → ${res.status}`;
    if (!res.headers['api-version']) throw new Error(`${where}: de header API-Version ontbreekt`);
    const route = this.routes.find((r) => r.method === method.toLowerCase() && r.regex.test(path));
    if (!route) {
      // A route that does not exist: the service's own 404 (or 405), a problem like any other.
      if (![404, 405].includes(res.status)) throw new Error(`${where}: geen operatie in het contract voor deze route`);
      this.validate(`#/components/schemas/ProblemSchema`, res.body, where);
      return;
    }
    const response = route.responses[String(res.status)];
    if (!response) throw new Error(`${where}: status ${res.status} staat niet in het contract bij ${method.toUpperCase()} ${route.template} (wel: ${Object.keys(route.responses).join(', ')})\n${JSON.stringify(res.body).slice(0, 500)}`);
    const type = String(res.headers['content-type'] ?? '').split(';')[0].trim();
    const hasBody = res.status !== 204 && (res.text ?? '').length > 0;
    if (!response.content) {
      if (hasBody) throw new Error(`${where}: het contract beschrijft geen inhoud, maar het antwoord heeft ${type}`);
      return;
    }
    if (!(type in response.content)) throw new Error(`${where}: ${type || 'geen inhoud'} waar het contract ${Object.keys(response.content).join(', ')} beschrijft`);
    // A file (xlsx, CSV, PDF) is described as binary: its type is checked here, its content by the test that reads it.
    if (!type.endsWith('json')) return;
    const pointer = `${route.pointer}/${res.status}/content/${type.replace(/\//g, '~1')}/schema`;
    this.validate(pointer, res.body, where);
  }

  private validate(pointer: string, body: unknown, where: string): void {
    let validate = this.compiled.get(pointer);
    if (!validate) {
      validate = this.ajv.getSchema(`openapi.json${pointer}`);
      if (!validate) throw new Error(`geen schema op ${pointer}`);
      this.compiled.set(pointer, validate);
    }
    if (!validate(body)) {
      const errors = (validate.errors ?? []).slice(0, 8).map((e) => `  ${e.instancePath || '(hele inhoud)'} ${e.message} ${JSON.stringify(e.params)}`);
      throw new Error(`${where}: het antwoord past niet bij het contract\n${errors.join('\n')}\n${JSON.stringify(body).slice(0, 800)}`);
    }
  }
}

const checkers = new WeakMap<INestApplication, ContractChecker>();

/** The checker for this application's own document (built once per application). */
export function contractOf(app: INestApplication): ContractChecker {
  let checker = checkers.get(app);
  if (!checker) {
    checker = new ContractChecker(openApiDocumentOf(app) as unknown as Doc);
    checkers.set(app, checker);
  }
  return checker;
}

/** Adds the contract check to a supertest request: it runs when the answer arrives, before the test's own expectations. */
export function checkedAgainstContract(app: INestApplication, method: string, url: string, test: request.Test): request.Test {
  return test.expect((res: request.Response) => contractOf(app).check(method, url, res));
}

/** A supertest agent (a signed-in session) whose every answer is checked against the contract. */
export function checkedAgent<A extends object>(app: INestApplication, agent: A): A {
  return new Proxy(agent, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof property !== 'string' || !['get', 'post', 'put', 'patch', 'delete'].includes(property) || typeof value !== 'function') return value;
      return (url: string, ...rest: unknown[]) => checkedAgainstContract(app, property, url, value.call(target, url, ...rest) as request.Test);
    },
  });
}
