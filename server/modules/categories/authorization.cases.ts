/**
 * The category module's rows of the authorization table (server/policy/authorization.test.ts). The category tree
 * belongs to no area: every signed-in user reads it, only the system administrator changes it (scope 'any').
 * Routing rules belong to an area: the administrator manages them in its own subtree only.
 */
import { eq } from 'drizzle-orm';
import { areaPath } from '../../../common/area-code';
import type { Role } from '../../../common/roles';
import { areaAt, EVERYONE, type Matrix, type RouteCase } from '../../test/matrix';
import { ensureDefaultCategories } from './service';
import { categories, routingRules } from './tables';

const CATEGORY_MANAGERS: Role[] = ['admin'];
const ROUTING_MANAGERS: Role[] = ['admin'];
/**
 * Who may preview a routing (GET /api/routing-rules/resolve): read RoutingRule at the case's area. Today only the
 * administrator holds it (through manage RoutingRule). Granting street and community staff read RoutingRule in
 * server/policy/rules.ts lets them preview in their subtree; add those roles here at the same time.
 */
const ROUTING_PREVIEWERS: Role[] = ['admin'];

async function newCategory(m: Matrix): Promise<string> {
  const [row] = await m.env.ctx.db
    .insert(categories)
    .values({
      code: `matrix.cat${m.seq()}`,
      name: '矩阵测试分类',
      matterClass: 'community',
      handlingLevel: 'community',
    })
    .returning({ id: categories.id });
  return row!.id;
}

async function newRule(m: Matrix, areaCode: string): Promise<string> {
  const [row] = await m.env.ctx.db
    .insert(routingRules)
    .values({ areaPath: areaPath(areaCode), level: 'street', priority: m.seq() % 1000 })
    .returning({ id: routingRules.id });
  return row!.id;
}

async function defaultCategoryId(m: Matrix): Promise<string> {
  await ensureDefaultCategories(m.env.ctx);
  const [row] = await m.env.ctx.db
    .select({ id: categories.id })
    .from(categories)
    .where(eq(categories.code, 'facility.manhole'));
  return row!.id;
}

export const routeCases: Record<string, RouteCase> = {
  'GET /api/categories': {
    allow: EVERYONE,
    scope: 'any',
    call: async () => ({ method: 'GET', url: '/api/categories' }),
  },
  'POST /api/categories': {
    allow: CATEGORY_MANAGERS,
    scope: 'any',
    call: async (_a, _rel, m) => ({
      method: 'POST',
      url: '/api/categories',
      payload: {
        code: `matrix.new${m.seq()}`,
        name: '新分类',
        matterClass: 'community',
        handlingLevel: 'community',
      },
    }),
  },
  'PATCH /api/categories/{id}': {
    allow: CATEGORY_MANAGERS,
    scope: 'any',
    call: async (_a, _rel, m) => ({
      method: 'PATCH',
      url: `/api/categories/${await newCategory(m)}`,
      payload: { name: `改名分类${m.seq()}` },
    }),
  },
  'GET /api/routing-rules': {
    allow: ROUTING_MANAGERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const target = areaAt(a.home, rel);
      if (!target) return null;
      const id = await newRule(m, target);
      return { method: 'GET', url: '/api/routing-rules', listed: { field: 'id', value: id } };
    },
  },
  'GET /api/routing-rules/resolve': {
    allow: ROUTING_PREVIEWERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const target = areaAt(a.home, rel);
      if (!target) return null;
      const categoryId = await defaultCategoryId(m);
      return {
        method: 'GET',
        url: `/api/routing-rules/resolve?categoryId=${categoryId}&areaCode=${target}`,
      };
    },
  },
  'POST /api/routing-rules': {
    allow: ROUTING_MANAGERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const target = areaAt(a.home, rel);
      return target
        ? {
            method: 'POST',
            url: '/api/routing-rules',
            payload: { areaCode: target, level: 'street', priority: m.seq() % 1000 },
          }
        : null;
    },
  },
  'DELETE /api/routing-rules/{id}': {
    allow: ROUTING_MANAGERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const target = areaAt(a.home, rel);
      return target ? { method: 'DELETE', url: `/api/routing-rules/${await newRule(m, target)}` } : null;
    },
  },
};
