import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config';
import {
  FIXTURE,
  seedFixtureAreas,
  startTestApp,
  type Session,
  type TestEnv,
  signInStaff,
  type StaffSpec,
} from '../../test/harness';
import { auditRows } from '../accounts/auth-test-utils';
import { routingRules } from '../categories/tables';
import { notifications } from '../notifications/tables';
import { OVERDUE_NOTE, runDeadlines } from './deadlines';
import { caseEvents, cases } from './tables';
import { insertCategory, placeCase } from './test-fixtures';

type CaseJson = { id: string; number: string; version: number; status: string; level: string };

const HOUR = 3600_000;
const DAY = 24 * HOUR;

describe('the deadline job', () => {
  let env: TestEnv;
  const s: Record<string, Session> = {};
  const ids: Record<string, string> = {};
  const cat: Record<string, string> = {};
  let departmentId: string;

  const get = (who: string, url: string) => env.app.inject({ method: 'GET', url, headers: s[who]!.headers });

  async function windowCase(category = 'community'): Promise<CaseJson> {
    const res = await env.app.inject({
      method: 'POST',
      url: '/api/cases',
      headers: s['comm.a1']!.headers,
      payload: {
        channel: 'window',
        categoryId: cat[category],
        title: '井盖缺失',
        description: '小区北门井盖缺失，存在安全隐患',
        areaCode: FIXTURE.gridA1a,
        reporterName: '王五',
        reporterPhone: '13800007777',
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as CaseJson;
  }

  /** Moves a case's deadline: it started `startedAgo` ms ago and ends in `endsIn` ms (negative: in the past). */
  async function setDeadline(
    id: string,
    startedAgo: number,
    endsIn: number,
    extra: Record<string, unknown> = {},
  ) {
    const now = Date.now();
    await env.ctx.db
      .update(cases)
      // Reported when its time started: a deadline never precedes the report.
      .set({
        createdAt: new Date(now - startedAgo),
        dueFrom: new Date(now - startedAgo),
        dueAt: new Date(now + endsIn),
        ...extra,
      })
      .where(eq(cases.id, id));
  }

  const row = async (id: string) => (await env.ctx.db.select().from(cases).where(eq(cases.id, id)))[0]!;
  const events = (id: string) =>
    env.ctx.db.select().from(caseEvents).where(eq(caseEvents.caseId, id)).orderBy(caseEvents.seq);
  const notices = (who: string, id: string, kind?: string) =>
    env.ctx.db
      .select()
      .from(notifications)
      .where(
        and(
          eq(notifications.accountId, ids[who]!),
          eq(notifications.caseId, id),
          kind ? eq(notifications.kind, kind) : undefined,
        ),
      );
  async function supervisionList(who: string): Promise<string[]> {
    const res = await get(who, '/api/cases?supervision=true&limit=200');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as {
      items: { id: string; status: string }[];
      total: number;
      counts: Record<string, number>;
    };
    // The tabs count what the list holds (its counts are read apart from its page).
    const byStatus: Record<string, number> = {};
    for (const i of body.items) byStatus[i.status] = (byStatus[i.status] ?? 0) + 1;
    expect(body.counts).toEqual(byStatus);
    expect(body.total).toBe(body.items.length);
    return body.items.map((i) => i.id);
  }

  beforeAll(async () => {
    env = await startTestApp();
    ({ departmentId } = await seedFixtureAreas(env.ctx));
    cat.community = await insertCategory(env.ctx);
    cat.dept = await insertCategory(env.ctx, { handlingLevel: 'district', matterClass: 'public' });
    await env.ctx.db.insert(routingRules).values({ categoryId: cat.dept, areaPath: '340302', departmentId });
    const staff: StaffSpec[] = [
      ['comm.a1', 'community_worker', { areaCode: FIXTURE.communityA1 }],
      ['comm.a1b', 'community_worker', { areaCode: FIXTURE.communityA1 }],
      ['grid.a1a', 'grid_worker', { areaCode: FIXTURE.gridA1a }],
      ['street.a', 'street_staff', { areaCode: FIXTURE.streetA }],
      ['leader.d', 'leader', { areaCode: FIXTURE.district }],
      ['leader.b', 'leader', { areaCode: FIXTURE.streetB }],
      ['dept.h', 'dept_handler', { departmentId, departmentPath: '340302' }],
    ];
    await signInStaff(env, staff, ids, s);
  });
  afterAll(async () => env?.close());

  it('escalates a case left alone past its deadline one level, once, onto the supervisor’s list', async () => {
    const c = await windowCase();
    const onTime = await windowCase();
    expect(c.level).toBe('community');
    await setDeadline(c.id, 3 * DAY, -HOUR);

    const first = await runDeadlines(env.ctx);
    expect(first.ran).toBe(true);
    expect(first.escalated).toBeGreaterThanOrEqual(1);
    let r = await row(c.id);
    expect(r.level).toBe('street');
    expect(r.status).toBe('accepted');
    expect(r.overdueEscalatedAt).not.toBeNull();
    expect(r.dueAt!.getTime()).toBeGreaterThan(Date.now());
    const last = (await events(c.id)).at(-1)!;
    expect(last).toMatchObject({
      action: 'escalate',
      note: OVERDUE_NOTE,
      actorId: null,
      actorName: 'system',
    });
    expect(last.data).toMatchObject({ automatic: true, fromLevel: 'community', toLevel: 'street' });
    expect((await auditRows(env.ctx, 'case.escalate')).some((a) => a.targetId === c.id)).toBe(true);

    // On the supervisor's list (the district's leader), a case on time is not; a leader elsewhere sees neither.
    expect(await supervisionList('leader.d')).toContain(c.id);
    expect(await supervisionList('leader.d')).not.toContain(onTime.id);
    expect(await supervisionList('leader.b')).not.toContain(c.id);
    // The leader and the community that let it run late are told it is overdue; the street that now holds it,
    // that it arrived.
    expect(await notices('leader.d', c.id, 'case.overdue')).toHaveLength(1);
    expect(await notices('comm.a1b', c.id, 'case.overdue')).toHaveLength(1);
    expect(await notices('street.a', c.id, 'case.assigned')).toHaveLength(1);

    // Run again, and after a long downtime (twice): it is not escalated a second time.
    const seq = r.version;
    await runDeadlines(env.ctx);
    await runDeadlines(env.ctx, new Date(Date.now() + 60 * DAY));
    await runDeadlines(env.ctx, new Date(Date.now() + 60 * DAY));
    r = await row(c.id);
    expect(r.level).toBe('street');
    expect(r.version).toBe(seq);
    expect(await notices('leader.d', c.id, 'case.overdue')).toHaveLength(1);
  });

  it('after a downtime escalates a case whose deadline passed meanwhile, once', async () => {
    const c = await windowCase();
    const later = new Date(Date.now() + 30 * DAY);
    await runDeadlines(env.ctx, later);
    // The new deadline (counted from the real now) also lies before `later`: still only one level up.
    await runDeadlines(env.ctx, later);
    const r = await row(c.id);
    expect(r.level).toBe('street');
    expect((await events(c.id)).map((e) => e.action)).toEqual(['report', 'escalate']);
  });

  it('works through many late cases in batches', async () => {
    const many = [];
    for (let i = 0; i < 5; i++) many.push(await windowCase());
    for (const c of many) await setDeadline(c.id, 2 * DAY, -HOUR * (1 + many.indexOf(c)));
    await runDeadlines(env.ctx, new Date(), { batch: 2 });
    for (const c of many) expect((await row(c.id)).level).toBe('street');
  });

  it('marks a late case that cannot move (department, district level, waiting for verification), and tells the leaders', async () => {
    const dept = await windowCase('dept');
    expect(dept.level).toBe('district');
    await setDeadline(dept.id, 8 * DAY, -HOUR);
    const handled = await placeCase(env.ctx, cat.community!, FIXTURE.gridA1a, { status: 'handled' });
    await setDeadline(handled.id, DAY, -HOUR);

    const run = await runDeadlines(env.ctx);
    expect(run.markedOverdue).toBeGreaterThanOrEqual(2);
    for (const id of [dept.id, handled.id]) {
      const r = await row(id);
      expect(r.overdueEscalatedAt).not.toBeNull();
      expect(r.version).toBe(1);
      expect(await notices('leader.d', id, 'case.overdue')).toHaveLength(1);
    }
    expect((await row(dept.id)).leadDepartmentId).toBe(departmentId);
    expect((await row(handled.id)).status).toBe('handled');
    // Those answerable are told too: the department's handler; the grid worker who should verify.
    expect(await notices('dept.h', dept.id, 'case.overdue')).toHaveLength(1);
    expect(await notices('grid.a1a', handled.id, 'case.overdue')).toHaveLength(1);
    const list = await supervisionList('leader.d');
    expect(list).toEqual(expect.arrayContaining([dept.id, handled.id]));
    const audit = (await auditRows(env.ctx, 'case.overdue')).flatMap(
      (a) => (a.details as { cases: { id: string }[] }).cases,
    );
    expect(audit.map((x) => x.id)).toEqual(expect.arrayContaining([dept.id, handled.id]));

    await runDeadlines(env.ctx);
    expect(await notices('leader.d', dept.id, 'case.overdue')).toHaveLength(1);
    expect(
      (await auditRows(env.ctx, 'case.overdue'))
        .flatMap((a) => (a.details as { cases: { id: string }[] }).cases)
        .filter((x) => x.id === dept.id),
    ).toHaveLength(1);
  });

  it('marks a late case the state machine refuses to escalate, instead of trying every minute', async () => {
    const c = await placeCase(env.ctx, cat.community!, FIXTURE.gridA1a, { status: 'accepted' });
    // A community-level case filed on the district itself: there is no street above it to escalate to.
    await env.ctx.db
      .update(cases)
      .set({ areaPath: '340302', holderPath: '340302' })
      .where(eq(cases.id, c.id));
    await setDeadline(c.id, DAY, -HOUR);
    const run = await runDeadlines(env.ctx);
    expect(run.failed.map((f) => f.caseId)).toContain(c.id);
    const r = await row(c.id);
    expect(r.overdueEscalatedAt).not.toBeNull();
    expect(r).toMatchObject({ level: 'community', version: 1 });
    expect(await notices('leader.d', c.id, 'case.overdue')).toHaveLength(1);
    expect((await runDeadlines(env.ctx)).failed.map((f) => f.caseId)).not.toContain(c.id);
  });

  it('reminds the holders at the set fractions of the time, once each, the latest only after a downtime', async () => {
    const c = await windowCase();
    await setDeadline(c.id, 6 * HOUR, 4 * HOUR); // 60 % gone
    await runDeadlines(env.ctx);
    let r = await row(c.id);
    expect(r.remindersSent).toBe(1);
    let sent = await notices('comm.a1b', c.id, 'case.reminder');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.data).toMatchObject({ number: c.number, fraction: 0.5, dueAt: r.dueAt!.toISOString() });
    await runDeadlines(env.ctx);
    expect(await notices('comm.a1b', c.id, 'case.reminder')).toHaveLength(1);

    await setDeadline(c.id, 9 * HOUR, HOUR); // 90 % gone
    await runDeadlines(env.ctx);
    r = await row(c.id);
    expect(r.remindersSent).toBe(2);
    sent = await notices('comm.a1b', c.id, 'case.reminder');
    expect(sent.map((n) => (n.data as { fraction: number }).fraction).sort()).toEqual([0.5, 0.8]);
    await runDeadlines(env.ctx);
    expect(await notices('comm.a1b', c.id, 'case.reminder')).toHaveLength(2);

    // A case nobody looked at while the server was down: only the latest passed fraction is sent.
    const d = await windowCase();
    await setDeadline(d.id, 17 * HOUR, 3 * HOUR); // 85 % gone
    await runDeadlines(env.ctx);
    expect((await row(d.id)).remindersSent).toBe(2);
    sent = await notices('comm.a1b', d.id, 'case.reminder');
    expect(sent.map((n) => (n.data as { fraction: number }).fraction)).toEqual([0.8]);

    // The same reminder is never written twice, even if the counter is lost.
    await env.ctx.db.update(cases).set({ remindersSent: 1 }).where(eq(cases.id, d.id));
    const again = await runDeadlines(env.ctx);
    expect((await row(d.id)).remindersSent).toBe(2);
    expect(again.reminderNotices).toBe(0);
    expect(await notices('comm.a1b', d.id, 'case.reminder')).toHaveLength(1);
  });

  it('takes the fractions from the configuration', async () => {
    expect(loadConfig({ LINLI_REMINDER_FRACTIONS: '0.8, 0.25,0.8' }).reminderFractions).toEqual([0.25, 0.8]);
    expect(loadConfig({}).reminderFractions).toEqual([0.5, 0.8]);
    expect(() => loadConfig({ LINLI_REMINDER_FRACTIONS: '0.5,1' })).toThrow(/LINLI_REMINDER_FRACTIONS/);
    expect(() => loadConfig({ LINLI_REMINDER_FRACTIONS: 'half' })).toThrow(/LINLI_REMINDER_FRACTIONS/);

    const saved = env.ctx.config.reminderFractions;
    env.ctx.config.reminderFractions = [0.25];
    try {
      const c = await windowCase();
      await setDeadline(c.id, 3 * HOUR, 7 * HOUR); // 30 % gone
      await runDeadlines(env.ctx);
      const sent = await notices('comm.a1b', c.id, 'case.reminder');
      expect(sent.map((n) => (n.data as { fraction: number }).fraction)).toEqual([0.25]);
    } finally {
      env.ctx.config.reminderFractions = saved;
    }
  });

  it('skips suspended cases: no reminder, no escalation', async () => {
    const late = await placeCase(env.ctx, cat.community!, FIXTURE.gridA1a, { status: 'suspended' });
    await setDeadline(late.id, 3 * DAY, -HOUR);
    const halfway = await placeCase(env.ctx, cat.community!, FIXTURE.gridA1a, { status: 'suspended' });
    await setDeadline(halfway.id, 6 * HOUR, 4 * HOUR);
    await runDeadlines(env.ctx);
    await runDeadlines(env.ctx, new Date(Date.now() + 10 * DAY));
    for (const id of [late.id, halfway.id]) {
      const r = await row(id);
      expect(r).toMatchObject({
        status: 'suspended',
        level: 'community',
        remindersSent: 0,
        overdueEscalatedAt: null,
      });
      expect(await notices('leader.d', id, 'case.overdue')).toHaveLength(0);
      expect(await notices('comm.a1b', id, 'case.reminder')).toHaveLength(0);
    }
  });

  it('starts reminders and the one escalation afresh with a new deadline', async () => {
    const c = await windowCase();
    await setDeadline(c.id, 3 * DAY, -HOUR);
    await runDeadlines(env.ctx);
    let r = await row(c.id);
    expect(r.level).toBe('street');
    // The street sends it back to the community with a new deadline: the mark is cleared.
    const res = await env.app.inject({
      method: 'POST',
      url: `/api/cases/${c.id}/actions`,
      headers: s['street.a']!.headers,
      payload: { action: 'transfer', version: r.version, level: 'community', reason: '社区可解决' },
    });
    expect(res.statusCode, res.body).toBe(200);
    r = await row(c.id);
    expect(r).toMatchObject({ level: 'community', overdueEscalatedAt: null, remindersSent: 0 });
    expect(await supervisionList('leader.d')).not.toContain(c.id);
  });

  it.skipIf(process.env.DATABASE_URL === undefined)(
    'does nothing while another server holds the job’s lock',
    async () => {
      const c = await windowCase();
      await setDeadline(c.id, 3 * DAY, -HOUR);
      const run = await env.ctx.db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(7310020)`);
        return runDeadlines(env.ctx);
      });
      expect(run.ran).toBe(false);
      expect((await row(c.id)).level).toBe('community');
      expect((await runDeadlines(env.ctx)).ran).toBe(true);
      expect((await row(c.id)).level).toBe('street');
    },
  );
});
