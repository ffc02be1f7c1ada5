import 'reflect-metadata';
import { INestApplication } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/bootstrap';
import { loadConfig } from '../../src/config/app-config';
import { ApiKeysService } from '../../src/identity/api-keys.service';
import { MailSecretBox } from '../../src/notifications/notifications.service';
import { Location } from '../../src/organisations/location.entity';
import { Organisation } from '../../src/organisations/organisation.entity';
import { OrganisationsService } from '../../src/organisations/organisations.service';
import { Reporter } from '../../src/organisations/reporter.entity';
import { checkedAgainstContract } from './contract';
import { createTestDatabase, TestDatabase } from './test-database';

/** The roles of a typical system's key: a school's administration system files and keeps its lists; a receiver's handles. */
export const SYSTEM_KEY_ROLES: Record<string, string[]> = {
  SCHOOL: ['melder', 'beheerder'], GEMEENTE: ['behandelaar'], REGIONAAL_BUREAU: ['behandelaar'], RMC_REGIO: ['behandelaar'], OPERATOR: ['operator'],
};

export interface Caller {
  org: Organisation;
  key: string;
  get(path: string): request.Test;
  post(path: string, body?: object): request.Test;
  patch(path: string, body?: object): request.Test;
  put(path: string, body?: object): request.Test;
  delete(path: string): request.Test;
}

export interface TestSchool extends Caller {
  location: Location;
  reporter: Reporter;
}

/**
 * What every test instance runs with unless the test says otherwise: no mail or webhook worker, and rate limits far above what
 * a test sends from its one address (test/hardening.e2e-spec.ts sets them low to test them).
 */
const TEST_ENV = { MAIL_WORKER: 'false', MAIL_COALESCE_SECONDS: '0', WEBHOOK_WORKER: 'false', RATE_LIMIT_PER_MINUTE: '1000000', RATE_LIMIT_SIGN_IN_PER_MINUTE: '100000', RATE_LIMIT_UPLOADS_PER_HOUR: '10000' };

/** The real application on a clean database of its own, with factories for the parties of a test. */
export class TestApp {
  private constructor(
    readonly app: INestApplication,
    private readonly database: TestDatabase,
  ) {}

  /**
   * The mail worker is off unless the test turns it on (MAIL_WORKER=true with an SMTP_URL). Logging is off unless
   * `logs` asks for the service's own logger, at LOG_LEVEL.
   */
  static async start(extraEnv: Record<string, string> = {}, { logs = false } = {}): Promise<TestApp> {
    const database = await createTestDatabase();
    const app = await createApp(loadConfig({ ...TEST_ENV, ...database.env, ...extraEnv }), logs ? {} : { logger: false });
    await app.init();
    return new TestApp(app, database);
  }

  /** Whether another instance can share this database (real PostgreSQL; the embedded one serves one process). */
  get sharedDatabase(): boolean {
    return this.database.env.DATABASE_URL !== undefined;
  }

  /** The environment another instance (or a child process) needs to run against this test's database. */
  get env(): Record<string, string> {
    return { ...this.database.env };
  }

  /** Another instance of the service against the same database, as a second server would run it. */
  async startInstance(extraEnv: Record<string, string> = {}): Promise<INestApplication> {
    const app = await createApp(loadConfig({ ...TEST_ENV, ...this.database.env, ...extraEnv }), { logger: false });
    await app.init();
    return app;
  }

  get http() {
    return this.app.getHttpServer();
  }

  get db(): DataSource {
    return this.app.get<DataSource>(getDataSourceToken());
  }

  async stop(): Promise<void> {
    await this.app.close();
    await this.database.drop();
  }

  /** The code of the activation link last put in the outbox for this address (what the person's e-mail will carry). */
  async mailedActivationCode(email: string): Promise<string> {
    const [row]: { id: string; sealed: Buffer }[] = await this.db.query(
      `SELECT id, sealed FROM outbox_message WHERE template = 'activation' AND recipient = $1 ORDER BY created_at DESC LIMIT 1`,
      [email.toLowerCase()],
    );
    if (!row) throw new Error(`Geen activeringsmail voor ${email}`);
    return new URL(this.app.get(MailSecretBox).open(row.sealed, row.id)).searchParams.get('code')!;
  }

