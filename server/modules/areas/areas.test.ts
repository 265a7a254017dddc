import { eq } from 'drizzle-orm';
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
import { assignments } from '../accounts/tables';
import { auditLog } from '../audit/tables';
import { createGrid, deleteGrid, renameGrid } from './grids';
import { areas } from './tables';

type AreaJson = {
  code: string;
  name: string;
  level: string;
  childCount: number;
  version: number;
  path: string;
};

describe('areas, grids and departments over HTTP', () => {
  let env: TestEnv;
  const s: Record<string, Session> = {};
  let departmentId: string;

  const get = (who: string, url: string) => env.app.inject({ method: 'GET', url, headers: s[who]!.headers });
  const send = (who: string, method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
    env.app.inject({
      method,
      url,
      headers: s[who]!.headers,
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
  const codes = (res: { json(): unknown }) => (res.json() as { items: AreaJson[] }).items.map((i) => i.code);

  beforeAll(async () => {
    // demo: the administrator below is a demo account, so it needs no TOTP enrolment in this test.
    env = await startTestApp({ demo: true });
    ({ departmentId } = await seedFixtureAreas(env.ctx));
    await createStaff(env.ctx, 'city.admin', 'admin', { areaCode: FIXTURE.city }, { demo: true });
    await createStaff(env.ctx, 'city.leader', 'leader', { areaCode: FIXTURE.city });
    await createStaff(env.ctx, 'street.a', 'street_staff', { areaCode: FIXTURE.streetA });
    await createStaff(env.ctx, 'street.b', 'street_staff', { areaCode: FIXTURE.streetB });
    await createStaff(env.ctx, 'comm.a1', 'community_worker', { areaCode: FIXTURE.communityA1 });
    await createStaff(env.ctx, 'grid.a1a', 'grid_worker', { areaCode: FIXTURE.gridA1a });
    await createStaff(env.ctx, 'vol.a1', 'volunteer', { areaCode: FIXTURE.communityA1 });
    await createStaff(env.ctx, 'dept.h', 'dept_handler', { departmentId, departmentPath: '340302' });
    for (const u of [
      'city.admin',
      'city.leader',
      'street.a',
      'street.b',
      'comm.a1',
      'grid.a1a',
      'vol.a1',
      'dept.h',
    ]) {
      s[u] = await login(env.app, u);
    }
  });
  afterAll(async () => env.close());

  describe('the tree', () => {
    it("lists a street worker's communities, with child counts", async () => {
      const res = await get('street.a', `/api/areas?parent=${FIXTURE.streetA}`);
      expect(res.statusCode).toBe(200);
      const items = (res.json() as { items: AreaJson[] }).items;
      expect(items.map((i) => [i.code, i.level, i.childCount])).toEqual([
        [FIXTURE.communityA1, 'community', 2],
        [FIXTURE.communityA2, 'community', 1],
      ]);
    });

    it("refuses children of an area outside the actor's scope", async () => {
      expect((await get('street.a', `/api/areas?parent=${FIXTURE.streetB}`)).statusCode).toBe(403);
      expect((await get('street.a', `/api/areas?parent=${FIXTURE.district}`)).statusCode).toBe(403);
      // Outside the scope, whether the area exists is not told.
      expect((await get('street.a', `/api/areas?parent=340302009000`)).json().error.code).toBe('forbidden');
      // Inside it, an unknown parent is 404.
      expect((await get('street.a', `/api/areas?parent=340302001099`)).json().error.code).toBe(
        'area.unknown',
      );
    });

    it("lists the actor's roots without parent", async () => {
      expect(codes(await get('street.a', '/api/areas'))).toEqual([FIXTURE.streetA]);
      expect(codes(await get('city.leader', '/api/areas'))).toEqual([FIXTURE.city]);
      expect(codes(await get('grid.a1a', '/api/areas'))).toEqual([FIXTURE.gridA1a]);
      expect(codes(await get('dept.h', '/api/areas'))).toEqual([FIXTURE.district]);
      // A volunteer reads no areas at all.
      expect(codes(await get('vol.a1', '/api/areas'))).toEqual([]);
      const city = (await get('city.leader', '/api/areas')).json().items[0] as AreaJson;
      expect(city).toMatchObject({ name: '蚌埠市', level: 'city', path: '3403', childCount: 2 });
    });

    it('shows one area with breadcrumbs above the scope', async () => {
      const res = await get('comm.a1', `/api/areas/${FIXTURE.gridA1a}`);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({ code: FIXTURE.gridA1a, level: 'grid', parentCode: FIXTURE.communityA1 });
      expect(body.ancestors.map((a: { name: string }) => a.name)).toEqual([
        '安徽省',
        '蚌埠市',
        '龙子湖区',
        '东风街道',
        '淮河社区居委会',
      ]);
    });

    it('lets a grid worker read its grid only: its community and sibling grids are 403 and never listed', async () => {
      expect((await get('grid.a1a', `/api/areas/${FIXTURE.gridA1a}`)).statusCode).toBe(200);
      expect((await get('grid.a1a', `/api/areas/${FIXTURE.gridA1b}`)).statusCode).toBe(403);
      expect((await get('grid.a1a', `/api/areas/${FIXTURE.communityA1}`)).statusCode).toBe(403);
      expect((await get('grid.a1a', `/api/areas?parent=${FIXTURE.communityA1}`)).statusCode).toBe(403);
      expect(codes(await get('grid.a1a', `/api/areas?parent=${FIXTURE.gridA1a}`))).toEqual([]);
      expect(codes(await get('grid.a1a', '/api/areas/search?q=淮河'))).toEqual([FIXTURE.gridA1a]);
      expect(codes(await get('grid.a1a', '/api/areas/search?q=340302001'))).toEqual([FIXTURE.gridA1a]);
    });

    it('answers 404 for an unknown code and 403 before revealing more', async () => {
      const res = await get('city.leader', '/api/areas/340302001099');
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('area.unknown');
      expect((await get('street.b', `/api/areas/${FIXTURE.communityA1}`)).statusCode).toBe(403);
    });

    it('denials are audited', async () => {
      await get('street.b', `/api/areas/${FIXTURE.communityA2}`);
      const rows = await env.ctx.db.select().from(auditLog).where(eq(auditLog.action, 'access.denied'));
      expect(rows.some((r) => r.actorName === 'street.b')).toBe(true);
    });
  });

  describe('search', () => {
    it('is scoped: street A cannot find street B communities', async () => {
      expect(codes(await get('street.a', '/api/areas/search?q=延安'))).toEqual([]);
      expect(codes(await get('street.b', '/api/areas/search?q=延安'))).toEqual([
        FIXTURE.streetB,
        FIXTURE.communityB1,
      ]);
      expect(codes(await get('street.a', '/api/areas/search?q=340302002'))).toEqual([]);
    });

    it('matches names and code prefixes, shallow levels first, with a limit', async () => {
      expect(codes(await get('city.leader', '/api/areas/search?q=社区'))).toEqual([
        FIXTURE.communityA1,
        FIXTURE.communityA2,
        FIXTURE.communityB1,
        FIXTURE.gridA1a,
        FIXTURE.gridA1b,
        FIXTURE.gridA2a,
      ]);
      expect(codes(await get('city.leader', '/api/areas/search?q=3403020&limit=2'))).toEqual([
        FIXTURE.district,
        FIXTURE.streetA,
      ]);
      // Case-insensitive, and LIKE wildcards are plain text.
      expect(codes(await get('city.leader', '/api/areas/search?q=%25'))).toEqual([]);
      expect(codes(await get('city.leader', '/api/areas/search?q=_'))).toEqual([]);
    });

    it('rejects missing, blank and huge queries and bad limits with field details', async () => {
      const cases: [string, string][] = [
        ['/api/areas/search', 'querystring.q'],
        ['/api/areas/search?q=', 'querystring.q'],
        ['/api/areas/search?q=%20%20', 'querystring.q'],
        [`/api/areas/search?q=${'x'.repeat(5000)}`, 'querystring.q'],
        ['/api/areas/search?q=a&limit=0', 'querystring.limit'],
        ['/api/areas/search?q=a&limit=abc', 'querystring.limit'],
        ['/api/areas/search?q=a&limit=1000000', 'querystring.limit'],
        ['/api/areas/search?q=%00', 'querystring.q'],
        ['/api/areas/search?q=a&q=b', 'querystring.q'],
      ];
      for (const [url, field] of cases) {
        const res = await get('city.leader', url);
        expect(res.statusCode, url).toBe(400);
        expect(res.json().error.details[0].field, url).toBe(field);
      }
    });
  });

  describe('bad codes', () => {
    it('answers 400 naming params.code or querystring.parent, never 500', async () => {
      const bad = [
        'abc',
        '34030200100',
        '3403020010011',
        '990000000000',
        '340000001000',
        '340302001000001',
        "1' or '1'='1",
      ];
      for (const code of bad) {
        const res = await get('city.leader', `/api/areas/${encodeURIComponent(code)}`);
        expect(res.statusCode, code).toBe(400);
        expect(res.json().error.details[0].field, code).toBe('params.code');
        const children = await get('city.leader', `/api/areas?parent=${encodeURIComponent(code)}`);
        expect(children.statusCode, code).toBe(400);
        expect(children.json().error.details[0].field, code).toBe('querystring.parent');
      }
    });

    it('needs a session', async () => {
      const res = await env.app.inject({ method: 'GET', url: '/api/areas' });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('auth.required');
    });
  });

  describe('grids', () => {
    it('creates a grid with the next free number and audits it', async () => {
      const res = await send('comm.a1', 'POST', `/api/areas/${FIXTURE.communityA1}/grids`, {
        name: '  淮河社区第3网格 ',
      });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({
        code: `${FIXTURE.communityA1}003`,
        name: '淮河社区第3网格',
        level: 'grid',
        parentCode: FIXTURE.communityA1,
        childCount: 0,
        version: 1,
      });
      const [entry] = await env.ctx.db.select().from(auditLog).where(eq(auditLog.action, 'area.grid.create'));
      expect(entry).toMatchObject({
        actorName: 'comm.a1',
        targetId: `${FIXTURE.communityA1}003`,
        outcome: 'success',
      });
    });

    it('numbers concurrent creations without collisions', async () => {
      const results = await Promise.all(
        [1, 2, 3, 4].map((i) =>
          send('street.a', 'POST', `/api/areas/${FIXTURE.communityA2}/grids`, { name: `并发网格${i}` }),
        ),
      );
      expect(results.map((r) => r.statusCode)).toEqual([201, 201, 201, 201]);
      const made = results.map((r) => r.json().code as string).sort();
      expect(new Set(made).size).toBe(4);
      for (const code of made) await deleteGrid(env.ctx, null, code);
    });

    it('takes a given suffix with a closed boundary, and refuses a duplicate with 409', async () => {
      const boundary = {
        type: 'Polygon',
        coordinates: [
          [
            [117.38, 32.94],
            [117.39, 32.94],
            [117.39, 32.95],
            [117.38, 32.94],
          ],
        ],
      };
      const res = await send('street.a', 'POST', `/api/areas/${FIXTURE.communityA2}/grids`, {
        name: '燕山社区第9网格',
        suffix: '009',
        // Foreign members are not stored.
        boundary: { ...boundary, bbox: [117.38, 32.94, 117.39, 32.95], junk: 'x'.repeat(1000) },
      });
      expect(res.statusCode).toBe(201);
      expect(res.json().boundary).toEqual(boundary);
      const again = await send('street.a', 'POST', `/api/areas/${FIXTURE.communityA2}/grids`, {
        name: 'x',
        suffix: '009',
      });
      expect(again.statusCode).toBe(409);
      expect(again.json().error.code).toBe('area.grid_exists');
    });

    it('validates the body, naming the fields', async () => {
      const url = `/api/areas/${FIXTURE.communityA1}/grids`;
      const open = {
        type: 'Polygon',
        coordinates: [
          [
            [117.38, 32.94],
            [117.39, 32.94],
            [117.39, 32.95],
            [117.38, 32.95],
          ],
        ],
      };
      const cases: [unknown, string, string][] = [
        [{}, 'body.name', 'required'],
        [{ name: '' }, 'body.name', 'minLength'],
        [{ name: '   ' }, 'body.name', 'minLength'],
        [{ name: 'x'.repeat(61) }, 'body.name', 'maxLength'],
        [{ name: 42 }, 'body.name', 'type'],
        [{ name: 'a', suffix: '12' }, 'body.suffix', 'pattern'],
        [{ name: 'a', suffix: '000' }, 'body.suffix', 'pattern'],
        [{ name: 'a', extra: 1 }, 'body.extra', 'additionalProperties'],
        [{ name: 'a', boundary: open }, 'body.boundary', 'ring'],
        [{ name: 'a', boundary: { type: 'Point', coordinates: [1, 2] } }, 'body.boundary.type', 'const'],
        [
          { name: 'a', boundary: { type: 'Polygon', coordinates: [[[500, 1]]] } },
          'body.boundary.coordinates.0',
          '',
        ],
        [{ name: 'a', boundary: 'square' }, 'body.boundary', 'type'],
      ];
      for (const [payload, field, rule] of cases) {
        const res = await send('comm.a1', 'POST', url, payload);
        expect(res.statusCode, JSON.stringify(payload)).toBe(400);
        const detail = res.json().error.details[0];
        expect(detail.field, JSON.stringify(payload)).toBe(field);
        if (rule) expect(detail.rule, JSON.stringify(payload)).toBe(rule);
      }
      for (const body of ['null', '[]', '"x"', '{"name":"a\\u0000b"}']) {
        const res = await env.app.inject({
          method: 'POST',
          url,
          headers: { ...s['comm.a1']!.headers, 'content-type': 'application/json' },
          payload: body,
        });
        expect(res.statusCode, body).toBe(400);
        expect(res.json().error.code, body).toBe('validation.failed');
      }
      const notJson = await env.app.inject({
        method: 'POST',
        url,
        headers: { ...s['comm.a1']!.headers, 'content-type': 'application/json' },
        payload: '{"name":',
      });
      expect(notJson.statusCode).toBe(400);
    });

    it('creates grids only under communities, within the actor’s community', async () => {
      const street = await send('street.a', 'POST', `/api/areas/${FIXTURE.streetA}/grids`, { name: 'x' });
      expect(street.statusCode).toBe(400);
      expect(street.json().error.code).toBe('area.not_community');
      const grid = await send('street.a', 'POST', `/api/areas/${FIXTURE.gridA1a}/grids`, { name: 'x' });
      expect(grid.json().error.code).toBe('area.not_community');
      // A community worker manages its own community's grids only.
      expect(
        (await send('comm.a1', 'POST', `/api/areas/${FIXTURE.communityA2}/grids`, { name: 'x' })).statusCode,
      ).toBe(403);
      expect(
        (await send('street.b', 'POST', `/api/areas/${FIXTURE.communityA1}/grids`, { name: 'x' })).statusCode,
      ).toBe(403);
      expect(
        (await send('grid.a1a', 'POST', `/api/areas/${FIXTURE.communityA1}/grids`, { name: 'x' })).statusCode,
      ).toBe(403);
      expect((await send('comm.a1', 'POST', `/api/areas/340302001099/grids`, { name: 'x' })).statusCode).toBe(
        404,
      );
    });

    it('renames with optimistic concurrency', async () => {
      const url = `/api/grids/${FIXTURE.gridA1b}`;
      const before = (await get('comm.a1', `/api/areas/${FIXTURE.gridA1b}`)).json() as AreaJson;
      const res = await send('comm.a1', 'PATCH', url, { name: '淮河社区二网格', version: before.version });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ name: '淮河社区二网格', version: before.version + 1 });
      const stale = await send('comm.a1', 'PATCH', url, { name: '又一个名字', version: before.version });
      expect(stale.statusCode).toBe(409);
      expect(stale.json().error.code).toBe('conflict');
      const [row] = await env.ctx.db.select().from(areas).where(eq(areas.code, FIXTURE.gridA1b));
      expect(row!.name).toBe('淮河社区二网格');
      const [entry] = await env.ctx.db.select().from(auditLog).where(eq(auditLog.action, 'area.grid.update'));
      expect(entry!.details).toMatchObject({ name: { from: '淮河社区第2网格', to: '淮河社区二网格' } });
    });

    it('validates updates and refuses what is not a grid', async () => {
      const url = `/api/grids/${FIXTURE.gridA1b}`;
      expect((await send('comm.a1', 'PATCH', url, { name: '' })).json().error.details[0].field).toBe(
        'body.name',
      );
      expect((await send('comm.a1', 'PATCH', url, { version: 'x' })).json().error.details[0].field).toBe(
        'body.version',
      );
      const notGrid = await send('comm.a1', 'PATCH', `/api/grids/${FIXTURE.communityA1}`, { name: 'x' });
      expect(notGrid.statusCode).toBe(400);
      expect(notGrid.json().error.code).toBe('area.not_grid');
      const unknown = await send('comm.a1', 'PATCH', `/api/grids/${FIXTURE.communityA1}077`, { name: 'x' });
      expect(unknown.statusCode).toBe(404);
      const bad = await send('comm.a1', 'PATCH', `/api/grids/abc`, { name: 'x' });
      expect(bad.json().error.details[0].field).toBe('params.code');
      expect(
        (await send('comm.a1', 'PATCH', `/api/grids/${FIXTURE.gridA2a}`, { name: 'x' })).statusCode,
      ).toBe(403);
      expect(
        (await send('grid.a1a', 'PATCH', `/api/grids/${FIXTURE.gridA1a}`, { name: 'x' })).statusCode,
      ).toBe(403);
    });

    it('refuses to delete a grid with an active assignment, deletes an unused one', async () => {
      const inUse = await send('comm.a1', 'DELETE', `/api/grids/${FIXTURE.gridA1a}`);
      expect(inUse.statusCode).toBe(409);
      expect(inUse.json().error.code).toBe('area.grid_in_use');
      const created = await send('comm.a1', 'POST', `/api/areas/${FIXTURE.communityA1}/grids`, {
        name: '临时网格',
      });
      const code = created.json().code as string;
      const res = await send('comm.a1', 'DELETE', `/api/grids/${code}`);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ ok: true });
      expect((await get('comm.a1', `/api/areas/${code}`)).statusCode).toBe(404);
      expect((await send('comm.a1', 'DELETE', `/api/grids/${code}`)).statusCode).toBe(404);
      expect((await send('comm.a1', 'DELETE', `/api/grids/${FIXTURE.communityA1}`)).json().error.code).toBe(
        'area.not_grid',
      );
      expect((await send('street.b', 'DELETE', `/api/grids/${FIXTURE.gridA1b}`)).statusCode).toBe(403);
    });

    it('refuses to delete a grid that history refers to (a revoked assignment)', async () => {
      const created = await send('comm.a1', 'POST', `/api/areas/${FIXTURE.communityA1}/grids`, {
        name: '历史网格',
      });
      const code = created.json().code as string;
      const accountId = await createStaff(env.ctx, 'grid.old', 'grid_worker', { areaCode: code });
      await env.ctx.db
        .update(assignments)
        .set({ revokedAt: new Date() })
        .where(eq(assignments.accountId, accountId));
      const res = await send('comm.a1', 'DELETE', `/api/grids/${code}`);
      expect(res.statusCode).toBe(409);
      expect(res.json().error.code).toBe('area.grid_referenced');
      expect((await get('comm.a1', `/api/areas/${code}`)).statusCode).toBe(200);
    });

    it('works from the CLI (actor null) with the audit name system', async () => {
      const grid = await createGrid(env.ctx, null, FIXTURE.communityB1, { name: '延安社区第1网格' });
      expect(grid.code).toBe(`${FIXTURE.communityB1}001`);
      const renamed = await renameGrid(env.ctx, null, grid.code, '延安一网格');
      expect(renamed).toMatchObject({ name: '延安一网格', version: 2 });
      await expect(createGrid(env.ctx, null, FIXTURE.streetB, { name: 'x' })).rejects.toMatchObject({
        code: 'area.not_community',
      });
      await expect(createGrid(env.ctx, null, '12', { name: 'x' })).rejects.toMatchObject({
        code: 'validation.failed',
      });
      await expect(renameGrid(env.ctx, null, grid.code, ' ')).rejects.toMatchObject({
        code: 'validation.failed',
      });
      const rows = await env.ctx.db.select().from(auditLog).where(eq(auditLog.targetId, grid.code));
      expect(rows.map((r) => [r.action, r.actorName, r.actorId])).toEqual([
        ['area.grid.create', 'system', null],
        ['area.grid.update', 'system', null],
      ]);
      await deleteGrid(env.ctx, null, grid.code);
    });

    it('says area.grids_full when no number is left', async () => {
      const community = FIXTURE.communityB1;
      const rows = Array.from({ length: 999 }, (_, i) => {
        const code = `${community}${String(i + 1).padStart(3, '0')}`;
        return { code, path: code, name: `g${i + 1}`, level: 'grid', parentCode: community, source: 'local' };
      });
      await env.ctx.db.insert(areas).values(rows).onConflictDoNothing();
      const res = await send('street.b', 'POST', `/api/areas/${community}/grids`, { name: '满了' });
      expect(res.statusCode).toBe(409);
      expect(res.json().error.code).toBe('area.grids_full');
      // A gap left by a deletion is used once the numbers run out.
      await deleteGrid(env.ctx, null, `${community}500`);
      const again = await send('street.b', 'POST', `/api/areas/${community}/grids`, { name: '补位' });
      expect(again.json().code).toBe(`${community}500`);
    });
  });

  describe('departments', () => {
    it('lists departments within scope with district names', async () => {
      const leader = (await get('city.leader', '/api/departments')).json().items;
      expect(leader.map((d: { name: string }) => d.name)).toEqual(['龙子湖区民政局', '蚌山区民政局']);
      expect(leader[0]).toMatchObject({
        districtCode: FIXTURE.district,
        districtName: '龙子湖区',
        path: '340302',
      });
      expect((await get('street.a', '/api/departments')).json().items).toEqual([]);
      const filtered = (await get('city.leader', `/api/departments?district=${FIXTURE.otherDistrict}`)).json()
        .items;
      expect(filtered.map((d: { name: string }) => d.name)).toEqual(['蚌山区民政局']);
      expect((await get('city.leader', '/api/departments?district=12')).statusCode).toBe(400);
    });

    it('creates a department under a district, refusing duplicates and non-districts', async () => {
      const res = await send('city.admin', 'POST', '/api/departments', {
        name: '龙子湖区城市管理局',
        districtCode: FIXTURE.district,
      });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({
        name: '龙子湖区城市管理局',
        districtName: '龙子湖区',
        path: '340302',
      });
      const dup = await send('city.admin', 'POST', '/api/departments', {
        name: '龙子湖区城市管理局',
        districtCode: FIXTURE.district,
      });
      expect(dup.statusCode).toBe(409);
      expect(dup.json().error.code).toBe('department.exists');
      const street = await send('city.admin', 'POST', '/api/departments', {
        name: 'x',
        districtCode: FIXTURE.streetA,
      });
      expect(street.statusCode).toBe(400);
      expect(street.json().error.code).toBe('area.not_district');
      const unknown = await send('city.admin', 'POST', '/api/departments', {
        name: 'x',
        districtCode: '340399000000',
      });
      expect(unknown.statusCode).toBe(404);
      const badCode = await send('city.admin', 'POST', '/api/departments', {
        name: 'x',
        districtCode: '3403',
      });
      expect(badCode.json().error.details[0].field).toBe('body.districtCode');
      const noName = await send('city.admin', 'POST', '/api/departments', { districtCode: FIXTURE.district });
      expect(noName.json().error.details[0].field).toBe('body.name');
      const leader = await send('city.leader', 'POST', '/api/departments', {
        name: 'y',
        districtCode: FIXTURE.district,
      });
      expect(leader.statusCode).toBe(403);
      const [entry] = await env.ctx.db
        .select()
        .from(auditLog)
        .where(eq(auditLog.action, 'department.create'));
      expect(entry).toMatchObject({ actorName: 'city.admin', areaPath: '340302' });
    });
  });

  it('documents every area route in the OpenAPI document with error bodies', async () => {
    const doc = (await env.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    for (const [p, method] of [
      ['/api/areas', 'get'],
      ['/api/areas/search', 'get'],
      ['/api/areas/{code}', 'get'],
      ['/api/areas/{code}/grids', 'post'],
      ['/api/grids/{code}', 'patch'],
      ['/api/grids/{code}', 'delete'],
      ['/api/departments', 'get'],
      ['/api/departments', 'post'],
    ] as const) {
      const op = doc.paths[p][method];
      expect(op.tags, `${method} ${p}`).toEqual(['areas']);
      expect(Object.keys(op.responses), `${method} ${p}`).toEqual(
        expect.arrayContaining(['400', '401', '403']),
      );
    }
  });
});
