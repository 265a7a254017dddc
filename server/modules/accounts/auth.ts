/**
 * Authentication services: password (+ TOTP) login, logout, the current account (/api/me), password change and
 * TOTP enrolment. Routes stay thin and call these; every outcome that matters is audited.
 */
import { and, desc, eq, isNull, or, lt, sql } from 'drizzle-orm';
import type { Static } from 'typebox';
import type { AbilityGrant } from '../../../common/abilities';
import type { Role } from '../../../common/roles';
import type { LoginBody, MeResponse } from '../../../common/schemas/auth';
import type { AppContext } from '../../context';
import type { Tx } from '../../db/client';
import { AppError, invalidField } from '../../http/errors';
import type { Ability, Actor } from '../../policy/ability';
import { appendAudit, appendAuditStandalone, type AuditInput } from '../audit/log';
import { clearFailures, lockStatus, recordFailure, usernameLockKey } from './lockout';
import {
  checkPasswordPolicy,
  dummyVerify,
  hashPassword,
  passwordExpiresAt,
  policyFor,
  verifyPassword,
} from './passwords';
import { mustUseTotp, totpExempt } from './restrictions';
import {
  createSession,
  loadAssignments,
  type Resolved,
  revokeOtherSessions,
  revokeSession,
  sessionLimits,
} from './sessions';
import { accounts, passwordHistory, sessions } from './tables';
import { generateTotpSecret, otpauthUrl, verifyTotp } from './totp';

/** Who sent the request: for sessions and audit entries. */
export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
}

/** A new session: the route puts the token into the cookie. */
export interface LoginResult {
  accountId: string;
  token: string;
  maxAgeSeconds: number;
}

type AuditEntry = Omit<AuditInput, 'actorId' | 'actorName' | 'ip' | 'requestId'>;

function actorAudit(actor: Actor, meta: RequestMeta, entry: AuditEntry): AuditInput {
  return {
    ...entry,
    actorId: actor.accountId,
    actorName: actor.username ?? actor.displayName,
    ip: meta.ip,
    requestId: meta.requestId,
  };
}

/** One audit entry of a login attempt; failures name the reason, never the password. */
export function loginAudit(
  meta: RequestMeta,
  e: {
    accountId: string | null;
    name: string | null;
    outcome: 'success' | 'failure';
    method: 'password' | 'sms';
    reason?: string;
    extra?: Record<string, unknown>;
  },
): AuditInput {
  return {
    actorId: e.accountId,
    actorName: e.name,
    action: 'auth.login',
    targetType: 'account',
    targetId: e.accountId,
    ip: meta.ip,
    requestId: meta.requestId,
    outcome: e.outcome,
    details: { method: e.method, ...(e.reason ? { reason: e.reason } : {}), ...(e.extra ?? {}) },
  };
}

/** Marks a TOTP step as used, unless it (or a later one) already was: a code works once, even under races. */
async function claimTotpStep(tx: Tx, accountId: string, step: number): Promise<boolean> {
  const rows = await tx
    .update(accounts)
    .set({ totpLastStep: step })
    .where(
      and(eq(accounts.id, accountId), or(isNull(accounts.totpLastStep), lt(accounts.totpLastStep, step))),
    )
    .returning({ id: accounts.id });
  return rows.length === 1;
}

function decryptSecret(ctx: AppContext, box: string | null): string | null {
  if (!box) return null;
  try {
    return ctx.secrets.decrypt(box);
  } catch {
    return null;
  }
}

