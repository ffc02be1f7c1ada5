import { ArgumentMetadata } from '@nestjs/common';
import { problemOfDatabaseError } from '../common/database-errors';
import { addressesPrototype, keySegments } from '../common/hostile-input';
import { FieldCode, FieldError, invalid, ProblemError } from '../common/problem';
import { validationPipe } from '../common/validation';

const pipe = validationPipe();

/**
 * A posted form (flat names like "pupil.registeredAddress.street") as the nested object the API takes. The names are
 * the sender's: the walk builds objects without a prototype and takes only their own properties, so no name ("toString",
 * "__proto__.x", "constructor.prototype.x") can reach an object that is not one of these; a name that addresses a
 * prototype is refused outright (RequestBodyMiddleware refuses it before, this is the second line).
 */
export function unflatten(form: Record<string, unknown>, skip: readonly string[] = ['_csrf']): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  for (const [name, raw] of Object.entries(form)) {
    if (skip.includes(name)) continue;
    if (addressesPrototype(name)) throw invalid({ field: name, code: FieldCode.UNKNOWN_FIELD, message: `${name}: is geen bekend veld` });
    const value = typeof raw === 'string' ? raw.trim() : raw;
    if (value === '' || value === undefined) continue;
    const path = keySegments(name);
    if (path.length === 0) continue;
    let node = out;
    for (const key of path.slice(0, -1)) {
      const next = Object.hasOwn(node, key) ? node[key] : undefined;
      // A name that is both a value and a group ("a=1&a.b=2"): the later one wins, as for a repeated name.
      node = (next !== null && typeof next === 'object' && !Array.isArray(next) ? next : (node[key] = Object.create(null))) as Record<string, unknown>;
    }
    node[path[path.length - 1]] = value;
  }
  return plain(out);
}

/** A copy of nested objects without a prototype as ordinary objects (what validators and templates expect). */
function plain(node: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, v !== null && typeof v === 'object' && !Array.isArray(v) ? plain(v as Record<string, unknown>) : v]));
}

/** Nested values back to the form's flat names, so that a page with errors shows what was typed. */
export function flatten(values: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) Object.assign(out, flatten(v as Record<string, unknown>, `${prefix}${k}.`));
    else out[`${prefix}${k}`] = v;
  }
  return out;
}

/** Form fields hold text: the numbers and yes/no answers become what the API's types expect. */
export function coerce(values: Record<string, unknown>, numbers: readonly string[], booleans: readonly string[]): Record<string, unknown> {
  const out = structuredClone(values);
  const at = (path: string): [Record<string, unknown>, string] | null => {
    const keys = path.split('.');
    let node: unknown = out;
    for (const key of keys.slice(0, -1)) node = (node as Record<string, unknown> | undefined)?.[key];
    return node && typeof node === 'object' ? [node as Record<string, unknown>, keys[keys.length - 1]] : null;
  };
  for (const path of numbers) {
    const found = at(path);
    if (found && typeof found[0][found[1]] === 'string' && /^-?\d{1,9}$/.test(found[0][found[1]] as string)) found[0][found[1]] = Number(found[0][found[1]]);
  }
  for (const path of booleans) {
    const found = at(path);
    if (found && (found[0][found[1]] === 'true' || found[0][found[1]] === 'false')) found[0][found[1]] = found[0][found[1]] === 'true';
  }
  return out;
}

/** Validates like the API does (same DTO, same pipe); the field errors, or the typed input. */
export async function validateAs<T>(metatype: new () => T, value: unknown): Promise<{ input?: T; errors: FieldError[] }> {
  try {
    return { input: (await pipe.transform(value, { type: 'body', metatype } as ArgumentMetadata)) as T, errors: [] };
  } catch (error) {
    if (error instanceof ProblemError && error.errors) return { errors: error.errors };
    throw error;
  }
}

/**
 * Errors as a page shows them: in the error summary and beside the field, in plain Dutch with the field's label
 * ("Achternaam: is verplicht") instead of the API's field path.
 */
export function pageErrors(errors: readonly FieldError[], labels: Record<string, string>): FieldError[] {
  // In the order of the labels (the form's order), so that the summary reads top to bottom like the form.
  const order = Object.keys(labels);
  const rank = (field: string) => (order.indexOf(field) + order.length + 1) % (order.length + 1);
  return errors.map((e) => {
    const text = e.message.replace(/^[\w.[\]]+: /, '');
    const field = labels[e.field] ? e.field : (Object.keys(labels).find((k) => e.field.startsWith(`${k}.`) || e.field.startsWith(`${k}[`)) ?? e.field);
    return { ...e, field, message: `${labels[field] ?? field}: ${text}` };
  }).sort((x, y) => rank(x.field) - rank(y.field));
}

/** Whether a "back to" address is a path of this site (never another site: that would be an open redirect). */
export function localPath(value: unknown, fallback = '/'): string {
  return typeof value === 'string' && /^\/(?![/\\])[^\s]*$/.test(value) && value.length < 500 ? value : fallback;
}

/** The options of a select or radio group, from a table of Dutch labels. */
export function options<T extends string>(labels: Record<T, string>): { value: T; label: string }[] {
  return (Object.entries(labels) as [T, string][]).map(([value, label]) => ({ value, label }));
}

/**
 * A refused action as errors on the page: the service's field errors as they are; a refusal of the whole action (a
 * conflict, a rule) as one error on `field`. Not signed in and not found stay errors for PortalFilter, and so does
 * forbidden, unless the page shows it (a beheerder granting a role they lack).
 */
export function fieldErrorsOf(caught: unknown, { field = 'algemeen', forbiddenOnPage = false } = {}): FieldError[] {
  const error = problemOfDatabaseError(caught) ?? caught;
  if (!(error instanceof ProblemError) || error.status === 401 || error.status === 404 || (error.status === 403 && !forbiddenOnPage)) throw error;
  return error.errors?.length ? error.errors : [{ field, code: FieldCode.NOT_ALLOWED_VALUE, message: error.detail ?? error.message }];
}

/** A form field that may come once (one checkbox ticked) or several times (a list); what is not text is left out. */
export function listOf(value: unknown): string[] {
  return ([] as unknown[]).concat(value ?? []).filter((v): v is string => typeof v === 'string');
}
