/** HTTP routes of the case category tree and the routing rules; thin: each calls a service function. */
import {
  Category,
  CategoryCreate,
  CategoryList,
  CategoryListQuery,
  CategoryUpdate,
  IdParams,
  RoutingResolution,
  RoutingResolveQuery,
  RoutingRule,
  RoutingRuleCreate,
  RoutingRuleList,
  RoutingRuleListQuery,
} from '../../../common/schemas/categories';
import { ErrorBody, Ok } from '../../../common/schemas/common';
import type { RegisterRoutes } from '../index';
import { createRoutingRule, deleteRoutingRule, listRoutingRules, previewRouting } from './routing';
import { createCategory, listCategories, updateCategory } from './service';

const security = [{ session: [] }];
const readErrors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const writeErrors = { ...readErrors, 409: ErrorBody };

export const categoryRoutes: RegisterRoutes = async (app, ctx) => {
  app.get(
    '/api/categories',
    {
      schema: {
        tags: ['categories'],
        summary:
          'The case category tree as a flat list (parents first, with parentId); every signed-in user may read it',
        security,
        querystring: CategoryListQuery,
        response: { 200: CategoryList, ...readErrors },
      },
    },
    async (req) => {
      req.requireActor();
      return { items: await listCategories(ctx, req.query.active ?? true) };
    },
  );

  app.post(
    '/api/categories',
    {
      schema: {
        tags: ['categories'],
        summary: 'Create a category (urgent ones need deadlineHours)',
        security,
        body: CategoryCreate,
        response: { 201: Category, ...writeErrors },
      },
    },
    async (req, reply) => {
      const created = await createCategory(ctx, req.requireActor(), req.body, {
        ip: req.ip,
        requestId: req.id,
      });
      return reply.code(201).send(created);
    },
  );

  app.patch(
    '/api/categories/:id',
    {
      schema: {
        tags: ['categories'],
        summary:
          'Change a category; deactivate it with active: false (categories are never deleted); send version to refuse concurrent edits (409)',
        security,
        params: IdParams,
        body: CategoryUpdate,
        response: { 200: Category, ...writeErrors },
      },
    },
    async (req) =>
      updateCategory(ctx, req.requireActor(), req.params.id, req.body, { ip: req.ip, requestId: req.id }),
  );

  app.get(
    '/api/routing-rules',
    {
      schema: {
        tags: ['categories'],
        summary: 'Routing rules whose area lies within scope',
        security,
        querystring: RoutingRuleListQuery,
        response: { 200: RoutingRuleList, ...readErrors },
      },
    },
    async (req) => ({ items: await listRoutingRules(ctx, req.ability, req.query) }),
  );

  app.get(
    '/api/routing-rules/resolve',
    {
      schema: {
        tags: ['categories'],
        summary: 'Preview who would hold a case of a category located at an area',
        security,
        querystring: RoutingResolveQuery,
        response: { 200: RoutingResolution, ...readErrors },
      },
    },
    async (req) => previewRouting(ctx, req.ability, req.query),
  );

  app.post(
    '/api/routing-rules',
    {
      schema: {
        tags: ['categories'],
        summary:
          'Create a routing rule: cases of a category (or any) in an area subtree go to a department or a level',
        security,
        body: RoutingRuleCreate,
        response: { 201: RoutingRule, ...writeErrors },
      },
    },
    async (req, reply) => {
      const rule = await createRoutingRule(ctx, req.requireActor(), req.body, {
        ip: req.ip,
        requestId: req.id,
      });
      return reply.code(201).send(rule);
    },
  );

  app.delete(
    '/api/routing-rules/:id',
    {
      schema: {
        tags: ['categories'],
        summary: 'Delete a routing rule',
        security,
        params: IdParams,
        response: { 200: Ok, ...writeErrors },
      },
    },
    async (req) => {
      await deleteRoutingRule(ctx, req.requireActor(), req.params.id, { ip: req.ip, requestId: req.id });
      return { ok: true as const };
    },
  );
};
