/** HTTP routes of Open311 API keys (administrators, within their area); thin: each calls a service function. */
import {
  ApiKeyCreate,
  ApiKeyCreated,
  ApiKeyIdParams,
  ApiKeyList,
  ApiKeyView,
} from '../../../common/schemas/apikeys';
import { ErrorBody } from '../../../common/schemas/common';
import type { RegisterRoutes } from '../index';
import { createApiKey, listApiKeys, revokeApiKey } from './apikeys';

const security = [{ session: [] }];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };

export const apiKeyRoutes: RegisterRoutes = async (app, ctx) => {
  app.get(
    '/api/apikeys',
    {
      schema: {
        tags: ['open311'],
        summary: 'Open311 API keys within my area (the keys themselves are never shown again)',
        security,
        response: { 200: ApiKeyList, ...errors },
      },
    },
    async (req) => ({ items: await listApiKeys(ctx, req.requireActor()) }),
  );

  app.post(
    '/api/apikeys',
    {
      // A replayed answer would keep the key in the idempotency table for a day: only its hash may be stored.
      config: { idempotency: false },
      schema: {
        tags: ['open311'],
        summary: 'Issue an Open311 API key for a client and an area; the key is in this answer only',
        security,
        body: ApiKeyCreate,
        response: { 201: ApiKeyCreated, ...errors },
      },
    },
    async (req, reply) => {
      const created = await createApiKey(ctx, req.requireActor(), req.body, {
        ip: req.ip,
        requestId: req.id,
      });
      // The key must not sit in any cache.
      reply.header('cache-control', 'no-store');
      return reply.code(201).send(created);
    },
  );

  app.post(
    '/api/apikeys/:id/revoke',
    {
      schema: {
        tags: ['open311'],
        summary: 'Revoke an Open311 API key (idempotent)',
        security,
        params: ApiKeyIdParams,
        response: { 200: ApiKeyView, ...errors },
      },
    },
    async (req) => revokeApiKey(ctx, req.requireActor(), req.params.id, { ip: req.ip, requestId: req.id }),
  );
};
