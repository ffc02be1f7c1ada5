import { INestApplication } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ModulesContainer } from '@nestjs/core';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { getMetadataStorage } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import type { NextFunction, Request, Response } from 'express';
import { AppConfig } from '../config/app-config';
import { ProblemSchema, PROBLEM_DESCRIPTIONS, PROBLEM_EXAMPLES } from '../common/api-problems.decorator';
import { BRIN_PATTERN, IS_BRIN, IS_ISO_DATE, IS_MUNICIPALITY_CODE, IS_PGN, IS_POSTCODE, MUNICIPALITY_CODE_PATTERN, POSTCODE_PATTERN } from '../common/dutch-validators';

/**
 * The published contract: the OpenAPI 3.1 document, generated from the controllers and DTOs (their @Api* decorators
 * for shape and meaning, their class-validator decorators for limits), and the few things the Dutch API Design Rules
 * ask of every answer. Everything about the document is in this file; docs/api-contract.md says how it is checked.
 */

/** The version of the contract (semver). Every answer carries it as API-Version; docs/api-changelog.md lists them. */
export const API_VERSION = '1.7.1';
/** Where the versioned API lives: the server URL of the document. */
export const API_BASE = '/api/v1';
/** Where the document is published: the ADR place under the base, and the older place the viewer also reads. */
export const OPENAPI_URLS = [`${API_BASE}/openapi.json`, '/api/openapi.json'];

type Json = Record<string, unknown>;
type Schema = Json & { type?: string | string[]; properties?: Record<string, Schema>; items?: Schema; $ref?: string; anyOf?: Schema[] };
type Operation = Json & {
  operationId?: string;
  parameters?: (Json & { name: string; in: string; schema?: Schema })[];
  requestBody?: Json;
  responses: Record<string, Json & { headers?: Json; content?: Record<string, Json & { schema?: Schema; examples?: Json }> }>;
  security?: Record<string, string[]>[];
};
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

const documents = new WeakMap<INestApplication, OpenAPIObject>();

/** The document this application publishes (the same object it serves). */
export function openApiDocumentOf(app: INestApplication): OpenAPIObject {
  const doc = documents.get(app);
  if (!doc) throw new Error('setupOpenApi() is voor deze applicatie niet aangeroepen');
  return doc;
}

/**
 * Builds the document and serves it (viewer at /api/docs, JSON at OPENAPI_URLS with CORS for everyone). The
 * API-Version header goes on every answer from the first middleware (bootstrap.ts), refusals at the edge included.
 */
export function setupOpenApi(app: INestApplication, config: AppConfig): OpenAPIObject {
  const document = buildOpenApiDocument(app, config);
  documents.set(app, document);
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (req.method === 'GET' && OPENAPI_URLS.includes(req.path)) res.setHeader('Access-Control-Allow-Origin', '*');
    next();
  });
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: OPENAPI_URLS[1], raw: ['json'], customSiteTitle: 'Verzuimloket API' });
  app.getHttpAdapter().get(OPENAPI_URLS[0], (_req: Request, res: Response) => {
    res.type('application/json').send(JSON.stringify(document));
  });
  return document;
}

