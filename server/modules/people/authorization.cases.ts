/**
 * The population register's rows of the authorization table (server/policy/authorization.test.ts). Leaders, street
 * staff, community workers and grid workers read the residents and households of their own area and below; all but
 * the leader write them; leaders, street staff and community workers reveal ID and phone numbers (PersonalData).
 * Residents and households live at grids, so each relation's target sits in a grid at that relation (gridAt).
 */
import type { Role } from '../../../common/roles';
import { gridAt, REVEALERS, type RouteCase } from '../../test/matrix';
import { insertHousehold, insertResident, makeDwelling, freshIdNumber } from './test-fixtures';
import { ioRouteCases } from './io/authorization.cases';

const READERS: Role[] = ['leader', 'street_staff', 'community_worker', 'grid_worker'];
const WRITERS: Role[] = ['street_staff', 'community_worker', 'grid_worker'];

export const routeCases: Record<string, RouteCase> = {
  // Import and export (io/): their own rows.
  ...ioRouteCases,
  'GET /api/residents': {
    allow: READERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const grid = gridAt(a.home, rel);
      if (!grid) return null;
      const r = await insertResident(m.env.ctx, grid);
      return { method: 'GET', url: `/api/residents?q=${r.idNumber}`, listed: { field: 'id', value: r.id } };
    },
  },
  'POST /api/residents': {
    allow: WRITERS,
    scope: 'scoped',
    call: async (a, rel) => {
      const grid = gridAt(a.home, rel);
      return grid
        ? {
            method: 'POST',
            url: '/api/residents',
            payload: {
              name: '矩阵居民',
              idNumber: freshIdNumber(grid.slice(0, 6)),
              residenceType: 'registered',
              areaCode: grid,
            },
          }
        : null;
    },
  },
  'GET /api/residents/{id}': {
    allow: READERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const grid = gridAt(a.home, rel);
      return grid
        ? { method: 'GET', url: `/api/residents/${(await insertResident(m.env.ctx, grid)).id}` }
        : null;
    },
  },
  'PATCH /api/residents/{id}': {
    allow: WRITERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const grid = gridAt(a.home, rel);
      return grid
        ? {
            method: 'PATCH',
            url: `/api/residents/${(await insertResident(m.env.ctx, grid)).id}`,
            payload: { version: 1, name: '改名' },
          }
        : null;
    },
  },
  'POST /api/residents/{id}/death': {
    allow: WRITERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const grid = gridAt(a.home, rel);
      return grid
        ? {
            method: 'POST',
            url: `/api/residents/${(await insertResident(m.env.ctx, grid)).id}/death`,
            payload: {},
          }
        : null;
    },
  },
  'POST /api/residents/{id}/reveal': {
    allow: REVEALERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const grid = gridAt(a.home, rel);
      return grid
        ? {
            method: 'POST',
            url: `/api/residents/${(await insertResident(m.env.ctx, grid)).id}/reveal`,
            payload: { field: 'phone', purpose: '核实身份以便回访' },
          }
        : null;
    },
  },
  'GET /api/households': {
    allow: READERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const grid = gridAt(a.home, rel);
      if (!grid) return null;
      const h = await insertHousehold(m.env.ctx, grid);
      return { method: 'GET', url: `/api/households?q=${h.number}`, listed: { field: 'id', value: h.id } };
    },
  },
  'POST /api/households': {
    allow: WRITERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const grid = gridAt(a.home, rel);
      return grid
        ? {
            method: 'POST',
            url: '/api/households',
            payload: { number: `M${m.seq()}`, type: 'family', areaCode: grid },
          }
        : null;
    },
  },
  'GET /api/households/{id}': {
    allow: READERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const grid = gridAt(a.home, rel);
      return grid
        ? { method: 'GET', url: `/api/households/${(await insertHousehold(m.env.ctx, grid)).id}` }
        : null;
    },
  },
  'POST /api/households/{id}/members': {
    allow: WRITERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const grid = gridAt(a.home, rel);
      if (!grid) return null;
      const h = await insertHousehold(m.env.ctx, grid);
      const r = await insertResident(m.env.ctx, grid);
      return {
        method: 'POST',
        url: `/api/households/${h.id}/members`,
        payload: { residentId: r.id, relation: 'head' },
      };
    },
  },
  'PATCH /api/households/{id}/members/{residentId}': {
    allow: WRITERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const grid = gridAt(a.home, rel);
      if (!grid) return null;
      const r = await insertResident(m.env.ctx, grid);
      const h = await insertHousehold(m.env.ctx, grid, { memberId: r.id });
      return {
        method: 'PATCH',
        url: `/api/households/${h.id}/members/${r.id}`,
        payload: { relation: 'other' },
      };
    },
  },
  'POST /api/households/{id}/members/{residentId}/leave': {
    allow: WRITERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const grid = gridAt(a.home, rel);
      if (!grid) return null;
      const r = await insertResident(m.env.ctx, grid);
      const h = await insertHousehold(m.env.ctx, grid, { memberId: r.id });
      return { method: 'POST', url: `/api/households/${h.id}/members/${r.id}/leave`, payload: {} };
    },
  },
  'POST /api/households/{id}/move-in': {
    allow: WRITERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const grid = gridAt(a.home, rel);
      if (!grid) return null;
      const h = await insertHousehold(m.env.ctx, grid);
      const dwellingId = await makeDwelling(m.env.ctx, grid);
      return {
        method: 'POST',
        url: `/api/households/${h.id}/move-in`,
        payload: { dwellingId, livingType: 'own' },
      };
    },
  },
  'POST /api/households/{id}/move-out': {
    allow: WRITERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const grid = gridAt(a.home, rel);
      if (!grid) return null;
      const dwellingId = await makeDwelling(m.env.ctx, grid);
      const h = await insertHousehold(m.env.ctx, grid, { dwellingId });
      return { method: 'POST', url: `/api/households/${h.id}/move-out`, payload: {} };
    },
  },
  // The resident's own household (matched by the account's phone): residents only, wherever they live.
  'GET /api/me/household': {
    allow: ['resident'],
    scope: 'any',
    call: async () => ({ method: 'GET', url: '/api/me/household' }),
  },
};
