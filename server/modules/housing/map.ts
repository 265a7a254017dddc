/**
 * A grid's housing map: its boundary and building points; building points in and out as GeoJSON, and a grid
 * boundary imported from GeoJSON (checked here, then written through the areas module's updateGrid, which
 * authorizes manage Grid and keeps the grid's version).
 */
import { and, eq, isNull, sql } from 'drizzle-orm';
import { areaPath } from '../../../common/area-code';
import type { Area } from '../../../common/schemas/areas';
import type {
  BoundaryImport,
  BuildingFeatureCollection,
  BuildingPointsImport,
  BuildingUse,
  HousingMap,
} from '../../../common/schemas/housing';
import type { AppContext } from '../../context';
import type { Tx } from '../../db/client';
import { AppError, type FieldProblem } from '../../http/errors';
import { Ability, type Actor } from '../../policy/ability';
import { appendAudit } from '../audit/log';
import { auditActor } from '../areas/audit-meta';
import { updateGrid } from '../areas/grids';
import { pointInPolygon } from '../areas/locate';
import { areas } from '../areas/tables';
import { parseBoundary, problemsError } from './geojson';
import { gridBuildings, type RequestMeta } from './service';
import { buildings, estates } from './tables';

interface GridRow {
  code: string;
  name: string;
  path: string;
  parentCode: string | null;
  boundary: unknown;
  version: number;
}

/** A grid by code for a housing action; 404 when unknown or not a grid, 403 outside the actor's scope. */
async function loadGrid(tx: Tx, ability: Ability, code: string, action: 'read' | 'create'): Promise<GridRow> {
  ability.authorize(action, 'Housing');
  const [row] = await tx
    .select({
      code: areas.code,
      name: areas.name,
      path: areas.path,
      level: areas.level,
      parentCode: areas.parentCode,
      boundary: areas.boundary,
      version: areas.version,
    })
    .from(areas)
    .where(eq(areas.code, code));
  if (!row) throw new AppError('area.unknown');
  if (row.level !== 'grid') throw new AppError('area.not_grid');
  ability.authorize(action, 'Housing', row.path);
  if (action === 'create') ability.authorize('update', 'Housing', row.path);
  return row;
}

/** The grid's boundary and its buildings in use (with or without a point), for the map. */
export async function getHousingMap(ctx: AppContext, ability: Ability, code: string): Promise<HousingMap> {
  const grid = await loadGrid(ctx.db, ability, code, 'read');
  const list = await gridBuildings(ctx.db, grid.code);
  return {
    grid: {
      code: grid.code,
      name: grid.name,
      path: grid.path,
      boundary: grid.boundary ?? null,
      version: grid.version,
    },
    buildings: list,
  };
}

/** The grid's buildings that have a point, as a GeoJSON FeatureCollection (the format the import takes). */
export async function exportBuildingPoints(
  ctx: AppContext,
  ability: Ability,
  code: string,
): Promise<BuildingFeatureCollection> {
  const map = await getHousingMap(ctx, ability, code);
  return {
    type: 'FeatureCollection',
    features: map.buildings
      .filter((b) => b.lat !== null && b.lng !== null)
      .map((b) => ({
        type: 'Feature' as const,
        id: b.id,
        geometry: { type: 'Point' as const, coordinates: [b.lng!, b.lat!] },
        properties: {
          name: b.name,
          number: b.number,
          estate: b.estateName,
          floors: b.floors,
          units: b.unitsCount,
          use: b.use,
        },
      })),
  };
}

interface PlannedPoint {
  name: string;
  number: string | null;
  estateId: string | null;
  floors: number | null;
  units: number | null;
  use: BuildingUse | null;
  lat: number;
  lng: number;
}

/**
 * Imports building points into a grid: a feature whose estate and name match a building in use there moves it
 * (and updates floors, units, number and use where given); any other creates a building. Every feature is checked
 * first and every problem named (feature, property, rule); then all of it is written in one transaction, or none.
 */
