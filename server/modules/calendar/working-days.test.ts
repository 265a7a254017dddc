import { describe, expect, it } from 'vitest';
import { CN_HOLIDAYS, seedDays } from './data/cn-holidays';
import {
  addHours,
  addWorkingDays,
  chinaDay,
  endOfChinaDay,
  isWeekend,
  isWorkingDay,
  workingDaysBetween,
  workingDaysInYear,
  type Calendar,
} from './working-days';

const cal: Calendar = new Map([...seedDays(2025), ...seedDays(2026)].map((d) => [d.day, d.kind]));
/** An instant written in China time. */
const cn = (local: string) => new Date(`${local}+08:00`);
/** The deadline as China local time, for readable expectations. */
const due = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().replace('Z', '+08:00');

describe('the seed data', () => {
  it('makes workdays only of Saturdays and Sundays, and never a day both', () => {
    for (const year of Object.keys(CN_HOLIDAYS).map(Number)) {
      const days = seedDays(year);
      for (const d of days.filter((x) => x.kind === 'workday')) expect(isWeekend(d.day), d.day).toBe(true);
      expect(new Set(days.map((d) => d.day)).size).toBe(days.length);
    }
  });

  it('gives 2025 and 2026 their published 248 working days each', () => {
    expect(workingDaysInYear(cal, 2025)).toBe(248);
    expect(workingDaysInYear(cal, 2026)).toBe(248);
  });

  it('names the days as the notices do', () => {
    expect(cal.get('2026-02-14')).toBe('workday');
    expect(seedDays(2026).find((d) => d.day === '2026-02-14')?.name).toBe('春节调休上班');
    expect(seedDays(2026).filter((d) => d.name === '春节')).toHaveLength(9);
    expect(seedDays(2025).filter((d) => d.name === '国庆节、中秋节')).toHaveLength(8);
  });
});

describe('China time', () => {
  it('puts an instant on its China date, and ends a day at 23:59:59.999 +08:00', () => {
    expect(chinaDay(new Date('2026-02-13T15:59:59.999Z'))).toBe('2026-02-13');
    expect(chinaDay(new Date('2026-02-13T16:00:00Z'))).toBe('2026-02-14');
    expect(endOfChinaDay('2026-02-25').toISOString()).toBe('2026-02-25T15:59:59.999Z');
  });

  it('knows holidays, 调休 workdays and plain weekends', () => {
    expect(isWorkingDay(cal, '2026-02-14')).toBe(true); // Saturday, worked (调休)
    expect(isWorkingDay(cal, '2026-02-16')).toBe(false); // Monday, 春节
    expect(isWorkingDay(cal, '2026-03-07')).toBe(false); // a plain Saturday
    expect(isWorkingDay(cal, '2026-03-09')).toBe(true); // a plain Monday
    expect(isWorkingDay(cal, cn('2026-02-16T10:00:00'))).toBe(false);
    // A year nobody entered follows the weekday rule.
    expect(isWorkingDay(cal, '2030-01-01')).toBe(true);
    expect(() => isWorkingDay(cal, '2026-02-30')).toThrow(RangeError);
  });
});

