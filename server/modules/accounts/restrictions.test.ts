import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { areaPath } from '../../../common/area-code';
import {
  createStaff,
  FIXTURE,
  login,
  seedFixtureAreas,
  startTestApp,
  TEST_PASSWORD,
  type TestEnv,
} from '../../test/harness';
import { codeAt, postLogin, sessionCookie, sessionHeaders } from './auth-test-utils';
import { restrictionError } from './restrictions';
import { accounts, assignments } from './tables';
import { totpStep } from './totp';

function freezeMidStep(stepsFromNow = 0): void {
  const mid = (totpStep(Date.now()) + stepsFromNow) * 30_000 + 15_000;
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(mid);
}

describe('restrictionError', () => {
  const totp = { passwordChangeRequired: false, totpSetupRequired: true };
  const password = { passwordChangeRequired: true, totpSetupRequired: false };
  const both = { passwordChangeRequired: true, totpSetupRequired: true };
  const none = { passwordChangeRequired: false, totpSetupRequired: false };

  it('lets a session without TOTP only read /api/me, log out and enrol', () => {
    expect(restrictionError('GET', '/api/me', totp)).toBeNull();
    expect(restrictionError('HEAD', '/api/me', totp)).toBeNull();
    expect(restrictionError('POST', '/api/auth/logout', totp)).toBeNull();
    expect(restrictionError('POST', '/api/me/totp/setup', totp)).toBeNull();
    expect(restrictionError('POST', '/api/me/totp/enable', totp)).toBeNull();
    expect(restrictionError('GET', '/api/areas', totp)).toBe('auth.totp_setup_required');
    expect(restrictionError('POST', '/api/me/password', totp)).toBe('auth.totp_setup_required');
    expect(restrictionError('POST', '/api/me', totp)).toBe('auth.totp_setup_required');
  });

  it('lets a session that must change its password only do that (before TOTP)', () => {
    for (const r of [password, both]) {
      expect(restrictionError('GET', '/api/me', r)).toBeNull();
      expect(restrictionError('POST', '/api/me/password', r)).toBeNull();
      expect(restrictionError('POST', '/api/auth/logout', r)).toBeNull();
      expect(restrictionError('GET', '/api/areas', r)).toBe('auth.password_change_required');
      expect(restrictionError('POST', '/api/me/totp/setup', r)).toBe('auth.password_change_required');
    }
    expect(restrictionError('GET', '/api/areas', none)).toBeNull();
  });
});

