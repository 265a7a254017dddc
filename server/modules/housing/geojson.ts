/**
 * GeoJSON checks of the housing register: a grid boundary to import (Polygon, or a MultiPolygon of one part, bare,
 * as a Feature or as a FeatureCollection of one feature) becomes the Polygon the areas module keeps; every problem is
 * named by its path under the request (body.geojson.coordinates.0.3 …) and the rule it breaks.
 */
import { AppError, invalidField, type FieldProblem } from '../../http/errors';

export type Position = [number, number];
export type Ring = Position[];
export interface Polygon {
  type: 'Polygon';
  coordinates: Ring[];
}

/** The limits of the areas module's GridBoundary schema, checked here first so the error names the place. */
export const MAX_RINGS = 20;
export const MAX_RING_POINTS = 2000;
/** Fewer vertices in all than rings × points: the self-intersection check compares every pair of edges. */
export const MAX_TOTAL_POINTS = 5000;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Unwraps FeatureCollection → Feature → geometry, naming the path taken. */
function geometryOf(input: unknown, field: string): { geometry: Record<string, unknown>; field: string } {
  if (!isObject(input)) throw invalidField(field, 'geojsonType', 'Polygon / MultiPolygon / Feature');
  if (input.type === 'FeatureCollection') {
    const features = input.features;
    if (!Array.isArray(features)) throw invalidField(`${field}.features`, 'type', 'array');
    if (features.length !== 1) throw invalidField(`${field}.features`, 'singlePolygon', features.length);
    return geometryOf(features[0], `${field}.features.0`);
  }
  if (input.type === 'Feature') {
    if (!isObject(input.geometry))
      throw invalidField(`${field}.geometry`, 'geojsonType', 'Polygon / MultiPolygon');
    return { geometry: input.geometry, field: `${field}.geometry` };
  }
  return { geometry: input, field };
}

/** A position: two or three finite numbers, longitude −180…180 and latitude −90…90 (an altitude is dropped). */
export function checkPosition(p: unknown, field: string): Position {
  if (!Array.isArray(p) || p.length < 2 || p.length > 3) throw invalidField(field, 'geojsonType', 'Position');
  p.forEach((n, i) => {
    if (typeof n !== 'number' || !Number.isFinite(n)) throw invalidField(`${field}.${i}`, 'type', 'number');
  });
  const [lng, lat] = p as number[];
  if (lng! < -180) throw invalidField(`${field}.0`, 'minimum', -180);
  if (lng! > 180) throw invalidField(`${field}.0`, 'maximum', 180);
  if (lat! < -90) throw invalidField(`${field}.1`, 'minimum', -90);
  if (lat! > 90) throw invalidField(`${field}.1`, 'maximum', 90);
  return [lng!, lat!];
}

/** Twice the signed area of a ring (shoelace). */
function area2(ring: Ring): number {
  let a = 0;
  for (let i = 0; i < ring.length - 1; i++) {
    const [x1, y1] = ring[i]!;
    const [x2, y2] = ring[i + 1]!;
    a += x1 * y2 - x2 * y1;
  }
  return a;
}

function orient(a: Position, b: Position, c: Position): number {
  const v = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
  // Coordinates are degrees with at most ~1e-9 meaningful precision; smaller cross products are collinear.
  return Math.abs(v) < 1e-18 ? 0 : Math.sign(v);
}

function onSegment(a: Position, b: Position, p: Position): boolean {
  return (
    Math.min(a[0], b[0]) <= p[0] &&
    p[0] <= Math.max(a[0], b[0]) &&
    Math.min(a[1], b[1]) <= p[1] &&
    p[1] <= Math.max(a[1], b[1])
  );
}

/** Whether segments ab and cd meet (touching counts). */
export function segmentsMeet(a: Position, b: Position, c: Position, d: Position): boolean {
  const o1 = orient(a, b, c);
  const o2 = orient(a, b, d);
  const o3 = orient(c, d, a);
  const o4 = orient(c, d, b);
  if (o1 !== o2 && o3 !== o4) return true;
  if (o1 === 0 && onSegment(a, b, c)) return true;
  if (o2 === 0 && onSegment(a, b, d)) return true;
  if (o3 === 0 && onSegment(c, d, a)) return true;
  if (o4 === 0 && onSegment(c, d, b)) return true;
  return false;
}

