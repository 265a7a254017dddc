/**
 * The settings' row of the authorization table (server/policy/authorization.test.ts): the map settings hold no
 * personal data and no area, so every signed-in account reads them, wherever it sits.
 */
import { EVERYONE, type RouteCase } from '../../test/matrix';

export const routeCases: Record<string, RouteCase> = {
  'GET /api/settings/map': {
    allow: EVERYONE,
    scope: 'any',
    call: async () => ({ method: 'GET', url: '/api/settings/map' }),
  },
};
