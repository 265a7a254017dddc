import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createStaff,
  FIXTURE,
  seedFixtureAreas,
  startTestApp,
  TEST_PASSWORD,
  type TestEnv,
} from '../../test/harness';
import { auditRows, postLogin } from './auth-test-utils';
import { lockSecondsAfter, LOCK_MAX_SECONDS } from './lockout';
import { loginFailures } from './tables';

describe('lock-out schedule', () => {
  it('locks after the 5th failure for 60 s and doubles up to an hour', () => {
    expect([1, 2, 3, 4].map(lockSecondsAfter)).toEqual([0, 0, 0, 0]);
    expect(lockSecondsAfter(5)).toBe(60);
    expect(lockSecondsAfter(6)).toBe(120);
    expect(lockSecondsAfter(7)).toBe(240);
    expect(lockSecondsAfter(10)).toBe(1920);
    expect(lockSecondsAfter(11)).toBe(LOCK_MAX_SECONDS);
    expect(lockSecondsAfter(500)).toBe(LOCK_MAX_SECONDS);
  });
});

describe('login lock-out with back-off', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startTestApp();
    await seedFixtureAreas(env.ctx);
    await createStaff(env.ctx, 'Worker.Lin', 'community_worker', { areaCode: FIXTURE.communityA1 });
    await createStaff(env.ctx, 'worker.ok', 'community_worker', { areaCode: FIXTURE.communityA2 });
  });
  afterAll(async () => env.close());

  /** Moves the end of a key's lock into the past, as if its time had run out. */
  async function expireLock(key: string) {
    await env.ctx.db
      .update(loginFailures)
      .set({ lockedUntil: new Date(Date.now() - 1000) })
      .where(eq(loginFailures.key, key));
  }

  it('locks after 5 failures, answers 429 with Retry-After without checking the password, and backs off', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await postLogin(env.app, { username: 'worker.lin', password: `wrong-${i}` });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('auth.invalid_credentials');
    }
    // Even the right password gets 429 now, and the key is the lower-cased username.
    const locked = await postLogin(env.app, { username: 'WORKER.LIN', password: TEST_PASSWORD });
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error.code).toBe('auth.locked');
    const retry = locked.json().error.retryAfterSeconds;
    expect(retry).toBeGreaterThan(55);
    expect(retry).toBeLessThanOrEqual(60);
    expect(locked.headers['retry-after']).toBe(String(retry));
    const en = await postLogin(
      env.app,
      { username: 'worker.lin', password: TEST_PASSWORD },
      { 'accept-language': 'en' },
    );
    expect(en.json().error.message).toBe('Too many failed attempts; try again later');

    // The lock ran out; one more failure locks for twice as long.
    await expireLock('worker.lin');
    const sixth = await postLogin(env.app, { username: 'worker.lin', password: 'wrong-again' });
    expect(sixth.statusCode).toBe(401);
    const second = await postLogin(env.app, { username: 'worker.lin', password: TEST_PASSWORD });
    expect(second.statusCode).toBe(429);
    expect(second.json().error.retryAfterSeconds).toBeGreaterThan(115);
    expect(second.json().error.retryAfterSeconds).toBeLessThanOrEqual(120);

    await expireLock('worker.lin');
    await postLogin(env.app, { username: 'worker.lin', password: 'wrong-third' });
    const third = await postLogin(env.app, { username: 'worker.lin', password: TEST_PASSWORD });
    expect(third.json().error.retryAfterSeconds).toBeGreaterThan(235);
    expect(third.json().error.retryAfterSeconds).toBeLessThanOrEqual(240);

    // After the lock a success clears the counter.
    await expireLock('worker.lin');
    const ok = await postLogin(env.app, { username: 'worker.lin', password: TEST_PASSWORD });
    expect(ok.statusCode).toBe(200);
    const rows = await env.ctx.db.select().from(loginFailures).where(eq(loginFailures.key, 'worker.lin'));
    expect(rows).toEqual([]);
    const next = await postLogin(env.app, { username: 'worker.lin', password: 'wrong-once' });
    expect(next.statusCode).toBe(401);
  });

  it('caps the lock at one hour', async () => {
    await env.ctx.db
      .insert(loginFailures)
      .values({ key: 'capped.user', count: 30, lastFailureAt: new Date() });
    await postLogin(env.app, { username: 'capped.user', password: 'x' });
    const res = await postLogin(env.app, { username: 'capped.user', password: 'x' });
    expect(res.statusCode).toBe(429);
    expect(res.json().error.retryAfterSeconds).toBeLessThanOrEqual(3600);
    expect(res.json().error.retryAfterSeconds).toBeGreaterThan(3590);
  });

  it('locks unknown usernames exactly like existing ones', async () => {
    const answers = [];
    for (let i = 0; i < 6; i++)
      answers.push(await postLogin(env.app, { username: 'ghost.user', password: `g-${i}` }));
    expect(answers.slice(0, 5).map((r) => r.statusCode)).toEqual([401, 401, 401, 401, 401]);
    expect(answers[5]!.statusCode).toBe(429);
    expect(answers[5]!.json().error.code).toBe('auth.locked');
  });

  it('keeps the counters of different usernames apart', async () => {
    const res = await postLogin(env.app, { username: 'worker.ok', password: TEST_PASSWORD });
    expect(res.statusCode).toBe(200);
  });

  it('forgets old failures after a quiet day', async () => {
    await env.ctx.db.insert(loginFailures).values({
      key: 'quiet.user',
      count: 4,
      lastFailureAt: new Date(Date.now() - 25 * 3600 * 1000),
    });
    await postLogin(env.app, { username: 'quiet.user', password: 'x' });
    const [row] = await env.ctx.db.select().from(loginFailures).where(eq(loginFailures.key, 'quiet.user'));
    expect(row!.count).toBe(1);
    expect(row!.lockedUntil).toBeNull();
  });

  it('audits refusals while locked', async () => {
    const rows = await auditRows(env.ctx, 'auth.login');
    expect(rows.some((r) => (r.details as { reason?: string }).reason === 'locked')).toBe(true);
  });
});
