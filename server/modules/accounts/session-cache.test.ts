import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../../common/roles';
import { buildApp } from '../../http/app';
import type { App } from '../../http/types';
import {
  createStaff,
  eventually,
  FIXTURE,
  login,
  seedFixtureAreas,
  startTestApp,
  type Session,
  type TestEnv,
} from '../../test/harness';
import { areas } from '../areas/tables';
import { SessionCache } from './session-cache';
import { accounts, assignments, sessions } from './tables';

let env: TestEnv;
/** A second server on the same database, as when several run side by side behind a proxy. */
let other: App;

beforeAll(async () => {
  env = await startTestApp();
  await seedFixtureAreas(env.ctx);
  other = await buildApp({ ...env.ctx }, { logger: false });
  await other.ready();
});

afterAll(async () => {
  await other.close();
  await env.close();
});

const me = (app: App, s: Session) =>
  app.inject({ method: 'GET', url: '/api/me', headers: { cookie: s.cookie } });

/** A new staff account signed in on the first server, whose session that server now holds in its cache. */
async function signedInAndCached(username: string, role: Role, areaCode: string) {
  await createStaff(env.ctx, username, role, { areaCode });
  const s = await login(env.app, username);
  // Creating the account notified the servers: let that pass before counting.
  await env.settled();
  expect((await me(env.app, s)).statusCode).toBe(200);
  const cached = env.app.sessionsCache!.size;
  expect(cached).toBeGreaterThan(0);
  return { s, cached };
}

