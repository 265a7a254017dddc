import { readFileSync } from 'node:fs';
import { asc, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CaseActionBody, CaseDetail } from '../../../common/schemas/cases';
import { FIXTURE, seedFixtureAreas, startTestApp, type TestEnv } from '../../test/harness';
import { calendarDays } from '../calendar/tables';
import { act, intake } from '../cases/service';
import { cases } from '../cases/tables';
import { categories, routingRules } from '../categories/tables';

/** Runs `fn` with the clock at a China time (only Date is faked). */
async function at<T>(chinaTime: string, fn: () => Promise<T>): Promise<T> {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(`${chinaTime}+08:00`));
  try {
    return await fn();
  } finally {
    vi.useRealTimers();
  }
}

/** The backfill of migration 0008: its last statement. */
const BACKFILL = readFileSync(
  new URL('../../../drizzle/0008_case_stats_columns.sql', import.meta.url),
  'utf8',
)
  .split('--> statement-breakpoint')
  .at(-1)!;

// The statistics' columns on the case row, as intake and act() write them, are what the migration derives from the
// events for existing cases: same first response, same response limit (holidays and 调休 included).
describe('case statistics columns', () => {
  let env: TestEnv;
  const cat: Record<string, string> = {};

  const report = (when: string, category: string) =>
    at(when, () =>
      intake(env.ctx, null, {
        channel: 'window',
        categoryId: cat[category]!,
        title: '楼道堆放杂物',
        description: '三单元楼道堆放杂物',
        areaCode: FIXTURE.gridA1a,
        reporterName: '张三',
        reporterPhone: '13800001234',
      }),
    );
  const step = (c: CaseDetail, when: string, body: Omit<CaseActionBody, 'version'>) =>
    at(when, () => act(env.ctx, null, c.id, { ...body, version: c.version } as CaseActionBody));
  const columns = () =>
    env.ctx.db
      .select({ id: cases.id, respondedAt: cases.respondedAt, responseDueAt: cases.responseDueAt })
      .from(cases)
      .orderBy(asc(cases.id));

  beforeAll(async () => {
    env = await startTestApp();
    const { departmentId } = await seedFixtureAreas(env.ctx);
    const rows = await env.ctx.db
      .insert(categories)
      .values([
        { code: 'bf.c', name: '乱堆乱放', matterClass: 'community', handlingLevel: 'community' },
        { code: 'bf.s', name: '道路破损', matterClass: 'public', handlingLevel: 'street' },
        { code: 'bf.d', name: '低保救助', matterClass: 'public', handlingLevel: 'district' },
      ])
      .returning();
    for (const [i, name] of ['community', 'street', 'dept'].entries()) cat[name] = rows[i]!.id;
    await env.ctx.db.insert(routingRules).values({ categoryId: cat.dept, areaPath: '340302', departmentId });
    // Fri 2025-04-04 a holiday (清明), Sun 2025-04-27 a working day (调休).
    await env.ctx.db.insert(calendarDays).values([
      { day: '2025-04-04', kind: 'holiday', name: '清明节' },
      { day: '2025-04-27', kind: 'workday', name: '调休' },
    ]);
  });
  afterAll(async () => env?.close());

  it('are set at the report and the first response, and the migration derives the same from the events', async () => {
    const holiday = await report('2025-04-04T10:00:00', 'community');
    await step(holiday, '2025-04-07T09:00:00', { action: 'accept' });
    const beforeHoliday = await report('2025-04-03T10:00:00', 'street');
    const escalated = await step(beforeHoliday, '2025-04-03T11:00:00', {
      action: 'escalate',
      reason: '上报',
    });
    await step(escalated, '2025-04-08T11:00:00', { action: 'dispatch' });
    await report('2025-04-27T10:00:00', 'community');
    const saturday = await report('2025-04-26T10:00:00', 'street');
    await step(saturday, '2025-04-28T10:00:00', { action: 'decline', reason: '不属于受理范围' });
    const dept = await report('2025-04-09T22:00:00', 'dept');
    await step(dept, '2025-04-10T08:00:00', { action: 'accept' });

    const written = await columns();
    const of = (id: string) => written.find((r) => r.id === id)!;
    // Holiday report, community: the next working day; the day before the holiday, street: Monday.
    expect(of(holiday.id).responseDueAt?.toISOString()).toBe('2025-04-07T15:59:59.999Z');
    expect(of(holiday.id).respondedAt?.toISOString()).toBe('2025-04-07T01:00:00.000Z');
    expect(of(beforeHoliday.id).responseDueAt?.toISOString()).toBe('2025-04-07T15:59:59.999Z');
    // The escalation was the first response; the later dispatch does not move it.
    expect(of(beforeHoliday.id).respondedAt?.toISOString()).toBe('2025-04-03T03:00:00.000Z');
    // Saturday report at the street: the next working day is the 调休 Sunday.
    expect(of(saturday.id).responseDueAt?.toISOString()).toBe('2025-04-27T15:59:59.999Z');
    expect(of(dept.id).responseDueAt?.toISOString()).toBe('2025-04-10T15:59:59.999Z');
    expect(written.filter((r) => r.respondedAt === null)).toHaveLength(1);

    await env.ctx.db.execute(sql`update cases set responded_at = null, response_due_at = null`);
    await env.ctx.db.execute(sql.raw(BACKFILL));
    expect(await columns()).toEqual(written);
  });
});
