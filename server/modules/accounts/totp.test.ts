import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createStaff,
  FIXTURE,
  login,
  seedFixtureAreas,
  startTestApp,
  TEST_PASSWORD,
  type TestEnv,
} from '../../test/harness';
import { auditRows, codeAt, postLogin } from './auth-test-utils';
import { accounts } from './tables';
import { base32Decode, base32Encode, hotp, otpauthUrl, totpCode, totpStep, verifyTotp } from './totp';

describe('RFC 6238 TOTP', () => {
  // RFC 6238 appendix B, SHA-1 seed "12345678901234567890", truncated to 6 digits.
  const seed = base32Encode(Buffer.from('12345678901234567890'));
  it.each([
    [59, '287082'],
    [1111111109, '081804'],
    [1111111111, '050471'],
    [1234567890, '005924'],
    [2000000000, '279037'],
    [20000000000, '353130'],
  ])('at %i s the code is %s', (seconds, code) => {
    expect(totpCode(seed, Math.floor(seconds / 30))).toBe(code);
    expect(verifyTotp(seed, code, { nowMs: seconds * 1000 })).toBe(Math.floor(seconds / 30));
  });

  it('matches RFC 4226 HOTP test values', () => {
    const key = Buffer.from('12345678901234567890');
    expect([0, 1, 2, 3, 9].map((c) => hotp(key, c))).toEqual([
      '755224',
      '287082',
      '359152',
      '969429',
      '520489',
    ]);
  });

  it('round-trips base32 and ignores case, spaces and padding', () => {
    const bytes = Buffer.from([0, 1, 2, 250, 251, 252, 253, 254, 255, 17]);
    const text = base32Encode(bytes);
    expect(base32Decode(text)).toEqual(bytes);
    expect(base32Decode(` ${text.toLowerCase()}==`)).toEqual(bytes);
    expect(base32Encode(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
    expect(() => base32Decode('abc1')).toThrow();
  });

  it('accepts one step either side, refuses two, and refuses steps at or before the last used', () => {
    const now = 1_700_000_000_000;
    const step = totpStep(now);
    const secret = base32Encode(Buffer.from('an-example-secret-20'));
    expect(verifyTotp(secret, totpCode(secret, step - 1), { nowMs: now })).toBe(step - 1);
    expect(verifyTotp(secret, totpCode(secret, step + 1), { nowMs: now })).toBe(step + 1);
    expect(verifyTotp(secret, totpCode(secret, step - 2), { nowMs: now })).toBeNull();
    expect(verifyTotp(secret, totpCode(secret, step + 2), { nowMs: now })).toBeNull();
    expect(verifyTotp(secret, totpCode(secret, step), { nowMs: now, lastStep: step })).toBeNull();
    expect(verifyTotp(secret, totpCode(secret, step - 1), { nowMs: now, lastStep: step })).toBeNull();
    expect(verifyTotp(secret, totpCode(secret, step + 1), { nowMs: now, lastStep: step })).toBe(step + 1);
    expect(verifyTotp(secret, 'abcdef', { nowMs: now })).toBeNull();
    expect(verifyTotp('not base32!', '123456', { nowMs: now })).toBeNull();
  });

  it('builds an otpauth URL with issuer Linli and the username as label', () => {
    const url = new URL(otpauthUrl('JBSWY3DPEHPK3PXP', 'grid.wang'));
    expect(url.protocol).toBe('otpauth:');
    expect(url.host).toBe('totp');
    expect(decodeURIComponent(url.pathname)).toBe('/Linli:grid.wang');
    expect(url.searchParams.get('secret')).toBe('JBSWY3DPEHPK3PXP');
    expect(url.searchParams.get('issuer')).toBe('Linli');
    expect(url.searchParams.get('digits')).toBe('6');
    expect(url.searchParams.get('period')).toBe('30');
  });
});

describe('TOTP enrolment and login', () => {
  let env: TestEnv;
  let workerId: string;

  beforeAll(async () => {
    env = await startTestApp();
    await seedFixtureAreas(env.ctx);
    workerId = await createStaff(env.ctx, 'totp.worker', 'community_worker', {
      areaCode: FIXTURE.communityA1,
    });
  });
  afterAll(async () => env.close());
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Freezes the clock in the middle of a 30-second step, so codes cannot straddle a step boundary. */
  function freezeMidStep(stepsFromNow = 0): void {
    const mid = (totpStep(Date.now()) + stepsFromNow) * 30_000 + 15_000;
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(mid);
  }

  it('enrols, then requires the code, rejects wrong codes and replays', async () => {
    freezeMidStep();
    const s = await login(env.app, 'totp.worker');

    const setup = await env.app.inject({ method: 'POST', url: '/api/me/totp/setup', headers: s.headers });
    expect(setup.statusCode).toBe(200);
    const { secret, otpauthUrl: url } = setup.json();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(url).toContain('otpauth://totp/Linli:totp.worker?');
    expect(url).toContain(`secret=${secret}`);

    // Stored encrypted and not yet enabled.
    const [pending] = await env.ctx.db.select().from(accounts).where(eq(accounts.id, workerId));
    expect(pending!.totpEnabled).toBe(false);
    expect(pending!.totpSecretEnc).toMatch(/^v2\.a256gcm\.[0-9a-f]{8}\./);
    expect(pending!.totpSecretEnc).not.toContain(secret);
    expect(env.ctx.secrets.decrypt(pending!.totpSecretEnc!)).toBe(secret);
    const stillOpen = await postLogin(env.app, { username: 'totp.worker', password: TEST_PASSWORD });
    expect(stillOpen.statusCode).toBe(200);

    const wrongEnable = await env.app.inject({
      method: 'POST',
      url: '/api/me/totp/enable',
      headers: s.headers,
      payload: { code: codeAt(secret, 5) },
    });
    expect(wrongEnable.statusCode).toBe(400);
    expect(wrongEnable.json().error.details).toEqual([
      expect.objectContaining({ field: 'body.code', rule: 'totp.invalid' }),
    ]);

    const enable = await env.app.inject({
      method: 'POST',
      url: '/api/me/totp/enable',
      headers: s.headers,
      payload: { code: codeAt(secret, -1) },
    });
    expect(enable.statusCode).toBe(200);
    const me = await env.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: s.cookie } });
    expect(me.json().account.totpEnabled).toBe(true);
    expect(me.body).not.toContain(secret);

    // A second setup would replace the enabled factor: refused.
    const again = await env.app.inject({ method: 'POST', url: '/api/me/totp/setup', headers: s.headers });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('auth.totp_already_enabled');

    const noCode = await postLogin(env.app, { username: 'totp.worker', password: TEST_PASSWORD });
    expect(noCode.statusCode).toBe(401);
    expect(noCode.json().error.code).toBe('auth.totp_required');
    expect(noCode.cookies).toEqual([]);

    const wrong = await postLogin(env.app, {
      username: 'totp.worker',
      password: TEST_PASSWORD,
      totp: codeAt(secret, 3),
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('auth.totp_invalid');

    // The code used to enable (step -1) is spent; the current one works once.
    const spent = await postLogin(env.app, {
      username: 'totp.worker',
      password: TEST_PASSWORD,
      totp: codeAt(secret, -1),
    });
    expect(spent.json().error.code).toBe('auth.totp_invalid');
    const code = codeAt(secret, 0);
    const good = await postLogin(env.app, { username: 'totp.worker', password: TEST_PASSWORD, totp: code });
    expect(good.statusCode).toBe(200);
    const replay = await postLogin(env.app, { username: 'totp.worker', password: TEST_PASSWORD, totp: code });
    expect(replay.statusCode).toBe(401);
    expect(replay.json().error.code).toBe('auth.totp_invalid');

    // The password does not open the door by itself, even with a wrong code.
    const badPassword = await postLogin(env.app, {
      username: 'totp.worker',
      password: 'wrong-pass',
      totp: codeAt(secret, 1),
    });
    expect(badPassword.json().error.code).toBe('auth.invalid_credentials');

    // Half a minute later the next code works.
    freezeMidStep(1);
    const later = await postLogin(env.app, {
      username: 'totp.worker',
      password: TEST_PASSWORD,
      totp: codeAt(secret, 0),
    });
    expect(later.statusCode).toBe(200);

    const reasons = (await auditRows(env.ctx, 'auth.login'))
      .filter((r) => r.actorId === workerId && r.outcome === 'failure')
      .map((r) => (r.details as { reason: string }).reason);
    expect(reasons).toEqual(expect.arrayContaining(['totp_required', 'totp_invalid']));
    const enabled = await auditRows(env.ctx, 'account.totp.enable');
    expect(enabled.map((r) => r.outcome)).toEqual(['success', 'failure']);
    expect((await auditRows(env.ctx, 'account.totp.setup')).length).toBe(1);
  });

  it('counts wrong TOTP codes as login failures', async () => {
    freezeMidStep(2);
    const id = await createStaff(env.ctx, 'totp.locked', 'grid_worker', { areaCode: FIXTURE.gridA1a });
    const s = await login(env.app, 'totp.locked');
    const { secret } = (
      await env.app.inject({ method: 'POST', url: '/api/me/totp/setup', headers: s.headers })
    ).json();
    await env.app.inject({
      method: 'POST',
      url: '/api/me/totp/enable',
      headers: s.headers,
      payload: { code: codeAt(secret) },
    });
    for (let i = 0; i < 5; i++) {
      const res = await postLogin(env.app, {
        username: 'totp.locked',
        password: TEST_PASSWORD,
        totp: codeAt(secret, 10 + i),
      });
      expect(res.json().error.code).toBe('auth.totp_invalid');
    }
    const locked = await postLogin(env.app, {
      username: 'totp.locked',
      password: TEST_PASSWORD,
      totp: codeAt(secret, 1),
    });
    expect(locked.statusCode).toBe(429);
    const failures = (await auditRows(env.ctx, 'auth.login')).filter(
      (r) => r.actorId === id && r.outcome === 'failure',
    );
    expect(failures).toHaveLength(5);
  });

  it('disables TOTP for a non-administrator with a current code', async () => {
    freezeMidStep(4);
    await createStaff(env.ctx, 'totp.off', 'grid_worker', { areaCode: FIXTURE.gridA1b });
    const s = await login(env.app, 'totp.off');
    const notYet = await env.app.inject({
      method: 'POST',
      url: '/api/me/totp/disable',
      headers: s.headers,
      payload: { code: '123456' },
    });
    expect(notYet.statusCode).toBe(409);
    expect(notYet.json().error.code).toBe('auth.totp_not_set_up');
    const enableFirst = await env.app.inject({
      method: 'POST',
      url: '/api/me/totp/enable',
      headers: s.headers,
      payload: { code: '123456' },
    });
    expect(enableFirst.json().error.code).toBe('auth.totp_not_set_up');

    const { secret } = (
      await env.app.inject({ method: 'POST', url: '/api/me/totp/setup', headers: s.headers })
    ).json();
    await env.app.inject({
      method: 'POST',
      url: '/api/me/totp/enable',
      headers: s.headers,
      payload: { code: codeAt(secret, -1) },
    });
    const reused = await env.app.inject({
      method: 'POST',
      url: '/api/me/totp/disable',
      headers: s.headers,
      payload: { code: codeAt(secret, -1) },
    });
    expect(reused.statusCode).toBe(400);
    const off = await env.app.inject({
      method: 'POST',
      url: '/api/me/totp/disable',
      headers: s.headers,
      payload: { code: codeAt(secret, 0) },
    });
    expect(off.statusCode).toBe(200);
    const [acc] = await env.ctx.db.select().from(accounts).where(eq(accounts.username, 'totp.off'));
    expect(acc).toMatchObject({ totpEnabled: false, totpSecretEnc: null });
    const plain = await postLogin(env.app, { username: 'totp.off', password: TEST_PASSWORD });
    expect(plain.statusCode).toBe(200);
    expect((await auditRows(env.ctx, 'account.totp.disable'))[0]!.outcome).toBe('success');
  });

  it('validates TOTP bodies and needs CSRF', async () => {
    const s = await login(env.app, 'totp.off');
    for (const payload of [
      {},
      { code: 123456 },
      { code: '12345' },
      { code: '1234567' },
      { code: '123456', x: 1 },
    ]) {
      const res = await env.app.inject({
        method: 'POST',
        url: '/api/me/totp/enable',
        headers: s.headers,
        payload,
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('validation.failed');
    }
    const noCsrf = await env.app.inject({
      method: 'POST',
      url: '/api/me/totp/setup',
      headers: { cookie: s.cookie },
    });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json().error.code).toBe('auth.csrf');
    const anonymous = await env.app.inject({ method: 'POST', url: '/api/me/totp/setup' });
    expect(anonymous.statusCode).toBe(401);
  });
});
