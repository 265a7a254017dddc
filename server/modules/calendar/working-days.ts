/**
 * Working-day arithmetic over a loaded calendar, in China time (Asia/Shanghai: UTC+8 all year, no daylight saving
 * since 1991). A calendar is a map of 'YYYY-MM-DD' → 'holiday' | 'workday' holding only the exceptions: any other
 * day follows the plain rule "Monday to Friday work, Saturday and Sunday rest". A year with no rows therefore falls
 * back to that plain rule; the admin must enter each year's official arrangement (see README.md).
 *
 * Counting follows the usual rule for time limits (期间开始之日不计算在内): the day the clock starts is not
 * counted, so "3 working days" from any moment on Friday 2026-02-13 ends with the third working day after it.
 * A deadline is always the end of its day, 23:59:59.999 China time.
 */
import type { CalendarKind } from '../../../common/schemas/calendar';

export type { CalendarKind };
export type Calendar = ReadonlyMap<string, CalendarKind>;

const CHINA_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;
const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Midnight UTC of the date, as a number; throws RangeError on anything but a real 'YYYY-MM-DD'. */
function dayNumber(day: string): number {
  const m = DAY_PATTERN.exec(day);
  if (!m) throw new RangeError(`not a date: ${day}`);
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (Number.isNaN(t) || formatUtcDay(t) !== day) throw new RangeError(`not a date: ${day}`);
  return t;
}

function formatUtcDay(t: number): string {
  const d = new Date(t);
  const y = String(d.getUTCFullYear()).padStart(4, '0');
  return `${y}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
}

function checkInstant(at: Date, what: string): number {
  const t = at.getTime();
  if (Number.isNaN(t)) throw new RangeError(`${what} is not a valid date`);
  return t;
}

/** True when the text is a real calendar date 'YYYY-MM-DD' (2026-02-30 is not). */
export function isCalendarDate(day: string): boolean {
  try {
    dayNumber(day);
    return true;
  } catch {
    return false;
  }
}

/** The date in China on which the instant falls. */
export function chinaDay(at: Date): string {
  return formatUtcDay(checkInstant(at, 'instant') + CHINA_OFFSET_MS);
}

/** The year in China at the instant. */
export function chinaYear(at: Date): number {
  return Number(chinaDay(at).slice(0, 4));
}

/** The last millisecond of the day in China: 23:59:59.999 +08:00. */
export function endOfChinaDay(day: string): Date {
  return new Date(dayNumber(day) + DAY_MS - 1 - CHINA_OFFSET_MS);
}

/** The date `delta` days after (or before, when negative) the given one. */
export function shiftDay(day: string, delta: number): string {
  return formatUtcDay(dayNumber(day) + delta * DAY_MS);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(day: string): number {
  return new Date(dayNumber(day)).getUTCDay();
}

export function isWeekend(day: string): boolean {
  const w = weekdayOf(day);
  return w === 0 || w === 6;
}

function toDay(day: string | Date): string {
  if (typeof day !== 'string') return chinaDay(day);
  dayNumber(day); // throws on anything but a real date
  return day;
}

/** Is the day (a date, or the China date of an instant) a working day under the calendar? */
export function isWorkingDay(cal: Calendar, day: string | Date): boolean {
  const d = toDay(day);
  const kind = cal.get(d);
  if (kind === 'holiday') return false;
  if (kind === 'workday') return true;
  return !isWeekend(d);
}

/** The first working day strictly after the given date. */
export function nextWorkingDay(cal: Calendar, day: string): string {
  let d = shiftDay(day, 1);
  // The longest run of rest days China has had is 9 (春节 2026 with its weekends); this bound is only a guard.
  for (let i = 0; i < 366 && !isWorkingDay(cal, d); i++) d = shiftDay(d, 1);
  return d;
}

/**
 * The deadline of "n working days" from an instant: n = 0 is the end of the same day when it is a working day,
 * else the end of the next working day; n ≥ 1 is the end of the n-th working day after the day of `from`
 * (the day of `from` itself never counts, working day or not).
 */
export function addWorkingDays(cal: Calendar, from: Date, n: number): Date {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`working days must be a whole number ≥ 0: ${n}`);
  const start = chinaDay(from);
  if (n === 0) return endOfChinaDay(isWorkingDay(cal, start) ? start : nextWorkingDay(cal, start));
  let d = start;
  for (let i = 0; i < n; i++) d = nextWorkingDay(cal, d);
  return endOfChinaDay(d);
}

/** The deadline of "h hours" from an instant: plain clock hours, nights and holidays included (urgent matters). */
export function addHours(_cal: Calendar, from: Date, hours: number): Date {
  if (!Number.isFinite(hours) || hours < 0) throw new RangeError(`hours must be ≥ 0: ${hours}`);
  return new Date(checkInstant(from, 'from') + Math.round(hours * 3600_000));
}

/**
 * Working days after the day of `a` up to and including the day of `b` (China dates): 0 on the same day, and
 * negative when `b` lies before `a`. So workingDaysBetween(cal, t, addWorkingDays(cal, t, n)) = n for n ≥ 1:
 * "handled on the 2nd working day after it was reported".
 */
export function workingDaysBetween(cal: Calendar, a: string | Date, b: string | Date): number {
  const da = toDay(a);
  const db = toDay(b);
  if (db < da) return -workingDaysBetween(cal, db, da);
  let count = 0;
  for (let d = shiftDay(da, 1); d <= db; d = shiftDay(d, 1)) if (isWorkingDay(cal, d)) count++;
  return count;
}

/** How many working days the year has under the calendar. */
export function workingDaysInYear(cal: Calendar, year: number): number {
  const first = `${String(year).padStart(4, '0')}-01-01`;
  return workingDaysBetween(cal, shiftDay(first, -1), `${String(year).padStart(4, '0')}-12-31`);
}
