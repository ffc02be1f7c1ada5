import request from 'supertest';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { feedSequenceSql } from '../src/webhooks/cloud-event';
import { activePerson, signIn } from './support/people';
import { bsn, Caller, reportBody, TestApp, TestSchool } from './support/test-app';
import { WebhookReceiver } from './support/webhook-receiver';
import { feedCaughtUp, until } from './support/until';

type Agent = { agent: ReturnType<typeof request.agent>; csrf: string };

const ALL_TYPES = [
  'nl.verzuimloket.melding.ingediend', 'nl.verzuimloket.melding.gewijzigd', 'nl.verzuimloket.melding.status-gewijzigd',
  'nl.verzuimloket.melding.heropend', 'nl.verzuimloket.melding.bericht-toegevoegd', 'nl.verzuimloket.melding.doorgestuurd',
  'nl.verzuimloket.melding.ingetrokken',
];

/**
 * Webhooks as a beheerder registers them and a receiving system sees them: the API, the rules for addresses, and the
 * CloudEvents that arrive (verified with the standardwebhooks package), for the same changes the feed hands out.
 */
describe('webhooks: registering endpoints and what they receive', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  let school: TestSchool;
  let amsterdam: Caller;
  let schoolBeheer: Agent;
  let amsterdamBeheer: Agent;
  let utrechtBeheer: Agent;
  let pupil = 70_000;

  const post = (who: Agent, path: string, body: object = {}) => who.agent.post(path).set('X-CSRF-Token', who.csrf).send(body);
  async function register(who: Agent, path: string, eventTypes = ALL_TYPES): Promise<{ id: string; secret: string }> {
    const res = await post(who, '/api/v1/webhooks', { url: receiver.url(path), description: `Systeem ${path}`, eventTypes }).expect(201);
    receiver.expect(path, res.body.secret);
    return { id: res.body.endpoint.id, secret: res.body.secret };
  }
  const pgns: string[] = [];
  const file = async () => {
    pgns.push(bsn((pupil += 7)));
    return (await school.post('/api/v1/reports', reportBody(school, {}, { pgn: pgns.at(-1), surname: 'Geheimnaam' })).expect(201)).body.number as number;
  };

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    t = await TestApp.start({ WEBHOOK_WORKER: 'true', WEBHOOK_POLL_MS: '100' });
    school = await t.newSchool('Webhookschool');
    amsterdam = await t.keyFor('GM0363');
    const people = [
      [school.org.code, 'sanne.beheer'], ['GM0363', 'adam.beheer'], ['GM0344', 'ursula.beheer'],
    ] as const;
    [schoolBeheer, amsterdamBeheer, utrechtBeheer] = await Promise.all(people.map(async ([org, username]) =>
      signIn(t, await activePerson(t, org, { username, email: `${username}@example.org`, roles: ['beheerder'] }))));
  });
  afterAll(async () => {
    await t?.stop();
    await receiver?.stop();
  });
  afterEach(() => expect(receiver.unverified).toEqual([]));

  it('registers an endpoint with a whsec_ secret shown once; lists it without; refuses bad addresses, keys and strangers', async () => {
    const res = await post(schoolBeheer, '/api/v1/webhooks', { url: receiver.url('/eerste'), eventTypes: [ALL_TYPES[0]] }).expect(201);
    receiver.expect('/eerste', res.body.secret);
    expect(res.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(res.body.endpoint).toMatchObject({ url: receiver.url('/eerste'), description: '', eventTypes: [ALL_TYPES[0]], status: 'ACTIVE', disabledReason: null });
    const list = await schoolBeheer.agent.get('/api/v1/webhooks').expect(200);
    expect(JSON.stringify(list.body)).not.toContain(res.body.secret);
    expect(list.body.map((e: { id: string }) => e.id)).toEqual([res.body.endpoint.id]);

    for (const [url, code] of [
      ['http://leerlingvolgsysteem.example.nl/hook', 'NOT_ALLOWED_VALUE'], ['ftp://127.0.0.1/x', 'INVALID_FORMAT'], ['geen adres', 'INVALID_FORMAT'],
      ['https://gebruiker:wachtwoord@systeem.example.nl/hook', 'NOT_ALLOWED_VALUE'],
    ]) {
      const refused = await post(schoolBeheer, '/api/v1/webhooks', { url, eventTypes: [ALL_TYPES[0]] }).expect(422);
      expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'url', code })]);
    }
    const noTypes = await post(schoolBeheer, '/api/v1/webhooks', { url: 'https://systeem.example.nl/hook', eventTypes: [] }).expect(422);
    expect(noTypes.body.errors[0].field).toBe('eventTypes');
    const unknownType = await post(schoolBeheer, '/api/v1/webhooks', { url: 'https://systeem.example.nl/hook', eventTypes: ['nl.verzuimloket.melding.bijlage'] }).expect(422);
    expect(unknownType.body.errors[0]).toMatchObject({ field: 'eventTypes', code: 'NOT_ALLOWED_VALUE' });
    // https anywhere is fine outside production; the address rules for production are unit-tested (webhook-url.spec.ts).
    await post(schoolBeheer, '/api/v1/webhooks', { url: 'https://systeem.example.nl/hook', eventTypes: [ALL_TYPES[0]] }).expect(201);

    // A machine key never manages webhooks, whatever its roles; another organisation's beheerder does not see them.
    await school.get('/api/v1/webhooks').expect(403);
    await school.post('/api/v1/webhooks', { url: receiver.url('/x'), eventTypes: [ALL_TYPES[0]] }).expect(403);
    await amsterdamBeheer.agent.get(`/api/v1/webhooks/${res.body.endpoint.id}`).expect(404);
    await post(amsterdamBeheer, `/api/v1/webhooks/${res.body.endpoint.id}/test`).expect(404);
    await amsterdamBeheer.agent.delete(`/api/v1/webhooks/${res.body.endpoint.id}`).set('X-CSRF-Token', amsterdamBeheer.csrf).expect(404);
    await schoolBeheer.agent.get('/api/v1/webhooks/niet-een-id').expect(404);

    for (const e of (await schoolBeheer.agent.get('/api/v1/webhooks').expect(200)).body) {
      await schoolBeheer.agent.delete(`/api/v1/webhooks/${e.id}`).set('X-CSRF-Token', schoolBeheer.csrf).expect(204);
    }
  });

  it('sends each change as a signed CloudEvent with a thin payload: the number, the change, the status, a link, the feed cursor', async () => {
    const hook = await register(schoolBeheer, '/school');
    const number = await file();
    await amsterdam.post(`/api/v1/reports/${number}/status`, { status: 'IN_BEHANDELING' }).expect(200);
    await amsterdam.post(`/api/v1/reports/${number}/messages`, { body: 'Wij nemen contact op met Geheimnaam.' }).expect(201);
    await receiver.waitFor('drie gebeurtenissen', () => receiver.delivered('/school').length >= 3);
    const got = receiver.delivered('/school');
    expect(got.map((r) => r.event.type)).toEqual(['nl.verzuimloket.melding.ingediend', 'nl.verzuimloket.melding.status-gewijzigd', 'nl.verzuimloket.melding.bericht-toegevoegd']);
    const first = got[0];
    expect(first.contentType).toBe('application/cloudevents+json; charset=utf-8');
    expect(first.event).toEqual({
      specversion: '1.0', id: first.id, source: 'urn:nld:verzuimloket', type: 'nl.verzuimloket.melding.ingediend', subject: String(number),
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), sequence: expect.stringMatching(/^\d{19}-\d{19}$/),
      datacontenttype: 'application/json',
      data: { reportNumber: number, change: 'INGEDIEND', status: 'GEREGISTREERD', url: `http://localhost:3000/api/v1/reports/${number}` },
    });
    expect(got[1].event.data).toMatchObject({ change: 'STATUS_GEWIJZIGD', status: 'IN_BEHANDELING' });
    // The webhook-id is the CloudEvent's id; the signature is over id.timestamp.body with the endpoint's secret.
    expect(new Webhook(hook.secret).verify(first.body, { 'webhook-id': first.id, 'webhook-timestamp': String(first.timestamp), 'webhook-signature': first.signature })).toEqual(first.event);
    // Nothing of the pupil, nothing typed: the surname is in the report and in the message, never in a webhook.
    for (const r of got) {
      expect(r.body).not.toMatch(/Geheimnaam|Dijk|Amsterdam|Dorpsstraat/);
      for (const pgn of pgns) expect(r.body).not.toContain(pgn);
    }

    // The sequence is the changes feed's cursor: the feed resumes from it, and the text orders as the feed does.
    await feedCaughtUp(t.db);
    const feed = (await school.get('/api/v1/changes?limit=500').expect(200)).body.changes.filter((c: { reportNumber: number }) => c.reportNumber === number);
    expect(got.map((r) => r.event.sequence!.replace(/(^|-)0+(?=\d)/g, '$1'))).toEqual(feed.map((c: { cursor: string }) => c.cursor));
    expect([...got.map((r) => r.event.sequence!)].sort()).toEqual(got.map((r) => r.event.sequence!));
    // The moment is the event's, as the feed gives it (the statement writes it, to the millisecond, as toISOString does).
    expect(got.map((r) => r.event.time)).toEqual(feed.map((c: { at: string }) => c.at));
    const after = await school.get(`/api/v1/changes?after=${got[1].event.sequence}`).expect(200);
    expect(after.body.changes.map((c: { type: string }) => c.type)).toEqual(['BERICHT']);
    await schoolBeheer.agent.delete(`/api/v1/webhooks/${hook.id}`).set('X-CSRF-Token', schoolBeheer.csrf).expect(204);
  });

  it('orders the sequence as text the way the feed orders its cursor, for any cursor (the SQL that writes it)', async () => {
    const cursors = fc.sample(fc.tuple(fc.bigInt({ min: 1n, max: 2n ** 62n }), fc.bigInt({ min: 1n, max: 2n ** 62n })), 500);
    const rows: { s: string; t: string; i: string }[] = await t.db.query(
      `SELECT ${feedSequenceSql('x.t', 'x.i')} AS s, x.t::text AS t, x.i::text AS i FROM unnest($1::bigint[], $2::bigint[]) AS x(t, i)`,
      [cursors.map(([txid]) => String(txid)), cursors.map(([, id]) => String(id))],
    );
    const feedOrder = [...rows].sort((a, b) => (BigInt(a.t) - BigInt(b.t) || BigInt(a.i) - BigInt(b.i)) > 0n ? 1 : (BigInt(a.t) - BigInt(b.t) || BigInt(a.i) - BigInt(b.i)) < 0n ? -1 : 0);
    expect([...rows].sort((a, b) => (a.s < b.s ? -1 : a.s > b.s ? 1 : 0))).toEqual(feedOrder);
    expect(rows.every((r) => r.s === `${r.t.padStart(19, '0')}-${r.i.padStart(19, '0')}`)).toBe(true);
  });

  it('tells each organisation what the changes feed shows it, of the types it chose; a forward reaches the receiver it left', async () => {
    const schoolHook = await register(schoolBeheer, '/zien-school', ALL_TYPES.filter((x) => !x.endsWith('bericht-toegevoegd')));
    const amsterdamHook = await register(amsterdamBeheer, '/zien-amsterdam');
    const utrechtHook = await register(utrechtBeheer, '/zien-utrecht');
    const number = await file();
    await amsterdam.post(`/api/v1/reports/${number}/messages`, { body: 'Vraag' }).expect(201);
    await amsterdam.post(`/api/v1/reports/${number}/forward`, { to: 'GM0344', explanation: 'Verhuisd' }).expect(200);
    const utrecht = await t.keyFor('GM0344');
    await utrecht.post(`/api/v1/reports/${number}/status`, { status: 'IN_BEHANDELING' }).expect(200);
    const changes = (path: string) => receiver.delivered(path).filter((r) => r.event.subject === String(number)).map((r) => r.event.data.change);
    await receiver.waitFor('alle gebeurtenissen', () => changes('/zien-school').length >= 3 && changes('/zien-utrecht').length >= 2 && changes('/zien-amsterdam').length >= 3);
    await new Promise((r) => setTimeout(r, 500));
    expect(changes('/zien-school')).toEqual(['INGEDIEND', 'DOORGESTUURD', 'STATUS_GEWIJZIGD']);
    expect(changes('/zien-amsterdam')).toEqual(['INGEDIEND', 'BERICHT', 'DOORGESTUURD']);
    expect(changes('/zien-utrecht')).toEqual(['DOORGESTUURD', 'STATUS_GEWIJZIGD']);
    for (const [who, hook] of [[schoolBeheer, schoolHook], [amsterdamBeheer, amsterdamHook], [utrechtBeheer, utrechtHook]] as const) {
      await who.agent.delete(`/api/v1/webhooks/${hook.id}`).set('X-CSRF-Token', who.csrf).expect(204);
    }
  });

  it('rotates the secret with a period in which both sign; sends a test event; redelivers one event with the same webhook-id', async () => {
    const hook = await register(schoolBeheer, '/draaien');
    const rotated = await post(schoolBeheer, `/api/v1/webhooks/${hook.id}/rotate-secret`, { overlapHours: 24 }).expect(200);
    expect(rotated.body.secret).not.toBe(hook.secret);
    expect(Date.parse(rotated.body.endpoint.previousSecretExpiresAt) - Date.now()).toBeGreaterThan(23.9 * 3600_000);
    // Both secrets verify every message during the overlap: the receiver checks each one alone.
    receiver.expect('/draaien', hook.secret, rotated.body.secret);
    const test = await post(schoolBeheer, `/api/v1/webhooks/${hook.id}/test`).expect(202);
    expect(test.body).toMatchObject({ type: 'nl.verzuimloket.webhook.test', reportNumber: null, status: 'PENDING', attempts: 0 });
    await receiver.waitFor('het testbericht', () => receiver.delivered('/draaien').length === 1);
    expect(receiver.delivered('/draaien')[0]).toMatchObject({ id: test.body.messageId, event: { type: 'nl.verzuimloket.webhook.test', data: { test: true } } });
    expect(receiver.delivered('/draaien')[0].signature.split(' ')).toHaveLength(2);

    // Without overlap the old secret stops at once: one signature, with the new secret only.
    const again = await post(schoolBeheer, `/api/v1/webhooks/${hook.id}/rotate-secret`, { overlapHours: 0 }).expect(200);
    expect(again.body.endpoint.previousSecretExpiresAt).toBeNull();
    receiver.expect('/draaien', again.body.secret);
    const number = await file();
    await receiver.waitFor('de melding', () => receiver.delivered('/draaien').length === 2);
    expect(receiver.delivered('/draaien')[1].signature.split(' ')).toHaveLength(1);

    // The receiver has the message a moment before the sender records its answer.
    const deliveries = async () => (await schoolBeheer.agent.get(`/api/v1/webhooks/${hook.id}/deliveries`).expect(200)).body;
    await until('de vastgelegde bezorging', async () => (await deliveries()).items.every((d: { status: string }) => d.status === 'DELIVERED'));
    const log = { body: await deliveries() };
    expect(log.body.items.map((d: { type: string; status: string; attempts: number }) => [d.type, d.status, d.attempts])).toEqual([
      ['nl.verzuimloket.melding.ingediend', 'DELIVERED', 1], ['nl.verzuimloket.webhook.test', 'DELIVERED', 1],
    ]);
    expect(log.body.items[0]).toMatchObject({ reportNumber: number, lastStatusCode: 204, lastLatencyMs: expect.any(Number), deliveredAt: expect.any(String) });
    const redelivered = await post(schoolBeheer, `/api/v1/webhooks/${hook.id}/deliveries/${log.body.items[0].id}/redeliver`).expect(202);
    expect(redelivered.body).toMatchObject({ messageId: log.body.items[0].messageId, status: 'PENDING' });
    await receiver.waitFor('de herbezorging', () => receiver.delivered('/draaien').length === 3);
    const [, original, repeat] = receiver.delivered('/draaien');
    expect(repeat.id).toBe(original.id);
    expect(repeat.body).toBe(original.body);
    // A delivery still waiting cannot be redelivered; nor can one of a switched-off endpoint; paging goes back in time.
    await post(schoolBeheer, `/api/v1/webhooks/${hook.id}/deliveries/99999999/redeliver`).expect(404);
    const page = await schoolBeheer.agent.get(`/api/v1/webhooks/${hook.id}/deliveries?limit=2`).expect(200);
    expect(page.body.items).toHaveLength(2);
    const rest = await schoolBeheer.agent.get(`/api/v1/webhooks/${hook.id}/deliveries?limit=2&after=${page.body.nextCursor}`).expect(200);
    expect(rest.body).toMatchObject({ items: [expect.objectContaining({ type: 'nl.verzuimloket.webhook.test' })], nextCursor: null });
    await schoolBeheer.agent.patch(`/api/v1/webhooks/${hook.id}`).set('X-CSRF-Token', schoolBeheer.csrf).send({ enabled: false }).expect(200);
    const off = await post(schoolBeheer, `/api/v1/webhooks/${hook.id}/test`).expect(409);
    expect(off.body.code).toBe('CONFLICT');
    await post(schoolBeheer, `/api/v1/webhooks/${hook.id}/deliveries/${log.body.items[0].id}/redeliver`).expect(409);
    await schoolBeheer.agent.delete(`/api/v1/webhooks/${hook.id}`).set('X-CSRF-Token', schoolBeheer.csrf).expect(204);
  });
});
