/** HTTP routes of staff account administration and session management; thin: each calls a service function. */
import type { FastifyRequest } from 'fastify';
import {
  AccountCreate,
  AccountCreated,
  AccountIdParams,
  AccountList,
  AccountListQuery,
  AccountUpdate,
  AccountView,
  AssignmentIdParams,
  AssignmentInput,
  PasswordReset,
  RevealBody,
  RevealResponse,
  SessionIdParams,
  SessionList,
  SessionListQuery,
} from '../../../common/schemas/accounts';
import { ErrorBody, Ok } from '../../../common/schemas/common';
import type { RegisterRoutes } from '../index';
import {
  addAssignment,
  createAccount,
  getAccount,
  listAccounts,
  listSessions,
  resetPassword,
  revealPersonalData,
  revokeAssignment,
  terminateSession,
  unlockAccount,
  updateAccount,
  type AccountListInput,
  type AssignmentData,
  type CreateAccountInput,
  type RequestMeta,
} from './service';

const security = [{ session: [] }];
// Cookie-authenticated writes also send the X-CSRF-Token header.
const writeSecurity = [{ session: [], csrf: [] }];
const readErrors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const writeErrors = { ...readErrors, 409: ErrorBody };

function meta(req: FastifyRequest): RequestMeta {
  return { ip: req.ip, requestId: req.id };
}

export const accountAdminRoutes: RegisterRoutes = async (app, ctx) => {
  app.get(
    '/api/accounts',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Accounts whose home area (or an active assignment) lies in scope; ordered by username',
        security,
        querystring: AccountListQuery,
        response: { 200: AccountList, ...readErrors },
      },
    },
    async (req) => listAccounts(ctx, req.requireActor(), req.query as AccountListInput),
  );

  app.post(
    '/api/accounts',
    {
      // The response carries a temporary password: it must not be stored for Idempotency-Key replays.
      // A retried create answers 409 username_taken, so nothing is created twice.
      config: { idempotency: false },
      schema: {
        tags: ['accounts'],
        summary: 'Create a staff account; without a password a temporary one is returned once',
        security: writeSecurity,
        body: AccountCreate,
        response: { 201: AccountCreated, ...writeErrors },
      },
    },
    async (req, reply) => {
      const created = await createAccount(ctx, req.requireActor(), req.body as CreateAccountInput, meta(req));
      return reply.code(201).send(created);
    },
  );

  app.get(
    '/api/accounts/:id',
    {
      schema: {
        tags: ['accounts'],
        summary: 'One account (404 when outside scope)',
        security,
        params: AccountIdParams,
        response: { 200: AccountView, ...readErrors },
      },
    },
    async (req) => getAccount(ctx, req.requireActor(), req.params.id),
  );

  app.patch(
    '/api/accounts/:id',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Change display name or phone, disable or re-enable (disabling ends its sessions)',
        security: writeSecurity,
        params: AccountIdParams,
        body: AccountUpdate,
        response: { 200: AccountView, ...writeErrors },
      },
    },
    async (req) => updateAccount(ctx, req.requireActor(), req.params.id, req.body, meta(req)),
  );

  app.post(
    '/api/accounts/:id/assignments',
    {
      schema: {
        tags: ['accounts'],
        summary: "Grant an assignment (role + area or department); the account's sessions end",
        security: writeSecurity,
        params: AccountIdParams,
        body: AssignmentInput,
        response: { 200: AccountView, ...writeErrors },
      },
    },
    async (req) =>
      addAssignment(ctx, req.requireActor(), req.params.id, req.body as AssignmentData, meta(req)),
  );

  app.delete(
    '/api/accounts/:id/assignments/:assignmentId',
    {
      schema: {
        tags: ['accounts'],
        summary: "Revoke an assignment (kept in history); the account's sessions end",
        security: writeSecurity,
        params: AssignmentIdParams,
        response: { 200: AccountView, ...writeErrors },
      },
    },
    async (req) =>
      revokeAssignment(ctx, req.requireActor(), req.params.id, req.params.assignmentId, meta(req)),
  );

  app.post(
    '/api/accounts/:id/reset-password',
    {
      // The temporary password must not be kept in the idempotency table; a retry just sets another one.
      config: { idempotency: false },
      schema: {
        tags: ['accounts'],
        summary: 'Set a temporary password (changed at next login); ends sessions and lifts any lock-out',
        security: writeSecurity,
        params: AccountIdParams,
        response: { 200: PasswordReset, ...writeErrors },
      },
    },
    async (req) => resetPassword(ctx, req.requireActor(), req.params.id, meta(req)),
  );

  app.post(
    '/api/accounts/:id/unlock',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Lift a lock-out after failed logins',
        security: writeSecurity,
        params: AccountIdParams,
        response: { 200: Ok, ...writeErrors },
      },
    },
    async (req) => unlockAccount(ctx, req.requireActor(), req.params.id, meta(req)),
  );

  app.post(
    '/api/accounts/:id/reveal',
    {
      // A replay would hand out the clear value again without a new audit entry.
      config: { idempotency: false },
      schema: {
        tags: ['accounts'],
        summary: 'Show the phone number in clear for a stated purpose (audited)',
        security: writeSecurity,
        params: AccountIdParams,
        body: RevealBody,
        response: { 200: RevealResponse, ...writeErrors },
      },
    },
    async (req) => revealPersonalData(ctx, req.requireActor(), req.params.id, req.body, meta(req)),
  );

  app.get(
    '/api/sessions',
    {
      schema: {
        tags: ['sessions'],
        summary: 'Active sessions of accounts in scope (security administrator)',
        security,
        querystring: SessionListQuery,
        response: { 200: SessionList, ...readErrors },
      },
    },
    async (req) => listSessions(ctx, req.requireActor(), req.query),
  );

  app.delete(
    '/api/sessions/:id',
    {
      schema: {
        tags: ['sessions'],
        summary: 'End a session (security administrator)',
        security: writeSecurity,
        params: SessionIdParams,
        response: { 200: Ok, ...readErrors },
      },
    },
    async (req) => terminateSession(ctx, req.requireActor(), req.params.id, meta(req)),
  );
};
