/** Reading the area tree: children, the actor's roots, search, one area with its breadcrumbs. */
import { and, asc, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import { ancestorPaths, codeFromPath, parseAreaCode } from '../../../common/area-code';
import type { Area, AreaLevel } from '../../../common/schemas/areas';
import type { AppContext } from '../../context';
import type { Tx } from '../../db/client';
import { AppError } from '../../http/errors';
import type { Ability } from '../../policy/ability';
import { scopeWhere } from '../../policy/scope';
import { areas } from './tables';

/** The columns of an Area answer; the child count is a correlated subquery of the same statement. */
export const areaColumns = {
  code: areas.code,
  name: areas.name,
  level: areas.level,
  parentCode: areas.parentCode,
  path: areas.path,
  boundary: areas.boundary,
  version: areas.version,
  updatedAt: areas.updatedAt,
  // Spelled out in full: Drizzle leaves columns unqualified in a single-table select list, and inside the
  // subquery (where `areas` is aliased c) "areas"."code" can only name the outer row.
  childCount: sql<number>`(select count(*)::int from ${areas} as c where c.parent_code = ${sql.identifier('areas')}.${sql.identifier('code')})`,
};

export interface AreaRow {
  code: string;
  name: string;
  level: string;
  parentCode: string | null;
  path: string;
  boundary: unknown;
  version: number;
  updatedAt: Date;
  childCount: number;
}

export function toArea(row: AreaRow): Area {
  return {
    code: row.code,
    name: row.name,
    level: row.level as AreaLevel,
    parentCode: row.parentCode,
    path: row.path,
    childCount: Number(row.childCount),
    boundary: row.boundary ?? null,
    updatedAt: new Date(row.updatedAt).toISOString(),
    version: row.version,
  };
}

/** A valid area code, or 400 naming the field (e.g. params.code) and why. */
export function parseCodeOrThrow(code: string, field: string) {
  const parsed = parseAreaCode(code);
  if (!parsed.ok) {
    throw new AppError('validation.failed', [{ field, rule: 'areaCode', limit: parsed.rule }]);
  }
  return parsed;
}

/** One area by code (with its child count), or 404 area.unknown. */
export async function loadArea(tx: Tx, code: string): Promise<AreaRow> {
  const [row] = await tx.select(areaColumns).from(areas).where(eq(areas.code, code)).limit(1);
  if (!row) throw new AppError('area.unknown');
  return row;
}

/** The children of a readable parent, ordered by code. */
export async function listChildren(ctx: AppContext, ability: Ability, parentCode: string): Promise<Area[]> {
  // The path follows from the code, so scope is decided before touching the database: one query per list.
  const parsed = parseCodeOrThrow(parentCode, 'querystring.parent');
  ability.authorize('read', 'Area', parsed.path);
  const rows = await ctx.db
    .select(areaColumns)
    .from(areas)
    .where(and(eq(areas.parentCode, parsed.code), scopeWhere(ability, 'read', 'Area', areas.path)))
    .orderBy(asc(areas.code));
  // No children: tell an unknown parent (404) from a leaf.
  if (rows.length === 0) await loadArea(ctx.db, parsed.code);
  return rows.map(toArea);
}

/** The areas at the actor's read paths: where its tree starts (the city for a city admin, its grid for a grid worker). */
export async function listRoots(ctx: AppContext, ability: Ability): Promise<Area[]> {
  const paths = ability.paths('read', 'Area').filter((p) => p !== '');
  if (paths.length === 0) return [];
  const rows = await ctx.db
    .select(areaColumns)
    .from(areas)
    .where(and(inArray(areas.path, paths), scopeWhere(ability, 'read', 'Area', areas.path)))
    .orderBy(asc(areas.code));
  return rows.map(toArea);
}

/** Areas whose name contains q (case-insensitive) or whose code starts with q, within scope; shallow levels first. */
export async function searchAreas(
  ctx: AppContext,
  ability: Ability,
  query: { q: string; limit?: number },
): Promise<Area[]> {
  const q = query.q.trim();
  if (q === '')
    throw new AppError('validation.failed', [{ field: 'querystring.q', rule: 'minLength', limit: 1 }]);
  const limit = query.limit ?? 20;
  // strpos needs no escaping of LIKE wildcards; the code prefix is only tried for digits, which need none either.
  const matches: SQL[] = [sql`strpos(lower(${areas.name}), lower(${q})) > 0`];
  if (/^[0-9]+$/.test(q)) matches.push(sql`${areas.code} like ${q + '%'}`);
  const rows = await ctx.db
    .select(areaColumns)
    .from(areas)
    .where(and(or(...matches), scopeWhere(ability, 'read', 'Area', areas.path)))
    .orderBy(sql`length(${areas.path})`, asc(areas.code))
    .limit(limit);
  return rows.map(toArea);
}

/** One readable area and the names of all its ancestors (breadcrumbs are public names, shown above the scope too). */
export async function getAreaDetail(ctx: AppContext, ability: Ability, code: string) {
  parseCodeOrThrow(code, 'params.code');
  const row = await loadArea(ctx.db, code);
  ability.authorize('read', 'Area', row.path);
  const codes = ancestorPaths(row.path).map(codeFromPath);
  const ancestors = codes.length
    ? await ctx.db
        .select({ code: areas.code, name: areas.name, level: areas.level })
        .from(areas)
        .where(inArray(areas.code, codes))
        .orderBy(sql`length(${areas.path})`)
    : [];
  return { ...toArea(row), ancestors };
}
