import crypto from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createStaff,
  FIXTURE,
  login,
  seedFixtureAreas,
  startTestApp,
  type Session,
  type TestEnv,
} from '../../test/harness';
import { auditRows, residentSession } from '../accounts/auth-test-utils';
import { areas } from '../areas/tables';
import { categories } from '../categories/tables';
import { cases } from './tables';
import { insertCategory } from './test-fixtures';

type CaseJson = {
  id: string;
  number: string;
  status: string;
  version: number;
  areaCode: string;
  answers: Record<string, unknown>;
  mergedIntoId: string | null;
  closedAt: string | null;
  overdueEscalatedAt: string | null;
  photoCount: number;
  actions: string[];
};
type EventJson = {
  seq: number;
  action: string;
  fromStatus: string | null;
  toStatus: string;
  data: Record<string, unknown>;
};
type ErrorJson = { error: { code: string; details?: { field: string; rule: string }[] } };
type SimilarJson = { items: { id: string; score: number; reasons: string[]; distanceM: number | null }[] };

/** A square grid boundary from its south-west corner, 0.005° a side. */
function square(lng: number, lat: number) {
  const d = 0.005;
  return {
    type: 'Polygon',
    coordinates: [
      [
        [lng, lat],
        [lng + d, lat],
        [lng + d, lat + d],
        [lng, lat + d],
        [lng, lat],
      ],
    ],
  };
}

// Three bounded grids side by side: 淮河 1 and 2 (community A1), then 燕山 1 (community A2).
const IN_A1A = { lat: 32.942, lng: 117.382 };
const IN_A1B = { lat: 32.942, lng: 117.387 };
const IN_A2A = { lat: 32.942, lng: 117.392 };
const NOWHERE = { lat: 33.5, lng: 118.1 };

