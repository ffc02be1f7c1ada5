import { sameValue } from './same-value';

describe('sameValue', () => {
  it('ignores the order of object keys, at any depth', () => {
    expect(sameValue({ street: 'Dam', houseNumber: 1, postcode: '1012 JS' }, { postcode: '1012 JS', houseNumber: 1, street: 'Dam' })).toBe(true);
    expect(sameValue({ a: { x: 1, y: [1, { p: 1, q: 2 }] } }, { a: { y: [1, { q: 2, p: 1 }], x: 1 } })).toBe(true);
  });

  it('sees every real difference', () => {
    expect(sameValue({ street: 'Dam', houseNumber: 1 }, { street: 'Dam', houseNumber: 2 })).toBe(false);
    expect(sameValue({ street: 'Dam' }, { street: 'Dam', houseLetter: 'A' })).toBe(false);
    expect(sameValue([1, 2], [2, 1])).toBe(false);
    expect(sameValue(null, {})).toBe(false);
    expect(sameValue('1', 1)).toBe(false);
  });
});
