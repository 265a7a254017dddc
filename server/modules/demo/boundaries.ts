/**
 * Synthetic grid boundaries for the demo city, so that the grid map and "use my location" work in the demo. The
 * statistics division data has names and codes but no shapes, so these are made up: every community gets a
 * rectangular cell, the cells of one street form a near-square block, the blocks are packed in rows (street code
 * order, so a district's streets lie together) into a square around central 蚌埠, and a community's cell is cut into
 * its grids as side-by-side strips. Not the real geography: documented as such in the README.
 */
import { and, asc, eq, like, sql } from 'drizzle-orm';
import { areaPath } from '../../../common/area-code';
import type { Tx } from '../../db/client';
import { queryRows } from '../../db/client';
import { areas } from '../areas/tables';

/** Coordinates are computed in millionths of a degree, so shared edges are exactly equal numbers. */
const MICRO = 1_000_000;
export const DEMO_CENTER = { lng: 117.38, lat: 32.92 };
/** One community's cell: about 375 m × 375 m at this latitude. */
const CELL_LNG = 4_000;
const CELL_LAT = 3_400;

export interface Polygon {
  type: 'Polygon';
  coordinates: [number, number][][];
}

interface Cell {
  west: number;
  east: number;
  south: number;
  north: number;
}

function rectangle(c: Cell): Polygon {
  const p = (x: number, y: number): [number, number] => [x / MICRO, y / MICRO];
  // Counter-clockwise outer ring (RFC 7946), closed.
  return {
    type: 'Polygon',
    coordinates: [
      [p(c.west, c.south), p(c.east, c.south), p(c.east, c.north), p(c.west, c.north), p(c.west, c.south)],
    ],
  };
}

/**
 * The boundary of every grid, laid out as described above; pure and deterministic (same input, same shapes).
 * `communities` and `grids` are taken in code order whatever order they come in.
 */
export function demoGridBoundaries(
  communities: readonly { code: string; parentCode: string | null }[],
  grids: readonly { code: string; parentCode: string | null }[],
): Map<string, Polygon> {
  const byStreet = new Map<string, string[]>();
  for (const c of [...communities].sort((a, b) => a.code.localeCompare(b.code))) {
    const key = c.parentCode ?? '';
    const list = byStreet.get(key) ?? [];
    list.push(c.code);
    byStreet.set(key, list);
  }
  const gridsOf = new Map<string, string[]>();
  for (const g of [...grids].sort((a, b) => a.code.localeCompare(b.code))) {
    if (!g.parentCode) continue;
    const list = gridsOf.get(g.parentCode) ?? [];
    list.push(g.code);
    gridsOf.set(g.parentCode, list);
  }

  // Shelf packing of the street blocks, in cells; the width makes the whole roughly square.
  const streets = [...byStreet.keys()].sort();
  const blocks = streets.map((s) => {
    const n = byStreet.get(s)!.length;
    const w = Math.ceil(Math.sqrt(n));
    return { street: s, w, h: Math.ceil(n / w) };
  });
  const area = blocks.reduce((sum, b) => sum + b.w * b.h, 0);
  const width = Math.max(...blocks.map((b) => b.w), Math.ceil(Math.sqrt(area)));
  const placed: { street: string; w: number; col: number; row: number }[] = [];
  let col = 0;
  let row = 0;
  let shelf = 0;
  for (const b of blocks) {
    if (col + b.w > width) {
      row += shelf;
      col = 0;
      shelf = 0;
    }
    placed.push({ street: b.street, w: b.w, col, row });
    col += b.w;
    shelf = Math.max(shelf, b.h);
  }
  const height = row + shelf;

  // Centred on DEMO_CENTER; rows run from north to south.
  const west0 = Math.round(DEMO_CENTER.lng * MICRO) - Math.round((width * CELL_LNG) / 2);
  const north0 = Math.round(DEMO_CENTER.lat * MICRO) + Math.round((height * CELL_LAT) / 2);
  const out = new Map<string, Polygon>();
  for (const p of placed) {
    for (const [i, community] of byStreet.get(p.street)!.entries()) {
      const west = west0 + (p.col + (i % p.w)) * CELL_LNG;
      const north = north0 - (p.row + Math.floor(i / p.w)) * CELL_LAT;
      const strips = gridsOf.get(community) ?? [];
      for (const [k, grid] of strips.entries()) {
        out.set(
          grid,
          rectangle({
            west: west + Math.round((k * CELL_LNG) / strips.length),
            east: west + Math.round(((k + 1) * CELL_LNG) / strips.length),
            south: north - CELL_LAT,
            north,
          }),
        );
      }
    }
  }
  return out;
}

/**
 * Gives the grids under an area (the demo city) that have no boundary yet their synthetic one, in one statement;
 * a grid with a drawn boundary keeps it. Returns how many grids got one.
 */
export async function seedDemoBoundaries(tx: Tx, cityCode: string): Promise<number> {
  const under = like(areas.path, `${areaPath(cityCode)}%`);
  const columns = { code: areas.code, parentCode: areas.parentCode };
  const communities = await tx
    .select(columns)
    .from(areas)
    .where(and(eq(areas.level, 'community'), under))
    .orderBy(asc(areas.code));
  const grids = await tx
    .select(columns)
    .from(areas)
    .where(and(eq(areas.level, 'grid'), under))
    .orderBy(asc(areas.code));
  const shapes = demoGridBoundaries(communities, grids);
  if (shapes.size === 0) return 0;
  // One set-based UPDATE with the shapes as one JSON object keyed by grid code, read once through a one-row CTE
  // (a join with jsonb_to_recordset may be planned as a nested loop that re-reads the whole array per row).
  const updated = await queryRows<{ code: string }>(
    tx,
    sql`with b as (select ${JSON.stringify(Object.fromEntries(shapes))}::jsonb as shapes)
        update ${areas} set boundary = b.shapes -> ${areas.code}, version = ${areas.version} + 1, updated_at = now()
        from b
        where ${areas.level} = 'grid' and ${areas.boundary} is null and b.shapes -> ${areas.code} is not null
        returning ${areas.code}`,
  );
  return updated.length;
}
