/**
 * Similar open cases, shown before a new case is saved and when checking a case for duplicates (合并): open cases
 * of the same category in the same community or within 300 m, and open cases in the community whose text is
 * alike (Dice coefficient over character bigrams, which works for Chinese without word segmentation). Only cases
 * the reader may read are considered.
 */
import { and, desc, eq, inArray, ne, or, sql, type SQL } from 'drizzle-orm';
import { parseAreaCode } from '../../../common/area-code';
import type { SimilarQuery } from '../../../common/schemas/cases';
import type { AppContext } from '../../context';
import { AppError, invalidField } from '../../http/errors';
import type { Ability, Actor } from '../../policy/ability';
import { caseScopeWhere } from '../../policy/scope';
import { areas } from '../areas/tables';
import { ancestorAtLevel } from '../categories/routing';
import { categories } from '../categories/tables';
import { OPEN_STATUSES } from './machine';
import { cases } from './tables';

/** Within this distance a case of the same category counts as nearby. */
export const NEARBY_METRES = 300;
/** Texts at least this alike are listed even in another category. */
export const TEXT_THRESHOLD = 0.3;
const MAX_RESULTS = 10;
/** Candidates looked at, newest first (a community rarely has this many open cases). */
const CANDIDATES = 500;

type Reason = 'nearby' | 'sameArea' | 'text';

/** Letters and digits only, lower case, full-width folded: what the comparison looks at. */
function normalise(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

/** The character bigrams of a text with their counts (a single character counts as its own gram). */
function bigrams(text: string): Map<string, number> {
  const chars = [...normalise(text)];
  const out = new Map<string, number>();
  if (chars.length === 1) out.set(chars[0]!, 1);
  for (let i = 0; i + 1 < chars.length; i++) {
    const g = chars[i]! + chars[i + 1]!;
    out.set(g, (out.get(g) ?? 0) + 1);
  }
  return out;
}

/** Sørensen–Dice coefficient of two texts over character bigrams (multiset), 0..1. */
export function diceSimilarity(a: string, b: string): number {
  const x = bigrams(a);
  const y = bigrams(b);
  let sizeX = 0;
  let sizeY = 0;
  let shared = 0;
  for (const n of x.values()) sizeX += n;
  for (const n of y.values()) sizeY += n;
  if (sizeX === 0 || sizeY === 0) return 0;
  for (const [g, n] of x) shared += Math.min(n, y.get(g) ?? 0);
  return (2 * shared) / (sizeX + sizeY);
}

/** Great-circle distance in metres. */
export function distanceMetres(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLng = (lng2 - lng1) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The open cases like the one described, best first (at most ten). */
export async function similarCases(ctx: AppContext, ability: Ability, actor: Actor, q: SimilarQuery) {
  const parsed = parseAreaCode(q.areaCode);
  if (!parsed.ok)
    throw new AppError('validation.failed', [
      { field: 'querystring.areaCode', rule: 'areaCode', limit: parsed.rule },
    ]);
  if (parsed.level !== 'community' && parsed.level !== 'grid')
    throw invalidField('querystring.areaCode', 'level', 'community, grid');
  if ((q.lat === undefined) !== (q.lng === undefined))
    throw invalidField(q.lat === undefined ? 'querystring.lat' : 'querystring.lng', 'required');
  const [area] = await ctx.db
    .select({ path: areas.path })
    .from(areas)
    .where(eq(areas.code, parsed.code))
    .limit(1);
  if (!area) throw new AppError('area.unknown', [{ field: 'querystring.areaCode', rule: 'exists' }]);
  const community = ancestorAtLevel(area.path, 'community') ?? area.path;
  const district = ancestorAtLevel(area.path, 'district') ?? community;

  const where: SQL[] = [inArray(cases.status, OPEN_STATUSES), caseScopeWhere(ability, actor)];
  if (q.exclude) where.push(ne(cases.id, q.exclude));
  const places: SQL[] = [sql`${cases.areaPath} like ${community + '%'}`];
  const point = q.lat !== undefined && q.lng !== undefined ? { lat: q.lat, lng: q.lng } : null;
  if (point) {
    // A box a little larger than the radius, in the district, on the (category, area) index; refined below.
    const dLat = (NEARBY_METRES * 1.2) / 111_320;
    const dLng = dLat / Math.max(0.01, Math.cos((point.lat * Math.PI) / 180));
    places.push(
      and(
        eq(cases.categoryId, q.categoryId),
        sql`${cases.areaPath} like ${district + '%'}`,
        sql`${cases.lat} between ${point.lat - dLat} and ${point.lat + dLat}`,
        sql`${cases.lng} between ${point.lng - dLng} and ${point.lng + dLng}`,
      )!,
    );
  }
  where.push(or(...places)!);
  const rows = await ctx.db
    .select({
      id: cases.id,
      number: cases.number,
      title: cases.title,
      description: cases.description,
      status: cases.status,
      categoryId: cases.categoryId,
      categoryName: categories.name,
      areaName: areas.name,
      areaPath: cases.areaPath,
      lat: cases.lat,
      lng: cases.lng,
      createdAt: cases.createdAt,
    })
    .from(cases)
    .innerJoin(categories, eq(categories.id, cases.categoryId))
    .innerJoin(areas, eq(areas.code, cases.areaCode))
    .where(and(...where))
    .orderBy(desc(cases.createdAt), desc(cases.id))
    .limit(CANDIDATES);

  const title = q.title?.trim() ?? '';
  const full = `${title} ${q.description ?? ''}`.trim();
  const scored = [];
  for (const r of rows) {
    const sameCategory = r.categoryId === q.categoryId;
    const distanceM =
      point && r.lat !== null && r.lng !== null ? distanceMetres(point.lat, point.lng, r.lat, r.lng) : null;
    const score = full
      ? Math.max(
          title ? diceSimilarity(title, r.title) : 0,
          diceSimilarity(full, `${r.title} ${r.description}`),
        )
      : 0;
    const reasons: Reason[] = [];
    if (sameCategory && distanceM !== null && distanceM <= NEARBY_METRES) reasons.push('nearby');
    else if (sameCategory && r.areaPath.startsWith(community)) reasons.push('sameArea');
    if (score >= TEXT_THRESHOLD && r.areaPath.startsWith(community)) reasons.push('text');
    if (reasons.length === 0) continue;
    // The order: text likeness first, lifted for being nearby or in the same category and community.
    const rank = score + (reasons.includes('nearby') ? 0.5 : reasons.includes('sameArea') ? 0.2 : 0);
    scored.push({ r, reasons, score, distanceM, rank });
  }
  scored.sort(
    (a, b) =>
      b.rank - a.rank ||
      (a.distanceM ?? Infinity) - (b.distanceM ?? Infinity) ||
      new Date(b.r.createdAt).getTime() - new Date(a.r.createdAt).getTime(),
  );
  return {
    items: scored.slice(0, MAX_RESULTS).map(({ r, reasons, score, distanceM }) => ({
      id: r.id,
      number: r.number,
      title: r.title,
      status: r.status as (typeof OPEN_STATUSES)[number],
      categoryName: r.categoryName,
      areaName: r.areaName,
      distanceM: distanceM === null ? null : Math.round(distanceM),
      score: Math.round(score * 100) / 100,
      reasons,
      createdAt: new Date(r.createdAt).toISOString(),
    })),
  };
}