describe('addWorkingDays around 春节 2026', () => {
  it('counts 3 working days from Friday 2026-02-13 16:00: 2/14 (调休), 2/24, 2/25', () => {
    expect(due(addWorkingDays(cal, cn('2026-02-13T16:00:00'), 3))).toBe('2026-02-25T23:59:59.999+08:00');
    expect(addWorkingDays(cal, cn('2026-02-13T16:00:00'), 3).toISOString()).toBe('2026-02-25T15:59:59.999Z');
    expect(due(addWorkingDays(cal, cn('2026-02-13T16:00:00'), 1))).toBe('2026-02-14T23:59:59.999+08:00');
    expect(due(addWorkingDays(cal, cn('2026-02-13T16:00:00'), 7))).toBe('2026-03-02T23:59:59.999+08:00');
  });

  it('ends the same working day with 0 days, also on a worked Saturday', () => {
    expect(due(addWorkingDays(cal, cn('2026-02-13T16:00:00'), 0))).toBe('2026-02-13T23:59:59.999+08:00');
    expect(due(addWorkingDays(cal, cn('2026-02-14T08:30:00'), 0))).toBe('2026-02-14T23:59:59.999+08:00');
    // Just before midnight China time is still that day; just after is the next.
    expect(due(addWorkingDays(cal, cn('2026-02-13T23:59:59'), 0))).toBe('2026-02-13T23:59:59.999+08:00');
    expect(due(addWorkingDays(cal, cn('2026-02-14T00:00:00'), 0))).toBe('2026-02-14T23:59:59.999+08:00');
  });

  it('starts after the holiday when reported during it', () => {
    const onHoliday = cn('2026-02-16T10:00:00');
    expect(due(addWorkingDays(cal, onHoliday, 0))).toBe('2026-02-24T23:59:59.999+08:00');
    // The reporting day never counts, so 1 working day is also the first working day after the holiday.
    expect(due(addWorkingDays(cal, onHoliday, 1))).toBe('2026-02-24T23:59:59.999+08:00');
    expect(due(addWorkingDays(cal, onHoliday, 3))).toBe('2026-02-26T23:59:59.999+08:00');
    // The second 调休 Saturday after the festival counts too.
    expect(due(addWorkingDays(cal, cn('2026-02-27T09:00:00'), 1))).toBe('2026-02-28T23:59:59.999+08:00');
  });

  it('refuses a negative or fractional number of days', () => {
    expect(() => addWorkingDays(cal, new Date(), -1)).toThrow(RangeError);
    expect(() => addWorkingDays(cal, new Date(), 1.5)).toThrow(RangeError);
  });
});

describe('addWorkingDays around 国庆·中秋 2025', () => {
  it('skips 10/1–10/8 and counts the worked Saturday 10/11', () => {
    const eve = cn('2025-09-30T09:00:00');
    expect(due(addWorkingDays(cal, eve, 1))).toBe('2025-10-09T23:59:59.999+08:00');
    expect(due(addWorkingDays(cal, eve, 3))).toBe('2025-10-11T23:59:59.999+08:00');
    expect(due(addWorkingDays(cal, eve, 7))).toBe('2025-10-16T23:59:59.999+08:00');
  });

  it('gives a report on Saturday 9/27 until the worked Sunday 9/28', () => {
    expect(due(addWorkingDays(cal, cn('2025-09-27T11:00:00'), 0))).toBe('2025-09-28T23:59:59.999+08:00');
    expect(due(addWorkingDays(cal, cn('2025-09-27T11:00:00'), 2))).toBe('2025-09-29T23:59:59.999+08:00');
  });

  it('crosses the new year', () => {
    // 2025-12-31 Wed; 2026-01-01..03 off; Sunday 1/4 worked.
    expect(due(addWorkingDays(cal, cn('2025-12-31T17:00:00'), 1))).toBe('2026-01-04T23:59:59.999+08:00');
  });
});

describe('addHours', () => {
  it('counts plain clock hours through nights and holidays', () => {
    expect(due(addHours(cal, cn('2026-02-14T22:00:00'), 24))).toBe('2026-02-15T22:00:00.000+08:00');
    expect(due(addHours(cal, cn('2026-02-14T22:00:00'), 2))).toBe('2026-02-15T00:00:00.000+08:00');
    expect(() => addHours(cal, new Date(), -1)).toThrow(RangeError);
  });
});

describe('workingDaysBetween', () => {
  it('is the inverse of addWorkingDays for n ≥ 1', () => {
    for (const start of [
      '2025-09-30T09:00:00',
      '2026-02-13T16:00:00',
      '2026-02-16T10:00:00',
      '2026-09-19T12:00:00',
    ]) {
      for (let n = 1; n <= 30; n++) {
        const from = cn(start);
        expect(workingDaysBetween(cal, from, addWorkingDays(cal, from, n)), `${start} + ${n}`).toBe(n);
      }
    }
  });

  it('is 0 on the same day and negative backwards', () => {
    expect(workingDaysBetween(cal, cn('2026-02-13T08:00:00'), cn('2026-02-13T20:00:00'))).toBe(0);
    expect(workingDaysBetween(cal, '2026-02-13', '2026-02-25')).toBe(3);
    expect(workingDaysBetween(cal, '2026-02-25', '2026-02-13')).toBe(-3);
  });
});