/** Where lines ab and cd cross (for the message); an end of ab when they are parallel (overlapping). */
function crossingPoint(a: Position, b: Position, c: Position, d: Position): Position {
  const den = (a[0] - b[0]) * (c[1] - d[1]) - (a[1] - b[1]) * (c[0] - d[0]);
  if (Math.abs(den) < 1e-24) return onSegment(c, d, a) ? a : b;
  const t = ((a[0] - c[0]) * (c[1] - d[1]) - (a[1] - c[1]) * (c[0] - d[0])) / den;
  return [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
}

interface Edge {
  ring: number;
  index: number;
  a: Position;
  b: Position;
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
}

/**
 * The first pair of edges that cross or touch where they should not: in one ring, edges other than neighbours;
 * between rings, any. Edges are swept by their left end so that only overlapping boxes are compared.
 */
export function findSelfIntersection(rings: Ring[]): { ring: number; at: Position } | null {
  const edges: Edge[] = [];
  const counts: number[] = [];
  rings.forEach((raw, r) => {
    // A repeated point is no edge: drop consecutive duplicates so neighbours stay neighbours.
    const ring = raw.filter((p, i) => i === 0 || p[0] !== raw[i - 1]![0] || p[1] !== raw[i - 1]![1]);
    counts.push(ring.length - 1);
    for (let i = 0; i < ring.length - 1; i++) {
      const a = ring[i]!;
      const b = ring[i + 1]!;
      edges.push({
        ring: r,
        index: i,
        a,
        b,
        minX: Math.min(a[0], b[0]),
        maxX: Math.max(a[0], b[0]),
        minY: Math.min(a[1], b[1]),
        maxY: Math.max(a[1], b[1]),
      });
    }
  });
  edges.sort((e, f) => e.minX - f.minX);
  const same = (p: Position, q: Position) => p[0] === q[0] && p[1] === q[1];
  for (let i = 0; i < edges.length; i++) {
    const e = edges[i]!;
    for (let j = i + 1; j < edges.length; j++) {
      const f = edges[j]!;
      if (f.minX > e.maxX) break;
      if (f.minY > e.maxY || f.maxY < e.minY) continue;
      if (e.ring === f.ring) {
        const n = counts[e.ring]!;
        const gap = Math.abs(e.index - f.index);
        // Neighbouring edges share a vertex (the first and the last too: the ring is closed). They may meet only
        // there: one folding back along the other is a crossing.
        if (gap === 1 || gap === n - 1) {
          const s = same(e.b, f.a) || same(e.b, f.b) ? e.b : e.a;
          const p = same(e.a, s) ? e.b : e.a;
          const q = same(f.a, s) ? f.b : f.a;
          const dot = (p[0] - s[0]) * (q[0] - s[0]) + (p[1] - s[1]) * (q[1] - s[1]);
          if (orient(s, p, q) === 0 && dot > 0) return { ring: e.ring, at: s };
          continue;
        }
      }
      if (segmentsMeet(e.a, e.b, f.a, f.b))
        return { ring: Math.max(e.ring, f.ring), at: crossingPoint(e.a, e.b, f.a, f.b) };
    }
  }
  return null;
}

/** Even-odd point in ring. */
function inRing(ring: Ring, [x, y]: Position): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** The rings of one polygon's coordinates, checked. */
function checkRings(coords: unknown, field: string): Ring[] {
  if (!Array.isArray(coords)) throw invalidField(field, 'type', 'array');
  if (coords.length < 1) throw invalidField(field, 'minItems', 1);
  if (coords.length > MAX_RINGS) throw invalidField(field, 'maxItems', MAX_RINGS);
  let total = 0;
  const rings: Ring[] = coords.map((ring: unknown, r) => {
    const rf = `${field}.${r}`;
    if (!Array.isArray(ring)) throw invalidField(rf, 'type', 'array');
    if (ring.length < 4) throw invalidField(rf, 'minItems', 4);
    if (ring.length > MAX_RING_POINTS) throw invalidField(rf, 'maxItems', MAX_RING_POINTS);
    total += ring.length;
    if (total > MAX_TOTAL_POINTS) throw invalidField(field, 'maxItems', MAX_TOTAL_POINTS);
    const pts = ring.map((p: unknown, i) => checkPosition(p, `${rf}.${i}`));
    const first = pts[0]!;
    const last = pts[pts.length - 1]!;
    if (first[0] !== last[0] || first[1] !== last[1]) throw invalidField(rf, 'ring');
    if (Math.abs(area2(pts)) < 1e-16) throw invalidField(rf, 'degenerate');
    return pts;
  });
  const crossing = findSelfIntersection(rings);
  if (crossing) {
    throw invalidField(
      `${field}.${crossing.ring}`,
      'selfIntersection',
      `${crossing.at[0].toFixed(6)}, ${crossing.at[1].toFixed(6)}`,
    );
  }
  // A hole must lie inside the outer ring (its edges do not cross it, so one vertex tells).
  for (let r = 1; r < rings.length; r++) {
    if (!inRing(rings[0]!, rings[r]![0]!)) throw invalidField(`${field}.${r}`, 'outsideArea');
  }
  return rings;
}

/** A grid boundary from imported GeoJSON, as the Polygon the areas module stores; 400 naming the problem otherwise. */
export function parseBoundary(input: unknown, field = 'body.geojson'): Polygon {
  const { geometry, field: gf } = geometryOf(input, field);
  if (geometry.type === 'Polygon') {
    return { type: 'Polygon', coordinates: checkRings(geometry.coordinates, `${gf}.coordinates`) };
  }
  if (geometry.type === 'MultiPolygon') {
    const parts = geometry.coordinates;
    if (!Array.isArray(parts)) throw invalidField(`${gf}.coordinates`, 'type', 'array');
    // A grid is one piece: the stored boundary, locating and the maps all take one polygon.
    if (parts.length !== 1) throw invalidField(`${gf}.coordinates`, 'singlePolygon', parts.length);
    return { type: 'Polygon', coordinates: checkRings(parts[0], `${gf}.coordinates.0`) };
  }
  throw invalidField(`${gf}.type`, 'geojsonType', 'Polygon / MultiPolygon');
}

/** Many problems at once (an import names every bad feature, up to a limit). */
export function problemsError(problems: FieldProblem[]): AppError {
  return new AppError('validation.failed', problems.slice(0, 50));
}
