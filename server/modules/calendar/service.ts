/**
 * The working-day calendar as data: loading it (with a per-process cache), reading a year, the admin's edits
 * (authorized, one transaction, audited), the deadline preview, and seeding the official arrangements.
 *
 * Cache: loadCalendar keeps what it read per database handle and range of years. A write through this module
 * bumps a version counter, so this process re-reads at once; other server processes cannot see that counter and
 * re-read after CALENDAR_CACHE_TTL_MS (60 s). A deadline computed by another instance within a minute of an edit
 * may therefore still use the previous calendar.
 */
import { and, asc, between, eq, gte, lte, sql } from 'drizzle-orm';
import {
  CALENDAR_YEAR_MAX,
  CALENDAR_YEAR_MIN,
  DEADLINE_WORKING_DAYS_MAX,
  CALENDAR_NAME_MAX,
  type CalendarDay,
  type CalendarDayUpdate,
  type CalendarKind,
  type CalendarYear,
  type Deadline,
} from '../../../common/schemas/calendar';
import type { AppContext } from '../../context';
import type { Tx } from '../../db/client';
import { AppError, invalidField } from '../../http/errors';
import { Ability, type Actor } from '../../policy/ability';
import { appendAudit } from '../audit/log';
import { auditActor, type RequestMeta } from '../areas/audit-meta';
import { CN_HOLIDAYS, seedDays } from './data/cn-holidays';
import { calendarDays } from './tables';
import {
  addWorkingDays,
  chinaYear,
  isCalendarDate,
  isWeekend,
  workingDaysInYear,
  type Calendar,
} from './working-days';

/** How long another process may keep using a calendar it loaded before it re-reads it. */
export const CALENDAR_CACHE_TTL_MS = 60_000;
const SEED_LOCK = 7_310_020;

let version = 0;
interface CacheEntry {
  version: number;
  loadedAt: number;
  cal: Calendar;
}
const cache = new WeakMap<object, Map<string, CacheEntry>>();

/** Tells this process's cache that the calendar changed (called after each committed write). */
export function calendarChanged(): void {
  version++;
}

/** The calendar's exceptions for the years fromYear..toYear (inclusive), from the cache when fresh. */
export async function loadCalendar(db: Tx, fromYear: number, toYear: number): Promise<Calendar> {
  const key = `${fromYear}-${toYear}`;
  let perDb = cache.get(db);
  const hit = perDb?.get(key);
  if (hit && hit.version === version && Date.now() - hit.loadedAt < CALENDAR_CACHE_TTL_MS) return hit.cal;
  // Taken before reading: a write committed meanwhile leaves this entry stale, not the cache wrong.
  const startedAt = { version, loadedAt: Date.now() };
  const rows = await db
    .select({ day: calendarDays.day, kind: calendarDays.kind })
    .from(calendarDays)
    .where(between(calendarDays.day, `${yearText(fromYear)}-01-01`, `${yearText(toYear)}-12-31`));
  const cal: Calendar = new Map(rows.map((r) => [r.day, r.kind as CalendarKind]));
  if (!perDb) {
    perDb = new Map();
    cache.set(db, perDb);
  }
  perDb.set(key, { ...startedAt, cal });
  return cal;
}

function yearText(year: number): string {
  return String(year).padStart(4, '0');
}

/** Everyone on staff reads the calendar (deadlines are shown everywhere); residents do not. */
export function authorizeCalendarRead(actor: Actor | null): void {
  if (!actor) return;
  if (actor.kind !== 'staff' || !actor.assignments.some((a) => a.role !== 'resident'))
    throw new AppError('forbidden');
}

/** Only who may manage the calendar (the system administrator) changes it; the system (null) may. */
function authorizeCalendarWrite(actor: Actor | null): void {
  if (actor) new Ability(actor).authorize('manage', 'Calendar');
}

function checkYear(year: number, field: string): void {
  if (!Number.isInteger(year)) throw invalidField(field, 'type', 'integer');
  if (year < CALENDAR_YEAR_MIN) throw invalidField(field, 'minimum', CALENDAR_YEAR_MIN);
  if (year > CALENDAR_YEAR_MAX) throw invalidField(field, 'maximum', CALENDAR_YEAR_MAX);
}

/** A real date within the calendar's years, or 400 on the field. */
function checkDay(day: string, field: string): string {
  if (typeof day !== 'string' || !isCalendarDate(day)) throw invalidField(field, 'format', 'date');
  const year = Number(day.slice(0, 4));
  if (year < CALENDAR_YEAR_MIN || year > CALENDAR_YEAR_MAX)
    throw invalidField(field, 'calendar.year', `${CALENDAR_YEAR_MIN}–${CALENDAR_YEAR_MAX}`);
  return day;
}

/** One year's special days and its number of working days; the current year in China by default. */
export async function getCalendarYear(
  ctx: AppContext,
  actor: Actor | null,
  year: number = chinaYear(new Date()),
): Promise<CalendarYear> {
  authorizeCalendarRead(actor);
  checkYear(year, 'querystring.year');
  const rows = await ctx.db
    .select({ day: calendarDays.day, kind: calendarDays.kind, name: calendarDays.name })
    .from(calendarDays)
    .where(between(calendarDays.day, `${yearText(year)}-01-01`, `${yearText(year)}-12-31`))
    .orderBy(asc(calendarDays.day));
  const days = rows.map((r) => ({ ...r, kind: r.kind as CalendarKind }));
  const cal: Calendar = new Map(days.map((d) => [d.day, d.kind]));
  return { year, days, workingDays: workingDaysInYear(cal, year) };
}

