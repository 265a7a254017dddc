import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  FIXTURE,
  createStaff,
  countRows,
  login,
  seedFixtureAreas,
  startTestApp,
  type Session,
  type TestEnv,
} from '../../test/harness';
import { auditLog } from '../audit/tables';
import { CALENDAR_CACHE_TTL_MS, ensureDefaultCalendar, loadCalendar } from './service';
import { calendarDays } from './tables';
import { chinaYear } from './working-days';

type ErrorJson = {
  error: { code: string; message: string; details?: { field: string; rule: string; message: string }[] };
};
type YearJson = { year: number; days: { day: string; kind: string; name: string }[]; workingDays: number };

describe('the calendar over HTTP', () => {
  let env: TestEnv;
  const s: Record<string, Session> = {};

  const get = (who: string, url: string) => env.app.inject({ method: 'GET', url, headers: s[who]!.headers });
  const send = (who: string, method: 'PUT' | 'DELETE', url: string, payload?: unknown) =>
    env.app.inject({
      method,
      url,
      headers: s[who]!.headers,
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
  const deadline = (who: string, from: string, n: string | number) =>
    get(who, `/api/calendar/deadline?from=${encodeURIComponent(from)}&workingDays=${n}`);
  const field = (res: { json(): unknown }) => {
    const body = res.json() as ErrorJson;
    return body.error.details?.map((d) => `${d.field}:${d.rule}`);
  };

  beforeAll(async () => {
    // demo: the administrator is a demo account, so it needs no TOTP enrolment in this test.
    env = await startTestApp({ demo: true });
    await seedFixtureAreas(env.ctx);
    await createStaff(env.ctx, 'admin', 'admin', { areaCode: FIXTURE.city }, { demo: true });
    await createStaff(env.ctx, 'leader', 'leader', { areaCode: FIXTURE.city });
    await createStaff(env.ctx, 'comm', 'community_worker', { areaCode: FIXTURE.communityA1 });
    await createStaff(env.ctx, 'vol', 'volunteer', { areaCode: FIXTURE.communityA1 });
    await createStaff(env.ctx, 'resident', 'resident', { areaCode: FIXTURE.communityA1 });
    for (const u of ['admin', 'leader', 'comm', 'vol', 'resident']) s[u] = await login(env.app, u);
  });
  afterAll(async () => env.close());

  describe('seeding', () => {
    it('seeds 2025 and 2026 once, audited, and again never', async () => {
      expect(await ensureDefaultCalendar(env.ctx)).toEqual([2025, 2026]);
      const rows = await countRows(env.ctx, 'calendar_days');
      expect(rows).toBeGreaterThan(40);
      expect(await ensureDefaultCalendar(env.ctx)).toEqual([]);
      expect(await countRows(env.ctx, 'calendar_days')).toBe(rows);
      const audits = await env.ctx.db.select().from(auditLog).where(eq(auditLog.action, 'calendar.seed'));
      expect(audits.map((a) => a.targetId).sort()).toEqual(['2025', '2026']);
    });
  });

  describe('reading', () => {
    it("shows a year's special days and working days to any staff", async () => {
      for (const who of ['leader', 'comm', 'vol', 'admin']) {
        const res = await get(who, '/api/calendar?year=2026');
        expect(res.statusCode, who).toBe(200);
        const body = res.json() as YearJson;
        expect(body.year).toBe(2026);
        expect(body.workingDays).toBe(248);
        expect(body.days).toContainEqual({ day: '2026-02-14', kind: 'workday', name: '春节调休上班' });
        expect(body.days).toContainEqual({ day: '2026-02-15', kind: 'holiday', name: '春节' });
        expect(body.days.map((d) => d.day)).toEqual([...body.days.map((d) => d.day)].sort());
      }
    });

    it('defaults to the current year in China', async () => {
      const res = await get('leader', '/api/calendar');
      expect(res.statusCode).toBe(200);
      expect((res.json() as YearJson).year).toBe(chinaYear(new Date()));
    });

    it('refuses residents and anonymous callers', async () => {
      expect((await get('resident', '/api/calendar?year=2026')).statusCode).toBe(403);
      expect((await deadline('resident', '2026-02-13T16:00:00+08:00', 3)).statusCode).toBe(403);
      expect((await env.app.inject({ method: 'GET', url: '/api/calendar' })).statusCode).toBe(401);
    });

    it('refuses a bad year with 400 naming the field', async () => {
      for (const y of ['1999', '2101', 'abc', '2026.5']) {
        const res = await get('leader', `/api/calendar?year=${y}`);
        expect(res.statusCode, y).toBe(400);
        expect(field(res)?.[0], y).toMatch(/^querystring\.year:/);
      }
    });
  });

  describe('the deadline preview', () => {
    it('gives 3 working days from Friday 2026-02-13 16:00 as the end of 2026-02-25', async () => {
      const res = await deadline('comm', '2026-02-13T16:00:00+08:00', 3);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ dueAt: '2026-02-25T15:59:59.999Z' });
      const same = await deadline('comm', '2026-02-13T08:00:00Z', 0);
      expect(same.json()).toEqual({ dueAt: '2026-02-13T15:59:59.999Z' });
    });

    it('refuses bad input with 400 naming the field, never 500', async () => {
      const cases: [string, string | number, string][] = [
        ['2026-02-13T16:00:00Z', 61, 'querystring.workingDays'],
        ['2026-02-13T16:00:00Z', -1, 'querystring.workingDays'],
        ['2026-02-13T16:00:00Z', '1.5', 'querystring.workingDays'],
        ['2026-02-13T16:00:00Z', 'x', 'querystring.workingDays'],
        ['2026-02-13T16:00:00Z', '', 'querystring.workingDays'],
        ['yesterday', 3, 'querystring.from'],
        ['2026-02-30T10:00:00Z', 3, 'querystring.from'],
        ['2026-02-13', 3, 'querystring.from'],
        ['0001-01-01T00:00:00Z', 3, 'querystring.from'],
        ['9999-12-31T23:00:00Z', 3, 'querystring.from'],
      ];
      for (const [from, n, f] of cases) {
        const res = await deadline('comm', from, n);
        expect(res.statusCode, `${from} ${n}`).toBe(400);
        expect(field(res)?.[0], `${from} ${n}`).toMatch(new RegExp(`^${f.replace('.', '\\.')}:`));
      }
      const missing = await get('comm', '/api/calendar/deadline?workingDays=3');
      expect(missing.statusCode).toBe(400);
      expect(field(missing)).toEqual(['querystring.from:required']);
    });
  });

  describe('the cache', () => {
    it("sees another process's write only after the TTL, and its own writes at once", async () => {
      const before = await loadCalendar(env.ctx.db, 2028, 2028);
      expect(before.has('2028-03-01')).toBe(false);
      // Written behind the module's back, as another server process would.
      await env.ctx.db.insert(calendarDays).values({ day: '2028-03-01', kind: 'holiday', name: '外部写入' });
      expect((await loadCalendar(env.ctx.db, 2028, 2028)).has('2028-03-01')).toBe(false);
      const now = Date.now();
      const clock = vi.spyOn(Date, 'now').mockReturnValue(now + CALENDAR_CACHE_TTL_MS + 1);
      try {
        expect((await loadCalendar(env.ctx.db, 2028, 2028)).get('2028-03-01')).toBe('holiday');
      } finally {
        clock.mockRestore();
      }
      await send('admin', 'DELETE', '/api/calendar/days/2028-03-01');
      expect((await loadCalendar(env.ctx.db, 2028, 2028)).has('2028-03-01')).toBe(false);
    });
  });

  describe('editing (system administrator)', () => {
    it('sets a holiday, shows it, audits it, and the deadline follows at once', async () => {
      // Make Tuesday 2026-02-24 a holiday: the 3rd working day after 2/13 moves from 2/25 to 2/26.
      const put = await send('admin', 'PUT', '/api/calendar/days/2026-02-24', {
        kind: 'holiday',
        name: '测试假日',
      });
      expect(put.statusCode).toBe(200);
      expect(put.json()).toEqual({ day: '2026-02-24', kind: 'holiday', name: '测试假日' });
      const year = (await get('leader', '/api/calendar?year=2026')).json() as YearJson;
      expect(year.workingDays).toBe(247);
      expect((await deadline('comm', '2026-02-13T16:00:00+08:00', 3)).json()).toEqual({
        dueAt: '2026-02-26T15:59:59.999Z',
      });
      const [audit] = await env.ctx.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.action, 'calendar.update'), eq(auditLog.targetId, '2026-02-24')));
      expect(audit?.actorName).toBe('admin');
      expect(audit?.details).toMatchObject({ kind: 'holiday', name: '测试假日', previous: null });

      const del = await send('admin', 'DELETE', '/api/calendar/days/2026-02-24');
      expect(del.statusCode).toBe(200);
      expect((await deadline('comm', '2026-02-13T16:00:00+08:00', 3)).json()).toEqual({
        dueAt: '2026-02-25T15:59:59.999Z',
      });
      const deleted = await env.ctx.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.action, 'calendar.delete'), eq(auditLog.targetId, '2026-02-24')));
      expect(deleted).toHaveLength(1);
    });

    it('renames a seeded day and keeps a deleted seeded day deleted after re-seeding', async () => {
      const res = await send('admin', 'PUT', '/api/calendar/days/2026-02-15', {
        kind: 'holiday',
        name: '春节（除夕前）',
      });
      expect(res.statusCode).toBe(200);
      expect((await send('admin', 'DELETE', '/api/calendar/days/2026-10-07')).statusCode).toBe(200);
      expect(await ensureDefaultCalendar(env.ctx)).toEqual([]);
      const [gone] = await env.ctx.db.select().from(calendarDays).where(eq(calendarDays.day, '2026-10-07'));
      expect(gone).toBeUndefined();
      await send('admin', 'PUT', '/api/calendar/days/2026-10-07', { kind: 'holiday', name: '国庆节' });
    });

    it('makes a Saturday a workday, but refuses a workday on Monday–Friday with an explanation', async () => {
      const sat = await send('admin', 'PUT', '/api/calendar/days/2027-01-09', {
        kind: 'workday',
        name: '测试调休',
      });
      expect(sat.statusCode).toBe(200);
      const mon = await env.app.inject({
        method: 'PUT',
        url: '/api/calendar/days/2027-01-11',
        headers: { ...s.admin!.headers, 'accept-language': 'en' },
        payload: { kind: 'workday', name: '测试调休' },
      });
      expect(mon.statusCode).toBe(400);
      const body = mon.json() as ErrorJson;
      expect(body.error.details).toEqual([
        {
          field: 'body.kind',
          rule: 'calendar.workdayOnWeekday',
          message: expect.stringContaining('only a Saturday or Sunday') as unknown as string,
        },
      ]);
      const [row] = await env.ctx.db.select().from(calendarDays).where(eq(calendarDays.day, '2027-01-11'));
      expect(row).toBeUndefined();
    });

    it('refuses bad input with 400 naming the field', async () => {
      const cases: [string, unknown, string][] = [
        ['2027-02-30', { kind: 'holiday', name: 'x' }, 'params.day'],
        ['2027-2-3', { kind: 'holiday', name: 'x' }, 'params.day'],
        ['tomorrow', { kind: 'holiday', name: 'x' }, 'params.day'],
        ['1999-12-31', { kind: 'holiday', name: 'x' }, 'params.day'],
        ['2027-02-01', { kind: 'vacation', name: 'x' }, 'body.kind'],
        ['2027-02-01', { name: 'x' }, 'body.kind'],
        ['2027-02-01', { kind: 'holiday', name: '' }, 'body.name'],
        ['2027-02-01', { kind: 'holiday', name: '   ' }, 'body.name'],
        ['2027-02-01', { kind: 'holiday', name: 'x'.repeat(41) }, 'body.name'],
        ['2027-02-01', { kind: 'holiday', name: 'x', extra: 1 }, 'body.extra'],
        ['2027-02-01', { kind: 'holiday', name: 'a\u0000b' }, 'body.name'],
      ];
      for (const [day, payload, f] of cases) {
        const res = await send('admin', 'PUT', `/api/calendar/days/${day}`, payload);
        expect(res.statusCode, `${day} ${JSON.stringify(payload)}`).toBe(400);
        expect(field(res)?.[0], `${day} ${JSON.stringify(payload)}`).toMatch(
          new RegExp(`^${f.replace('.', '\\.')}:`),
        );
      }
      const badDelete = await send('admin', 'DELETE', '/api/calendar/days/2027-13-01');
      expect(badDelete.statusCode).toBe(400);
    });

    it('answers 404 for deleting a day without an entry', async () => {
      const res = await send('admin', 'DELETE', '/api/calendar/days/2027-03-03');
      expect(res.statusCode).toBe(404);
      expect((res.json() as ErrorJson).error.code).toBe('calendar.day_unknown');
    });

    it('refuses everyone but the system administrator', async () => {
      for (const who of ['leader', 'comm', 'vol', 'resident']) {
        const put = await send(who, 'PUT', '/api/calendar/days/2027-04-01', {
          kind: 'holiday',
          name: '愚人节',
        });
        expect(put.statusCode, who).toBe(403);
        const del = await send(who, 'DELETE', '/api/calendar/days/2026-02-16');
        expect(del.statusCode, who).toBe(403);
      }
      const [kept] = await env.ctx.db.select().from(calendarDays).where(eq(calendarDays.day, '2026-02-16'));
      expect(kept?.kind).toBe('holiday');
    });
  });
});
