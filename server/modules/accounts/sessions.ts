/** Database-backed sessions: create on login, resolve a cookie to an actor, expire on idle and absolute timeouts. */
import { and, eq, isNull, lt, ne, or, sql } from 'drizzle-orm';
import type { Role } from '../../../common/roles';
import type { AppContext } from '../../context';
import { randomToken, sha256 } from '../../crypto';
import type { Tx } from '../../db/client';
import type { Actor, ActorAssignment } from '../../policy/ability';
import { passwordChangeRequired } from './passwords';
import { totpSetupRequired, type SessionRestriction } from './restrictions';
import { accounts, assignments, sessions } from './tables';

export const SESSION_COOKIE = 'linli_session';
// Writing last_seen_at on every request would turn reads into writes; a minute of slack is harmless.
const TOUCH_AFTER_MS = 60_000;

export interface NewSession {
  token: string;
  id: string;
  csrfToken: string;
  expiresAt: Date;
}

/** Timeouts by account kind: staff 30 min idle / 12 h absolute by default. */
export function sessionLimits(ctx: AppContext, kind: 'staff' | 'resident') {
  return kind === 'staff'
    ? { idle: ctx.config.staffIdleTimeoutSeconds, absolute: ctx.config.staffAbsoluteTimeoutSeconds }
    : { idle: ctx.config.residentIdleTimeoutSeconds, absolute: ctx.config.residentAbsoluteTimeoutSeconds };
}

/** Starts a session for an account; the raw token only ever lives in the cookie. */
export async function createSession(
  ctx: AppContext,
  tx: Tx,
  account: { id: string; kind: 'staff' | 'resident' },
  meta: { ip: string | null; userAgent: string | null },
  opts: { pendingTotp?: boolean } = {},
): Promise<NewSession> {
  const limits = sessionLimits(ctx, account.kind);
  const token = randomToken(32);
  const csrfToken = randomToken(24);
  const expiresAt = new Date(Date.now() + limits.absolute * 1000);
  const [row] = await tx
    .insert(sessions)
    .values({
      tokenHash: sha256(token),
      accountId: account.id,
      csrfToken,
      ip: meta.ip,
      userAgent: meta.userAgent?.slice(0, 400) ?? null,
      idleTimeoutSeconds: limits.idle,
      expiresAt,
      pendingTotp: opts.pendingTotp ?? false,
    })
    .returning({ id: sessions.id });
  return { token, id: row!.id, csrfToken, expiresAt };
}

/** Loads an account's active assignments in the shape the policy layer uses. */
export async function loadAssignments(tx: Tx, accountId: string): Promise<ActorAssignment[]> {
  const rows = await tx
    .select({
      id: assignments.id,
      role: assignments.role,
      areaCode: assignments.areaCode,
      areaPath: assignments.areaPath,
      departmentId: assignments.departmentId,
    })
    .from(assignments)
    .where(and(eq(assignments.accountId, accountId), isNull(assignments.revokedAt)));
  return rows.map((r) => ({ ...r, role: r.role as Role }));
}

export type Resolved =
  | {
      ok: true;
      actor: Actor;
      session: { id: string; expiresAt: Date; idleTimeoutSeconds: number };
      /** What the session must do before it may use the rest of the API (checked centrally by the app). */
      restriction: SessionRestriction;
    }
  | { ok: false; reason: 'invalid' | 'expired' };

/** Resolves a cookie token to its actor, or says why it cannot. */
export async function resolveSession(ctx: AppContext, token: string): Promise<Resolved> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return { ok: false, reason: 'invalid' };
  const rows = await ctx.db
    .select({
      id: sessions.id,
      csrfToken: sessions.csrfToken,
      lastSeenAt: sessions.lastSeenAt,
      expiresAt: sessions.expiresAt,
      idle: sessions.idleTimeoutSeconds,
      revokedAt: sessions.revokedAt,
      pendingTotp: sessions.pendingTotp,
      accountId: accounts.id,
      kind: accounts.kind,
      username: accounts.username,
      displayName: accounts.displayName,
      disabled: accounts.disabled,
      totpEnabled: accounts.totpEnabled,
      demo: accounts.demo,
      mustChangePassword: accounts.mustChangePassword,
      passwordChangedAt: accounts.passwordChangedAt,
      hasPassword: sql<boolean>`${accounts.passwordHash} is not null`,
      accountCreatedAt: accounts.createdAt,
    })
    .from(sessions)
    .innerJoin(accounts, eq(accounts.id, sessions.accountId))
    .where(eq(sessions.tokenHash, sha256(token)))
    .limit(1);
  const s = rows[0];
  if (!s) return { ok: false, reason: 'invalid' };
  const now = Date.now();
  if (s.revokedAt || s.disabled) return { ok: false, reason: 'expired' };
  if (s.expiresAt.getTime() <= now || s.lastSeenAt.getTime() + s.idle * 1000 <= now) {
    return { ok: false, reason: 'expired' };
  }
  if (now - s.lastSeenAt.getTime() > TOUCH_AFTER_MS) {
    await ctx.db
      .update(sessions)
      .set({ lastSeenAt: new Date(now) })
      .where(eq(sessions.id, s.id));
  }
  const actor: Actor = {
    accountId: s.accountId,
    kind: s.kind as 'staff' | 'resident',
    username: s.username,
    displayName: s.displayName,
    sessionId: s.id,
    csrfToken: s.csrfToken,
    assignments: await loadAssignments(ctx.db, s.accountId),
  };
  const restriction: SessionRestriction = {
    passwordChangeRequired: passwordChangeRequired(
      ctx.config.passwordProfile,
      {
        mustChangePassword: s.mustChangePassword,
        hasPassword: Boolean(s.hasPassword),
        passwordChangedAt: s.passwordChangedAt,
        createdAt: s.accountCreatedAt,
      },
      now,
    ),
    totpSetupRequired: totpSetupRequired(ctx, s, actor.assignments),
  };
  return {
    ok: true,
    actor,
    session: { id: s.id, expiresAt: s.expiresAt, idleTimeoutSeconds: s.idle },
    restriction,
  };
}

/** Ends one session. */
export async function revokeSession(tx: Tx, sessionId: string): Promise<void> {
  await tx.update(sessions).set({ revokedAt: new Date() }).where(eq(sessions.id, sessionId));
}

/** Ends every session of an account (disable, password reset, role change). */
export async function revokeAccountSessions(tx: Tx, accountId: string): Promise<void> {
  await tx
    .update(sessions)
    .set({ revokedAt: new Date() })
    .where(and(eq(sessions.accountId, accountId), isNull(sessions.revokedAt)));
}

/** Ends every session of an account but the given one (password change: the other devices must log in again). */
export async function revokeOtherSessions(tx: Tx, accountId: string, keepSessionId: string): Promise<void> {
  await tx
    .update(sessions)
    .set({ revokedAt: new Date() })
    .where(
      and(eq(sessions.accountId, accountId), ne(sessions.id, keepSessionId), isNull(sessions.revokedAt)),
    );
}

/** Deletes sessions that ended more than a day ago (run by the jobs loop). */
export async function purgeOldSessions(tx: Tx): Promise<void> {
  const cutoff = new Date(Date.now() - 24 * 3600 * 1000);
  await tx
    .delete(sessions)
    .where(
      or(
        lt(sessions.expiresAt, cutoff),
        lt(sessions.revokedAt, cutoff),
        sql`${sessions.lastSeenAt} + make_interval(secs => ${sessions.idleTimeoutSeconds}) < ${cutoff}`,
      ),
    );
}
