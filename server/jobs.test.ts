import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import { runHousekeeping, startJobs } from './jobs';
import { enqueueMessage, type MessageSender } from './modules/notifications/outbox';
import { outbox } from './modules/notifications/tables';
import { idempotencyKeys } from './http/tables';
import { sessions } from './modules/accounts/tables';
import {
  countRows,
  createStaff,
  FIXTURE,
  login,
  seedFixtureAreas,
  startTestApp,
  type TestEnv,
} from './test/harness';

describe('housekeeping', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startTestApp();
    await seedFixtureAreas(env.ctx);
  });
  afterAll(async () => env.close());

  it('removes sessions that ended over a day ago and expired idempotency keys, and keeps live ones', async () => {
    await createStaff(env.ctx, 'jobs.old', 'street_staff', { areaCode: FIXTURE.streetA });
    await createStaff(env.ctx, 'jobs.live', 'street_staff', { areaCode: FIXTURE.streetA });
    await login(env.app, 'jobs.old');
    const live = await login(env.app, 'jobs.live');
    await env.ctx.db.execute(
      sql`update sessions set expires_at = now() - interval '2 days', last_seen_at = now() - interval '3 days'
          where account_id = (select id from accounts where username = 'jobs.old')`,
    );
    await env.ctx.db.insert(idempotencyKeys).values({
      scope: 'anonymous',
      key: 'old-key',
      method: 'POST',
      path: '/x',
      requestHash: 'h',
      state: 'done',
      expiresAt: new Date(Date.now() - 1000),
    });
    expect(await countRows(env.ctx, 'sessions')).toBe(2);

    expect(await runHousekeeping(env.ctx)).toBe(true);

    expect(await countRows(env.ctx, 'sessions')).toBe(1);
    expect(await countRows(env.ctx, 'idempotency_keys')).toBe(0);
    const me = await env.app.inject({ method: 'GET', url: '/api/me', headers: live.headers });
    expect(me.statusCode).toBe(200);
    expect((await env.ctx.db.select().from(sessions)).length).toBe(1);
  });

  it('runs the deadline job and the outbox delivery on their timers, and survives a failing run', async () => {
    await env.ctx.db.transaction((tx) =>
      enqueueMessage(env.ctx, tx, {
        channel: 'sms',
        recipient: '13800002468',
        template: 'case.closed',
        params: { number: 'jobs-1' },
        dedupeKey: 'jobs:1',
      }),
    );
    const errors: unknown[] = [];
    const log = {
      info: () => undefined,
      error: (obj: unknown) => errors.push(obj),
    } as unknown as FastifyBaseLogger;
    const keys: string[] = [];
    const sender: MessageSender = {
      async send(m) {
        keys.push(m.dedupeKey);
      },
    };
    // A deadline job that cannot run (a bad setting) is logged, and the other jobs go on.
    const saved = env.ctx.config.reminderFractions;
    // Deliberately broken (not a list) so that the run throws.
    env.ctx.config.reminderFractions = null as unknown as number[];
    const stop = startJobs(env.ctx, log, { sender });
    try {
      for (let i = 0; i < 100 && (keys.length === 0 || errors.length === 0); i++)
        await new Promise((r) => setTimeout(r, 50));
    } finally {
      stop();
      env.ctx.config.reminderFractions = saved;
    }
    expect(keys).toContain('jobs:1');
    expect(errors.length).toBeGreaterThan(0);
    const [row] = await env.ctx.db.select().from(outbox);
    expect(row!.status).toBe('sent');
  });
});
