import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
import { compactCaseCounts } from './counts';
import { insertCategory, placeCase } from './test-fixtures';

type ListJson = { total: number; counts: Record<string, number> };

describe('the status counts of case lists', () => {
  let env: TestEnv;
  let street: Session;
  let category: string;

  beforeAll(async () => {
    env = await startTestApp();
    await seedFixtureAreas(env.ctx);
    category = await insertCategory(env.ctx);
    await createStaff(env.ctx, 'counts.street', 'street_staff', { areaCode: FIXTURE.streetA });
    street = await login(env.app, 'counts.street');
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
});
