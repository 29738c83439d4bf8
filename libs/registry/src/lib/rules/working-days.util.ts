import { addDays, dayOfWeek, isIsoDate, startOfVietnamDay, vietnamDateOf } from './vietnam-date.util';

/**
 * When an answer counted in working days is due: the end (24:00 ICT) of the Nth working day after the
 * Vietnam date of submission. Working days are Monday to Friday outside `holidays` (Vietnam dates,
 * YYYY-MM-DD). The day of submission never counts, whatever the hour, so a weekend submission counts
 * from Monday.
 */
export function dueDateOf(submittedAt: Date, workingDays: number, holidays: ReadonlySet<string> = new Set()): Date {
  if (!Number.isInteger(workingDays) || workingDays < 1) {
    throw new RangeError(`workingDays must be a positive integer, got ${workingDays}`);
  }
  // A mistyped holiday would silently count as a working day and shorten the deadline.
  for (const holiday of holidays) {
    if (!isIsoDate(holiday)) throw new RangeError(`Holiday is not a calendar date (YYYY-MM-DD): '${holiday}'`);
  }

  let day = vietnamDateOf(submittedAt);
  for (let counted = 0; counted < workingDays; ) {
    day = addDays(day, 1);
    if (isWorkingDay(day, holidays)) counted += 1;
  }
  return startOfVietnamDay(addDays(day, 1));
}

function isWorkingDay(date: string, holidays: ReadonlySet<string>): boolean {
  const weekday = dayOfWeek(date);
  return weekday !== 0 && weekday !== 6 && !holidays.has(date);
}
