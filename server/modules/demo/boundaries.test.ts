import { and, eq, isNull, like, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../db/client';
import { startTestApp, type TestEnv } from '../../test/harness';
import { gridAt, pointInPolygon } from '../areas/locate';
import { checkBoundary } from '../areas/grids';
import { areas } from '../areas/tables';
import { DEMO_CENTER, demoGridBoundaries, seedDemoBoundaries, type Polygon } from './boundaries';
import { DEMO_CITY, seedDemo } from './seed';

/** The middle of a rectangle's outer ring. */
function middle(p: Polygon): { lng: number; lat: number } {
  const ring = p.coordinates[0]!;
  const xs = ring.map((c) => c[0]);
  const ys = ring.map((c) => c[1]);
  return {
    lng: (Math.min(...xs) + Math.max(...xs)) / 2,
    lat: (Math.min(...ys) + Math.max(...ys)) / 2,
  };
}

describe('demoGridBoundaries', () => {
  // Two streets: one with five communities, one with two; three grids each, one community without grids.
  const communities = [
    ...['001', '002', '003', '004', '005'].map((c) => ({
      code: `340302001${c}`,
      parentCode: '340302001000',
    })),
    ...['001', '002'].map((c) => ({ code: `340302002${c}`, parentCode: '340302002000' })),
  ];
  const grids = communities
    .filter((c) => c.code !== '340302001005')
    .flatMap((c) => ['001', '002', '003'].map((g) => ({ code: `${c.code}${g}`, parentCode: c.code })));

  it('gives every grid a closed rectangle, its community’s cell cut into strips', () => {
    const shapes = demoGridBoundaries(communities, grids);
    expect(shapes.size).toBe(grids.length);
    for (const [code, shape] of shapes) {
      // Valid for the grid API too (GeoJSON Polygon, closed ring).
      expect(checkBoundary(shape), code).toEqual(shape);
      expect(shape.coordinates[0]).toHaveLength(5);
    }
    // The three strips of one community share their edges exactly.
    const [a, b, c] = ['001', '002', '003'].map((g) => shapes.get(`340302001001${g}`)!.coordinates[0]!);
    expect(a![1]![0]).toBe(b![0]![0]);
    expect(b![1]![0]).toBe(c![0]![0]);
    // Around central 蚌埠.
    const m = middle(shapes.get('340302001001001')!);
    expect(Math.abs(m.lng - DEMO_CENTER.lng)).toBeLessThan(0.05);
    expect(Math.abs(m.lat - DEMO_CENTER.lat)).toBeLessThan(0.05);
  });

  it('puts every point in at most one grid, and the middle of each grid in that grid', () => {
    const shapes = demoGridBoundaries(communities, grids);
    for (const [code, shape] of shapes) {
      const { lng, lat } = middle(shape);
      const hits = [...shapes].filter(([, s]) => pointInPolygon(s.coordinates, lng, lat)).map(([c]) => c);
      expect(hits, code).toEqual([code]);
    }
  });

  it('is deterministic whatever order the rows come in', () => {
    const once = demoGridBoundaries(communities, grids);
    const again = demoGridBoundaries([...communities].reverse(), [...grids].reverse());
    expect([...again].sort()).toEqual([...once].sort());
  });
});

describe('the demo seed’s boundaries', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startTestApp({ demo: true });
    await seedDemo(env.ctx);
  });
  afterAll(async () => env?.close());

  it('bounds every demo grid, and a point in a grid finds it', async () => {
    const missing = await env.ctx.db
      .select({ code: areas.code })
      .from(areas)
      .where(and(eq(areas.level, 'grid'), isNull(areas.boundary)));
    expect(missing).toEqual([]);
    const [row] = await env.ctx.db
      .select({ boundary: areas.boundary })
      .from(areas)
      .where(eq(areas.code, '340302001001001'));
    const { lng, lat } = middle(row!.boundary as Polygon);
    const hit = await env.ctx.db.transaction((tx) => gridAt(tx, lat, lng));
    expect(hit?.code).toBe('340302001001001');
    // Far away: no grid.
    expect(await env.ctx.db.transaction((tx) => gridAt(tx, 31.86, 117.28))).toBeNull();
  });

  it('keeps a drawn boundary and changes nothing on a second run', async () => {
    const drawn = {
      type: 'Polygon',
      coordinates: [
        [
          [117, 32],
          [117.001, 32],
          [117.001, 32.001],
          [117, 32],
        ],
      ],
    };
    await env.ctx.db.update(areas).set({ boundary: drawn }).where(eq(areas.code, '340302001001002'));
    const before = await queryRows<{ n: number }>(
      env.ctx.db,
      sql`select sum(version)::int as n from areas where level = 'grid'`,
    );
    expect(await env.ctx.db.transaction((tx) => seedDemoBoundaries(tx, DEMO_CITY))).toBe(0);
    await seedDemo(env.ctx);
    const after = await queryRows<{ n: number }>(
      env.ctx.db,
      sql`select sum(version)::int as n from areas where level = 'grid'`,
    );
    expect(after[0]!.n).toBe(before[0]!.n);
    const [kept] = await env.ctx.db
      .select({ boundary: areas.boundary })
      .from(areas)
      .where(and(eq(areas.code, '340302001001002'), like(areas.path, '3403%')));
    expect(kept!.boundary).toEqual(drawn);
  });
});