/**
 * Sets one day's exception (insert or change). A 'workday' must be a Saturday or Sunday: Monday to Friday are
 * working days already, so such a row would mean nothing (400 on body.kind). A 'holiday' may fall on any day;
 * on a weekend it changes no deadline but shows the festival in full on the calendar screen.
 */
export async function putCalendarDay(
  ctx: AppContext,
  actor: Actor | null,
  day: string,
  input: CalendarDayUpdate,
  meta: RequestMeta = {},
): Promise<CalendarDay> {
  authorizeCalendarWrite(actor);
  checkDay(day, 'params.day');
  if (input.kind !== 'holiday' && input.kind !== 'workday') throw invalidField('body.kind', 'enum');
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  if (name.length < 1) throw invalidField('body.name', 'minLength', 1);
  if (name.length > CALENDAR_NAME_MAX) throw invalidField('body.name', 'maxLength', CALENDAR_NAME_MAX);
  if (input.kind === 'workday' && !isWeekend(day))
    throw invalidField('body.kind', 'calendar.workdayOnWeekday');

  const result = await ctx.db.transaction(async (tx) => {
    const [before] = await tx
      .select({ kind: calendarDays.kind, name: calendarDays.name })
      .from(calendarDays)
      .where(eq(calendarDays.day, day))
      .for('update');
    if (before && before.kind === input.kind && before.name === name) return { changed: false };
    await tx
      .insert(calendarDays)
      .values({ day, kind: input.kind, name, updatedBy: actor?.accountId ?? null })
      .onConflictDoUpdate({
        target: calendarDays.day,
        set: { kind: input.kind, name, updatedBy: actor?.accountId ?? null, updatedAt: sql`now()` },
      });
    await appendAudit(tx, {
      ...auditActor(actor, meta),
      action: 'calendar.update',
      targetType: 'calendar_day',
      targetId: day,
      outcome: 'success',
      details: { kind: input.kind, name, previous: before ?? null },
    });
    return { changed: true };
  });
  if (result.changed) calendarChanged();
  return { day, kind: input.kind, name };
}

/** Removes a day's exception, so it follows the weekday rule again; 404 calendar.day_unknown when there is none. */
export async function deleteCalendarDay(
  ctx: AppContext,
  actor: Actor | null,
  day: string,
  meta: RequestMeta = {},
): Promise<void> {
  authorizeCalendarWrite(actor);
  checkDay(day, 'params.day');
  await ctx.db.transaction(async (tx) => {
    const [before] = await tx
      .delete(calendarDays)
      .where(eq(calendarDays.day, day))
      .returning({ kind: calendarDays.kind, name: calendarDays.name });
    if (!before) throw new AppError('calendar.day_unknown');
    await appendAudit(tx, {
      ...auditActor(actor, meta),
      action: 'calendar.delete',
      targetType: 'calendar_day',
      targetId: day,
      outcome: 'success',
      details: { previous: before },
    });
  });
  calendarChanged();
}

/** The deadline of n working days from an instant (the web app's preview; cases call addWorkingDays directly). */
export async function computeDeadline(
  ctx: AppContext,
  actor: Actor | null,
  input: { from: string; workingDays: number },
): Promise<Deadline> {
  authorizeCalendarRead(actor);
  const from = new Date(input.from);
  if (Number.isNaN(from.getTime())) throw invalidField('querystring.from', 'format', 'date-time');
  const year = chinaYear(from);
  if (year < CALENDAR_YEAR_MIN || year >= CALENDAR_YEAR_MAX)
    throw invalidField('querystring.from', 'calendar.year', `${CALENDAR_YEAR_MIN}–${CALENDAR_YEAR_MAX - 1}`);
  const n = input.workingDays;
  if (!Number.isInteger(n)) throw invalidField('querystring.workingDays', 'type', 'integer');
  if (n < 0) throw invalidField('querystring.workingDays', 'minimum', 0);
  if (n > DEADLINE_WORKING_DAYS_MAX)
    throw invalidField('querystring.workingDays', 'maximum', DEADLINE_WORKING_DAYS_MAX);
  // 60 working days never reach beyond the following year.
  const cal = await loadCalendar(ctx.db, year, year + 1);
  return { dueAt: addWorkingDays(cal, from, n).toISOString() };
}

/**
 * Seeds the official arrangements of data/cn-holidays.ts for every year that has no row yet, and leaves years the
 * administrator has already touched alone (so a deleted day is not brought back at the next start). Idempotent,
 * safe for several servers starting at once. Returns the years it seeded.
 */
export async function ensureDefaultCalendar(ctx: AppContext): Promise<number[]> {
  const seeded: number[] = [];
  for (const year of Object.keys(CN_HOLIDAYS).map(Number)) {
    const done = await ctx.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${SEED_LOCK})`);
      const [existing] = await tx
        .select({ day: calendarDays.day })
        .from(calendarDays)
        .where(
          and(
            gte(calendarDays.day, `${yearText(year)}-01-01`),
            lte(calendarDays.day, `${yearText(year)}-12-31`),
          ),
        )
        .limit(1);
      if (existing) return false;
      const rows = seedDays(year);
      await tx.insert(calendarDays).values(rows).onConflictDoNothing();
      await appendAudit(tx, {
        ...auditActor(null),
        action: 'calendar.seed',
        targetType: 'calendar_year',
        targetId: String(year),
        outcome: 'success',
        details: { days: rows.length, source: '国务院办公厅 holiday notice (server/modules/calendar/data)' },
      });
      return true;
    });
    if (done) seeded.push(year);
  }
  if (seeded.length > 0) calendarChanged();
  return seeded;
}

/** The name the brief also uses for the seeding step. */
export const seedCalendar = ensureDefaultCalendar;
