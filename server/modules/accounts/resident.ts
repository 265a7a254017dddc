/**
 * Residents log in with their mobile number and a one-time SMS code. The first successful login creates the
 * resident account. Codes are kept only as keyed hashes, live 5 minutes, are sent at most once a minute per
 * number and burn after 5 wrong tries; failed logins count towards the number's lock-out like passwords do.
 */
import crypto from 'node:crypto';
import { and, desc, eq, sql } from 'drizzle-orm';
import type { AppContext } from '../../context';
import { maskPhone } from '../../crypto';
import type { Tx } from '../../db/client';
import { AppError } from '../../http/errors';
import type { Actor } from '../../policy/ability';
import { appendAudit, appendAuditStandalone } from '../audit/log';
import { loginAudit, type LoginResult, type RequestMeta } from './auth';
import { clearFailures, lockStatus, phoneLockKey, recordFailure } from './lockout';
import { createSession, revokeSession, sessionLimits } from './sessions';
import { accounts, smsCodes } from './tables';

export const SMS_CODE_TTL_SECONDS = 5 * 60;
export const SMS_RESEND_SECONDS = 60;
export const SMS_MAX_ATTEMPTS = 5;
// Serialises code requests and logins of one number (second key: hashtext of the phone hash).
const SMS_LOCK = 7_310_010;

export function phoneHashOf(ctx: AppContext, phone: string): string {
  return ctx.secrets.keyedHash(phone, 'phone');
}

