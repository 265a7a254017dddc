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
import { GRID_MANAGERS, gridAt, type Actor, type Relation, type RouteCase } from '../../test/matrix';
import { areas } from '../areas/tables';
import { estates } from './tables';
import { placeEstate, placeHousing, squareAround, type PlacedHousing } from './test-fixtures';
import type { Matrix } from '../../test/matrix';

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
  const grid = gridAt(a.home, rel);
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

export const routeCases: Record<string, RouteCase> = {
  'GET /api/estates': {
    allow: READERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const id = await placedEstate(a, rel, m);
      if (!id) return null;
      const [e] = await m.env.ctx.db.select({ name: estates.name }).from(estates).where(eq(estates.id, id));
      return {
        method: 'GET',
        url: `/api/estates?q=${encodeURIComponent(e!.name)}`,
        listed: { field: 'id', value: id },
      };
    },
  },
  'POST /api/estates': {
    allow: ESTATE_WRITERS,
    scope: 'scoped',
    call: async (a, rel) => {
      const community = estateCommunity(a, rel);
      return community
        ? { method: 'POST', url: '/api/estates', payload: { areaCode: community, name: `新小区${seq()}` } }
        : null;
    },
  },
  'PATCH /api/estates/{id}': {
    allow: ESTATE_WRITERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const id = await placedEstate(a, rel, m);
      return id
        ? {
            method: 'PATCH',
            url: `/api/estates/${id}`,
            payload: { propertyCompany: '某物业公司', version: 1 },
          }
        : null;
    },
  },
  'POST /api/estates/{id}/retire': {
    allow: ESTATE_WRITERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      // A fresh estate has no buildings, so retiring it is allowed.
      const id = await placedEstate(a, rel, m);
      return id ? { method: 'POST', url: `/api/estates/${id}/retire`, payload: { version: 1 } } : null;
    },
  },
  'GET /api/buildings': {
    allow: READERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const h = await placed(a, rel, m);
      return h
        ? {
            method: 'GET',
            url: `/api/buildings?estateId=${h.estateId}`,
            listed: { field: 'id', value: h.buildingId },
          }
        : null;
    },
  },
  'POST /api/buildings': {
    allow: WRITERS,
    scope: 'scoped',
    call: async (a, rel) => {
      const grid = gridAt(a.home, rel);
      return grid
        ? {
            method: 'POST',
            url: '/api/buildings',
            payload: { areaCode: grid, name: `${seq()}号楼`, floors: 6 },
          }
        : null;
    },
  },
  'POST /api/buildings/bulk': {
    allow: WRITERS,
    scope: 'scoped',
    call: async (a, rel) => {
      const grid = gridAt(a.home, rel);
      return grid
        ? {
            method: 'POST',
            url: '/api/buildings/bulk',
            payload: { areaCode: grid, name: `${seq()}号楼`, floors: 2, units: 1, dwellingsPerFloor: 2 },
          }
        : null;
    },
  },
  'GET /api/buildings/{id}': {
    allow: READERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const h = await placed(a, rel, m);
      return h ? { method: 'GET', url: `/api/buildings/${h.buildingId}` } : null;
    },
  },
  'PATCH /api/buildings/{id}': {
    allow: WRITERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const h = await placed(a, rel, m);
      return h
        ? { method: 'PATCH', url: `/api/buildings/${h.buildingId}`, payload: { floors: 7, version: 1 } }
        : null;
    },
  },
  'POST /api/buildings/{id}/retire': {
    allow: WRITERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const h = await placed(a, rel, m);
      return h
        ? { method: 'POST', url: `/api/buildings/${h.buildingId}/retire`, payload: { version: 1 } }
        : null;
    },
  },
  'POST /api/units': {
    allow: WRITERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const h = await placed(a, rel, m);
      return h
        ? { method: 'POST', url: '/api/units', payload: { buildingId: h.buildingId, number: '2' } }
        : null;
    },
  },
  'GET /api/units/{id}': {
    allow: READERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const h = await placed(a, rel, m);
      return h ? { method: 'GET', url: `/api/units/${h.unitId}` } : null;
    },
  },
  'PATCH /api/units/{id}': {
    allow: WRITERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const h = await placed(a, rel, m);
      return h
        ? { method: 'PATCH', url: `/api/units/${h.unitId}`, payload: { name: '东单元', version: 1 } }
        : null;
    },
  },
  'POST /api/units/{id}/retire': {
    allow: WRITERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const h = await placed(a, rel, m);
      return h ? { method: 'POST', url: `/api/units/${h.unitId}/retire`, payload: { version: 1 } } : null;
    },
  },
  'GET /api/dwellings': {
    allow: READERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const h = await placed(a, rel, m);
      return h
        ? {
            method: 'GET',
            url: `/api/dwellings?unitId=${h.unitId}`,
            listed: { field: 'id', value: h.dwellingId },
          }
        : null;
    },
  },
  'POST /api/dwellings': {
    allow: WRITERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const h = await placed(a, rel, m);
      return h
        ? {
            method: 'POST',
            url: '/api/dwellings',
            payload: { unitId: h.unitId, floor: 2, number: '201', use: 'rented' },
          }
        : null;
    },
  },
  'GET /api/dwellings/{id}': {
    allow: READERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const h = await placed(a, rel, m);
      return h ? { method: 'GET', url: `/api/dwellings/${h.dwellingId}` } : null;
    },
  },
  'PATCH /api/dwellings/{id}': {
    allow: WRITERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const h = await placed(a, rel, m);
      return h
        ? { method: 'PATCH', url: `/api/dwellings/${h.dwellingId}`, payload: { use: 'vacant', version: 1 } }
        : null;
    },
  },
  'POST /api/dwellings/{id}/retire': {
    allow: WRITERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const h = await placed(a, rel, m);
      return h
        ? { method: 'POST', url: `/api/dwellings/${h.dwellingId}/retire`, payload: { version: 1 } }
        : null;
    },
  },
  'GET /api/grids/{code}/housing': {
    allow: READERS,
    scope: 'scoped',
    call: async (a, rel) => {
      const grid = gridAt(a.home, rel);
      return grid ? { method: 'GET', url: `/api/grids/${grid}/housing` } : null;
    },
  },
  'GET /api/grids/{code}/buildings.geojson': {
    allow: READERS,
    scope: 'scoped',
    call: async (a, rel) => {
      const grid = gridAt(a.home, rel);
      return grid ? { method: 'GET', url: `/api/grids/${grid}/buildings.geojson` } : null;
    },
  },
  'POST /api/grids/{code}/buildings/geojson': {
    allow: WRITERS,
    scope: 'scoped',
    call: async (a, rel) => {
      const grid = gridAt(a.home, rel);
      return grid
        ? {
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
          }
        : null;
    },
  },
  'PUT /api/grids/{code}/boundary': {
    allow: GRID_MANAGERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const near = gridAt(a.home, rel);
      if (!near) return null;
      const grid = await spareGrid(m, near);
      return {
        method: 'PUT',
        url: `/api/grids/${grid}/boundary`,
        payload: { geojson: squareAround(117.3, 33.0) },
      };
    },
  },
};
