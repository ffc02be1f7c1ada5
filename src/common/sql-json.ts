import { randomUUID } from 'node:crypto';

/** Unguessable, and without characters a JSON string escapes or a regular expression reads: no other value holds it. */
const MARK = `sql-${randomUUID()}`;
const HOLE = new RegExp(`"${MARK}(\\d+)"`);

/** The expressions of the jsonSql call under way (it is synchronous): each SqlValue adds its own as it is written. */
let holes: string[] | undefined;

/** A value that only the statement knows as it runs (the number its insert draws, the moment, the id of its row). */
export class SqlValue {
  constructor(readonly expression: string) {}

  /** Inside jsonSql: the mark of its hole (JSON.stringify asks for it; a replacer function would slow every value). */
  toJSON(): string | { sql: string } {
    return holes ? `${MARK}${holes.push(this.expression) - 1}` : { sql: this.expression };
  }
}

/**
 * JSON text as an SQL expression of text: `value` as JSON.stringify writes it, except that each SqlValue in it becomes
 * the JSON of its expression as the statement computes it (`to_json(...)::text`). The text around them goes in
 * through `param`. The same keys in the same order as JSON.stringify; the statement's shape depends only on where the
 * SqlValues are, so it can be prepared once.
 */
export function jsonSql(value: unknown, param: (text: string) => string): string {
  const expressions: string[] = [];
  holes = expressions;
  let text: string;
  try {
    text = JSON.stringify(value);
  } finally {
    holes = undefined;
  }
  return text
    .split(HOLE)
    .flatMap((piece, i) => (i % 2 === 1 ? [`to_json(${expressions[Number(piece)]})::text`] : piece === '' ? [] : [param(piece)]))
    .join(' || ');
}
