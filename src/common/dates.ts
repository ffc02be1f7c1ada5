const NL_DATE = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam', year: 'numeric', month: '2-digit', day: '2-digit' });

/**
 * The last answer of todayInNL and the UTC hour it holds for: Dutch time is UTC plus whole hours, so the date there
 * changes only at the start of a UTC hour (every filing asks, and Intl's formatting was a measurable part of it).
 */
let today = { hour: Number.NaN, date: '' };

/** Today's date in the Netherlands, as YYYY-MM-DD: what "not in the future" means to a Dutch school. */
export function todayInNL(now: Date = new Date()): string {
  const hour = Math.floor(now.getTime() / 3_600_000);
  if (hour !== today.hour) today = { hour, date: NL_DATE.format(now) };
  return today.date;
}

/** The first moment of a month in the Netherlands ('2026-11' → 2026-10-31T23:00Z). */
export function monthStart(month: string): Date {
  return startOfDayInNL(`${month}-01`);
}

/** 'YYYY-MM' moved by n months; the month three months before the end of `month` starts at shiftMonths(month, -2). */
export function shiftMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number);
  const index = y * 12 + (m - 1) + n;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

export function addDays(iso: string, days: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

const NL_TIME = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Amsterdam', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

const NL_PARTS = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Amsterdam', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
});

/** How far clocks in the Netherlands are ahead of UTC at a moment, in ms (an hour or two; other amounts before 1946). */
function nlOffsetMs(t: number): number {
  const p = Object.fromEntries(NL_PARTS.formatToParts(t).map((x) => [x.type, Number(x.value)]));
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(t / 1000) * 1000;
}

/**
 * The moment a day (YYYY-MM-DD) begins in the Netherlands ('2026-11-01' → 2026-10-31T23:00Z). A date compared with a
 * timestamp in SQL begins at midnight in the database session's time zone instead, UTC on most servers: an hour or two
 * late here. The offset is taken again at the moment found, for a day whose UTC midnight has another offset than its
 * own (the Sundays the clocks change).
 */
export function startOfDayInNL(day: string): Date {
  const midnight = Date.parse(`${day}T00:00:00Z`);
  const guess = midnight - nlOffsetMs(midnight);
  return new Date(midnight - nlOffsetMs(guess));
}

/**
 * The last answer of nextTimeInNL, and from when it holds: until the moment it names, the next moment showing that
 * time stays the same (every e-mail of a filing asks, and each answer took several Intl formattings).
 */
let next = { hhmm: '', from: 0, at: new Date(0) };

/** The first moment after `now` at which clocks in the Netherlands show `hhmm` (e.g. "07:00"), summer or winter time. */
export function nextTimeInNL(hhmm: string, now: Date = new Date()): Date {
  const t = now.getTime();
  if (next.hhmm === hhmm && next.from <= t && t < next.at.getTime()) return new Date(next.at); // a copy: a Date can be changed
  for (let day = 0; day <= 2; day++) {
    const date = addDays(NL_DATE.format(now), day);
    for (const offsetHours of [2, 1]) {
      const candidate = new Date(Date.parse(`${date}T${hhmm}:00Z`) - offsetHours * 3_600_000);
      if (candidate > now && NL_DATE.format(candidate) === date && NL_TIME.format(candidate) === hhmm) {
        next = { hhmm, from: t, at: candidate };
        return candidate;
      }
    }
  }
  throw new Error(`Geen tijdstip ${hhmm} gevonden`);
}

const NL_SHOWN = {
  medium: new Intl.DateTimeFormat('nl-NL', { timeZone: 'Europe/Amsterdam', dateStyle: 'medium', timeStyle: 'short' }),
  long: new Intl.DateTimeFormat('nl-NL', { timeZone: 'Europe/Amsterdam', dateStyle: 'long', timeStyle: 'short' }),
};
const NL_DAY = new Intl.DateTimeFormat('nl-NL', { timeZone: 'UTC', dateStyle: 'long' });

/** A moment as people in the Netherlands read it, in Dutch time: "22 nov 2026, 15:34" or (long) "22 november 2026 om 15:34". */
export function nlDateTime(value: Date | string, style: keyof typeof NL_SHOWN = 'medium'): string {
  return NL_SHOWN[style].format(new Date(value));
}

const NL_SHORT_DAY = new Intl.DateTimeFormat('nl-NL', { timeZone: 'UTC', dateStyle: 'medium' });

/** A calendar day (YYYY-MM-DD) as every page shows it: "1 dec 2026". */
export function nlDate(iso: string): string {
  return NL_SHORT_DAY.format(new Date(`${iso}T12:00:00Z`));
}

/**
 * The one date format of the pages: a calendar day as "1 dec 2026", a moment as "1 dec 2026, 15:34" (Dutch time).
 * Anything else (empty, unreadable) comes back as it was, so that a template never shows "Invalid Date".
 */
export function nlShown(value: unknown): string {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : nlDateTime(value);
  if (typeof value !== 'string' || value === '') return '';
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return nlDate(value);
  return /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value)) ? nlDateTime(value) : value;
}

/** A calendar day (YYYY-MM-DD) in words: "22 november 2026". */
export function nlDay(iso: string): string {
  return NL_DAY.format(new Date(`${iso}T12:00:00Z`));
}
