import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createStaff,
  FIXTURE,
  login,
  seedFixtureAreas,
  TEST_PASSWORD,
  type TestEnv,
  startTestApp,
} from '../../test/harness';
import { accounts, sessions } from './tables';
import { auditRows, postLogin, sessionCookie } from './auth-test-utils';

describe('password login, sessions and /api/me', () => {
  let env: TestEnv;
  let gridWorkerId: string;
  let handlerId: string;

  beforeAll(async () => {
    env = await startTestApp();
    const { departmentId } = await seedFixtureAreas(env.ctx);
    gridWorkerId = await createStaff(
      env.ctx,
      'grid.wang',
      'grid_worker',
      { areaCode: FIXTURE.gridA1a },
      { phone: '13812345678' },
    );
    handlerId = await createStaff(env.ctx, 'handler.li', 'dept_handler', {
      departmentId,
      departmentPath: '340302',
    });
    await createStaff(env.ctx, 'disabled.zhao', 'community_worker', { areaCode: FIXTURE.communityA1 });
    await env.ctx.db.update(accounts).set({ disabled: true }).where(eq(accounts.username, 'disabled.zhao'));
  });
  afterAll(async () => env.close());

  describe('POST /api/auth/login', () => {
    it('logs in with the right password and sets an HttpOnly, SameSite=Lax session cookie', async () => {
      const res = await postLogin(env.app, { username: 'grid.wang', password: TEST_PASSWORD });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ ok: true });
      const raw = String(res.headers['set-cookie']);
      expect(raw).toMatch(/^linli_session=[A-Za-z0-9_-]{40,};/);
      expect(raw).toMatch(/HttpOnly/i);
      expect(raw).toMatch(/SameSite=Lax/i);
      expect(raw).toMatch(/Path=\//);
      expect(raw).toMatch(/Max-Age=43200/);
      expect(raw).not.toMatch(/Secure/i);
      const [acc] = await env.ctx.db.select().from(accounts).where(eq(accounts.id, gridWorkerId));
      expect(acc!.lastLoginAt).not.toBeNull();
    });

    it('stores only a hash of the session token', async () => {
      const res = await postLogin(env.app, { username: 'grid.wang', password: TEST_PASSWORD });
      const token = sessionCookie(res).split('=')[1]!;
      const rows = await env.ctx.db.select().from(sessions).where(eq(sessions.accountId, gridWorkerId));
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.some((r) => r.tokenHash === token)).toBe(false);
    });

    it('accepts the username in any letter case', async () => {
      const res = await postLogin(env.app, { username: 'GRID.Wang', password: TEST_PASSWORD });
      expect(res.statusCode).toBe(200);
    });

    it('answers a wrong password, an unknown user and a disabled account alike with 401', async () => {
      const wrong = await postLogin(env.app, { username: 'handler.li', password: 'not-the-password' });
      const unknown = await postLogin(env.app, { username: 'nobody.here', password: 'whatever-1' });
      const disabled = await postLogin(env.app, { username: 'disabled.zhao', password: TEST_PASSWORD });
      for (const res of [wrong, unknown, disabled]) {
        expect(res.statusCode).toBe(401);
        expect(res.json().error.code).toBe('auth.invalid_credentials');
        expect(res.json().error.message).toBe('用户名或密码错误');
        expect(res.cookies.find((c) => c.name === 'linli_session')).toBeUndefined();
      }
      expect(Object.keys(wrong.json().error).sort()).toEqual(Object.keys(unknown.json().error).sort());
    });

    it('answers in the language of Accept-Language', async () => {
      const en = await postLogin(
        env.app,
        { username: 'nobody', password: 'x' },
        { 'accept-language': 'en-US,en;q=0.9' },
      );
      expect(en.json().error.message).toBe('Wrong username or password');
      const tw = await postLogin(
        env.app,
        { username: 'nobody', password: 'x' },
        { 'accept-language': 'zh-TW' },
      );
      expect(tw.json().error.message).toBe('使用者名稱或密碼錯誤');
      const zh = await postLogin(
        env.app,
        { username: 'nobody', password: 'x' },
        { 'accept-language': 'zh-CN,zh;q=0.9' },
      );
      expect(zh.json().error.message).toBe('用户名或密码错误');
    });

    it('audits successes and failures with a reason, never the password', async () => {
      await postLogin(env.app, { username: 'handler.li', password: 'Secret-Guess-77' });
      await postLogin(env.app, { username: 'handler.li', password: TEST_PASSWORD });
      const rows = await auditRows(env.ctx, 'auth.login');
      const failure = rows.find((r) => r.outcome === 'failure' && r.actorId === handlerId);
      const success = rows.find((r) => r.outcome === 'success' && r.actorId === handlerId);
      expect(failure).toBeDefined();
      expect(failure!.details).toMatchObject({ reason: 'wrong_password', method: 'password' });
      expect(success).toBeDefined();
      expect(success!.targetId).toBe(handlerId);
      const unknown = rows.find((r) => r.actorName === 'nobody.here');
      expect(unknown!.details).toMatchObject({ reason: 'unknown_user' });
      expect(unknown!.actorId).toBeNull();
      const disabled = rows.find((r) => r.actorName === 'disabled.zhao');
      expect(disabled!.details).toMatchObject({ reason: 'disabled' });
      const all = JSON.stringify(rows.map((r) => [r.actorName, r.details]));
      expect(all).not.toContain('Secret-Guess-77');
      expect(all).not.toContain(TEST_PASSWORD);
    });

    it('rejects bad input with 4xx in the error shape, never 500', async () => {
      const cases: { payload: unknown; field?: string; rule?: string }[] = [
        { payload: { username: 1, password: TEST_PASSWORD }, field: 'body.username', rule: 'type' },
        { payload: { username: 'grid.wang' }, field: 'body.password', rule: 'required' },
        { payload: {}, field: 'body.username', rule: 'required' },
        {
          payload: { username: 'grid.wang', password: TEST_PASSWORD, admin: true },
          field: 'body.admin',
          rule: 'additionalProperties',
        },
        {
          payload: { username: 'x'.repeat(10_000), password: 'y' },
          field: 'body.username',
          rule: 'maxLength',
        },
        {
          payload: { username: 'grid.wang', password: 'p'.repeat(100_000) },
          field: 'body.password',
          rule: 'maxLength',
        },
        {
          payload: { username: 'grid.wang', password: TEST_PASSWORD, totp: '12ab56' },
          field: 'body.totp',
          rule: 'pattern',
        },
        {
          payload: { username: ['grid.wang'], password: TEST_PASSWORD },
          field: 'body.username',
          rule: 'type',
        },
        { payload: { username: null, password: null }, field: 'body.username', rule: 'type' },
        { payload: [1, 2, 3] },
      ];
      for (const c of cases) {
        const res = await env.app.inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: c.payload as object,
        });
        expect(res.statusCode, JSON.stringify(c.payload).slice(0, 80)).toBe(400);
        const err = res.json().error;
        expect(err.code).toBe('validation.failed');
        expect(typeof err.message).toBe('string');
        if (c.field)
          expect(err.details).toContainEqual(expect.objectContaining({ field: c.field, rule: c.rule }));
      }
    });

    it('rejects a body that is not JSON, an unknown content type and a huge body', async () => {
      const broken = await env.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { 'content-type': 'application/json' },
        payload: '{"username": "grid.wang", "password": ',
      });
      expect(broken.statusCode).toBe(400);
      expect(broken.json().error.code).toBe('request.malformed');
      const empty = await env.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { 'content-type': 'application/json' },
        payload: '',
      });
      expect(empty.statusCode).toBe(400);
      expect(empty.json().error.code).toBe('request.malformed');
      const text = await env.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { 'content-type': 'text/plain' },
        payload: 'username=grid.wang',
      });
      // Plain text is parsed as a string, which is not the object the schema wants.
      expect(text.statusCode).toBe(400);
      expect(text.json().error.code).toBe('validation.failed');
      const form = await env.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'username=grid.wang&password=x',
      });
      expect(form.statusCode).toBe(415);
      expect(form.json().error.code).toBe('request.unsupported_media_type');
      const huge = await env.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ username: 'a', password: 'b'.repeat(2 * 1024 * 1024) }),
      });
      expect(huge.statusCode).toBe(413);
      expect(huge.json().error.code).toBe('request.too_large');
    });
  });

  describe('GET /api/me', () => {
    it('needs a session', async () => {
      const res = await env.app.inject({ method: 'GET', url: '/api/me' });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('auth.required');
    });

    it('describes the account, its assignments with names, abilities, CSRF token and session', async () => {
      const s = await login(env.app, 'grid.wang');
      const res = await env.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: s.cookie } });
      expect(res.statusCode).toBe(200);
      const me = res.json();
      expect(me.account).toEqual({
        id: gridWorkerId,
        kind: 'staff',
        username: 'grid.wang',
        displayName: 'grid.wang',
        phone: '138****5678',
        totpEnabled: false,
        mustChangePassword: false,
        passwordExpiresAt: null,
        totpSetupRequired: false,
      });
      expect(me.assignments).toEqual([
        expect.objectContaining({
          role: 'grid_worker',
          areaCode: FIXTURE.gridA1a,
          areaName: '淮河社区第1网格',
          areaPath: '340302001001001',
          departmentId: null,
          departmentName: null,
        }),
      ]);
      expect(me.abilities).toContainEqual({
        action: 'read',
        subject: 'Area',
        areaPaths: ['340302001001001'],
      });
      expect(me.csrfToken).toBe(s.csrf);
      expect(me.session.idleTimeoutSeconds).toBe(1800);
      const expires = Date.parse(me.session.expiresAt);
      expect(expires).toBeGreaterThan(Date.now() + 11 * 3600 * 1000);
      expect(expires).toBeLessThanOrEqual(Date.now() + 12 * 3600 * 1000);
    });

    it('names the department of a department handler', async () => {
      const s = await login(env.app, 'handler.li');
      const me = (
        await env.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: s.cookie } })
      ).json();
      expect(me.assignments[0]).toMatchObject({
        role: 'dept_handler',
        departmentName: '龙子湖区民政局',
        areaCode: null,
      });
    });

    it('never sends a password hash, a secret or the plain phone number', async () => {
      const s = await login(env.app, 'grid.wang');
      const res = await env.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: s.cookie } });
      const body = res.body;
      expect(body).not.toMatch(/argon2/);
      expect(body).not.toMatch(/passwordHash|password_hash|totpSecret|phoneEnc|phoneHash|tokenHash/);
      expect(body).not.toContain('13812345678');
      const [acc] = await env.ctx.db.select().from(accounts).where(eq(accounts.id, gridWorkerId));
      expect(body).not.toContain(acc!.passwordHash!);
    });
  });

  describe('cookies and CSRF', () => {
    it('treats malformed and oversized cookies as no session', async () => {
      const cookies = [
        'linli_session=%%%',
        'linli_session=%E0%A4%A',
        `linli_session=${'a'.repeat(8000)}`,
        'linli_session=',
        'linli_session="unterminated',
        'linli_session=abc; linli_session=def',
        '=; ;;==;',
        `linli_session=${'A'.repeat(43)}`,
      ];
      for (const [i, cookie] of cookies.entries()) {
        const res = await env.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } });
        expect(res.statusCode, cookie.slice(0, 40)).toBe(401);
        expect(res.json().error.code).toBe('auth.required');
        const pub = await postLogin(env.app, { username: `cookie.test${i}`, password: 'x' }, { cookie });
        expect(pub.statusCode).toBe(401);
        expect(pub.json().error.code).toBe('auth.invalid_credentials');
      }
    });

    it('refuses a cookie-authenticated write without or with a wrong X-CSRF-Token', async () => {
      const s = await login(env.app, 'grid.wang');
      const none = await env.app.inject({
        method: 'POST',
        url: '/api/auth/logout',
        headers: { cookie: s.cookie },
      });
      expect(none.statusCode).toBe(403);
      expect(none.json().error.code).toBe('auth.csrf');
      const wrong = await env.app.inject({
        method: 'POST',
        url: '/api/auth/logout',
        headers: { cookie: s.cookie, 'x-csrf-token': 'x'.repeat(s.csrf.length) },
      });
      expect(wrong.statusCode).toBe(403);
      expect(wrong.json().error.code).toBe('auth.csrf');
      const short = await env.app.inject({
        method: 'POST',
        url: '/api/me/password',
        headers: { cookie: s.cookie, 'x-csrf-token': 'abc' },
        payload: { currentPassword: TEST_PASSWORD, newPassword: 'Another-Pass-1' },
      });
      expect(short.statusCode).toBe(403);
      expect(short.json().error.code).toBe('auth.csrf');
      // Still logged in: the refused writes did nothing.
      const me = await env.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: s.cookie } });
      expect(me.statusCode).toBe(200);
    });

    it("does not accept one session's CSRF token for another session", async () => {
      const a = await login(env.app, 'grid.wang');
      const b = await login(env.app, 'handler.li');
      const res = await env.app.inject({
        method: 'POST',
        url: '/api/auth/logout',
        headers: { cookie: a.cookie, 'x-csrf-token': b.csrf },
      });
      expect(res.statusCode).toBe(403);
    });
  });

  describe('POST /api/auth/logout', () => {
    it('ends the session, clears the cookie and audits', async () => {
      const s = await login(env.app, 'grid.wang');
      const res = await env.app.inject({ method: 'POST', url: '/api/auth/logout', headers: s.headers });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ ok: true });
      const cleared = res.cookies.find((c) => c.name === 'linli_session');
      expect(cleared?.value).toBe('');
      const me = await env.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: s.cookie } });
      expect(me.statusCode).toBe(401);
      expect(me.json().error.code).toBe('auth.session_expired');
      const rows = await auditRows(env.ctx, 'auth.logout');
      expect(rows[0]).toMatchObject({ actorId: gridWorkerId, outcome: 'success' });
    });

    it('needs a session', async () => {
      const res = await env.app.inject({ method: 'POST', url: '/api/auth/logout' });
      expect(res.statusCode).toBe(401);
    });

    it('ends the previous session of the browser when it logs in again', async () => {
      const first = await login(env.app, 'grid.wang');
      const again = await postLogin(
        env.app,
        { username: 'handler.li', password: TEST_PASSWORD },
        { cookie: first.cookie },
      );
      expect(again.statusCode).toBe(200);
      const old = await env.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: first.cookie } });
      expect(old.statusCode).toBe(401);
    });
  });

  describe('session expiry', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    /** Moves the server's clock on: the session then looks idle to the database and to the server's cache alike. */
    function minutesPass(minutes: number): void {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(new Date(Date.now() + minutes * 60 * 1000));
    }

    async function sessionIdOf(cookie: string): Promise<string> {
      const me = await env.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } });
      expect(me.statusCode).toBe(200);
      const rows = await env.ctx.db
        .select({ id: sessions.id, csrf: sessions.csrfToken })
        .from(sessions)
        .where(eq(sessions.csrfToken, me.json().csrfToken));
      return rows[0]!.id;
    }

    it('keeps a staff session that was used within the last 30 minutes', async () => {
      const s = await login(env.app, 'grid.wang');
      const id = await sessionIdOf(s.cookie);
      minutesPass(29);
      const res = await env.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: s.cookie } });
      expect(res.statusCode).toBe(200);
      // Using it renews the idle clock.
      const [row] = await env.ctx.db.select().from(sessions).where(eq(sessions.id, id));
      expect(row!.lastSeenAt.getTime()).toBeGreaterThan(Date.now() - 60 * 1000);
    });

    it('expires a staff session after 30 idle minutes', async () => {
      const s = await login(env.app, 'grid.wang');
      await sessionIdOf(s.cookie);
      minutesPass(31);
      const res = await env.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: s.cookie } });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('auth.session_expired');
      const en = await env.app.inject({
        method: 'GET',
        url: '/api/me',
        headers: { cookie: s.cookie, 'accept-language': 'en' },
      });
      expect(en.json().error.message).toBe('Your session has expired; please log in again');
    });

    it('expires a staff session 12 hours after login however busy it is', async () => {
      const s = await login(env.app, 'grid.wang');
      const id = await sessionIdOf(s.cookie);
      const [row] = await env.ctx.db.select().from(sessions).where(eq(sessions.id, id));
      const lifetime = row!.expiresAt.getTime() - row!.createdAt.getTime();
      expect(Math.round(lifetime / 1000 / 60)).toBe(12 * 60);
      await env.ctx.db
        .update(sessions)
        .set({ expiresAt: new Date(Date.now() - 1000), lastSeenAt: new Date() })
        .where(eq(sessions.id, id));
      await env.settled();
      const res = await env.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: s.cookie } });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('auth.session_expired');
    });

    it('ends the sessions of an account that is disabled', async () => {
      const id = await createStaff(env.ctx, 'soon.disabled', 'grid_worker', { areaCode: FIXTURE.gridA1b });
      const s = await login(env.app, 'soon.disabled');
      await env.ctx.db.update(accounts).set({ disabled: true }).where(eq(accounts.id, id));
      await env.settled();
      const res = await env.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: s.cookie } });
      expect(res.statusCode).toBe(401);
    });
  });
});
