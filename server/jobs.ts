/**
 * In-process jobs, each on its own timer: housekeeping (expired sessions, idempotency keys, SMS codes), sealing the
 * audit log's hash chain, the deadline
 * job (reminders, automatic escalation; server/modules/cases/deadlines.ts) and the outbox delivery
 * (server/modules/notifications/outbox.ts). Each guards itself (advisory lock, `skip locked`), so several servers
 * can run side by side; a run that fails is logged and the next one tries again: a job never takes the server down.
 */
import { lt, sql } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import type { AppContext } from './context';
import { queryRows } from './db/client';
import { idempotencyKeys } from './http/tables';
import { purgeOldSessions } from './modules/accounts/sessions';
import { smsCodes } from './modules/accounts/tables';
import { sealAudit } from './modules/audit/log';
import { maskReporterNames } from './modules/cases/backfill';
import { compactCaseCounts } from './modules/cases/counts';
import { runDeadlines } from './modules/cases/deadlines';
import {
  deliverOutbox,
  logMessageSender,
  smsContextSender,
  type MessageSender,
} from './modules/notifications/outbox';

const JOBS_LOCK = 7_310_003;
const HOUSEKEEPING_EVERY_MS = 5 * 60_000;
const AUDIT_SEAL_EVERY_MS = 1000;
const CASE_COUNTS_EVERY_MS = 5000;
const MASK_NAMES_EVERY_MS = 10_000;

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

/**
 * The default sender of outbound messages: SMS through ctx.sms (the log, unless a gateway is plugged in there),
 * other channels to the log.
 */
export function defaultMessageSender(ctx: AppContext, log: FastifyBaseLogger): MessageSender {
  return smsContextSender(
    () => ctx.sms,
    logMessageSender((msg) => log.info(msg)),
  );
}

/** Runs `fn` now and every `ms`, never two runs of it at once; errors are logged, never thrown. */
function every(ms: number, name: string, log: FastifyBaseLogger, fn: () => Promise<unknown>): () => void {
  if (ms <= 0) return () => undefined;
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await fn();
    } catch (err) {
      log.error({ err }, `${name} job failed`);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), ms);
  timer.unref();
  void tick();
  return () => clearInterval(timer);
}

/** Starts the jobs; returns a function that stops them. */
export function startJobs(
  ctx: AppContext,
  log: FastifyBaseLogger,
  opts: { sender?: MessageSender } = {},
): () => void {
  const sender = opts.sender ?? defaultMessageSender(ctx, log);
  const stops = [
    every(HOUSEKEEPING_EVERY_MS, 'housekeeping', log, () => runHousekeeping(ctx)),
    // Audit entries are linked into the hash chain within about a second of being written.
    every(AUDIT_SEAL_EVERY_MS, 'audit seal', log, () => sealAudit(ctx.db)),
    // The case counts behind the lists' status tabs: deltas folded in every few seconds.
    every(CASE_COUNTS_EVERY_MS, 'case counts', log, () => compactCaseCounts(ctx.db)),
    // Cases written before migration 0024 get their reporter's masked name, 20,000 a run (nothing once done).
    every(MASK_NAMES_EVERY_MS, 'reporter names', log, async () => {
      const n = await maskReporterNames(ctx);
      if (n > 0) log.info({ masked: n }, 'reporter names masked');
    }),
    every(ctx.config.deadlinesEverySeconds * 1000, 'deadlines', log, async () => {
      const run = await runDeadlines(ctx);
      if (run.escalated + run.markedOverdue + run.reminded + run.failed.length > 0)
        log.info({ deadlines: run }, 'deadline job');
    }),
    every(ctx.config.outboxEverySeconds * 1000, 'outbox', log, async () => {
      const r = await deliverOutbox(ctx, sender);
      if (r.claimed > 0) log.info({ outbox: r }, 'outbox delivery');
    }),
  ];
  return () => stops.forEach((stop) => stop());
}
