/**
 * Drawing grid boundaries without map tiles: GeoJSON polygons projected equirectangularly (longitude shrunk by
 * the cosine of the mean latitude) and fitted into an SVG viewBox of a fixed width.
 */

export type Ring = [number, number][];

/** The rings of a GeoJSON Polygon or MultiPolygon; anything else gives none. */
export function ringsOf(geometry: unknown): Ring[] {
  if (!geometry || typeof geometry !== 'object') return [];
  const g = geometry as { type?: unknown; coordinates?: unknown };
  const isPoint = (p: unknown): p is [number, number] =>
    Array.isArray(p) && typeof p[0] === 'number' && typeof p[1] === 'number';
  const asRings = (poly: unknown): Ring[] =>
    Array.isArray(poly)
      ? poly
          .filter((r): r is unknown[] => Array.isArray(r))
          .map((r) => r.filter(isPoint).map(([x, y]) => [x, y]))
      : [];
  if (g.type === 'Polygon') return asRings(g.coordinates).filter((r) => r.length >= 3);
  if (g.type === 'MultiPolygon' && Array.isArray(g.coordinates))
    return g.coordinates.flatMap(asRings).filter((r) => r.length >= 3);
  return [];
}

export interface Projected {
  /** SVG path data of all rings (draw with fill-rule evenodd). */
  d: string;
  /** Where to put the label: the mean of the outer ring's vertices. */
  cx: number;
  cy: number;
  /** Rough size in viewBox units, to decide whether a label fits. */
  size: number;
}

export interface Fitted<K> {
  width: number;
  height: number;
  shapes: Map<K, Projected>;
}

/** Projects every shape's rings into one viewBox `width` wide (height follows the extent, within limits). */
export function fitShapes<K>(
  shapes: ReadonlyMap<K, Ring[]>,
  opts: { width?: number; maxHeight?: number; minHeight?: number; padding?: number } = {},
): Fitted<K> {
  const width = opts.width ?? 800;
  const maxHeight = opts.maxHeight ?? 800;
  const minHeight = opts.minHeight ?? 240;
  const pad = opts.padding ?? 16;
  let minLng = Infinity;
  let maxLng = -Infinity;
  let minLat = Infinity;
  let maxLat = -Infinity;
  for (const rings of shapes.values())
    for (const ring of rings)
      for (const [lng, lat] of ring) {
        minLng = Math.min(minLng, lng);
        maxLng = Math.max(maxLng, lng);
        minLat = Math.min(minLat, lat);
        maxLat = Math.max(maxLat, lat);
      }
  const out = new Map<K, Projected>();
  if (!Number.isFinite(minLng)) return { width, height: minHeight, shapes: out };
  const k = Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180);
  const spanX = Math.max((maxLng - minLng) * k, 1e-9);
  const spanY = Math.max(maxLat - minLat, 1e-9);
  const scale = Math.min((width - 2 * pad) / spanX, (maxHeight - 2 * pad) / spanY);
  const height = Math.max(minHeight, Math.min(maxHeight, spanY * scale + 2 * pad));
  // Centre the drawing in the box.
  const offX = (width - spanX * scale) / 2;
  const offY = (height - spanY * scale) / 2;
  const px = (lng: number) => offX + (lng - minLng) * k * scale;
  const py = (lat: number) => offY + (maxLat - lat) * scale;
  for (const [key, rings] of shapes) {
    if (!rings.length) continue;
    const d = rings
      .map(
        (ring) =>
          ring
            .map(([lng, lat], i) => `${i ? 'L' : 'M'}${px(lng).toFixed(1)},${py(lat).toFixed(1)}`)
            .join('') + 'Z',
      )
      .join('');
    const outer = rings[0]!;
    const xs = outer.map(([lng]) => px(lng));
    const ys = outer.map(([, lat]) => py(lat));
    const cx = xs.reduce((a, b) => a + b, 0) / xs.length;
    const cy = ys.reduce((a, b) => a + b, 0) / ys.length;
    const size = Math.min(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys));
    out.set(key, { d, cx, cy, size });
  }
  return { width, height, shapes: out };
}

/** Colour classes of open-case counts: 0, then four equal steps up to the maximum. */
export const COUNT_COLOURS = ['#e8f3f1', '#fff1b8', '#ffd666', '#fa8c16', '#d4380d'] as const;

export interface CountClass {
  colour: string;
  from: number;
  to: number;
}

/** The legend classes for a maximum count (fewer classes when the maximum is small). */
export function countClasses(max: number): CountClass[] {
  const classes: CountClass[] = [{ colour: COUNT_COLOURS[0], from: 0, to: 0 }];
  if (max <= 0) return classes;
  const steps = Math.min(4, max);
  let from = 1;
  for (let i = 1; i <= steps; i++) {
    const to = i === steps ? max : Math.max(from, Math.round((max * i) / steps));
    classes.push({ colour: COUNT_COLOURS[i]!, from, to });
    from = to + 1;
  }
  return classes;
}

export function colourOf(n: number, classes: readonly CountClass[]): string {
  return classes.find((c) => n >= c.from && n <= c.to)?.colour ?? classes[classes.length - 1]!.colour;
}
