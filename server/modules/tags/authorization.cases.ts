/**
 * The focus groups' rows of the authorization table (server/policy/authorization.test.ts). The tag tree is read by
 * the roles that read residents (each sees the tags its role is allowed) and by the administrator, who alone changes
 * it; residents' tags, lists and counts follow the population register: read in one's own area and below, written
 * by street staff, community workers and grid workers. The tag used is a normal one every reader may see.
 */
import { eq } from 'drizzle-orm';
import type { Role } from '../../../common/roles';
import { areaAt, gridAt, type Matrix, type RouteCase } from '../../test/matrix';
import { insertResident } from '../people/test-fixtures';
import { ensureDefaultTags } from './service';
import { residentTags, tags } from './tables';

const READERS: Role[] = ['leader', 'street_staff', 'community_worker', 'grid_worker'];
const WRITERS: Role[] = ['street_staff', 'community_worker', 'grid_worker'];
const TREE_READERS: Role[] = ['admin', ...READERS];
const MANAGERS: Role[] = ['admin'];

async function tagId(m: Matrix, code = 'elderly.empty_nest'): Promise<string> {
  await ensureDefaultTags(m.env.ctx);
  const [row] = await m.env.ctx.db.select({ id: tags.id }).from(tags).where(eq(tags.code, code));
  return row!.id;
}

/** A resident in a grid holding the tag now; returns both ids. */
async function taggedResident(m: Matrix, grid: string): Promise<{ residentId: string; linkId: string }> {
  const r = await insertResident(m.env.ctx, grid);
  const [link] = await m.env.ctx.db
    .insert(residentTags)
    .values({ residentId: r.id, tagId: await tagId(m), fromDate: '2024-01-01' })
    .returning({ id: residentTags.id });
  return { residentId: r.id, linkId: link!.id };
}

export const routeCases: Record<string, RouteCase> = {
  'GET /api/tags': {
    allow: TREE_READERS,
    scope: 'any',
    call: async () => ({ method: 'GET', url: '/api/tags' }),
  },
  'POST /api/tags': {
    allow: MANAGERS,
    scope: 'any',
    call: async (_a, _rel, m) => ({
      method: 'POST',
      url: '/api/tags',
      payload: { code: `matrix.t${m.seq()}`, name: '矩阵标签', sensitivity: 'normal' },
    }),
  },
  'GET /api/tags/counts': {
    allow: READERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const area = areaAt(a.home, rel);
      if (!area) return null;
      await ensureDefaultTags(m.env.ctx);
      return { method: 'GET', url: `/api/tags/counts?areaCode=${area}` };
    },
  },
  'GET /api/tags/{id}': {
    allow: TREE_READERS,
    scope: 'any',
    call: async (_a, _rel, m) => ({ method: 'GET', url: `/api/tags/${await tagId(m)}` }),
  },
  'PATCH /api/tags/{id}': {
    allow: MANAGERS,
    scope: 'any',
    call: async (_a, _rel, m) => ({
      method: 'PATCH',
      url: `/api/tags/${await tagId(m, 'entitled.veteran')}`,
      payload: { sort: m.seq() % 1000 },
    }),
  },
  'GET /api/tags/{id}/members': {
    allow: READERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const grid = gridAt(a.home, rel);
      if (!grid) return null;
      const { residentId } = await taggedResident(m, grid);
      return {
        method: 'GET',
        url: `/api/tags/${await tagId(m)}/members?limit=200`,
        listed: { field: 'id', value: residentId },
      };
    },
  },
  'GET /api/residents/{id}/focus-tags': {
    allow: READERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const grid = gridAt(a.home, rel);
      if (!grid) return null;
      return {
        method: 'GET',
        url: `/api/residents/${(await taggedResident(m, grid)).residentId}/focus-tags`,
      };
    },
  },
  'POST /api/residents/{id}/focus-tags': {
    allow: WRITERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const grid = gridAt(a.home, rel);
      if (!grid) return null;
      const r = await insertResident(m.env.ctx, grid);
      return { method: 'POST', url: `/api/residents/${r.id}/focus-tags`, payload: { tagId: await tagId(m) } };
    },
  },
  'POST /api/residents/{id}/focus-tags/{residentTagId}/end': {
    allow: WRITERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const grid = gridAt(a.home, rel);
      if (!grid) return null;
      const { residentId, linkId } = await taggedResident(m, grid);
      return { method: 'POST', url: `/api/residents/${residentId}/focus-tags/${linkId}/end`, payload: {} };
    },
  },
};
