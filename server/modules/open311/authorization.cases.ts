/**
 * The Open311 API keys' rows of the authorization table (server/policy/authorization.test.ts). A key belongs to
 * an area: only the system administrator manages keys, and only within its own subtree. The Open311 routes
 * themselves are key-authenticated and hidden from the OpenAPI document; their authorization (no key, a bad, a
 * revoked key, a key of another area) is tested in open311.test.ts.
 */
import crypto from 'node:crypto';
import { areaPath } from '../../../common/area-code';
import type { Role } from '../../../common/roles';
import { areaAt, type Actor, type Matrix, type Relation, type RouteCase } from '../../test/matrix';
import { apiKeys } from './tables';

const KEY_MANAGERS: Role[] = ['admin'];

/** A 12-digit area at the relation (keys are issued for cities, districts, streets and communities). */
function keyArea(a: Actor, rel: Relation): string | null {
  const area = areaAt(a.home, rel);
  return area && area.length === 12 ? area : null;
}

async function newKey(m: Matrix, areaCode: string): Promise<string> {
  const [row] = await m.env.ctx.db
    .insert(apiKeys)
    .values({
      name: `矩阵客户端${m.seq()}`,
      keyHash: crypto.randomBytes(16).toString('hex'),
      keyPrefix: 'l311_mtx',
      areaCode,
      areaPath: areaPath(areaCode),
    })
    .returning({ id: apiKeys.id });
  return row!.id;
}

export const routeCases: Record<string, RouteCase> = {
  'GET /api/apikeys': {
    allow: KEY_MANAGERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const area = keyArea(a, rel);
      if (!area) return null;
      const id = await newKey(m, area);
      return { method: 'GET', url: '/api/apikeys', listed: { field: 'id', value: id } };
    },
  },
  'POST /api/apikeys': {
    allow: KEY_MANAGERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const area = keyArea(a, rel);
      return area
        ? { method: 'POST', url: '/api/apikeys', payload: { name: `客户端${m.seq()}`, areaCode: area } }
        : null;
    },
  },
  'POST /api/apikeys/{id}/revoke': {
    allow: KEY_MANAGERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const area = keyArea(a, rel);
      return area ? { method: 'POST', url: `/api/apikeys/${await newKey(m, area)}/revoke` } : null;
    },
  },
};