/** POST /api/auth/login: username, password and (when enabled) a TOTP code. */
export async function passwordLogin(
  ctx: AppContext,
  current: Actor | null,
  input: LoginBody,
  meta: RequestMeta,
): Promise<LoginResult> {
  const key = usernameLockKey(input.username);
  const lock = await lockStatus(ctx.db, key);
  if (lock.locked) {
    // While locked the password is not even checked: guessing gains nothing.
    await appendAuditStandalone(
      ctx.db,
      loginAudit(meta, {
        accountId: null,
        name: input.username,
        outcome: 'failure',
        method: 'password',
        reason: 'locked',
      }),
    );
    throw new AppError('auth.locked', [], { retryAfterSeconds: lock.retryAfterSeconds });
  }

  const [acc] = await ctx.db
    .select()
    .from(accounts)
    .where(sql`lower(${accounts.username}) = lower(${input.username})`)
    .limit(1);
  // Unknown usernames cost one hash verification too, so timing does not tell which accounts exist.
  const passwordOk = acc?.passwordHash
    ? await verifyPassword(acc.passwordHash, input.password)
    : await dummyVerify(input.password);

  const fail = async (reason: string, code: 'auth.invalid_credentials' | 'auth.totp_invalid') => {
    await recordFailure(ctx.db, key);
    await appendAuditStandalone(
      ctx.db,
      loginAudit(meta, {
        accountId: acc?.id ?? null,
        name: acc?.username ?? input.username,
        outcome: 'failure',
        method: 'password',
        reason,
      }),
    );
    return new AppError(code);
  };

  if (!acc) throw await fail('unknown_user', 'auth.invalid_credentials');
  if (!passwordOk) throw await fail('wrong_password', 'auth.invalid_credentials');
  if (acc.disabled) throw await fail('disabled', 'auth.invalid_credentials');

  if (acc.totpEnabled) {
    if (!input.totp) {
      // The first half of a two-step login: not a failure to count, but a trace that the password was right.
      await appendAuditStandalone(
        ctx.db,
        loginAudit(meta, {
          accountId: acc.id,
          name: acc.username,
          outcome: 'failure',
          method: 'password',
          reason: 'totp_required',
        }),
      );
      throw new AppError('auth.totp_required');
    }
    const secret = decryptSecret(ctx, acc.totpSecretEnc);
    const step = secret ? verifyTotp(secret, input.totp, { lastStep: acc.totpLastStep }) : null;
    const claimed = step !== null && (await claimTotpStep(ctx.db, acc.id, step));
    if (!claimed) throw await fail('totp_invalid', 'auth.totp_invalid');
  }

  const kind = acc.kind as 'staff' | 'resident';
  const held = await loadAssignments(ctx.db, acc.id);
  // 三员 must use TOTP: without it they may log in, but only to enrol it.
  const pendingTotp = mustUseTotp(held) && !acc.totpEnabled && !totpExempt(ctx, acc);

  return ctx.db.transaction(async (tx) => {
    const session = await createSession(ctx, tx, { id: acc.id, kind }, meta, { pendingTotp });
    const now = new Date();
    await tx.update(accounts).set({ lastLoginAt: now }).where(eq(accounts.id, acc.id));
    await clearFailures(tx, key);
    // A browser holds one session cookie: the one it replaces ends here.
    if (current) await revokeSession(tx, current.sessionId);
    await appendAudit(
      tx,
      loginAudit(meta, {
        accountId: acc.id,
        name: acc.username,
        outcome: 'success',
        method: 'password',
        extra: { totp: acc.totpEnabled, ...(pendingTotp ? { pendingTotp: true } : {}) },
      }),
    );
    return { accountId: acc.id, token: session.token, maxAgeSeconds: sessionLimits(ctx, kind).absolute };
  });
}

/** POST /api/auth/logout: ends the current session. */
export async function logout(ctx: AppContext, actor: Actor, meta: RequestMeta): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    await revokeSession(tx, actor.sessionId);
    await appendAudit(
      tx,
      actorAudit(actor, meta, {
        action: 'auth.logout',
        targetType: 'session',
        targetId: actor.sessionId,
        outcome: 'success',
      }),
    );
  });
}

type MeResponseT = Static<typeof MeResponse>;
type MeOut = Omit<MeResponseT, 'assignments' | 'abilities'> & {
  assignments: (Omit<MeResponseT['assignments'][number], 'role'> & { role: Role })[];
  abilities: AbilityGrant[];
};

/** GET /api/me: the account (phone masked), its assignments, abilities, CSRF token and session limits. */
export async function getMe(
  ctx: AppContext,
  actor: Actor,
  ability: Ability,
  info: Extract<Resolved, { ok: true }>,
): Promise<MeOut> {
  // Everything was loaded with the session (one query per request); /api/me adds none.
  const acc = {
    ...info.account,
    id: actor.accountId,
    kind: actor.kind,
    username: actor.username,
    displayName: actor.displayName,
  };
  const session = { idle: info.session.idleTimeoutSeconds, expiresAt: info.session.expiresAt };
  const rows = actor.assignments.map((a) => ({
    id: a.id,
    role: a.role,
    areaCode: a.areaCode,
    areaName: a.areaName ?? null,
    areaPath: a.areaPath,
    departmentId: a.departmentId,
    departmentName: a.departmentName ?? null,
  }));

  const hasPassword = Boolean(acc.hasPassword);
  const expires = hasPassword
    ? passwordExpiresAt(ctx.config.passwordProfile, acc.passwordChangedAt ?? acc.createdAt)
    : null;
  return {
    account: {
      id: acc.id,
      kind: acc.kind as 'staff' | 'resident',
      username: acc.username,
      displayName: acc.displayName,
      phone: acc.phoneMasked,
      totpEnabled: acc.totpEnabled,
      mustChangePassword: info.restriction.passwordChangeRequired,
      passwordExpiresAt: expires ? expires.toISOString() : null,
      totpSetupRequired: info.restriction.totpSetupRequired,
    },
    assignments: rows,
    abilities: ability.grants(),
    csrfToken: actor.csrfToken,
    session: { idleTimeoutSeconds: session.idle, expiresAt: session.expiresAt.toISOString() },
  };
}

