import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FIXTURE,
  countRows,
  createStaff,
  login,
  seedFixtureAreas,
  startTestApp,
  type Session,
  type TestEnv,
} from '../../test/harness';
import { areas } from '../areas/tables';
import { auditLog } from '../audit/tables';
import { squareAround } from './test-fixtures';

type ErrorJson = {
  error: { code: string; message: string; details?: { field: string; rule: string; message: string }[] };
};
interface BuildingJson {
  id: string;
  name: string;
  version: number;
  dwellingCount: number;
  estateName: string | null;
  lat: number | null;
  floors: number;
  retiredAt: string | null;
}
interface UnitJson {
  id: string;
  number: string;
  dwellingCount: number;
  version: number;
  byUse: Record<string, number>;
}
interface DwellingJson {
  id: string;
  floor: number;
  number: string;
  use: string;
  label: string;
  version: number;
}

describe('the housing register over HTTP', () => {
  let env: TestEnv;
  const s: Record<string, Session> = {};
  type Method = 'GET' | 'POST' | 'PATCH' | 'PUT';
  const call = (who: string, method: Method, url: string, payload?: unknown) =>
    env.app.inject({
      method,
      url,
      headers: s[who]!.headers,
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
  const problems = (res: { json(): unknown }) =>
    ((res.json() as ErrorJson).error.details ?? []).map((d) => `${d.field}:${d.rule}`);

  beforeAll(async () => {
    env = await startTestApp();
    await seedFixtureAreas(env.ctx);
    await createStaff(env.ctx, 'street', 'street_staff', { areaCode: FIXTURE.streetA });
    await createStaff(env.ctx, 'comm', 'community_worker', { areaCode: FIXTURE.communityA1 });
    await createStaff(env.ctx, 'grid', 'grid_worker', { areaCode: FIXTURE.gridA1a });
    await createStaff(env.ctx, 'leader', 'leader', { areaCode: FIXTURE.city });
    await createStaff(env.ctx, 'admin', 'admin', { areaCode: FIXTURE.city });
    await createStaff(env.ctx, 'vol', 'volunteer', { areaCode: FIXTURE.communityA1 });
    for (const u of ['street', 'comm', 'grid', 'leader', 'vol']) s[u] = await login(env.app, u);
  });
  afterAll(async () => env?.close());

  async function estate(name: string, areaCode: string = FIXTURE.communityA1) {
    const who = areaCode === FIXTURE.communityA1 ? 'comm' : 'street';
    const res = await call(who, 'POST', '/api/estates', {
      areaCode,
      name,
      propertyCompany: '幸福物业',
      propertyPhone: '0552-1234567',
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; version: number };
  }

  async function bulk(who: string, body: Record<string, unknown>) {
    return call(who, 'POST', '/api/buildings/bulk', {
      areaCode: FIXTURE.gridA1a,
      floors: 3,
      units: 2,
      dwellingsPerFloor: 2,
      ...body,
    });
  }

  describe('estates', () => {
    it('a community worker registers an estate; the grid worker of a grid there sees it but may not change it', async () => {
      const e = await estate('幸福里');
      const list = await call('grid', 'GET', '/api/estates?q=幸福里');
      expect(list.statusCode).toBe(200);
      expect((list.json() as { items: { id: string }[] }).items.map((i) => i.id)).toContain(e.id);
      const patch = await call('grid', 'PATCH', `/api/estates/${e.id}`, { address: '某路1号', version: 1 });
      expect(patch.statusCode).toBe(403);
      const create = await call('grid', 'POST', '/api/estates', {
        areaCode: FIXTURE.communityA1,
        name: '网格员小区',
      });
      expect(create.statusCode).toBe(403);
    });

    it('an estate belongs to a community: a grid code is refused, naming the field and the level', async () => {
      const res = await call('comm', 'POST', '/api/estates', { areaCode: FIXTURE.gridA1a, name: '错层级' });
      expect(res.statusCode).toBe(400);
      expect(problems(res)).toEqual(['body.areaCode:areaLevel']);
    });

    it('two estates of one name in one community are a 409 naming the name', async () => {
      await estate('重名小区');
      const res = await call('comm', 'POST', '/api/estates', {
        areaCode: FIXTURE.communityA1,
        name: '重名小区',
      });
      expect(res.statusCode).toBe(409);
      expect(problems(res)).toEqual(['body.name:unique']);
    });

    it('an estate with buildings in use is not retired; an empty one is, and leaves the list', async () => {
      const e = await estate('待注销小区');
      const b = await bulk('grid', {
        name: '1号楼',
        estateId: e.id,
        units: 1,
        floors: 1,
        dwellingsPerFloor: 1,
      });
      expect(b.statusCode, b.body).toBe(201);
      const refused = await call('comm', 'POST', `/api/estates/${e.id}/retire`, { version: 1 });
      expect(refused.statusCode).toBe(409);
      expect((refused.json() as ErrorJson).error.code).toBe('housing.in_use');
      const building = (b.json() as { building: BuildingJson }).building;
      expect(
        (await call('grid', 'POST', `/api/buildings/${building.id}/retire`, { version: building.version }))
          .statusCode,
      ).toBe(200);
      const retired = await call('comm', 'POST', `/api/estates/${e.id}/retire`, { version: 1 });
      expect(retired.statusCode, retired.body).toBe(200);
      const list = await call('comm', 'GET', '/api/estates?q=待注销小区');
      expect((list.json() as { total: number }).total).toBe(0);
      const all = await call('comm', 'GET', '/api/estates?q=待注销小区&includeRetired=true');
      expect((all.json() as { total: number }).total).toBe(1);
    });
  });

  describe('buildings, units and dwellings', () => {
    it('a grid worker enters a whole building in one call and drills down to its dwellings', async () => {
      const e = await estate('阳光小区');
      const res = await bulk('grid', {
        name: '3号楼',
        estateId: e.id,
        dwellingUse: 'vacant',
        dwellingArea: 89.5,
      });
      expect(res.statusCode, res.body).toBe(201);
      const made = res.json() as { building: BuildingJson; units: number; dwellings: number };
      expect(made).toMatchObject({ units: 2, dwellings: 12 });
      expect(made.building).toMatchObject({ name: '3号楼', estateName: '阳光小区', dwellingCount: 12 });

      const detail = await call('grid', 'GET', `/api/buildings/${made.building.id}`);
      expect(detail.statusCode).toBe(200);
      const d = detail.json() as { units: UnitJson[]; byUse: Record<string, number> };
      expect(d.units.map((u) => [u.number, u.dwellingCount])).toEqual([
        ['1', 6],
        ['2', 6],
      ]);
      expect(d.byUse).toEqual({ self_occupied: 0, rented: 0, vacant: 12, commercial: 0 });

      const unit = await call('grid', 'GET', `/api/units/${d.units[0]!.id}`);
      const u = unit.json() as { dwellings: DwellingJson[] };
      expect(u.dwellings.map((x) => x.number)).toEqual(['101', '102', '201', '202', '301', '302']);
      expect(u.dwellings[0]!.label).toBe('阳光小区 3号楼 1单元 101');

      const [audit] = await env.ctx.db
        .select()
        .from(auditLog)
        .where(
          and(eq(auditLog.action, 'housing.building.bulk_create'), eq(auditLog.targetId, made.building.id)),
        );
      expect(audit?.details).toMatchObject({ units: 2, dwellings: 12, floors: 3 });
    });

    it('a dwelling changes use with the version it was read at; a stale version is a 409 naming the current one', async () => {
      const made = (
        await bulk('grid', { name: '5号楼', units: 1, floors: 1, dwellingsPerFloor: 1 })
      ).json() as {
        building: BuildingJson;
      };
      const [dw] = (
        (await call('grid', 'GET', `/api/dwellings?buildingId=${made.building.id}`)).json() as {
          items: DwellingJson[];
        }
      ).items;
      const first = await call('grid', 'PATCH', `/api/dwellings/${dw!.id}`, {
        use: 'rented',
        version: dw!.version,
      });
      expect(first.statusCode, first.body).toBe(200);
      expect(first.json()).toMatchObject({ use: 'rented', version: dw!.version + 1 });
      const stale = await call('comm', 'PATCH', `/api/dwellings/${dw!.id}`, {
        use: 'vacant',
        version: dw!.version,
      });
      expect(stale.statusCode).toBe(409);
      expect((stale.json() as ErrorJson).error.code).toBe('housing.stale');
      expect((stale.json() as ErrorJson).error.details?.[0]).toMatchObject({
        field: 'body.version',
        rule: 'stale',
      });
      expect((stale.json() as ErrorJson).error.details?.[0]?.message).toContain(String(dw!.version + 1));
      const staleBuilding = await call('grid', 'PATCH', `/api/buildings/${made.building.id}`, {
        floors: 9,
        version: made.building.version + 5,
      });
      expect(staleBuilding.statusCode).toBe(409);
    });

    it('refuses a negative or zero floor count, naming the field and the rule', async () => {
      const res = await call('grid', 'POST', '/api/buildings', {
        areaCode: FIXTURE.gridA1a,
        name: '负楼',
        floors: -3,
      });
      expect(res.statusCode).toBe(400);
      expect(problems(res)).toEqual(['body.floors:minimum']);
      const bulkRes = await bulk('grid', { name: '零楼', floors: 0 });
      expect(bulkRes.statusCode).toBe(400);
      expect(problems(bulkRes)).toEqual(['body.floors:minimum']);
    });

    it('refuses a duplicate dwelling (floor + number in one unit) and a floor above the building', async () => {
      const made = (
        await bulk('grid', { name: '7号楼', units: 1, floors: 2, dwellingsPerFloor: 1 })
      ).json() as {
        building: BuildingJson;
      };
      const detail = (await call('grid', 'GET', `/api/buildings/${made.building.id}`)).json() as {
        units: UnitJson[];
      };
      const unitId = detail.units[0]!.id;
      const dup = await call('grid', 'POST', '/api/dwellings', {
        unitId,
        floor: 1,
        number: '101',
        use: 'rented',
      });
      expect(dup.statusCode).toBe(409);
      expect((dup.json() as ErrorJson).error.code).toBe('housing.duplicate');
      expect(problems(dup)).toEqual(['body.number:unique']);
      const high = await call('grid', 'POST', '/api/dwellings', {
        unitId,
        floor: 3,
        number: '301',
        use: 'rented',
      });
      expect(high.statusCode).toBe(400);
      expect(problems(high)).toEqual(['body.floor:maximum']);
      const ok = await call('grid', 'POST', '/api/dwellings', {
        unitId,
        floor: 2,
        number: '202',
        use: 'commercial',
      });
      expect(ok.statusCode, ok.body).toBe(201);
    });

    it('answers an unknown unit with 404 naming body.unitId', async () => {
      const res = await call('grid', 'POST', '/api/dwellings', {
        unitId: '00000000-0000-4000-8000-000000000000',
        floor: 1,
        number: '101',
        use: 'vacant',
      });
      expect(res.statusCode).toBe(404);
      expect((res.json() as ErrorJson).error.code).toBe('unit.unknown');
      expect(problems(res)).toEqual(['body.unitId:exists']);
    });

    it('a grid worker is refused the neighbouring grid: no building there, none seen there', async () => {
      const res = await call('grid', 'POST', '/api/buildings', {
        areaCode: FIXTURE.gridA1b,
        name: '邻格楼',
        floors: 5,
      });
      expect(res.statusCode).toBe(403);
      const theirs = await bulk('comm', { areaCode: FIXTURE.gridA1b, name: '邻格1号楼' });
      expect(theirs.statusCode).toBe(201);
      const id = (theirs.json() as { building: BuildingJson }).building.id;
      expect((await call('grid', 'GET', `/api/buildings/${id}`)).statusCode).toBe(404);
      const list = (await call('grid', 'GET', '/api/buildings?q=邻格1号楼')).json() as { total: number };
      expect(list.total).toBe(0);
      expect((await call('grid', 'GET', `/api/grids/${FIXTURE.gridA1b}/housing`)).statusCode).toBe(403);
      // The street worker above both sees it.
      expect((await call('street', 'GET', `/api/buildings/${id}`)).statusCode).toBe(200);
    });

    it('roles without the housing register are turned away', async () => {
      expect((await call('vol', 'GET', '/api/buildings')).statusCode).toBe(403);
      expect((await call('leader', 'GET', '/api/buildings')).statusCode).toBe(200);
      const leaderWrite = await bulk('leader', { name: '领导楼' });
      expect(leaderWrite.statusCode).toBe(403);
    });

    it('retiring a building retires its units and dwellings; nothing is deleted and the number is free again', async () => {
      const before = await countRows(env.ctx, 'dwellings');
      const made = (
        await bulk('grid', { name: '9号楼', units: 1, floors: 2, dwellingsPerFloor: 2 })
      ).json() as {
        building: BuildingJson;
      };
      const r = await call('grid', 'POST', `/api/buildings/${made.building.id}/retire`, { version: 1 });
      expect(r.statusCode, r.body).toBe(200);
      expect((r.json() as BuildingJson).retiredAt).not.toBeNull();
      expect(await countRows(env.ctx, 'dwellings')).toBe(before + 4);
      const hidden = (await call('grid', 'GET', `/api/dwellings?buildingId=${made.building.id}`)).json() as {
        total: number;
      };
      expect(hidden.total).toBe(0);
      const shown = (
        await call('grid', 'GET', `/api/dwellings?buildingId=${made.building.id}&includeRetired=true`)
      ).json() as { total: number };
      expect(shown.total).toBe(4);
      const again = await bulk('grid', { name: '9号楼', units: 1, floors: 1, dwellingsPerFloor: 1 });
      expect(again.statusCode, again.body).toBe(201);
      const twice = await call('grid', 'POST', `/api/buildings/${made.building.id}/retire`, { version: 2 });
      expect(twice.statusCode).toBe(409);
    });
  });

  describe('the map and GeoJSON', () => {
    const grid = '340302001002009';
    const centre = { lng: 117.31, lat: 33.0 };

    beforeAll(async () => {
      await env.ctx.db.insert(areas).values({
        code: grid,
        path: grid,
        name: '燕山社区第9网格',
        level: 'grid',
        parentCode: FIXTURE.communityA2,
        source: 'local',
      });
    });

    it('imports a grid boundary given as a Feature, as the Polygon the grid keeps; a stale version is a 409', async () => {
      const res = await call('comm', 'PUT', `/api/grids/${FIXTURE.gridA1b}/boundary`, {
        geojson: { type: 'Feature', properties: {}, geometry: squareAround(117.2, 33.1) },
      });
      expect(res.statusCode, res.body).toBe(200);
      const area = res.json() as { boundary: { type: string }; version: number };
      expect(area.boundary.type).toBe('Polygon');
      const stale = await call('comm', 'PUT', `/api/grids/${FIXTURE.gridA1b}/boundary`, {
        geojson: squareAround(117.2, 33.1, 0.002),
        version: area.version - 1,
      });
      expect(stale.statusCode).toBe(409);
      // A grid worker does not draw boundaries (manage Grid).
      const gw = await call('grid', 'PUT', `/api/grids/${FIXTURE.gridA1a}/boundary`, {
        geojson: squareAround(1, 1),
      });
      expect(gw.statusCode).toBe(403);
    });

    it('names what is wrong with a malformed boundary', async () => {
      const put = (geojson: unknown) => call('street', 'PUT', `/api/grids/${grid}/boundary`, { geojson });
      const open = squareAround(117.3, 33.0);
      open.coordinates[0]!.pop();
      expect(problems(await put(open))).toEqual(['body.geojson.coordinates.0:ring']);
      const bowtie = {
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [2, 2],
            [2, 0],
            [0, 1],
            [0, 0],
          ],
        ],
      };
      const crossing = await put(bowtie);
      expect(crossing.statusCode).toBe(400);
      expect(problems(crossing)).toEqual(['body.geojson.coordinates.0:selfIntersection']);
      expect((crossing.json() as ErrorJson).error.details?.[0]?.message).toContain('0.666667, 0.666667');
      const far = squareAround(179.9995, 33.0);
      expect(problems(await put(far))).toEqual(['body.geojson.coordinates.0.1.0:maximum']);
      const two = {
        type: 'MultiPolygon',
        coordinates: [squareAround(1, 1).coordinates, squareAround(2, 2).coordinates],
      };
      expect(problems(await put(two))).toEqual(['body.geojson.coordinates:singlePolygon']);
      expect(problems(await put({ type: 'Point', coordinates: [1, 1] }))).toEqual([
        'body.geojson.type:geojsonType',
      ]);
      expect(problems(await put('not json geometry'))).toEqual(['body.geojson:geojsonType']);
      const one = {
        type: 'MultiPolygon',
        coordinates: [squareAround(centre.lng, centre.lat, 0.003).coordinates],
      };
      const ok = await put(one);
      expect(ok.statusCode, ok.body).toBe(200);
    });

    it('answers a 2 MB GeoJSON file with 413 naming the body and the byte limit', async () => {
      const ring = Array.from({ length: 80_000 }, (_, i) => [117 + i * 1e-7, 33.123456789]);
      const body = JSON.stringify({ geojson: { type: 'Polygon', coordinates: [ring] } });
      expect(body.length).toBeGreaterThan(2_000_000);
      const res = await env.app.inject({
        method: 'PUT',
        url: `/api/grids/${grid}/boundary`,
        headers: { ...s.street!.headers, 'content-type': 'application/json' },
        payload: body,
      });
      expect(res.statusCode).toBe(413);
      const err = (res.json() as ErrorJson).error;
      expect(err.code).toBe('request.too_large');
      expect(err.details?.[0]).toMatchObject({ field: 'body', rule: 'maxBytes' });
    });

    it('imports building points into a grid, exports them, and a second import changes nothing', async () => {
      await estate('燕山花园', FIXTURE.communityA2);
      const fc = {
        type: 'FeatureCollection',
        features: [
          {
            type: 'Feature',
            geometry: { type: 'Point', coordinates: [centre.lng, centre.lat] },
            properties: { number: 1, estate: '燕山花园', floors: 6, units: 2 },
          },
          {
            type: 'Feature',
            geometry: { type: 'Point', coordinates: [centre.lng + 0.001, centre.lat] },
            properties: { name: '燕山商厦', floors: 3, use: 'commercial' },
          },
        ],
      };
      const first = await call('street', 'POST', `/api/grids/${grid}/buildings/geojson`, fc);
      expect(first.statusCode, first.body).toBe(200);
      expect(first.json()).toEqual({ created: 2, updated: 0, unchanged: 0 });

      const exported = await call('street', 'GET', `/api/grids/${grid}/buildings.geojson`);
      expect(exported.statusCode).toBe(200);
      expect(exported.headers['content-type']).toContain('application/geo+json');
      const out = exported.json() as { features: { properties: { name: string; estate: string | null } }[] };
      expect(out.features.map((f) => [f.properties.name, f.properties.estate]).sort()).toEqual([
        ['1号楼', '燕山花园'],
        ['燕山商厦', null],
      ]);
      const again = await call('street', 'POST', `/api/grids/${grid}/buildings/geojson`, exported.json());
      expect(again.json()).toEqual({ created: 0, updated: 0, unchanged: 2 });

      const map = (await call('street', 'GET', `/api/grids/${grid}/housing`)).json() as {
        grid: { boundary: unknown };
        buildings: BuildingJson[];
      };
      expect(map.grid.boundary).not.toBeNull();
      expect(map.buildings).toHaveLength(2);
    });

    it('names every bad feature of a points import and writes none of them', async () => {
      const before = await countRows(env.ctx, 'buildings');
      const fc = {
        type: 'FeatureCollection',
        features: [
          {
            type: 'Feature',
            geometry: { type: 'Point', coordinates: [centre.lng, centre.lat + 0.001] },
            properties: { name: '好楼', floors: 5 },
          },
          {
            type: 'Feature',
            geometry: { type: 'Point', coordinates: [centre.lng, centre.lat] },
            properties: { name: '无名小区楼', estate: '不存在的小区', floors: 5 },
          },
          {
            type: 'Feature',
            geometry: { type: 'Point', coordinates: [120, 30] },
            properties: { name: '远楼', floors: 5 },
          },
          {
            type: 'Feature',
            geometry: { type: 'Point', coordinates: [centre.lng, centre.lat] },
            properties: {},
          },
        ],
      };
      const res = await call('street', 'POST', `/api/grids/${grid}/buildings/geojson`, fc);
      expect(res.statusCode).toBe(400);
      expect(problems(res)).toEqual([
        'body.features.1.properties.estate:exists',
        'body.features.2.geometry.coordinates:outsideArea',
        'body.features.3.properties.name:required',
      ]);
      expect(await countRows(env.ctx, 'buildings')).toBe(before);
      const malformed = await call('street', 'POST', `/api/grids/${grid}/buildings/geojson`, {
        type: 'FeatureCollection',
        features: [
          { type: 'Feature', geometry: { type: 'LineString', coordinates: [[1, 1]] }, properties: {} },
        ],
      });
      expect(malformed.statusCode).toBe(400);
      expect(problems(malformed)[0]).toMatch(/^body\.features\.0\.geometry/);
    });

    it('a building point outside its grid boundary is refused', async () => {
      const res = await call('street', 'POST', '/api/buildings', {
        areaCode: grid,
        name: '界外楼',
        floors: 4,
        lat: 31,
        lng: 117,
      });
      expect(res.statusCode).toBe(400);
      expect(problems(res)).toEqual(['body.lat:outsideArea']);
      const half = await call('street', 'POST', '/api/buildings', {
        areaCode: grid,
        name: '半点楼',
        floors: 4,
        lat: 33,
      });
      expect(problems(half)).toEqual(['body.lng:required']);
    });
  });
});
