import { SqlValue } from '../common/sql-json';
import { cloudEventJson, cloudEventSql, isoTimeSql } from './cloud-event';
import { outcomeOf, retryAfterSeconds } from './webhook-sender';
import { isForbiddenAddress, urlProblem } from './webhook-url';

describe('webhook addresses', () => {
  it.each([
    ['https://systeem.example.nl/hook', false, null],
    ['https://systeem.example.nl/hook', true, null],
    ['http://127.0.0.1:8080/hook', false, null],
    ['http://localhost/hook', false, null],
    ['http://[::1]:9000/hook', false, null],
    ['http://127.0.0.1:8080/hook', true, 'NOT_ALLOWED_VALUE'],
    ['http://systeem.example.nl/hook', false, 'NOT_ALLOWED_VALUE'],
    ['https://10.1.2.3/hook', true, 'NOT_ALLOWED_VALUE'],
    ['https://169.254.169.254/latest', true, 'NOT_ALLOWED_VALUE'],
    ['https://localhost/hook', true, 'NOT_ALLOWED_VALUE'],
    ['https://[fd00::1]/hook', true, 'NOT_ALLOWED_VALUE'],
    ['https://10.1.2.3/hook', false, null],
    ['https://a:b@systeem.example.nl/', false, 'NOT_ALLOWED_VALUE'],
    ['https://systeem.example.nl/#deel', false, 'NOT_ALLOWED_VALUE'],
    ['ftp://systeem.example.nl/', false, 'INVALID_FORMAT'],
    ['systeem.example.nl', false, 'INVALID_FORMAT'],
  ])('%s (production %s): %s', (url, production, code) => {
    expect(urlProblem(url, production)?.code ?? null).toBe(code);
  });

  it('knows the private, loopback and link-local ranges, also as IPv4 in IPv6', () => {
    for (const a of ['127.0.0.1', '10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fe80::1', 'fc00::1', '::ffff:10.0.0.1']) {
      expect([a, isForbiddenAddress(a)]).toEqual([a, true]);
    }
    for (const a of ['8.8.8.8', '172.32.0.1', '192.169.0.1', '100.128.0.1', '2001:db8::1', '::ffff:8.8.8.8', 'systeem.example.nl']) {
      expect([a, isForbiddenAddress(a)]).toEqual([a, false]);
    }
  });
});

describe('what an answer means', () => {
  it.each([[200, 'DELIVERED'], [204, 'DELIVERED'], [301, 'REFUSED'], [400, 'REFUSED'], [404, 'REFUSED'], [408, 'RETRY'], [410, 'GONE'], [429, 'RETRY'], [500, 'RETRY'], [503, 'RETRY']])(
    '%i: %s', (status, outcome) => expect(outcomeOf(status)).toBe(outcome),
  );

  it('reads Retry-After as seconds or as a date', () => {
    const now = Date.parse('2026-12-01T12:00:00Z');
    expect(retryAfterSeconds('120', now)).toBe(120);
    expect(retryAfterSeconds('Tue, 01 Dec 2026 12:01:00 GMT', now)).toBe(60);
    expect(retryAfterSeconds('Tue, 01 Dec 2026 11:00:00 GMT', now)).toBe(0);
    expect(retryAfterSeconds('morgen', now)).toBeNull();
    expect(retryAfterSeconds(undefined, now)).toBeNull();
  });
});

describe('the CloudEvent', () => {
  it('is the same text when the statement writes the moment and the sequence', () => {
    const params: string[] = [];
    const e = { id: 'x', source: 'urn:nld:verzuimloket', type: 'nl.verzuimloket.melding.ingediend', subject: '12', data: { a: 1 } };
    const sql = cloudEventSql({ ...e, time: isoTimeSql('e.created_at'), sequence: new SqlValue('s') }, (text) => `$${params.push(text)}`);
    expect(sql).toBe(`$1 || to_json(to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))::text || $2 || to_json(s)::text || $3`);
    const time = new Date('2026-12-02T09:10:11.123Z');
    expect(params.join('|')).toBe(cloudEventJson({ ...e, time, sequence: 'S' }).replace(JSON.stringify(time.toISOString()), '|').replace('"S"', '|'));
  });

  it('has the attributes of CloudEvents 1.0, always in the same order', () => {
    const json = cloudEventJson({ id: 'x', source: 'urn:nld:verzuimloket', type: 'nl.verzuimloket.melding.ingediend', time: new Date(0), subject: '12', sequence: 's', data: { a: 1 } });
    expect(Object.keys(JSON.parse(json))).toEqual(['specversion', 'id', 'source', 'type', 'time', 'subject', 'sequence', 'datacontenttype', 'data']);
  });
});
