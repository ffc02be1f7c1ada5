import { FieldCode, FieldError } from './problem';

/**
 * Input is checked once, at the edge, before anything interprets it: the body (JSON or form), the query and the path.
 *
 * - A key, or any segment of a dotted form name ("pupil.registeredAddress.street", "days[0].date"), that addresses an
 *   object's prototype (`__proto__`, `constructor`, `prototype`) is refused: such a name is an attack on whatever later
 *   walks the names into objects, never a field of ours.
 * - Text with a NUL character or an unpaired UTF-16 surrogate is refused: PostgreSQL cannot store the one and the
 *   other is not text (it breaks jsonb, URI encoding and e-mail validation further in).
 * - Nesting deeper than any form of ours is refused.
 *
 * Pure functions: the middleware (inspect-request.ts) and the multipart reader call them.
 */

/** Deeper than any body of ours; deeper input is an attack on the parser, not a report. */
export const MAX_DEPTH = 16;

const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);

/** The parts of a key as a form or query names them: "a.b[0].c" is a, b, 0, c. */
export function keySegments(key: string): string[] {
  return key.split(/[.[\]]+/).filter((s) => s !== '');
}

/** Whether a key, or any segment of it, addresses a prototype. */
export function addressesPrototype(key: string): boolean {
  return FORBIDDEN_SEGMENTS.has(key) || keySegments(key).some((s) => FORBIDDEN_SEGMENTS.has(s));
}

/** Whether text holds a NUL character or an unpaired surrogate. */
export function hasForbiddenCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) return true;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
      else return true;
    } else if (c >= 0xdc00 && c <= 0xdfff) return true;
  }
  return false;
}

export class TooDeepError extends Error {}

/**
 * What is wrong with a parsed body or query, as field errors naming the path (empty: nothing). Throws TooDeepError
 * for nesting beyond MAX_DEPTH. `prefix` is the path of `root` itself.
 */
export function hostileFields(root: unknown, prefix = ''): FieldError[] {
  const refused: FieldError[] = [];
  const queue: [unknown, string, number][] = [[root, prefix, 0]];
  for (let i = 0; i < queue.length; i++) {
    const [value, path, depth] = queue[i];
    if (typeof value === 'string') {
      if (hasForbiddenCharacter(value)) refused.push(characterError(path || 'body'));
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth > MAX_DEPTH) throw new TooDeepError(`nested deeper than ${MAX_DEPTH}`);
    const array = Array.isArray(value);
    for (const key of Object.keys(value)) {
      const child = array ? `${path}[${key}]` : path ? `${path}.${key}` : key;
      if (!array && hasForbiddenCharacter(key)) refused.push(characterError(path ? `${path}.(naam)` : '(naam)'));
      else if (!array && addressesPrototype(key)) refused.push({ field: child, code: FieldCode.UNKNOWN_FIELD, message: `${child}: is geen bekend veld` });
      else queue.push([(value as Record<string, unknown>)[key], child, depth + 1]);
    }
  }
  return refused;
}

/** What is wrong with the path of a request: segments that do not decode, or decode to forbidden characters. */
export function hostilePath(path: string): FieldError[] {
  for (const segment of path.split('/')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return [{ field: 'path', code: FieldCode.INVALID_CHARACTER, message: 'path: het adres bevat een ongeldige codering (%-teken)' }];
    }
    if (hasForbiddenCharacter(decoded)) return [characterError('path')];
  }
  return [];
}

function characterError(field: string): FieldError {
  return { field, code: FieldCode.INVALID_CHARACTER, message: `${field}: bevat een teken dat niet is toegestaan (een nul-teken of een half teken)` };
}
