/** HTTP routes of the working-day calendar; thin: each calls a service function. */
import {
  CalendarDay,
  CalendarDayParams,
  CalendarDayUpdate,
  CalendarYear,
  CalendarYearQuery,
  Deadline,
  DeadlineQuery,
} from '../../../common/schemas/calendar';
import { ErrorBody, Ok } from '../../../common/schemas/common';
import type { RegisterRoutes } from '../index';
import { computeDeadline, deleteCalendarDay, getCalendarYear, putCalendarDay } from './service';

const security = [{ session: [] }];
const readErrors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody };
const writeErrors = { ...readErrors, 404: ErrorBody };

export const calendarRoutes: RegisterRoutes = async (app, ctx) => {
  app.get(
    '/api/calendar',
    {
      schema: {
        tags: ['calendar'],
        summary:
          "A year's holidays and 调休 workdays, and its number of working days (any staff; the current year by default)",
        security,
        querystring: CalendarYearQuery,
        response: { 200: CalendarYear, ...readErrors },
      },
    },
    async (req) => getCalendarYear(ctx, req.requireActor(), req.query.year),
  );

  app.get(
    '/api/calendar/deadline',
    {
      schema: {
        tags: ['calendar'],
        summary:
          'The deadline of N working days from an instant: the end (23:59:59.999 China time) of the N-th working day after it; N = 0: the same working day',
        security,
        querystring: DeadlineQuery,
        response: { 200: Deadline, ...readErrors },
      },
    },
    async (req) => computeDeadline(ctx, req.requireActor(), req.query),
  );

  app.put(
    '/api/calendar/days/:day',
    {
      schema: {
        tags: ['calendar'],
        summary:
          "Set a day's entry: a holiday, or a Saturday or Sunday worked instead (调休); a workday on Monday–Friday is refused",
        security,
        params: CalendarDayParams,
        body: CalendarDayUpdate,
        response: { 200: CalendarDay, ...writeErrors },
      },
    },
    async (req) =>
      putCalendarDay(ctx, req.requireActor(), req.params.day, req.body, { ip: req.ip, requestId: req.id }),
  );

  app.delete(
    '/api/calendar/days/:day',
    {
      schema: {
        tags: ['calendar'],
        summary: "Remove a day's entry, so that it follows the weekday rule again",
        security,
        params: CalendarDayParams,
        response: { 200: Ok, ...writeErrors },
      },
    },
    async (req) => {
      await deleteCalendarDay(ctx, req.requireActor(), req.params.day, { ip: req.ip, requestId: req.id });
      return { ok: true as const };
    },
  );
};
