import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  countRows,
  createStaff,
  FIXTURE,
  login,
  seedFixtureAreas,
  startTestApp,
  type TestEnv,
} from '../../test/harness';
import { seedDemoPeople } from '../people/demo';
import { seedDemoVisits } from './demo';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestApp();
  await seedFixtureAreas(env.ctx);
});
afterAll(async () => env?.close());

describe('demo visits', () => {
  it('give the demo grid worker overdue and due visits and a coverage above zero, once', async () => {
    await createStaff(env.ctx, 'demo.grid_worker', 'grid_worker', { areaCode: FIXTURE.gridA1a });
    await createStaff(env.ctx, 'demo.community_worker', 'community_worker', {
      areaCode: FIXTURE.communityA1,
    });
    await seedDemoPeople(env.ctx, FIXTURE.streetA);
    expect(await seedDemoVisits(env.ctx, FIXTURE.streetA)).toBe(3);
    expect(await seedDemoVisits(env.ctx, FIXTURE.streetA)).toBe(0);
    expect(await countRows(env.ctx, 'visits')).toBe(3);
    expect(await countRows(env.ctx, 'visit_rules')).toBe(1);

    const grid = await login(env.app, 'demo.grid_worker');
    const due = (
      await env.app.inject({ method: 'GET', url: '/api/visits/due', headers: grid.headers })
    ).json() as {
      counts: { households: number; overdue: number; upToDate: number };
    };
    expect(due.counts.households).toBe(4);
    expect(due.counts.overdue).toBe(1);

    const comm = await login(env.app, 'demo.community_worker');
    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    const from = new Date(Date.now() - 60 * 86_400_000).toISOString().slice(0, 10);
    const cov = (
      await env.app.inject({
        method: 'GET',
        url: `/api/visits/coverage?areaCode=${FIXTURE.gridA1a}&from=${from}&to=${today}`,
        headers: comm.headers,
      })
    ).json() as { total: { households: number; visitedHouseholds: number }; workers: { visits: number }[] };
    expect(cov.total).toMatchObject({ households: 4, visitedHouseholds: 2 });
    expect(cov.workers[0]!.visits).toBe(2);
  });
});
