import type { Request } from 'express';
import { createLogger, maskNineDigits, PinoNestLogger, prettyLine } from './logger';
import { requestContext } from '../common/request-context';

function capture(level: Parameters<typeof createLogger>[0] = 'verbose') {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger(level, { write: (l: string) => void lines.push(JSON.parse(l)) });
  return { lines, nest: new PinoNestLogger(logger), logger };
}

describe('the logger', () => {
  it('masks a run of exactly nine digits (a BSN or onderwijsnummer), not longer or shorter numbers', () => {
    expect(maskNineDigits('leerling 123456782 en 1234567820 en 12345678')).toBe('leerling ********* en 1234567820 en 12345678');
  });

  it('writes Nest lines with their context, the request id inside a request, and stacks without a PGN', () => {
    const { lines, nest } = capture();
    nest.log('gestart', 'Start');
    requestContext.run({ requestId: 'req-12345678', clientIp: null, req: {} as Request }, () => nest.error('mislukt voor 111222333', 'Error: x\n    at y (111222333)', 'Errors'));
    expect(lines[0]).toMatchObject({ level: 'info', context: 'Start', msg: 'gestart' });
    expect(lines[0].requestId).toBeUndefined();
    expect(lines[1]).toMatchObject({ level: 'error', context: 'Errors', requestId: 'req-12345678', msg: 'mislukt voor *********' });
    expect(String(lines[1].stack)).not.toContain('111222333');
  });

  it('redacts credentials, cookies, bodies and PGNs in logged objects', () => {
    const { lines, logger } = capture();
    logger.info({ pgn: '123456782', req: { headers: { authorization: 'Bearer vzl_x', cookie: 'vzl_session=y' }, body: { a: 1 } } }, 'x');
    const text = JSON.stringify(lines[0]);
    for (const secret of ['123456782', 'vzl_x', 'vzl_session', '"a":1']) expect(text).not.toContain(secret);
  });

  it('follows the configured level, and Nest can change it', () => {
    const { lines, nest } = capture('warn');
    nest.log('niet');
    nest.warn('wel');
    nest.setLogLevels(['error']);
    nest.warn('niet meer');
    expect(lines.map((l) => l.msg)).toEqual(['wel']);
  });

  it('prints a readable line on a terminal', () => {
    expect(prettyLine('{"level":"info","time":"2026-12-01T10:00:00.123Z","pid":1,"context":"Mail","msg":"verstuurd","route":"/x"}'))
      .toBe('10:00:00.123 INFO  [Mail] verstuurd  route=/x\n');
  });
});
