import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { areaPath } from '../../../common/area-code';
import { memoryUploadStore } from '../../storage';
import {
  FIXTURE,
  createStaff,
  login,
  seedFixtureAreas,
  startTestApp,
  type Session,
  type TestEnv,
} from '../../test/harness';
import { auditLog } from '../audit/tables';
import { insertCategory } from '../cases/test-fixtures';
import { cases } from '../cases/tables';
import { areas } from '../areas/tables';
import { households } from '../people/tables';
import { residentTags, tags } from '../tags/tables';
import { visitNeeds, visits } from './tables';
import { readXlsxRows } from '../people/io/xlsx';
import { householdAt, insertRule, insertVisit } from './test-fixtures';

type ErrorJson = { error: { code: string; details?: { field: string; rule: string; message: string }[] } };
type DueJson = {
  today: string;
  total: number;
  counts: {
    households: number;
    overdue: number;
    dueSoon: number;
    upToDate: number;
    neverVisited: number;
    onSchedulePercent: number | null;
  };
  items: {
    householdId: string;
    status: string;
    dueOn: string;
    intervalDays: number;
    ruleId: string | null;
    ruleTagName: string | null;
    lastVisitedOn: string | null;
    daysOverdue: number;
  }[];
};
type CoverageRowJson = {
  areaCode: string;
  areaName?: string | null;
  households: number;
  visitedHouseholds: number;
  coveragePercent: number | null;
  visits: number;
};
type CoverageJson = {
  total: CoverageRowJson;
  grids: CoverageRowJson[];
  workers: (CoverageRowJson & { accountId: string; name: string; areaCodes: string[] })[];
};
type VisitJson = {
  id: string;
  visitedOn: string;
  personsMet: { id: string; name: string }[];
  needs: { n: number; category: string; text: string; caseId: string | null; caseNumber: string | null }[];
  photos: { id: string; url: string; thumbUrl: string }[];
  correctsId: string | null;
  correctedById: string | null;
};

let env: TestEnv;
const s: Record<string, Session> = {};
let gridWorkerId = '';
/** A grid of its own for this file's due-list tests, so other tests' households stay out of its counts. */
const GRID = '340302001002009';

function day(offset = 0): string {
  const d = new Date(Date.now() + 8 * 3_600_000);
  d.setUTCDate(d.getUTCDate() + offset);
  return d.toISOString().slice(0, 10);
}

