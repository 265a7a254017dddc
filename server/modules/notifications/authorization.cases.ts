/**
 * The inbox's rows of the authorization table (server/policy/authorization.test.ts): like /api/me, every signed-in
 * account may call them and they are not area-scoped; each account only ever sees and marks its own rows (tested
 * in notifications.test.ts).
 */
import { EVERYONE, type RouteCase } from '../../test/matrix';

export const routeCases: Record<string, RouteCase> = {
  'GET /api/notifications': {
    allow: EVERYONE,
    scope: 'any',
    call: async () => ({ method: 'GET', url: '/api/notifications' }),
  },
  'GET /api/notifications/unread': {
    allow: EVERYONE,
    scope: 'any',
    call: async () => ({ method: 'GET', url: '/api/notifications/unread' }),
  },
  'POST /api/notifications/read': {
    allow: EVERYONE,
    scope: 'any',
    call: async () => ({ method: 'POST', url: '/api/notifications/read', payload: { all: true } }),
  },
};
