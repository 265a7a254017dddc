/** HTTP routes of case statistics and the map of open cases by grid; thin: each calls a service function. */
import { Type } from 'typebox';
import { areaPath } from '../../../common/area-code';
import { ErrorBody } from '../../../common/schemas/common';
import { GridMap, GridMapQuery, StatsQuery, StatsResult } from '../../../common/schemas/stats';
import { appendAuditStandalone } from '../audit/log';
import type { RegisterRoutes } from '../index';
import { caseStats, gridMap } from './service';
import { contentDisposition, statsWorkbook, workbookName } from './xlsx';

const security = [{ session: [] }];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export const statsRoutes: RegisterRoutes = async (app, ctx) => {
  app.get(
    '/api/stats/cases',
    {
      schema: {
        tags: ['stats'],
        summary:
          'Case statistics of an area (default: mine) by child area, lead department, top-level category or month',
        security,
        querystring: StatsQuery,
        response: { 200: StatsResult, ...errors },
      },
    },
    async (req) => caseStats(ctx, req.ability, req.query, req.query.lang ?? req.locale),
  );

  app.get(
    '/api/stats/cases.xlsx',
    {
      schema: {
        tags: ['stats'],
        summary: 'The same statistics as an XLSX download (headers in the language asked for); audited',
        security,
        querystring: StatsQuery,
        produces: [XLSX],
        response: {
          200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary', description: 'XLSX workbook' }),
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const actor = req.requireActor();
      const locale = req.query.lang ?? req.locale;
      const result = await caseStats(ctx, req.ability, req.query, locale);
      const bytes = await statsWorkbook(result, locale);
      // Every export leaves a trace (who took which figures out).
      await appendAuditStandalone(ctx.db, {
        actorId: actor.accountId,
        actorName: actor.username ?? actor.displayName,
        action: 'stats.export',
        targetType: 'area',
        targetId: result.area,
        areaPath: areaPath(result.area),
        ip: req.ip,
        requestId: req.id,
        outcome: 'success',
        details: { by: result.by, from: result.from, to: result.to, rows: result.rows.length },
      });
      return reply
        .type(XLSX)
        .header('content-disposition', contentDisposition(workbookName(result, locale)))
        .header('cache-control', 'no-store')
        .send(bytes);
    },
  );

  app.get(
    '/api/stats/grid-map',
    {
      schema: {
        tags: ['stats'],
        summary:
          'Open and overdue cases per grid under a street or community (default: mine), with grid boundaries',
        security,
        querystring: GridMapQuery,
        response: { 200: GridMap, ...errors },
      },
    },
    async (req) => gridMap(ctx, req.ability, req.query),
  );
};
