/**
 * The statistics' rows of the authorization table (server/policy/authorization.test.ts): leaders, street staff,
 * community workers and evaluators read the statistics of their own area and below, nobody else's. The relation
 * is the `area` asked for (12-digit areas only: statistics and the grid map take no grid code).
 */
import type { Role } from '../../../common/roles';
import { areaAt, type Actor, type Relation, type RouteCase } from '../../test/matrix';

const STATS_READERS: Role[] = ['leader', 'street_staff', 'community_worker', 'evaluator'];

function statsArea(a: Actor, rel: Relation): string | null {
  const area = areaAt(a.home, rel);
  return area && area.length === 12 ? area : null;
}

export const routeCases: Record<string, RouteCase> = {
  'GET /api/stats/cases': {
    allow: STATS_READERS,
    scope: 'scoped',
    call: async (a, rel) => {
      const area = statsArea(a, rel);
      return area ? { method: 'GET', url: `/api/stats/cases?by=area&area=${area}` } : null;
    },
  },
  'GET /api/stats/cases.xlsx': {
    allow: STATS_READERS,
    scope: 'scoped',
    // The table reads answers as JSON, and a workbook is not: this asks for a reversed span of months, which is
    // refused (400) only after the area was authorized (403). The workbook itself is tested in stats.test.ts.
    call: async (a, rel) => {
      const area = statsArea(a, rel);
      return area
        ? { method: 'GET', url: `/api/stats/cases.xlsx?by=month&area=${area}&from=2026-02&to=2026-01` }
        : null;
    },
  },
  'GET /api/stats/grid-map': {
    allow: STATS_READERS,
    scope: 'scoped',
    call: async (a, rel) => {
      const area = statsArea(a, rel);
      return area ? { method: 'GET', url: `/api/stats/grid-map?area=${area}` } : null;
    },
  },
};
