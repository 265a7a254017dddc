import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { areaPath } from '../../../common/area-code';
import { CaseSummary } from '../../../common/schemas/cases';
import { assignments } from '../accounts/tables';
import {
  createStaff,
  FIXTURE,
  login,
  seedFixtureAreas,
  startTestApp,
  type Session,
  type TestEnv,
} from '../../test/harness';
import { pgErrorCode } from '../../db/client';
import { keepsPlans } from './list';
import { intake } from './service';
import { cases } from './tables';
import { insertCategory } from './test-fixtures';

type Item = Record<string, unknown> & { id: string; number: string };

describe('a case in a list', () => {
  let env: TestEnv;
  let street: Session;
  let category: string;
  let departmentId: string;

  beforeAll(async () => {
    env = await startTestApp();
    ({ departmentId } = await seedFixtureAreas(env.ctx));
    category = await insertCategory(env.ctx);
    await createStaff(env.ctx, 'list.street', 'street_staff', { areaCode: FIXTURE.streetA });
    street = await login(env.app, 'list.street');
  });
  afterAll(async () => env.close());

  async function listedAndDetail(c: { id: string; number: string }) {
    const list = await env.app.inject({
      method: 'GET',
      url: `/api/cases?q=${c.number}`,
      headers: street.headers,
    });
    expect(list.statusCode, list.body).toBe(200);
    const items = (list.json() as { items: Item[] }).items;
    expect(items.map((i) => i.number)).toEqual([c.number]);
    const detail = await env.app.inject({
      method: 'GET',
      url: `/api/cases/${c.id}`,
      headers: street.headers,
    });
    expect(detail.statusCode, detail.body).toBe(200);
    const { actions, ...view } = detail.json() as Item & { actions: unknown };
    expect(Array.isArray(actions)).toBe(true);
    return { item: items[0]!, view };
  }

  /** The fields of a case's detail its summary shows. */
  const summaryOf = (view: Item) =>
    Object.fromEntries(Object.keys(CaseSummary.properties).map((k) => [k, view[k]]));

  it('shows each case as its detail does, in summary: no description, reporter, answers or exact place', async () => {
    const c = await intake(env.ctx, null, {
      channel: 'hotline',
      sourceRef: '12345-2026-0001',
      categoryId: category,
      title: '路灯不亮',
      description: '小区东门路灯三天不亮',
      areaCode: FIXTURE.gridA1a,
      address: '淮河路 12 号',
      reporterName: '欧阳修',
      reporterPhone: '13912345678',
      callbackWanted: true,
    });
    // Held by a department, supervised and past its deadline: the fields a plain intake leaves empty.
    await env.ctx.db
      .update(cases)
      .set({
        leadDepartmentId: departmentId,
        level: 'district',
        holderPath: '340302',
        status: 'dispatched',
        supervised: true,
        createdAt: new Date(Date.now() - 7_200_000),
        dueAt: new Date(Date.now() - 3_600_000),
        overdueEscalatedAt: new Date(),
        coDepartmentIds: [departmentId],
      })
      .where(eq(cases.id, c.id));
    const { item, view } = await listedAndDetail(c);
    expect(item).toEqual(summaryOf(view));
    expect(item).toMatchObject({
      overdue: true,
      supervised: true,
      leadDepartmentId: departmentId,
      address: '淮河路 12 号',
    });
    expect(typeof item.leadDepartmentName).toBe('string');
    expect(item.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    // The detail shows the reporter masked; the list not at all.
    expect(view).toMatchObject({ reporterName: '欧**', reporterPhone: '139****5678', callbackWanted: true });
    for (const left of ['description', 'reporterName', 'reporterPhone', 'answers', 'lat', 'lng', 'sourceRef'])
      expect(item).not.toHaveProperty(left);
    for (const text of ['欧', '5678', '小区东门路灯三天不亮', '12345-2026-0001'])
      expect(JSON.stringify(item)).not.toContain(text);
  });

  it('is summarized alike when its masked name was never kept, which its detail masks from the encrypted one', async () => {
    const c = await intake(env.ctx, null, {
      channel: 'window',
      categoryId: category,
      title: '噪声扰民',
      description: '夜间施工',
      areaCode: FIXTURE.communityA1,
      reporterName: '李四',
      reporterPhone: '13800001111',
    });
    await env.ctx.db.execute(sql`update cases set reporter_name_masked = null where id = ${c.id}`);
    const { item, view } = await listedAndDetail(c);
    expect(item).toEqual(summaryOf(view));
    expect(view.reporterName).toBe('李*');
  });

  it('is summarized alike when taken in without a reporter, whom its detail shows as none', async () => {
    const c = await intake(env.ctx, null, {
      channel: 'patrol',
      categoryId: category,
      title: '井盖缺失',
      description: '路口井盖缺失',
      areaCode: FIXTURE.gridA1b,
    });
    const { item, view } = await listedAndDetail(c);
    expect(item).toEqual(summaryOf(view));
    expect(view.reporterName).toBeNull();
    expect(view.reporterPhone).toBeNull();
  });

  it('pages a filtered list newest first, counting every match by status', async () => {
    const word = `同名事项${Date.now()}`;
    const made: { id: string; number: string }[] = [];
    for (let i = 0; i < 3; i++)
      made.push(
        await intake(env.ctx, null, {
          channel: 'patrol',
          categoryId: category,
          title: `${word} ${i}`,
          description: '过滤与分页',
          areaCode: i === 2 ? FIXTURE.gridA2a : FIXTURE.gridA1a,
        }),
      );
    // A second apart, so newest first is one order whatever the clock's resolution.
    for (const [i, c] of made.entries())
      await env.ctx.db
        .update(cases)
        .set({ createdAt: new Date(Date.now() - (3 - i) * 1000) })
        .where(eq(cases.id, c.id));
    await env.ctx.db.update(cases).set({ status: 'handling' }).where(eq(cases.id, made[0]!.id));
    const get = async (query: string) => {
      const res = await env.app.inject({
        method: 'GET',
        url: `/api/cases?q=${encodeURIComponent(word)}${query}`,
        headers: street.headers,
      });
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as { items: Item[]; total: number; counts: Record<string, number> };
    };
    const all = await get('');
    expect(all.items.map((i) => i.id)).toEqual([made[2]!.id, made[1]!.id, made[0]!.id]);
    expect(all.total).toBe(3);
    expect(all.counts).toEqual({ reported: 2, handling: 1 });
    const second = await get('&limit=1&offset=1');
    expect(second.items.map((i) => i.id)).toEqual([made[1]!.id]);
    expect(second.total).toBe(3);
    const handling = await get('&status=handling');
    expect(handling.items.map((i) => i.id)).toEqual([made[0]!.id]);
    expect(handling.total).toBe(1);
    expect(handling.counts).toEqual({ reported: 2, handling: 1 });
    const beyond = await get('&offset=5');
    expect(beyond.items).toEqual([]);
    expect(beyond.total).toBe(3);
    const none = await get('&channel=mailbox');
    expect(none).toMatchObject({ items: [], total: 0, counts: {} });
  });

  it('pages a street’s overdue cases newest first, as sorting all of its late cases would', async () => {
    const now = Date.now();
    const minute = 60_000;
    const hour = 60 * minute;
    const day = 24 * hour;
    // [reported ago, due from now, status, where]: late ones reported long ago and due just now (an extension), new
    // ones due at once, not yet due, never late (suspended) and ended, in both communities of street A and one beyond.
    const shapes: [number, number, string, string][] = [
      [30 * day, -minute, 'handling', FIXTURE.gridA1a],
      [2 * hour, -hour, 'accepted', FIXTURE.gridA1b],
      [3 * hour, -2 * hour, 'reported', FIXTURE.gridA2a],
      [hour, day, 'reported', FIXTURE.gridA1a],
      [5 * hour, -30 * minute, 'dispatched', FIXTURE.gridA1a],
      [6 * hour, -5 * hour, 'handled', FIXTURE.gridA2a],
      [7 * hour, -6 * hour, 'verified', FIXTURE.gridA1b],
      [8 * hour, -7 * hour, 'suspended', FIXTURE.gridA1a],
      [9 * hour, -8 * hour, 'closed', FIXTURE.gridA1a],
      [10 * day, -9 * day, 'handling', FIXTURE.gridA2a],
      [4 * day, hour, 'handling', FIXTURE.gridA1b],
      [12 * hour, -11 * hour, 'reported', FIXTURE.gridA1a],
      [13 * hour, -2 * minute, 'accepted', FIXTURE.gridA2a],
      [20 * day, -19 * day, 'dispatched', FIXTURE.gridA1b],
      [14 * hour, -13 * hour, 'reported', FIXTURE.communityB1],
    ];
    for (const [ago, dueIn, status, areaCode] of shapes) {
      const c = await intake(env.ctx, null, {
        channel: 'patrol',
        categoryId: category,
        title: '逾期分页',
        description: '逾期分页',
        areaCode,
      });
      await env.ctx.db
        .update(cases)
        .set({ createdAt: new Date(now - ago), dueAt: new Date(now + dueIn), status })
        .where(eq(cases.id, c.id));
    }
    // What sorting every late case of the street gives: open, not suspended, past due; newest first.
    const late = (
      await env.ctx.db
        .select({ id: cases.id, createdAt: cases.createdAt })
        .from(cases)
        .where(
          sql`${cases.areaPath} like ${areaPath(FIXTURE.streetA) + '%'} and ${cases.dueAt} < now()
              and ${cases.status} in ('reported','accepted','dispatched','handling','handled','verified')`,
        )
    )
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1))
      .map((r) => r.id);
    expect(late.length).toBeGreaterThan(9);
    const listed: string[] = [];
    for (let offset = 0; offset < late.length + 3; offset += 3) {
      const res = await env.app.inject({
        method: 'GET',
        url: `/api/cases?overdue=true&limit=3&offset=${offset}`,
        headers: street.headers,
      });
      expect(res.statusCode, res.body).toBe(200);
      const page = res.json() as { items: Item[]; total: number };
      expect(page.total).toBe(late.length);
      listed.push(...page.items.map((i) => i.id));
    }
    expect(listed).toEqual(late);
  });

  it('cannot be given a deadline before its report, which the overdue filter relies on', async () => {
    const c = await intake(env.ctx, null, {
      channel: 'patrol',
      categoryId: category,
      title: '期限早于上报',
      description: '期限早于上报',
      areaCode: FIXTURE.gridA1a,
    });
    const [row] = await env.ctx.db.select().from(cases).where(eq(cases.id, c.id));
    const refused = await env.ctx.db
      .update(cases)
      .set({ dueAt: new Date(row!.createdAt.getTime() - 1000) })
      .where(eq(cases.id, c.id))
      .then(
        () => null,
        (err: unknown) => err,
      );
    // check_violation
    expect(pgErrorCode(refused)).toBe('23514');
    const [after] = await env.ctx.db.select().from(cases).where(eq(cases.id, c.id));
    expect(after!.dueAt).toEqual(row!.dueAt);
  });

  it('follows a worker moved to another community at once, though the same list was just read', async () => {
    const accountId = await createStaff(env.ctx, 'list.moved', 'community_worker', {
      areaCode: FIXTURE.communityA1,
    });
    const moved = await login(env.app, 'list.moved');
    const here = await intake(env.ctx, null, {
      channel: 'patrol',
      categoryId: category,
      title: '搬迁前',
      description: '第一个社区的事项',
      areaCode: FIXTURE.gridA1a,
    });
    const there = await intake(env.ctx, null, {
      channel: 'patrol',
      categoryId: category,
      title: '搬迁后',
      description: '第二个社区的事项',
      areaCode: FIXTURE.gridA2a,
    });
    const ids = async () => {
      const res = await env.app.inject({ method: 'GET', url: '/api/cases', headers: moved.headers });
      expect(res.statusCode, res.body).toBe(200);
      return (res.json() as { items: Item[] }).items.map((i) => i.id);
    };
    // Read twice: the second look runs the statements the first one made.
    for (let i = 0; i < 2; i++) {
      expect(await ids()).toContain(here.id);
      expect(await ids()).not.toContain(there.id);
    }
    await env.ctx.db
      .update(assignments)
      .set({ areaCode: FIXTURE.communityA2, areaPath: areaPath(FIXTURE.communityA2) })
      .where(eq(assignments.accountId, accountId));
    await env.settled();
    const after = await ids();
    expect(after).toContain(there.id);
    expect(after).not.toContain(here.id);
  });
});

describe('which lists run on a plan made once', () => {
  const open = ['accepted' as const];
  it('keeps plans for a street, a community and a grid, and for a district unit held by equality', () => {
    expect(keepsPlans(['340302001', '340302001001001'], null)).toBe(true);
    expect(keepsPlans([], [{ kind: 'holder', path: '340302', districtOnly: true, statuses: open }])).toBe(
      true,
    );
    expect(
      keepsPlans(['340302001'], [{ kind: 'holder', path: '340302001', districtOnly: false, statuses: open }]),
    ).toBe(true);
  });
  it('plans on each call any list reaching a district or the city', () => {
    expect(keepsPlans(['3403'], null)).toBe(false);
    expect(keepsPlans(['340302001', '340303'], null)).toBe(false);
    expect(keepsPlans([], [{ kind: 'area', path: '340302', statuses: open }])).toBe(false);
    expect(keepsPlans([], [{ kind: 'holder', path: '340302', districtOnly: false, statuses: open }])).toBe(
      false,
    );
  });
});
