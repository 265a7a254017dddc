/**
 * The housing register's rows of the authorization table (server/policy/authorization.test.ts). Buildings, units
 * and dwellings lie in grids: the relation is the grid's (matrix gridAt). Estates lie in communities: the relation
 * is the community of that grid; a grid worker's own community (the parent of its grid) is readable to it (it picks
 * estates for its buildings), so its relations are own = its community and sibling = the neighbouring community,
 * and writing estates is for street staff and community workers only (tested in housing.test.ts too).
 */
import { eq } from 'drizzle-orm';
import type { Role } from '../../../common/roles';
import { FIXTURE } from '../../test/harness';
import {
  GRID_MANAGERS,
  gridAt,
  type Actor,
  type Call,
  type Matrix,
  type Relation,
  type RouteCase,
} from '../../test/matrix';
import { get, gridOf, on } from '../../test/route-cases';
import { areas } from '../areas/tables';
import { estates } from './tables';
import { placeEstate, placeHousing, squareAround, type PlacedHousing } from './test-fixtures';

const READERS: Role[] = ['leader', 'street_staff', 'community_worker', 'grid_worker'];
const WRITERS: Role[] = ['street_staff', 'community_worker', 'grid_worker'];
const ESTATE_WRITERS: Role[] = ['street_staff', 'community_worker'];

/** The community whose estate is at the relation to the actor (null: none). */
function estateCommunity(a: Actor, rel: Relation): string | null {
  if (a.role === 'grid_worker') {
    if (rel === 'own') return FIXTURE.communityA1;
    if (rel === 'sibling') return FIXTURE.communityA2;
    return null;
  }
  return gridAt(a.home, rel)?.slice(0, 12) ?? null;
}

/** Housing rows in the grid at the relation (null: the relation has no grid for this actor). */
async function placed(a: Actor, rel: Relation, m: Matrix): Promise<PlacedHousing | null> {
  const grid = gridOf(a, rel);
  return grid ? placeHousing(m.env.ctx, grid) : null;
}

/** An estate in the community at the relation. */
async function placedEstate(a: Actor, rel: Relation, m: Matrix): Promise<string | null> {
  const community = estateCommunity(a, rel);
  return community ? placeEstate(m.env.ctx, community) : null;
}

// Names of this module's own (m.seq() numbers also name the matrix's temporary grids, of which there are few).
let counter = 0;
const seq = () => ++counter;

/** A grid of its own (suffix 990) beside the relation's grid, so the fixture grids keep having no boundary. */
async function spareGrid(m: Matrix, near: string): Promise<string> {
  const community = near.slice(0, 12);
  const code = `${community}990`;
  await m.env.ctx.db
    .insert(areas)
    .values({ code, path: code, name: '备用网格', level: 'grid', parentCode: community, source: 'local' })
    .onConflictDoNothing();
  return code;
}

/** Retiring the row at the url, at the version it was placed with. */
const retire = (url: string): Call => ({ method: 'POST', url: `${url}/retire`, payload: { version: 1 } });

