import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { AuditAction, AuditOutcome } from './audit-event.entity';
import { FORBIDDEN_DETAIL_KEY, REDACTED, redactDetails, redactText } from './audit-redaction';
import { isValidPgn } from '../common/dutch-validators';
import { AuditService, SYSTEM_ACTOR } from './audit.service';

const BSN = '123456782'; // passes the 11-proof
const ONDERWIJSNUMMER = '101234564'; // starts with 10, remainder 5
const NOT_A_PGN = '123456789';
const API_KEY = 'vzl_AbCdEfGh_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG';

/** Every key at any depth of a JSON value. */
function keysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysOf);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [k, ...keysOf(v)]);
  return [];
}

describe('the audit log guard against secrets and PGNs', () => {
  it('drops every key that names a password, code, seed, secret, token or PGN, at any depth, in any case', () => {
    const { details, dropped } = redactDetails({
      password: 'hunter2hunter2', newPassword: 'x', Wachtwoord: 'x', code: '123456', otp: '123456', totpSeed: 'JBSWY3DP',
      secret: 's', apiKeySecret: API_KEY, sessionToken: 't', CSRF_TOKEN: 't', pgn: BSN, BSN: BSN, activationCode: 'AB12',
      username: 'jdevries', roles: ['beheerder'],
      nested: { ok: 1, deeper: [{ hardwareTokenSeed: 'x', serial: 'HW-1' }], filters: { pgn: BSN, kind: '16U' } },
    });
    expect(details).toEqual({
      username: 'jdevries', roles: ['beheerder'],
      nested: { ok: 1, deeper: [{ serial: 'HW-1' }], filters: { kind: '16U' } },
    });
    expect(dropped).toBe(15);
  });

  it('replaces a BSN or onderwijsnummer and an API key inside any text, and keeps other numbers', () => {
    expect(redactText(`leerling ${BSN} en ${ONDERWIJSNUMMER}`)).toBe(`leerling ${REDACTED} en ${REDACTED}`);
    expect(redactText(`sleutel ${API_KEY}.`)).toBe(`sleutel ${REDACTED}.`);
    // An id whose hex groups hold nine digits that pass the eleven-test is an id, not a PGN.
    expect(isValidPgn('910710764')).toBe(true);
    expect(redactText('12d30f04-df18-45d5-988e-910710764be4')).toBe('12d30f04-df18-45d5-988e-910710764be4');
    expect(redactText(`id 12d30f04-df18-45d5-988e-${BSN}abc, ${BSN}`)).toBe(`id 12d30f04-df18-45d5-988e-${BSN}abc, ${REDACTED}`);
    expect(redactText(`melding 12, telefoon 0612345678, nummer ${NOT_A_PGN}`)).toBe(`melding 12, telefoon 0612345678, nummer ${NOT_A_PGN}`);
    const { details } = redactDetails({ note: `BSN ${BSN}`, asNumber: Number(BSN), other: 123456789, list: [BSN, 'x'], [BSN]: 'as a key' });
    expect(details).toEqual({ note: `BSN ${REDACTED}`, asNumber: REDACTED, other: 123456789, list: [REDACTED, 'x'] });
  });

  it('drops binary values (seeds and hashes are bytes) and stores dates as text; a __proto__ key stays a plain key', () => {
    const at = new Date('2026-11-02T10:00:00Z');
    const { details, dropped } = redactDetails({ seed2: Buffer.from('abc'), raw: new Uint8Array([1]), at, skipped: undefined, ...JSON.parse('{"__proto__": {"x": 1}}') });
    expect(dropped).toBe(2);
    expect(JSON.parse(JSON.stringify(details))).toEqual({ at: '2026-11-02T10:00:00.000Z', ['__proto__']: { x: 1 } });
    expect(Object.getPrototypeOf(details)).toBe(Object.prototype);
  });

  it('leaves no forbidden key and no PGN in whatever JSON it is given', () => {
    const key = fc.oneof(fc.string(), fc.constantFrom('password', 'pgn', 'bsn', 'otpCode', 'seed', 'apiSecret', 'token', 'name', 'kind'));
    const leaf = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.constantFrom(BSN, ONDERWIJSNUMMER, Number(BSN), API_KEY));
    const json = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('value')), fc.dictionary(key, tie('value'))),
    })).value;
    fc.assert(
      fc.property(fc.dictionary(key, json), (input) => {
        const text = JSON.stringify(redactDetails(input).details);
        expect(keysOf(JSON.parse(text)).filter((k) => FORBIDDEN_DETAIL_KEY.test(k))).toEqual([]);
        expect(text).not.toContain(BSN);
        expect(text).not.toContain(ONDERWIJSNUMMER);
        expect(text).not.toContain(API_KEY);
      }),
    );
  });

  it('is applied by AuditService.record to every entry, including the actor name and the subject id', async () => {
    let sql = '';
    let written: unknown[] = [];
    const service = new AuditService({ manager: { query: async (q: string, v: unknown[]) => ((sql = q), (written = v), []) } } as unknown as DataSource);
    await service.record({
      organisationId: '00000000-0000-0000-0000-000000000001',
      ...SYSTEM_ACTOR,
      actorName: `import ${BSN}`,
      action: AuditAction.REPORT_READ,
      subjectType: 'REPORT',
      subjectId: BSN,
      details: { password: 'x', reason: 'ok' },
    });
    const columns = /\(([^)]*)\)/.exec(sql)![1].split(', ');
    const row = Object.fromEntries(columns.map((c, i) => [c, written[i]]));
    expect(row).toMatchObject({
      actor_type: 'SYSTEM', actor_id: null, subject_type: 'REPORT', actor_name: `import ${REDACTED}`, subject_id: REDACTED, outcome: AuditOutcome.SUCCESS, client_ip: null,
    });
    expect(JSON.parse(row.details as string)).toEqual({ reason: 'ok' });
    expect(JSON.stringify(written)).not.toContain('password');
  });

  it('makes the same redacted entry as a part of another statement', () => {
    const service = new AuditService({} as DataSource);
    const params: unknown[] = ['eerder'];
    const sql = service.cte({ organisationId: 'o', ...SYSTEM_ACTOR, actorName: BSN, action: AuditAction.REPORT_FILED, subjectId: 'x', details: { seed: 's' } }, params, { expression: 'r.number::text', from: 'r' });
    expect(sql).toMatch(/^INSERT INTO audit_event \(.*\) SELECT \$2, .*r\.number::text.* FROM r$/);
    expect(params).toContain(REDACTED);
    expect(params).not.toContain('x');
    expect(JSON.stringify(params)).not.toContain('seed');
  });
});
