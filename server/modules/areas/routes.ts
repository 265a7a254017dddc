/** HTTP routes of the area tree, grids and departments; thin: each calls a service function. */
import { Type } from 'typebox';
import {
  AreaChildrenQuery,
  AreaCode,
  AreaList,
  AreaLookupList,
  AreaLookupQuery,
  AreaSearchQuery,
  AreaWithAncestors,
  Area,
  Department,
  DepartmentCreate,
  DepartmentList,
  DepartmentListQuery,
  GridCreate,
  GridUpdate,
} from '../../../common/schemas/areas';
import { ErrorBody, Ok } from '../../../common/schemas/common';
import type { RegisterRoutes } from '../index';
import { createDepartment, listDepartments } from './departments';
import { createGrid, deleteGrid, updateGrid } from './grids';
import { lookupPlaces } from './lookup';
import { getAreaDetail, listChildren, listRoots, searchAreas } from './queries';

const CodeParams = Type.Object({ code: AreaCode });
const security = [{ session: [] }];
const readErrors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const writeErrors = { ...readErrors, 409: ErrorBody };

export const areaRoutes: RegisterRoutes = async (app, ctx) => {
  app.get(
    '/api/areas',
    {
      schema: {
        tags: ['areas'],
        summary: "Children of an area (ordered by code), or without parent the actor's root areas",
        security,
        querystring: AreaChildrenQuery,
        response: { 200: AreaList, ...readErrors },
      },
    },
    async (req) => {
      const parent = req.query.parent;
      const items =
        parent === undefined
          ? await listRoots(ctx, req.ability)
          : await listChildren(ctx, req.ability, parent);
      return { items };
    },
  );

  app.get(
    '/api/areas/search',
    {
      schema: {
        tags: ['areas'],
        summary: 'Areas within scope whose name contains q or whose code starts with q; shallow levels first',
        security,
        querystring: AreaSearchQuery,
        response: { 200: AreaList, ...readErrors },
      },
    },
    async (req) => ({ items: await searchAreas(ctx, req.ability, req.query) }),
  );

  app.get(
    '/api/areas/lookup',
    {
      schema: {
        tags: ['areas'],
        summary:
          "Communities and grids whose name, or their community's, street's or district's, contains q (every signed-in account: public names)",
        security,
        querystring: AreaLookupQuery,
        response: { 200: AreaLookupList, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (req) => {
      req.requireActor();
      return { items: await lookupPlaces(ctx, req.query) };
    },
  );

  app.get(
    '/api/areas/:code',
    {
      schema: {
        tags: ['areas'],
        summary: 'One area with the names and codes of its ancestors (breadcrumbs)',
        security,
        params: CodeParams,
        response: { 200: AreaWithAncestors, ...readErrors },
      },
    },
    async (req) => getAreaDetail(ctx, req.ability, req.params.code),
  );

  app.post(
    '/api/areas/:code/grids',
    {
      schema: {
        tags: ['areas'],
        summary:
          'Create a grid under a community (code = community code + 3 digits; the next free when omitted)',
        security,
        params: CodeParams,
        body: GridCreate,
        response: { 201: Area, ...writeErrors },
      },
    },
    async (req, reply) => {
      const grid = await createGrid(ctx, req.requireActor(), req.params.code, req.body, {
        ip: req.ip,
        requestId: req.id,
      });
      return reply.code(201).send(grid);
    },
  );

  app.patch(
    '/api/grids/:code',
    {
      schema: {
        tags: ['areas'],
        summary: 'Rename a grid or change its boundary; send version to refuse concurrent edits (409)',
        security,
        params: CodeParams,
        body: GridUpdate,
        response: { 200: Area, ...writeErrors },
      },
    },
    async (req) =>
      updateGrid(ctx, req.requireActor(), req.params.code, req.body, { ip: req.ip, requestId: req.id }),
  );

  app.delete(
    '/api/grids/:code',
    {
      schema: {
        tags: ['areas'],
        summary: 'Delete a grid nobody is assigned to and nothing refers to',
        security,
        params: CodeParams,
        response: { 200: Ok, ...writeErrors },
      },
    },
    async (req) => {
      await deleteGrid(ctx, req.requireActor(), req.params.code, { ip: req.ip, requestId: req.id });
      return { ok: true as const };
    },
  );

  app.get(
    '/api/departments',
    {
      schema: {
        tags: ['areas'],
        summary: 'Departments (职能部门) within scope, with their district names',
        security,
        querystring: DepartmentListQuery,
        response: { 200: DepartmentList, ...readErrors },
      },
    },
    async (req) => ({ items: await listDepartments(ctx, req.ability, req.query) }),
  );

  app.post(
    '/api/departments',
    {
      schema: {
        tags: ['areas'],
        summary: 'Create a department under a district',
        security,
        body: DepartmentCreate,
        response: { 201: Department, ...writeErrors },
      },
    },
    async (req, reply) => {
      const dept = await createDepartment(ctx, req.requireActor(), req.body, {
        ip: req.ip,
        requestId: req.id,
      });
      return reply.code(201).send(dept);
    },
  );
};