export function buildOpenApiDocument(app: INestApplication, config: AppConfig): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('Verzuimloket API')
    .setDescription(
      'Verzuimmeldingen van scholen aan leerplicht en RMC. Authenticatie met een API-sleutel als bearer-token (systemen van ' +
        'scholen) of met de sessie van een aangemelde persoon. Fouten zijn application/problem+json (RFC 9457) met een stabiele ' +
        '`code` en per veld `errors[]` ({field, code, message}). Elk antwoord noemt de versie van dit contract in de header API-Version; ' +
        'de wijzigingen staan in docs/api-changelog.md.',
    )
    .setVersion(API_VERSION)
    .setContact('Verzuimloket', `${config.PUBLIC_URL}/api/docs`, '')
    .setLicense('EUPL-1.2', 'https://interoperable-europe.ec.europa.eu/collection/eupl/eupl-text-eupl-12')
    .addServer(API_BASE, 'Deze server, versie 1 van de API')
    .addSecurity('apiKey', { type: 'http', scheme: 'bearer', description: 'API-sleutel van een systeem van de school (vzl_...), gemaakt door de beheerder' })
    .addSecurity('session', {
      type: 'apiKey',
      in: 'cookie',
      name: '__Host-vzl_session',
      description:
        'Sessie na aanmelden (POST /session en /session/code); op lokale http heet de cookie vzl_session. ' +
        'Een wijzigende aanvraag stuurt het csrfToken van de sessie mee als X-CSRF-Token.',
    });
  for (const [name, description] of TAGS) builder.addTag(name, description);
  const document = SwaggerModule.createDocument(app, builder.build(), {
    extraModels: [ProblemSchema],
    operationIdFactory: (controller, method) => `${controller.replace(/(Api)?Controller$/, '')}_${method}`,
  });
  delete (document.info.contact as Json | undefined)?.email;
  const handlers = handlersByOperationId(app);
  addValidatorLimits(document, handlers);
  describeEveryAnswer(document);
  moveUnderServer(document);
  refsWithSiblings(document);
  document.paths['/openapi.json'] = DOCUMENT_PATH;
  return sortKeys(document);
}

/** Tags in the order of the viewer, each with a sentence. */
const TAGS: [string, string][] = [
  ['Meldingen', 'De verzuimmelding: doen, lezen, wijzigen, behandelen, doorsturen, intrekken, berichten en de wijzigingenfeed'],
  ['Bijlagen', 'Aanvullingen bij een melding: documenten die de school en de ontvanger toevoegen, versleuteld bewaard en op inhoud gecontroleerd'],
  ['Locaties en melders (school)', 'De vestigingen en melders van de eigen school, om op een melding te noemen'],
  ['Organisaties', 'Scholen, gemeenten, regionale bureaus en RMC-regio\'s'],
  ['Aanmelden', 'Aanmelden in twee stappen, afmelden en een account activeren'],
  ['Beheer gebruikers', 'De accounts van de eigen organisatie, hun rollen en tokens'],
  ['Beheer API-sleutels', 'API-sleutels voor de systemen van de eigen organisatie'],
  ['Meldingsberichten (e-mail)', 'Het algemene e-mailadres, ieders e-mailkeuze en mislukte e-mails'],
  ['Webhooks', 'Endpoints die elke zichtbare wijziging als ondertekend CloudEvent krijgen (Standard Webhooks), met bezorglog'],
  ['Rapportages', 'Maandrapportages van de eigen organisatie: aantallen zonder leerlinggegevens, als JSON, .xlsx en PDF'],
  ['Auditlog', 'Wie las of wijzigde wat'],
  ['Gezondheid', 'Voor de bewaking van de service'],
  ['Contract', 'Dit document'],
];

const DOCUMENT_PATH = {
  get: {
    operationId: 'Contract_openapi',
    tags: ['Contract'],
    summary: 'Deze OpenAPI-beschrijving (ook op /api/openapi.json); voor iedereen, ook vanaf andere sites (CORS)',
    security: [],
    responses: {
      '200': {
        description: 'Het OpenAPI 3.1-document',
        headers: {
          'API-Version': { $ref: '#/components/headers/API-Version' },
          'Access-Control-Allow-Origin': { description: 'Altijd *: de beschrijving is openbaar', schema: { type: 'string', const: '*' } },
        },
        content: { 'application/json': { schema: { type: 'object', additionalProperties: true } } },
      },
    },
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Limits from the class-validator decorators: the DTO's validators are the one statement of what is accepted.
// ---------------------------------------------------------------------------------------------------------------

/** For each operation: the DTO classes of its body and query, from the controller method's parameters. */
function handlersByOperationId(app: INestApplication): Map<string, { body?: Function; query?: Function }> {
  const out = new Map<string, { body?: Function; query?: Function }>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Function | null;
      if (!controller) continue;
      for (const method of Object.getOwnPropertyNames(controller.prototype)) {
        const args = Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) as Record<string, { index: number }> | undefined;
        const types = Reflect.getMetadata('design:paramtypes', controller.prototype, method) as Function[] | undefined;
        if (!args || !types) continue;
        const found: { body?: Function; query?: Function } = {};
        for (const [key, { index }] of Object.entries(args)) {
          const kind = Number(key.split(':')[0]);
          if (kind === RouteParamtypes.BODY) found.body = types[index];
          if (kind === RouteParamtypes.QUERY) found.query = types[index];
        }
        out.set(`${controller.name.replace(/(Api)?Controller$/, '')}_${method}`, found);
      }
    }
  }
  return out;
}