  /**
   * A caller with a fresh API key of this organisation, made as the operator's command line does; without `roles`
   * the roles a typical system of that organisation has (SYSTEM_KEY_ROLES).
   */
  async keyFor(code: string, roles?: string[]): Promise<Caller> {
    const org = await this.app.get(OrganisationsService).requireByCode(code, 'code');
    const { secret } = await this.app.get(ApiKeysService).create(org, `test ${randomBytes(3).toString('hex')}`, roles ?? SYSTEM_KEY_ROLES[org.type]);
    return this.caller(org, secret);
  }

  /** Every answer a caller gets is checked against the published OpenAPI document (test/support/contract.ts). */
  caller(org: Organisation, key: string): Caller {
    const auth = (method: string, p: string, t: request.Test) => checkedAgainstContract(this.app, method, p, t.set('Authorization', `Bearer ${key}`));
    return {
      org,
      key,
      get: (p) => auth('get', p, request(this.http).get(p)),
      post: (p, body) => auth('post', p, request(this.http).post(p)).send(body ?? {}),
      patch: (p, body) => auth('patch', p, request(this.http).patch(p)).send(body ?? {}),
      put: (p, body) => auth('put', p, request(this.http).put(p)).send(body ?? {}),
      delete: (p) => auth('delete', p, request(this.http).delete(p)),
    };
  }

  private schoolCount = 0;

  /** A school with one location (01) and one reporter, and a key with the default school roles. */
  async newSchool(name = 'Testschool'): Promise<TestSchool> {
    this.schoolCount++;
    const brin = `${String(10 + this.schoolCount).padStart(2, '0')}TS`;
    await this.app.get(OrganisationsService).createSchool(brin, `${name} ${brin}`, 'VO');
    const caller = await this.keyFor(brin);
    const loc = await caller.post('/api/v1/locations', { code: '01', name: `${name} hoofdlocatie`, municipalityCode: 'GM0363' }).expect(201);
    const rep = await caller
      .post('/api/v1/reporters', { name: 'V. Coördinator', function: 'Verzuimcoördinator', phone: '020 123 4567', email: `verzuim@${brin.toLowerCase()}.school.example` })
      .expect(201);
    const location = await this.db.getRepository(Location).findOneByOrFail({ id: loc.body.id });
    const reporter = await this.db.getRepository(Reporter).findOneByOrFail({ id: rep.body.id });
    return { ...caller, location, reporter };
  }
}

/**
 * `text` without its UUIDs, for a check that no PGN (nine digits) is in it: a random id holds nine digits in a row now
 * and then ("…-631205224f9b").
 */
export function withoutIds(text: string): string {
  return text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '');
}

/** Computes a valid BSN from a seed number, so tests can make as many distinct pupils as they need. */
export function bsn(seed: number): string {
  for (let n = seed; ; n++) {
    const digits = String(10000000 + (n % 89999999)).split('').map(Number);
    const sum = digits.reduce((s, d, i) => s + d * (9 - i), 0);
    const last = sum % 11;
    if (last < 10) return digits.join('') + String(last);
  }
}

/** A date relative to today, YYYY-MM-DD. */
export function daysAgo(days: number): string {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
}

/** A birth date that makes the pupil `age` years old at `onDate` (six months past the birthday). */
export function bornAged(age: number, onDate = daysAgo(14)): string {
  const d = new Date(`${onDate}T00:00:00Z`);
  d.setUTCFullYear(d.getUTCFullYear() - age);
  d.setUTCMonth(d.getUTCMonth() - 6);
  return d.toISOString().slice(0, 10);
}

/** A complete, valid 16U report for this school, with overrides. */
export function reportBody(school: TestSchool, overrides: Record<string, unknown> = {}, pupil: Record<string, unknown> = {}) {
  return {
    pupil: {
      pgn: bsn(123456),
      initials: 'J.',
      prefix: 'van',
      surname: 'Dijk',
      sex: 'M',
      birthDate: bornAged(14),
      registeredAddress: { street: 'Dorpsstraat', houseNumber: 12, postcode: '1012 AB', place: 'Amsterdam', municipalityCode: 'GM0363' },
      phone: '06 12345678',
      ...pupil,
    },
    kind: '16U',
    reason: 'Blijft thuis zonder bericht',
    beginDate: daysAgo(14),
    endDate: daysAgo(3),
    allLessonsMissed: true,
    actionWanted: true,
    daysMissed: 5,
    hoursMissed: 18,
    locationCode: `${school.org.code}${school.location.code}`,
    reporterId: school.reporter.id,
    emailCopies: 'BEIDE',
    ...overrides,
  };
}
