/** Calls of the calendar module: a year's holidays and 调休 workdays, editing them, and the deadline preview. */
import type {
  CalendarDay,
  CalendarDayUpdate,
  CalendarYear,
  Deadline,
} from '../../../../common/schemas/calendar';
import { api, seg } from '../../api';

export type { CalendarDay, CalendarDayUpdate, CalendarYear, Deadline };

export const calendarApi = {
  year: (year: number, signal?: AbortSignal) => api.get<CalendarYear>('/api/calendar', { year }, signal),
  put: (day: string, body: CalendarDayUpdate) => api.put<CalendarDay>(`/api/calendar/days/${seg(day)}`, body),
  remove: (day: string) => api.delete<{ ok: true }>(`/api/calendar/days/${seg(day)}`),
  deadline: (from: string, workingDays: number, signal?: AbortSignal) =>
    api.get<Deadline>('/api/calendar/deadline', { from, workingDays }, signal),
};
