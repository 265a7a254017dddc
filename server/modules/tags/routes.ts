/** HTTP routes of the focus groups (重点人群): the tag tree, residents' tags, lists and counts per area; thin. */
import type { FastifyRequest } from 'fastify';
import { ErrorBody } from '../../../common/schemas/common';
import { IdParams } from '../../../common/schemas/people';
import {
  ResidentTag,
  ResidentTagCreate,
  ResidentTagEnd,
  ResidentTagList,
  ResidentTagListQuery,
  ResidentTagParams,
  Tag,
  TagCounts,
  TagCountsQuery,
  TagCreate,
  TaggedResidentList,
  TagIdParams,
  TagList,
  TagListQuery,
  TagResidentsQuery,
  TagUpdate,
} from '../../../common/schemas/tags';
import type { RequestMeta } from '../areas/audit-meta';
import type { RegisterRoutes } from '../index';
import {
  createTag,
  endResidentTag,
  getTag,
  listResidentTags,
  listTags,
  tagCounts,
  tagResident,
  tagResidents,
  updateTag,
} from './service';

const security = [{ session: [] }];
// Cookie-authenticated writes also send the X-CSRF-Token header.
const writeSecurity = [{ session: [], csrf: [] }];
const readErrors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const writeErrors = { ...readErrors, 409: ErrorBody };
const tags = ['tags'];

function meta(req: FastifyRequest): RequestMeta {
  return { ip: req.ip, requestId: req.id };
}

export const tagRoutes: RegisterRoutes = async (app, ctx) => {
  app.get(
    '/api/tags',
    {
      schema: {
        tags,
        summary: 'The focus-group tag tree the reader may see (the administrator: every tag)',
        security,
        querystring: TagListQuery,
        response: { 200: TagList, ...readErrors },
      },
    },
    async (req) => ({ items: await listTags(ctx, req.requireActor(), req.query) }),
  );

  app.post(
    '/api/tags',
    {
      schema: {
        tags,
        summary: 'Create a tag: sensitivity, detail fields, the roles that see it (administrator)',
        security: writeSecurity,
        body: TagCreate,
        response: { 200: Tag, ...writeErrors },
      },
    },
    async (req) => createTag(ctx, req.requireActor(), req.body, meta(req)),
  );

  app.get(
    '/api/tags/counts',
    {
      schema: {
        tags,
        summary:
          'Residents per focus group (a tag and the visible tags below it) per child area, e.g. per grid of a community',
        security,
        querystring: TagCountsQuery,
        response: { 200: TagCounts, ...readErrors },
      },
    },
    async (req) => tagCounts(ctx, req.requireActor(), req.query),
  );

  app.get(
    '/api/tags/:id',
    {
      schema: {
        tags,
        summary: 'One tag; a tag the reader may not see answers 404 like one that does not exist',
        security,
        params: TagIdParams,
        response: { 200: Tag, ...readErrors },
      },
    },
    async (req) => getTag(ctx, req.requireActor(), req.params.id),
  );

  app.patch(
    '/api/tags/:id',
    {
      schema: {
        tags,
        summary: 'Change a tag (rename, move, fields, sensitivity, visibility, deactivate); administrator',
        security: writeSecurity,
        params: TagIdParams,
        body: TagUpdate,
        response: { 200: Tag, ...writeErrors },
      },
    },
    async (req) => updateTag(ctx, req.requireActor(), req.params.id, req.body, meta(req)),
  );

  app.get(
    '/api/tags/:id/members',
    {
      schema: {
        tags,
        summary: 'Residents of a focus group within scope (numbers masked), optionally in an area',
        security,
        params: TagIdParams,
        querystring: TagResidentsQuery,
        response: { 200: TaggedResidentList, ...readErrors },
      },
    },
    async (req) => tagResidents(ctx, req.requireActor(), req.params.id, req.query),
  );

  app.get(
    '/api/residents/:id/focus-tags',
    {
      schema: {
        tags,
        summary: "A resident's tags the reader may see, with their details (history on request)",
        security,
        params: IdParams,
        querystring: ResidentTagListQuery,
        response: { 200: ResidentTagList, ...readErrors },
      },
    },
    async (req) =>
      listResidentTags(ctx, req.requireActor(), req.params.id, { history: req.query.history }, meta(req)),
  );

  app.post(
    '/api/residents/:id/focus-tags',
    {
      schema: {
        tags,
        summary: 'Tag a resident; detail values are checked against the tag’s fields and stored encrypted',
        security: writeSecurity,
        params: IdParams,
        body: ResidentTagCreate,
        response: { 200: ResidentTag, ...writeErrors },
      },
    },
    async (req) => tagResident(ctx, req.requireActor(), req.params.id, req.body, meta(req)),
  );

  app.post(
    '/api/residents/:id/focus-tags/:residentTagId/end',
    {
      schema: {
        tags,
        summary: "End a resident's tag (sets its to date; the history is kept)",
        security: writeSecurity,
        params: ResidentTagParams,
        body: ResidentTagEnd,
        response: { 200: ResidentTag, ...writeErrors },
      },
    },
    async (req) =>
      endResidentTag(ctx, req.requireActor(), req.params.id, req.params.residentTagId, req.body, meta(req)),
  );
};
