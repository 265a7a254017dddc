/** HTTP routes of the population register (residents and households); thin: each calls a service function. */
import type { FastifyRequest } from 'fastify';
import { ErrorBody } from '../../../common/schemas/common';
import {
  DeathBody,
  HouseholdCard,
  HouseholdCreate,
  HouseholdList,
  HouseholdListQuery,
  IdParams,
  MemberAdd,
  MemberLeave,
  MemberParams,
  MemberUpdate,
  MoveInBody,
  MoveOutBody,
  ResidentCard,
  ResidentCreate,
  ResidentList,
  ResidentListQuery,
  ResidentUpdate,
  RevealBody,
  Revealed,
} from '../../../common/schemas/people';
import type { RequestMeta } from '../accounts/service';
import type { RegisterRoutes } from '../index';
import {
  addMember,
  changeRelation,
  createHousehold,
  createResident,
  getHousehold,
  getResident,
  leaveHousehold,
  listHouseholds,
  listResidents,
  moveIn,
  moveOut,
  recordDeath,
  revealResidentField,
  updateResident,
} from './service';

const security = [{ session: [] }];
// Cookie-authenticated writes also send the X-CSRF-Token header.
const writeSecurity = [{ session: [], csrf: [] }];
const readErrors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const writeErrors = { ...readErrors, 409: ErrorBody };
const tags = ['people'];

function meta(req: FastifyRequest): RequestMeta {
  return { ip: req.ip, requestId: req.id };
}

export const peopleRoutes: RegisterRoutes = async (app, ctx) => {
  app.get(
    '/api/residents',
    {
      schema: {
        tags,
        summary:
          'Residents within scope: of a dwelling (living there now), a household (members now), an area; search by name, pinyin initials, last four or full ID/phone number. Numbers are masked.',
        security,
        querystring: ResidentListQuery,
        response: { 200: ResidentList, ...readErrors },
      },
    },
    async (req) => listResidents(ctx, req.requireActor(), req.query),
  );

  app.post(
    '/api/residents',
    {
      schema: {
        tags,
        summary:
          'Register a resident (ID number checked by GB 11643, legacy 15 digits upgraded; phone checked), optionally into a household',
        security: writeSecurity,
        body: ResidentCreate,
        response: { 200: ResidentCard, ...writeErrors },
      },
    },
    async (req) => createResident(ctx, req.requireActor(), req.body, meta(req)),
  );

  app.get(
    '/api/residents/:id',
    {
      schema: {
        tags,
        summary: "A resident's card: masked ID and phone, household and dwelling history, events",
        security,
        params: IdParams,
        response: { 200: ResidentCard, ...readErrors },
      },
    },
    async (req) => getResident(ctx, req.requireActor(), req.params.id, meta(req)),
  );

  app.patch(
    '/api/residents/:id',
    {
      schema: {
        tags,
        summary: "Correct a resident's data (recorded as a 'corrected' event naming the fields)",
        security: writeSecurity,
        params: IdParams,
        body: ResidentUpdate,
        response: { 200: ResidentCard, ...writeErrors },
      },
    },
    async (req) => updateResident(ctx, req.requireActor(), req.params.id, req.body, meta(req)),
  );

  app.post(
    '/api/residents/:id/death',
    {
      schema: {
        tags,
        summary: 'Record a death: the household and dwelling links end, a "died" event',
        security: writeSecurity,
        params: IdParams,
        body: DeathBody,
        response: { 200: ResidentCard, ...writeErrors },
      },
    },
    async (req) => recordDeath(ctx, req.requireActor(), req.params.id, req.body, meta(req)),
  );

  app.post(
    '/api/residents/:id/reveal',
    {
      // A replay would hand out the clear value again without a new grant and audit entry.
      config: { idempotency: false },
      schema: {
        tags,
        summary:
          'Show the ID or phone number in clear for a stated purpose, for 5 minutes (a grant row and an audit entry)',
        security: writeSecurity,
        params: IdParams,
        body: RevealBody,
        response: { 200: Revealed, ...writeErrors },
      },
    },
    async (req) => revealResidentField(ctx, req.requireActor(), req.params.id, req.body, meta(req)),
  );

  app.get(
    '/api/households',
    {
      schema: {
        tags,
        summary: 'Households within scope: of a dwelling (living there now), of an area, or by number',
        security,
        querystring: HouseholdListQuery,
        response: { 200: HouseholdList, ...readErrors },
      },
    },
    async (req) => listHouseholds(ctx, req.requireActor(), req.query),
  );

  app.post(
    '/api/households',
    {
      schema: {
        tags,
        summary: 'Create a household (户) at a grid or community, optionally living in a dwelling',
        security: writeSecurity,
        body: HouseholdCreate,
        response: { 200: HouseholdCard, ...writeErrors },
      },
    },
    async (req) => createHousehold(ctx, req.requireActor(), req.body, meta(req)),
  );

  app.get(
    '/api/households/:id',
    {
      schema: {
        tags,
        summary: "A household's card: members now and before with relations and dates, and its events",
        security,
        params: IdParams,
        response: { 200: HouseholdCard, ...readErrors },
      },
    },
    async (req) => getHousehold(ctx, req.requireActor(), req.params.id, meta(req)),
  );

  app.post(
    '/api/households/:id/members',
    {
      schema: {
        tags,
        summary: 'Add a resident to the household with a relation to its head',
        security: writeSecurity,
        params: IdParams,
        body: MemberAdd,
        response: { 200: HouseholdCard, ...writeErrors },
      },
    },
    async (req) => addMember(ctx, req.requireActor(), req.params.id, req.body, meta(req)),
  );

  app.patch(
    '/api/households/:id/members/:residentId',
    {
      schema: {
        tags,
        summary: "Change a member's relation to the head (the old link ends, a new one begins)",
        security: writeSecurity,
        params: MemberParams,
        body: MemberUpdate,
        response: { 200: HouseholdCard, ...writeErrors },
      },
    },
    async (req) =>
      changeRelation(ctx, req.requireActor(), req.params.id, req.params.residentId, req.body, meta(req)),
  );

  app.post(
    '/api/households/:id/members/:residentId/leave',
    {
      schema: {
        tags,
        summary: 'A member leaves the household (the link gets its end date)',
        security: writeSecurity,
        params: MemberParams,
        body: MemberLeave,
        response: { 200: HouseholdCard, ...writeErrors },
      },
    },
    async (req) =>
      leaveHousehold(ctx, req.requireActor(), req.params.id, req.params.residentId, req.body, meta(req)),
  );

  app.post(
    '/api/households/:id/move-in',
    {
      schema: {
        tags,
        summary: 'The household moves into a dwelling of its community (a moved_in event per member)',
        security: writeSecurity,
        params: IdParams,
        body: MoveInBody,
        response: { 200: HouseholdCard, ...writeErrors },
      },
    },
    async (req) => moveIn(ctx, req.requireActor(), req.params.id, req.body, meta(req)),
  );

  app.post(
    '/api/households/:id/move-out',
    {
      schema: {
        tags,
        summary:
          'The household moves out of its dwelling (a moved_out event per member); leftArea: its members leave the area',
        security: writeSecurity,
        params: IdParams,
        body: MoveOutBody,
        response: { 200: HouseholdCard, ...writeErrors },
      },
    },
    async (req) => moveOut(ctx, req.requireActor(), req.params.id, req.body, meta(req)),
  );
};