export const routeCases: Record<string, RouteCase> = {
  'GET /api/estates': on(READERS, placedEstate, async (id, m) => {
    const [e] = await m.env.ctx.db.select({ name: estates.name }).from(estates).where(eq(estates.id, id));
    return get(`/api/estates?q=${encodeURIComponent(e!.name)}`, { field: 'id', value: id });
  }),
  'POST /api/estates': on(ESTATE_WRITERS, estateCommunity, (community) => ({
    method: 'POST',
    url: '/api/estates',
    payload: { areaCode: community, name: `新小区${seq()}` },
  })),
  'PATCH /api/estates/{id}': on(ESTATE_WRITERS, placedEstate, (id) => ({
    method: 'PATCH',
    url: `/api/estates/${id}`,
    payload: { propertyCompany: '某物业公司', version: 1 },
  })),
  // A fresh estate has no buildings, so retiring it is allowed.
  'POST /api/estates/{id}/retire': on(ESTATE_WRITERS, placedEstate, (id) => retire(`/api/estates/${id}`)),
  'GET /api/buildings': on(READERS, placed, (h) =>
    get(`/api/buildings?estateId=${h.estateId}`, { field: 'id', value: h.buildingId }),
  ),
  'POST /api/buildings': on(WRITERS, gridOf, (grid) => ({
    method: 'POST',
    url: '/api/buildings',
    payload: { areaCode: grid, name: `${seq()}号楼`, floors: 6 },
  })),
  'POST /api/buildings/bulk': on(WRITERS, gridOf, (grid) => ({
    method: 'POST',
    url: '/api/buildings/bulk',
    payload: { areaCode: grid, name: `${seq()}号楼`, floors: 2, units: 1, dwellingsPerFloor: 2 },
  })),
  'GET /api/buildings/{id}': on(READERS, placed, (h) => get(`/api/buildings/${h.buildingId}`)),
  'PATCH /api/buildings/{id}': on(WRITERS, placed, (h) => ({
    method: 'PATCH',
    url: `/api/buildings/${h.buildingId}`,
    payload: { floors: 7, version: 1 },
  })),
  'POST /api/buildings/{id}/retire': on(WRITERS, placed, (h) => retire(`/api/buildings/${h.buildingId}`)),
  'POST /api/units': on(WRITERS, placed, (h) => ({
    method: 'POST',
    url: '/api/units',
    payload: { buildingId: h.buildingId, number: '2' },
  })),
  'GET /api/units/{id}': on(READERS, placed, (h) => get(`/api/units/${h.unitId}`)),
  'PATCH /api/units/{id}': on(WRITERS, placed, (h) => ({
    method: 'PATCH',
    url: `/api/units/${h.unitId}`,
    payload: { name: '东单元', version: 1 },
  })),
  'POST /api/units/{id}/retire': on(WRITERS, placed, (h) => retire(`/api/units/${h.unitId}`)),
  'GET /api/dwellings': on(READERS, placed, (h) =>
    get(`/api/dwellings?unitId=${h.unitId}`, { field: 'id', value: h.dwellingId }),
  ),
  'POST /api/dwellings': on(WRITERS, placed, (h) => ({
    method: 'POST',
    url: '/api/dwellings',
    payload: { unitId: h.unitId, floor: 2, number: '201', use: 'rented' },
  })),
  'GET /api/dwellings/{id}': on(READERS, placed, (h) => get(`/api/dwellings/${h.dwellingId}`)),
  'PATCH /api/dwellings/{id}': on(WRITERS, placed, (h) => ({
    method: 'PATCH',
    url: `/api/dwellings/${h.dwellingId}`,
    payload: { use: 'vacant', version: 1 },
  })),
  'POST /api/dwellings/{id}/retire': on(WRITERS, placed, (h) => retire(`/api/dwellings/${h.dwellingId}`)),
  'GET /api/grids/{code}/housing': on(READERS, gridOf, (grid) => get(`/api/grids/${grid}/housing`)),
  'GET /api/grids/{code}/buildings.geojson': on(READERS, gridOf, (grid) =>
    get(`/api/grids/${grid}/buildings.geojson`),
  ),
  'POST /api/grids/{code}/buildings/geojson': on(WRITERS, gridOf, (grid) => ({
    method: 'POST',
    url: `/api/grids/${grid}/buildings/geojson`,
    payload: {
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          geometry: { type: 'Point', coordinates: [117.3, 33.0] },
          properties: { name: `点${seq()}号楼`, floors: 5 },
        },
      ],
    },
  })),
  'PUT /api/grids/{code}/boundary': on(
    GRID_MANAGERS,
    async (a, rel, m) => {
      const near = gridOf(a, rel);
      return near ? spareGrid(m, near) : null;
    },
    (grid) => ({
      method: 'PUT',
      url: `/api/grids/${grid}/boundary`,
      payload: { geojson: squareAround(117.3, 33.0) },
    }),
  ),
};
