/**
 * The population register's rows of the authorization table (server/policy/authorization.test.ts). Leaders, street
 * staff, community workers and grid workers read the residents and households of their own area and below; all but
 * the leader write them; leaders, street staff and community workers reveal ID and phone numbers (PersonalData).
 * Residents and households live at grids, so each relation's target sits in a grid at that relation (gridAt).
 */
import type { Role } from '../../../common/roles';
import { REVEALERS, type RouteCase } from '../../test/matrix';
import { anywhere, get, gridOf, inGrid, listed, on, patch, post } from '../../test/route-cases';
import { insertHousehold, insertResident, makeDwelling, freshIdNumber } from './test-fixtures';
import { ioRouteCases } from './io/authorization.cases';

const READERS: Role[] = ['leader', 'street_staff', 'community_worker', 'grid_worker'];
const WRITERS: Role[] = ['street_staff', 'community_worker', 'grid_worker'];

/** A resident in the grid at the relation. */
const resident = inGrid((grid, m) => insertResident(m.env.ctx, grid));
/** A household (no members) in the grid at the relation. */
const household = inGrid((grid, m) => insertHousehold(m.env.ctx, grid));
/** A household with one member, in the grid at the relation. */
const member = inGrid(async (grid, m) => {
  const r = await insertResident(m.env.ctx, grid);
  return { r, h: await insertHousehold(m.env.ctx, grid, { memberId: r.id }) };
});

export const routeCases: Record<string, RouteCase> = {
  // Import and export (io/): their own rows.
  ...ioRouteCases,
  'GET /api/residents': on(READERS, resident, (r) => get(`/api/residents?q=${r.idNumber}`, listed(r.id))),
  'POST /api/residents': on(WRITERS, gridOf, (grid) =>
    post('/api/residents', {
      name: '矩阵居民',
      idNumber: freshIdNumber(grid.slice(0, 6)),
      residenceType: 'registered',
      areaCode: grid,
    }),
  ),
  'GET /api/residents/{id}': on(READERS, resident, (r) => get(`/api/residents/${r.id}`)),
  'PATCH /api/residents/{id}': on(WRITERS, resident, (r) =>
    patch(`/api/residents/${r.id}`, { version: 1, name: '改名' }),
  ),
  'POST /api/residents/{id}/death': on(WRITERS, resident, (r) => post(`/api/residents/${r.id}/death`)),
  'POST /api/residents/{id}/reveal': on(REVEALERS, resident, (r) =>
    post(`/api/residents/${r.id}/reveal`, { field: 'phone', purpose: '核实身份以便回访' }),
  ),
  'GET /api/households': on(READERS, household, (h) => get(`/api/households?q=${h.number}`, listed(h.id))),
  'POST /api/households': on(WRITERS, gridOf, (grid, m) =>
    post('/api/households', { number: `M${m.seq()}`, type: 'family', areaCode: grid }),
  ),
  'GET /api/households/{id}': on(READERS, household, (h) => get(`/api/households/${h.id}`)),
  'POST /api/households/{id}/members': on(
    WRITERS,
    inGrid(async (grid, m) => ({
      h: await insertHousehold(m.env.ctx, grid),
      r: await insertResident(m.env.ctx, grid),
    })),
    ({ h, r }) => post(`/api/households/${h.id}/members`, { residentId: r.id, relation: 'head' }),
  ),
  'PATCH /api/households/{id}/members/{residentId}': on(WRITERS, member, ({ h, r }) =>
    patch(`/api/households/${h.id}/members/${r.id}`, { relation: 'other' }),
  ),
  'POST /api/households/{id}/members/{residentId}/leave': on(WRITERS, member, ({ h, r }) =>
    post(`/api/households/${h.id}/members/${r.id}/leave`),
  ),
  'POST /api/households/{id}/move-in': on(
    WRITERS,
    inGrid(async (grid, m) => ({
      h: await insertHousehold(m.env.ctx, grid),
      dwellingId: await makeDwelling(m.env.ctx, grid),
    })),
    ({ h, dwellingId }) => post(`/api/households/${h.id}/move-in`, { dwellingId, livingType: 'own' }),
  ),
  'POST /api/households/{id}/move-out': on(
    WRITERS,
    inGrid(async (grid, m) =>
      insertHousehold(m.env.ctx, grid, { dwellingId: await makeDwelling(m.env.ctx, grid) }),
    ),
    (h) => post(`/api/households/${h.id}/move-out`),
  ),
  // The resident's own household (matched by the account's phone): residents only, wherever they live.
  'GET /api/me/household': anywhere(['resident'], () => get('/api/me/household')),
};
