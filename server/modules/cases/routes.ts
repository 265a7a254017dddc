/** HTTP routes of cases (诉求/事件); thin: each calls a service function. */
import { Type } from 'typebox';
import {
  AttachmentIdParams,
  AttachmentList,
  AttachmentView,
  CaseActionBody,
  CaseCreate,
  CaseDetail,
  CaseEventList,
  CaseIdParams,
  CaseList,
  CaseListQuery,
  PHOTO_MAX_BYTES,
  PHOTO_MIME_TYPES,
  PHOTOS_PER_CASE,
  SimilarList,
  SimilarQuery,
  TrackQuery,
  TrackView,
} from '../../../common/schemas/cases';
import { DepartmentList } from '../../../common/schemas/areas';
import { ErrorBody } from '../../../common/schemas/common';
import type { App } from '../../http/types';
import type { AppContext } from '../../context';
import type { RegisterRoutes } from '../index';
import { listPhotos, readAttachment, unsupportedType, uploadPhoto } from './photos';
import { listCases } from './list';
import { act, detailOf, dispatchDepartmentsOf, eventsOf, intake } from './service';
import { similarCases } from './similar';
import { trackCase } from './track';

const security = [{ session: [] }];
const readErrors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const writeErrors = { ...readErrors, 409: ErrorBody };
const binary = (what: string) =>
  Type.Unsafe<Buffer>({
    description: what,
    content: Object.fromEntries(
      [...PHOTO_MIME_TYPES].map((t) => [t, { schema: { type: 'string', format: 'binary' } }]),
    ),
  });

