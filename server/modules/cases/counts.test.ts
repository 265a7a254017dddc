import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { areaPath } from '../../../common/area-code';
import { queryRows } from '../../db/client';
import {
  createStaff,
  FIXTURE,
  login,
  seedFixtureAreas,
  startTestApp,
  type Session,
  type TestEnv,
} from '../../test/harness';
import { act } from './service';
import { areasUnder, compactCaseCounts, PAST_DUE_DAY } from './counts';
import { runDeadlines } from './deadlines';
import { cases } from './tables';
import { insertCategory, placeCase } from './test-fixtures';

type ListJson = { total: number; counts: Record<string, number> };

describe('the status counts of case lists', () => {
  let env: TestEnv;
  let street: Session;
  let category: string;
  let departmentId: string;
  const staff: Record<string, Session> = {};
  const accountIds: Record<string, string> = {};

  beforeAll(async () => {
    env = await startTestApp();
    ({ departmentId } = await seedFixtureAreas(env.ctx));
    category = await insertCategory(env.ctx);
    await createStaff(env.ctx, 'counts.street', 'street_staff', { areaCode: FIXTURE.streetA });
    street = await login(env.app, 'counts.street');
    const more = [
      ['counts.community', 'community_worker', { areaCode: FIXTURE.communityA1 }],
      ['counts.grid', 'grid_worker', { areaCode: FIXTURE.gridA1a }],
      ['counts.leader', 'leader', { areaCode: FIXTURE.district }],
      ['counts.dept', 'dept_handler', { departmentId, departmentPath: '340302' }],
    ] as const;
    for (const [u, role, target] of more) {
      accountIds[u] = await createStaff(env.ctx, u, role, target);
      staff[u] = await login(env.app, u);
    }
    staff['counts.street'] = street;
  });
  afterAll(async () => env.close());

  /** What counting the rows themselves says, for the street's scope. */
  async function rowCounts(): Promise<Record<string, number>> {
    const rows = await queryRows<{ status: string; n: number }>(
      env.ctx.db,
      sql`select status, count(*)::int as n from cases where area_path like '340302001%' group by status`,
    );
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  async function listed(query = ''): Promise<ListJson> {
    const res = await env.app.inject({ method: 'GET', url: `/api/cases${query}`, headers: street.headers });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as ListJson;
  }

  it('match the rows through intake, actions and folding, with or without filters', async () => {
    const placed = [];
    for (const area of [FIXTURE.gridA1a, FIXTURE.gridA1b, FIXTURE.communityA2, FIXTURE.gridA1a])
      placed.push(await placeCase(env.ctx, category, area));
    // Another street's case is not counted.
    await placeCase(env.ctx, category, FIXTURE.communityB1);
    const c = await act(env.ctx, null, placed[0]!.id, { action: 'accept', version: placed[0]!.version });
    await act(env.ctx, null, c.id, { action: 'dispatch', version: c.version });
    await act(env.ctx, null, placed[1]!.id, {
      action: 'decline',
      version: placed[1]!.version,
      reason: '重复',
    });

    const expected = await rowCounts();
    expect(expected).toEqual({ reported: 2, dispatched: 1, declined: 1 });
    expect((await listed()).counts).toEqual(expected);
    expect((await listed()).total).toBe(4);

    expect(await compactCaseCounts(env.ctx.db)).toBeGreaterThan(0);
    expect((await listed()).counts).toEqual(expected);
    // Folding twice changes nothing.
    await compactCaseCounts(env.ctx.db);
    expect((await listed()).counts).toEqual(expected);

    // A filtered list counts its rows.
    expect((await listed(`?area=${FIXTURE.communityA2}`)).counts).toEqual({ reported: 1 });
    expect((await listed('?status=reported')).total).toBe(2);
  });

  /** A list as `who` sees it: its counts from the kept rows, and the same list counted on its rows (a filter every
   * case of the test matches makes the list count its rows). */
  async function both(who: string, query: string) {
    const get = async (q: string) => {
      const res = await env.app.inject({
        method: 'GET',
        url: `/api/cases${q}`,
        headers: staff[who]!.headers,
      });
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as ListJson & { items: { id: string }[] };
    };
    const kept = await get(query);
    const counted = await get(`${query}&channel=window`);
    return { kept, counted };
  }

  /** Every role's list for `query`, with tabs from the kept counts, is the same list counted from its rows. */
  async function expectKeptAsCounted(query: string, why: string) {
    const lists: Awaited<ReturnType<typeof both>>['kept'][] = [];
    for (const who of Object.keys(staff)) {
      const { kept, counted } = await both(who, query);
      expect(kept.counts, `${who}, ${why}`).toEqual(counted.counts);
      expect(kept.total, `${who}, ${why}`).toBe(counted.total);
      expect(kept.items.map((i) => i.id)).toEqual(counted.items.map((i) => i.id));
      lists.push(kept);
    }
    return lists;
  }

  it('keep the work lists’ counts right through intake, actions, the deadline job and folding', async () => {
    const dept = { leadDepartmentId: departmentId, departmentPath: '340302' };
    await placeCase(env.ctx, category, FIXTURE.gridA1a);
    await placeCase(env.ctx, category, FIXTURE.gridA1b, { status: 'accepted' });
    await placeCase(env.ctx, category, FIXTURE.gridA1a, { status: 'handled' });
    await placeCase(env.ctx, category, FIXTURE.communityA2, { status: 'verified' });
    await placeCase(env.ctx, category, FIXTURE.communityA2, { status: 'dispatched', ...dept });
    await placeCase(env.ctx, category, FIXTURE.gridA1a, { status: 'handling', ...dept });
    await placeCase(env.ctx, category, FIXTURE.communityB1, { status: 'reported' });
    await placeCase(env.ctx, category, FIXTURE.communityB1, {
      status: 'closed',
      reporterAccountId: accountIds['counts.community']!,
    });
    // One left past its deadline: the job escalates it from its community to the street.
    const late = await placeCase(env.ctx, category, FIXTURE.gridA1b, { status: 'accepted' });
    await env.ctx.db
      .update(cases)
      .set({
        createdAt: new Date(Date.now() - 86_400_000),
        dueFrom: new Date(Date.now() - 86_400_000),
        dueAt: new Date(Date.now() - 60_000),
      })
      .where(eq(cases.id, late.id));

    const check = async () => {
      for (const who of Object.keys(staff)) {
        for (const q of ['?mine=true', '?limit=50']) {
          const { kept, counted } = await both(who, q);
          expect(kept.counts, `${who} ${q}`).toEqual(counted.counts);
          expect(kept.total, `${who} ${q}`).toBe(kept.items.length);
          expect(kept.items.map((i) => i.id).sort()).toEqual(counted.items.map((i) => i.id).sort());
        }
      }
    };
    await check();
    expect((await both('counts.community', '?mine=true')).kept.counts).toMatchObject({
      reported: 2,
      accepted: 2,
      handled: 1,
      closed: 1,
    });
    expect((await both('counts.dept', '?mine=true')).kept.counts).toEqual({ dispatched: 1, handling: 1 });

    expect((await runDeadlines(env.ctx)).escalated).toBeGreaterThanOrEqual(1);
    await check();
    expect((await both('counts.street', '?mine=true')).kept.counts.accepted).toBeGreaterThanOrEqual(2);
    await compactCaseCounts(env.ctx.db);
    await check();
    // A department's case dispatched on, and one taken back to the community, after folding.
    const [moved] = await env.ctx.db
      .update(cases)
      .set({ leadDepartmentId: departmentId, level: 'district', holderPath: '340302' })
      .where(eq(cases.id, late.id))
      .returning();
    expect(moved).toBeDefined();
    await check();
    await compactCaseCounts(env.ctx.db);
    await check();
  });

  it('keep the overdue filter’s counts right as deadlines pass and move, days go by and cases close', async () => {
    const minute = 60_000;
    const day = 86_400_000;
    const at = (ms: number) => new Date(Date.now() + ms);
    const placed = {
      longLate: await placeCase(env.ctx, category, FIXTURE.gridA1a, {
        status: 'accepted',
        dueAt: at(-3 * day),
      }),
      lateSinceYesterday: await placeCase(env.ctx, category, FIXTURE.gridA1b, {
        status: 'handling',
        dueAt: at(-day),
      }),
      // Due today (or just before midnight): late by a minute, and one not yet late.
      justLate: await placeCase(env.ctx, category, FIXTURE.communityA2, {
        status: 'handled',
        dueAt: at(-minute),
      }),
      notYet: await placeCase(env.ctx, category, FIXTURE.gridA1a, { status: 'reported', dueAt: at(minute) }),
      future: await placeCase(env.ctx, category, FIXTURE.gridA1a, {
        status: 'dispatched',
        dueAt: at(2 * day),
      }),
      // A suspended case (挂账) and a closed one do not run late; neither does one without a deadline.
      suspended: await placeCase(env.ctx, category, FIXTURE.gridA1a, {
        status: 'suspended',
        dueAt: at(-day),
      }),
      closed: await placeCase(env.ctx, category, FIXTURE.gridA1b, { status: 'closed', dueAt: at(-day) }),
      undated: await placeCase(env.ctx, category, FIXTURE.gridA1b, { status: 'accepted', dueAt: null }),
      otherStreet: await placeCase(env.ctx, category, FIXTURE.communityB1, {
        status: 'verified',
        dueAt: at(-day),
      }),
      // The community worker's own report elsewhere, late.
      reportedElsewhere: await placeCase(env.ctx, category, FIXTURE.communityB1, {
        status: 'accepted',
        dueAt: at(-2 * day),
        reporterAccountId: accountIds['counts.community']!,
      }),
    };

    const check = async (why: string) => {
      for (const kept of await expectKeptAsCounted('?overdue=true', why))
        expect(kept.items.every((i) => (i as { overdue?: boolean }).overdue)).toBe(true);
    };
    const overdueIds = async (who: string) => (await both(who, '?overdue=true')).kept.items.map((i) => i.id);

    await check('as placed');
    const street = await overdueIds('counts.street');
    expect(street).toEqual(
      expect.arrayContaining([placed.longLate.id, placed.lateSinceYesterday.id, placed.justLate.id]),
    );
    for (const c of [
      placed.notYet,
      placed.future,
      placed.suspended,
      placed.closed,
      placed.undated,
      placed.otherStreet,
    ])
      expect(street).not.toContain(c.id);
    expect(await overdueIds('counts.community')).toContain(placed.reportedElsewhere.id);

    await compactCaseCounts(env.ctx.db);
    await check('folded');

    // An extension moves a long-late case to a day ahead; a closed one leaves; a suspended one resumes, late.
    await env.ctx.db
      .update(cases)
      .set({ dueAt: at(2 * day) })
      .where(eq(cases.id, placed.longLate.id));
    await env.ctx.db
      .update(cases)
      .set({ status: 'closed' })
      .where(eq(cases.id, placed.lateSinceYesterday.id));
    await env.ctx.db.update(cases).set({ status: 'handling' }).where(eq(cases.id, placed.suspended.id));
    await check('after the changes');
    expect(await overdueIds('counts.street')).not.toContain(placed.longLate.id);
    await compactCaseCounts(env.ctx.db);
    await check('after the changes, folded');

    // A day goes by: rows kept under a day now past still count, and the next fold joins them to the past days' row.
    await env.ctx.db.execute(
      sql`update case_due_counts set due_day = (now() at time zone 'UTC')::date - 1 where due_day = ${PAST_DUE_DAY}`,
    );
    await check('a day later');
    await compactCaseCounts(env.ctx.db);
    await check('a day later, folded');
    const [left] = await queryRows<{ n: number }>(
      env.ctx.db,
      sql`select count(*)::int as n from case_due_counts
           where due_day > ${PAST_DUE_DAY} and due_day < (now() at time zone 'UTC')::date`,
    );
    expect(left?.n).toBe(0);
  });
  it('keep the supervisor’s list’s counts right as cases are escalated, supervised, closed and folded', async () => {
    const onList = (id: string, set: Partial<typeof cases.$inferInsert>) =>
      env.ctx.db.update(cases).set(set).where(eq(cases.id, id));
    const placed = {
      escalated: await placeCase(env.ctx, category, FIXTURE.gridA1a, { status: 'accepted' }),
      supervised: await placeCase(env.ctx, category, FIXTURE.communityA2, { status: 'handling' }),
      both: await placeCase(env.ctx, category, FIXTURE.gridA1b, { status: 'handled' }),
      closed: await placeCase(env.ctx, category, FIXTURE.gridA1b, { status: 'closed' }),
      notOnList: await placeCase(env.ctx, category, FIXTURE.gridA1a, { status: 'handling' }),
      otherStreet: await placeCase(env.ctx, category, FIXTURE.communityB1, { status: 'dispatched' }),
      departments: await placeCase(env.ctx, category, FIXTURE.communityA2, {
        status: 'dispatched',
        leadDepartmentId: departmentId,
        departmentPath: '340302',
      }),
      // The community worker's own report elsewhere, escalated.
      reportedElsewhere: await placeCase(env.ctx, category, FIXTURE.communityB1, {
        status: 'accepted',
        reporterAccountId: accountIds['counts.community']!,
      }),
    };
    const escalatedAt = new Date();
    for (const c of [
      placed.escalated,
      placed.closed,
      placed.otherStreet,
      placed.departments,
      placed.reportedElsewhere,
    ])
      await onList(c.id, { overdueEscalatedAt: escalatedAt });
    await onList(placed.supervised.id, { supervised: true });
    await onList(placed.both.id, { supervised: true, overdueEscalatedAt: escalatedAt });

    const check = (why: string) => expectKeptAsCounted('?supervision=true', why);
    const listedIds = async (who: string) =>
      (await both(who, '?supervision=true')).kept.items.map((i) => i.id);

    await check('as placed');
    const street = await listedIds('counts.street');
    expect(street).toEqual(
      expect.arrayContaining([placed.escalated.id, placed.supervised.id, placed.both.id]),
    );
    for (const c of [placed.closed, placed.notOnList, placed.otherStreet]) expect(street).not.toContain(c.id);
    expect(await listedIds('counts.community')).toContain(placed.reportedElsewhere.id);
    expect(await listedIds('counts.leader')).toContain(placed.otherStreet.id);

    await compactCaseCounts(env.ctx.db);
    await check('folded');

    // The leader lifts a supervision, one escalated case closes, another is escalated, and one moves to another street.
    await onList(placed.supervised.id, { supervised: false });
    await onList(placed.both.id, { supervised: false });
    await onList(placed.escalated.id, { status: 'closed' });
    await onList(placed.notOnList.id, { overdueEscalatedAt: escalatedAt });
    const [a2] = await queryRows<{ path: string }>(
      env.ctx.db,
      sql`select path from areas where code = ${FIXTURE.communityA2}`,
    );
    await onList(placed.otherStreet.id, { areaCode: FIXTURE.communityA2, areaPath: a2!.path });
    await check('after the changes');
    const after = await listedIds('counts.street');
    expect(after).not.toContain(placed.supervised.id);
    expect(after).toEqual(
      expect.arrayContaining([placed.both.id, placed.notOnList.id, placed.otherStreet.id]),
    );
    await compactCaseCounts(env.ctx.db);
    await check('after the changes, folded');
  });

  it('read areas by linli_areas_under: each path’s own area and those below it, nothing beside them', async () => {
    const under = async (codes: string[]) => {
      const rows = await queryRows<{ code: string }>(
        env.ctx.db,
        sql`select a.code from (${areasUnder(codes.map((c) => areaPath(c)))}) u join areas a on a.path = u.path
             order by a.code`,
      );
      return rows.map((r) => r.code);
    };
    expect(await under([FIXTURE.communityA1])).toEqual([
      FIXTURE.communityA1,
      FIXTURE.gridA1a,
      FIXTURE.gridA1b,
    ]);
    const street = await under([FIXTURE.streetA]);
    expect(street).toEqual(expect.arrayContaining([FIXTURE.streetA, FIXTURE.communityA2, FIXTURE.gridA2a]));
    expect(street).not.toContain(FIXTURE.communityB1);
    expect(await under([FIXTURE.gridA2a, FIXTURE.communityB1])).toEqual([
      FIXTURE.gridA2a,
      FIXTURE.communityB1,
    ]);
    expect(await under([])).toEqual([]);
  });
});
