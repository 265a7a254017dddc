/** HTTP routes of home visits (入户走访) and the ledger (民情台账); thin: each calls a service function. */
import { Type } from 'typebox';
import type { FastifyRequest } from 'fastify';
import { PHOTO_MAX_BYTES, PHOTO_MIME_TYPES } from '../../../common/schemas/cases';
import { ErrorBody, Ok } from '../../../common/schemas/common';
import {
  Coverage,
  CoverageExportQuery,
  CoverageQuery,
  DueList,
  DueQuery,
  IdParams,
  NeedCaseBody,
  NeedCaseResult,
  NeedParams,
  NeverList,
  NeverQuery,
  Visit,
  VisitCorrection,
  VisitCreate,
  VisitList,
  VisitListQuery,
  VisitPhoto,
  VisitRule,
  VisitRuleCreate,
  VisitRuleList,
  VisitRuleListQuery,
  VisitRuleRetire,
  VisitRuleUpdate,
  VISIT_PHOTOS_MAX,
} from '../../../common/schemas/visits';
import type { AppContext } from '../../context';
import type { App } from '../../http/types';
import { localeOf } from '../../http/errors';
import { unsupportedType } from '../../photos';
import type { RequestMeta } from '../accounts/service';
import type { RegisterRoutes } from '../index';
import { attachment, spreadsheetFile, XLSX_MIME } from '../people/io/spreadsheet';
import { ledgerFile } from './ledger-export';
import { readVisitPhoto, uploadVisitPhoto } from './photos';
import {
  correctVisit,
  coverage,
  createRule,
  dueVisits,
  getVisit,
  listRules,
  listVisits,
  needToCase,
  neverVisited,
  recordVisit,
  retireRule,
  updateRule,
} from './service';

const security = [{ session: [] }];
const writeSecurity = [{ session: [], csrf: [] }];
const readErrors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const writeErrors = { ...readErrors, 409: ErrorBody };
const tags = ['visits'];

function meta(req: FastifyRequest): RequestMeta {
  return { ip: req.ip, requestId: req.id };
}

