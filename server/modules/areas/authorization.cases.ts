/**
 * The place lookup's row of the authorization table (server/policy/authorization.test.ts): administrative names
 * are public, so every signed-in account may look them up, residents included, wherever the place lies. The other
 * area routes are listed with the core routes in the test itself.
 */
import { FIXTURE } from '../../test/harness';
import { EVERYONE, type RouteCase } from '../../test/matrix';

export const routeCases: Record<string, RouteCase> = {
  'GET /api/areas/lookup': {
    allow: EVERYONE,
    scope: 'any',
    // A community outside most actors' scope (street B's), found by its street's name.
    call: async () => ({
      method: 'GET',
      url: `/api/areas/lookup?q=${encodeURIComponent('延安街道')}`,
      listed: { field: 'code', value: FIXTURE.communityB1 },
    }),
  },
};
