import { monthStart, nextTimeInNL, nlDate, nlDateTime, nlDay, nlShown, shiftMonths, startOfDayInNL, todayInNL } from './dates';

describe('todayInNL', () => {
  it('is the Dutch calendar day, also just before and after midnight there, summer and winter, asked in any order', () => {
    const cases: [string, string][] = [
      ['2026-11-22T22:59:59.999Z', '2026-11-22'], // 23:59:59 in winter (UTC+1)
      ['2026-11-22T23:00:00.000Z', '2026-11-23'],
      ['2026-11-22T23:00:00.000Z', '2026-11-23'], // asked again within the hour
      ['2026-11-22T22:30:00.000Z', '2026-11-22'], // and an earlier moment after it
      ['2026-07-01T21:59:59.999Z', '2026-07-01'], // 23:59:59 in summer (UTC+2)
      ['2026-07-01T22:00:00.000Z', '2026-07-02'],
      ['2026-03-28T23:00:00.000Z', '2026-03-29'], // the night the clocks go forward
      ['2026-10-24T22:00:00.000Z', '2026-10-25'], // and back
      ['1999-12-31T23:00:00.000Z', '2000-01-01'],
    ];
    for (const [at, day] of cases) expect([at, todayInNL(new Date(at))]).toEqual([at, day]);
  });

  it('refuses an invalid moment as Intl does, also right after a valid one', () => {
    todayInNL(new Date('2026-11-22T12:00:00Z'));
    expect(() => todayInNL(new Date('no date'))).toThrow(RangeError);
  });
});

describe('startOfDayInNL and monthStart', () => {
  it('is midnight in the Netherlands, winter and summer, also on the Sundays the clocks change (at 02:00 and 03:00)', () => {
    const cases: [string, string][] = [
      ['2026-11-01', '2026-10-31T23:00:00.000Z'],
      ['2026-07-01', '2026-06-30T22:00:00.000Z'],
      ['2026-03-29', '2026-03-28T23:00:00.000Z'], // still winter time at midnight (noon is summer time)
      ['2026-03-30', '2026-03-29T22:00:00.000Z'],
      ['2026-10-25', '2026-10-24T22:00:00.000Z'], // still summer time at midnight
      ['2026-10-26', '2026-10-25T23:00:00.000Z'],
      ['2000-01-01', '1999-12-31T23:00:00.000Z'],
      ['2100-12-31', '2100-12-30T23:00:00.000Z'], // a filter's newest date
    ];
    for (const [day, at] of cases) expect([day, startOfDayInNL(day).toISOString()]).toEqual([day, at]);
    // A filter's oldest date, in whatever offset the time zone data gives Amsterdam then: midnight there, to the second.
    const shown = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Amsterdam', dateStyle: 'short', timeStyle: 'medium' });
    for (const day of ['1900-01-01', '1937-07-01', '1940-05-16']) expect(shown.format(startOfDayInNL(day))).toBe(`${day} 00:00:00`);
    expect(monthStart('2026-11').toISOString()).toBe('2026-10-31T23:00:00.000Z');
    expect(monthStart('2026-04').toISOString()).toBe('2026-03-31T22:00:00.000Z');
  });

  it('moves months across years', () => {
    expect([shiftMonths('2026-01', -1), shiftMonths('2026-12', 1), shiftMonths('2026-12', -11), shiftMonths('2026-03', -26)]).toEqual(['2025-12', '2027-01', '2026-01', '2024-01']);
  });
});

describe('nextTimeInNL', () => {
  it('finds 07:00 Dutch time in winter (UTC+1) and summer (UTC+2)', () => {
    expect(nextTimeInNL('07:00', new Date('2026-11-22T12:00:00Z')).toISOString()).toBe('2026-11-23T06:00:00.000Z');
    expect(nextTimeInNL('07:00', new Date('2026-07-01T04:00:00Z')).toISOString()).toBe('2026-07-01T05:00:00.000Z');
  });

  it('takes tomorrow once the moment has passed, also across the change to summer time', () => {
    expect(nextTimeInNL('07:00', new Date('2026-11-22T06:00:00Z')).toISOString()).toBe('2026-11-23T06:00:00.000Z');
    // 29 March 2026: clocks go from 02:00 to 03:00; 07:00 that day is 05:00 UTC.
    expect(nextTimeInNL('07:00', new Date('2026-03-28T12:00:00Z')).toISOString()).toBe('2026-03-29T05:00:00.000Z');
  });

  it('answers alike when asked again, later, earlier, for another time, or once the moment has come', () => {
    const asked: [string, string, string][] = [
      ['07:00', '2026-11-22T12:00:00Z', '2026-11-23T06:00:00.000Z'],
      ['07:00', '2026-11-23T05:59:59.999Z', '2026-11-23T06:00:00.000Z'], // later, before the moment: remembered
      ['07:00', '2026-11-22T05:00:00Z', '2026-11-22T06:00:00.000Z'], // earlier than it was remembered from
      ['07:00', '2026-11-22T06:00:00Z', '2026-11-23T06:00:00.000Z'], // at the moment itself: the next day's
      ['18:30', '2026-11-22T06:00:00Z', '2026-11-22T17:30:00.000Z'], // another time
      ['07:00', '2026-11-23T06:00:00Z', '2026-11-24T06:00:00.000Z'],
    ];
    for (const [hhmm, now, at] of asked) expect([hhmm, now, nextTimeInNL(hhmm, new Date(now)).toISOString()]).toEqual([hhmm, now, at]);
  });

  it('skips a time that does not exist on the day the clocks go forward', () => {
    expect(nextTimeInNL('02:30', new Date('2026-03-28T12:00:00Z')).toISOString()).toBe('2026-03-30T00:30:00.000Z');
  });
});

describe('Dutch dates as people read them', () => {
  it('shows a moment in Dutch time, summer and winter, and a calendar day in words', () => {
    expect(nlDateTime('2026-11-22T14:34:00Z')).toBe('22 nov 2026, 15:34');
    expect(nlDateTime(new Date('2026-07-01T06:05:00Z'), 'long')).toBe('1 juli 2026 om 08:05');
    expect(nlDay('2026-03-29')).toBe('29 maart 2026');
  });
});

describe('the one date format of the pages', () => {
  it('shows a calendar day as "1 dec 2026" and a moment with its Dutch time; anything else as it is', () => {
    expect(nlDate('2026-12-01')).toBe('1 dec 2026');
    expect(nlShown('2026-12-01')).toBe('1 dec 2026');
    expect(nlShown('2026-12-01T14:34:00.000Z')).toBe('1 dec 2026, 15:34');
    expect(nlShown(new Date('2026-07-01T06:05:00Z'))).toBe('1 jul 2026, 08:05');
    expect([nlShown(''), nlShown(null), nlShown('geen datum'), nlShown(new Date('x'))]).toEqual(['', '', 'geen datum', '']);
  });
});