function validatorsOf(target: Function): Map<string, ValidationMetadata[]> {
  const byProperty = new Map<string, ValidationMetadata[]>();
  for (const m of getMetadataStorage().getTargetValidationMetadatas(target, '', true, false)) {
    byProperty.set(m.propertyName, [...(byProperty.get(m.propertyName) ?? []), m]);
  }
  return byProperty;
}

/** Every class that has validators, by name: the schema names @nestjs/swagger gives them. */
function validatedClasses(): Map<string, Function> {
  const storage = getMetadataStorage() as unknown as { validationMetadatas: Map<Function, unknown> };
  const out = new Map<string, Function>();
  for (const target of storage.validationMetadatas.keys()) if (typeof target === 'function') out.set(target.name, target);
  return out;
}

const PATTERNS: Record<string, string> = {
  [IS_BRIN]: BRIN_PATTERN.source,
  [IS_POSTCODE]: POSTCODE_PATTERN.source,
  [IS_MUNICIPALITY_CODE]: MUNICIPALITY_CODE_PATTERN.source,
  [IS_PGN]: '^[0-9]{9}$',
};

/** Adds to a property's schema what its validators require. */
function applyValidators(schema: Schema, validators: ValidationMetadata[]): void {
  for (const v of validators) {
    if (v.type !== 'customValidation') continue;
    const target: Schema = v.each && schema.items && !('$ref' in schema.items) ? schema.items : schema;
    const c = v.constraints ?? [];
    switch (v.name) {
      case 'maxLength': target.maxLength = c[0]; break;
      case 'minLength': if (c[0] > 0) target.minLength = c[0]; break;
      case 'min': target.minimum = c[0]; break;
      case 'max': target.maximum = c[0]; break;
      case 'arrayMaxSize': schema.maxItems = c[0]; break;
      case 'arrayMinSize': schema.minItems = c[0]; break;
      case 'arrayUnique': schema.uniqueItems = true; break;
      case 'isInt': setType(target, 'integer'); break;
      case 'isUuid': target.format = 'uuid'; break;
      case IS_ISO_DATE: target.format = 'date'; break;
      case 'matches': if (c[0] instanceof RegExp && !c[0].flags && !c[1]) target.pattern = c[0].source; break;
      default: if (PATTERNS[v.name ?? '']) target.pattern = PATTERNS[v.name!];
    }
  }
}

/** integer for number, keeping a "null" alternative. */
function setType(schema: Schema, type: string): void {
  if (schema.type === 'number') schema.type = type;
  else if (Array.isArray(schema.type)) schema.type = schema.type.map((t) => (t === 'number' ? type : t));
}

