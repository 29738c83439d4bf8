/**
 * Calendar dates as the rules count them: Vietnam dates (Asia/Ho_Chi_Minh, UTC+7 all year, no DST),
 * written YYYY-MM-DD. The offset is fixed arithmetic so the result never depends on the machine's time zone.
 */
export const VIETNAM_UTC_OFFSET_MS = 7 * 3_600_000;

const DAY_MS = 86_400_000;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** True for a real calendar date written YYYY-MM-DD (so 2027-02-29 is refused). */
export function isIsoDate(value: string): boolean {
  return ISO_DATE.test(value) && toIsoDate(Date.parse(`${value}T00:00:00Z`)) === value;
}

/** The Vietnam calendar date of an instant. */
export function vietnamDateOf(instant: Date): string {
  return toIsoDate(validTime(instant) + VIETNAM_UTC_OFFSET_MS);
}

/** The instant a Vietnam calendar date begins (00:00 ICT). */
export function startOfVietnamDay(date: string): Date {
  return new Date(utcMidnight(date) - VIETNAM_UTC_OFFSET_MS);
}

export function addDays(date: string, days: number): string {
  return toIsoDate(utcMidnight(date) + days * DAY_MS);
}

/** 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(date: string): number {
  return new Date(utcMidnight(date)).getUTCDay();
}

function utcMidnight(date: string): number {
  if (!isIsoDate(date)) throw new RangeError(`Not a calendar date (YYYY-MM-DD): '${date}'`);
  return Date.parse(`${date}T00:00:00Z`);
}

function validTime(instant: Date): number {
  const time = instant.getTime();
  if (Number.isNaN(time)) throw new RangeError('Invalid date');
  return time;
}

function toIsoDate(time: number): string {
  return Number.isNaN(time) ? '' : new Date(time).toISOString().slice(0, 10);
}
