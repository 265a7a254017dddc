/** HTTP routes of cases (诉求/事件); thin: each calls a service function. */
import {
  CaseActionBody,
  CaseCreate,
  CaseDetail,
  CaseEventList,
  CaseIdParams,
  CaseList,
  CaseListQuery,
} from '../../../common/schemas/cases';
import { ErrorBody } from '../../../common/schemas/common';
import type { RegisterRoutes } from '../index';
import { act, detailOf, eventsOf, intake, listCases } from './service';

const security = [{ session: [] }];
const readErrors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const writeErrors = { ...readErrors, 409: ErrorBody };

export const caseRoutes: RegisterRoutes = async (app, ctx) => {
  app.post(
    '/api/cases',
    {
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
    async (req) => listCases(ctx, req.ability, req.requireActor(), req.query),
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

  app.post(
    '/api/cases/:id/actions',
    {
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
};