/** The lock-out key that guards an account's own password and TOTP checks. */
function accountLockKey(actor: Actor): string {
  return actor.username ? usernameLockKey(actor.username) : `account:${actor.accountId}`;
}

async function assertNotLocked(ctx: AppContext, key: string): Promise<void> {
  const lock = await lockStatus(ctx.db, key);
  if (lock.locked) throw new AppError('auth.locked', [], { retryAfterSeconds: lock.retryAfterSeconds });
}

/** POST /api/me/password: checks the current password and the policy, then replaces it. */
export async function changePassword(
  ctx: AppContext,
  actor: Actor,
  input: { currentPassword: string; newPassword: string },
  meta: RequestMeta,
): Promise<void> {
  const key = accountLockKey(actor);
  await assertNotLocked(ctx, key);
  const [acc] = await ctx.db
    .select({ id: accounts.id, username: accounts.username, passwordHash: accounts.passwordHash })
    .from(accounts)
    .where(eq(accounts.id, actor.accountId))
    .limit(1);
  if (!acc) throw new AppError('auth.required');
  const currentOk = acc.passwordHash
    ? await verifyPassword(acc.passwordHash, input.currentPassword)
    : await dummyVerify(input.currentPassword).then(() => false);
  if (!currentOk) {
    await recordFailure(ctx.db, key);
    await appendAuditStandalone(
      ctx.db,
      actorAudit(actor, meta, {
        action: 'account.password.change',
        targetType: 'account',
        targetId: acc.id,
        outcome: 'failure',
        details: { reason: 'wrong_current' },
      }),
    );
    throw new AppError('validation.failed', [{ field: 'body.currentPassword', rule: 'password.wrong' }]);
  }

  const profile = ctx.config.passwordProfile;
  const problems = checkPasswordPolicy(input.newPassword, profile, {
    username: acc.username,
    field: 'body.newPassword',
  });
  if (problems.length > 0) throw new AppError('validation.failed', problems);

  // dengbao3: none of the last 5 passwords (the current one and 4 before it); default: not the current one.
  const keep = Math.max(1, policyFor(profile).history);
  const previous =
    keep > 1
      ? await ctx.db
          .select({ hash: passwordHistory.passwordHash })
          .from(passwordHistory)
          .where(eq(passwordHistory.accountId, acc.id))
          .orderBy(desc(passwordHistory.createdAt))
          .limit(keep - 1)
      : [];
  const recent = [acc.passwordHash!, ...previous.map((p) => p.hash)];
  for (const h of recent) {
    if (await verifyPassword(h, input.newPassword)) throw invalidField('body.newPassword', 'password.reused');
  }

  const newHash = await hashPassword(input.newPassword);
  await ctx.db.transaction(async (tx) => {
    const now = new Date();
    await tx
      .update(accounts)
      .set({ passwordHash: newHash, passwordChangedAt: now, mustChangePassword: false, updatedAt: now })
      .where(eq(accounts.id, acc.id));
    await tx
      .insert(passwordHistory)
      .values({ accountId: acc.id, passwordHash: acc.passwordHash!, createdAt: now });
    // Other devices that knew the old password must log in again; this one stays.
    await revokeOtherSessions(tx, acc.id, actor.sessionId);
    await clearFailures(tx, key);
    await appendAudit(
      tx,
      actorAudit(actor, meta, {
        action: 'account.password.change',
        targetType: 'account',
        targetId: acc.id,
        outcome: 'success',
      }),
    );
  });
}

async function loadTotpState(ctx: AppContext, accountId: string) {
  const [acc] = await ctx.db
    .select({
      id: accounts.id,
      username: accounts.username,
      displayName: accounts.displayName,
      totpEnabled: accounts.totpEnabled,
      totpSecretEnc: accounts.totpSecretEnc,
      totpLastStep: accounts.totpLastStep,
    })
    .from(accounts)
    .where(eq(accounts.id, accountId))
    .limit(1);
  if (!acc) throw new AppError('auth.required');
  return acc;
}

