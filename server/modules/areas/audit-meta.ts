/** Who an area-module write is recorded as: a signed-in actor, or 'system' for the CLI and the demo seed. */
import type { Actor } from '../../policy/ability';

/** Where a request came from, for the audit entry (routes pass req.ip and req.id; the CLI passes nothing). */
export interface RequestMeta {
  ip?: string | null;
  requestId?: string | null;
}

export const SYSTEM_ACTOR_NAME = 'system';

/** The actor fields of an audit entry. */
export function auditActor(actor: Actor | null, meta: RequestMeta = {}) {
  return {
    actorId: actor?.accountId ?? null,
    actorName: actor ? (actor.username ?? actor.displayName) : SYSTEM_ACTOR_NAME,
    ip: meta.ip ?? null,
    requestId: meta.requestId ?? null,
  };
}
