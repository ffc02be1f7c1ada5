import request from 'supertest';
import { codeAt } from '../src/identity/credentials/totp';
import { clock } from '../src/common/clock';
import { activePerson, PASSWORD } from './support/people';
import { TestApp } from './support/test-app';

/**
 * When every connection of the pool stays busy (a burst of load, a slow database), a request that waits past the
 * pool's limit is refused with Retry-After and nothing is half-written: the API answers 429 TOO_MANY_REQUESTS (the code
 * version 1 clients already retry on; the enum of codes cannot grow within the version), a page 503 "Even te druk".
 * Not a 500, which would page someone for a fault in the code. When connections come free, the same request works.
 */
describe('a database with no connection free', () => {
  let t: TestApp;
  beforeAll(async () => (t = await TestApp.start({ DATABASE_POOL_SIZE: '2' })));
  afterAll(() => t.stop());

  /** Takes every connection of the service's pool and makes the pool give up waiting after 300 ms instead of 10 s. */
  async function holdEveryConnection(): Promise<() => Promise<void>> {
    const pool = (t.db.driver as unknown as { master: { options: { connectionTimeoutMillis: number; max: number } } }).master;
    const before = pool.options.connectionTimeoutMillis;
    const held = await Promise.all(Array.from({ length: pool.options.max }, async () => {
      const runner = t.db.createQueryRunner();
      await runner.connect();
      await runner.query('SELECT 1');
      return runner;
    }));
    pool.options.connectionTimeoutMillis = 300;
    return async () => {
      pool.options.connectionTimeoutMillis = before;
      await Promise.all(held.map((r) => r.release()));
    };
  }

  it('answers the API 429 TOO_MANY_REQUESTS with Retry-After, and files the report once connections are free', async () => {
    const school = await t.newSchool();
    const release = await holdEveryConnection();
    let res: request.Response;
    try {
      res = await request(t.http).get('/api/v1/reports').set('Authorization', `Bearer ${school.key}`);
    } finally {
      await release();
    }
    expect(res.status).toBe(429);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body).toMatchObject({ status: 429, code: 'TOO_MANY_REQUESTS' });
    expect(res.body.detail).toMatch(/even te druk/);
    expect(res.body.detail).toMatch(/niets opgeslagen/);
    expect(res.body.correlationId).toBeUndefined();
    await school.get('/api/v1/reports').expect(200);
  });

  it('shows a page that says it is busy (503), not the page for a fault, and the page works again afterwards', async () => {
    const person = await activePerson(t, 'GM0363', { username: 'druk.behandelaar', email: 'druk@example.org', roles: ['behandelaar'] });
    const agent = request.agent(t.http);
    await agent.post('/api/v1/session').send({ username: person.user.username, password: PASSWORD }).expect(200);
    await agent.post('/api/v1/session/code').send({ code: codeAt(person.seed, clock.now()) }).expect(200);
    const release = await holdEveryConnection();
    let res: request.Response;
    try {
      res = await agent.get('/meldingen');
    } finally {
      await release();
    }
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.text).toContain('Even te druk');
    expect(res.text).not.toContain('Er ging iets mis');
    await agent.get('/meldingen').expect(200);
  });
});