describe('intake location and answers, merging, similar cases and public tracking', () => {
  let env: TestEnv;
  const s: Record<string, Session> = {};
  const cat: Record<string, string> = {};

  const get = (who: string | null, url: string) =>
    env.app.inject({ method: 'GET', url, headers: who ? s[who]!.headers : {} });
  const post = (who: string, url: string, payload: unknown) =>
    env.app.inject({ method: 'POST', url, headers: s[who]!.headers, payload: payload as object });
  const act = (who: string, c: { id: string; version: number }, body: Record<string, unknown>) =>
    post(who, `/api/cases/${c.id}/actions`, { version: c.version, ...body });

  const windowBody = (extra: Record<string, unknown> = {}) => ({
    channel: 'window',
    categoryId: cat.plain,
    title: '楼道堆放杂物',
    description: '三单元楼道堆放杂物，影响通行',
    areaCode: FIXTURE.gridA1a,
    reporterName: '张三',
    reporterPhone: '13800001234',
    ...extra,
  });

  async function created(who: string, body: Record<string, unknown>): Promise<CaseJson> {
    const res = await post(who, '/api/cases', body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as CaseJson;
  }

  async function expectField(
    res: Awaited<ReturnType<typeof post>>,
    status: number,
    field: string,
    rule?: string,
  ) {
    expect(res.statusCode, res.body).toBe(status);
    const details = (res.json() as ErrorJson).error.details ?? [];
    expect(
      details.map((d) => d.field),
      res.body,
    ).toContain(field);
    if (rule) expect(details.find((d) => d.field === field)!.rule).toBe(rule);
  }

  async function events(who: string, id: string): Promise<EventJson[]> {
    return ((await get(who, `/api/cases/${id}/events`)).json() as { items: EventJson[] }).items;
  }

  beforeAll(async () => {
    env = await startTestApp();
    await seedFixtureAreas(env.ctx);
    for (const [code, [lng, lat]] of [
      [FIXTURE.gridA1a, [117.38, 32.94]],
      [FIXTURE.gridA1b, [117.385, 32.94]],
      [FIXTURE.gridA2a, [117.39, 32.94]],
    ] as const)
      await env.ctx.db
        .update(areas)
        .set({ boundary: square(lng, lat) })
        .where(eq(areas.code, code));
    cat.plain = await insertCategory(env.ctx);
    cat.other = await insertCategory(env.ctx);
    cat.lamp = await insertCategory(env.ctx);
    cat.noise = await insertCategory(env.ctx);
    await env.ctx.db
      .update(categories)
      .set({
        questions: [
          { key: 'floor', label: '楼层', type: 'number', required: true },
          { key: 'period', label: '时段', type: 'select', required: true, options: ['白天', '夜间'] },
          { key: 'since', label: '开始时间', type: 'datetime', required: false },
          { key: 'detail', label: '补充', type: 'text', required: false },
          { key: 'recurring', label: '是否反复', type: 'boolean', required: false },
        ],
      })
      .where(eq(categories.id, cat.noise));
    await createStaff(env.ctx, 'comm.a1', 'community_worker', { areaCode: FIXTURE.communityA1 });
    await createStaff(env.ctx, 'comm.a2', 'community_worker', { areaCode: FIXTURE.communityA2 });
    await createStaff(env.ctx, 'grid.a1a', 'grid_worker', { areaCode: FIXTURE.gridA1a });
    await createStaff(env.ctx, 'street.a', 'street_staff', { areaCode: FIXTURE.streetA });
    for (const u of ['comm.a1', 'comm.a2', 'grid.a1a', 'street.a']) s[u] = await login(env.app, u);
    for (const [who, phone] of [
      ['res.1', '13700001111'],
      ['res.2', '13700002222'],
    ] as const) {
      s[who] = await residentSession(env, phone);
    }
  });
  afterAll(async () => env?.close());

  describe('location', () => {
    it('finds the grid from a point, with or without an area code', async () => {
      const online = await created('res.1', {
        channel: 'online',
        categoryId: cat.plain,
        title: '井盖松动',
        description: '路口井盖松动',
        ...IN_A1B,
      });
      expect(online.areaCode).toBe(FIXTURE.gridA1b);
      const byPoint = await created('comm.a1', { ...windowBody({ areaCode: undefined }), ...IN_A1A });
      expect(byPoint.areaCode).toBe(FIXTURE.gridA1a);
      // A community and a point in one of its grids: the grid is the more precise location.
      const refined = await created('comm.a1', {
        ...windowBody({ areaCode: FIXTURE.communityA1 }),
        ...IN_A1B,
      });
      expect(refined.areaCode).toBe(FIXTURE.gridA1b);
      // A community whose grids have no boundary: the point cannot be checked, the area code stands.
      const unchecked = await created('res.1', {
        channel: 'online',
        categoryId: cat.plain,
        title: '路灯不亮',
        description: '路灯不亮',
        areaCode: FIXTURE.communityB1,
        ...NOWHERE,
      });
      expect(unchecked.areaCode).toBe(FIXTURE.communityB1);
    });

    it('refuses a point outside every grid, outside the area given, or half a point', async () => {
      const before = (await env.ctx.db.select().from(cases)).length;
      await expectField(
        await post('comm.a1', '/api/cases', { ...windowBody({ areaCode: undefined }), ...NOWHERE }),
        400,
        'body.lat',
        'outsideGrids',
      );
      await expectField(
        await post('comm.a1', '/api/cases', { ...windowBody({ areaCode: FIXTURE.communityA1 }), ...IN_A2A }),
        400,
        'body.lat',
        'outsideArea',
      );
      await expectField(
        await post('comm.a1', '/api/cases', { ...windowBody({ areaCode: FIXTURE.gridA1a }), ...NOWHERE }),
        400,
        'body.lat',
        'outsideArea',
      );
      await expectField(
        await post('comm.a1', '/api/cases', windowBody({ areaCode: undefined })),
        400,
        'body.areaCode',
        'required',
      );
      await expectField(
        await post('comm.a1', '/api/cases', { ...windowBody(), lat: IN_A1A.lat }),
        400,
        'body.lng',
        'required',
      );
      // A point in a grid of the neighbouring community is outside this worker's scope.
      await expectField(
        await post('comm.a1', '/api/cases', { ...windowBody({ areaCode: undefined }), ...IN_A2A }),
        403,
        'body.lat',
        'outOfScope',
      );
      expect((await env.ctx.db.select().from(cases)).length).toBe(before);
    });
  });

  describe('answers to the category’s questions', () => {
    const noise = (answers: Record<string, unknown> | undefined) =>
      windowBody({ categoryId: cat.noise, title: '夜间噪声', description: '楼上夜间噪声', answers });

    it('stores valid answers, trimmed, with China time for a time without zone', async () => {
      const c = await created(
        'comm.a1',
        noise({ floor: 5, period: ' 夜间 ', since: '2026-03-01T22:30', detail: ' 每晚 ', recurring: true }),
      );
      expect(c.answers).toEqual({
        floor: 5,
        period: '夜间',
        since: '2026-03-01T22:30+08:00',
        detail: '每晚',
        recurring: true,
      });
    });

    it('names the answer at fault', async () => {
      const cases: [Record<string, unknown> | undefined, string, string][] = [
        [undefined, 'body.answers.floor', 'required'],
        [{ period: '白天' }, 'body.answers.floor', 'required'],
        [{ floor: '五', period: '白天' }, 'body.answers.floor', 'type'],
        [{ floor: 5, period: '凌晨' }, 'body.answers.period', 'enum'],
        [{ floor: 5, period: 3 }, 'body.answers.period', 'type'],
        [{ floor: 5, period: '白天', since: '昨天' }, 'body.answers.since', 'format'],
        [{ floor: 5, period: '白天', recurring: 'yes' }, 'body.answers.recurring', 'type'],
        [{ floor: 5, period: '白天', colour: 'red' }, 'body.answers.colour', 'additionalProperties'],
      ];
      for (const [answers, field, rule] of cases)
        await expectField(await post('comm.a1', '/api/cases', noise(answers)), 400, field, rule);
      await expectField(
        await post('comm.a1', '/api/cases', windowBody({ answers: { anything: 1 } })),
        400,
        'body.answers.anything',
        'additionalProperties',
      );
    });
  });

  describe('merging duplicates', () => {
    it('merges a duplicate into an open case: both versions move, both timelines tell it, both are audited', async () => {
      const target = await created('comm.a1', windowBody({ title: '路面塌陷' }));
      const dup = await created('comm.a1', windowBody({ title: '路面塌陷了' }));
      expect(dup.actions).toContain('merge');
      const res = await act('comm.a1', dup, { action: 'merge', targetId: target.id, reason: '同一事项' });
      expect(res.statusCode, res.body).toBe(200);
      const merged = res.json() as CaseJson;
      expect(merged).toMatchObject({
        status: 'merged',
        mergedIntoId: target.id,
        version: dup.version + 1,
        actions: [],
      });
      expect(merged.closedAt).not.toBeNull();
      const dupEvents = await events('comm.a1', dup.id);
      expect(dupEvents.at(-1)).toMatchObject({
        action: 'merge',
        fromStatus: 'reported',
        toStatus: 'merged',
        data: { targetId: target.id, targetNumber: target.number },
      });
      const after = (await get('comm.a1', `/api/cases/${target.id}`)).json() as CaseJson;
      expect(after.version).toBe(target.version + 1);
      expect(after.status).toBe('reported');
      expect((await events('comm.a1', target.id)).at(-1)).toMatchObject({
        seq: target.version + 1,
        action: 'absorb',
        data: { sourceId: dup.id, sourceNumber: dup.number },
      });
      expect((await auditRows(env.ctx, 'case.merge')).some((a) => a.targetId === dup.id)).toBe(true);
      expect((await auditRows(env.ctx, 'case.absorb')).some((a) => a.targetId === target.id)).toBe(true);
      const listed = (await get('comm.a1', `/api/cases?q=${dup.number}`)).json() as { items: CaseJson[] };
      expect(listed.items[0]).toMatchObject({ id: dup.id, status: 'merged', photoCount: 0 });
      expect(listed.items[0]!.overdueEscalatedAt).toBeNull();
      // Which case it went into is the detail's to tell.
      expect((await get('comm.a1', `/api/cases/${dup.id}`)).json()).toMatchObject({
        mergedIntoId: target.id,
      });

      // merged is an end: nothing more happens to the duplicate, and nothing merges into it.
      const again = await act('comm.a1', merged, { action: 'merge', targetId: target.id });
      expect((again.json() as ErrorJson).error.code).toBe('case.illegal_transition');
      const other = await created('comm.a1', windowBody());
      const intoMerged = await act('comm.a1', other, { action: 'merge', targetId: dup.id });
      expect(intoMerged.statusCode).toBe(409);
      expect((intoMerged.json() as ErrorJson).error.code).toBe('case.merge_target_closed');
    });

    it('refuses itself, ended, unknown and unreadable targets, a missing target and non-holders, changing nothing', async () => {
      const dup = await created('comm.a1', windowBody());
      const declined = await created('comm.a1', windowBody());
      await act('comm.a1', declined, { action: 'decline', reason: '不属于受理范围' });
      const elsewhere = await created('comm.a2', windowBody({ areaCode: FIXTURE.gridA2a }));
      const target = await created('comm.a1', windowBody());
      const tries: [string, Record<string, unknown>, number, string][] = [
        ['comm.a1', { targetId: dup.id }, 409, 'case.merge_self'],
        ['comm.a1', { targetId: declined.id }, 409, 'case.merge_target_closed'],
        ['comm.a1', { targetId: crypto.randomUUID() }, 404, 'case.unknown'],
        ['comm.a1', { targetId: elsewhere.id }, 403, 'forbidden'],
        ['comm.a1', {}, 400, 'validation.failed'],
        ['grid.a1a', { targetId: target.id }, 403, 'forbidden'],
        ['res.1', { targetId: target.id }, 403, 'forbidden'],
      ];
      for (const [who, body, status, code] of tries) {
        const res = await act(who, dup, { action: 'merge', ...body });
        expect(res.statusCode, `${who} ${JSON.stringify(body)}: ${res.body}`).toBe(status);
        expect((res.json() as ErrorJson).error.code).toBe(code);
      }
      const [row] = await env.ctx.db.select().from(cases).where(eq(cases.id, dup.id));
      expect(row!.version).toBe(dup.version);
      const [t] = await env.ctx.db.select().from(cases).where(eq(cases.id, target.id));
      expect(t!.version).toBe(target.version);
      // Once dispatched a case is being handled: it is no longer merged away.
      let running = await created('comm.a1', windowBody());
      running = (await act('comm.a1', running, { action: 'accept' })).json() as CaseJson;
      running = (await act('comm.a1', running, { action: 'dispatch' })).json() as CaseJson;
      const late = await act('comm.a1', running, { action: 'merge', targetId: target.id });
      expect((late.json() as ErrorJson).error.code).toBe('case.illegal_transition');
    });

    it('lets one of two opposite merges at once win', async () => {
      const a = await created('comm.a1', windowBody());
      const b = await created('comm.a1', windowBody());
      const [x, y] = await Promise.all([
        act('comm.a1', a, { action: 'merge', targetId: b.id }),
        act('comm.a1', b, { action: 'merge', targetId: a.id }),
      ]);
      expect([x.statusCode, y.statusCode].sort()).toEqual([200, 409]);
      const rows = await env.ctx.db.select().from(cases).where(eq(cases.status, 'merged'));
      expect(rows.filter((r) => r.id === a.id || r.id === b.id)).toHaveLength(1);
    });
  });

  describe('similar open cases', () => {
    it('lists same-category cases nearby or in the community and similar texts, within scope', async () => {
      // Near the line between 淮河 2 and 燕山 1.
      const here = { lat: 32.942, lng: 117.3898 };
      const near = await created('comm.a1', {
        ...windowBody({ categoryId: cat.lamp, title: '小区门口路灯不亮', areaCode: undefined }),
        lat: here.lat,
        lng: here.lng - 0.0003,
      });
      const sameCommunity = await created(
        'comm.a1',
        windowBody({ categoryId: cat.lamp, title: '健身器材损坏' }),
      );
      const text = await created(
        'comm.a1',
        windowBody({ categoryId: cat.other, title: '门口的路灯一直不亮' }),
      );
      const unrelated = await created('comm.a1', windowBody({ categoryId: cat.other, title: '绿化带垃圾' }));
      // Just over the community line but within 300 m, same category: only the street sees it.
      const across = await created(
        'comm.a2',
        windowBody({
          categoryId: cat.lamp,
          title: '路灯闪烁',
          areaCode: undefined,
          lat: 32.942,
          lng: 117.3905,
        }),
      );
      const ended = await created('comm.a1', windowBody({ categoryId: cat.lamp, title: '小区门口路灯不亮' }));
      await act('comm.a1', ended, { action: 'decline', reason: '重复' });

      const q = `categoryId=${cat.lamp}&areaCode=${FIXTURE.communityA1}&title=${encodeURIComponent('路灯不亮')}&lat=${here.lat}&lng=${here.lng}`;
      const res = await get('comm.a1', `/api/cases/similar?${q}`);
      expect(res.statusCode, res.body).toBe(200);
      const items = (res.json() as SimilarJson).items;
      const ids = items.map((i) => i.id);
      expect(ids[0]).toBe(near.id);
      expect(items[0]!.reasons).toEqual(['nearby', 'text']);
      expect(items[0]!.distanceM).toBeGreaterThan(20);
      expect(items[0]!.distanceM).toBeLessThan(40);
      expect(ids).toContain(sameCommunity.id);
      expect(items.find((i) => i.id === sameCommunity.id)!.reasons).toEqual(['sameArea']);
      expect(items.find((i) => i.id === text.id)!.reasons).toEqual(['text']);
      expect(items.find((i) => i.id === text.id)!.score).toBeGreaterThanOrEqual(0.3);
      expect(ids).not.toContain(unrelated.id);
      expect(ids).not.toContain(ended.id);
      expect(ids).not.toContain(across.id);
      const byStreet = (await get('street.a', `/api/cases/similar?${q}`)).json() as SimilarJson;
      expect(byStreet.items.find((i) => i.id === across.id)?.reasons).toEqual(['nearby']);
      const excluded = (
        await get('comm.a1', `/api/cases/similar?${q}&exclude=${near.id}`)
      ).json() as SimilarJson;
      expect(excluded.items.map((i) => i.id)).not.toContain(near.id);
      // A resident sees only its own cases among them.
      const resident = (await get('res.2', `/api/cases/similar?${q}`)).json() as SimilarJson;
      expect(resident.items).toEqual([]);
    });

    it('answers bad queries with 400/404, and is not taken for a case id', async () => {
      const bad: [string, number, string][] = [
        ['', 400, 'querystring.categoryId'],
        [`categoryId=${cat.lamp}&areaCode=${FIXTURE.streetA}`, 400, 'querystring.areaCode'],
        [`categoryId=${cat.lamp}&areaCode=340302001009`, 404, 'querystring.areaCode'],
        [`categoryId=${cat.lamp}&areaCode=${FIXTURE.communityA1}&lat=32.9`, 400, 'querystring.lng'],
        [`categoryId=x&areaCode=${FIXTURE.communityA1}`, 400, 'querystring.categoryId'],
      ];
      for (const [qs, status, field] of bad)
        await expectField(await get('comm.a1', `/api/cases/similar?${qs}`), status, field);
    });
  });

  describe('public tracking', () => {
    it('shows the progress by number and the last four phone digits, without personal data', async () => {
      let c = await created('comm.a1', windowBody({ title: '王五家门口积水', address: '淮河路 1 号' }));
      c = (await act('comm.a1', c, { action: 'accept' })).json() as CaseJson;
      const res = await get(null, `/api/track?number=${c.number}&phone4=1234`);
      expect(res.statusCode, res.body).toBe(200);
      const view = res.json() as Record<string, unknown>;
      expect(Object.keys(view).sort()).toEqual(
        [
          'areaName',
          'categoryName',
          'closedAt',
          'createdAt',
          'dueAt',
          'number',
          'rating',
          'status',
          'steps',
        ].sort(),
      );
      expect(view).toMatchObject({ number: c.number, areaName: '淮河社区居委会', status: 'accepted' });
      expect((view.steps as { action: string }[]).map((x) => x.action)).toEqual(['report', 'accept']);
      for (const secret of ['王五', '积水', '淮河路', '张', '1380', '13800001234'])
        expect(res.body).not.toContain(secret);
    });

    it('answers every miss with the same 404', async () => {
      const c = await created('comm.a1', windowBody());
      const noPhone = await created('comm.a1', {
        ...windowBody({ channel: 'transfer', sourceRef: '12345-0001' }),
        reporterName: undefined,
        reporterPhone: undefined,
      });
      const misses = [
        `number=${c.number}&phone4=4321`,
        `number=340302-20990101-000001&phone4=1234`,
        `number=${noPhone.number}&phone4=0000`,
      ];
      const bodies = [];
      for (const q of misses) {
        const res = await get(null, `/api/track?${q}`);
        expect(res.statusCode).toBe(404);
        const err = (res.json() as { error: Record<string, unknown> }).error;
        delete err.requestId;
        bodies.push(JSON.stringify(err));
      }
      expect(new Set(bodies).size).toBe(1);
      expect(bodies[0]).toContain('track.not_found');
      await expectField(await get(null, '/api/track?number=abc&phone4=12'), 400, 'querystring.number');
    });

    it('limits guessing: ten tries a minute from one address by default', async () => {
      const limited = await startTestApp({ rateLimitPerMinute: 600 });
      try {
        const codes = [];
        for (let i = 0; i < 11; i++) {
          const res = await limited.app.inject({
            method: 'GET',
            url: `/api/track?number=340302-20990101-000001&phone4=${String(i).padStart(4, '0')}`,
          });
          codes.push(res.statusCode);
        }
        expect(codes.slice(0, 10).every((c) => c === 404)).toBe(true);
        expect(codes[10]).toBe(429);
      } finally {
        await limited.close();
      }
    });
  });
});
