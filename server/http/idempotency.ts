/**
 * Idempotency-Key for mutating POSTs: the first response is replayed for 24 hours, a retry while the first
 * is still running gets 409, and the same key with a different body gets 422.
 */
import { and, eq, lt } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../context';
import { sha256 } from '../crypto';
import { canonicalJson } from '../modules/audit/log';
import { AppError, invalidField } from './errors';
import { idempotencyKeys } from './tables';
import type { App } from './types';

const TTL_MS = 24 * 3600 * 1000;
const KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

declare module 'fastify' {
  interface FastifyRequest {
    idempotency: { scope: string; key: string } | null;
  }
}

function requestHash(req: FastifyRequest): string {
  return sha256(canonicalJson([req.method, req.url, req.body ?? null]));
}

export function registerIdempotency(app: App, ctx: AppContext): void {
  app.decorateRequest('idempotency', null);

  // preHandler runs after validation, so a replay is only ever of a request that was valid.
  app.addHook('preHandler', async (req, reply) => {
    const header = req.headers['idempotency-key'];
    if (req.method !== 'POST' || header === undefined || req.routeOptions.config?.idempotency === false)
      return;
    if (typeof header !== 'string' || !KEY_PATTERN.test(header)) {
      throw invalidField('headers.idempotency-key', 'pattern');
    }
    const scope = req.actor?.accountId ?? 'anonymous';
    const hash = requestHash(req);
    const now = new Date();
    // Expired keys are forgotten first, so they can be used again.
    await ctx.db
      .delete(idempotencyKeys)
      .where(
        and(
          eq(idempotencyKeys.scope, scope),
          eq(idempotencyKeys.key, header),
          lt(idempotencyKeys.expiresAt, now),
        ),
      );
    const inserted = await ctx.db
      .insert(idempotencyKeys)
      .values({
        scope,
        key: header,
        method: req.method,
        path: req.url,
        requestHash: hash,
        state: 'in_flight',
        expiresAt: new Date(now.getTime() + TTL_MS),
      })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key });
    if (inserted.length > 0) {
      req.idempotency = { scope, key: header };
      return;
    }
    const [existing] = await ctx.db
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, header)));
    if (!existing) throw new AppError('idempotency.in_flight');
    if (existing.requestHash !== hash) throw new AppError('idempotency.mismatch');
    if (existing.state !== 'done') throw new AppError('idempotency.in_flight');
    const headers = (existing.responseHeaders ?? {}) as Record<string, string>;
    for (const [k, v] of Object.entries(headers)) reply.header(k, v);
    reply.header('idempotent-replayed', 'true');
    return reply.code(existing.responseStatus ?? 200).send(existing.responseBody ?? '');
  });

  app.addHook('onSend', async (req, reply, payload) => {
    const idem = req.idempotency;
    if (!idem) return payload;
    req.idempotency = null;
    const where = and(eq(idempotencyKeys.scope, idem.scope), eq(idempotencyKeys.key, idem.key));
    if (reply.statusCode >= 500 || typeof payload !== 'string') {
      // A failure of ours is not an answer to remember: the client may retry with the same key.
      await ctx.db.delete(idempotencyKeys).where(where);
      return payload;
    }
    const contentType = reply.getHeader('content-type');
    await ctx.db
      .update(idempotencyKeys)
      .set({
        state: 'done',
        responseStatus: reply.statusCode,
        responseBody: payload,
        responseHeaders: typeof contentType === 'string' ? { 'content-type': contentType } : {},
      })
      .where(where);
    return payload;
  });
}
