import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, FIXTURE, seedFixtureAreas, startTestApp, type TestEnv } from '../../test/harness';
import { pointInPolygon } from '../areas/locate';
import { areas } from '../areas/tables';
import { seedDemoHousing } from './demo';
import { buildings } from './tables';
import { squareAround } from './test-fixtures';

describe('the demo housing', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startTestApp();
    await seedFixtureAreas(env.ctx);
  });
  afterAll(async () => env?.close());

  it('puts an estate with buildings, units and dwellings of every use into the first grids, once', async () => {
    const boundary = squareAround(117.31, 33.0, 0.002);
    await env.ctx.db.update(areas).set({ boundary }).where(eq(areas.code, FIXTURE.gridA1a));
    expect(await seedDemoHousing(env.ctx, FIXTURE.streetA)).toBe(6);
    expect(await countRows(env.ctx, 'estates')).toBe(1);
    expect(await countRows(env.ctx, 'units')).toBe(12);
    expect(await countRows(env.ctx, 'dwellings')).toBe(6 * 2 * 6 * 2);
    const inGrid = await env.ctx.db.select().from(buildings).where(eq(buildings.areaCode, FIXTURE.gridA1a));
    expect(inGrid).toHaveLength(3);
    for (const b of inGrid) expect(pointInPolygon(boundary.coordinates, b.lng!, b.lat!)).toBe(true);
    // A grid without a boundary gets buildings without points.
    const other = await env.ctx.db.select().from(buildings).where(eq(buildings.areaCode, FIXTURE.gridA1b));
    expect(other.every((b) => b.lat === null)).toBe(true);

    expect(await seedDemoHousing(env.ctx, FIXTURE.streetA)).toBe(0);
    expect(await countRows(env.ctx, 'buildings')).toBe(6);
  });
});
