import { addMonthsUtc, erasureDate } from './retention';

const at = (iso: string) => new Date(iso);

describe('when a report is erased (retention, ADR 0009)', () => {
  it('erases a report closed on 15 March 2026 five years later, on 15 March 2031 at the same moment', () => {
    expect(erasureDate(at('2026-03-15T13:45:10.123Z'), 60)?.toISOString()).toBe('2031-03-15T13:45:10.123Z');
  });

  it('never erases an open report on its own', () => {
    expect(erasureDate(null, 60)).toBeNull();
    expect(erasureDate(null, 0)).toBeNull();
  });

  it('erases with a term of 0 months at the moment of closing, and counts a term of one month from the day itself', () => {
    expect(erasureDate(at('2026-12-01T08:00:00Z'), 0)?.toISOString()).toBe('2026-12-01T08:00:00.000Z');
    expect(erasureDate(at('2026-12-01T08:00:00Z'), 1)?.toISOString()).toBe('2027-01-01T08:00:00.000Z');
  });

  it('does not change the closing date it was given', () => {
    const closed = at('2026-01-31T10:00:00Z');
    erasureDate(closed, 1);
    expect(closed.toISOString()).toBe('2026-01-31T10:00:00.000Z');
  });
});

describe('months later, as PostgreSQL counts them (closed_at + make_interval(months => n))', () => {
  it.each([
    ['2026-01-31T10:00:00Z', 1, '2026-02-28T10:00:00.000Z'], // no 31 February: the last day
    ['2028-01-31T10:00:00Z', 1, '2028-02-29T10:00:00.000Z'], // a leap year
    ['2026-03-31T10:00:00Z', 1, '2026-04-30T10:00:00.000Z'],
    ['2026-08-31T23:59:59Z', 6, '2027-02-28T23:59:59.000Z'], // over a year's end
    ['2026-11-30T00:00:00Z', 3, '2027-02-28T00:00:00.000Z'],
    ['2026-12-31T12:00:00Z', 2, '2027-02-28T12:00:00.000Z'],
    ['2026-12-15T12:00:00Z', 1, '2027-01-15T12:00:00.000Z'],
    ['2026-02-28T12:00:00Z', 1, '2026-03-28T12:00:00.000Z'], // the day stays when the month has it
    ['2024-02-29T12:00:00Z', 12, '2025-02-28T12:00:00.000Z'],
    ['2024-02-29T12:00:00Z', 48, '2028-02-29T12:00:00.000Z'],
    ['2026-05-31T12:00:00Z', 60, '2031-05-31T12:00:00.000Z'],
    ['2026-03-31T12:00:00Z', -1, '2026-02-28T12:00:00.000Z'],
  ])('%s + %i months = %s', (from, months, expected) => {
    expect(addMonthsUtc(at(from), months).toISOString()).toBe(expected);
  });

  it('keeps the day of the month whenever the later month has it', () => {
    for (let day = 1; day <= 28; day++) {
      const from = new Date(Date.UTC(2026, 0, day, 9, 30));
      for (const months of [1, 2, 11, 12, 13, 60]) {
        const later = addMonthsUtc(from, months);
        expect([day, months, later.getUTCDate(), later.getUTCHours(), later.getUTCMinutes()]).toEqual([day, months, day, 9, 30]);
        expect(later.getUTCFullYear() * 12 + later.getUTCMonth()).toBe(2026 * 12 + months);
      }
    }
  });
});
