/**
 * Login lock-out with back-off over the login_failures table: after 5 consecutive failures a key is locked for
 * 60 s, each further failure doubles the lock up to an hour, a success clears it. Keys are lower-cased usernames
 * (also unknown ones, so the lock reveals nothing about which accounts exist) and "phone:" + the phone's keyed hash.
 */
import { eq } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client';
import { loginFailures } from './tables';

export const LOCK_THRESHOLD = 5;
export const LOCK_BASE_SECONDS = 60;
export const LOCK_MAX_SECONDS = 3600;
/** A key that saw no failure for this long starts counting from zero again. */
export const FAILURE_MEMORY_SECONDS = 24 * 3600;

/** The lock-out key of a username login. */
export function usernameLockKey(username: string): string {
  return username.toLowerCase();
}

/** The lock-out key of a phone login (by keyed hash: the plain number is never stored). */
export function phoneLockKey(phoneHash: string): string {
  return `phone:${phoneHash}`;
}

export interface LockStatus {
  locked: boolean;
  /** Seconds until the lock ends (0 when not locked). */
  retryAfterSeconds: number;
  failures: number;
}

/** How long a key is locked after its n-th consecutive failure (0: not locked). */
export function lockSecondsAfter(failures: number): number {
  if (failures < LOCK_THRESHOLD) return 0;
  const doublings = Math.min(failures - LOCK_THRESHOLD, 20);
  return Math.min(LOCK_BASE_SECONDS * 2 ** doublings, LOCK_MAX_SECONDS);
}

function statusOf(row: { count: number; lockedUntil: Date | null } | undefined, now: number): LockStatus {
  if (!row) return { locked: false, retryAfterSeconds: 0, failures: 0 };
  const until = row.lockedUntil?.getTime() ?? 0;
  if (until > now)
    return {
      locked: true,
      retryAfterSeconds: Math.max(1, Math.ceil((until - now) / 1000)),
      failures: row.count,
    };
  return { locked: false, retryAfterSeconds: 0, failures: row.count };
}

/** Whether a key is locked right now. */
export async function lockStatus(db: Tx, key: string, now = Date.now()): Promise<LockStatus> {
  const [row] = await db
    .select({ count: loginFailures.count, lockedUntil: loginFailures.lockedUntil })
    .from(loginFailures)
    .where(eq(loginFailures.key, key))
    .limit(1);
  return statusOf(row, now);
}

/** Counts one failure (row-locked, so concurrent failures all count) and returns the resulting status. */
export async function recordFailure(db: Db, key: string, now = Date.now()): Promise<LockStatus> {
  return db.transaction(async (tx) => {
    await tx
      .insert(loginFailures)
      .values({ key, count: 0, lockedUntil: null, lastFailureAt: new Date(now) })
      .onConflictDoNothing();
    const [row] = await tx.select().from(loginFailures).where(eq(loginFailures.key, key)).for('update');
    const stale = !row || row.lastFailureAt.getTime() + FAILURE_MEMORY_SECONDS * 1000 < now;
    const count = (stale ? 0 : row.count) + 1;
    const seconds = lockSecondsAfter(count);
    const lockedUntil = seconds > 0 ? new Date(now + seconds * 1000) : null;
    await tx
      .update(loginFailures)
      .set({ count, lockedUntil, lastFailureAt: new Date(now) })
      .where(eq(loginFailures.key, key));
    return statusOf({ count, lockedUntil }, now);
  });
}

/** Forgets a key's failures (after a successful login). */
export async function clearFailures(db: Tx, key: string): Promise<void> {
  await db.delete(loginFailures).where(eq(loginFailures.key, key));
}
