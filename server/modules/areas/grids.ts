/**
 * Grids (网格): the only areas made here rather than imported. A grid's code is its community's code plus
 * three digits. Creating, changing and deleting one is authorized (manage Grid at the community), runs in
 * one transaction and is audited; an actor of null is the CLI or the system (no authorization).
 */
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Static } from 'typebox';
import { Value } from 'typebox/value';
import { areaPath } from '../../../common/area-code';
import { GridBoundary, type Area, type GridCreate, type GridUpdate } from '../../../common/schemas/areas';
import type { AppContext } from '../../context';
import { AppError, invalidField } from '../../http/errors';
import { Ability, type Actor } from '../../policy/ability';
import { assignments } from '../accounts/tables';
import { appendAudit } from '../audit/log';
import { auditActor, type RequestMeta } from './audit-meta';
import { areaColumns, loadArea, parseCodeOrThrow, toArea } from './queries';
import { areas } from './tables';

const NAME_MAX = 60;
const MAX_SUFFIX = 999;

function checkName(name: unknown, field = 'body.name'): string {
  if (typeof name !== 'string') throw invalidField(field, 'type', 'string');
  const trimmed = name.trim();
  if (trimmed.length < 1) throw invalidField(field, 'minLength', 1);
  if (trimmed.length > NAME_MAX) throw invalidField(field, 'maxLength', NAME_MAX);
  return trimmed;
}

/** A GeoJSON Polygon whose rings are closed (first point = last point), or null; 400 on body.boundary otherwise. */
export function checkBoundary(boundary: unknown, field = 'body.boundary'): Polygon | null {
  if (boundary === null || boundary === undefined) return null;
  if (!Value.Check(GridBoundary, boundary)) throw invalidField(field, 'anyOf');
  for (const ring of boundary.coordinates) {
    const first = ring[0]!;
    const last = ring[ring.length - 1]!;
    if (first[0] !== last[0] || first[1] !== last[1]) throw invalidField(field, 'ring');
  }
  // Only the geometry is kept: foreign members (bbox, crs, anything else) are dropped.
  return { type: 'Polygon', coordinates: boundary.coordinates };
}
type Polygon = Static<typeof GridBoundary>;

/** A valid grid code (15 digits under a community), or 400. */
function parseGridCode(code: string, field = 'params.code') {
  const parsed = parseCodeOrThrow(code, field);
  if (parsed.level !== 'grid') throw new AppError('area.not_grid');
  return parsed;
}

/** Refuses an actor without manage Grid at the community; the system (null) may do anything. */
function authorizeGrid(actor: Actor | null, communityPath?: string): void {
  if (!actor) return;
  new Ability(actor).authorize('manage', 'Grid', communityPath);
}

/** Turns a foreign-key violation (23503) anywhere in the error chain into the given error. */
function isForeignKeyViolation(err: unknown): boolean {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, i = 0; e && i < 5; i++) {
    if (e.code === '23503') return true;
    e = e.cause as typeof e;
  }
  return false;
}

/** Creates a grid under a community: the given suffix, or the next free number after the highest. */
export async function createGrid(
  ctx: AppContext,
  actor: Actor | null,
  communityCode: string,
  input: GridCreate,
  meta: RequestMeta = {},
): Promise<Area> {
  // Who may not manage grids anywhere learns nothing more.
  authorizeGrid(actor);
  const community = parseCodeOrThrow(communityCode, 'params.code');
  const name = checkName(input.name);
  if (input.suffix !== undefined && !/^(?!000)[0-9]{3}$/.test(input.suffix)) {
    throw invalidField('body.suffix', 'pattern');
  }
  const boundary = checkBoundary(input.boundary);

  return ctx.db.transaction(async (tx) => {
    // Locking the community serialises grid numbering within it.
    const [parent] = await tx
      .select({ code: areas.code, path: areas.path, level: areas.level })
      .from(areas)
      .where(eq(areas.code, community.code))
      .for('update');
    if (!parent) throw new AppError('area.unknown');
    authorizeGrid(actor, parent.path);
    if (parent.level !== 'community') throw new AppError('area.not_community');

    let suffix = input.suffix;
    if (suffix === undefined) {
      const taken = await tx
        .select({ code: areas.code })
        .from(areas)
        .where(and(eq(areas.parentCode, parent.code), eq(areas.level, 'grid')));
      const used = new Set(taken.map((t) => Number(t.code.slice(12))));
      const highest = Math.max(0, ...used);
      let next = highest + 1;
      // After 999 fall back to the lowest gap left by deleted grids.
      if (next > MAX_SUFFIX) {
        next = 1;
        while (next <= MAX_SUFFIX && used.has(next)) next++;
      }
      if (next > MAX_SUFFIX) throw new AppError('area.grids_full');
      suffix = String(next).padStart(3, '0');
    }
    const code = `${parent.code}${suffix}`;
    const inserted = await tx
      .insert(areas)
      .values({
        code,
        path: areaPath(code),
        name,
        level: 'grid',
        parentCode: parent.code,
        boundary,
        source: 'local',
      })
      .onConflictDoNothing()
      .returning({ code: areas.code });
    if (inserted.length === 0) throw new AppError('area.grid_exists');
    await appendAudit(tx, {
      ...auditActor(actor, meta),
      action: 'area.grid.create',
      targetType: 'area',
      targetId: code,
      areaPath: areaPath(code),
      outcome: 'success',
      details: { name, communityCode: parent.code, boundary: boundary !== null },
    });
    return toArea(await loadArea(tx, code));
  });
}