describe('the session cache', () => {
  it('keeps a session a server resolved, and every server listens', async () => {
    expect(env.app.sessionsCache?.live).toBe(true);
    expect(other.sessionsCache?.live).toBe(true);
    await createStaff(env.ctx, 'cache.keep', 'grid_worker', { areaCode: FIXTURE.gridA1a });
    const s = await login(env.app, 'cache.keep');
    await other.sessionsCache!.settled(env.ctx.database);
    const before = other.sessionsCache!.size;
    expect((await me(other, s)).statusCode).toBe(200);
    expect(other.sessionsCache!.size).toBe(before + 1);
  });

  it('ends a session on every server when it logs out on one', async () => {
    await createStaff(env.ctx, 'cache.logout', 'grid_worker', { areaCode: FIXTURE.gridA1a });
    const s = await login(env.app, 'cache.logout');
    expect((await me(other, s)).statusCode).toBe(200);
    const out = await env.app.inject({ method: 'POST', url: '/api/auth/logout', headers: s.headers });
    expect(out.statusCode).toBe(200);
    // The server that logged it out forgets at once; the other hears of it from PostgreSQL.
    expect((await me(env.app, s)).statusCode).toBe(401);
    await eventually(async () => (await me(other, s)).statusCode === 401);
    await other.sessionsCache!.settled(env.ctx.database);
    expect((await me(other, s)).statusCode).toBe(401);
  });

  it('takes away a revoked role on every server', async () => {
    const id = await createStaff(env.ctx, 'cache.role', 'community_worker', {
      areaCode: FIXTURE.communityA1,
    });
    const s = await login(env.app, 'cache.role');
    expect((await me(other, s)).json().abilities.length).toBeGreaterThan(0);
    await env.ctx.db.update(assignments).set({ revokedAt: new Date() }).where(eq(assignments.accountId, id));
    await other.sessionsCache!.settled(env.ctx.database);
    const res = await me(other, s);
    expect(res.statusCode).toBe(200);
    expect(res.json().assignments).toEqual([]);
    expect(res.json().abilities).toEqual([]);
  });

  it('ends the sessions of a disabled account on every server', async () => {
    const id = await createStaff(env.ctx, 'cache.disabled', 'grid_worker', { areaCode: FIXTURE.gridA1a });
    const s = await login(env.app, 'cache.disabled');
    expect((await me(other, s)).statusCode).toBe(200);
    await env.ctx.db.update(accounts).set({ disabled: true }).where(eq(accounts.id, id));
    await other.sessionsCache!.settled(env.ctx.database);
    expect((await me(other, s)).statusCode).toBe(401);
  });

  it("shows an area's new name to sessions already cached", async () => {
    await createStaff(env.ctx, 'cache.rename', 'grid_worker', { areaCode: FIXTURE.gridA2a });
    const s = await login(env.app, 'cache.rename');
    expect((await me(other, s)).json().assignments[0].areaName).toBe('燕山社区第1网格');
    await env.ctx.db.update(areas).set({ name: '燕山社区第一网格' }).where(eq(areas.code, FIXTURE.gridA2a));
    await other.sessionsCache!.settled(env.ctx.database);
    expect((await me(other, s)).json().assignments[0].areaName).toBe('燕山社区第一网格');
  });

  it("keeps its sessions after a case's action or reading notifications, and forgets them after other writes", async () => {
    const { s, cached } = await signedInAndCached('cache.writes', 'community_worker', FIXTURE.communityA1);
    // A write that names a missing case answers 404, and still counts as a write of its route.
    const action = await env.app.inject({
      method: 'POST',
      url: '/api/cases/00000000-0000-4000-8000-000000000000/actions',
      headers: s.headers,
      payload: { action: 'accept', version: 1 },
    });
    expect(action.statusCode).toBeGreaterThanOrEqual(400);
    expect(env.app.sessionsCache!.size).toBe(cached);
    const read = await env.app.inject({
      method: 'POST',
      url: '/api/notifications/read',
      headers: s.headers,
      payload: { all: true },
    });
    expect(read.statusCode).toBe(200);
    expect(env.app.sessionsCache!.size).toBe(cached);
    const password = await env.app.inject({
      method: 'POST',
      url: '/api/me/password',
      headers: s.headers,
      payload: { currentPassword: 'wrong-password-1', newPassword: 'Another-Horse-77' },
    });
    expect(password.statusCode).toBe(400);
    expect(env.app.sessionsCache!.size).toBe(0);
  });

  it('keeps its sessions after a write without a session, which anyone could send', async () => {
    const { cached } = await signedInAndCached('cache.anonymous', 'grid_worker', FIXTURE.gridA1a);
    const refused = await env.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'cache.anonymous', password: 'not-the-password-1' },
    });
    expect(refused.statusCode).toBe(401);
    const unknown = await env.app.inject({ method: 'POST', url: '/api/no-such-route', payload: {} });
    expect(unknown.statusCode).toBe(404);
    expect(env.app.sessionsCache!.size).toBe(cached);
  });

  it('is off where the configuration says so (LINLI_CACHES=false)', async () => {
    const uncached = await buildApp(
      { ...env.ctx, config: { ...env.ctx.config, caches: false } },
      { logger: false },
    );
    try {
      expect(uncached.sessionsCache).toBeNull();
      await createStaff(env.ctx, 'cache.off', 'grid_worker', { areaCode: FIXTURE.gridA1a });
      const s = await login(uncached, 'cache.off');
      expect((await me(uncached, s)).statusCode).toBe(200);
      await env.ctx.db.update(sessions).set({ revokedAt: new Date() }).where(eq(sessions.csrfToken, s.csrf));
      expect((await me(uncached, s)).statusCode).toBe(401);
    } finally {
      await uncached.close();
    }
  });

  it('is no cache at all while its listener is down, and comes back', async (t) => {
    if (env.ctx.database.kind !== 'postgres') {
      t.skip(); // PGlite runs in the server's process: its listener cannot be lost.
      return;
    }
    const id = await createStaff(env.ctx, 'cache.down', 'grid_worker', { areaCode: FIXTURE.gridA1a });
    const s = await login(env.app, 'cache.down');
    expect((await me(other, s)).statusCode).toBe(200);
    const outages = other.sessionsCache!.outages;
    await env.ctx.db.execute(
      sql`select pg_terminate_backend(pid) from pg_stat_activity
          where datname = current_database() and query like 'LISTEN %'`,
    );
    await eventually(() => other.sessionsCache!.outages > outages);
    // Forgotten when the listener was lost (and again if it is back already).
    expect(other.sessionsCache!.size).toBe(0);
    // Ended while nobody listens: the server cannot hear of it, so it must not answer from memory. (Had the listener
    // already come back, it would have forgotten everything on its return: the answer is the same either way.)
    await env.ctx.db.update(sessions).set({ revokedAt: new Date() }).where(eq(sessions.accountId, id));
    expect((await me(other, s)).statusCode).toBe(401);
    await eventually(() => other.sessionsCache!.live && env.app.sessionsCache!.live);
    expect((await me(other, s)).statusCode).toBe(401);
    const again = await login(env.app, 'cache.down');
    expect((await me(other, again)).statusCode).toBe(200);
    expect(other.sessionsCache!.size).toBeGreaterThan(0);
  });
});

