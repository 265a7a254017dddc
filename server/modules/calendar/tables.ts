/** The working-day calendar kept as data: official holidays and the weekend days that become workdays (调休). */
import { sql } from 'drizzle-orm';
import { check, date, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const calendarDays = pgTable(
  'calendar_days',
  {
    /** A date that differs from the plain rule "Monday to Friday work, weekends rest". */
    day: date('day', { mode: 'string' }).primaryKey(),
    /** 'holiday': no work on a weekday; 'workday': work on a weekend day (调休). */
    kind: text('kind').notNull(),
    name: text('name').notNull(),
    updatedBy: uuid('updated_by'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check('calendar_days_kind_check', sql`${t.kind} in ('holiday','workday')`)],
);