/** POST /api/me/totp/setup: a new pending secret (stored encrypted, not enabled until a code proves it). */
export async function totpSetup(
  ctx: AppContext,
  actor: Actor,
  meta: RequestMeta,
): Promise<{ secret: string; otpauthUrl: string }> {
  const acc = await loadTotpState(ctx, actor.accountId);
  // Replacing an enabled secret would let a stolen session swap the second factor.
  if (acc.totpEnabled) throw new AppError('auth.totp_already_enabled');
  const secret = generateTotpSecret();
  await ctx.db.transaction(async (tx) => {
    await tx
      .update(accounts)
      .set({ totpSecretEnc: ctx.secrets.encrypt(secret), totpLastStep: null, updatedAt: new Date() })
      .where(and(eq(accounts.id, acc.id), eq(accounts.totpEnabled, false)));
    await appendAudit(
      tx,
      actorAudit(actor, meta, {
        action: 'account.totp.setup',
        targetType: 'account',
        targetId: acc.id,
        outcome: 'success',
      }),
    );
  });
  return { secret, otpauthUrl: otpauthUrl(secret, acc.username ?? acc.displayName) };
}

/** POST /api/me/totp/enable: a code from the pending secret turns TOTP on and lifts the session restriction. */
export async function totpEnable(
  ctx: AppContext,
  actor: Actor,
  code: string,
  meta: RequestMeta,
): Promise<void> {
  const acc = await loadTotpState(ctx, actor.accountId);
  if (acc.totpEnabled) throw new AppError('auth.totp_already_enabled');
  const secret = decryptSecret(ctx, acc.totpSecretEnc);
  if (!secret) throw new AppError('auth.totp_not_set_up');
  const step = verifyTotp(secret, code, { lastStep: acc.totpLastStep });
  const enabled =
    step !== null &&
    (await ctx.db.transaction(async (tx) => {
      const rows = await tx
        .update(accounts)
        .set({ totpEnabled: true, totpLastStep: step, updatedAt: new Date() })
        .where(and(eq(accounts.id, acc.id), eq(accounts.totpEnabled, false)))
        .returning({ id: accounts.id });
      if (rows.length === 0) return false;
      await tx.update(sessions).set({ pendingTotp: false }).where(eq(sessions.accountId, acc.id));
      await appendAudit(
        tx,
        actorAudit(actor, meta, {
          action: 'account.totp.enable',
          targetType: 'account',
          targetId: acc.id,
          outcome: 'success',
        }),
      );
      return true;
    }));
  if (!enabled) {
    await appendAuditStandalone(
      ctx.db,
      actorAudit(actor, meta, {
        action: 'account.totp.enable',
        targetType: 'account',
        targetId: acc.id,
        outcome: 'failure',
        details: { reason: 'totp_invalid' },
      }),
    );
    throw invalidField('body.code', 'totp.invalid');
  }
}

/** POST /api/me/totp/disable: with a current code; the three administrator roles may not turn TOTP off. */
export async function totpDisable(
  ctx: AppContext,
  actor: Actor,
  code: string,
  meta: RequestMeta,
): Promise<void> {
  if (mustUseTotp(actor.assignments)) throw new AppError('forbidden');
  const acc = await loadTotpState(ctx, actor.accountId);
  if (!acc.totpEnabled) throw new AppError('auth.totp_not_set_up');
  const key = accountLockKey(actor);
  await assertNotLocked(ctx, key);
  const secret = decryptSecret(ctx, acc.totpSecretEnc);
  const step = secret ? verifyTotp(secret, code, { lastStep: acc.totpLastStep }) : null;
  const claimed = step !== null && (await claimTotpStep(ctx.db, acc.id, step));
  if (!claimed) {
    await recordFailure(ctx.db, key);
    await appendAuditStandalone(
      ctx.db,
      actorAudit(actor, meta, {
        action: 'account.totp.disable',
        targetType: 'account',
        targetId: acc.id,
        outcome: 'failure',
        details: { reason: 'totp_invalid' },
      }),
    );
    throw invalidField('body.code', 'totp.invalid');
  }
  await ctx.db.transaction(async (tx) => {
    await tx
      .update(accounts)
      .set({ totpEnabled: false, totpSecretEnc: null, totpLastStep: null, updatedAt: new Date() })
      .where(eq(accounts.id, acc.id));
    await appendAudit(
      tx,
      actorAudit(actor, meta, {
        action: 'account.totp.disable',
        targetType: 'account',
        targetId: acc.id,
        outcome: 'success',
      }),
    );
  });
}
