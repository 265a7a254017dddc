/** Mounts every module's routes, plus health and the OpenAPI document. */
import { Type } from 'typebox';
import type { AppContext } from '../context';
import { ping } from '../db/client';
import { ErrorBody } from '../../common/schemas/common';
import type { App } from './types';
import { MODULE_ROUTES } from '../modules/index';

export async function registerRoutes(app: App, ctx: AppContext): Promise<void> {
  app.get(
    '/healthz',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['system'],
        summary: 'Health: 200 when the database answers',
        response: {
          200: Type.Object({ status: Type.Literal('ok'), database: Type.String() }),
          503: ErrorBody,
        },
      },
    },
    async (req, reply) => {
      if (await ping(ctx.db)) return { status: 'ok' as const, database: ctx.database.kind };
      return reply
        .code(503)
        .send({ error: { code: 'unavailable', message: 'database unavailable', requestId: req.id } });
    },
  );

  app.get('/api/openapi.json', { config: { auth: 'public' }, schema: { hide: true } }, async () =>
    app.swagger(),
  );

  for (const register of MODULE_ROUTES) {
    await app.register(async (scope) => register(scope as App, ctx));
  }
}
