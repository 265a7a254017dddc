import { eq } from 'drizzle-orm';
import { unzipSync, strFromU8 } from 'fflate';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CaseActionBody, CaseDetail } from '../../../common/schemas/cases';
import type { GridMap, StatsResult, StatsRow } from '../../../common/schemas/stats';
import {
  createStaff,
  FIXTURE,
  login,
  seedFixtureAreas,
  startTestApp,
  type Session,
  type TestEnv,
} from '../../test/harness';
import { auditLog } from '../audit/tables';
import { act, intake } from '../cases/service';
import { categories, routingRules } from '../categories/tables';

/** Runs `fn` with the clock at a China time (only Date is faked: timers and I/O run as usual). */
async function at<T>(chinaTime: string, fn: () => Promise<T>): Promise<T> {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(`${chinaTime}+08:00`));
  try {
    return await fn();
  } finally {
    vi.useRealTimers();
  }
}

describe('case statistics over HTTP', () => {
  let env: TestEnv;
  const s: Record<string, Session> = {};
  const cat: Record<string, string> = {};
  let departmentId: string;

  const get = (who: string, url: string) => env.app.inject({ method: 'GET', url, headers: s[who]!.headers });
  const stats = async (who: string, query: string) => {
    const res = await get(who, `/api/stats/cases?${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as StatsResult;
  };

  async function report(when: string, category: string, areaCode: string): Promise<CaseDetail> {
    return at(when, () =>
      intake(env.ctx, null, {
        channel: 'window',
        categoryId: cat[category]!,
        title: '楼道堆放杂物',
        description: '三单元楼道堆放杂物',
        areaCode,
        reporterName: '张三',
        reporterPhone: '13800001234',
      }),
    );
  }

  /** Takes actions as the system at a China time, in order. */
  async function step(
    c: CaseDetail,
    when: string,
    ...bodies: Omit<CaseActionBody, 'version'>[]
  ): Promise<CaseDetail> {
    let cur = c;
    for (const body of bodies)
      cur = await at(when, () =>
        act(env.ctx, null, cur.id, { ...body, version: cur.version } as CaseActionBody),
      );
    return cur;
  }
  const WORK = [
    { action: 'dispatch' },
    { action: 'start' },
    { action: 'handle', note: '已处理' },
    { action: 'verify' },
    { action: 'close' },
  ] as const;

  beforeAll(async () => {
    env = await startTestApp();
    ({ departmentId } = await seedFixtureAreas(env.ctx));
    const [p1] = await env.ctx.db
      .insert(categories)
      .values({
        code: 'st.env',
        name: '市容环境',
        matterClass: 'community',
        handlingLevel: 'community',
        sort: 1,
      })
      .returning();
    const [p2] = await env.ctx.db
      .insert(categories)
      .values({ code: 'st.admin', name: '行政事务', matterClass: 'public', handlingLevel: 'street', sort: 2 })
      .returning();
    const rows = await env.ctx.db
      .insert(categories)
      .values([
        {
          code: 'st.env.litter',
          parentId: p1!.id,
          name: '乱堆乱放',
          matterClass: 'community',
          handlingLevel: 'community',
        },
        {
          code: 'st.env.road',
          parentId: p1!.id,
          name: '道路破损',
          matterClass: 'public',
          handlingLevel: 'street',
        },
        {
          code: 'st.admin.welfare',
          parentId: p2!.id,
          name: '低保救助',
          matterClass: 'public',
          handlingLevel: 'district',
        },
      ])
      .returning();
    for (const [i, name] of ['community', 'street', 'dept'].entries()) cat[name] = rows[i]!.id;
    await env.ctx.db.insert(routingRules).values({ categoryId: cat.dept, areaPath: '340302', departmentId });

    await createStaff(env.ctx, 'leader.a', 'leader', { areaCode: FIXTURE.streetA });
    await createStaff(env.ctx, 'leader.d', 'leader', { areaCode: FIXTURE.district });
    await createStaff(env.ctx, 'comm.a1', 'community_worker', { areaCode: FIXTURE.communityA1 });
    await createStaff(env.ctx, 'eval.a', 'evaluator', { areaCode: FIXTURE.streetA });
    await createStaff(env.ctx, 'grid.a1a', 'grid_worker', { areaCode: FIXTURE.gridA1a });
    for (const u of ['leader.a', 'leader.d', 'comm.a1', 'eval.a', 'grid.a1a']) s[u] = await login(env.app, u);

    // Plain weekday calendar (no holidays entered): Mon 2025-03-03 … Fri 2025-03-07, Mon 2025-03-10 ….
    // 1: A1 community case, accepted and closed the same day (7 h), rated satisfied.
    let c1 = await report('2025-03-03T10:00:00', 'community', FIXTURE.gridA1a);
    c1 = await step(c1, '2025-03-03T15:00:00', { action: 'accept' });
    c1 = await step(c1, '2025-03-03T17:00:00', ...WORK);
    await step(c1, '2025-03-04T09:00:00', { action: 'rate', rating: 'satisfied' });
    // 2: A1 community case, accepted the next day (late), closed two days late, rated dissatisfied: reopened.
    let c2 = await report('2025-03-03T10:00:00', 'community', FIXTURE.gridA1a);
    c2 = await step(c2, '2025-03-04T09:00:00', { action: 'accept' });
    c2 = await step(c2, '2025-03-05T10:00:00', ...WORK);
    await step(c2, '2025-03-05T11:00:00', { action: 'rate', rating: 'dissatisfied' });
    // 3: A2 street case on a Friday afternoon, accepted Monday (the next working day: in time), closed Wednesday
    //    within its 3 working days (114 h), rated basically satisfied.
    let c3 = await report('2025-03-07T16:00:00', 'street', FIXTURE.gridA2a);
    c3 = await step(c3, '2025-03-10T09:00:00', { action: 'accept' });
    c3 = await step(c3, '2025-03-12T10:00:00', ...WORK);
    await step(c3, '2025-03-12T11:00:00', { action: 'rate', rating: 'basically' });
    // 4: A2, located at the community itself, never accepted: overdue.
    await report('2025-03-20T09:00:00', 'community', FIXTURE.communityA2);
    // 5: A1, declined the same day: a response in time, not resolved.
    const c5 = await report('2025-04-01T09:00:00', 'community', FIXTURE.gridA1b);
    await step(c5, '2025-04-01T10:00:00', { action: 'decline', reason: '不属于受理范围' });
    // 6: A1, a department case accepted the next working day (in time), still being handled: overdue.
    const c6 = await report('2025-04-02T10:00:00', 'dept', FIXTURE.gridA1a);
    await step(c6, '2025-04-03T11:00:00', { action: 'accept' }, { action: 'dispatch' }, { action: 'start' });
    // Outside: another street, and a month after the span.
    await report('2025-03-03T10:00:00', 'community', FIXTURE.communityB1);
    await report('2025-05-06T10:00:00', 'community', FIXTURE.gridA1a);
  });
  afterAll(async () => env?.close());

  const byKey = (r: StatsResult) =>
    Object.fromEntries(r.rows.map((x) => [x.key, x])) as Record<string, StatsRow>;

  it('computes every measure from the events, by child area', async () => {
    const r = await stats('leader.a', `by=area&area=${FIXTURE.streetA}&from=2025-03&to=2025-04`);
    expect(r).toMatchObject({ by: 'area', area: FIXTURE.streetA, from: '2025-03', to: '2025-04' });
    const rows = byKey(r);
    expect(r.rows.map((x) => x.key)).toEqual([FIXTURE.communityA1, FIXTURE.communityA2]);
    expect(rows[FIXTURE.communityA1]).toEqual({
      key: FIXTURE.communityA1,
      label: '淮河社区居委会',
      total: 4,
      respondedInTime: 3,
      responseRate: 0.75,
      resolved: 1,
      resolutionRate: 0.25,
      rated: 2,
      satisfied: 1,
      satisfactionRate: 0.5,
      closedOnTime: 1,
      onTimeRate: 1,
      overdue: 2,
      avgHandlingHours: 7,
    });
    expect(rows[FIXTURE.communityA2]).toEqual({
      key: FIXTURE.communityA2,
      label: '燕山社区居委会',
      total: 2,
      respondedInTime: 1,
      responseRate: 0.5,
      resolved: 1,
      resolutionRate: 0.5,
      rated: 1,
      satisfied: 1,
      satisfactionRate: 1,
      closedOnTime: 1,
      onTimeRate: 1,
      overdue: 1,
      avgHandlingHours: 114,
    });
    expect(r.totals).toEqual({
      total: 6,
      respondedInTime: 4,
      responseRate: 0.6667,
      resolved: 2,
      resolutionRate: 0.3333,
      rated: 3,
      satisfied: 2,
      satisfactionRate: 0.6667,
      closedOnTime: 2,
      onTimeRate: 1,
      overdue: 3,
      avgHandlingHours: 60.5,
    });
  });

  it('groups by month, department and top-level category with the same totals', async () => {
    const q = `area=${FIXTURE.streetA}&from=2025-02&to=2025-05`;
    const months = await stats('eval.a', `by=month&${q}`);
    expect(months.rows.map((x) => [x.key, x.total])).toEqual([
      ['2025-02', 0],
      ['2025-03', 4],
      ['2025-04', 2],
      ['2025-05', 1],
    ]);
    expect(months.rows[0]!.responseRate).toBeNull();

    const q34 = `area=${FIXTURE.streetA}&from=2025-03&to=2025-04`;
    const depts = await stats('leader.a', `by=department&${q34}`);
    expect(depts.rows.map((x) => [x.key, x.label, x.total, x.overdue])).toEqual([
      ['none', '属地办理（无牵头部门）', 5, 2],
      [departmentId, '龙子湖区民政局', 1, 1],
    ]);
    const en = await stats('leader.a', `by=department&${q34}&lang=en`);
    expect(en.rows[0]!.label).toBe('Handled by the area (no department)');

    const cats = await stats('leader.a', `by=category&${q34}`);
    expect(cats.rows.map((x) => [x.key, x.label, x.total, x.resolved])).toEqual([
      ['st.env', '市容环境', 5, 2],
      ['st.admin', '行政事务', 1, 0],
    ]);
    for (const r of [depts, cats]) expect(r.totals.total).toBe(6);
  });

  it("counts a community's own cases apart from its grids, and defaults to the reader's own area", async () => {
    const a2 = await stats('leader.a', `by=area&area=${FIXTURE.communityA2}&from=2025-03&to=2025-03`);
    expect(a2.rows.map((x) => [x.key, x.label, x.total])).toEqual([
      [FIXTURE.gridA2a, '燕山社区第1网格', 1],
      [FIXTURE.communityA2, '燕山社区居委会（本级）', 1],
    ]);
    const own = await stats('comm.a1', 'by=area&from=2025-03&to=2025-04');
    expect(own.area).toBe(FIXTURE.communityA1);
    expect(own.totals.total).toBe(4);
    // Default months: the twelve up to this one.
    const recent = await stats('comm.a1', 'by=month');
    expect(recent.rows).toHaveLength(12);
  });

  it('counts a response from the next working day after a weekend report, and an escalation as a response', async () => {
    // Saturday 2025-06-07: the community has until Monday's end, the street until Monday's end too.
    const j1 = await report('2025-06-07T10:00:00', 'community', FIXTURE.communityB1);
    await step(j1, '2025-06-09T17:00:00', { action: 'accept' });
    const j2 = await report('2025-06-07T10:00:00', 'street', FIXTURE.communityB1);
    await step(j2, '2025-06-10T09:00:00', { action: 'accept' });
    const j3 = await report('2025-06-09T10:00:00', 'community', FIXTURE.communityB1);
    await step(j3, '2025-06-09T11:00:00', { action: 'escalate', reason: '需街道协调' });
    const r = await stats('leader.d', `by=month&area=${FIXTURE.streetB}&from=2025-06&to=2025-06`);
    expect(r.totals).toMatchObject({ total: 3, respondedInTime: 2, resolved: 0, overdue: 3 });
  });

  it('keeps readers to their own area', async () => {
    expect((await get('comm.a1', `/api/stats/cases?by=area&area=${FIXTURE.streetA}`)).statusCode).toBe(403);
    expect((await get('leader.a', `/api/stats/cases?by=area&area=${FIXTURE.district}`)).statusCode).toBe(403);
    expect((await get('leader.a', `/api/stats/cases?by=area&area=${FIXTURE.streetB}`)).statusCode).toBe(403);
    expect((await get('grid.a1a', `/api/stats/cases?by=area`)).statusCode).toBe(403);
    const district = await stats('leader.d', 'by=area&from=2025-03&to=2025-04');
    expect(district.rows.map((x) => [x.key, x.total])).toEqual([
      [FIXTURE.streetA, 6],
      [FIXTURE.streetB, 1],
    ]);
    const bad = await get('leader.a', '/api/stats/cases?by=area&from=2025-05&to=2025-01');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].field).toBe('querystring.from');
    const tooLong = await get('leader.a', '/api/stats/cases?by=area&from=2010-01&to=2025-01');
    expect(tooLong.statusCode).toBe(400);
    const unknown = await get('leader.d', '/api/stats/cases?by=area&area=340302009000');
    expect(unknown.statusCode).toBe(404);
  });

  it('exports the same rows as an XLSX workbook named in the language asked for, audited', async () => {
    const res = await get(
      'leader.a',
      `/api/stats/cases.xlsx?by=area&area=${FIXTURE.streetA}&from=2025-03&to=2025-04`,
    );
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="case-statistics-202503-202504.xlsx"; filename*=UTF-8''${encodeURIComponent('案件统计-202503-202504.xlsx')}`,
    );
    const bytes = res.rawPayload;
    expect(bytes.subarray(0, 2).toString()).toBe('PK');
    const files = unzipSync(new Uint8Array(bytes));
    const sheet = strFromU8(files['xl/worksheets/sheet1.xml']!);
    const strings = files['xl/sharedStrings.xml'] ? strFromU8(files['xl/sharedStrings.xml']) : '';
    const text = sheet + strings;
    for (const s of ['区域', '响应率', '淮河社区居委会', '燕山社区居委会', '合计']) expect(text).toContain(s);
    expect(sheet).toContain('<v>114</v>');
    const [audit] = await env.ctx.db.select().from(auditLog).where(eq(auditLog.action, 'stats.export'));
    expect(audit).toMatchObject({ actorName: 'leader.a', targetId: FIXTURE.streetA });

    const en = await get(
      'leader.a',
      `/api/stats/cases.xlsx?by=month&area=${FIXTURE.streetA}&from=2025-03&to=2025-03&lang=en`,
    );
    expect(en.headers['content-disposition']).toContain('filename="case-statistics-202503.xlsx"');
    const enFiles = unzipSync(new Uint8Array(en.rawPayload));
    const enText = Object.entries(enFiles)
      .filter(([n]) => n.endsWith('.xml'))
      .map(([, b]) => strFromU8(b))
      .join('');
    expect(enText).toContain('Response rate');
    expect((await get('comm.a1', `/api/stats/cases.xlsx?by=area&area=${FIXTURE.streetA}`)).statusCode).toBe(
      403,
    );
  });

  it('maps open and overdue cases by grid under a street or community', async () => {
    const res = await get('comm.a1', '/api/stats/grid-map');
    expect(res.statusCode, res.body).toBe(200);
    const map = res.json() as GridMap;
    expect(map.area).toBe(FIXTURE.communityA1);
    // Open in A1: case 2 (reopened) and case 6 in grid A1a, and the May case; all past their deadlines.
    expect(map.grids.map((g) => [g.code, g.communityName, g.open, g.overdue])).toEqual([
      [FIXTURE.gridA1a, '淮河社区居委会', 3, 3],
      [FIXTURE.gridA1b, '淮河社区居委会', 0, 0],
    ]);
    expect(map.unlocated).toBe(0);
    const street = (await get('leader.a', `/api/stats/grid-map?area=${FIXTURE.streetA}`)).json() as GridMap;
    expect(street.grids.map((g) => g.code)).toEqual([FIXTURE.gridA1a, FIXTURE.gridA1b, FIXTURE.gridA2a]);
    expect(street.unlocated).toBe(1);
    const tooBig = await get('leader.d', '/api/stats/grid-map');
    expect(tooBig.statusCode).toBe(400);
    expect(tooBig.json().error.details[0]).toMatchObject({ field: 'querystring.area', rule: 'level' });
    expect((await get('comm.a1', `/api/stats/grid-map?area=${FIXTURE.communityA2}`)).statusCode).toBe(403);
  });
});