async function call(who: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) {
  return env.app.inject({
    method,
    url,
    headers: s[who]!.headers,
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
}

const problems = (res: { json(): unknown }) =>
  ((res.json() as ErrorJson).error.details ?? []).map((d) => `${d.field}:${d.rule}`);

async function due(who: string, query = `areaCode=${GRID}`): Promise<DueJson> {
  const res = await call(who, 'GET', `/api/visits/due?${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as DueJson;
}

async function record(who: string, body: Record<string, unknown>): Promise<VisitJson> {
  const res = await call(who, 'POST', '/api/visits', body);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as VisitJson;
}

/** Makes a household look registered `days` ago (its first visit falls due `interval` days after that). */
async function registeredDaysAgo(id: string, days: number) {
  await env.ctx.db
    .update(households)
    .set({ createdAt: new Date(Date.now() - days * 86_400_000) })
    .where(eq(households.id, id));
}

beforeAll(async () => {
  env = await startTestApp();
  env.ctx.uploads = memoryUploadStore();
  await seedFixtureAreas(env.ctx);
  await env.ctx.db.insert(areas).values({
    code: GRID,
    name: '燕山社区第9网格',
    level: 'grid',
    path: areaPath(GRID),
    parentCode: FIXTURE.communityA2,
    source: 'local',
  });
  gridWorkerId = await createStaff(env.ctx, 'grid', 'grid_worker', { areaCode: GRID });
  await createStaff(env.ctx, 'gridA1', 'grid_worker', { areaCode: FIXTURE.gridA1a });
  await createStaff(env.ctx, 'comm', 'community_worker', { areaCode: FIXTURE.communityA2 });
  await createStaff(env.ctx, 'commA1', 'community_worker', { areaCode: FIXTURE.communityA1 });
  await createStaff(env.ctx, 'streetA', 'street_staff', { areaCode: FIXTURE.streetA });
  await createStaff(env.ctx, 'streetB', 'street_staff', { areaCode: FIXTURE.streetB });
  await createStaff(env.ctx, 'commB1', 'community_worker', { areaCode: FIXTURE.communityB1 });
  await createStaff(env.ctx, 'leader', 'leader', { areaCode: FIXTURE.district });
  await createStaff(env.ctx, 'vol', 'volunteer', { areaCode: FIXTURE.communityA1 });
  for (const u of ['grid', 'gridA1', 'comm', 'commA1', 'commB1', 'streetA', 'streetB', 'leader', 'vol'])
    s[u] = await login(env.app, u);
});
afterAll(async () => env?.close());

describe("a grid worker's due visits", () => {
  it('lists the households of its grid with their next due day, overdue first, with counts', async () => {
    const fresh = await householdAt(env.ctx, GRID);
    const longAgo = await householdAt(env.ctx, GRID);
    await registeredDaysAgo(longAgo.id, 100);
    const visited = await householdAt(env.ctx, GRID);
    await registeredDaysAgo(visited.id, 100);
    await insertVisit(env.ctx, visited, GRID, { visitedOn: day(-55) });

    // Without an area: the grid worker's own grids.
    const list = await due('grid', '');
    expect(list.counts.households).toBe(3);
    expect(list.items.map((i) => i.householdId)).toEqual([longAgo.id, visited.id, fresh.id]);
    const [first, second, third] = list.items;
    expect(first).toMatchObject({ status: 'overdue', intervalDays: 60, ruleId: null, lastVisitedOn: null });
    expect(first!.daysOverdue).toBe(40);
    expect(second).toMatchObject({ status: 'due_soon', lastVisitedOn: day(-55), dueOn: day(5) });
    expect(third).toMatchObject({ status: 'ok', dueOn: day(60) });
    expect(list.counts).toMatchObject({ overdue: 1, dueSoon: 1, upToDate: 2, neverVisited: 2 });
    expect(list.counts.onSchedulePercent).toBeCloseTo(66.7, 1);

    const overdueOnly = await due('grid', `areaCode=${GRID}&status=overdue`);
    expect(overdueOnly.total).toBe(1);
    expect(overdueOnly.counts.households).toBe(3);
  });

  it('takes the interval from the most specific rule: tag over area, deeper area over shallower', async () => {
    // Under street B, so that these rules leave the other tests' grids alone.
    const grid = '340302002001008';
    await env.ctx.db.insert(areas).values({
      code: grid,
      name: '延安社区第8网格',
      level: 'grid',
      path: areaPath(grid),
      parentCode: FIXTURE.communityB1,
      source: 'local',
    });
    const plain = await householdAt(env.ctx, grid);
    const lonely = await householdAt(env.ctx, grid);
    const [parentTag] = await env.ctx.db
      .insert(tags)
      .values({ code: 'test.elderly', name: '老年人', visibleRoles: ['street_staff'] })
      .returning();
    const [childTag] = await env.ctx.db
      .insert(tags)
      .values({
        code: 'test.elderly.alone',
        name: '独居老人',
        parentId: parentTag!.id,
        visibleRoles: ['street_staff'],
      })
      .returning();
    await env.ctx.db
      .insert(residentTags)
      .values({ residentId: lonely.memberId, tagId: childTag!.id, fromDate: '2020-01-01' });

    await insertRule(env.ctx, FIXTURE.streetB, 90);
    const community = await insertRule(env.ctx, FIXTURE.communityB1, 45);
    // On the parent tag, at the street: still wins over the community's area rule for the tagged household.
    const tagRule = await insertRule(env.ctx, FIXTURE.streetB, 7, parentTag!.id);

    const list = await due('streetB', `areaCode=${grid}`);
    const byId = new Map(list.items.map((i) => [i.householdId, i]));
    expect(byId.get(plain.id)).toMatchObject({ intervalDays: 45, ruleId: community, ruleTagName: null });
    expect(byId.get(lonely.id)).toMatchObject({ intervalDays: 7, ruleId: tagRule, ruleTagName: '老年人' });
    // A community worker may not see this tag: the interval shows, the tag's name does not.
    const res = await call('commB1', 'GET', `/api/visits/due?areaCode=${grid}`);
    const seen = (res.json() as DueJson).items.find((i) => i.householdId === lonely.id)!;
    expect(seen).toMatchObject({ intervalDays: 7, ruleTagName: null });
  });

  it('is refused outside the scope and to roles without visits', async () => {
    expect((await call('grid', 'GET', `/api/visits/due?areaCode=${FIXTURE.gridA1a}`)).statusCode).toBe(403);
    expect((await call('vol', 'GET', '/api/visits/due')).statusCode).toBe(403);
    expect((await call('leader', 'GET', '/api/visits/due')).statusCode).toBe(403);
  });
});

describe('recording a visit', () => {
  it('records persons met, situation and needs, audits it, and the household is no longer due', async () => {
    const h = await householdAt(env.ctx, GRID);
    await registeredDaysAgo(h.id, 90);
    const before = await due('grid');
    expect(before.items.find((i) => i.householdId === h.id)!.status).toBe('overdue');

    const v = await record('grid', {
      householdId: h.id,
      visitedOn: day(0),
      personsMet: [h.memberId],
      situation: '  老人身体尚好，\n独自在家  ',
      needs: [{ category: 'medical', text: '需要上门量血压' }],
      followUp: true,
    });
    expect(v.personsMet).toEqual([{ id: h.memberId, name: '测试居民' }]);
    expect(v.needs).toEqual([
      { n: 1, category: 'medical', text: '需要上门量血压', caseId: null, caseNumber: null },
    ]);
    const after = await due('grid');
    const item = after.items.find((i) => i.householdId === h.id)!;
    expect(item).toMatchObject({ status: 'ok', lastVisitedOn: day(0), dueOn: day(60) });
    expect(after.counts.overdue).toBe(before.counts.overdue - 1);

    const [entry] = await env.ctx.db.select().from(auditLog).where(eq(auditLog.targetId, v.id));
    expect(entry).toMatchObject({ action: 'visit.create', actorId: gridWorkerId, outcome: 'success' });
    expect(JSON.stringify(entry!.details)).not.toContain('血压');
  });

  it('refuses a future day, a day too far back, and persons who are not members, naming each field', async () => {
    const h = await householdAt(env.ctx, GRID);
    const stranger = await householdAt(env.ctx, GRID);
    const res = await call('grid', 'POST', '/api/visits', {
      householdId: h.id,
      visitedOn: day(1),
      personsMet: [h.memberId, stranger.memberId],
      situation: '家中一切正常',
    });
    expect(res.statusCode).toBe(400);
    expect(problems(res)).toEqual(['body.visitedOn:future', 'body.personsMet.1:householdMember']);
    const old = await call('grid', 'POST', '/api/visits', {
      householdId: h.id,
      visitedOn: day(-200),
      personsMet: [],
      situation: '补录',
    });
    expect(problems(old)).toEqual(['body.visitedOn:dateOrder']);
    expect(await env.ctx.db.select().from(visits).where(eq(visits.householdId, h.id))).toEqual([]);
  });

  it('refuses a household outside its grids (403 naming the field) and an unknown one (400)', async () => {
    const elsewhere = await householdAt(env.ctx, FIXTURE.gridA1a);
    const res = await call('grid', 'POST', '/api/visits', {
      householdId: elsewhere.id,
      visitedOn: day(0),
      personsMet: [],
      situation: '路过',
    });
    expect(res.statusCode).toBe(403);
    expect(problems(res)).toEqual(['body.householdId:outOfScope']);
    const unknown = await call('grid', 'POST', '/api/visits', {
      householdId: '00000000-0000-4000-8000-000000000000',
      visitedOn: day(0),
      personsMet: [],
      situation: '路过',
    });
    expect(unknown.statusCode).toBe(400);
    expect(problems(unknown)).toEqual(['body.householdId:exists']);
    // Community workers read visits but do not record them.
    const comm = await call('comm', 'POST', '/api/visits', {
      householdId: (await householdAt(env.ctx, GRID)).id,
      visitedOn: day(0),
      personsMet: [],
      situation: '路过',
    });
    expect(comm.statusCode).toBe(403);
  });

  it('keeps visits append-only: a correction is a new record and the old one stops counting', async () => {
    const h = await householdAt(env.ctx, GRID);
    const v = await record('grid', {
      householdId: h.id,
      visitedOn: day(-3),
      personsMet: [],
      situation: '初记',
    });
    await expect(
      env.ctx.db.execute(sql`update visits set situation = 'x' where id = ${v.id}`),
    ).rejects.toThrow();
    await expect(env.ctx.db.execute(sql`delete from visits where id = ${v.id}`)).rejects.toThrow();
    const ledger = async () => {
      const url = `/api/visits/coverage?areaCode=${GRID}&from=${day(-5)}&to=${day(0)}`;
      const res = await call('comm', 'GET', url);
      expect(res.statusCode, res.body).toBe(200);
      return (res.json() as CoverageJson).grids.find((r) => r.areaCode === GRID)!;
    };
    const counted = await ledger();

    const fix = await call('grid', 'POST', `/api/visits/${v.id}/correction`, {
      visitedOn: day(-2),
      personsMet: [h.memberId],
      situation: '更正：见到户主',
    });
    expect(fix.statusCode, fix.body).toBe(200);
    const corrected = fix.json() as VisitJson;
    expect(corrected.correctsId).toBe(v.id);
    const old = (await call('grid', 'GET', `/api/visits/${v.id}`)).json() as VisitJson;
    expect(old.correctedById).toBe(corrected.id);
    const item = (await due('grid')).items.find((i) => i.householdId === h.id)!;
    expect(item.lastVisitedOn).toBe(day(-2));
    const again = await call('grid', 'POST', `/api/visits/${v.id}/correction`, {
      visitedOn: day(-2),
      personsMet: [],
      situation: '再改',
    });
    expect(again.statusCode).toBe(409);
    expect((again.json() as ErrorJson).error.code).toBe('visit.corrected');
    const history = (await call('comm', 'GET', `/api/visits?householdId=${h.id}`)).json() as {
      items: VisitJson[];
    };
    expect(history.items.map((i) => i.id)).toEqual([corrected.id, v.id]);
    // The ledger counts the correction in place of the visit it corrects, not both.
    const recounted = await ledger();
    expect(recounted.visits).toBe(counted.visits);
    expect(recounted.visitedHouseholds).toBe(counted.visitedHouseholds);
  });

  it('takes photos through the photo pipeline, from the grid worker who recorded the visit', async () => {
    const h = await householdAt(env.ctx, GRID);
    const v = await record('grid', {
      householdId: h.id,
      visitedOn: day(0),
      personsMet: [],
      situation: '拍照',
    });
    const jpeg = await sharp({ create: { width: 40, height: 30, channels: 3, background: 'red' } })
      .jpeg()
      .toBuffer();
    const up = await env.app.inject({
      method: 'POST',
      url: `/api/visits/${v.id}/photos`,
      headers: { ...s.grid!.headers, 'content-type': 'image/jpeg' },
      payload: jpeg,
    });
    expect(up.statusCode, up.body).toBe(201);
    const same = await env.app.inject({
      method: 'POST',
      url: `/api/visits/${v.id}/photos`,
      headers: { ...s.grid!.headers, 'content-type': 'image/jpeg' },
      payload: jpeg,
    });
    expect(same.statusCode).toBe(200);
    const bad = await env.app.inject({
      method: 'POST',
      url: `/api/visits/${v.id}/photos`,
      headers: { ...s.grid!.headers, 'content-type': 'image/png' },
      payload: Buffer.from('not a png'),
    });
    expect(bad.statusCode).toBe(400);
    const shown = (await call('comm', 'GET', `/api/visits/${v.id}`)).json() as VisitJson;
    expect(shown.photos).toHaveLength(1);
    const file = await call('comm', 'GET', shown.photos[0]!.thumbUrl);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('image/webp');
    expect((await call('streetB', 'GET', shown.photos[0]!.url)).statusCode).toBe(403);
  });
});

describe('a need becomes a case in one step', () => {
  it('takes a patrol case in at the household grid and links it to the need, once', async () => {
    const categoryId = await insertCategory(env.ctx);
    const h = await householdAt(env.ctx, GRID);
    const v = await record('grid', {
      householdId: h.id,
      visitedOn: day(0),
      personsMet: [h.memberId],
      situation: '反映楼道灯不亮',
      needs: [
        { category: 'living', text: '家里水管漏水' },
        { category: 'environment', text: '三单元楼道灯坏了，晚上看不见' },
      ],
    });
    const res = await call('grid', 'POST', `/api/visits/${v.id}/needs/2/case`, { categoryId });
    expect(res.statusCode, res.body).toBe(200);
    const out = res.json() as { visit: VisitJson; caseId: string; caseNumber: string };
    expect(out.visit.needs[1]).toMatchObject({ caseId: out.caseId, caseNumber: out.caseNumber });
    expect(out.visit.needs[0]!.caseId).toBeNull();
    const [c] = await env.ctx.db.select().from(cases).where(eq(cases.id, out.caseId));
    expect(c).toMatchObject({
      channel: 'patrol',
      areaCode: GRID,
      createdBy: gridWorkerId,
      status: 'reported',
    });
    expect(c!.description).toContain('三单元楼道灯坏了');

    const again = await call('grid', 'POST', `/api/visits/${v.id}/needs/2/case`, { categoryId });
    expect(again.statusCode).toBe(409);
    expect((again.json() as ErrorJson).error.code).toBe('visit.need_has_case');
    const missing = await call('grid', 'POST', `/api/visits/${v.id}/needs/3/case`, { categoryId });
    expect(missing.statusCode).toBe(404);
    expect(problems(missing)).toEqual(['params.n:exists']);
    const unknownCategory = await call('grid', 'POST', `/api/visits/${v.id}/needs/1/case`, {
      categoryId: '00000000-0000-4000-8000-000000000000',
    });
    expect(problems(unknownCategory)).toEqual(['body.categoryId:exists']);
    // The need's words cannot change, and the link cannot be undone.
    await expect(
      env.ctx.db.execute(sql`update visit_needs set case_id = null where visit_id = ${v.id} and n = 2`),
    ).rejects.toThrow();
    const [need] = await env.ctx.db.select().from(visitNeeds).where(eq(visitNeeds.caseId, out.caseId));
    expect(need!.n).toBe(2);
  });

  it('makes one case of a need when two requests race: the other is refused and leaves no case', async () => {
    const categoryId = await insertCategory(env.ctx);
    const h = await householdAt(env.ctx, GRID);
    const text = `楼梯扶手松动，老人上下楼危险（${h.number}）`;
    const v = await record('grid', {
      householdId: h.id,
      visitedOn: day(0),
      personsMet: [h.memberId],
      situation: '老人反映楼梯扶手松动',
      needs: [{ category: 'safety', text }],
    });
    const both = await Promise.all(
      [1, 2].map(() => call('grid', 'POST', `/api/visits/${v.id}/needs/1/case`, { categoryId })),
    );
    const statuses = both.map((r) => r.statusCode).sort();
    expect(statuses, both.map((r) => r.body).join('\n')).toEqual([200, 409]);
    const won = both.find((r) => r.statusCode === 200)!.json() as { caseId: string; caseNumber: string };
    const lost = both.find((r) => r.statusCode === 409)!;
    expect((lost.json() as ErrorJson).error.code).toBe('visit.need_has_case');
    const made = await env.ctx.db
      .select({ id: cases.id })
      .from(cases)
      .where(sql`${cases.description} like ${text + '%'}`);
    expect(made.map((c) => c.id)).toEqual([won.caseId]);
    const [need] = await env.ctx.db
      .select()
      .from(visitNeeds)
      .where(sql`${visitNeeds.visitId} = ${v.id} and ${visitNeeds.n} = 1`);
    expect(need!.caseId).toBe(won.caseId);
    const audited = await env.ctx.db
      .select({ details: auditLog.details })
      .from(auditLog)
      .where(sql`${auditLog.action} = 'visit.need_case' and ${auditLog.targetId} = ${v.id}`);
    expect(audited).toHaveLength(1);
  });
});

describe('the ledger (民情台账)', () => {
  const from = day(-30);
  const to = day(0);

  it('counts coverage per grid and per grid worker, and recording a visit changes the grid figure', async () => {
    const grid = FIXTURE.gridA1a;
    const a = await householdAt(env.ctx, grid);
    const b = await householdAt(env.ctx, grid);
    await insertVisit(env.ctx, a, grid, { visitedOn: day(-40) });

    const url = `/api/visits/coverage?areaCode=${FIXTURE.communityA1}&from=${from}&to=${to}`;
    const before = (await call('commA1', 'GET', url)).json() as CoverageJson;
    const g = () => before.grids.find((r) => r.areaCode === grid)!;
    expect(before.grids.map((r) => r.areaCode)).toEqual([FIXTURE.gridA1a, FIXTURE.gridA1b]);
    const households = g().households;
    const visitedBefore = g().visitedHouseholds;

    const v = await record('gridA1', {
      householdId: b.id,
      visitedOn: day(-1),
      personsMet: [],
      situation: '正常',
    });
    const after = (await call('commA1', 'GET', url)).json() as CoverageJson;
    const row = after.grids.find((r) => r.areaCode === grid)!;
    expect(row.households).toBe(households);
    expect(row.visitedHouseholds).toBe(visitedBefore + 1);
    expect(row.visits).toBe(g().visits + 1);
    expect(row.coveragePercent).toBeCloseTo((100 * (visitedBefore + 1)) / households, 1);
    const worker = after.workers.find((w) => w.name === 'gridA1')!;
    expect(worker).toMatchObject({ areaCodes: [grid], visits: 1, visitedHouseholds: 1 });
    expect(worker.households).toBe(households);

    // a (visited only before the period) is on the never-visited list; b is not.
    const never = (
      await call(
        'commA1',
        'GET',
        `/api/visits/coverage/never?areaCode=${grid}&from=${from}&to=${to}&limit=500`,
      )
    ).json() as { items: { householdId: string; lastVisitedOn: string | null }[]; total: number };
    expect(never.items.find((i) => i.householdId === a.id)?.lastVisitedOn).toBe(day(-40));
    expect(never.items.some((i) => i.householdId === b.id)).toBe(false);
    expect(never.total).toBe(households - visitedBefore - 1);
    expect(v.id).toBeTruthy();
  });

  it("shows a street its grids; leaders read it; another street's and bad periods are refused", async () => {
    const street = (
      await call('streetA', 'GET', `/api/visits/coverage?areaCode=${FIXTURE.streetA}&from=${from}&to=${to}`)
    ).json() as CoverageJson;
    expect(street.grids.map((r) => r.areaCode)).toEqual(
      expect.arrayContaining([FIXTURE.gridA1a, FIXTURE.gridA1b, FIXTURE.gridA2a, GRID]),
    );
    expect(street.total.households).toBe(street.grids.reduce((n, r) => n + r.households, 0));
    const leader = await call(
      'leader',
      'GET',
      `/api/visits/coverage?areaCode=${FIXTURE.streetA}&from=${from}&to=${to}`,
    );
    expect(leader.statusCode).toBe(200);
    const other = await call(
      'streetB',
      'GET',
      `/api/visits/coverage?areaCode=${FIXTURE.streetA}&from=${from}&to=${to}`,
    );
    expect(other.statusCode).toBe(403);
    expect(problems(other)).toEqual(['querystring.areaCode:outOfScope']);
    const backwards = await call(
      'streetA',
      'GET',
      `/api/visits/coverage?areaCode=${FIXTURE.streetA}&from=${to}&to=${from}`,
    );
    expect(problems(backwards)).toEqual(['querystring.to:dateOrder']);
    const district = await call(
      'leader',
      'GET',
      `/api/visits/coverage?areaCode=${FIXTURE.district}&from=${from}&to=${to}`,
    );
    expect(problems(district)).toEqual(['querystring.areaCode:areaLevel']);
    expect(
      (await call('grid', 'GET', `/api/visits/coverage?areaCode=${GRID}&from=${from}&to=${to}`)).statusCode,
    ).toBe(403);
  });
});

describe('the ledger as a file', () => {
  const from = day(-30);
  const to = day(0);
  const query = `areaCode=${FIXTURE.communityA1}&from=${from}&to=${to}`;

  it('holds the same figures as the ledger, per grid with a total and per grid worker, in XLSX and CSV', async () => {
    const grid = FIXTURE.gridA1a;
    const h = await householdAt(env.ctx, grid);
    await record('gridA1', { householdId: h.id, visitedOn: day(-2), personsMet: [], situation: '正常' });
    const ledger = (await call('commA1', 'GET', `/api/visits/coverage?${query}`)).json() as CoverageJson;

    const csv = await call('commA1', 'GET', `/api/visits/coverage/export?${query}&format=csv`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe(
      `attachment; filename="ledger-${FIXTURE.communityA1}-${from}-${to}.csv"`,
    );
    expect(csv.body.startsWith('\ufeff网格,区域编码,住户,已走访户,走访覆盖率（%）,走访次数\r\n')).toBe(true);
    const lines = csv.body.slice(1).split('\r\n');
    const figures = (r: CoverageJson['total']) =>
      [r.households, r.visitedHouseholds, r.coveragePercent ?? '', r.visits].join(',');
    for (const g of ledger.grids)
      expect(lines).toContain(`${g.areaName ?? g.areaCode},${g.areaCode},${figures(g)}`);
    expect(lines[ledger.grids.length + 1]).toMatch(
      new RegExp(`^合计 · .+ · ${from} – ${to},${FIXTURE.communityA1},`),
    );
    expect(lines[ledger.grids.length + 1]!.endsWith(`,${figures(ledger.total)}`)).toBe(true);
    expect(lines[ledger.grids.length + 2]).toBe('');
    expect(lines[ledger.grids.length + 3]).toBe('网格员,网格,住户,本人走访户,走访覆盖率（%）,走访次数');
    const worker = ledger.workers.find((w) => w.name === 'gridA1')!;
    const gridName = ledger.grids.find((g) => g.areaCode === grid)!.areaName;
    expect(lines).toContain(`gridA1,${gridName},${figures(worker)}`);

    const xlsx = await call('commA1', 'GET', `/api/visits/coverage/export?${query}`);
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.headers['content-type']).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-ledger-'));
    try {
      fs.writeFileSync(path.join(dir, 'l.xlsx'), xlsx.rawPayload);
      const rows: unknown[][] = [];
      for await (const chunk of readXlsxRows(path.join(dir, 'l.xlsx')))
        for (const r of chunk) rows.push(r.cells);
      expect(rows[0]).toEqual(['网格', '区域编码', '住户', '已走访户', '走访覆盖率（%）', '走访次数']);
      const row = rows.find((r) => r[1] === grid)!;
      const g = ledger.grids.find((r) => r.areaCode === grid)!;
      expect(row.slice(2).map(String)).toEqual(
        [g.households, g.visitedHouseholds, g.coveragePercent ?? '', g.visits].map(String),
      );
      expect(rows).toHaveLength(ledger.grids.length + 2);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }

    // Each export is audited under the area, with who, what and which period, as resident exports are.
    const audited = await env.ctx.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'visits.ledger.export'), eq(auditLog.targetId, FIXTURE.communityA1)))
      .orderBy(auditLog.at);
    expect(audited.map((a) => (a.details as { format?: string }).format)).toEqual(['csv', 'xlsx']);
    expect(audited[0]).toMatchObject({
      actorName: 'commA1',
      areaPath: areaPath(FIXTURE.communityA1),
      details: { from, to, grids: ledger.grids.length, workers: ledger.workers.length },
    });
  });

  it('speaks the request language and refuses what the ledger refuses', async () => {
    const en = await env.app.inject({
      method: 'GET',
      url: `/api/visits/coverage/export?${query}&format=csv`,
      headers: { ...s.commA1!.headers, 'accept-language': 'en' },
    });
    expect(en.body.startsWith('\ufeffGrid,Area code,Households,Visited,Period coverage (%),Visits\r\n')).toBe(
      true,
    );
    const other = await call('streetB', 'GET', `/api/visits/coverage/export?${query}`);
    expect(other.statusCode).toBe(403);
    expect(problems(other)).toEqual(['querystring.areaCode:outOfScope']);
    const pdf = await call('commA1', 'GET', `/api/visits/coverage/export?${query}&format=pdf`);
    expect(pdf.statusCode).toBe(400);
    expect(problems(pdf)[0]).toMatch(/^querystring\.format:/);
    const backwards = await call(
      'commA1',
      'GET',
      `/api/visits/coverage/export?areaCode=${FIXTURE.communityA1}&from=${to}&to=${from}`,
    );
    expect(problems(backwards)).toEqual(['querystring.to:dateOrder']);
    expect((await call('gridA1', 'GET', `/api/visits/coverage/export?${query}`)).statusCode).toBe(403);
  });
});

describe('visit rules', () => {
  it('are set, changed and retired by community and street staff within their area', async () => {
    const made = await call('commA1', 'POST', '/api/visit-rules', {
      areaCode: FIXTURE.gridA1b,
      intervalDays: 30,
      note: '老旧小区，每月一次',
    });
    expect(made.statusCode, made.body).toBe(200);
    const rule = made.json() as { id: string; version: number; editable: boolean; areaLevel: string };
    expect(rule).toMatchObject({ editable: true, areaLevel: 'grid', version: 1 });
    const dup = await call('commA1', 'POST', '/api/visit-rules', {
      areaCode: FIXTURE.gridA1b,
      intervalDays: 20,
    });
    expect(dup.statusCode).toBe(409);
    expect((dup.json() as ErrorJson).error.code).toBe('visit_rule.duplicate');
    const up = await call('commA1', 'PATCH', `/api/visit-rules/${rule.id}`, { version: 1, intervalDays: 14 });
    expect(up.json()).toMatchObject({ intervalDays: 14, version: 2 });
    const stale = await call('commA1', 'PATCH', `/api/visit-rules/${rule.id}`, {
      version: 1,
      intervalDays: 10,
    });
    expect(stale.statusCode).toBe(409);
    expect(problems(stale)).toEqual(['body.version:stale']);

    // The street's rule applies in the community, but the community worker cannot change it.
    const streetRule = await call('streetA', 'POST', '/api/visit-rules', {
      areaCode: FIXTURE.streetA,
      intervalDays: 50,
    });
    expect(streetRule.statusCode, streetRule.body).toBe(200);
    const list = (await call('commA1', 'GET', '/api/visit-rules')).json() as {
      items: { id: string; areaCode: string; editable: boolean }[];
      defaultIntervalDays: number;
    };
    expect(list.defaultIntervalDays).toBe(60);
    expect(list.items.find((r) => r.id === rule.id)?.editable).toBe(true);
    expect(list.items.find((r) => r.areaCode === FIXTURE.streetA)?.editable).toBe(false);
    const above = await call('commA1', 'POST', '/api/visit-rules', {
      areaCode: FIXTURE.streetA,
      intervalDays: 10,
    });
    expect(above.statusCode).toBe(403);
    expect(problems(above)).toEqual(['body.areaCode:outOfScope']);

    const retired = await call('commA1', 'POST', `/api/visit-rules/${rule.id}/retire`, { version: 2 });
    expect(retired.statusCode).toBe(200);
    const gone = await call('commA1', 'PATCH', `/api/visit-rules/${rule.id}`, {
      version: 3,
      intervalDays: 9,
    });
    expect(gone.statusCode).toBe(404);
    expect(problems(gone)).toEqual(['params.id:exists']);
    const unknownTag = await call('commA1', 'POST', '/api/visit-rules', {
      areaCode: FIXTURE.gridA1b,
      tagId: '00000000-0000-4000-8000-000000000000',
      intervalDays: 7,
    });
    expect(problems(unknownTag)).toEqual(['body.tagId:exists']);
    expect((await call('grid', 'GET', '/api/visit-rules')).statusCode).toBe(403);
  });

  it("offer a community worker's area picker its community and its grids, each of which takes a rule", async () => {
    // The picker (AreaPicker on /visits/rules) starts at GET /api/areas and opens a node with ?parent=.
    const roots = await call('commA1', 'GET', '/api/areas');
    expect(roots.statusCode, roots.body).toBe(200);
    const top = (roots.json() as { items: { code: string; level: string; childCount: number }[] }).items;
    expect(top.map((a) => a.code)).toEqual([FIXTURE.communityA1]);
    expect(top[0]!.childCount).toBeGreaterThan(0);
    const below = await call('commA1', 'GET', `/api/areas?parent=${FIXTURE.communityA1}`);
    const grids = (below.json() as { items: { code: string; level: string }[] }).items;
    expect(grids.map((g) => g.code)).toEqual(expect.arrayContaining([FIXTURE.gridA1a, FIXTURE.gridA1b]));
    expect(grids.every((g) => g.level === 'grid' && g.code.startsWith(FIXTURE.communityA1))).toBe(true);
    // Whatever it offers is an area the worker may set a rule for, and may list the rules of.
    for (const code of [FIXTURE.communityA1, ...grids.map((g) => g.code)]) {
      expect((await call('commA1', 'GET', `/api/visit-rules?areaCode=${code}`)).statusCode).toBe(200);
      const tag = await env.ctx.db
        .insert(tags)
        .values({ code: `picker.${code}`, name: '选区测试', visibleRoles: ['community_worker'] })
        .returning({ id: tags.id });
      const made = await call('commA1', 'POST', '/api/visit-rules', {
        areaCode: code,
        tagId: tag[0]!.id,
        intervalDays: 45,
      });
      expect(made.statusCode, made.body).toBe(200);
    }
    // A neighbouring community is not offered, and not accepted.
    const other = await call('commA1', 'GET', `/api/areas?parent=${FIXTURE.streetA}`);
    expect(other.statusCode).toBe(403);
  });
});
