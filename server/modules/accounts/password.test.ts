import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createStaff,
  FIXTURE,
  login,
  seedFixtureAreas,
  startTestApp,
  TEST_PASSWORD,
  type TestEnv,
} from '../../test/harness';
import type { App } from '../../http/types';
import { auditRows, postLogin } from './auth-test-utils';
import { accounts, passwordHistory } from './tables';

function change(app: App, headers: Record<string, string>, currentPassword: string, newPassword: string) {
  return app.inject({
    method: 'POST',
    url: '/api/me/password',
    headers,
    payload: { currentPassword, newPassword },
  });
}

describe('password change (default profile)', () => {
  let env: TestEnv;
  let id: string;
  beforeAll(async () => {
    env = await startTestApp();
    await seedFixtureAreas(env.ctx);
    id = await createStaff(env.ctx, 'pw.worker', 'community_worker', { areaCode: FIXTURE.communityA1 });
  });
  afterAll(async () => env.close());

  it('refuses a wrong current password on the currentPassword field', async () => {
    const s = await login(env.app, 'pw.worker');
    const res = await change(env.app, s.headers, 'not-my-password', 'Totally-New-Pass-1');
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'validation.failed' });
    expect(res.json().error.details).toEqual([
      { field: 'body.currentPassword', rule: 'password.wrong', message: '当前密码不正确' },
    ]);
    const audit = await auditRows(env.ctx, 'account.password.change');
    expect(audit[0]).toMatchObject({ outcome: 'failure', actorId: id });
    expect(JSON.stringify(audit[0]!.details)).not.toContain('not-my-password');
  });

  it('applies the default policy: 8 characters, not a common password, not the current one', async () => {
    const s = await login(env.app, 'pw.worker');
    const cases: [string, string][] = [
      ['short1', 'password.length'],
      ['password', 'password.common'],
      ['12345678', 'password.common'],
      [TEST_PASSWORD, 'password.reused'],
    ];
    for (const [pw, rule] of cases) {
      const res = await change(env.app, s.headers, TEST_PASSWORD, pw);
      expect(res.statusCode, pw).toBe(400);
      expect(res.json().error.details[0]).toMatchObject({ field: 'body.newPassword', rule });
    }
    const en = await env.app.inject({
      method: 'POST',
      url: '/api/me/password',
      headers: { ...s.headers, 'accept-language': 'en' },
      payload: { currentPassword: TEST_PASSWORD, newPassword: 'short1' },
    });
    expect(en.json().error.details[0].message).toBe('The password must be at least 8 characters');
  });

  it('changes the password, ends the other sessions and keeps this one', async () => {
    const other = await login(env.app, 'pw.worker');
    const s = await login(env.app, 'pw.worker');
    const res = await change(env.app, s.headers, TEST_PASSWORD, 'long enough passphrase');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true });
    expect(
      (await env.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: s.cookie } })).statusCode,
    ).toBe(200);
    const gone = await env.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: other.cookie } });
    expect(gone.statusCode).toBe(401);
    expect(gone.json().error.code).toBe('auth.session_expired');
    expect((await postLogin(env.app, { username: 'pw.worker', password: TEST_PASSWORD })).statusCode).toBe(
      401,
    );
    expect(
      (await postLogin(env.app, { username: 'pw.worker', password: 'long enough passphrase' })).statusCode,
    ).toBe(200);
    const [acc] = await env.ctx.db.select().from(accounts).where(eq(accounts.id, id));
    expect(acc!.passwordChangedAt!.getTime()).toBeGreaterThan(Date.now() - 60_000);
    const history = await env.ctx.db.select().from(passwordHistory).where(eq(passwordHistory.accountId, id));
    expect(history).toHaveLength(1);
    const audit = await auditRows(env.ctx, 'account.password.change');
    expect(audit[0]).toMatchObject({ outcome: 'success', actorId: id, targetId: id });
  });

  it('forces a password change: every other route answers 403 until it is done', async () => {
    const uid = await createStaff(env.ctx, 'temp.worker', 'grid_worker', { areaCode: FIXTURE.gridA1a });
    await env.ctx.db.update(accounts).set({ mustChangePassword: true }).where(eq(accounts.id, uid));
    const s = await login(env.app, 'temp.worker');
    const me = await env.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: s.cookie } });
    expect(me.json().account.mustChangePassword).toBe(true);
    const areas = await env.app.inject({ method: 'GET', url: '/api/areas', headers: { cookie: s.cookie } });
    expect(areas.statusCode).toBe(403);
    expect(areas.json().error.code).toBe('auth.password_change_required');
    const totp = await env.app.inject({ method: 'POST', url: '/api/me/totp/setup', headers: s.headers });
    expect(totp.json().error.code).toBe('auth.password_change_required');
    expect((await change(env.app, s.headers, TEST_PASSWORD, 'Changed-Now-123')).statusCode).toBe(200);
    const after = await env.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: s.cookie } });
    expect(after.json().account.mustChangePassword).toBe(false);
    expect(
      (await env.app.inject({ method: 'GET', url: '/api/areas', headers: { cookie: s.cookie } })).statusCode,
    ).toBe(200);
    // Logging out is always possible.
    const logout = await env.app.inject({ method: 'POST', url: '/api/auth/logout', headers: s.headers });
    expect(logout.statusCode).toBe(200);
  });

  it('validates the body', async () => {
    const s = await login(env.app, 'pw.worker', 'long enough passphrase');
    const bodies = [
      {},
      { currentPassword: 'x' },
      { currentPassword: 1, newPassword: 2 },
      { currentPassword: 'a', newPassword: 'b'.repeat(257) },
      { currentPassword: 'a', newPassword: 'Valid-Pass-1', confirm: 'x' },
      { currentPassword: '', newPassword: 'Valid-Pass-1' },
    ];
    for (const payload of bodies) {
      const res = await env.app.inject({
        method: 'POST',
        url: '/api/me/password',
        headers: s.headers,
        payload,
      });
      expect(res.statusCode, JSON.stringify(payload).slice(0, 60)).toBe(400);
      expect(res.json().error.code).toBe('validation.failed');
    }
    const anonymous = await env.app.inject({
      method: 'POST',
      url: '/api/me/password',
      payload: { currentPassword: 'a', newPassword: 'b' },
    });
    expect(anonymous.statusCode).toBe(401);
  });
});

