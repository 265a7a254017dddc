/**
 * The calendar's rows of the authorization table (server/policy/authorization.test.ts). The calendar belongs to no
 * area, so every entry is scope 'any': all staff roles read it, only the system administrator changes it.
 */
import type { Role } from '../../../common/roles';
import type { Call, Matrix, RouteCase } from '../../test/matrix';
import { calendarDays } from './tables';

const CALENDAR_READERS: Role[] = [
  'admin',
  'security_admin',
  'auditor',
  'leader',
  'dept_handler',
  'street_staff',
  'community_worker',
  'grid_worker',
  'volunteer',
  'evaluator',
];
const CALENDAR_MANAGERS: Role[] = ['admin'];

const PUT: Call['method'] = 'PUT';

/** A Monday–Friday date of 2030 that no other call of this run uses (2030-01-07 is a Monday). */
function freshWeekday(m: Matrix): string {
  const n = m.seq() % 250;
  const t = Date.UTC(2030, 0, 7) + (Math.floor(n / 5) * 7 + (n % 5)) * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

export const routeCases: Record<string, RouteCase> = {
  'GET /api/calendar': {
    allow: CALENDAR_READERS,
    scope: 'any',
    call: async () => ({ method: 'GET', url: '/api/calendar?year=2026' }),
  },
  'GET /api/calendar/deadline': {
    allow: CALENDAR_READERS,
    scope: 'any',
    call: async () => ({
      method: 'GET',
      url: '/api/calendar/deadline?from=2026-02-13T16:00:00%2B08:00&workingDays=3',
    }),
  },
  'PUT /api/calendar/days/{day}': {
    allow: CALENDAR_MANAGERS,
    scope: 'any',
    call: async (_a, _rel, m) => ({
      method: PUT,
      url: `/api/calendar/days/${freshWeekday(m)}`,
      payload: { kind: 'holiday', name: '测试假日' },
    }),
  },
  'DELETE /api/calendar/days/{day}': {
    allow: CALENDAR_MANAGERS,
    scope: 'any',
    call: async (_a, _rel, m) => {
      const day = freshWeekday(m);
      await m.env.ctx.db
        .insert(calendarDays)
        .values({ day, kind: 'holiday', name: '待删假日' })
        .onConflictDoNothing();
      return { method: 'DELETE', url: `/api/calendar/days/${day}` };
    },
  },
};
