import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAreaCode } from '../../../common/area-code';
import {
  FIXTURE,
  createStaff,
  login,
  seedFixtureAreas,
  startTestApp,
  type Session,
  type TestEnv,
} from '../../test/harness';
import { areas } from '../areas/tables';
import { auditLog } from '../audit/tables';
import { resolveRouting } from './routing';
import { ensureDefaultCategories } from './service';
import { categories, routingRules } from './tables';

type Resolution = {
  level: string;
  departmentId: string | null;
  departmentName: string | null;
  holderPath: string;
  holderCode: string;
  holderName: string | null;
  source: string;
  ruleId: string | null;
};

describe('routing rules and resolution', () => {
  let env: TestEnv;
  let departmentId: string;
  let otherDepartmentId: string;
  const s: Record<string, Session> = {};
  const ids = new Map<string, string>();

  const get = (who: string, url: string) => env.app.inject({ method: 'GET', url, headers: s[who]!.headers });
  const send = (who: string, method: 'POST' | 'DELETE', url: string, payload?: unknown) =>
    env.app.inject({
      method,
      url,
      headers: s[who]!.headers,
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
  const cat = (code: string) => ids.get(code)!;
  const resolve = async (code: string, areaCode: string, who = 'city.admin') => {
    const res = await get(who, `/api/routing-rules/resolve?categoryId=${cat(code)}&areaCode=${areaCode}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as Resolution;
  };
  const addRule = async (body: Record<string, unknown>, who = 'city.admin') => {
    const res = await send(who, 'POST', '/api/routing-rules', body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string };
  };
  const fields = (res: { json(): unknown }) =>
    ((res.json() as { error: { details?: { field: string; rule: string }[] } }).error.details ?? []).map(
      (d) => `${d.field}:${d.rule}`,
    );

  beforeAll(async () => {
    env = await startTestApp({ demo: true });
    ({ departmentId, otherDepartmentId } = await seedFixtureAreas(env.ctx));
    await ensureDefaultCategories(env.ctx);
    for (const r of await env.ctx.db.select({ id: categories.id, code: categories.code }).from(categories))
      ids.set(r.code, r.id);
    for (const [username, code] of [
      ['city.admin', FIXTURE.city],
      ['street.admin', FIXTURE.streetA],
    ] as const) {
      await createStaff(env.ctx, username, 'admin', { areaCode: code }, { demo: true });
    }
    await createStaff(env.ctx, 'street.a', 'street_staff', { areaCode: FIXTURE.streetA });
    await createStaff(env.ctx, 'comm.a1', 'community_worker', { areaCode: FIXTURE.communityA1 });
    for (const u of ['city.admin', 'street.admin', 'street.a', 'comm.a1']) s[u] = await login(env.app, u);
  });
  afterAll(async () => env.close());

  describe('without rules', () => {
    it("uses the category's handling level on the case's own chain (a grid-located case)", async () => {
      expect(await resolve('env.garbage', FIXTURE.gridA1a)).toMatchObject({
        level: 'community',
        holderPath: '340302001001',
        holderCode: FIXTURE.communityA1,
        holderName: '淮河社区居委会',
        departmentId: null,
        source: 'category',
        ruleId: null,
      });
      expect(await resolve('env.street_vending', FIXTURE.gridA1a)).toMatchObject({
        level: 'street',
        holderPath: '340302001',
        holderName: '东风街道',
      });
      expect(await resolve('facility.road', FIXTURE.communityA2)).toMatchObject({
        level: 'district',
        holderPath: '340302',
        source: 'category',
      });
    });

    it('falls back to the case’s community when its chain lacks the level (属地兜底)', async () => {
      // 东莞 (4419) has no counties: its townships hang under the city, so there is no district to hold the case.
      const r = await resolveRouting(env.ctx.db, cat('facility.road'), '441900003001001');
      expect(r).toMatchObject({ level: 'community', holderPath: '441900003001', source: 'fallback' });
      const street = await resolveRouting(env.ctx.db, cat('env.street_vending'), '441900003001');
      expect(street).toMatchObject({ level: 'street', holderPath: '441900003', source: 'category' });
    });

    it('refuses an unknown category with 404 and a bad path with 400', async () => {
      await expect(
        resolveRouting(env.ctx.db, '00000000-0000-4000-8000-000000000000', '340302001001'),
      ).rejects.toMatchObject({ code: 'category.unknown' });
      await expect(resolveRouting(env.ctx.db, cat('env'), '34030')).rejects.toMatchObject({
        code: 'validation.failed',
      });
      const res = await get(
        'city.admin',
        `/api/routing-rules/resolve?categoryId=00000000-0000-4000-8000-000000000000&areaCode=${FIXTURE.gridA1a}`,
      );
      expect(res.json().error.code).toBe('category.unknown');
    });
  });

  describe('with rules', () => {
    it('a rule for the category and area decides; elsewhere the category does', async () => {
      const rule = await addRule({ categoryId: cat('env.dogs'), areaCode: FIXTURE.streetA, level: 'street' });
      expect(await resolve('env.dogs', FIXTURE.gridA1a)).toMatchObject({
        level: 'street',
        holderPath: '340302001',
        source: 'rule',
        ruleId: rule.id,
      });
      expect(await resolve('env.dogs', FIXTURE.communityB1)).toMatchObject({
        level: 'community',
        holderPath: '340302002001',
        source: 'category',
      });
    });

    it('an any-category rule applies to every category, below a category-specific one', async () => {
      const any = await addRule({ areaCode: FIXTURE.communityA1, level: 'district' });
      expect(await resolve('env.greenery', FIXTURE.gridA1a)).toMatchObject({
        level: 'district',
        holderPath: '340302',
        ruleId: any.id,
      });
      // Category-specific beats any-category even when the any-category rule sits deeper.
      const specific = await addRule({
        categoryId: cat('env.garbage'),
        areaCode: FIXTURE.district,
        level: 'street',
      });
      expect(await resolve('env.garbage', FIXTURE.gridA1a)).toMatchObject({
        level: 'street',
        ruleId: specific.id,
      });
      // A rule of the parent category applies to its children, after their own rules.
      const parent = await addRule({
        categoryId: cat('noise'),
        areaCode: FIXTURE.streetA,
        level: 'community',
      });
      expect(await resolve('noise.construction', FIXTURE.gridA1a)).toMatchObject({
        level: 'community',
        holderPath: '340302001001',
        ruleId: parent.id,
      });
    });

    it('the deepest rule area wins, then the higher priority', async () => {
      await addRule({
        categoryId: cat('facility.streetlight'),
        areaCode: FIXTURE.district,
        level: 'district',
      });
      const deep = await addRule({
        categoryId: cat('facility.streetlight'),
        areaCode: FIXTURE.streetA,
        level: 'community',
      });
      expect(await resolve('facility.streetlight', FIXTURE.gridA1a)).toMatchObject({
        level: 'community',
        ruleId: deep.id,
      });
      expect(await resolve('facility.streetlight', FIXTURE.communityB1)).toMatchObject({
        level: 'district',
        holderPath: '340302',
      });
      const high = await addRule({
        categoryId: cat('facility.streetlight'),
        areaCode: FIXTURE.streetA,
        level: 'street',
        priority: 5,
      });
      expect(await resolve('facility.streetlight', FIXTURE.gridA1a)).toMatchObject({
        level: 'street',
        ruleId: high.id,
      });
    });

    it('a department rule sends the case to the department at its district', async () => {
      const rule = await addRule({
        categoryId: cat('facility.manhole'),
        areaCode: FIXTURE.district,
        departmentId,
      });
      expect(await resolve('facility.manhole', FIXTURE.gridA1a)).toMatchObject({
        level: 'district',
        departmentId,
        departmentName: '龙子湖区民政局',
        holderPath: '340302',
        source: 'rule',
        ruleId: rule.id,
      });
      const direct = await resolveRouting(env.ctx.db, cat('facility.manhole'), '340302002001');
      expect(direct).toEqual({
        level: 'district',
        departmentId,
        holderPath: '340302',
        source: 'rule',
        ruleId: rule.id,
      });
    });

    it('a level rule the chain cannot hold falls back to the community', async () => {
      const code = '441900003001';
      const p = parseAreaCode(code);
      if (!p.ok) throw new Error('fixture');
      await env.ctx.db.insert(areas).values([
        {
          code: '440000000000',
          name: '广东省',
          level: 'province',
          path: '44',
          parentCode: null,
          source: 'local',
        },
        {
          code: '441900000000',
          name: '东莞市',
          level: 'city',
          path: '4419',
          parentCode: '440000000000',
          source: 'local',
        },
        {
          code: '441900003000',
          name: '东城街道',
          level: 'street',
          path: '441900003',
          parentCode: '441900000000',
          source: 'local',
        },
        {
          code,
          name: '东城社区',
          level: 'community',
          path: p.path,
          parentCode: p.parentCode,
          source: 'local',
        },
      ]);
      // Outside the city administrator's scope: written directly.
      const [rule] = await env.ctx.db
        .insert(routingRules)
        .values({ categoryId: cat('env.illegal_building'), areaPath: '4419', level: 'district' })
        .returning({ id: routingRules.id });
      expect(await resolveRouting(env.ctx.db, cat('env.illegal_building'), `${code}001`)).toEqual({
        level: 'community',
        departmentId: null,
        holderPath: '441900003001',
        source: 'fallback',
        ruleId: rule!.id,
      });
    });
  });

  describe('managing rules', () => {
    it('refuses bad rules with 400 naming the field', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ areaCode: FIXTURE.streetA, level: 'street', departmentId }, 'body.level:exclusive'],
        [{ areaCode: FIXTURE.streetA }, 'body.level:oneOfRequired'],
        [{ areaCode: FIXTURE.streetA, level: 'city' }, 'body.level'],
        [{ areaCode: '123', level: 'street' }, 'body.areaCode'],
        [{ areaCode: '340302001000000', level: 'street' }, 'body.areaCode'],
        [
          { areaCode: FIXTURE.streetA, level: 'street', categoryId: '00000000-0000-4000-8000-000000000000' },
          'body.categoryId:exists',
        ],
        [
          { areaCode: FIXTURE.streetA, departmentId: '00000000-0000-4000-8000-000000000000' },
          'body.departmentId:exists',
        ],
        // A department of the neighbouring district cannot take cases of 东风街道.
        [{ areaCode: FIXTURE.streetA, departmentId: otherDepartmentId }, 'body.departmentId:departmentArea'],
        [{ areaCode: FIXTURE.streetA, level: 'street', priority: 1e6 }, 'body.priority'],
        [{ areaCode: FIXTURE.streetA, level: 'street', extra: 1 }, 'body.extra'],
      ];
      for (const [body, field] of cases) {
        const res = await send('city.admin', 'POST', '/api/routing-rules', body);
        expect(res.statusCode, JSON.stringify(body)).toBe(400);
        expect(
          fields(res).some((f) => f.startsWith(field)),
          `${JSON.stringify(body)} → ${fields(res)}`,
        ).toBe(true);
      }
      const unknownArea = await send('city.admin', 'POST', '/api/routing-rules', {
        areaCode: '340302009000',
        level: 'street',
      });
      expect(unknownArea.statusCode).toBe(404);
      const dup1 = await addRule({ categoryId: cat('welfare'), areaCode: FIXTURE.streetB, level: 'street' });
      expect(dup1.id).toBeTruthy();
      const dup2 = await send('city.admin', 'POST', '/api/routing-rules', {
        categoryId: cat('welfare'),
        areaCode: FIXTURE.streetB,
        level: 'community',
      });
      expect(dup2.statusCode).toBe(409);
      expect(dup2.json().error.code).toBe('routing_rule.duplicate');
    });

    it("keeps an administrator's rules within its own subtree", async () => {
      const own = await addRule(
        { areaCode: FIXTURE.communityA2, level: 'street', priority: 3 },
        'street.admin',
      );
      for (const areaCode of [FIXTURE.streetB, FIXTURE.district]) {
        const res = await send('street.admin', 'POST', '/api/routing-rules', { areaCode, level: 'street' });
        expect(res.statusCode).toBe(403);
      }
      const listed = (await get('street.admin', '/api/routing-rules')).json().items as { areaPath: string }[];
      expect(listed.length).toBeGreaterThan(0);
      for (const r of listed) expect(r.areaPath.startsWith('340302001')).toBe(true);
      const all = (await get('city.admin', '/api/routing-rules')).json().items as { id: string }[];
      expect(all.length).toBeGreaterThan(listed.length);
      const filtered = (await get('city.admin', `/api/routing-rules?areaCode=${FIXTURE.communityA2}`)).json()
        .items as { id: string; areaCode: string; areaName: string }[];
      expect(filtered).toEqual([
        expect.objectContaining({ id: own.id, areaCode: FIXTURE.communityA2, areaName: '燕山社区居委会' }),
      ]);

      // The rule of the city administrator at the district is out of the street administrator's reach.
      const [districtRule] = await env.ctx.db
        .select({ id: routingRules.id })
        .from(routingRules)
        .where(eq(routingRules.areaPath, '340302'));
      expect(
        (await send('street.admin', 'DELETE', `/api/routing-rules/${districtRule!.id}`)).statusCode,
      ).toBe(403);
      expect((await send('street.admin', 'DELETE', `/api/routing-rules/${own.id}`)).statusCode).toBe(200);
      const gone = await send('street.admin', 'DELETE', `/api/routing-rules/${own.id}`);
      expect(gone.statusCode).toBe(404);
      expect(gone.json().error.code).toBe('routing_rule.unknown');
      const audits = await env.ctx.db.select().from(auditLog).where(eq(auditLog.targetId, own.id));
      expect(audits.map((a) => a.action).sort()).toEqual(['routing_rule.create', 'routing_rule.delete']);
    });

    it('refuses staff without routing rights with 403', async () => {
      for (const who of ['street.a', 'comm.a1']) {
        expect((await get(who, '/api/routing-rules')).statusCode).toBe(403);
        expect(
          (await send(who, 'POST', '/api/routing-rules', { areaCode: FIXTURE.communityA1, level: 'street' }))
            .statusCode,
        ).toBe(403);
        expect(
          (
            await get(
              who,
              `/api/routing-rules/resolve?categoryId=${cat('env')}&areaCode=${FIXTURE.communityA1}`,
            )
          ).statusCode,
        ).toBe(403);
      }
      // An administrator previews only inside its subtree.
      expect(
        (
          await get(
            'street.admin',
            `/api/routing-rules/resolve?categoryId=${cat('env')}&areaCode=${FIXTURE.communityB1}`,
          )
        ).statusCode,
      ).toBe(403);
    });

    it('never answers 500 to bad input', async () => {
      const bodies: unknown[] = [
        null,
        [],
        { areaCode: 340302001000, level: 'street' },
        { areaCode: FIXTURE.streetA, level: 'street', categoryId: 'nope' },
        { areaCode: FIXTURE.streetA, departmentId: 'x\u0000' },
        { areaCode: FIXTURE.streetA, level: ['street'] },
      ];
      for (const b of bodies) {
        const res = await env.app.inject({
          method: 'POST',
          url: '/api/routing-rules',
          headers: { ...s['city.admin']!.headers, 'content-type': 'application/json' },
          payload: JSON.stringify(b),
        });
        expect(res.statusCode, JSON.stringify(b)).toBeGreaterThanOrEqual(400);
        expect(res.statusCode, JSON.stringify(b)).toBeLessThan(500);
      }
      for (const url of [
        '/api/routing-rules/resolve',
        '/api/routing-rules/resolve?categoryId=x&areaCode=y',
        `/api/routing-rules/resolve?categoryId=${cat('env')}&areaCode=000000000000`,
        `/api/routing-rules/resolve?categoryId=${cat('env')}&areaCode=340302009000`,
        '/api/routing-rules?areaCode=999999999999',
        '/api/routing-rules?categoryId=1',
      ]) {
        const res = await get('city.admin', url);
        expect(res.statusCode, url).toBeGreaterThanOrEqual(400);
        expect(res.statusCode, url).toBeLessThan(500);
      }
      expect((await send('city.admin', 'DELETE', '/api/routing-rules/not-a-uuid')).statusCode).toBe(400);
    });
  });
});
