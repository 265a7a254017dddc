/**
 * Which grid a point lies in: point-in-polygon over the grids that have a GeoJSON boundary (areas.boundary).
 * Boundaries are [lng, lat] rings (the first the outer ring, the others holes). Without PostGIS the polygons are
 * tested in JavaScript after a bounding-box prefilter; a deployment with tens of thousands of bounded grids would
 * move this into the database (PostGIS, or a bbox column with an index).
 */
import { and, asc, eq, isNotNull, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client';
import { areas } from './tables';

type Ring = [number, number][];

export interface GridHit {
  code: string;
  path: string;
  name: string;
}

/** The rings of a stored boundary, or null when it is not a usable GeoJSON Polygon. */
function ringsOf(boundary: unknown): Ring[] | null {
  const b = boundary as { type?: unknown; coordinates?: unknown } | null;
  if (!b || b.type !== 'Polygon' || !Array.isArray(b.coordinates)) return null;
  const rings: Ring[] = [];
  for (const ring of b.coordinates as unknown[]) {
    if (!Array.isArray(ring) || ring.length < 4) return null;
    const pts: Ring = [];
    for (const p of ring as unknown[]) {
      if (!Array.isArray(p) || typeof p[0] !== 'number' || typeof p[1] !== 'number') return null;
      pts.push([p[0], p[1]]);
    }
    rings.push(pts);
  }
  return rings.length ? rings : null;
}

/** Even-odd ray casting on one ring; points exactly on an edge count as inside. */
function inRing(ring: Ring, x: number, y: number): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    // On the segment (collinear and within its box): inside, so a shared edge of two grids is not a gap.
    const cross = (x - xi) * (yj - yi) - (y - yi) * (xj - xi);
    if (
      Math.abs(cross) < 1e-12 &&
      x >= Math.min(xi, xj) &&
      x <= Math.max(xi, xj) &&
      y >= Math.min(yi, yj) &&
      y <= Math.max(yi, yj)
    )
      return true;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Whether a point (lng, lat) lies in a polygon: inside its outer ring and in none of its holes. */
export function pointInPolygon(rings: Ring[], lng: number, lat: number): boolean {
  const [outer, ...holes] = rings;
  if (!outer) return false;
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const [x, y] of outer) {
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  if (lng < minX || lng > maxX || lat < minY || lat > maxY) return false;
  if (!inRing(outer, lng, lat)) return false;
  return !holes.some((h) => inRing(h, lng, lat) && !onBorder(h, lng, lat));
}

/** A point on a hole's edge belongs to the polygon (the edge is shared with the polygon itself). */
function onBorder(ring: Ring, x: number, y: number): boolean {
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    const cross = (x - xi) * (yj - yi) - (y - yi) * (xj - xi);
    if (
      Math.abs(cross) < 1e-12 &&
      x >= Math.min(xi, xj) &&
      x <= Math.max(xi, xj) &&
      y >= Math.min(yi, yj) &&
      y <= Math.max(yi, yj)
    )
      return true;
  }
  return false;
}

function underPath(withinPath: string | undefined) {
  return withinPath ? sql`${areas.path} like ${withinPath + '%'}` : undefined;
}

/**
 * The grid whose boundary contains the point (the lowest code when boundaries overlap), optionally only among the
 * grids under an area path; null when none does.
 */
export async function gridAt(tx: Tx, lat: number, lng: number, withinPath?: string): Promise<GridHit | null> {
  const rows = await tx
    .select({ code: areas.code, path: areas.path, name: areas.name, boundary: areas.boundary })
    .from(areas)
    .where(and(eq(areas.level, 'grid'), isNotNull(areas.boundary), underPath(withinPath)))
    .orderBy(asc(areas.code));
  for (const r of rows) {
    const rings = ringsOf(r.boundary);
    if (rings && pointInPolygon(rings, lng, lat)) return { code: r.code, path: r.path, name: r.name };
  }
  return null;
}

/** Whether any grid under the path has a boundary (if none has, a point there cannot be checked). */
export async function hasBoundedGrids(tx: Tx, withinPath: string): Promise<boolean> {
  const [row] = await tx
    .select({ code: areas.code })
    .from(areas)
    .where(and(eq(areas.level, 'grid'), isNotNull(areas.boundary), underPath(withinPath)))
    .limit(1);
  return row !== undefined;
}
