/**
 * The focus groups' rows of the authorization table (server/policy/authorization.test.ts). The tag tree is read by
 * the roles that read residents (each sees the tags its role is allowed) and by the administrator, who alone changes
 * it; residents' tags, lists and counts follow the population register: read in one's own area and below, written
 * by street staff, community workers and grid workers. The tag used is a normal one every reader may see.
 */
import { eq } from 'drizzle-orm';
import type { Role } from '../../../common/roles';
import type { Matrix, RouteCase } from '../../test/matrix';
import { anywhere, areaOf, get, inGrid, listed, on, patch, post } from '../../test/route-cases';
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

/** A resident holding the tag now, in the grid at the relation. */
const tagged = inGrid((grid, m) => taggedResident(m, grid));

export const routeCases: Record<string, RouteCase> = {
  'GET /api/tags': anywhere(TREE_READERS, () => get('/api/tags')),
  'POST /api/tags': anywhere(MANAGERS, (m) =>
    post('/api/tags', { code: `matrix.t${m.seq()}`, name: '矩阵标签', sensitivity: 'normal' }),
  ),
  'GET /api/tags/counts': on(READERS, areaOf, async (area, m) => {
    await ensureDefaultTags(m.env.ctx);
    return get(`/api/tags/counts?areaCode=${area}`);
  }),
  'GET /api/tags/{id}': anywhere(TREE_READERS, async (m) => get(`/api/tags/${await tagId(m)}`)),
  'PATCH /api/tags/{id}': anywhere(MANAGERS, async (m) =>
    patch(`/api/tags/${await tagId(m, 'entitled.veteran')}`, { sort: m.seq() % 1000 }),
  ),
  'GET /api/tags/{id}/members': on(READERS, tagged, async ({ residentId }, m) =>
    get(`/api/tags/${await tagId(m)}/members?limit=200`, listed(residentId)),
  ),
  'GET /api/residents/{id}/focus-tags': on(READERS, tagged, ({ residentId }) =>
    get(`/api/residents/${residentId}/focus-tags`),
  ),
  'POST /api/residents/{id}/focus-tags': on(
    WRITERS,
    inGrid((grid, m) => insertResident(m.env.ctx, grid)),
    async (r, m) => post(`/api/residents/${r.id}/focus-tags`, { tagId: await tagId(m) }),
  ),
  'POST /api/residents/{id}/focus-tags/{residentTagId}/end': on(WRITERS, tagged, ({ residentId, linkId }) =>
    post(`/api/residents/${residentId}/focus-tags/${linkId}/end`),
  ),
};