export const visitRoutes: RegisterRoutes = async (app, ctx) => {
  app.get(
    '/api/visit-rules',
    {
      schema: {
        tags,
        summary:
          'Visit rules (走访规则) concerning an area (default: your own): those within it, and those above it that apply to it (editable: false)',
        security,
        querystring: VisitRuleListQuery,
        response: { 200: VisitRuleList, ...readErrors },
      },
    },
    async (req) => listRules(ctx, req.requireActor(), req.query),
  );

  app.post(
    '/api/visit-rules',
    {
      schema: {
        tags,
        summary:
          'Set how often the households of a street, community or grid (optionally only those with a focus-group tag) are visited',
        security: writeSecurity,
        body: VisitRuleCreate,
        response: { 200: VisitRule, ...writeErrors },
      },
    },
    async (req) => createRule(ctx, req.requireActor(), req.body, meta(req)),
  );

  app.patch(
    '/api/visit-rules/:id',
    {
      schema: {
        tags,
        summary: "Change a visit rule's interval or note",
        security: writeSecurity,
        params: IdParams,
        body: VisitRuleUpdate,
        response: { 200: VisitRule, ...writeErrors },
      },
    },
    async (req) => updateRule(ctx, req.requireActor(), req.params.id, req.body, meta(req)),
  );

  app.post(
    '/api/visit-rules/:id/retire',
    {
      schema: {
        tags,
        summary: 'Retire a visit rule (it stops applying and stays on record)',
        security: writeSecurity,
        params: IdParams,
        body: VisitRuleRetire,
        response: { 200: Ok, ...writeErrors },
      },
    },
    async (req) => retireRule(ctx, req.requireActor(), req.params.id, req.body, meta(req)),
  );

  app.get(
    '/api/visits/due',
    {
      schema: {
        tags,
        summary:
          "Households with their next due visit, overdue first, and counts (default: your own grids; a grid worker's 我的走访)",
        security,
        querystring: DueQuery,
        response: { 200: DueList, ...readErrors },
      },
    },
    async (req) => dueVisits(ctx, req.requireActor(), req.query),
  );

  app.get(
    '/api/visits/coverage',
    {
      schema: {
        tags,
        summary:
          'The ledger (民情台账) of a street, community or grid over a period: per grid and per grid worker, households, visited households, coverage, visits',
        security,
        querystring: CoverageQuery,
        response: { 200: Coverage, ...readErrors },
      },
    },
    async (req) => coverage(ctx, req.requireActor(), req.query),
  );

  app.get(
    '/api/visits/coverage/export',
    {
      schema: {
        tags,
        summary:
          'The ledger as a file (XLSX: a sheet per grid and per grid worker; CSV: both tables, a blank line between), headers in the request language',
        security,
        querystring: CoverageExportQuery,
        response: {
          200: spreadsheetFile('The ledger'),
          ...readErrors,
        },
      },
    },
    async (req, reply) => {
      const f = await ledgerFile(ctx, req.requireActor(), req.query, localeOf(req), {
        ip: req.ip,
        requestId: req.id,
      });
      return reply
        .header('content-type', f.format === 'csv' ? 'text/csv; charset=utf-8' : XLSX_MIME)
        .header('content-disposition', attachment(f.filename))
        .send(f.stream);
    },
  );

  app.get(
    '/api/visits/coverage/never',
    {
      schema: {
        tags,
        summary: 'The households of an area never visited in a period (paged)',
        security,
        querystring: NeverQuery,
        response: { 200: NeverList, ...readErrors },
      },
    },
    async (req) => neverVisited(ctx, req.requireActor(), req.query),
  );

  app.get(
    '/api/visits',
    {
      schema: {
        tags,
        summary: 'Visits in scope: of a household, an area, a period; newest first (corrected ones marked)',
        security,
        querystring: VisitListQuery,
        response: { 200: VisitList, ...readErrors },
      },
    },
    async (req) => listVisits(ctx, req.requireActor(), req.query),
  );

  app.post(
    '/api/visits',
    {
      schema: {
        tags,
        summary:
          'Record a visit to a household of your grid: day (not in the future), persons met (its members), situation, needs, follow-up',
        security: writeSecurity,
        body: VisitCreate,
        response: { 200: Visit, ...writeErrors },
      },
    },
    async (req) => recordVisit(ctx, req.requireActor(), req.body, meta(req)),
  );

  app.get(
    '/api/visits/:id',
    {
      schema: {
        tags,
        summary: 'A visit with its needs (and the cases made from them) and photos',
        security,
        params: IdParams,
        response: { 200: Visit, ...readErrors },
      },
    },
    async (req) => getVisit(ctx, req.requireActor(), req.params.id),
  );

  app.post(
    '/api/visits/:id/correction',
    {
      schema: {
        tags,
        summary:
          'Correct a visit: a new record replaces it in the ledger; the earlier one stays (visits are append-only)',
        security: writeSecurity,
        params: IdParams,
        body: VisitCorrection,
        response: { 200: Visit, ...writeErrors },
      },
    },
    async (req) => correctVisit(ctx, req.requireActor(), req.params.id, req.body, meta(req)),
  );

  app.post(
    '/api/visits/:id/needs/:n/case',
    {
      schema: {
        tags,
        summary:
          "Turn a need found in a visit into a case (patrol intake by the grid worker at the household's grid) and link them",
        security: writeSecurity,
        params: NeedParams,
        body: NeedCaseBody,
        response: { 200: NeedCaseResult, ...writeErrors },
      },
    },
    async (req) =>
      needToCase(ctx, req.requireActor(), req.params.id, Number(req.params.n), req.body, meta(req)),
  );

  for (const variant of ['full', 'thumb'] as const) {
    app.get(
      variant === 'full' ? '/api/visit-photos/:id' : '/api/visit-photos/:id/thumb',
      {
        schema: {
          tags,
          summary:
            variant === 'full'
              ? 'A visit photo (re-encoded, metadata stripped), for whoever may read the visit'
              : 'The 320 px WebP thumbnail of a visit photo',
          security,
          params: IdParams,
          response: { 200: binary(variant === 'full' ? 'The image' : 'The thumbnail'), ...readErrors },
        },
      },
      async (req, reply) => {
        const file = await readVisitPhoto(ctx, req.requireActor(), req.params.id, variant);
        return reply
          .header('content-type', file.mime)
          .header('cache-control', 'private, max-age=86400')
          .header('x-content-type-options', 'nosniff')
          .header('content-disposition', `inline; filename="${file.name}"`)
          .header('etag', `"${file.sha256}"`)
          .send(file.data);
      },
    );
  }

  await app.register(async (scope) => photoUpload(scope as App, ctx));
};

function binary(what: string) {
  return Type.Unsafe<Buffer>({
    description: what,
    content: Object.fromEntries(
      [...PHOTO_MIME_TYPES].map((t) => [t, { schema: { type: 'string', format: 'binary' } }]),
    ),
  });
}

/** The photo upload in a scope of its own (raw images up to 10 MB parsed only here), as for case photos. */
async function photoUpload(app: App, ctx: AppContext): Promise<void> {
  app.addContentTypeParser(
    [...PHOTO_MIME_TYPES],
    { parseAs: 'buffer', bodyLimit: PHOTO_MAX_BYTES },
    (_req, body, done) => done(null, body),
  );
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (req, body, done) => {
    if (req.headers['content-type']) done(unsupportedType(), undefined);
    else done(null, body);
  });
  app.post(
    '/api/visits/:id/photos',
    {
      // Retries are safe without Idempotency-Key: the same bytes answer the stored photo.
      config: { idempotency: false },
      schema: {
        tags,
        summary: `Add a photo to a visit you recorded: the raw image as the body (Content-Type ${PHOTO_MIME_TYPES.join(', ')}; at most 10 MB, ${VISIT_PHOTOS_MAX} per visit). 201 stored; 200 when the same image was sent before`,
        security: writeSecurity,
        params: IdParams,
        response: { 200: VisitPhoto, 201: VisitPhoto, ...writeErrors, 413: ErrorBody, 415: ErrorBody },
      },
    },
    async (req, reply) => {
      const { photo, created } = await uploadVisitPhoto(
        ctx,
        req.requireActor(),
        req.params.id,
        req.headers['content-type'],
        req.body,
        meta(req),
      );
      return reply.code(created ? 201 : 200).send(photo);
    },
  );
}
