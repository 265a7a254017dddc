import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../db/client';
import {
  countRows,
  FIXTURE,
  seedFixtureAreas,
  startTestApp,
  type Session,
  type TestEnv,
  signInStaff,
  type StaffSpec,
} from '../../test/harness';
import { residentSession } from '../accounts/auth-test-utils';
import { accounts } from '../accounts/tables';
import { insertCategory } from '../cases/test-fixtures';
import {
  claimDue,
  deliverOutbox,
  enqueueMessage,
  LEASE_SECONDS,
  smsContextSender,
  type MessageSender,
  type OutboundMessage,
} from './outbox';
import { notify } from './service';
import { notifications, outbox } from './tables';

type CaseJson = { id: string; number: string; version: number; status: string; level: string };
type NoticeJson = {
  id: number;
  kind: string;
  caseId: string | null;
  data: Record<string, unknown>;
  readAt: string | null;
};
type ListJson = { items: NoticeJson[]; total: number; unread: number };

describe('notifications', () => {
  let env: TestEnv;
  const s: Record<string, Session> = {};
  const ids: Record<string, string> = {};
  let departmentId: string;
  const cat: Record<string, string> = {};

  const get = (who: string, url: string) => env.app.inject({ method: 'GET', url, headers: s[who]!.headers });
  const post = (who: string, url: string, payload: unknown) =>
    env.app.inject({ method: 'POST', url, headers: s[who]!.headers, payload: payload as object });

  async function step(who: string, c: CaseJson, body: Record<string, unknown>): Promise<CaseJson> {
    const res = await post(who, `/api/cases/${c.id}/actions`, { version: c.version, ...body });
    expect(res.statusCode, `${who} ${String(body.action)}: ${res.body}`).toBe(200);
    return res.json() as CaseJson;
  }

  async function windowCase(extra: Record<string, unknown> = {}, who = 'comm.a1'): Promise<CaseJson> {
    const res = await post(who, '/api/cases', {
      channel: 'window',
      categoryId: cat.community,
      title: '楼道灯不亮',
      description: '二单元楼道灯坏了一周',
      areaCode: FIXTURE.gridA1a,
      reporterName: '张三',
      reporterPhone: '13800001234',
      ...extra,
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as CaseJson;
  }

  /** The kinds of the notices an account has about a case. */
  async function kindsFor(who: string, caseId: string): Promise<string[]> {
    const rows = await env.ctx.db
      .select({ kind: notifications.kind })
      .from(notifications)
      .where(and(eq(notifications.accountId, ids[who]!), eq(notifications.caseId, caseId)));
    return rows.map((r) => r.kind).sort();
  }

  beforeAll(async () => {
    env = await startTestApp();
    ({ departmentId } = await seedFixtureAreas(env.ctx));
    cat.community = await insertCategory(env.ctx);
    const staff: StaffSpec[] = [
      ['comm.a1', 'community_worker', { areaCode: FIXTURE.communityA1 }],
      ['comm.a1b', 'community_worker', { areaCode: FIXTURE.communityA1 }],
      ['comm.off', 'community_worker', { areaCode: FIXTURE.communityA1 }],
      ['comm.a2', 'community_worker', { areaCode: FIXTURE.communityA2 }],
      ['grid.a1a', 'grid_worker', { areaCode: FIXTURE.gridA1a }],
      ['grid.a1b', 'grid_worker', { areaCode: FIXTURE.gridA1b }],
      ['street.a', 'street_staff', { areaCode: FIXTURE.streetA }],
      ['street.b', 'street_staff', { areaCode: FIXTURE.streetB }],
      ['leader.d', 'leader', { areaCode: FIXTURE.district }],
      ['dept.h', 'dept_handler', { departmentId, departmentPath: '340302' }],
    ];
    await signInStaff(env, staff, ids, s);
    for (const [who, phone] of [
      ['res.1', '13700001111'],
      ['res.2', '13700002222'],
    ] as const) {
      s[who] = await residentSession(env, phone);
      const me = (await get(who, '/api/me')).json() as { id?: string; account?: { id: string } };
      ids[who] = me.account?.id ?? me.id!;
    }
    // A disabled colleague is never told anything.
    await env.ctx.db.update(accounts).set({ disabled: true }).where(eq(accounts.id, ids['comm.off']!));
  });
  afterAll(async () => env?.close());

  it('tells the holders of a new case, not the one who entered it, nor a disabled or unrelated account', async () => {
    const c = await windowCase();
    expect(await kindsFor('comm.a1b', c.id)).toEqual(['case.assigned']);
    // The nearest unit is told: the street's staff may act on a community's case, but are not told of each one.
    expect(await kindsFor('street.a', c.id)).toEqual([]);
    expect(await kindsFor('comm.a1', c.id)).toEqual([]);
    expect(await kindsFor('comm.off', c.id)).toEqual([]);
    expect(await kindsFor('comm.a2', c.id)).toEqual([]);
    expect(await kindsFor('street.b', c.id)).toEqual([]);
    expect(await kindsFor('dept.h', c.id)).toEqual([]);

    const list = (await get('comm.a1b', '/api/notifications')).json() as ListJson;
    const mine = list.items.find((n) => n.caseId === c.id)!;
    expect(mine.kind).toBe('case.assigned');
    expect(mine.data).toMatchObject({ number: c.number, title: '楼道灯不亮', status: 'reported' });
    expect(mine.readAt).toBeNull();
    // No personal data in a notice.
    expect(JSON.stringify(mine.data)).not.toMatch(/张|1380000/);
  });

  it('keeps the inbox to its owner: another account can neither list nor mark it', async () => {
    const c = await windowCase();
    const before = (await get('comm.a1b', '/api/notifications')).json() as ListJson;
    const notice = before.items.find((n) => n.caseId === c.id)!;
    expect(before.unread).toBeGreaterThan(0);
    expect(((await get('comm.a1b', '/api/notifications/unread')).json() as { unread: number }).unread).toBe(
      before.unread,
    );

    // street.a marks comm.a1b's notice: no effect on it, and street.a never sees it.
    const other = await post('street.a', '/api/notifications/read', { ids: [notice.id] });
    expect(other.statusCode).toBe(200);
    const theirs = (await get('street.a', '/api/notifications?limit=100')).json() as ListJson;
    expect(theirs.items.map((n) => n.id)).not.toContain(notice.id);
    const still = (await get('comm.a1b', '/api/notifications')).json() as ListJson;
    expect(still.unread).toBe(before.unread);
    expect(still.items.find((n) => n.id === notice.id)!.readAt).toBeNull();

    const marked = await post('comm.a1b', '/api/notifications/read', { ids: [notice.id] });
    expect(marked.json()).toEqual({ unread: before.unread - 1 });
    const unreadOnly = (await get('comm.a1b', '/api/notifications?unread=true&limit=100')).json() as ListJson;
    expect(unreadOnly.items.map((n) => n.id)).not.toContain(notice.id);
    expect(unreadOnly.total).toBe(before.unread - 1);
    const after = (await get('comm.a1b', '/api/notifications?limit=100')).json() as ListJson;
    expect(after.items.find((n) => n.id === notice.id)!.readAt).not.toBeNull();

    expect((await post('comm.a1b', '/api/notifications/read', { all: true })).json()).toEqual({ unread: 0 });
    // street.a's own notices are untouched by comm.a1b marking all of its own.
    expect(((await get('street.a', '/api/notifications/unread')).json() as { unread: number }).unread).toBe(
      theirs.unread,
    );
  });

  it('answers 400 to junk', async () => {
    const none = await post('comm.a1b', '/api/notifications/read', {});
    expect(none.statusCode).toBe(400);
    expect((none.json() as { error: { details: { field: string }[] } }).error.details[0]!.field).toBe(
      'body.ids',
    );
    expect((await post('comm.a1b', '/api/notifications/read', { ids: ['x'] })).statusCode).toBe(400);
    expect((await post('comm.a1b', '/api/notifications/read', { ids: [] })).statusCode).toBe(400);
    expect((await post('comm.a1b', '/api/notifications/read', { all: false })).statusCode).toBe(400);
    expect((await get('comm.a1b', '/api/notifications?limit=0')).statusCode).toBe(400);
    expect((await get('comm.a1b', '/api/notifications?unread=maybe')).statusCode).toBe(400);
    expect((await env.app.inject({ method: 'GET', url: '/api/notifications' })).statusCode).toBe(401);
  });

  it('follows a resident’s case through the loop: each step tells those who act next', async () => {
    const created = await post('res.1', '/api/cases', {
      channel: 'online',
      categoryId: cat.community,
      title: '路灯不亮',
      description: '小区门口路灯不亮',
      areaCode: FIXTURE.gridA1a,
      callbackWanted: true,
    });
    expect(created.statusCode, created.body).toBe(201);
    let c = created.json() as CaseJson;
    expect(await kindsFor('comm.a1', c.id)).toEqual(['case.assigned']);
    expect(await kindsFor('res.1', c.id)).toEqual([]);

    c = await step('comm.a1', c, { action: 'accept' });
    expect(await kindsFor('res.1', c.id)).toEqual(['case.progress']);
    c = await step('comm.a1', c, { action: 'dispatch' });
    c = await step('comm.a1', c, { action: 'start' });
    c = await step('comm.a1', c, { action: 'request_extension', reason: '需采购材料', days: 2 });
    // The level above the community: the street.
    expect(await kindsFor('street.a', c.id)).toEqual(['case.extension_requested']);
    expect(await kindsFor('leader.d', c.id)).toEqual([]);
    expect(await kindsFor('comm.a1b', c.id)).not.toContain('case.extension_requested');
    c = await step('leader.d', c, { action: 'supervise', note: '请尽快处理' });
    expect(await kindsFor('comm.a1b', c.id)).toContain('case.supervised');
    expect(await kindsFor('leader.d', c.id)).not.toContain('case.supervised');
    c = await step('comm.a1', c, { action: 'handle', note: '已更换灯泡' });
    expect(await kindsFor('grid.a1a', c.id)).toEqual(['case.to_verify']);
    expect(await kindsFor('grid.a1b', c.id)).toEqual([]);
    expect(await kindsFor('res.1', c.id)).toEqual(['case.progress', 'case.progress']);
    c = await step('grid.a1a', c, { action: 'verify' });
    c = await step('comm.a1b', c, { action: 'close' });
    expect(await kindsFor('res.1', c.id)).toEqual(['case.closed', 'case.progress', 'case.progress']);
    const resident = (await get('res.1', '/api/notifications')).json() as ListJson;
    expect(resident.items.filter((n) => n.caseId === c.id).map((n) => n.kind)).toEqual([
      'case.closed',
      'case.progress',
      'case.progress',
    ]);
    // The callback was wanted: an SMS to the resident's phone, with the case number only.
    const [sms] = await env.ctx.db.select().from(outbox).where(eq(outbox.caseId, c.id));
    expect(sms).toMatchObject({
      channel: 'sms',
      template: 'case.closed',
      params: { number: c.number },
      recipientMasked: '137****1111',
      status: 'pending',
    });
    expect(env.ctx.secrets.decrypt(sms!.recipientEnc)).toBe('13700001111');
    // Another resident hears nothing of it.
    expect(await kindsFor('res.2', c.id)).toEqual([]);
  });

  it('tells the new unit when a case is dispatched to a department, escalated or returned', async () => {
    let c = await windowCase();
    c = await step('comm.a1', c, { action: 'accept' });
    c = await step('comm.a1', c, { action: 'dispatch', departmentId });
    expect(await kindsFor('dept.h', c.id)).toEqual(['case.assigned']);
    c = await step('dept.h', c, { action: 'return', reason: '不属于本部门职责' });
    expect(await kindsFor('comm.a1', c.id)).toEqual(['case.assigned']);
    c = await step('comm.a1', c, { action: 'escalate', reason: '需街道协调' });
    expect(c.level).toBe('street');
    expect(await kindsFor('street.a', c.id)).toEqual(['case.assigned']);
    // Kept at the same unit: no new notice.
    c = await step('street.a', c, { action: 'dispatch' });
    expect(await kindsFor('street.a', c.id)).toEqual(['case.assigned']);
  });

  it('queues an SMS when a case with a callback is declined, with the number and no name', async () => {
    const c = await windowCase({ callbackWanted: true });
    const quiet = await windowCase({ callbackWanted: false });
    await step('comm.a1', c, { action: 'decline', reason: '不属于受理范围' });
    await step('comm.a1', quiet, { action: 'decline', reason: '不属于受理范围' });
    const rows = await env.ctx.db.select().from(outbox).where(eq(outbox.caseId, c.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      template: 'case.declined',
      params: { number: c.number },
      recipientMasked: '138****1234',
    });
    expect(JSON.stringify(rows[0]!.params)).not.toContain('张');
    expect(await env.ctx.db.select().from(outbox).where(eq(outbox.caseId, quiet.id))).toHaveLength(0);
  });

  it('writes messages in the transaction of the action: a failed action leaves none', async () => {
    const c = await windowCase({ callbackWanted: true });
    const before = await countRows(env.ctx, 'outbox');
    const notices = await countRows(env.ctx, 'notifications');
    const stale = await post('comm.a1', `/api/cases/${c.id}/actions`, {
      version: c.version + 5,
      action: 'decline',
      reason: '不属于受理范围',
    });
    expect(stale.statusCode).toBe(409);
    await expect(
      env.ctx.db.transaction(async (tx) => {
        await enqueueMessage(env.ctx, tx, {
          channel: 'sms',
          recipient: '13800001234',
          template: 'case.closed',
          params: { number: c.number },
          dedupeKey: `rollback:${c.id}`,
        });
        await notify(tx, [ids['comm.a1']!], 'case.progress', { caseId: c.id, data: {}, dedupeKey: 'rb' });
        throw new Error('the action failed after writing its messages');
      }),
    ).rejects.toThrow('the action failed');
    expect(await countRows(env.ctx, 'outbox')).toBe(before);
    expect(await countRows(env.ctx, 'notifications')).toBe(notices);
  });

  it('de-duplicates: one message per key, one notice per account and key', async () => {
    const msg = {
      channel: 'sms' as const,
      recipient: '13800005678',
      template: 'case.closed',
      params: { number: 'X-1' },
      dedupeKey: 'dedupe:test:1',
    };
    expect(await env.ctx.db.transaction((tx) => enqueueMessage(env.ctx, tx, msg))).toBe(true);
    expect(await env.ctx.db.transaction((tx) => enqueueMessage(env.ctx, tx, msg))).toBe(false);
    const rows = await env.ctx.db.select().from(outbox).where(eq(outbox.dedupeKey, msg.dedupeKey));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.recipientEnc).not.toContain('13800005678');
    const to = [ids['comm.a1']!, ids['comm.a1']!, ids['comm.a2']!];
    expect(await notify(env.ctx.db, to, 'case.progress', { data: {}, dedupeKey: 'dedupe:n:1' })).toBe(2);
    expect(await notify(env.ctx.db, to, 'case.progress', { data: {}, dedupeKey: 'dedupe:n:1' })).toBe(0);
  });

  describe('delivery', () => {
    const t0 = new Date(Date.now() + 365 * 24 * 3600_000);
    const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

    /** A sender that fails the first `failures` tries of each message key listed, and records every call. */
    function flakySender(failures: Record<string, number>) {
      const calls: OutboundMessage[] = [];
      const sender: MessageSender = {
        async send(m) {
          calls.push(m);
          const left = failures[m.dedupeKey] ?? 0;
          if (left > 0) {
            failures[m.dedupeKey] = left - 1;
            throw new Error('gateway timeout');
          }
        },
      };
      return { sender, calls, to: (key: string) => calls.filter((c) => c.dedupeKey === key) };
    }

    async function queue(key: string, phone = '13800009999') {
      await env.ctx.db.transaction((tx) =>
        enqueueMessage(env.ctx, tx, {
          channel: 'sms',
          recipient: phone,
          template: 'case.closed',
          params: { number: key },
          dedupeKey: key,
        }),
      );
    }
    const row = async (key: string) =>
      (await env.ctx.db.select().from(outbox).where(eq(outbox.dedupeKey, key)))[0]!;

    it('retries a failing sender with backoff, sends once it works, and never again after success', async () => {
      await queue('deliver:retry');
      const flaky = flakySender({ 'deliver:retry': 2 });
      const r = await deliverOutbox(env.ctx, flaky.sender, { now: at(0) });
      expect(r.retried).toBeGreaterThanOrEqual(1);
      let x = await row('deliver:retry');
      expect(x).toMatchObject({ status: 'pending', attempts: 1, lastError: 'gateway timeout' });
      expect(x.nextAttemptAt.getTime()).toBe(at(30).getTime());
      // Not due yet: left alone.
      await deliverOutbox(env.ctx, flaky.sender, { now: at(10) });
      expect(flaky.to('deliver:retry')).toHaveLength(1);
      await deliverOutbox(env.ctx, flaky.sender, { now: at(31) });
      x = await row('deliver:retry');
      expect(x.attempts).toBe(2);
      expect(x.nextAttemptAt.getTime()).toBe(at(31 + 60).getTime());
      expect((await deliverOutbox(env.ctx, flaky.sender, { now: at(600) })).sent).toBeGreaterThanOrEqual(1);
      x = await row('deliver:retry');
      expect(x).toMatchObject({ status: 'sent', attempts: 3, lastError: null });
      expect(x.sentAt).not.toBeNull();
      await deliverOutbox(env.ctx, flaky.sender, { now: at(86_400) });
      const calls = flaky.to('deliver:retry');
      expect(calls).toHaveLength(3);
      expect(calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
      expect(calls[2]).toMatchObject({
        channel: 'sms',
        recipient: '13800009999',
        template: 'case.closed',
        params: { number: 'deliver:retry' },
        dedupeKey: 'deliver:retry',
      });
    });

    it('gives a message up as failed after the configured attempts', async () => {
      await queue('deliver:dead');
      const flaky = flakySender({ 'deliver:dead': 100 });
      for (let i = 0; i < 5; i++)
        await deliverOutbox(env.ctx, flaky.sender, { now: at(100_000 + i * 7200), maxAttempts: 3 });
      expect(flaky.to('deliver:dead')).toHaveLength(3);
      expect(await row('deliver:dead')).toMatchObject({
        status: 'failed',
        attempts: 3,
        lastError: 'gateway timeout',
      });
    });

    it('sends again after the lease when a server died between claiming and marking (at least once)', async () => {
      await queue('deliver:crash');
      // A server claims it and dies before it can mark it.
      const claimed = await claimDue(env.ctx.db, at(200_000), 1000);
      expect(claimed.map((c) => c.dedupe_key)).toContain('deliver:crash');
      const flaky = flakySender({});
      await deliverOutbox(env.ctx, flaky.sender, { now: at(200_001) });
      expect(flaky.to('deliver:crash')).toHaveLength(0);
      await deliverOutbox(env.ctx, flaky.sender, { now: at(200_000 + LEASE_SECONDS + 1) });
      expect(flaky.to('deliver:crash')).toHaveLength(1);
      expect(await row('deliver:crash')).toMatchObject({ status: 'sent', attempts: 2 });
    });

    it('claims each message once when two deliveries run at the same time', async () => {
      await queue('deliver:race');
      const flaky = flakySender({});
      await Promise.all([
        deliverOutbox(env.ctx, flaky.sender, { now: at(300_000) }),
        deliverOutbox(env.ctx, flaky.sender, { now: at(300_000) }),
      ]);
      expect(flaky.to('deliver:race')).toHaveLength(1);
    });

    it('sends SMS through the context’s SMS sender by default, as text with the case number', async () => {
      await queue('deliver:sms', '13800004321');
      const sender = smsContextSender(() => env.ctx.sms, flakySender({}).sender);
      await deliverOutbox(env.ctx, sender, { now: at(400_000) });
      const sent = env.sms.sent.find((m) => m.phone === '13800004321');
      expect(sent?.text).toContain('deliver:sms');
      expect(sent?.text).toContain('已办结');
      const [left] = await queryRows<{ n: number }>(
        env.ctx.db,
        sql`select count(*)::int as n from outbox where status = 'pending' and next_attempt_at <= ${at(400_000).toISOString()}::timestamptz`,
      );
      expect(left!.n).toBe(0);
    });
  });
});
