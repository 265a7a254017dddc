/** Request and response schemas of the working-day calendar (official holidays and 调休 workdays). */
import { Type, type Static } from 'typebox';

/** Years the calendar accepts: wide enough for any deadline, narrow enough that dates stay ordinary. */
export const CALENDAR_YEAR_MIN = 2000;
export const CALENDAR_YEAR_MAX = 2100;
/** The longest deadline in working days the preview computes (the seeds' longest is 7; extensions add more). */
export const DEADLINE_WORKING_DAYS_MAX = 60;
export const CALENDAR_NAME_MAX = 40;

export const CALENDAR_KINDS = ['holiday', 'workday'] as const;
export type CalendarKind = (typeof CALENDAR_KINDS)[number];

/** A calendar date in China time, 'YYYY-MM-DD'. */
export const CalendarDate = Type.String({
  format: 'date',
  pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$',
  description: 'A date, YYYY-MM-DD (China time)',
});

export const CalendarDay = Type.Object({
  day: Type.String({ description: 'YYYY-MM-DD' }),
  kind: Type.Enum(CALENDAR_KINDS, {
    description: "'holiday': no work that day; 'workday': a Saturday or Sunday worked instead (调休)",
  }),
  name: Type.String({ description: 'e.g. 春节, 春节调休上班' }),
});
export type CalendarDay = Static<typeof CalendarDay>;

export const CalendarYearQuery = Type.Object({
  year: Type.Optional(
    Type.Integer({
      minimum: CALENDAR_YEAR_MIN,
      maximum: CALENDAR_YEAR_MAX,
      description: 'The year; the current year in China time when omitted',
    }),
  ),
});

export const CalendarYear = Type.Object({
  year: Type.Integer(),
  /** The days that differ from "Monday to Friday work" (and holidays on weekends, for display), by date. */
  days: Type.Array(CalendarDay),
  /** How many working days the year has under this calendar. */
  workingDays: Type.Integer(),
});
export type CalendarYear = Static<typeof CalendarYear>;

export const CalendarDayParams = Type.Object({ day: CalendarDate });

export const CalendarDayUpdate = Type.Object(
  {
    kind: Type.Enum(CALENDAR_KINDS),
    name: Type.String({ minLength: 1, maxLength: CALENDAR_NAME_MAX }),
  },
  { additionalProperties: false },
);
export type CalendarDayUpdate = Static<typeof CalendarDayUpdate>;

export const DeadlineQuery = Type.Object({
  from: Type.String({ format: 'date-time', description: 'The instant the clock starts (ISO 8601)' }),
  workingDays: Type.Integer({
    minimum: 0,
    maximum: DEADLINE_WORKING_DAYS_MAX,
    description:
      '0: the end of the same working day (or the next one); n: the end of the n-th working day after',
  }),
});

export const Deadline = Type.Object({
  dueAt: Type.String({ format: 'date-time', description: 'The end of the due day, 23:59:59.999 China time' }),
});
export type Deadline = Static<typeof Deadline>;
