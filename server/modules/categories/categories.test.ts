import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FIXTURE,
  createStaff,
  login,
  seedFixtureAreas,
  startTestApp,
  type Session,
  type TestEnv,
} from '../../test/harness';
import { auditLog } from '../audit/tables';
import { DEFAULT_CATEGORIES } from './data/default-categories';
import { ensureDefaultCategories, getCategory } from './service';
import { categories } from './tables';

type CategoryJson = {
  id: string;
  code: string;
  parentId: string | null;
  name: string;
  matterClass: string;
  handlingLevel: string;
  urgent: boolean;
  deadlineHours: number | null;
  deadlineWorkingDays: number | null;
  questions: { key: string; type: string }[];
  active: boolean;
  version: number;
};

function countDefaults(nodes = DEFAULT_CATEGORIES): number {
  return nodes.reduce((n, c) => n + 1 + countDefaults(c.children ?? []), 0);
}

describe('the category tree over HTTP', () => {
  let env: TestEnv;
  const s: Record<string, Session> = {};

  const get = (who: string, url: string) => env.app.inject({ method: 'GET', url, headers: s[who]!.headers });
  const send = (who: string, method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
    env.app.inject({
      method,
      url,
      headers: s[who]!.headers,
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
  const list = async (who: string, query = '') =>
    ((await get(who, `/api/categories${query}`)).json() as { items: CategoryJson[] }).items;
  const byCode = async (code: string) =>
    (await list('city.admin', '?active=false')).find((c) => c.code === code)!;
  const fields = (res: { json(): unknown }) =>
    ((res.json() as { error: { details?: { field: string; rule: string }[] } }).error.details ?? []).map(
      (d) => `${d.field}:${d.rule}`,
    );

  beforeAll(async () => {
    // demo: the administrator below is a demo account, so it needs no TOTP enrolment in this test.
    env = await startTestApp({ demo: true });
    await seedFixtureAreas(env.ctx);
    await createStaff(env.ctx, 'city.admin', 'admin', { areaCode: FIXTURE.city }, { demo: true });
    await createStaff(env.ctx, 'street.a', 'street_staff', { areaCode: FIXTURE.streetA });
    await createStaff(env.ctx, 'resident.a1', 'resident', { areaCode: FIXTURE.communityA1 });
    await createStaff(env.ctx, 'grid.a1a', 'grid_worker', { areaCode: FIXTURE.gridA1a });
    for (const u of ['city.admin', 'street.a', 'resident.a1', 'grid.a1a']) s[u] = await login(env.app, u);
  });
  afterAll(async () => env.close());

  describe('the default tree', () => {
    it('loads once, idempotently, and never overwrites an administrator’s edits', async () => {
      const first = await ensureDefaultCategories(env.ctx);
      expect(first.inserted).toBe(countDefaults());
      expect(first.inserted).toBeGreaterThanOrEqual(40);
      expect((await ensureDefaultCategories(env.ctx)).inserted).toBe(0);

      const manhole = await byCode('facility.manhole');
      const renamed = await send('city.admin', 'PATCH', `/api/categories/${manhole.id}`, {
        name: '窨井盖',
        version: manhole.version,
      });
      expect(renamed.statusCode).toBe(200);
      expect((await ensureDefaultCategories(env.ctx)).inserted).toBe(0);
      expect((await byCode('facility.manhole')).name).toBe('窨井盖');
      const rows = await env.ctx.db.select({ id: categories.id }).from(categories);
      expect(rows.length).toBe(countDefaults());
      const audits = await env.ctx.db.select().from(auditLog).where(eq(auditLog.action, 'category.defaults'));
      expect(audits.length).toBe(1);
    });

    it('has the four kinds of the seeds and urgent facilities with hour deadlines', async () => {
      const items = await list('resident.a1');
      const top = items.filter((c) => c.parentId === null).map((c) => c.code);
      expect(top).toEqual(
        expect.arrayContaining(['admin', 'service', 'legal', 'petition', 'env', 'facility']),
      );
      const facility = items.find((c) => c.code === 'facility')!;
      const elevator = items.find((c) => c.code === 'facility.elevator')!;
      expect(elevator).toMatchObject({
        parentId: facility.id,
        urgent: true,
        deadlineHours: 2,
        matterClass: 'community',
      });
      expect(elevator.questions.map((q) => q.key)).toEqual(['building', 'unit', 'peopleTrapped']);
      expect(items.find((c) => c.code === 'facility.manhole')).toMatchObject({
        urgent: true,
        deadlineHours: 4,
      });
      expect(items.find((c) => c.code === 'private')).toMatchObject({ matterClass: 'private' });
      // Parents come before their children.
      const index = new Map(items.map((c, i) => [c.id, i]));
      for (const c of items) if (c.parentId) expect(index.get(c.parentId)!).toBeLessThan(index.get(c.id)!);
      // Urgent categories always carry hours, the others never do.
      for (const c of items) expect(c.urgent).toBe(c.deadlineHours !== null);
    });

    it('is readable by every signed-in user and by nobody else', async () => {
      expect((await get('grid.a1a', '/api/categories')).statusCode).toBe(200);
      expect((await env.app.inject({ method: 'GET', url: '/api/categories' })).statusCode).toBe(401);
    });

    it('getCategory answers 404 category.unknown for unknown or malformed ids', async () => {
      await expect(getCategory(env.ctx.db, '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({
        code: 'category.unknown',
      });
      await expect(getCategory(env.ctx.db, 'not-a-uuid')).rejects.toMatchObject({ code: 'category.unknown' });
      const env2 = await byCode('env');
      expect((await getCategory(env.ctx.db, env2.id)).code).toBe('env');
    });
  });

  describe('creating and changing categories', () => {
    it('creates a child category and audits it', async () => {
      const env1 = await byCode('env');
      const res = await send('city.admin', 'POST', '/api/categories', {
        code: 'env.graffiti',
        parentId: env1.id,
        name: ' 乱涂乱画 ',
        nameEn: 'Graffiti',
        matterClass: 'community',
        handlingLevel: 'community',
        questions: [
          { key: 'place', label: '位置', type: 'text', required: true },
          { key: 'size', label: '面积', type: 'select', required: false, options: ['小', '大'] },
        ],
      });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({
        code: 'env.graffiti',
        name: '乱涂乱画',
        parentId: env1.id,
        urgent: false,
        deadlineHours: null,
        version: 1,
        active: true,
      });
      const [entry] = await env.ctx.db.select().from(auditLog).where(eq(auditLog.action, 'category.create'));
      expect(entry).toMatchObject({ actorName: 'city.admin', targetId: res.json().id });

      const again = await send('city.admin', 'POST', '/api/categories', {
        code: 'env.graffiti',
        name: '重复',
        matterClass: 'community',
        handlingLevel: 'community',
      });
      expect(again.statusCode).toBe(409);
      expect(again.json().error.code).toBe('category.code_taken');
    });

    it('refuses bad input with 400 naming the fields', async () => {
      const base = { code: 'x.y', name: '某类', matterClass: 'public', handlingLevel: 'street' };
      const cases: [Record<string, unknown>, string][] = [
        [{ parentId: '00000000-0000-4000-8000-000000000000' }, 'body.parentId:exists'],
        [{ matterClass: 'huge' }, 'body.matterClass'],
        [{ handlingLevel: 'city' }, 'body.handlingLevel'],
        [{ urgent: true }, 'body.deadlineHours:required'],
        [{ deadlineHours: 4 }, 'body.deadlineHours:urgentOnly'],
        [{ urgent: true, deadlineHours: 4, deadlineWorkingDays: 2 }, 'body.deadlineWorkingDays:notForUrgent'],
        [{ urgent: true, deadlineHours: 0 }, 'body.deadlineHours'],
        [{ code: 'Bad Code' }, 'body.code:pattern'],
        [{ name: '   ' }, 'body.name:minLength'],
        [
          { questions: [{ key: 'a', label: '甲', type: 'select', required: true }] },
          'body.questions.0.options:required',
        ],
        [
          {
            questions: [
              { key: 'a', label: '甲', type: 'text', required: true },
              { key: 'a', label: '乙', type: 'text', required: true },
            ],
          },
          'body.questions.1.key:unique',
        ],
        [{ colour: 'red' }, 'body.colour:additionalProperties'],
      ];
      for (const [patch, field] of cases) {
        const res = await send('city.admin', 'POST', '/api/categories', { ...base, ...patch });
        expect(res.statusCode, JSON.stringify(patch)).toBe(400);
        expect(
          fields(res).some((f) => f.startsWith(field)),
          `${JSON.stringify(patch)} → ${fields(res)}`,
        ).toBe(true);
      }
      expect((await byCode('x.y')) ?? null).toBeNull();
    });

    it('renames with a version and refuses a stale one with 409', async () => {
      const cat = await byCode('noise.business');
      const ok = await send('city.admin', 'PATCH', `/api/categories/${cat.id}`, {
        name: '经营性噪声',
        version: cat.version,
      });
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toMatchObject({ name: '经营性噪声', version: cat.version + 1 });
      const stale = await send('city.admin', 'PATCH', `/api/categories/${cat.id}`, {
        name: '又改名',
        version: cat.version,
      });
      expect(stale.statusCode).toBe(409);
      expect(stale.json().error.code).toBe('conflict');
      expect((await byCode('noise.business')).name).toBe('经营性噪声');
    });

    it('switches urgency consistently', async () => {
      const cat = await byCode('facility.streetlight');
      const bad = await send('city.admin', 'PATCH', `/api/categories/${cat.id}`, { urgent: true });
      expect(bad.statusCode).toBe(400);
      expect(fields(bad)).toEqual(['body.deadlineHours:required']);
      const urgent = await send('city.admin', 'PATCH', `/api/categories/${cat.id}`, {
        urgent: true,
        deadlineHours: 12,
      });
      expect(urgent.json()).toMatchObject({ urgent: true, deadlineHours: 12 });
      const back = await send('city.admin', 'PATCH', `/api/categories/${cat.id}`, {
        urgent: false,
        deadlineWorkingDays: 3,
      });
      expect(back.json()).toMatchObject({ urgent: false, deadlineHours: null, deadlineWorkingDays: 3 });
    });

    it('refuses a cycle and an unknown category', async () => {
      const parent = await byCode('dispute');
      const child = await byCode('dispute.neighbour');
      const res = await send('city.admin', 'PATCH', `/api/categories/${parent.id}`, { parentId: child.id });
      expect(res.statusCode).toBe(400);
      expect(fields(res)).toEqual(['body.parentId:cycle']);
      const self = await send('city.admin', 'PATCH', `/api/categories/${parent.id}`, { parentId: parent.id });
      expect(fields(self)).toEqual(['body.parentId:cycle']);
      const unknown = await send(
        'city.admin',
        'PATCH',
        '/api/categories/00000000-0000-4000-8000-000000000000',
        {
          name: '无',
        },
      );
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json().error.code).toBe('category.unknown');
    });

    it('deactivates instead of deleting: hidden with its children from the default list', async () => {
      const parent = await byCode('property');
      const res = await send('city.admin', 'PATCH', `/api/categories/${parent.id}`, { active: false });
      expect(res.statusCode).toBe(200);
      expect(res.json().active).toBe(false);
      const active = (await list('resident.a1')).map((c) => c.code);
      expect(active).not.toContain('property');
      expect(active).not.toContain('property.parking');
      const all = (await list('city.admin', '?active=false')).map((c) => c.code);
      expect(all).toEqual(expect.arrayContaining(['property', 'property.parking']));
      const [entry] = await env.ctx.db
        .select()
        .from(auditLog)
        .where(eq(auditLog.action, 'category.deactivate'));
      expect(entry?.targetId).toBe(parent.id);
      // Reactivating brings the subtree back.
      await send('city.admin', 'PATCH', `/api/categories/${parent.id}`, { active: true });
      expect((await list('resident.a1')).map((c) => c.code)).toContain('property.parking');
      // There is no DELETE.
      expect((await send('city.admin', 'DELETE', `/api/categories/${parent.id}`)).statusCode).toBe(404);
    });

    it('refuses non-administrators with 403', async () => {
      const cat = await byCode('env.garbage');
      const body = { code: 'z.z', name: '某', matterClass: 'public', handlingLevel: 'street' };
      for (const who of ['street.a', 'resident.a1', 'grid.a1a']) {
        expect((await send(who, 'POST', '/api/categories', body)).statusCode).toBe(403);
        expect((await send(who, 'PATCH', `/api/categories/${cat.id}`, { name: '改' })).statusCode).toBe(403);
      }
      expect((await byCode('env.garbage')).name).toBe('垃圾堆放');
    });

    it('never answers 500 to bad input', async () => {
      const cat = await byCode('env.garbage');
      const bodies: unknown[] = [
        null,
        [],
        'text',
        42,
        { code: 'a\u0000b', name: 'x', matterClass: 'public', handlingLevel: 'street' },
        { code: 'a.b', name: '\ud800', matterClass: 'public', handlingLevel: 'street' },
        { code: 'a.b', name: 'x'.repeat(10_000), matterClass: 'public', handlingLevel: 'street' },
        { code: 'a.b', name: 'x', matterClass: 'public', handlingLevel: 'street', sort: 1e20 },
        { code: 'a.b', name: 'x', matterClass: 'public', handlingLevel: 'street', parentId: 'nope' },
        { code: 'a.b', name: 'x', matterClass: 'public', handlingLevel: 'street', questions: [{}] },
        { code: 'a.b', name: 'x', matterClass: 'public', handlingLevel: 'street', questions: 'q' },
      ];
      for (const b of bodies) {
        const post = await env.app.inject({
          method: 'POST',
          url: '/api/categories',
          headers: { ...s['city.admin']!.headers, 'content-type': 'application/json' },
          payload: JSON.stringify(b),
        });
        expect(post.statusCode, JSON.stringify(b)).toBeLessThan(500);
        expect(post.statusCode, JSON.stringify(b)).toBeGreaterThanOrEqual(400);
        const patch = await env.app.inject({
          method: 'PATCH',
          url: `/api/categories/${cat.id}`,
          headers: { ...s['city.admin']!.headers, 'content-type': 'application/json' },
          payload: JSON.stringify(b),
        });
        expect(patch.statusCode, JSON.stringify(b)).toBeLessThan(500);
      }
      for (const url of [
        '/api/categories/not-a-uuid',
        '/api/categories/%00',
        `/api/categories/${'9'.repeat(300)}`,
      ]) {
        const res = await send('city.admin', 'PATCH', url, { name: 'x' });
        expect(res.statusCode, url).toBeLessThan(500);
      }
      for (const q of ['?active=maybe', '?active=', '?active[]=1']) {
        expect((await get('city.admin', `/api/categories${q}`)).statusCode, q).toBeLessThan(500);
      }
      const codes = (
        await env.ctx.db
          .select({ code: categories.code })
          .from(categories)
          .where(inArray(categories.code, ['a.b']))
      ).length;
      expect(codes).toBe(0);
    });
  });
});
