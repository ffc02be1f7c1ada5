import { QueryFailedError } from 'typeorm';
import { ErrorCode } from './problem';
import { isDatabaseUnavailable, problemOfDatabaseError } from './database-errors';

const pgError = (code: string, message = 'x') => new QueryFailedError('SELECT 1', [], Object.assign(new Error(message), { code }));

describe('a database that cannot take the request now', () => {
  it.each([
    ['the pool waited past its limit', new Error('timeout exceeded when trying to connect')],
    ['the connection broke', new Error('Connection terminated unexpectedly')],
    ['the server refuses connections', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['too many connections', pgError('53300')],
    ['the server shuts down', pgError('57P01')],
    ['the server is starting', pgError('57P03')],
  ])('is a refusal to retry later (429) when %s', (_what, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(problemOfDatabaseError(error)).toMatchObject({ code: ErrorCode.TOO_MANY_REQUESTS, status: 429 });
  });

  it.each([
    ['a unique key (the request collided)', pgError('23505')],
    ['a syntax error (a fault of ours)', pgError('42601', 'syntax error at or near "x"')],
    ['an error that only mentions a timeout later in its text', new Error('query: timeout exceeded when trying to connect')],
    ['not an error at all', 'timeout exceeded when trying to connect'],
    ['nothing', null],
  ])('is not when %s', (_what, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
    expect(problemOfDatabaseError(error)?.code).not.toBe(ErrorCode.TOO_MANY_REQUESTS);
  });
});