function addValidatorLimits(document: OpenAPIObject, handlers: Map<string, { body?: Function; query?: Function }>): void {
  const classes = validatedClasses();
  for (const [name, schema] of Object.entries(document.components?.schemas ?? {}) as [string, Schema][]) {
    const target = classes.get(name);
    if (!target) continue;
    for (const [property, validators] of validatorsOf(target)) {
      const prop = schema.properties?.[property];
      if (prop) applyValidators(prop, validators);
    }
  }
  for (const op of operations(document)) {
    const query = handlers.get(op.operationId ?? '')?.query;
    if (!query) continue;
    const validators = validatorsOf(query);
    for (const p of op.parameters ?? []) {
      if (p.in === 'query' && p.schema && validators.has(p.name)) applyValidators(p.schema, validators.get(p.name)!);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// What every answer has: the version header, and the problems any route can give.
// ---------------------------------------------------------------------------------------------------------------

function problem(status: number): Json {
  return {
    description: PROBLEM_DESCRIPTIONS[status],
    content: {
      'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemSchema' }, examples: PROBLEM_EXAMPLES[status] },
    },
  };
}

function describeEveryAnswer(document: OpenAPIObject): void {
  document.components ??= {};
  document.components.headers = {
    'API-Version': { description: 'De versie van dit contract (semver)', required: true, schema: { type: 'string', example: API_VERSION } },
    'X-Request-Id': {
      description: 'Het id van dit verzoek in het log: het meegestuurde X-Request-Id als dat 8-128 tekens uit A-Z a-z 0-9 . _ : - is, anders een nieuwe UUID',
      required: true,
      schema: { type: 'string', minLength: 8, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$' },
    },
  };
  for (const op of operations(document)) {
    // Security: a route either needs a key or a session (both give one organisation), or is public.
    op.security = op.security?.length ? [{ apiKey: [] }, { session: [] }] : [];
    // What every operation of a kind can answer: a body can be malformed, too large, not JSON or late; a write can meet
    // another one (409) or come from another website (403); anything with input can fail the edge's check (422);
    // everything is rate limited (429), and can fail on our side (500).
    const method = methodOf(document, op);
    const write = ['post', 'put', 'patch', 'delete'].includes(method);
    const body = ['post', 'put', 'patch'].includes(method);
    const input = body || (op.parameters ?? []).length > 0;
    const statuses = [...(body ? [400, 408, 413, 415] : []), ...(write ? [403, 409] : []), ...(input ? [422] : []), ...(op.security?.length || write ? [429] : []), 500];
    for (const status of statuses) op.responses[status] ??= problem(status);
    for (const [status, response] of Object.entries(op.responses)) {
      // @ApiProblems gives the schema; the examples and text come from the one table.
      const problemContent = response.content?.['application/problem+json'];
      if (problemContent) {
        problemContent.examples ??= PROBLEM_EXAMPLES[Number(status)];
        if (!problemContent.examples) delete problemContent.examples;
      }
      response.headers = {
        'API-Version': { $ref: '#/components/headers/API-Version' },
        'X-Request-Id': { $ref: '#/components/headers/X-Request-Id' },
        ...response.headers,
      };
    }
  }
}

function methodOf(document: OpenAPIObject, op: Operation): string {
  for (const item of Object.values(document.paths)) {
    for (const m of METHODS) if ((item as Record<string, unknown>)[m] === op) return m;
  }
  return '';
}

/** Paths under /api/v1 relative to the server; the few outside it (health) with a server of their own. */
function moveUnderServer(document: OpenAPIObject): void {
  const paths: OpenAPIObject['paths'] = {};
  for (const [path, item] of Object.entries(document.paths)) {
    if (path.startsWith(`${API_BASE}/`)) paths[path.slice(API_BASE.length)] = item;
    else paths[path] = { ...item, servers: [{ url: '/', description: 'Buiten de versie van de API' }] };
  }
  document.paths = paths;
}

/**
 * @nestjs/swagger wraps a $ref that has a description or example of its own in a one-element allOf (OpenAPI 3.0
 * allowed nothing beside $ref); 3.1 does, and linters call the allOf illogical.
 */
function refsWithSiblings(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(refsWithSiblings);
  if (!node || typeof node !== 'object') return;
  const schema = node as Schema & { allOf?: Schema[] };
  if (schema.allOf?.length === 1 && schema.allOf[0].$ref && Object.keys(schema.allOf[0]).length === 1) {
    schema.$ref = schema.allOf[0].$ref;
    delete schema.allOf;
  }
  Object.values(schema).forEach(refsWithSiblings);
}

function operations(document: OpenAPIObject): Operation[] {
  return Object.values(document.paths).flatMap((item) =>
    METHODS.map((m) => (item as Record<string, unknown>)[m] as Operation | undefined).filter((op): op is Operation => op !== undefined),
  );
}

/** Paths and component names in a stable order, so that the committed snapshot only changes with the contract. */
function sortKeys(document: OpenAPIObject): OpenAPIObject {
  const sorted = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b))) as T;
  document.paths = sorted(document.paths);
  if (document.components?.schemas) document.components.schemas = sorted(document.components.schemas);
  return document;
}
