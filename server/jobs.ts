/** In-process jobs (expired sessions, idempotency keys, SMS codes), guarded by an advisory lock so one server runs each round. */
import { lt, sql } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import type { AppContext } from './context';
import { queryRows } from './db/client';
import { idempotencyKeys } from './http/tables';
import { purgeOldSessions } from './modules/accounts/sessions';
import { smsCodes } from './modules/accounts/tables';

const JOBS_LOCK = 7_310_003;

/** One round of housekeeping; returns false when another server holds the lock. */
export async function runHousekeeping(ctx: AppContext): Promise<boolean> {
  return ctx.db.transaction(async (tx) => {
    const [got] = await queryRows<{ locked: boolean }>(
      tx,
      sql`select pg_try_advisory_xact_lock(${JOBS_LOCK}) as locked`,
    );
    if (!got?.locked) return false;
    await purgeOldSessions(tx);
    await tx.delete(idempotencyKeys).where(lt(idempotencyKeys.expiresAt, new Date()));
    await tx.delete(smsCodes).where(lt(smsCodes.expiresAt, new Date(Date.now() - 24 * 3600 * 1000)));
    return true;
  });
}

/** Starts the jobs loop; returns a function that stops it. */
export function startJobs(ctx: AppContext, log: FastifyBaseLogger, everyMs = 5 * 60_000): () => void {
  const tick = () => runHousekeeping(ctx).catch((err: unknown) => log.error({ err }, 'housekeeping failed'));
  const timer = setInterval(tick, everyMs);
  timer.unref();
  void tick();
  return () => clearInterval(timer);
}