describe('administrators must use TOTP', () => {
  let env: TestEnv;
  afterEach(() => {
    vi.useRealTimers();
  });
  beforeAll(async () => {
    env = await startTestApp();
    await seedFixtureAreas(env.ctx);
    await createStaff(env.ctx, 'sys.admin', 'admin', { areaCode: FIXTURE.city });
    await createStaff(env.ctx, 'sec.admin', 'security_admin', { areaCode: FIXTURE.city });
    await createStaff(env.ctx, 'audit.admin', 'auditor', { areaCode: FIXTURE.city });
    await createStaff(env.ctx, 'demo.flagged', 'admin', { areaCode: FIXTURE.city });
    await env.ctx.db.update(accounts).set({ demo: true }).where(eq(accounts.username, 'demo.flagged'));
  });
  afterAll(async () => env.close());

  it('restricts an administrator without TOTP to enrolment, then lifts the restriction', async () => {
    freezeMidStep();
    const s = await login(env.app, 'sys.admin');
    const other = await login(env.app, 'sys.admin');
    const me = await env.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: s.cookie } });
    expect(me.statusCode).toBe(200);
    expect(me.json().account).toMatchObject({ totpEnabled: false, totpSetupRequired: true });

    const areas = await env.app.inject({ method: 'GET', url: '/api/areas', headers: { cookie: s.cookie } });
    expect(areas.statusCode).toBe(403);
    expect(areas.json().error.code).toBe('auth.totp_setup_required');
    const en = await env.app.inject({
      method: 'GET',
      url: '/api/areas',
      headers: { cookie: s.cookie, 'accept-language': 'en' },
    });
    expect(en.json().error.message).toMatch(/authenticator/);
    const write = await env.app.inject({
      method: 'POST',
      url: '/api/me/password',
      headers: s.headers,
      payload: { currentPassword: TEST_PASSWORD, newPassword: 'Brand-New-Pass-42' },
    });
    expect(write.statusCode).toBe(403);
    expect(write.json().error.code).toBe('auth.totp_setup_required');

    const setup = await env.app.inject({ method: 'POST', url: '/api/me/totp/setup', headers: s.headers });
    expect(setup.statusCode).toBe(200);
    const { secret } = setup.json();
    const enable = await env.app.inject({
      method: 'POST',
      url: '/api/me/totp/enable',
      headers: s.headers,
      payload: { code: codeAt(secret, -1) },
    });
    expect(enable.statusCode).toBe(200);

    for (const session of [s, other]) {
      const after = await env.app.inject({
        method: 'GET',
        url: '/api/areas',
        headers: { cookie: session.cookie },
      });
      expect(after.statusCode).toBe(200);
      const meAfter = await env.app.inject({
        method: 'GET',
        url: '/api/me',
        headers: { cookie: session.cookie },
      });
      expect(meAfter.json().account).toMatchObject({ totpEnabled: true, totpSetupRequired: false });
    }

    // From now on the administrator needs the code, and may not turn TOTP off.
    const noCode = await postLogin(env.app, { username: 'sys.admin', password: TEST_PASSWORD });
    expect(noCode.json().error.code).toBe('auth.totp_required');
    const withCode = await postLogin(env.app, {
      username: 'sys.admin',
      password: TEST_PASSWORD,
      totp: codeAt(secret, 0),
    });
    expect(withCode.statusCode).toBe(200);
    const headers = await sessionHeaders(env.app, sessionCookie(withCode));
    const disable = await env.app.inject({
      method: 'POST',
      url: '/api/me/totp/disable',
      headers,
      payload: { code: codeAt(secret, 1) },
    });
    expect(disable.statusCode).toBe(403);
    expect(disable.json().error.code).toBe('forbidden');
    const [acc] = await env.ctx.db.select().from(accounts).where(eq(accounts.username, 'sys.admin'));
    expect(acc!.totpEnabled).toBe(true);
  });

  it('restricts the security administrator and the auditor too', async () => {
    for (const username of ['sec.admin', 'audit.admin']) {
      const s = await login(env.app, username);
      const res = await env.app.inject({ method: 'GET', url: '/api/audit', headers: { cookie: s.cookie } });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('auth.totp_setup_required');
      const logout = await env.app.inject({ method: 'POST', url: '/api/auth/logout', headers: s.headers });
      expect(logout.statusCode).toBe(200);
    }
  });

  it('restricts a session whose account was given an administrator role after login', async () => {
    const id = await createStaff(env.ctx, 'promoted.worker', 'grid_worker', { areaCode: FIXTURE.gridA1a });
    const s = await login(env.app, 'promoted.worker');
    expect(
      (await env.app.inject({ method: 'GET', url: '/api/areas', headers: { cookie: s.cookie } })).statusCode,
    ).toBe(200);
    await env.ctx.db
      .insert(assignments)
      .values({ accountId: id, role: 'auditor', areaCode: FIXTURE.city, areaPath: areaPath(FIXTURE.city) });
    await env.settled();
    const res = await env.app.inject({ method: 'GET', url: '/api/areas', headers: { cookie: s.cookie } });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('auth.totp_setup_required');
  });

  it('does not exempt a demo account outside demo mode', async () => {
    const s = await login(env.app, 'demo.flagged');
    const me = await env.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: s.cookie } });
    expect(me.json().account.totpSetupRequired).toBe(true);
  });

  it('lets an administrator with a temporary password change it first, then enrol TOTP', async () => {
    freezeMidStep(3);
    const id = await createStaff(env.ctx, 'new.admin', 'admin', { areaCode: FIXTURE.district });
    await env.ctx.db.update(accounts).set({ mustChangePassword: true }).where(eq(accounts.id, id));
    const s = await login(env.app, 'new.admin');
    const me = (
      await env.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: s.cookie } })
    ).json();
    expect(me.account).toMatchObject({ mustChangePassword: true, totpSetupRequired: true });
    const early = await env.app.inject({ method: 'POST', url: '/api/me/totp/setup', headers: s.headers });
    expect(early.statusCode).toBe(403);
    expect(early.json().error.code).toBe('auth.password_change_required');
    const change = await env.app.inject({
      method: 'POST',
      url: '/api/me/password',
      headers: s.headers,
      payload: { currentPassword: TEST_PASSWORD, newPassword: 'Fresh-Admin-Pass-7' },
    });
    expect(change.statusCode).toBe(200);
    const areas = await env.app.inject({ method: 'GET', url: '/api/areas', headers: { cookie: s.cookie } });
    expect(areas.json().error.code).toBe('auth.totp_setup_required');
    const setup = await env.app.inject({ method: 'POST', url: '/api/me/totp/setup', headers: s.headers });
    expect(setup.statusCode).toBe(200);
  });
});

describe('the demo exception', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startTestApp({ demo: true });
    await seedFixtureAreas(env.ctx);
    await createStaff(env.ctx, 'demo.admin', 'admin', { areaCode: FIXTURE.city });
    await env.ctx.db.update(accounts).set({ demo: true }).where(eq(accounts.username, 'demo.admin'));
    await createStaff(env.ctx, 'real.admin', 'admin', { areaCode: FIXTURE.city });
  });
  afterAll(async () => env.close());

  it('lets a demo administrator of a demo install in without TOTP and unrestricted', async () => {
    const s = await login(env.app, 'demo.admin');
    const me = (
      await env.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: s.cookie } })
    ).json();
    expect(me.account).toMatchObject({ totpEnabled: false, totpSetupRequired: false });
    const areas = await env.app.inject({ method: 'GET', url: '/api/areas', headers: { cookie: s.cookie } });
    expect(areas.statusCode).toBe(200);
  });

  it('still restricts an administrator that is not a demo account', async () => {
    const s = await login(env.app, 'real.admin');
    const areas = await env.app.inject({ method: 'GET', url: '/api/areas', headers: { cookie: s.cookie } });
    expect(areas.statusCode).toBe(403);
    expect(areas.json().error.code).toBe('auth.totp_setup_required');
  });
});