describe('password change and expiry (等保 level-3 profile)', () => {
  let env: TestEnv;
  let id: string;
  beforeAll(async () => {
    env = await startTestApp({ passwordProfile: 'dengbao3' });
    await seedFixtureAreas(env.ctx);
    id = await createStaff(env.ctx, 'db3.worker', 'community_worker', { areaCode: FIXTURE.communityA1 });
  });
  afterAll(async () => env.close());

  it('reports when the password expires (90 days after the change)', async () => {
    const s = await login(env.app, 'db3.worker');
    const me = (
      await env.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: s.cookie } })
    ).json();
    const [acc] = await env.ctx.db.select().from(accounts).where(eq(accounts.id, id));
    expect(me.account.mustChangePassword).toBe(false);
    expect(Date.parse(me.account.passwordExpiresAt)).toBe(
      acc!.passwordChangedAt!.getTime() + 90 * 24 * 3600 * 1000,
    );
  });

  it('needs 10 characters of 3 kinds, without the username', async () => {
    const s = await login(env.app, 'db3.worker');
    const cases: [string, string][] = [
      ['Short-1', 'password.length'],
      ['alllowercaseletters', 'password.classes'],
      ['lowercase-and-symbols', 'password.classes'],
      ['My-db3.worker-Pass9', 'password.username'],
    ];
    for (const [pw, rule] of cases) {
      const res = await change(env.app, s.headers, TEST_PASSWORD, pw);
      expect(res.statusCode, pw).toBe(400);
      expect(res.json().error.details[0]).toMatchObject({ field: 'body.newPassword', rule });
    }
  });

  it('forbids reusing any of the last 5 passwords', async () => {
    const s = await login(env.app, 'db3.worker');
    const passwords = [
      TEST_PASSWORD,
      'Second-Pass-02',
      'Third-Pass-003',
      'Fourth-Pass-04',
      'Fifth-Pass-005',
      'Sixth-Pass-006',
    ];
    for (let i = 1; i < passwords.length; i++) {
      const res = await change(env.app, s.headers, passwords[i - 1]!, passwords[i]!);
      expect(res.statusCode, passwords[i]).toBe(200);
    }
    // Current: Sixth; the last five are Second..Sixth; the first one has dropped out.
    for (const old of passwords.slice(1)) {
      const res = await change(env.app, s.headers, 'Sixth-Pass-006', old);
      expect(res.statusCode, old).toBe(400);
      expect(res.json().error.details[0]).toMatchObject({
        field: 'body.newPassword',
        rule: 'password.reused',
      });
    }
    const back = await change(env.app, s.headers, 'Sixth-Pass-006', TEST_PASSWORD);
    expect(back.statusCode).toBe(200);
    const history = await env.ctx.db.select().from(passwordHistory).where(eq(passwordHistory.accountId, id));
    expect(history).toHaveLength(6);
    expect(JSON.stringify(history)).not.toContain('Pass-0');
  });

  it('forces a change once the password is older than 90 days', async () => {
    const uid = await createStaff(env.ctx, 'old.password', 'grid_worker', { areaCode: FIXTURE.gridA1a });
    await env.ctx.db
      .update(accounts)
      .set({ passwordChangedAt: new Date(Date.now() - 91 * 24 * 3600 * 1000) })
      .where(eq(accounts.id, uid));
    const s = await login(env.app, 'old.password');
    const me = (
      await env.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: s.cookie } })
    ).json();
    expect(me.account.mustChangePassword).toBe(true);
    expect(Date.parse(me.account.passwordExpiresAt)).toBeLessThan(Date.now());
    const areas = await env.app.inject({ method: 'GET', url: '/api/areas', headers: { cookie: s.cookie } });
    expect(areas.statusCode).toBe(403);
    expect(areas.json().error.code).toBe('auth.password_change_required');
    expect((await change(env.app, s.headers, TEST_PASSWORD, 'Renewed-Pass-2024')).statusCode).toBe(200);
    const after = (
      await env.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: s.cookie } })
    ).json();
    expect(after.account.mustChangePassword).toBe(false);
    expect(Date.parse(after.account.passwordExpiresAt)).toBeGreaterThan(Date.now() + 89 * 24 * 3600 * 1000);
    expect(
      (await env.app.inject({ method: 'GET', url: '/api/areas', headers: { cookie: s.cookie } })).statusCode,
    ).toBe(200);
  });
});