export const caseRoutes: RegisterRoutes = async (app, ctx) => {
  // The busiest writes: they change cases only, so the server keeps its caches (keepsCaches).
  app.post(
    '/api/cases',
    {
      config: { keepsCaches: true },
      schema: {
        tags: ['cases'],
        summary:
          'Take a case in (window, hotline, mailbox, transfer: staff for a resident; patrol: grid worker; online: resident)',
        security,
        body: CaseCreate,
        response: { 201: CaseDetail, ...writeErrors },
      },
    },
    async (req, reply) => {
      const created = await intake(ctx, req.requireActor(), req.body, { ip: req.ip, requestId: req.id });
      return reply.code(201).send(created);
    },
  );

  app.get(
    '/api/cases',
    {
      schema: {
        tags: ['cases'],
        summary:
          'Cases within scope, newest first, with filters and counts by status; mine=true: my work list',
        security,
        querystring: CaseListQuery,
        response: { 200: CaseList, ...readErrors },
      },
    },
    async (req) => listCases(ctx, req.ability, req.requireActor(), req.query, app.nameBook),
  );

  // Declared before /api/cases/:id (the router prefers the static segment anyway; this keeps it obvious).
  app.get(
    '/api/cases/similar',
    {
      schema: {
        tags: ['cases'],
        summary:
          'Open cases like the one being entered: same category in the community or within 300 m, or similar text; within the reader’s scope, best ten',
        security,
        querystring: SimilarQuery,
        response: { 200: SimilarList, ...readErrors },
      },
    },
    async (req) => similarCases(ctx, req.ability, req.requireActor(), req.query),
  );

  app.get(
    '/api/cases/:id',
    {
      schema: {
        tags: ['cases'],
        summary: 'One case (personal data masked) with the actions this user may take now',
        security,
        params: CaseIdParams,
        response: { 200: CaseDetail, ...readErrors },
      },
    },
    async (req) => detailOf(ctx, req.requireActor(), req.params.id),
  );

  app.get(
    '/api/cases/:id/events',
    {
      schema: {
        tags: ['cases'],
        summary: 'The timeline of a case: its append-only events, oldest first',
        security,
        params: CaseIdParams,
        response: { 200: CaseEventList, ...readErrors },
      },
    },
    async (req) => ({ items: await eventsOf(ctx, req.requireActor(), req.params.id) }),
  );

  app.get(
    '/api/cases/:id/dispatch-targets',
    {
      schema: {
        tags: ['cases'],
        summary: 'The departments this case may be dispatched or transferred to (those of its district)',
        security,
        params: CaseIdParams,
        response: { 200: DepartmentList, ...readErrors },
      },
    },
    async (req) => dispatchDepartmentsOf(ctx, req.requireActor(), req.params.id),
  );

  app.post(
    '/api/cases/:id/actions',
    {
      config: { keepsCaches: true },
      schema: {
        tags: ['cases'],
        summary:
          'Take an action of the state machine at the version seen (409 case.stale, case.illegal_transition)',
        security,
        params: CaseIdParams,
        body: CaseActionBody,
        response: { 200: CaseDetail, ...writeErrors },
      },
    },
    async (req) => act(ctx, req.requireActor(), req.params.id, req.body, { ip: req.ip, requestId: req.id }),
  );

  await app.register(async (scope) => photoUpload(scope as App, ctx));

  app.get(
    '/api/cases/:id/photos',
    {
      schema: {
        tags: ['cases'],
        summary:
          'The photos of a case, oldest first (eventSeq: the step each belongs to, null while unattached)',
        security,
        params: CaseIdParams,
        response: { 200: AttachmentList, ...readErrors },
      },
    },
    async (req) => ({ items: await listPhotos(ctx, req.requireActor(), req.params.id) }),
  );

  for (const variant of ['full', 'thumb'] as const) {
    app.get(
      variant === 'full' ? '/api/attachments/:id' : '/api/attachments/:id/thumb',
      {
        schema: {
          tags: ['cases'],
          summary:
            variant === 'full'
              ? 'A photo (re-encoded, metadata stripped), for whoever may read its case'
              : 'The 320 px WebP thumbnail of a photo',
          security,
          params: AttachmentIdParams,
          response: { 200: binary(variant === 'full' ? 'The image' : 'The thumbnail'), ...readErrors },
        },
      },
      async (req, reply) => {
        const file = await readAttachment(ctx, req.requireActor(), req.params.id, variant);
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

  app.get(
    '/api/track',
    {
      config: {
        auth: 'public',
        // Four digits are few: a tight limit per address (a sixtieth of the general one, 10/min by default).
        rateLimit: {
          max: Math.max(1, Math.floor(ctx.config.rateLimitPerMinute / 60)),
          timeWindow: '1 minute',
        },
      },
      schema: {
        tags: ['cases'],
        summary:
          'Public progress of a case by its number and the last four digits of the reporter’s phone; no personal data; every miss is the same 404',
        querystring: TrackQuery,
        response: { 200: TrackView, 400: ErrorBody, 404: ErrorBody, 429: ErrorBody },
      },
    },
    async (req) => trackCase(ctx, req.query),
  );
};

/**
 * The photo upload, in a scope of its own: only here are raw images (up to 10 MB) parsed; every other route keeps
 * JSON at the general body limit. A body without a Content-Type is read (at the general limit) so that the
 * handler answers 403/404 before 415; one of any other declared type is refused at once with 415.
 */
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
    '/api/cases/:id/photos',
    {
      // Retries are safe without Idempotency-Key: the same bytes from the same person answer the stored photo.
      config: { idempotency: false, keepsCaches: true },
      schema: {
        tags: ['cases'],
        summary: `Add a photo: the raw image as the body (Content-Type ${PHOTO_MIME_TYPES.join(', ')}; at most 10 MB, ${PHOTOS_PER_CASE} per case). 201 stored; 200 when the same person sent the same image before`,
        security,
        params: CaseIdParams,
        response: {
          200: AttachmentView,
          201: AttachmentView,
          ...writeErrors,
          413: ErrorBody,
          415: ErrorBody,
        },
      },
    },
    async (req, reply) => {
      const { photo, created } = await uploadPhoto(
        ctx,
        req.requireActor(),
        req.params.id,
        req.headers['content-type'],
        req.body,
        { ip: req.ip, requestId: req.id },
      );
      return reply.code(created ? 201 : 200).send(photo);
    },
  );
}
