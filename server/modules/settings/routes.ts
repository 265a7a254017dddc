/** Deployment settings the web app reads: GET /api/settings/map (the map tile server, when one is configured). */
import { ErrorBody } from '../../../common/schemas/common';
import { MapSettings } from '../../../common/schemas/settings';
import type { RegisterRoutes } from '../index';
import { mapSettings } from './service';

export const settingsRoutes: RegisterRoutes = async (app, ctx) => {
  app.get(
    '/api/settings/map',
    {
      schema: {
        tags: ['system'],
        summary:
          'The map tile template (LINLI_MAP_TILE_URL) and its attribution, or null when maps draw without tiles (every signed-in account)',
        security: [{ session: [] }],
        response: { 200: MapSettings, 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (req) => {
      req.requireActor();
      return mapSettings(ctx.config);
    },
  );
};
