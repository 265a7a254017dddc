/** Database-backed sessions: create on login, resolve a cookie to an actor, expire on idle and absolute timeouts. */
import { and, eq, isNull, lt, ne, or, sql } from 'drizzle-orm';
import type { Role } from '../../../common/roles';
import type { AppContext } from '../../context';
import { randomToken, sha256 } from '../../crypto';
import { definePrepared, type Tx } from '../../db/client';
import type { Actor, ActorAssignment } from '../../policy/ability';
import { passwordChangeRequired } from './passwords';
import { totpSetupRequired, type SessionRestriction } from './restrictions';
import { SessionCache, type SessionCacheOptions } from './session-cache';
import { assignments, sessions } from './tables';

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

export interface SessionAccount {
  phoneMasked: string | null;
  totpEnabled: boolean;
  demo: boolean;
  mustChangePassword: boolean;
  passwordChangedAt: Date | null;
  hasPassword: boolean;
  createdAt: Date;
}

export type Resolved =
  | {
      ok: true;
      actor: Actor;
      session: { id: string; expiresAt: Date; idleTimeoutSeconds: number };
      /** The account fields /api/me shows, loaded with the session so it needs no further query. */
      account: SessionAccount;
      /** What the session must do before it may use the rest of the API (checked centrally by the app). */
      restriction: SessionRestriction;
    }
  | { ok: false; reason: 'invalid' | 'expired' };

interface SessionRow {
  id: string;
  csrf_token: string;
  last_seen_at: Date | string;
  expires_at: Date | string;
  idle: number;
  revoked_at: Date | string | null;
  pending_totp: boolean;
  account_id: string;
  kind: string;
  username: string | null;
  display_name: string;
  disabled: boolean;
  totp_enabled: boolean;
  demo: boolean;
  must_change_password: boolean;
  password_changed_at: Date | string | null;
  has_password: boolean;
  account_created_at: Date | string;
  phone_masked: string | null;
  assignments: ActorAssignment[] | string;
}

const asDate = (v: Date | string): Date => (v instanceof Date ? v : new Date(v));

/** The session lookup, built once: it runs on every request, so the server keeps it parsed and planned. */
const sessionLookup = definePrepared<SessionRow>(
  () =>
    sql`select s.id, s.csrf_token, s.last_seen_at, s.expires_at, s.idle_timeout_seconds as idle, s.revoked_at,
            s.pending_totp, a.id as account_id, a.kind, a.username, a.display_name, a.disabled, a.totp_enabled, a.demo,
            a.must_change_password, a.password_changed_at, (a.password_hash is not null) as has_password,
            a.created_at as account_created_at, a.phone_masked,
            coalesce((select json_agg(json_build_object('id', g.id, 'role', g.role, 'areaCode', g.area_code,
                        'areaPath', g.area_path, 'departmentId', g.department_id, 'areaName', ar.name,
                        'departmentName', d.name) order by g.created_at, g.id)
                      from assignments g
                      left join areas ar on ar.code = g.area_code
                      left join departments d on d.id = g.department_id
                      where g.account_id = a.id and g.revoked_at is null), '[]') as assignments
          from sessions s join accounts a on a.id = s.account_id
          where s.token_hash = ${sql.placeholder('tokenHash')}
          limit 1`,
);

/** The sessions a server keeps resolved between requests (session-cache.ts says when they are forgotten). */
export type SessionsCache = SessionCache<SessionRow>;

/** A server's session cache; buildApp starts it on the database and stops it on close. */
export function createSessionsCache(options: SessionCacheOptions = {}): SessionsCache {
  return new SessionCache<SessionRow>(options);
}

/**
 * Whether a session row lets its request through without the database: not ended, not idle past its timeout, and
 * seen within the last minute, so the database is read (and last_seen_at written) at least once a minute per session.
 */
function answersFromCache(s: SessionRow, now: number): boolean {
  const lastSeenAt = asDate(s.last_seen_at).getTime();
  return (
    asDate(s.expires_at).getTime() > now &&
    lastSeenAt + s.idle * 1000 > now &&
    now - lastSeenAt <= TOUCH_AFTER_MS
  );
}

/** Freezes a cached row's assignments: every request of the session shares them, so none may change them. */
function freezeAssignments(s: SessionRow): SessionRow {
  // json_agg arrives parsed from both drivers; a string only if a driver ever stops parsing json.
  const held =
    typeof s.assignments === 'string' ? (JSON.parse(s.assignments) as ActorAssignment[]) : s.assignments;
  for (const a of held) Object.freeze(a);
  return { ...s, assignments: Object.freeze(held) as ActorAssignment[] };
}

/**
 * Resolves a cookie token to its actor, or says why it cannot. Every authenticated request runs this, so it is one
 * round trip: the session, its account and the account's active assignments (with names, for /api/me) together.
 * With a cache, a session read in the last minute answers from memory (see session-cache.ts for why that is safe).
 */
export async function resolveSession(
  ctx: AppContext,
  token: string,
  cache?: SessionsCache,
): Promise<Resolved> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return { ok: false, reason: 'invalid' };
  const tokenHash = sha256(token);
  const now = Date.now();
  let s = cache?.get(tokenHash);
  if (!s || !answersFromCache(s, now)) {
    const mark = cache?.mark() ?? 0;
    const [row] = await sessionLookup(ctx.db, { tokenHash });
    if (!row) return { ok: false, reason: 'invalid' };
    const lastSeenAt = asDate(row.last_seen_at);
    const expiresAt = asDate(row.expires_at);
    if (row.revoked_at || row.disabled) return { ok: false, reason: 'expired' };
    if (expiresAt.getTime() <= now || lastSeenAt.getTime() + row.idle * 1000 <= now) {
      return { ok: false, reason: 'expired' };
    }
    s = freezeAssignments(row);
    if (now - lastSeenAt.getTime() > TOUCH_AFTER_MS) {
      // Only last_seen_at changes, which notifies no one (migration 0030): the mark stays good.
      await ctx.db
        .update(sessions)
        .set({ lastSeenAt: new Date(now) })
        .where(eq(sessions.id, s.id));
      s = { ...s, last_seen_at: new Date(now) };
    }
    cache?.put(tokenHash, s, mark);
  }
  const held = s.assignments as ActorAssignment[];
  const expiresAt = asDate(s.expires_at);
  const actor: Actor = {
    accountId: s.account_id,
    kind: s.kind as 'staff' | 'resident',
    username: s.username,
    displayName: s.display_name,
    sessionId: s.id,
    csrfToken: s.csrf_token,
    assignments: held,
  };
  const account = {
    phoneMasked: s.phone_masked,
    totpEnabled: s.totp_enabled,
    demo: s.demo,
    mustChangePassword: s.must_change_password,
    passwordChangedAt: s.password_changed_at === null ? null : asDate(s.password_changed_at),
    hasPassword: Boolean(s.has_password),
    createdAt: asDate(s.account_created_at),
  };
  const restriction: SessionRestriction = {
    passwordChangeRequired: passwordChangeRequired(ctx.config.passwordProfile, account, now),
    totpSetupRequired: totpSetupRequired(
      ctx,
      { pendingTotp: s.pending_totp, totpEnabled: s.totp_enabled, demo: s.demo },
      held,
    ),
  };
  return {
    ok: true,
    actor,
    session: { id: s.id, expiresAt, idleTimeoutSeconds: s.idle },
    account,
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
