import request from 'supertest';

export interface FieldError {
  field: string;
  code: string;
  message: string;
}

/** Words of class-validator's English defaults; none may reach a client. */
export const ENGLISH = /\b(must|should|property|each value|invalid|required|string|boolean|array|nested|not allowed|conform)\b/i;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** "field CODE" for each refusal, sorted: what a test compares. */
export const pairs = (errors: FieldError[]) => errors.map((e) => `${e.field} ${e.code}`).sort();

/** A problem+json answer with this status and code, in Dutch, without internals. */
export function expectProblem(res: request.Response, status: number, code: string): void {
  expect({ status: res.status, body: res.body }).toMatchObject({ status, body: { status, code } });
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body.type).toMatch(/^urn:verzuimloket:problem:/);
  expect(res.body.title).toEqual(expect.any(String));
  expect(res.body.title).not.toMatch(ENGLISH);
  if (res.body.detail !== undefined) expect(res.body.detail).not.toMatch(ENGLISH);
  expect(JSON.stringify(res.body)).not.toMatch(/stack|QueryFailedError|TypeError|at \S+ \(/);
}

/** The field errors of a 422: each names its field first, in Dutch. */
export function fieldErrors(res: request.Response): FieldError[] {
  const errors = res.body.errors as FieldError[];
  expect(Array.isArray(errors)).toBe(true);
  expect(errors.length).toBeGreaterThan(0);
  for (const e of errors) {
    expect(e.field).toEqual(expect.any(String));
    expect(e.field.length).toBeGreaterThan(0);
    expect(e.message).toMatch(new RegExp(`^${escape(e.field)}: \\S`));
    expect(e.message).not.toMatch(ENGLISH);
  }
  return errors;
}

/** A 422 refusing exactly these "field CODE" pairs. */
export function expectFieldErrors(res: request.Response, expected: string[]): void {
  expectProblem(res, 422, 'VALIDATION_FAILED');
  expect(pairs(fieldErrors(res))).toEqual([...expected].sort());
}
