import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestEnv } from '../../test/harness';
import { auditRows, sessionCookie } from './auth-test-utils';
import { phoneLockKey } from './lockout';
import { phoneHashOf } from './resident';
import { accounts, loginFailures, smsCodes } from './tables';

const PHONE = '13912345678';

describe('resident login by SMS code', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startTestApp();
  });
  afterAll(async () => env.close());

  const requestCode = (phone: string, headers: Record<string, string> = {}) =>
    env.app.inject({ method: 'POST', url: '/api/auth/resident/code', payload: { phone }, headers });
  const residentLogin = (phone: string, code: string) =>
    env.app.inject({ method: 'POST', url: '/api/auth/resident/login', payload: { phone, code } });

  /** The code of the latest SMS sent to a number. */
  function lastCode(phone: string): string {
    const sms = env.sms.sent.filter((m) => m.phone === phone).at(-1);
    const code = sms?.text.match(/\d{6}/)?.[0];
    if (!code) throw new Error(`no code sent to ${phone}`);
    return code;
  }

  /** Moves a number's codes a minute into the past, so that a new one may be sent. */
  async function ageCodes(phone: string, seconds = 61) {
    const rows = await env.ctx.db
      .select()
      .from(smsCodes)
      .where(eq(smsCodes.phoneHash, phoneHashOf(env.ctx, phone)));
    for (const r of rows) {
      await env.ctx.db
        .update(smsCodes)
        .set({ createdAt: new Date(r.createdAt.getTime() - seconds * 1000) })
        .where(eq(smsCodes.id, r.id));
    }
  }

  /** A fresh, lock-free number ready to receive a code. */
  async function newCode(phone: string): Promise<string> {
    await ageCodes(phone);
    const res = await requestCode(phone);
    expect(res.statusCode).toBe(200);
    return lastCode(phone);
  }

  it('sends a six-digit code in Chinese and keeps only its keyed hash', async () => {
    const res = await requestCode(PHONE);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true });
    const sms = env.sms.sent.at(-1)!;
    expect(sms.phone).toBe(PHONE);
    expect(sms.text).toMatch(/验证码/);
    expect(sms.text).toMatch(/5 分钟/);
    const code = lastCode(PHONE);
    const [row] = await env.ctx.db
      .select()
      .from(smsCodes)
      .where(eq(smsCodes.phoneHash, phoneHashOf(env.ctx, PHONE)));
    expect(row!.codeHash).not.toContain(code);
    expect(row!.phoneHash).not.toContain(PHONE);
    expect(row!.expiresAt.getTime() - row!.createdAt.getTime()).toBe(5 * 60 * 1000);
    const audit = await auditRows(env.ctx, 'auth.resident.code');
    expect(audit[0]!.details).toEqual({ phone: '139****5678' });
  });

  it('sends at most one code per number a minute', async () => {
    const res = await requestCode(PHONE);
    expect(res.statusCode).toBe(429);
    expect(res.json().error.code).toBe('auth.code_too_soon');
    const retry = res.json().error.retryAfterSeconds;
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(60);
    expect(res.headers['retry-after']).toBe(String(retry));
    const en = await requestCode(PHONE, { 'accept-language': 'en' });
    expect(en.json().error.message).toBe('A code was sent recently; wait before asking again');
    // Another number is not affected.
    expect((await requestCode('13700000001')).statusCode).toBe(200);
  });

  it('logs in with the code, creating the resident account on the first login', async () => {
    const code = lastCode(PHONE);
    const res = await residentLogin(PHONE, code);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true });
    const raw = String(res.headers['set-cookie']);
    expect(raw).toMatch(/HttpOnly/i);
    expect(raw).toMatch(/SameSite=Lax/i);
    expect(raw).toMatch(/Max-Age=2592000/);
    const cookie = sessionCookie(res);
    const me = await env.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } });
    expect(me.statusCode).toBe(200);
    expect(me.json().account).toMatchObject({
      kind: 'resident',
      username: null,
      displayName: '居民5678',
      phone: '139****5678',
      totpEnabled: false,
      mustChangePassword: false,
      passwordExpiresAt: null,
      totpSetupRequired: false,
    });
    expect(me.json().assignments).toEqual([]);
    expect(me.body).not.toContain(PHONE);
    expect(me.json().session.idleTimeoutSeconds).toBe(7 * 24 * 3600);

    const [acc] = await env.ctx.db
      .select()
      .from(accounts)
      .where(eq(accounts.phoneHash, phoneHashOf(env.ctx, PHONE)));
    expect(acc!.phoneEnc).not.toContain(PHONE);
    expect(env.ctx.secrets.decrypt(acc!.phoneEnc!)).toBe(PHONE);
    expect(acc!.phoneHash).toBe(env.ctx.secrets.keyedHash(PHONE, 'phone'));
    expect(acc!.phoneMasked).toBe('139****5678');
    expect(acc!.lastLoginAt).not.toBeNull();

    const logins = await auditRows(env.ctx, 'auth.login');
    expect(logins[0]).toMatchObject({ actorId: acc!.id, outcome: 'success' });
    expect(logins[0]!.details).toMatchObject({ method: 'sms', created: true });
    expect(JSON.stringify(logins[0]!.details)).not.toContain(PHONE);
    expect((await auditRows(env.ctx, 'account.create'))[0]).toMatchObject({ targetId: acc!.id });
  });

  it('does not accept a code twice', async () => {
    const res = await residentLogin(PHONE, lastCode(PHONE));
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('auth.code_invalid');
  });

  it('logs the same resident in again without creating a second account', async () => {
    const code = await newCode(PHONE);
    const res = await residentLogin(PHONE, code);
    expect(res.statusCode).toBe(200);
    const rows = await env.ctx.db
      .select()
      .from(accounts)
      .where(and(eq(accounts.phoneHash, phoneHashOf(env.ctx, PHONE)), eq(accounts.kind, 'resident')));
    expect(rows).toHaveLength(1);
  });

  it('refuses an expired code', async () => {
    const phone = '13600000002';
    const code = await newCode(phone);
    await env.ctx.db
      .update(smsCodes)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(smsCodes.phoneHash, phoneHashOf(env.ctx, phone)));
    const res = await residentLogin(phone, code);
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('auth.code_invalid');
    const rows = await env.ctx.db
      .select()
      .from(accounts)
      .where(eq(accounts.phoneHash, phoneHashOf(env.ctx, phone)));
    expect(rows).toEqual([]);
  });

  it('refuses a login when no code was ever sent', async () => {
    const res = await residentLogin('13500000003', '123456');
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('auth.code_invalid');
  });

  it('burns a code after 5 wrong tries and locks the number', async () => {
    const phone = '15800000004';
    const code = await newCode(phone);
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) {
      const res = await residentLogin(phone, wrong);
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('auth.code_invalid');
    }
    const [row] = await env.ctx.db
      .select()
      .from(smsCodes)
      .where(eq(smsCodes.phoneHash, phoneHashOf(env.ctx, phone)));
    expect(row!.attempts).toBe(5);
    // Five failures lock the number as five wrong passwords lock a username.
    const locked = await residentLogin(phone, code);
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error.code).toBe('auth.locked');
    expect(locked.headers['retry-after']).toBeDefined();
    const noSms = await requestCode(phone);
    expect(noSms.statusCode).toBe(429);
    // Even once the lock has run out, the burnt code stays useless.
    await env.ctx.db
      .delete(loginFailures)
      .where(eq(loginFailures.key, phoneLockKey(phoneHashOf(env.ctx, phone))));
    const burnt = await residentLogin(phone, code);
    expect(burnt.statusCode).toBe(401);
    expect(burnt.json().error.code).toBe('auth.code_invalid');
    // A new code works.
    await env.ctx.db
      .delete(loginFailures)
      .where(eq(loginFailures.key, phoneLockKey(phoneHashOf(env.ctx, phone))));
    const fresh = await newCode(phone);
    expect((await residentLogin(phone, fresh)).statusCode).toBe(200);
  });

  it('only checks the latest code of a number', async () => {
    const phone = '15900000005';
    const first = await newCode(phone);
    const second = await newCode(phone);
    if (first !== second) {
      const old = await residentLogin(phone, first);
      expect(old.statusCode).toBe(401);
    }
    expect((await residentLogin(phone, second)).statusCode).toBe(200);
  });

  it('refuses a disabled resident with the same answer as a wrong code', async () => {
    const phone = '15000000006';
    expect((await residentLogin(phone, await newCode(phone))).statusCode).toBe(200);
    await env.ctx.db
      .update(accounts)
      .set({ disabled: true })
      .where(eq(accounts.phoneHash, phoneHashOf(env.ctx, phone)));
    const res = await residentLogin(phone, await newCode(phone));
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('auth.code_invalid');
    const failures = (await auditRows(env.ctx, 'auth.login')).filter(
      (r) => (r.details as { reason?: string }).reason === 'disabled',
    );
    expect(failures).toHaveLength(1);
  });

  it('validates the phone number and the code format', async () => {
    for (const phone of [
      '12345678901',
      '1391234567',
      '139123456789',
      '+8613912345678',
      '１３９１２３４５６７８',
      '',
    ]) {
      const res = await requestCode(phone);
      expect(res.statusCode, phone).toBe(400);
      expect(res.json().error.details[0]).toMatchObject({ field: 'body.phone', rule: 'pattern' });
    }
    const wrongType = await env.app.inject({
      method: 'POST',
      url: '/api/auth/resident/code',
      payload: { phone: 13912345678 },
    });
    expect(wrongType.statusCode).toBe(400);
    const extra = await env.app.inject({
      method: 'POST',
      url: '/api/auth/resident/login',
      payload: { phone: PHONE, code: '123456', role: 'admin' },
    });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().error.details[0]).toMatchObject({ field: 'body.role', rule: 'additionalProperties' });
    const shortCode = await residentLogin(PHONE, '12345');
    expect(shortCode.statusCode).toBe(400);
    const missing = await env.app.inject({
      method: 'POST',
      url: '/api/auth/resident/login',
      payload: { phone: PHONE },
    });
    expect(missing.json().error.details[0]).toMatchObject({ field: 'body.code', rule: 'required' });
  });

  it('answers 503 and forgets the code when the SMS gateway fails', async () => {
    const phone = '18800000007';
    const send = env.ctx.sms.send;
    env.ctx.sms.send = async () => {
      throw new Error('gateway down');
    };
    try {
      const res = await requestCode(phone);
      expect(res.statusCode).toBe(503);
      expect(res.json().error.code).toBe('unavailable');
    } finally {
      env.ctx.sms.send = send;
    }
    const rows = await env.ctx.db
      .select()
      .from(smsCodes)
      .where(eq(smsCodes.phoneHash, phoneHashOf(env.ctx, phone)));
    expect(rows).toEqual([]);
    expect((await requestCode(phone)).statusCode).toBe(200);
  });
});