describe('SessionCache', () => {
  const row = (account: string) => ({ account_id: account });

  async function started(
    options: { maxEntries?: number } = {},
  ): Promise<SessionCache<{ account_id: string }>> {
    const cache = new SessionCache<{ account_id: string }>(options);
    await cache.start(env.ctx.database);
    return cache;
  }

  it('does not keep a session read before something was forgotten', async () => {
    const cache = await started();
    const mark = cache.mark();
    cache.forgetAccount('someone-else');
    cache.put('hash-a', row('a'), mark);
    expect(cache.get('hash-a')).toBeUndefined();
    cache.put('hash-a', row('a'), cache.mark());
    expect(cache.get('hash-a')).toEqual(row('a'));
    await cache.stop();
  });

  it("forgets one account's sessions and keeps the others", async () => {
    const cache = await started();
    cache.put('a1', row('a'), cache.mark());
    cache.put('a2', row('a'), cache.mark());
    cache.put('b1', row('b'), cache.mark());
    cache.forgetAccount('a');
    expect([cache.get('a1'), cache.get('a2'), cache.get('b1')]).toEqual([undefined, undefined, row('b')]);
    await cache.stop();
  });

  it('forgets the oldest session when full', async () => {
    const cache = await started({ maxEntries: 2 });
    for (const key of ['first', 'second', 'third']) cache.put(key, row(key), cache.mark());
    expect(cache.size).toBe(2);
    expect(cache.get('first')).toBeUndefined();
    expect(cache.get('third')).toEqual(row('third'));
    await cache.stop();
  });

  it('keeps nothing before it listens or after it stops', async () => {
    const cache = new SessionCache<{ account_id: string }>();
    cache.put('early', row('a'), cache.mark());
    expect(cache.size).toBe(0);
    await cache.start(env.ctx.database);
    cache.put('kept', row('a'), cache.mark());
    expect(cache.get('kept')).toEqual(row('a'));
    await cache.stop();
    expect(cache.get('kept')).toBeUndefined();
    expect(cache.live).toBe(false);
  });

  it('hears of a change committed by another connection', async () => {
    const cache = await started();
    const id = await createStaff(env.ctx, 'cache.heard', 'grid_worker', { areaCode: FIXTURE.gridA1b });
    cache.put('heard', row(id), cache.mark());
    await env.ctx.db.update(accounts).set({ displayName: '改名' }).where(eq(accounts.id, id));
    await cache.settled(env.ctx.database);
    expect(cache.get('heard')).toBeUndefined();
    await cache.stop();
  });

  it('is not told of a login or a session merely being used', async () => {
    const cache = await started();
    const id = await createStaff(env.ctx, 'cache.quiet', 'grid_worker', { areaCode: FIXTURE.gridA1b });
    const s = await login(env.app, 'cache.quiet');
    cache.put('quiet', row(id), cache.mark());
    await env.ctx.db.update(accounts).set({ lastLoginAt: new Date() }).where(eq(accounts.id, id));
    await env.ctx.db.update(sessions).set({ lastSeenAt: new Date() }).where(eq(sessions.accountId, id));
    await cache.settled(env.ctx.database);
    expect(cache.get('quiet')).toEqual(row(id));
    expect((await me(env.app, s)).statusCode).toBe(200);
    await cache.stop();
  });
});
