import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { Type, type Static } from 'typebox';
import { ErrorBody } from '../../common/schemas/common';
import {
  createStaff,
  FIXTURE,
  login,
  seedFixtureAreas,
  startTestApp,
  type Session,
  type TestEnv,
} from '../test/harness';
import { buildApp } from './app';
import { AppError } from './errors';
import type { App } from './types';

const Body = Type.Object(
  {
    n: Type.Integer(),
    wait: Type.Optional(Type.Boolean()),
    failOnce: Type.Optional(Type.Boolean()),
    conflict: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const Counted = Type.Object({ count: Type.Integer(), n: Type.Integer(), by: Type.String() });

/**
 * The real app (session gate, CSRF, idempotency, errors) on the test database, plus counting POST routes whose
 * side effect the tests can observe: registered before ready(), which buildApp leaves to its caller.
 */
describe('Idempotency-Key on POST', () => {
  let env: TestEnv;
  let app: App;
  let u1: Session;
  let u2: Session;
  let count = 0;
  let failed = false;
  let entered: () => void = () => undefined;
  let release: () => void = () => undefined;
  let gate: Promise<void> = Promise.resolve();

  beforeAll(async () => {
    env = await startTestApp();
    await seedFixtureAreas(env.ctx);
    await createStaff(env.ctx, 'idem1', 'grid_worker', { areaCode: FIXTURE.gridA1a });
    await createStaff(env.ctx, 'idem2', 'grid_worker', { areaCode: FIXTURE.gridA1a });
    app = await buildApp(env.ctx, { logger: false });
    await app.register(async (instance) => {
      const scope = instance as App;
      const handler = async (req: {
        body: Static<typeof Body>;
        actor: { username: string | null } | null;
      }) => {
        if (req.body.wait) {
          entered();
          await gate;
        }
        if (req.body.failOnce && !failed) {
          failed = true;
          throw new Error('boom');
        }
        if (req.body.conflict) throw new AppError('conflict');
        count++;
        return { count, n: req.body.n, by: req.actor?.username ?? 'anonymous' };
      };
      const schema = { body: Body, response: { 201: Counted, 409: ErrorBody, 500: ErrorBody } };
      scope.post('/api/test/count', { schema }, async (req, reply) =>
        reply.code(201).send(await handler(req)),
      );
      scope.post('/api/test/public-count', { schema, config: { auth: 'public' } }, async (req, reply) =>
        reply.code(201).send(await handler(req)),
      );
      scope.post('/api/test/no-idem', { schema, config: { idempotency: false } }, async (req, reply) =>
        reply.code(201).send(await handler(req)),
      );
    });
    await app.ready();
    u1 = await login(app, 'idem1');
    u2 = await login(app, 'idem2');
  });
  afterAll(async () => {
    await app.close();
    await env.close();
  });
  beforeEach(() => {
    count = 0;
    failed = false;
  });

  const post = (s: Session | null, key: string | undefined, payload: object, url = '/api/test/count') =>
    app.inject({
      method: 'POST',
      url,
      payload,
      headers: { ...(s ? s.headers : {}), ...(key === undefined ? {} : { 'idempotency-key': key }) },
    });

  it('replays the first response for the same key and body, applying the side effect once', async () => {
    const first = await post(u1, 'k-replay', { n: 1 });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toEqual({ count: 1, n: 1, by: 'idem1' });
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    for (let i = 0; i < 3; i++) {
      const again = await post(u1, 'k-replay', { n: 1 });
      expect(again.statusCode).toBe(201);
      expect(again.body).toBe(first.body);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.headers['content-type']).toMatch(/^application\/json/);
    }
    expect(count).toBe(1);
  });

  it('applies every request without a key', async () => {
    await post(u1, undefined, { n: 1 });
    await post(u1, undefined, { n: 1 });
    expect(count).toBe(2);
  });

  it('answers 422 idempotency.mismatch when the key comes back with another body', async () => {
    expect((await post(u1, 'k-mismatch', { n: 1 })).statusCode).toBe(201);
    const other = await post(u1, 'k-mismatch', { n: 2 });
    expect(other.statusCode).toBe(422);
    expect(other.json().error.code).toBe('idempotency.mismatch');
    // Another URL with the same key is another request, too.
    const elsewhere = await post(u1, 'k-mismatch', { n: 1 }, '/api/test/count?x=1');
    expect(elsewhere.statusCode).toBe(422);
    expect(count).toBe(1);
  });

  it('answers 409 idempotency.in_flight to a retry while the first request is still running', async () => {
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    gate = new Promise<void>((resolve) => (release = resolve));
    const first = post(u1, 'k-flight', { n: 1, wait: true });
    await inHandler;
    const second = await post(u1, 'k-flight', { n: 1, wait: true });
    expect(second.statusCode).toBe(409);
    expect(second.json().error.code).toBe('idempotency.in_flight');
    release();
    const done = await first;
    expect(done.statusCode).toBe(201);
    const third = await post(u1, 'k-flight', { n: 1, wait: true });
    expect(third.headers['idempotent-replayed']).toBe('true');
    expect(third.body).toBe(done.body);
    expect(count).toBe(1);
  });

  it('keeps keys per user: the same key from another user (or anonymous) is another key', async () => {
    const a = await post(u1, 'k-shared', { n: 7 });
    const b = await post(u2, 'k-shared', { n: 7 });
    expect(b.statusCode).toBe(201);
    expect(b.headers['idempotent-replayed']).toBeUndefined();
    expect(b.json()).toEqual({ count: 2, n: 7, by: 'idem2' });
    const anon = await post(null, 'k-shared', { n: 7 }, '/api/test/public-count');
    expect(anon.json()).toEqual({ count: 3, n: 7, by: 'anonymous' });
    // Each replays its own answer.
    expect((await post(u1, 'k-shared', { n: 7 })).body).toBe(a.body);
    expect((await post(u2, 'k-shared', { n: 7 })).body).toBe(b.body);
    expect(count).toBe(3);
  });

  it('rejects malformed keys with 400 naming the header', async () => {
    for (const key of ['x'.repeat(300), '', 'has space', 'ключ']) {
      const res = await post(u1, key, { n: 1 });
      expect(res.statusCode, JSON.stringify(key)).toBe(400);
      expect(res.json().error).toMatchObject({
        code: 'validation.failed',
        details: [expect.objectContaining({ field: 'headers.idempotency-key', rule: 'pattern' })],
      });
    }
    expect((await post(u1, 'x'.repeat(200), { n: 1 })).statusCode).toBe(201);
    expect(count).toBe(1);
  });

  it('does not remember a 5xx: the retry with the same key runs', async () => {
    const first = await post(u1, 'k-5xx', { n: 1, failOnce: true });
    expect(first.statusCode).toBe(500);
    expect(first.json().error.code).toBe('internal');
    const retry = await post(u1, 'k-5xx', { n: 1, failOnce: true });
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect(count).toBe(1);
  });

  it('does not remember a request that failed validation, but does remember a 4xx of the handler', async () => {
    const bad = await post(u1, 'k-invalid', { n: 'one' });
    expect(bad.statusCode).toBe(400);
    expect((await post(u1, 'k-invalid', { n: 1 })).statusCode).toBe(201);

    const refused = await post(u1, 'k-409', { n: 1, conflict: true });
    expect(refused.statusCode).toBe(409);
    const replay = await post(u1, 'k-409', { n: 1, conflict: true });
    expect(replay.statusCode).toBe(409);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toBe(refused.body);
    expect(count).toBe(1);
  });

  it('forgets keys after they expire', async () => {
    await post(u1, 'k-expire', { n: 1 });
    await env.ctx.db.execute(
      sql`update idempotency_keys set expires_at = now() - interval '1 second' where key = 'k-expire'`,
    );
    const again = await post(u1, 'k-expire', { n: 2 });
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    expect(count).toBe(2);
  });

  it('ignores the key on routes that opt out', async () => {
    await post(u1, 'k-optout', { n: 1 }, '/api/test/no-idem');
    const again = await post(u1, 'k-optout', { n: 1 }, '/api/test/no-idem');
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    expect(count).toBe(2);
  });
});
