/**
 * China's official holiday arrangements (放假调休安排), as published by the General Office of the State Council
 * (国务院办公厅) each November for the following year. Only the days that matter are listed: every holiday day
 * (also those on a weekend, so that the calendar screen shows each holiday in full) and every Saturday or Sunday
 * that is worked instead (调休上班).
 *
 * Sources (the administrator must check every new year against the official notice on www.gov.cn):
 * - 2025: 国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号）, 2024-11-12.
 * - 2026: 国务院办公厅关于2026年部分节假日安排的通知, 2025-11-04 (Xinhua, 新华社北京11月4日电).
 *
 * Adding a year: append its arrangement below once the notice is out, or enter it on the calendar screen
 * (菜单「工作日历」); the screen is what production installs use, this file only seeds empty years.
 */
import type { CalendarKind } from '../../../../common/schemas/calendar';

export interface HolidayArrangement {
  /** The festival, as the notice names it. */
  name: string;
  /** First and last day off (inclusive), YYYY-MM-DD. */
  from: string;
  to: string;
  /** Saturdays or Sundays worked instead (调休上班). */
  workdays: string[];
}

export const CN_HOLIDAYS: Record<number, HolidayArrangement[]> = {
  2025: [
    { name: '元旦', from: '2025-01-01', to: '2025-01-01', workdays: [] },
    { name: '春节', from: '2025-01-28', to: '2025-02-04', workdays: ['2025-01-26', '2025-02-08'] },
    { name: '清明节', from: '2025-04-04', to: '2025-04-06', workdays: [] },
    { name: '劳动节', from: '2025-05-01', to: '2025-05-05', workdays: ['2025-04-27'] },
    { name: '端午节', from: '2025-05-31', to: '2025-06-02', workdays: [] },
    {
      name: '国庆节、中秋节',
      from: '2025-10-01',
      to: '2025-10-08',
      workdays: ['2025-09-28', '2025-10-11'],
    },
  ],
  2026: [
    { name: '元旦', from: '2026-01-01', to: '2026-01-03', workdays: ['2026-01-04'] },
    { name: '春节', from: '2026-02-15', to: '2026-02-23', workdays: ['2026-02-14', '2026-02-28'] },
    { name: '清明节', from: '2026-04-04', to: '2026-04-06', workdays: [] },
    { name: '劳动节', from: '2026-05-01', to: '2026-05-05', workdays: ['2026-05-09'] },
    { name: '端午节', from: '2026-06-19', to: '2026-06-21', workdays: [] },
    { name: '中秋节', from: '2026-09-25', to: '2026-09-27', workdays: [] },
    { name: '国庆节', from: '2026-10-01', to: '2026-10-07', workdays: ['2026-09-20', '2026-10-10'] },
  ],
};

export interface SeedDay {
  day: string;
  kind: CalendarKind;
  name: string;
}

/** The rows of one year: each day off named after its festival, each worked weekend day "<festival>调休上班". */
export function seedDays(year: number): SeedDay[] {
  const out: SeedDay[] = [];
  for (const h of CN_HOLIDAYS[year] ?? []) {
    for (let t = Date.parse(`${h.from}T00:00:00Z`); t <= Date.parse(`${h.to}T00:00:00Z`); t += 86_400_000) {
      out.push({ day: new Date(t).toISOString().slice(0, 10), kind: 'holiday', name: h.name });
    }
    for (const day of h.workdays) out.push({ day, kind: 'workday', name: `${h.name}调休上班` });
  }
  return out.sort((a, b) => a.day.localeCompare(b.day));
}
