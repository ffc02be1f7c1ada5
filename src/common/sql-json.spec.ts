import fc from 'fast-check';
import { jsonSql, SqlValue } from './sql-json';

/** What PostgreSQL makes of jsonSql's expression: each $n is its parameter, each to_json(vN)::text the JSON of value N. */
function evaluate(sql: string, params: string[], values: unknown[]): string {
  return sql.split(' || ').map((piece) => {
    const param = /^\$(\d+)$/.exec(piece);
    if (param) return params[Number(param[1]) - 1];
    const hole = /^to_json\(v(\d+)\)::text$/.exec(piece);
    if (hole) return JSON.stringify(values[Number(hole[1])]);
    throw new Error(`unexpected piece ${piece}`);
  }).join('');
}

describe('JSON with values only the statement knows', () => {
  it('is the text JSON.stringify writes, whatever the value and wherever the holes', () => {
    fc.assert(fc.property(fc.jsonValue(), fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 5 }), fc.nat(), (value, values, seed) => {
      // Put the values into the value's objects and arrays at places the seed picks; each becomes a hole.
      const holed = JSON.parse(JSON.stringify(value ?? null)) as unknown;
      const filled = JSON.parse(JSON.stringify(value ?? null)) as unknown;
      const containers = (v: unknown, w: unknown, out: [Record<string, unknown>, Record<string, unknown>][]) => {
        if (v && typeof v === 'object') {
          out.push([v as Record<string, unknown>, w as Record<string, unknown>]);
          for (const k of Object.keys(v)) containers((v as Record<string, unknown>)[k], (w as Record<string, unknown>)[k], out);
        }
        return out;
      };
      const found = containers(holed, filled, []);
      const used: unknown[] = [];
      values.forEach((v, i) => {
        if (found.length === 0) return;
        const [h, f] = found[(seed + i) % found.length];
        const key = Array.isArray(h) ? String(h.length) : `hole${i}`;
        h[key] = new SqlValue(`v${used.length}`);
        f[key] = v;
        used.push(v);
      });
      const params: string[] = [];
      const sql = jsonSql(holed, (text) => `$${params.push(text)}`);
      expect(evaluate(sql, params, used)).toBe(JSON.stringify(filled));
    }));
  });

  it('takes no text of the value into the statement itself, only placeholders', () => {
    const params: string[] = [];
    const sql = jsonSql({ a: "'; DROP TABLE report; --", n: new SqlValue('r.number') }, (text) => `$${params.push(text)}`);
    expect(sql).toBe('$1 || to_json(r.number)::text || $2');
    expect(params).toEqual(['{"a":"\'; DROP TABLE report; --","n":', '}']);
  });
});
