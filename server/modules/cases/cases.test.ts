import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  countRows,
  createStaff,
  FIXTURE,
  login,
  seedFixtureAreas,
  startTestApp,
  type Session,
  type TestEnv,
} from '../../test/harness';
import { residentSession } from '../accounts/auth-test-utils';
import { loadCalendar } from '../calendar/service';
import { addHours, addWorkingDays, chinaYear } from '../calendar/working-days';
import { categories, routingRules } from '../categories/tables';
import { caseEvents, cases } from './tables';
import { insertCategory } from './test-fixtures';

type CaseJson = {
  id: string;
  number: string;
  status: string;
  level: string;
  version: number;
  dueAt: string | null;
  leadDepartmentName?: string | null;
  createdAt: string;
  reporterName: string | null;
  reporterPhone: string | null;
  leadDepartmentId: string | null;
  matterClass: string;
  reopenCount: number;
  rating: string | null;
  supervised: boolean;
  actions: string[];
};
type ErrorJson = { error: { code: string; details?: { field: string; rule: string; message: string }[] } };

describe('cases over HTTP', () => {
  let env: TestEnv;
  const s: Record<string, Session> = {};
  let departmentId: string;
  let otherDepartmentId: string;
  const cat: Record<string, string> = {};

  const get = (who: string, url: string) => env.app.inject({ method: 'GET', url, headers: s[who]!.headers });
  const post = (who: string, url: string, payload: unknown) =>
    env.app.inject({ method: 'POST', url, headers: s[who]!.headers, payload: payload as object });
  const act = (who: string, c: { id: string; version: number }, body: Record<string, unknown>) =>
    post(who, `/api/cases/${c.id}/actions`, { version: c.version, ...body });

  /** A window case entered by the community worker of 淮河社区. */
  async function windowCase(category: string, extra: Record<string, unknown> = {}, who = 'comm.a1') {
    const res = await post(who, '/api/cases', {
      channel: 'window',
      categoryId: cat[category],
      title: '楼道堆放杂物',
      description: '三单元楼道堆放杂物，影响消防通道',
      areaCode: FIXTURE.gridA1a,
      reporterName: '张三',
      reporterPhone: '13800001234',
      ...extra,
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as CaseJson;
  }

  /** Takes one action and expects it to succeed; returns the updated case. */
  async function step(who: string, c: CaseJson, body: Record<string, unknown>): Promise<CaseJson> {
    const res = await act(who, c, body);
    expect(res.statusCode, `${who} ${String(body.action)}: ${res.body}`).toBe(200);
    return res.json() as CaseJson;
  }

  async function expectedDue(createdAt: string, days: number): Promise<string> {
    const at = new Date(createdAt);
    const cal = await loadCalendar(env.ctx.db, chinaYear(at), chinaYear(at) + 1);
    return addWorkingDays(cal, at, days).toISOString();
  }

  beforeAll(async () => {
    env = await startTestApp();
    ({ departmentId, otherDepartmentId } = await seedFixtureAreas(env.ctx));
    cat.community = await insertCategory(env.ctx);
    cat.street = await insertCategory(env.ctx, { handlingLevel: 'street', matterClass: 'public' });
    cat.dept = await insertCategory(env.ctx, { handlingLevel: 'district', matterClass: 'public' });
    cat.private = await insertCategory(env.ctx, { matterClass: 'private' });
    cat.urgent = await insertCategory(env.ctx, { urgent: true, deadlineHours: 2 });
    cat.inactive = await insertCategory(env.ctx, { active: false });
    await env.ctx.db.insert(routingRules).values({ categoryId: cat.dept, areaPath: '340302', departmentId });
    await createStaff(env.ctx, 'comm.a1', 'community_worker', { areaCode: FIXTURE.communityA1 });
    await createStaff(env.ctx, 'comm.a1b', 'community_worker', { areaCode: FIXTURE.communityA1 });
    await createStaff(env.ctx, 'comm.a2', 'community_worker', { areaCode: FIXTURE.communityA2 });
    await createStaff(env.ctx, 'grid.a1a', 'grid_worker', { areaCode: FIXTURE.gridA1a });
    await createStaff(env.ctx, 'grid.a1b', 'grid_worker', { areaCode: FIXTURE.gridA1b });
    await createStaff(env.ctx, 'street.a', 'street_staff', { areaCode: FIXTURE.streetA });
    await createStaff(env.ctx, 'leader.d', 'leader', { areaCode: FIXTURE.district });
    await createStaff(env.ctx, 'dept.h', 'dept_handler', { departmentId, departmentPath: '340302' });
    await createStaff(env.ctx, 'dept.other', 'dept_handler', {
      departmentId: otherDepartmentId,
      departmentPath: '340303',
    });
    for (const u of [
      'comm.a1',
      'comm.a1b',
      'comm.a2',
      'grid.a1a',
      'grid.a1b',
      'street.a',
      'leader.d',
      'dept.h',
      'dept.other',
    ])
      s[u] = await login(env.app, u);
    // Two residents through the real SMS login.
    for (const [who, phone] of [
      ['res.1', '13700001111'],
      ['res.2', '13700002222'],
    ] as const) {
      s[who] = await residentSession(env, phone);
    }
  });
  afterAll(async () => env?.close());

  it('closes a window case the community can solve the same working day, verified by another person', async () => {
    let c = await windowCase('community');
    expect(c.status).toBe('reported');
    expect(c.level).toBe('community');
    expect(c.number).toMatch(/^340302-\d{8}-\d{6}$/);
    expect(c.dueAt).toBe(await expectedDue(c.createdAt, 0));
    expect(c.reporterName).toBe('张*');
    expect(c.reporterPhone).toBe('138****1234');
    expect(c.actions).toEqual(expect.arrayContaining(['accept', 'decline', 'escalate']));

    c = await step('comm.a1', c, { action: 'accept' });
    c = await step('comm.a1', c, { action: 'dispatch' });
    c = await step('comm.a1', c, { action: 'start' });
    c = await step('comm.a1', c, { action: 'progress', note: '已联系物业' });
    c = await step('comm.a1', c, { action: 'handle', note: '杂物已清理' });
    expect(c.status).toBe('handled');
    // The handler may not verify its own work, and is not offered to.
    expect(c.actions).not.toContain('verify');
    const self = await act('comm.a1', c, { action: 'verify' });
    expect(self.statusCode).toBe(409);
    expect((self.json() as ErrorJson).error.code).toBe('case.verifier_is_handler');
    c = await step('grid.a1a', c, { action: 'verify' });
    c = await step('comm.a1b', c, { action: 'close' });
    expect(c.status).toBe('closed');
    c = await step('comm.a1', c, { action: 'rate', rating: 'satisfied', comment: '很及时' });
    expect(c.status).toBe('rated');
    expect(c.rating).toBe('satisfied');

    const events = (await get('comm.a1', `/api/cases/${c.id}/events`)).json() as {
      items: { seq: number; action: string; toStatus: string; actorName: string }[];
    };
    expect(events.items.map((e) => e.action)).toEqual([
      'report',
      'accept',
      'dispatch',
      'start',
      'progress',
      'handle',
      'verify',
      'close',
      'rate',
    ]);
    expect(events.items.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(c.version).toBe(9);
    // The database keeps the events append-only.
    await expect(
      env.ctx.db.update(caseEvents).set({ note: 'x' }).where(eq(caseEvents.caseId, c.id)),
    ).rejects.toThrow();
  });

  it('routes by the categories and rules as they are now, though the server keeps a copy of them', async () => {
    // Each server keeps the reference data in memory; a change made anywhere (here straight in the database, as
    // another server or an import would) must reach the next intake.
    const categoryId = await insertCategory(env.ctx);
    const first = await windowCase('community', { categoryId });
    expect(first.level).toBe('community');
    const [rule] = await env.ctx.db
      .insert(routingRules)
      .values({ categoryId, areaPath: '340302', departmentId })
      .returning({ id: routingRules.id });
    const routed = await windowCase('community', { categoryId });
    expect(routed.level).toBe('district');
    expect(routed.leadDepartmentId).toBe(departmentId);
    expect(routed.leadDepartmentName).toBeTruthy();
    await env.ctx.db.delete(routingRules).where(eq(routingRules.id, rule!.id));
    expect((await windowCase('community', { categoryId })).leadDepartmentId).toBeNull();
    await env.ctx.db.update(categories).set({ active: false }).where(eq(categories.id, categoryId));
    const refused = await post('comm.a1', '/api/cases', {
      channel: 'window',
      categoryId,
      title: '楼道堆放杂物',
      description: '三单元楼道堆放杂物',
      areaCode: FIXTURE.gridA1a,
      reporterName: '张三',
      reporterPhone: '13800001234',
    });
    expect(refused.statusCode).toBe(400);
    expect((refused.json() as ErrorJson).error.details).toEqual([
      expect.objectContaining({ field: 'body.categoryId', rule: 'inactive' }),
    ]);
  });

  it('numbers a burst of intakes without a repeat, and consecutive intakes at an ordinary pace in order', async () => {
    const burst = await Promise.all(Array.from({ length: 24 }, () => windowCase('community')));
    const numbers = burst.map((c) => c.number);
    expect(new Set(numbers).size).toBe(numbers.length);
    // After a pause the process reserves one number at a time again: the next two follow each other.
    await new Promise((r) => setTimeout(r, 1100));
    const a = await windowCase('community');
    await new Promise((r) => setTimeout(r, 1100));
    const b = await windowCase('community');
    expect(Number(b.number.slice(-6))).toBe(Number(a.number.slice(-6)) + 1);
  });

  it('gives a street-level case 3 working days and a department case 7, dispatched to the department', async () => {
    const street = await windowCase('street');
    expect(street.level).toBe('street');
    expect(street.dueAt).toBe(await expectedDue(street.createdAt, 3));
    // The community no longer holds it; the street does.
    expect(street.actions).not.toContain('accept');
    const byStreet = (await get('street.a', `/api/cases/${street.id}`)).json() as CaseJson;
    expect(byStreet.actions).toContain('accept');

    const dept = await windowCase('dept');
    expect(dept.level).toBe('district');
    expect(dept.leadDepartmentId).toBe(departmentId);
    expect(dept.dueAt).toBe(await expectedDue(dept.createdAt, 7));
    let d = await step('dept.h', dept, { action: 'accept' });
    d = await step('dept.h', d, { action: 'dispatch' });
    d = await step('dept.h', d, { action: 'start' });
    d = await step('dept.h', d, { action: 'handle', note: '已处理' });
    d = await step('grid.a1a', d, { action: 'verify' });
    expect(d.status).toBe('verified');
  });

  it('counts urgent categories in hours', async () => {
    const c = await windowCase('urgent');
    const at = new Date(c.createdAt);
    const cal = await loadCalendar(env.ctx.db, chinaYear(at), chinaYear(at) + 1);
    expect(c.dueAt).toBe(addHours(cal, at, 2).toISOString());
  });

  it('reopens once on dissatisfaction; a second dissatisfaction just ends it', async () => {
    let c = await windowCase('community');
    const run = async () => {
      c = await step('comm.a1', c, { action: 'start' });
      c = await step('comm.a1', c, { action: 'handle', note: '已处理' });
      c = await step('grid.a1a', c, { action: 'verify' });
      c = await step('comm.a1', c, { action: 'close' });
    };
    c = await step('comm.a1', c, { action: 'accept' });
    c = await step('comm.a1', c, { action: 'dispatch' });
    await run();
    c = await step('comm.a1b', c, { action: 'rate', rating: 'dissatisfied', comment: '没有解决' });
    expect(c.status).toBe('dispatched');
    expect(c.reopenCount).toBe(1);
    expect(c.level).toBe('community');
    await run();
    c = await step('comm.a1b', c, { action: 'rate', rating: 'dissatisfied' });
    expect(c.status).toBe('rated');
    expect(c.rating).toBe('dissatisfied');
    expect(c.reopenCount).toBe(1);
  });

  it('refuses a stale version and an illegal transition with 409, changing nothing', async () => {
    const c = await windowCase('community');
    const accepted = await step('comm.a1', c, { action: 'accept' });
    const stale = await act('comm.a1', c, { action: 'dispatch' });
    expect(stale.statusCode).toBe(409);
    const staleBody = stale.json() as ErrorJson;
    expect(staleBody.error.code).toBe('case.stale');
    expect(staleBody.error.details![0]!.field).toBe('body.version');
    expect(staleBody.error.details![0]!.message).toContain(String(accepted.version));

    const illegal = await act('comm.a1', accepted, { action: 'verify' });
    expect(illegal.statusCode).toBe(409);
    const body = illegal.json() as ErrorJson;
    expect(body.error.code).toBe('case.illegal_transition');
    expect(body.error.details![0]!.message).toContain('accepted → verify');
    const [row] = await env.ctx.db.select().from(cases).where(eq(cases.id, c.id));
    expect(row!.status).toBe('accepted');
    expect(row!.version).toBe(2);
  });

  it('lets one of two concurrent actions on a case win; the other gets 409 and no event', async () => {
    const c = await windowCase('community');
    const [a, b] = await Promise.all([
      act('comm.a1', c, { action: 'accept' }),
      act('comm.a1b', c, { action: 'decline', reason: '不属于受理范围' }),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
    const loser = a.statusCode === 409 ? a : b;
    expect((loser.json() as ErrorJson).error.code).toBe('case.stale');
    const events = await env.ctx.db.select().from(caseEvents).where(eq(caseEvents.caseId, c.id));
    expect(events).toHaveLength(2);
  });

  it('requires the fields an action needs, and guards who may act', async () => {
    const c = await windowCase('community');
    const noReason = await act('comm.a1', c, { action: 'decline' });
    expect(noReason.statusCode).toBe(400);
    expect((noReason.json() as ErrorJson).error.details![0]!.field).toBe('body.reason');
    // A grid worker does not accept cases; a neighbouring community's worker does not even see it.
    expect((await act('grid.a1a', c, { action: 'accept' })).statusCode).toBe(403);
    expect((await act('comm.a2', c, { action: 'accept' })).statusCode).toBe(403);
    // A leader supervises.
    const sup = await step('leader.d', c, { action: 'supervise', note: '请尽快处理' });
    expect(sup.supervised).toBe(true);
    expect(sup.status).toBe('reported');
  });

  it('returns, escalates, extends, suspends and resumes', async () => {
    let c = await windowCase('community');
    c = await step('comm.a1', c, { action: 'accept' });
    c = await step('comm.a1', c, { action: 'dispatch', departmentId });
    expect(c.leadDepartmentId).toBe(departmentId);
    expect(c.level).toBe('district');
    c = await step('dept.h', c, { action: 'return', reason: '不属于本部门职责' });
    expect(c.status).toBe('accepted');
    expect(c.leadDepartmentId).toBeNull();
    expect(c.level).toBe('community');
    c = await step('comm.a1', c, { action: 'escalate', reason: '需街道协调' });
    expect(c.level).toBe('street');
    expect(c.status).toBe('accepted');
    expect(c.dueAt).toBe(await expectedDue(new Date().toISOString(), 3));
    expect((await act('comm.a1', c, { action: 'dispatch' })).statusCode).toBe(403);
    c = await step('street.a', c, { action: 'dispatch' });
    c = await step('street.a', c, { action: 'start' });
    c = await step('street.a', c, { action: 'request_extension', reason: '需采购材料', days: 2 });
    // The street cannot approve its own request; the level above (the district's leader) does.
    expect((await act('street.a', c, { action: 'approve_extension' })).statusCode).toBe(403);
    const due = c.dueAt!;
    c = await step('leader.d', c, { action: 'approve_extension' });
    expect(new Date(c.dueAt!).getTime()).toBeGreaterThan(new Date(due).getTime());
    const again = await act('leader.d', c, { action: 'approve_extension' });
    expect((again.json() as ErrorJson).error.code).toBe('case.no_pending_extension');
    c = await step('street.a', c, { action: 'suspend', reason: '待旧改项目统一解决' });
    expect(c.status).toBe('suspended');
    c = await step('street.a', c, { action: 'resume' });
    expect(c.status).toBe('handling');
  });

  it('closes a private matter directly with guidance, but no other', async () => {
    let p = await windowCase('private');
    expect(p.matterClass).toBe('private');
    p = await step('comm.a1', p, { action: 'accept' });
    p = await step('comm.a1', p, { action: 'close_private', guidance: '请联系家政服务中心' });
    expect(p.status).toBe('closed');
    let c = await windowCase('community');
    c = await step('comm.a1', c, { action: 'accept' });
    const res = await act('comm.a1', c, { action: 'close_private', guidance: '自行解决' });
    expect((res.json() as ErrorJson).error.code).toBe('case.not_private');
  });

  it('shows a department handler only its department’s cases', async () => {
    const mine = await windowCase('dept');
    const other = await windowCase('community');
    const list = (await get('dept.h', '/api/cases?limit=200')).json() as { items: CaseJson[] };
    const ids = list.items.map((i) => i.id);
    expect(ids).toContain(mine.id);
    expect(ids).not.toContain(other.id);
    expect((await get('dept.h', `/api/cases/${other.id}`)).statusCode).toBe(403);
    const foreign = (await get('dept.other', '/api/cases?limit=200')).json() as { items: CaseJson[] };
    expect(foreign.items.map((i) => i.id)).not.toContain(mine.id);
    expect((await get('dept.other', `/api/cases/${mine.id}`)).statusCode).toBe(403);
  });

  it('shows a grid worker only its grids, and lets it report by patrol only there', async () => {
    const inA = await windowCase('community');
    const inB = await windowCase('community', { areaCode: FIXTURE.gridA1b });
    const list = (await get('grid.a1a', '/api/cases?limit=200')).json() as {
      items: CaseJson[];
      counts: Record<string, number>;
    };
    const ids = list.items.map((i) => i.id);
    expect(ids).toContain(inA.id);
    expect(ids).not.toContain(inB.id);
    expect((await get('grid.a1a', `/api/cases/${inB.id}`)).statusCode).toBe(403);
    const patrol = {
      channel: 'patrol',
      categoryId: cat.community,
      title: '井盖缺失',
      description: '路口井盖缺失',
    };
    expect((await post('grid.a1a', '/api/cases', { ...patrol, areaCode: FIXTURE.gridA1a })).statusCode).toBe(
      201,
    );
    const outside = await post('grid.a1a', '/api/cases', { ...patrol, areaCode: FIXTURE.gridA1b });
    expect(outside.statusCode).toBe(403);
    expect((outside.json() as ErrorJson).error.details![0]!.field).toBe('body.areaCode');
    const window = await post('grid.a1a', '/api/cases', {
      ...patrol,
      channel: 'window',
      areaCode: FIXTURE.gridA1a,
      reporterName: '王五',
      reporterPhone: '13900002222',
    });
    expect(window.statusCode).toBe(403);
  });

  it('lets a resident report online anywhere and see only its own cases', async () => {
    const online = {
      channel: 'online',
      categoryId: cat.community,
      title: '噪声扰民',
      description: '夜间施工噪声',
    };
    const res = await post('res.1', '/api/cases', { ...online, areaCode: FIXTURE.communityB1 });
    expect(res.statusCode, res.body).toBe(201);
    const mine = res.json() as CaseJson;
    expect(mine.reporterPhone).toBe('137****1111');
    const staffCase = await windowCase('community');
    const list = (await get('res.1', '/api/cases')).json() as { items: CaseJson[]; total: number };
    expect(list.items.map((i) => i.id)).toEqual([mine.id]);
    expect(list.total).toBe(1);
    expect((await get('res.1', `/api/cases/${staffCase.id}`)).statusCode).toBe(403);
    expect((await get('res.2', `/api/cases/${mine.id}`)).statusCode).toBe(403);
    expect((await get('res.2', `/api/cases/${mine.id}/events`)).statusCode).toBe(403);
    // A resident may not enter a window case.
    const window = await post('res.1', '/api/cases', {
      ...online,
      channel: 'window',
      areaCode: FIXTURE.communityA1,
      reporterName: '赵六',
      reporterPhone: '13900003333',
    });
    expect(window.statusCode).toBe(403);
  });

  it('answers bad input with a 4xx naming the field, never a 500', async () => {
    const base = {
      channel: 'window',
      categoryId: cat.community,
      title: '路灯不亮',
      description: '小区门口路灯不亮',
      areaCode: FIXTURE.gridA1a,
      reporterName: '张三',
      reporterPhone: '13800001234',
    };
    const before = await countRows(env.ctx, 'cases');
    const cases: [Record<string, unknown>, number, string][] = [
      [{ ...base, categoryId: '00000000-0000-4000-8000-000000000000' }, 404, 'body.categoryId'],
      [{ ...base, categoryId: 'not-a-uuid' }, 400, 'body.categoryId'],
      [{ ...base, categoryId: cat.inactive }, 400, 'body.categoryId'],
      [{ ...base, areaCode: '340302009009' }, 404, 'body.areaCode'],
      [{ ...base, areaCode: FIXTURE.streetA }, 400, 'body.areaCode'],
      [{ ...base, areaCode: FIXTURE.communityA2 }, 403, 'body.areaCode'],
      [{ ...base, areaCode: '12345' }, 400, 'body.areaCode'],
      [{ ...base, reporterPhone: undefined }, 400, 'body.reporterPhone'],
      [{ ...base, reporterPhone: '123' }, 400, 'body.reporterPhone'],
      [{ ...base, channel: 'fax' }, 400, 'body.channel'],
      [{ ...base, title: '' }, 400, 'body.title'],
      [{ ...base, channel: 'transfer' }, 400, 'body.sourceRef'],
      [{ ...base, lat: 200 }, 400, 'body.lat'],
      [{ ...base, extra: 1 }, 400, 'body.extra'],
    ];
    for (const [payload, status, field] of cases) {
      const res = await post('comm.a1', '/api/cases', payload);
      expect(res.statusCode, `${field}: ${res.body}`).toBe(status);
      const fields = ((res.json() as ErrorJson).error.details ?? []).map((d) => d.field);
      expect(fields, `${field}: ${res.body}`).toContain(field);
    }
    expect(await countRows(env.ctx, 'cases')).toBe(before);

    const c = await windowCase('community');
    const bad: [string, Record<string, unknown>, number][] = [
      [`/api/cases/${c.id}/actions`, { action: 'fly', version: 1 }, 400],
      [`/api/cases/${c.id}/actions`, { action: 'accept' }, 400],
      [`/api/cases/${c.id}/actions`, { action: 'accept', version: 'x' }, 400],
      ['/api/cases/not-a-uuid/actions', { action: 'accept', version: 1 }, 400],
      ['/api/cases/00000000-0000-4000-8000-000000000000/actions', { action: 'accept', version: 1 }, 404],
    ];
    for (const [url, payload, status] of bad) {
      const res = await post('comm.a1', url, payload);
      expect(res.statusCode, `${url} ${JSON.stringify(payload)}: ${res.body}`).toBe(status);
    }
    for (const url of [
      '/api/cases?status=nope',
      '/api/cases?limit=0',
      '/api/cases?area=12',
      '/api/cases/not-a-uuid',
      '/api/cases/00000000-0000-4000-8000-000000000000/events',
    ]) {
      const res = await get('comm.a1', url);
      expect(res.statusCode, `${url}: ${res.body}`).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, `${url}: ${res.body}`).toBeLessThan(500);
    }
  });

  it('filters the list and counts by status; mine is the work list', async () => {
    const c = await windowCase('community', { title: '独特标题甲乙丙' });
    const byQ = (await get('comm.a1', `/api/cases?q=${encodeURIComponent('甲乙丙')}`)).json() as {
      items: CaseJson[];
      counts: Record<string, number>;
    };
    expect(byQ.items.map((i) => i.id)).toEqual([c.id]);
    expect(byQ.counts.reported).toBe(1);
    const byNumber = (await get('comm.a1', `/api/cases?q=${c.number}`)).json() as { items: CaseJson[] };
    expect(byNumber.items.map((i) => i.id)).toEqual([c.id]);
    const mine = (await get('comm.a1', '/api/cases?mine=true&limit=200')).json() as { items: CaseJson[] };
    expect(mine.items.map((i) => i.id)).toContain(c.id);
    const gridMine = (await get('grid.a1a', '/api/cases?mine=true&limit=200')).json() as {
      items: CaseJson[];
    };
    expect(gridMine.items.map((i) => i.id)).not.toContain(c.id);
    const handled = (await get('comm.a1', '/api/cases?status=rated&limit=200')).json() as {
      items: CaseJson[];
      total: number;
    };
    expect(handled.items.every((i) => i.status === 'rated')).toBe(true);
    const rows = await env.ctx.db
      .select()
      .from(cases)
      .where(and(eq(cases.status, 'rated'), eq(cases.areaPath, FIXTURE.gridA1a)));
    expect(handled.total).toBe(rows.length);
  });
  it('offers the departments of the case’s district as dispatch targets, to those who read the case', async () => {
    const c = await windowCase('community');
    const res = await get('comm.a1', `/api/cases/${c.id}/dispatch-targets`);
    expect(res.statusCode, res.body).toBe(200);
    const ids = (res.json() as { items: { id: string }[] }).items.map((d) => d.id);
    expect(ids).toContain(departmentId);
    expect(ids).not.toContain(otherDepartmentId);
    // The neighbouring community's worker does not read the case.
    expect((await get('comm.a2', `/api/cases/${c.id}/dispatch-targets`)).statusCode).toBe(403);
  });
});