export async function importBuildingPoints(
  ctx: AppContext,
  actor: Actor,
  code: string,
  input: BuildingPointsImport,
  meta: RequestMeta = {},
): Promise<{ created: number; updated: number; unchanged: number }> {
  const ability = new Ability(actor);
  return ctx.db.transaction(async (tx) => {
    const grid = await loadGrid(tx, ability, code, 'create');
    const communityPath = areaPath(grid.parentCode ?? grid.code);
    const estateRows = await tx
      .select({ id: estates.id, name: estates.name, areaPath: estates.areaPath })
      .from(estates)
      .where(and(isNull(estates.retiredAt), sql`${estates.areaPath} = ${communityPath}`));
    const estateByName = new Map(estateRows.map((e) => [e.name, e.id]));
    const rings =
      (grid.boundary as { type?: string; coordinates?: [number, number][][] } | null)?.type === 'Polygon'
        ? (grid.boundary as { coordinates: [number, number][][] }).coordinates
        : null;

    const problems: FieldProblem[] = [];
    const planned: PlannedPoint[] = [];
    const seen = new Set<string>();
    input.features.forEach((f, i) => {
      const at = `body.features.${i}`;
      const [lng, lat] = f.geometry.coordinates as [number, number];
      const before = problems.length;
      if (lng < -180 || lng > 180)
        problems.push({
          field: `${at}.geometry.coordinates.0`,
          rule: lng < -180 ? 'minimum' : 'maximum',
          limit: lng < -180 ? -180 : 180,
        });
      else if (lat < -90 || lat > 90)
        problems.push({
          field: `${at}.geometry.coordinates.1`,
          rule: lat < -90 ? 'minimum' : 'maximum',
          limit: lat < -90 ? -90 : 90,
        });
      else if (rings && !pointInPolygon(rings, lng, lat))
        problems.push({ field: `${at}.geometry.coordinates`, rule: 'outsideArea' });
      const p = f.properties;
      const number = p.number === undefined || p.number === null ? null : String(p.number).trim() || null;
      const name = p.name?.trim() || (number ? `${number}号楼` : '');
      if (!name) problems.push({ field: `${at}.properties.name`, rule: 'required' });
      let estateId: string | null = null;
      if (p.estate) {
        estateId = estateByName.get(p.estate.trim()) ?? null;
        if (!estateId) problems.push({ field: `${at}.properties.estate`, rule: 'exists' });
      }
      const key = `${estateId ?? ''}\u0000${name}`;
      if (name && seen.has(key)) problems.push({ field: `${at}.properties.name`, rule: 'unique' });
      seen.add(key);
      if (problems.length === before)
        planned.push({
          name,
          number,
          estateId,
          floors: p.floors ?? null,
          units: p.units ?? null,
          use: p.use ?? null,
          lat,
          lng,
        });
    });
    if (problems.length) throw problemsError(problems);

    const existing = await tx
      .select()
      .from(buildings)
      .where(and(eq(buildings.areaCode, grid.code), isNull(buildings.retiredAt)));
    const byKey = new Map(existing.map((b) => [`${b.estateId ?? ''}\u0000${b.name}`, b]));
    // New buildings need their floors; that is known only now that the matches are.
    // No problem so far, so planned[i] is features[i].
    planned.forEach((p, i) => {
      if (!byKey.has(`${p.estateId ?? ''}\u0000${p.name}`) && p.floors === null)
        problems.push({ field: `body.features.${i}.properties.floors`, rule: 'required' });
    });
    if (problems.length) throw problemsError(problems);

    let created = 0;
    let updated = 0;
    let unchanged = 0;
    for (const p of planned) {
      const match = byKey.get(`${p.estateId ?? ''}\u0000${p.name}`);
      if (!match) {
        await tx.insert(buildings).values({
          areaCode: grid.code,
          areaPath: grid.path,
          estateId: p.estateId,
          name: p.name,
          number: p.number,
          floors: p.floors!,
          unitsCount: p.units ?? 0,
          use: p.use ?? 'residential',
          lat: p.lat,
          lng: p.lng,
        });
        created++;
        continue;
      }
      const next = {
        lat: p.lat,
        lng: p.lng,
        ...(p.number !== null ? { number: p.number } : {}),
        ...(p.floors !== null ? { floors: p.floors } : {}),
        ...(p.units !== null ? { unitsCount: p.units } : {}),
        ...(p.use !== null ? { use: p.use } : {}),
      };
      const differs = Object.entries(next).some(([k, v]) => (match as Record<string, unknown>)[k] !== v);
      if (!differs) {
        unchanged++;
        continue;
      }
      await tx
        .update(buildings)
        .set({ ...next, version: match.version + 1, updatedAt: sql`now()` })
        .where(eq(buildings.id, match.id));
      updated++;
    }
    await appendAudit(tx, {
      ...auditActor(actor, meta),
      action: 'housing.building.import_points',
      targetType: 'area',
      targetId: grid.code,
      areaPath: grid.path,
      outcome: 'success',
      details: { features: input.features.length, created, updated, unchanged },
    });
    return { created, updated, unchanged };
  });
}

/**
 * Replaces a grid's boundary from GeoJSON: checked here (shape, ranges, closed rings, no self-intersection; a
 * MultiPolygon of one part is taken as its polygon), then written by the areas module (manage Grid, version, audit).
 */
export async function importGridBoundary(
  ctx: AppContext,
  actor: Actor,
  code: string,
  input: BoundaryImport,
  meta: RequestMeta = {},
): Promise<Area> {
  const ability = new Ability(actor);
  // Who may not manage grids anywhere learns nothing about the file.
  ability.authorize('manage', 'Grid');
  const boundary = parseBoundary(input.geojson);
  return updateGrid(
    ctx,
    actor,
    code,
    { boundary, ...(input.version ? { version: input.version } : {}) },
    meta,
  );
}
