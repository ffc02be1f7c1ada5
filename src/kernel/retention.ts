/**
 * The retention rule for a report, shared by the nightly erasure (as SQL: `closed_at + make_interval(months => n)`) and
 * the pages that say when a report goes. A closed or withdrawn report is erased `months` after it was closed; an open
 * report (closedAt null) is never erased automatically.
 */
export function erasureDate(closedAt: Date | null, months: number): Date | null {
  if (!closedAt) return null;
  return addMonthsUtc(closedAt, months);
}

/** `months` calendar months later, the day clamped to the month's last day as PostgreSQL does (31 Jan + 1 = 28/29 Feb). */
export function addMonthsUtc(from: Date, months: number): Date {
  const d = new Date(from.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d;
}
