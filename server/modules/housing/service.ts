/**
 * The housing register (房屋): estates in communities, buildings in grids, their units and dwellings. Reads are
 * scoped by area path (read Housing); writes are authorized at the row's area (create/update Housing), run in one
 * transaction, check the version the client read (409 housing.stale) and are audited. Nothing is deleted: rows are
 * retired, and retiring a building or unit retires what it contains. The paths every write shares are in writes.ts.
 */
import { and, asc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import { parseAreaCode } from '../../../common/area-code';
import {
  DWELLING_USES,
  MAX_BULK_DWELLINGS,
  type Building,
  type BuildingBulkCreate,
  type BuildingCreate,
  type BuildingDetail,
  type BuildingListQuery,
  type BuildingUpdate,
  type BuildingUse,
  type Dwelling,
  type DwellingCreate,
  type DwellingListQuery,
  type DwellingUpdate,
  type DwellingUse,
  type Estate,
  type EstateCreate,
  type EstateListQuery,
  type EstateUpdate,
  type UnitCreate,
  type UnitDetail,
  type UnitSummary,
  type UnitUpdate,
  type UseCounts,
} from '../../../common/schemas/housing';
import type { ErrorCode } from '../../../common/errors';
import type { AppContext } from '../../context';
import type { Tx } from '../../db/client';
import { AppError, invalidField } from '../../http/errors';
import { pathWithin, type Ability, type Actor } from '../../policy/ability';
import { scopeWhere } from '../../policy/scope';
import type { RequestMeta } from '../areas/audit-meta';
import { pointInPolygon } from '../areas/locate';
import { areas } from '../areas/tables';
import { buildings, dwellings, estates, units } from './tables';
import {
  audit,
  countWhere,
  housingWrite,
  retireRow,
  retireUnder,
  uniqueOr,
  updateRow,
  type RowKind,
  type Write,
} from './writes';
import { isoTimestamp, isoTimestampOrNull } from '../../db/values';

export type { RequestMeta };
type EstateRow = typeof estates.$inferSelect;
type BuildingRow = typeof buildings.$inferSelect;
type UnitRow = typeof units.$inferSelect;
type DwellingRow = typeof dwellings.$inferSelect;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function trimOrNull(v: string | null | undefined): string | null | undefined {
  if (v === undefined || v === null) return v;
  const t = v.trim();
  return t === '' ? null : t;
}

function requiredName(v: string, field: string): string {
  const t = v.trim();
  if (!t) throw invalidField(field, 'minLength', 1);
  return t;
}

const emptyCounts = (): UseCounts => ({ self_occupied: 0, rented: 0, vacant: 0, commercial: 0 });

// ---- loading rows in scope ----

/** An estate the actor may read: in its subtree, or the estate of a community above its grid. */
function estateReadable(ability: Ability, path: string): boolean {
  return ability.paths('read', 'Housing').some((p) => pathWithin(path, p) || pathWithin(p, path));
}

/** The estates an actor reads: those in its subtrees and those of the communities above its grids. */
function estateScope(ability: Ability): SQL {
  const paths = ability.paths('read', 'Housing');
  if (paths.length === 0) return sql`false`;
  // A grid worker picks the estate of a building in its grid: estates of its community are readable too.
  const above = paths.map((p) => sql`${p} like ${estates.areaPath} || '%'`);
  return sql`(${scopeWhere(ability, 'read', 'Housing', estates.areaPath)} or ${sql.join(above, sql` or `)})`;
}

/** The first row of a select by id, with FOR UPDATE when it is to be changed. */
async function firstOf<R>(
  q: PromiseLike<R[]> & { for(strength: 'update'): PromiseLike<R[]> },
  lock: boolean,
): Promise<R | undefined> {
  return (lock ? await q.for('update') : await q)[0];
}

/** A row the actor may read, or 404 with the given code (a row outside the scope is not told apart). */
async function loadScoped<T extends { areaPath: string }>(
  ability: Ability,
  code: ErrorCode,
  id: string,
  load: () => Promise<T | undefined>,
  readable = (path: string) => ability.can('read', 'Housing', path),
): Promise<T> {
  if (!UUID.test(id)) throw new AppError(code);
  const row = await load();
  if (!row || !readable(row.areaPath)) throw new AppError(code);
  return row;
}

function loadEstate(tx: Tx, ability: Ability, id: string, lock = false): Promise<EstateRow> {
  return loadScoped(
    ability,
    'estate.unknown',
    id,
    () => firstOf(tx.select().from(estates).where(eq(estates.id, id)), lock),
    (path) => estateReadable(ability, path),
  );
}

function loadBuilding(tx: Tx, ability: Ability, id: string, lock = false): Promise<BuildingRow> {
  return loadScoped(ability, 'building.unknown', id, () =>
    firstOf(tx.select().from(buildings).where(eq(buildings.id, id)), lock),
  );
}

function loadUnit(tx: Tx, ability: Ability, id: string, lock = false): Promise<UnitRow> {
  return loadScoped(ability, 'unit.unknown', id, () =>
    firstOf(tx.select().from(units).where(eq(units.id, id)), lock),
  );
}

function loadDwelling(tx: Tx, ability: Ability, id: string, lock = false): Promise<DwellingRow> {
  return loadScoped(ability, 'dwelling.unknown', id, () =>
    firstOf(tx.select().from(dwellings).where(eq(dwellings.id, id)), lock),
  );
}

/**
 * A row named in a body that is unknown (or outside the scope, which is not told apart) stays a 404 of its kind,
 * naming the field: `unit.unknown` with body.unitId / exists.
 */
function named(field: string) {
  return (err: unknown): never => {
    if (err instanceof AppError && err.status === 404 && err.details.length === 0)
      throw new AppError(err.code, [{ field, rule: 'exists' }]);
    throw err;
  };
}

/** The area named in a body: it must exist and be at the given level; 400 on the field otherwise. */
async function loadAreaAt(
  tx: Tx,
  code: string,
  level: 'community' | 'grid',
  field: string,
): Promise<{ code: string; path: string; name: string; boundary: unknown }> {
  const parsed = parseAreaCode(code);
  if (!parsed.ok) throw invalidField(field, 'areaCode', code);
  const [row] = await tx
    .select({
      code: areas.code,
      path: areas.path,
      name: areas.name,
      level: areas.level,
      boundary: areas.boundary,
    })
    .from(areas)
    .where(eq(areas.code, code));
  if (!row) throw invalidField(field, 'exists');
  if (row.level !== level) throw invalidField(field, 'areaLevel', level);
  return row;
}

/** The point of a building: both or neither of lat/lng, inside the grid's boundary when it has one. */
export function checkPoint(
  lat: number | null | undefined,
  lng: number | null | undefined,
  boundary: unknown,
  fields: { lat: string; lng: string },
): void {
  if ((lat ?? null) === null && (lng ?? null) === null) return;
  if ((lat ?? null) === null) throw invalidField(fields.lat, 'required');
  if ((lng ?? null) === null) throw invalidField(fields.lng, 'required');
  const b = boundary as { type?: string; coordinates?: [number, number][][] } | null;
  if (b?.type === 'Polygon' && Array.isArray(b.coordinates)) {
    if (!pointInPolygon(b.coordinates, lng!, lat!)) throw invalidField(fields.lat, 'outsideArea');
  }
}

// ---- estates ----

function estateBuildingCount(): SQL<number> {
  return sql<number>`(select count(*)::int from ${buildings} b where b.estate_id = ${estates.id} and b.retired_at is null)`;
}

const estateColumns = {
  row: estates,
  areaName: areas.name,
  buildingCount: estateBuildingCount(),
};

function toEstate(r: { row: EstateRow; areaName: string; buildingCount: number }): Estate {
  const e = r.row;
  return {
    id: e.id,
    areaCode: e.areaCode,
    areaPath: e.areaPath,
    areaName: r.areaName,
    name: e.name,
    address: e.address,
    propertyCompany: e.propertyCompany,
    propertyPhone: e.propertyPhone,
    buildingCount: Number(r.buildingCount),
    version: e.version,
    createdAt: isoTimestamp(e.createdAt),
    updatedAt: isoTimestamp(e.updatedAt),
    retiredAt: isoTimestampOrNull(e.retiredAt),
  };
}

async function estateView(tx: Tx, id: string): Promise<Estate> {
  const [r] = await tx
    .select(estateColumns)
    .from(estates)
    .innerJoin(areas, eq(areas.code, estates.areaCode))
    .where(eq(estates.id, id));
  return toEstate(r!);
}

/** A path filter for an `area` query parameter: the area's subtree (an unknown code simply matches nothing). */
function areaFilter(column: SQL | typeof estates.areaPath, code: string | undefined): SQL | undefined {
  if (!code) return undefined;
  const parsed = parseAreaCode(code);
  if (!parsed.ok) throw invalidField('querystring.area', 'areaCode', code);
  return sql`${column} like ${parsed.path + '%'}`;
}

/** Estates within scope (and those of the communities above a grid worker's grids), by name. */
export async function listEstates(
  ctx: AppContext,
  ability: Ability,
  q: EstateListQuery,
): Promise<{ items: Estate[]; total: number }> {
  ability.authorize('read', 'Housing');
  const where = and(
    estateScope(ability),
    q.area ? areaFilter(estates.areaPath, q.area) : undefined,
    q.includeRetired ? undefined : isNull(estates.retiredAt),
    q.q ? sql`strpos(${estates.name}, ${q.q}) > 0` : undefined,
  );
  const rows = await ctx.db
    .select(estateColumns)
    .from(estates)
    .innerJoin(areas, eq(areas.code, estates.areaCode))
    .where(where)
    .orderBy(asc(estates.areaCode), asc(estates.name))
    .limit(q.limit ?? 100)
    .offset(q.offset ?? 0);
  return { items: rows.map(toEstate), total: await countWhere(ctx.db, estates, where) };
}

/** Creates an estate in a community. */
export async function createEstate(
  ctx: AppContext,
  actor: Actor,
  input: EstateCreate,
  meta: RequestMeta = {},
): Promise<Estate> {
  return housingWrite(ctx, actor, meta, 'create', async (w) => {
    const name = requiredName(input.name, 'body.name');
    const area = await loadAreaAt(w.tx, input.areaCode, 'community', 'body.areaCode');
    w.ability.authorize('create', 'Housing', area.path);
    const [row] = await uniqueOr('body.name', () =>
      w.tx
        .insert(estates)
        .values({
          areaCode: area.code,
          areaPath: area.path,
          name,
          address: trimOrNull(input.address) ?? null,
          propertyCompany: trimOrNull(input.propertyCompany) ?? null,
          propertyPhone: trimOrNull(input.propertyPhone) ?? null,
        })
        .returning(),
    );
    await audit(w, 'estate', 'create', row!, { name, areaCode: area.code });
    return estateView(w.tx, row!.id);
  });
}

const ESTATE: RowKind<EstateRow, Estate> = {
  kind: 'estate',
  table: estates,
  load: loadEstate,
  view: estateView,
  uniqueField: 'body.name',
};

/** Changes an estate's name, address or property company. */
export async function updateEstate(
  ctx: AppContext,
  actor: Actor,
  id: string,
  input: EstateUpdate,
  meta: RequestMeta = {},
): Promise<Estate> {
  return updateRow(ctx, actor, meta, ESTATE, id, input.version, () => ({
    name: input.name === undefined ? undefined : requiredName(input.name, 'body.name'),
    address: trimOrNull(input.address),
    propertyCompany: trimOrNull(input.propertyCompany),
    propertyPhone: trimOrNull(input.propertyPhone),
  }));
}

/** Retires an estate that no building in use belongs to any more. */
export async function retireEstate(
  ctx: AppContext,
  actor: Actor,
  id: string,
  version: number,
  meta: RequestMeta = {},
): Promise<Estate> {
  return retireRow(ctx, actor, meta, ESTATE, id, version, async (w, row) => {
    const [inUse] = await w.tx
      .select({ id: buildings.id })
      .from(buildings)
      .where(and(eq(buildings.estateId, id), isNull(buildings.retiredAt)))
      .limit(1);
    if (inUse) throw new AppError('housing.in_use');
    return { name: row.name };
  });
}

// ---- buildings ----

function buildingDwellingCount(): SQL<number> {
  return sql<number>`(select count(*)::int from ${dwellings} d where d.building_id = ${buildings.id} and d.retired_at is null)`;
}

const buildingColumns = {
  row: buildings,
  areaName: areas.name,
  estateName: estates.name,
  dwellingCount: buildingDwellingCount(),
};

function toBuilding(r: {
  row: BuildingRow;
  areaName: string;
  estateName: string | null;
  dwellingCount: number;
}): Building {
  const b = r.row;
  return {
    id: b.id,
    areaCode: b.areaCode,
    areaPath: b.areaPath,
    areaName: r.areaName,
    estateId: b.estateId,
    estateName: r.estateName,
    name: b.name,
    number: b.number,
    floors: b.floors,
    unitsCount: b.unitsCount,
    use: b.use as BuildingUse,
    address: b.address,
    lat: b.lat,
    lng: b.lng,
    dwellingCount: Number(r.dwellingCount),
    version: b.version,
    createdAt: isoTimestamp(b.createdAt),
    updatedAt: isoTimestamp(b.updatedAt),
    retiredAt: isoTimestampOrNull(b.retiredAt),
  };
}

function buildingQuery(tx: Tx) {
  return tx
    .select(buildingColumns)
    .from(buildings)
    .innerJoin(areas, eq(areas.code, buildings.areaCode))
    .leftJoin(estates, eq(estates.id, buildings.estateId));
}

/** One building as the API shows it. */
export async function buildingView(tx: Tx, id: string): Promise<Building> {
  const [r] = await buildingQuery(tx).where(eq(buildings.id, id));
  return toBuilding(r!);
}

/** A grid's buildings in use, by estate and name (the map; the caller has checked the grid). */
export async function gridBuildings(tx: Tx, gridCode: string): Promise<Building[]> {
  const rows = await buildingQuery(tx)
    .where(and(eq(buildings.areaCode, gridCode), isNull(buildings.retiredAt)))
    .orderBy(asc(estates.name), asc(buildings.name));
  return rows.map(toBuilding);
}

/** Buildings within scope: of an area's subtree, of an estate, by name or number. */
export async function listBuildings(
  ctx: AppContext,
  ability: Ability,
  q: BuildingListQuery,
): Promise<{ items: Building[]; total: number }> {
  ability.authorize('read', 'Housing');
  if (q.estateId && !UUID.test(q.estateId)) return { items: [], total: 0 };
  const where = and(
    scopeWhere(ability, 'read', 'Housing', buildings.areaPath),
    areaFilter(sql`${buildings.areaPath}`, q.area),
    q.estateId ? eq(buildings.estateId, q.estateId) : undefined,
    q.includeRetired ? undefined : isNull(buildings.retiredAt),
    q.q ? sql`(strpos(${buildings.name}, ${q.q}) > 0 or ${buildings.number} = ${q.q})` : undefined,
  );
  const rows = await buildingQuery(ctx.db)
    .where(where)
    .orderBy(asc(buildings.areaCode), asc(estates.name), asc(buildings.name))
    .limit(q.limit ?? 100)
    .offset(q.offset ?? 0);
  return { items: rows.map(toBuilding), total: await countWhere(ctx.db, buildings, where) };
}

/** Active units of a building with their dwelling counts per use. */
async function unitSummaries(tx: Tx, where: SQL): Promise<UnitSummary[]> {
  const rows = await tx
    .select({
      row: units,
      use: dwellings.use,
      n: sql<number>`count(${dwellings.id})::int`,
    })
    .from(units)
    .leftJoin(dwellings, and(eq(dwellings.unitId, units.id), isNull(dwellings.retiredAt)))
    .where(where)
    .groupBy(units.id, dwellings.use)
    .orderBy(asc(units.number));
  const byId = new Map<string, UnitSummary>();
  for (const r of rows) {
    let s = byId.get(r.row.id);
    if (!s) {
      s = {
        id: r.row.id,
        buildingId: r.row.buildingId,
        number: r.row.number,
        name: r.row.name,
        dwellingCount: 0,
        byUse: emptyCounts(),
        version: r.row.version,
        createdAt: isoTimestamp(r.row.createdAt),
        updatedAt: isoTimestamp(r.row.updatedAt),
        retiredAt: isoTimestampOrNull(r.row.retiredAt),
      };
      byId.set(r.row.id, s);
    }
    if (r.use && (DWELLING_USES as readonly string[]).includes(r.use)) {
      s.byUse[r.use as DwellingUse] += Number(r.n);
      s.dwellingCount += Number(r.n);
    }
  }
  // Unit numbers are mostly digits: 2 before 10.
  return [...byId.values()].sort(
    (a, b) => a.number.localeCompare(b.number, 'zh-CN', { numeric: true }) || a.id.localeCompare(b.id),
  );
}

/** A building with its units (and their dwelling counts per use): the drill-down's second step. */
export async function getBuildingDetail(
  ctx: AppContext,
  ability: Ability,
  id: string,
  includeRetired = false,
): Promise<BuildingDetail> {
  ability.authorize('read', 'Housing');
  const row = await loadBuilding(ctx.db, ability, id);
  const unitsOf = await unitSummaries(
    ctx.db,
    and(eq(units.buildingId, row.id), includeRetired ? undefined : isNull(units.retiredAt))!,
  );
  const byUse = emptyCounts();
  for (const u of unitsOf) for (const k of DWELLING_USES) byUse[k] += u.byUse[k];
  return { building: await buildingView(ctx.db, row.id), units: unitsOf, byUse };
}

/** The estate a building is put in: active, readable, and over the building's grid. */
async function estateForBuilding(
  tx: Tx,
  ability: Ability,
  estateId: string,
  gridPath: string,
): Promise<EstateRow> {
  const estate = await loadEstate(tx, ability, estateId).catch(named('body.estateId'));
  if (estate.retiredAt) throw invalidField('body.estateId', 'inactive');
  if (!pathWithin(gridPath, estate.areaPath)) throw invalidField('body.estateId', 'outsideArea');
  return estate;
}

/** Inserts a building after the checks every way of creating one shares; returns its row. */
async function insertBuilding(
  tx: Tx,
  ability: Ability,
  input: BuildingCreate,
  extra: { unitsCount?: number } = {},
): Promise<BuildingRow> {
  const grid = await loadAreaAt(tx, input.areaCode, 'grid', 'body.areaCode');
  ability.authorize('create', 'Housing', grid.path);
  const estateId = input.estateId ?? null;
  if (estateId) await estateForBuilding(tx, ability, estateId, grid.path);
  checkPoint(input.lat, input.lng, grid.boundary, { lat: 'body.lat', lng: 'body.lng' });
  const [row] = await uniqueOr('body.name', () =>
    tx
      .insert(buildings)
      .values({
        areaCode: grid.code,
        areaPath: grid.path,
        estateId,
        name: requiredName(input.name, 'body.name'),
        number: trimOrNull(input.number) ?? null,
        floors: input.floors,
        unitsCount: extra.unitsCount ?? input.unitsCount ?? 0,
        use: input.use ?? 'residential',
        address: trimOrNull(input.address) ?? null,
        lat: input.lat ?? null,
        lng: input.lng ?? null,
      })
      .returning(),
  );
  return row!;
}

/** Creates one building in a grid (its units and dwellings come after, or use the bulk creator). */
export async function createBuilding(
  ctx: AppContext,
  actor: Actor,
  input: BuildingCreate,
  meta: RequestMeta = {},
): Promise<Building> {
  return housingWrite(ctx, actor, meta, 'create', async (w) => {
    const row = await insertBuilding(w.tx, w.ability, input);
    await audit(w, 'building', 'create', row, { name: row.name, estateId: row.estateId, floors: row.floors });
    return buildingView(w.tx, row.id);
  });
}

/** A dwelling's number from its floor and place on the floor: 3rd floor, 2nd door → 302 (1201 above 9 doors: 12 01). */
export function dwellingNumber(floor: number, door: number): string {
  return `${floor}${String(door).padStart(2, '0')}`;
}

/**
 * A whole building in one transaction: the building, units 1…N, and on every floor of every unit K dwellings
 * numbered floor + door (301, 302…). Grid workers enter buildings this way, then change single dwellings.
 */
export async function bulkCreateBuilding(
  ctx: AppContext,
  actor: Actor,
  input: BuildingBulkCreate,
  meta: RequestMeta = {},
): Promise<{ building: Building; units: number; dwellings: number }> {
  const { units: unitCount, dwellingsPerFloor, dwellingUse, dwellingArea, ...building } = input;
  return housingWrite(ctx, actor, meta, 'create', async (w) => {
    const total = unitCount * input.floors * dwellingsPerFloor;
    if (total > MAX_BULK_DWELLINGS)
      throw invalidField(
        'body.dwellingsPerFloor',
        'maximum',
        Math.floor(MAX_BULK_DWELLINGS / (unitCount * input.floors)),
      );
    const row = await insertBuilding(w.tx, w.ability, building, { unitsCount: unitCount });
    const unitRows = await w.tx
      .insert(units)
      .values(
        Array.from({ length: unitCount }, (_, i) => ({
          buildingId: row.id,
          areaPath: row.areaPath,
          number: String(i + 1),
        })),
      )
      .returning({ id: units.id });
    const rows: (typeof dwellings.$inferInsert)[] = [];
    for (const u of unitRows)
      for (let floor = 1; floor <= row.floors; floor++)
        for (let door = 1; door <= dwellingsPerFloor; door++)
          rows.push({
            unitId: u.id,
            buildingId: row.id,
            areaPath: row.areaPath,
            floor,
            number: dwellingNumber(floor, door),
            floorArea: dwellingArea ?? null,
            use: dwellingUse ?? 'self_occupied',
          });
    // Batches keep each statement's parameter count well under PostgreSQL's limit.
    for (let i = 0; i < rows.length; i += 1000) await w.tx.insert(dwellings).values(rows.slice(i, i + 1000));
    await audit(w, 'building', 'bulk_create', row, {
      name: row.name,
      estateId: row.estateId,
      floors: row.floors,
      units: unitCount,
      dwellingsPerFloor,
      dwellings: rows.length,
    });
    return { building: await buildingView(w.tx, row.id), units: unitRows.length, dwellings: rows.length };
  });
}

const BUILDING: RowKind<BuildingRow, Building> = {
  kind: 'building',
  table: buildings,
  load: loadBuilding,
  view: buildingView,
  uniqueField: 'body.name',
};

/** Changes a building (not its grid); floors cannot drop below a dwelling in use. */
export async function updateBuilding(
  ctx: AppContext,
  actor: Actor,
  id: string,
  input: BuildingUpdate,
  meta: RequestMeta = {},
): Promise<Building> {
  return updateRow(ctx, actor, meta, BUILDING, id, input.version, async ({ tx, ability }, row) => {
    if (input.estateId) await estateForBuilding(tx, ability, input.estateId, row.areaPath);
    if (input.floors !== undefined && input.floors < row.floors) {
      const [top] = await tx
        .select({ floor: sql<number | null>`max(${dwellings.floor})` })
        .from(dwellings)
        .where(and(eq(dwellings.buildingId, id), isNull(dwellings.retiredAt)));
      if (top?.floor && input.floors < top.floor) throw invalidField('body.floors', 'minimum', top.floor);
    }
    const lat = input.lat === undefined ? row.lat : input.lat;
    const lng = input.lng === undefined ? row.lng : input.lng;
    if (input.lat !== undefined || input.lng !== undefined) {
      const [grid] = await tx
        .select({ boundary: areas.boundary })
        .from(areas)
        .where(eq(areas.code, row.areaCode));
      checkPoint(lat, lng, grid?.boundary ?? null, { lat: 'body.lat', lng: 'body.lng' });
    }
    return {
      estateId: input.estateId,
      name: input.name === undefined ? undefined : requiredName(input.name, 'body.name'),
      number: trimOrNull(input.number),
      floors: input.floors,
      unitsCount: input.unitsCount,
      use: input.use,
      address: trimOrNull(input.address),
      lat: input.lat,
      lng: input.lng,
    };
  });
}

/** Retires a building with its units and dwellings (nothing is deleted: people's history points at them). */
export async function retireBuilding(
  ctx: AppContext,
  actor: Actor,
  id: string,
  version: number,
  meta: RequestMeta = {},
): Promise<Building> {
  return retireRow(ctx, actor, meta, BUILDING, id, version, async ({ tx }, row) => ({
    name: row.name,
    // Dwellings, then units, then the building: the lock order of every retire (a unit's too).
    dwellings: await retireUnder(tx, dwellings, dwellings.buildingId, id),
    units: await retireUnder(tx, units, units.buildingId, id),
  }));
}

// ---- units ----

async function unitSummary(tx: Tx, id: string): Promise<UnitSummary> {
  const [s] = await unitSummaries(tx, eq(units.id, id));
  return s!;
}

/** The row a unit or dwelling is added to: readable (404 naming the field otherwise), writable, in use. */
async function activeParent<Row extends { areaPath: string; retiredAt: Date | null }>(
  w: Write,
  load: (tx: Tx, ability: Ability, id: string, lock: boolean) => Promise<Row>,
  id: string,
  field: string,
  lock: boolean,
): Promise<Row> {
  const row = await load(w.tx, w.ability, id, lock).catch(named(field));
  w.ability.authorize('create', 'Housing', row.areaPath);
  if (row.retiredAt) throw invalidField(field, 'inactive');
  return row;
}

/** Adds a unit to a building. */
export async function createUnit(
  ctx: AppContext,
  actor: Actor,
  input: UnitCreate,
  meta: RequestMeta = {},
): Promise<UnitSummary> {
  return housingWrite(ctx, actor, meta, 'create', async (w) => {
    const building = await activeParent(w, loadBuilding, input.buildingId, 'body.buildingId', true);
    const [row] = await uniqueOr('body.number', () =>
      w.tx
        .insert(units)
        .values({
          buildingId: building.id,
          areaPath: building.areaPath,
          number: input.number.trim(),
          name: trimOrNull(input.name) ?? null,
        })
        .returning(),
    );
    // The declared unit count follows the units entered.
    await w.tx
      .update(buildings)
      .set({
        unitsCount: sql`greatest(${buildings.unitsCount}, (select count(*)::int from ${units} u where u.building_id = ${building.id} and u.retired_at is null))`,
      })
      .where(eq(buildings.id, building.id));
    await audit(w, 'unit', 'create', row!, { buildingId: building.id, number: row!.number });
    return unitSummary(w.tx, row!.id);
  });
}

const UNIT: RowKind<UnitRow, UnitSummary> = {
  kind: 'unit',
  table: units,
  load: loadUnit,
  view: unitSummary,
  uniqueField: 'body.number',
};

/** Renumbers or renames a unit. */
export async function updateUnit(
  ctx: AppContext,
  actor: Actor,
  id: string,
  input: UnitUpdate,
  meta: RequestMeta = {},
): Promise<UnitSummary> {
  return updateRow(ctx, actor, meta, UNIT, id, input.version, () => ({
    number: input.number?.trim(),
    name: trimOrNull(input.name),
  }));
}

/** Retires a unit with its dwellings. */
export async function retireUnit(
  ctx: AppContext,
  actor: Actor,
  id: string,
  version: number,
  meta: RequestMeta = {},
): Promise<UnitSummary> {
  return retireRow(ctx, actor, meta, UNIT, id, version, async ({ tx }, row) => ({
    buildingId: row.buildingId,
    number: row.number,
    dwellings: await retireUnder(tx, dwellings, dwellings.unitId, id),
  }));
}

// ---- dwellings ----

/** How the address of a dwelling is written: 幸福里 3号楼 2单元 301. */
export function dwellingLabel(parts: {
  estateName: string | null;
  buildingName: string;
  unitNumber: string;
  unitName: string | null;
  number: string;
}): string {
  const unit =
    parts.unitName ?? (/^[0-9]+$/.test(parts.unitNumber) ? `${parts.unitNumber}单元` : parts.unitNumber);
  return [parts.estateName, parts.buildingName, unit, parts.number].filter(Boolean).join(' ');
}

const dwellingColumns = {
  row: dwellings,
  areaCode: buildings.areaCode,
  buildingName: buildings.name,
  estateName: estates.name,
  unitNumber: units.number,
  unitName: units.name,
};

function dwellingQuery(tx: Tx) {
  return tx
    .select(dwellingColumns)
    .from(dwellings)
    .innerJoin(units, eq(units.id, dwellings.unitId))
    .innerJoin(buildings, eq(buildings.id, dwellings.buildingId))
    .leftJoin(estates, eq(estates.id, buildings.estateId));
}

function toDwelling(r: {
  row: DwellingRow;
  areaCode: string;
  buildingName: string;
  estateName: string | null;
  unitNumber: string;
  unitName: string | null;
}): Dwelling {
  const d = r.row;
  return {
    id: d.id,
    unitId: d.unitId,
    buildingId: d.buildingId,
    areaCode: r.areaCode,
    areaPath: d.areaPath,
    floor: d.floor,
    number: d.number,
    floorArea: d.floorArea === null ? null : Number(d.floorArea),
    use: d.use as DwellingUse,
    label: dwellingLabel({ ...r, number: d.number }),
    version: d.version,
    createdAt: isoTimestamp(d.createdAt),
    updatedAt: isoTimestamp(d.updatedAt),
    retiredAt: isoTimestampOrNull(d.retiredAt),
  };
}

async function dwellingView(tx: Tx, id: string): Promise<Dwelling> {
  const [r] = await dwellingQuery(tx).where(eq(dwellings.id, id));
  return toDwelling(r!);
}

/** Dwellings in scope, of a unit or building, by use; ordered by unit, floor, number. */
export async function listDwellings(
  ctx: AppContext,
  ability: Ability,
  q: DwellingListQuery,
): Promise<{ items: Dwelling[]; total: number }> {
  ability.authorize('read', 'Housing');
  const where = and(
    scopeWhere(ability, 'read', 'Housing', dwellings.areaPath),
    q.unitId ? eq(dwellings.unitId, q.unitId) : undefined,
    q.buildingId ? eq(dwellings.buildingId, q.buildingId) : undefined,
    q.use ? eq(dwellings.use, q.use) : undefined,
    q.includeRetired ? undefined : isNull(dwellings.retiredAt),
  );
  const rows = await dwellingQuery(ctx.db)
    .where(where)
    .orderBy(asc(dwellings.buildingId), asc(units.number), asc(dwellings.floor), asc(dwellings.number))
    .limit(q.limit ?? 100)
    .offset(q.offset ?? 0);
  return { items: rows.map(toDwelling), total: await countWhere(ctx.db, dwellings, where) };
}

/** One dwelling (with its address label); 404 outside the scope. */
export async function getDwelling(ctx: AppContext, ability: Ability, id: string): Promise<Dwelling> {
  ability.authorize('read', 'Housing');
  const row = await loadDwelling(ctx.db, ability, id);
  return dwellingView(ctx.db, row.id);
}

/**
 * The dwellings of the given ids that the actor may read, with their labels (for the people module: a resident's
 * dwelling shown with its address). Unknown and out-of-scope ids are left out.
 */
export async function dwellingsByIds(tx: Tx, ability: Ability, ids: string[]): Promise<Dwelling[]> {
  const valid = ids.filter((id) => UUID.test(id));
  if (valid.length === 0) return [];
  const rows = await dwellingQuery(tx).where(
    and(inArray(dwellings.id, valid), scopeWhere(ability, 'read', 'Housing', dwellings.areaPath)),
  );
  return rows.map(toDwelling);
}

/** A unit with all its dwellings: the drill-down's third step (floors as rows, dwellings as cells). */
export async function getUnitDetail(
  ctx: AppContext,
  ability: Ability,
  id: string,
  includeRetired = false,
): Promise<UnitDetail> {
  ability.authorize('read', 'Housing');
  const row = await loadUnit(ctx.db, ability, id);
  const rows = await dwellingQuery(ctx.db)
    .where(and(eq(dwellings.unitId, row.id), includeRetired ? undefined : isNull(dwellings.retiredAt)))
    .orderBy(asc(dwellings.floor), asc(dwellings.number));
  return {
    unit: await unitSummary(ctx.db, row.id),
    building: await buildingView(ctx.db, row.buildingId),
    dwellings: rows.map(toDwelling),
  };
}

/** Adds a dwelling to a unit; its floor must exist in the building. */
export async function createDwelling(
  ctx: AppContext,
  actor: Actor,
  input: DwellingCreate,
  meta: RequestMeta = {},
): Promise<Dwelling> {
  return housingWrite(ctx, actor, meta, 'create', async (w) => {
    const unit = await activeParent(w, loadUnit, input.unitId, 'body.unitId', false);
    const building = await activeParent(w, loadBuilding, unit.buildingId, 'body.unitId', true);
    if (input.floor > building.floors) throw invalidField('body.floor', 'maximum', building.floors);
    const [row] = await uniqueOr('body.number', () =>
      w.tx
        .insert(dwellings)
        .values({
          unitId: unit.id,
          buildingId: building.id,
          areaPath: building.areaPath,
          floor: input.floor,
          number: input.number.trim(),
          floorArea: input.floorArea ?? null,
          use: input.use,
        })
        .returning(),
    );
    await audit(w, 'dwelling', 'create', row!, {
      unitId: unit.id,
      floor: input.floor,
      number: row!.number,
      use: input.use,
    });
    return dwellingView(w.tx, row!.id);
  });
}

const DWELLING: RowKind<DwellingRow, Dwelling> = {
  kind: 'dwelling',
  table: dwellings,
  load: loadDwelling,
  view: dwellingView,
  uniqueField: 'body.number',
};

/** Changes a dwelling's floor, number, area or use. */
export async function updateDwelling(
  ctx: AppContext,
  actor: Actor,
  id: string,
  input: DwellingUpdate,
  meta: RequestMeta = {},
): Promise<Dwelling> {
  return updateRow(ctx, actor, meta, DWELLING, id, input.version, async ({ tx }, row) => {
    if (input.floor !== undefined) {
      const [b] = await tx
        .select({ floors: buildings.floors })
        .from(buildings)
        .where(eq(buildings.id, row.buildingId));
      if (b && input.floor > b.floors) throw invalidField('body.floor', 'maximum', b.floors);
    }
    return {
      floor: input.floor,
      number: input.number?.trim(),
      floorArea: input.floorArea,
      use: input.use,
    };
  });
}

/** Retires a dwelling (demolished, merged into another): it stays for the history that points at it. */
export async function retireDwelling(
  ctx: AppContext,
  actor: Actor,
  id: string,
  version: number,
  meta: RequestMeta = {},
): Promise<Dwelling> {
  return retireRow(ctx, actor, meta, DWELLING, id, version, async (_w, row) => ({
    unitId: row.unitId,
    floor: row.floor,
    number: row.number,
  }));
}