function codeHash(ctx: AppContext, phoneHash: string, code: string): string {
  return ctx.secrets.keyedHash(`${phoneHash}:${code}`, 'sms_code');
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

async function lockPhone(tx: Tx, phoneHash: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${SMS_LOCK}::int, hashtext(${phoneHash}))`);
}

export function smsText(code: string): string {
  return `【邻里】您的登录验证码是 ${code}，${SMS_CODE_TTL_SECONDS / 60} 分钟内有效。如非本人操作，请忽略本短信。`;
}

/** POST /api/auth/resident/code: sends a code; the answer is the same whether or not an account exists. */
export async function requestResidentCode(ctx: AppContext, phone: string, meta: RequestMeta): Promise<void> {
  const phoneHash = phoneHashOf(ctx, phone);
  const lock = await lockStatus(ctx.db, phoneLockKey(phoneHash));
  // A locked number could not use the code anyway: do not pay for the message.
  if (lock.locked) throw new AppError('auth.locked', [], { retryAfterSeconds: lock.retryAfterSeconds });
  const code = String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
  const result = await ctx.db.transaction(async (tx) => {
    await lockPhone(tx, phoneHash);
    const now = Date.now();
    const [last] = await tx
      .select({ createdAt: smsCodes.createdAt })
      .from(smsCodes)
      .where(eq(smsCodes.phoneHash, phoneHash))
      .orderBy(desc(smsCodes.createdAt))
      .limit(1);
    const wait = last ? last.createdAt.getTime() + SMS_RESEND_SECONDS * 1000 - now : 0;
    if (wait > 0) return { tooSoon: Math.ceil(wait / 1000) } as const;
    const [row] = await tx
      .insert(smsCodes)
      .values({
        phoneHash,
        codeHash: codeHash(ctx, phoneHash, code),
        expiresAt: new Date(now + SMS_CODE_TTL_SECONDS * 1000),
        createdAt: new Date(now),
      })
      .returning({ id: smsCodes.id });
    await appendAudit(tx, {
      actorId: null,
      actorName: null,
      action: 'auth.resident.code',
      targetType: 'phone',
      targetId: null,
      ip: meta.ip,
      requestId: meta.requestId,
      outcome: 'success',
      details: { phone: maskPhone(phone) },
    });
    return { id: row!.id } as const;
  });
  if ('tooSoon' in result)
    throw new AppError('auth.code_too_soon', [], { retryAfterSeconds: result.tooSoon });
  try {
    await ctx.sms.send(phone, smsText(code));
  } catch {
    // Not sent: forget the code so that the resident may ask again at once.
    await ctx.db.delete(smsCodes).where(eq(smsCodes.id, result.id));
    throw new AppError('unavailable');
  }
}

type CodeCheck =
  | { ok: true; session: LoginResult }
  | {
      ok: false;
      reason: 'no_code' | 'expired' | 'used' | 'burned' | 'wrong_code' | 'disabled';
      accountId?: string;
    };

/** POST /api/auth/resident/login: checks the latest code of the number, then logs in (creating the account). */
export async function residentLogin(
  ctx: AppContext,
  current: Actor | null,
  input: { phone: string; code: string },
  meta: RequestMeta,
): Promise<LoginResult> {
  const phoneHash = phoneHashOf(ctx, input.phone);
  const key = phoneLockKey(phoneHash);
  const masked = maskPhone(input.phone);
  const lock = await lockStatus(ctx.db, key);
  if (lock.locked) {
    await appendAuditStandalone(
      ctx.db,
      loginAudit(meta, {
        accountId: null,
        name: masked,
        outcome: 'failure',
        method: 'sms',
        reason: 'locked',
      }),
    );
    throw new AppError('auth.locked', [], { retryAfterSeconds: lock.retryAfterSeconds });
  }

  // One transaction: a wrong try's attempt count commits with the answer, a right one logs in.
  const outcome: CodeCheck = await ctx.db.transaction(async (tx): Promise<CodeCheck> => {
    await lockPhone(tx, phoneHash);
    const now = Date.now();
    const [row] = await tx
      .select()
      .from(smsCodes)
      .where(eq(smsCodes.phoneHash, phoneHash))
      .orderBy(desc(smsCodes.createdAt))
      .limit(1);
    if (!row) return { ok: false, reason: 'no_code' };
    if (row.consumedAt) return { ok: false, reason: 'used' };
    if (row.expiresAt.getTime() <= now) return { ok: false, reason: 'expired' };
    if (row.attempts >= SMS_MAX_ATTEMPTS) return { ok: false, reason: 'burned' };
    if (!sameHash(codeHash(ctx, phoneHash, input.code), row.codeHash)) {
      await tx
        .update(smsCodes)
        .set({ attempts: sql`${smsCodes.attempts} + 1` })
        .where(eq(smsCodes.id, row.id));
      return { ok: false, reason: 'wrong_code' };
    }
    await tx
      .update(smsCodes)
      .set({ consumedAt: new Date(now) })
      .where(eq(smsCodes.id, row.id));

    const inserted = await tx
      .insert(accounts)
      .values({
        kind: 'resident',
        displayName: `居民${input.phone.slice(-4)}`,
        phoneEnc: ctx.secrets.encrypt(input.phone),
        phoneHash,
        phoneMasked: masked,
      })
      .onConflictDoNothing()
      .returning({ id: accounts.id });
    const [acc] = await tx
      .select({ id: accounts.id, disabled: accounts.disabled })
      .from(accounts)
      .where(and(eq(accounts.phoneHash, phoneHash), eq(accounts.kind, 'resident')))
      .limit(1);
    if (!acc) throw new Error('resident account vanished');
    if (acc.disabled) return { ok: false, reason: 'disabled', accountId: acc.id };
    const created = inserted.length > 0;
    if (created) {
      await appendAudit(tx, {
        actorId: acc.id,
        actorName: masked,
        action: 'account.create',
        targetType: 'account',
        targetId: acc.id,
        ip: meta.ip,
        requestId: meta.requestId,
        outcome: 'success',
        details: { kind: 'resident', via: 'sms', phone: masked },
      });
    }
    const session = await createSession(ctx, tx, { id: acc.id, kind: 'resident' }, meta);
    await tx
      .update(accounts)
      .set({ lastLoginAt: new Date(now) })
      .where(eq(accounts.id, acc.id));
    await clearFailures(tx, key);
    if (current) await revokeSession(tx, current.sessionId);
    await appendAudit(
      tx,
      loginAudit(meta, {
        accountId: acc.id,
        name: masked,
        outcome: 'success',
        method: 'sms',
        extra: created ? { created: true } : {},
      }),
    );
    return {
      ok: true,
      session: {
        accountId: acc.id,
        token: session.token,
        maxAgeSeconds: sessionLimits(ctx, 'resident').absolute,
      },
    };
  });

  if (outcome.ok) return outcome.session;
  await recordFailure(ctx.db, key);
  await appendAuditStandalone(
    ctx.db,
    loginAudit(meta, {
      accountId: outcome.accountId ?? null,
      name: masked,
      outcome: 'failure',
      method: 'sms',
      reason: outcome.reason,
    }),
  );
  throw new AppError('auth.code_invalid');
}