/** Changes a grid's name and/or boundary; a stale `version` is refused with 409 conflict. */
export async function updateGrid(
  ctx: AppContext,
  actor: Actor | null,
  gridCode: string,
  input: GridUpdate,
  meta: RequestMeta = {},
): Promise<Area> {
  authorizeGrid(actor);
  const grid = parseGridCode(gridCode);
  const name = input.name === undefined ? undefined : checkName(input.name);
  const boundary = input.boundary === undefined ? undefined : checkBoundary(input.boundary);

  return ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .select({ name: areas.name, boundary: areas.boundary, version: areas.version })
      .from(areas)
      .where(and(eq(areas.code, grid.code), eq(areas.level, 'grid')))
      .for('update');
    if (!row) throw new AppError('area.unknown');
    authorizeGrid(actor, areaPath(grid.parentCode!));
    if (input.version !== undefined && input.version !== row.version) throw new AppError('conflict');

    const changes: { name?: string; boundary?: Polygon | null } = {};
    if (name !== undefined && name !== row.name) changes.name = name;
    if (boundary !== undefined && JSON.stringify(boundary) !== JSON.stringify(row.boundary ?? null)) {
      changes.boundary = boundary;
    }
    if (Object.keys(changes).length > 0) {
      await tx
        .update(areas)
        .set({ ...changes, version: sql`${areas.version} + 1`, updatedAt: sql`now()` })
        .where(eq(areas.code, grid.code));
      await appendAudit(tx, {
        ...auditActor(actor, meta),
        action: 'area.grid.update',
        targetType: 'area',
        targetId: grid.code,
        areaPath: grid.path,
        outcome: 'success',
        details: {
          ...(changes.name !== undefined ? { name: { from: row.name, to: changes.name } } : {}),
          ...('boundary' in changes ? { boundary: changes.boundary === null ? 'removed' : 'changed' } : {}),
          version: row.version + 1,
        },
      });
    }
    const [fresh] = await tx.select(areaColumns).from(areas).where(eq(areas.code, grid.code));
    return toArea(fresh!);
  });
}

/** Renames a grid (the CLI's `grids rename`). */
export async function renameGrid(
  ctx: AppContext,
  actor: Actor | null,
  gridCode: string,
  name: string,
  meta: RequestMeta = {},
): Promise<Area> {
  return updateGrid(ctx, actor, gridCode, { name }, meta);
}

/**
 * Deletes a grid (imported units are never deleted). Refused while an active assignment points at it
 * (area.grid_in_use), and while any other record refers to it, such as a revoked assignment kept for
 * history (area.grid_referenced).
 */
export async function deleteGrid(
  ctx: AppContext,
  actor: Actor | null,
  gridCode: string,
  meta: RequestMeta = {},
): Promise<void> {
  authorizeGrid(actor);
  const grid = parseGridCode(gridCode);
  try {
    await ctx.db.transaction(async (tx) => {
      const [row] = await tx
        .select({ name: areas.name })
        .from(areas)
        .where(and(eq(areas.code, grid.code), eq(areas.level, 'grid')))
        .for('update');
      if (!row) throw new AppError('area.unknown');
      authorizeGrid(actor, areaPath(grid.parentCode!));
      const active = await tx
        .select({ id: assignments.id })
        .from(assignments)
        .where(and(eq(assignments.areaCode, grid.code), isNull(assignments.revokedAt)))
        .limit(1);
      if (active.length > 0) throw new AppError('area.grid_in_use');
      await tx.delete(areas).where(and(eq(areas.code, grid.code), eq(areas.source, 'local')));
      await appendAudit(tx, {
        ...auditActor(actor, meta),
        action: 'area.grid.delete',
        targetType: 'area',
        targetId: grid.code,
        areaPath: grid.path,
        outcome: 'success',
        details: { name: row.name },
      });
    });
  } catch (err) {
    if (isForeignKeyViolation(err)) throw new AppError('area.grid_referenced');
    throw err;
  }
}
