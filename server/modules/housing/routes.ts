/** HTTP routes of the housing register (estates, buildings, units, dwellings, the grid's map, GeoJSON); thin. */
import { Type, type TSchema } from 'typebox';
import type { FastifyError, FastifyRequest, FastifySchema } from 'fastify';
import { Area } from '../../../common/schemas/areas';
import { ErrorBody } from '../../../common/schemas/common';
import {
  BoundaryImport,
  Building,
  BuildingBulkCreate,
  BuildingBulkResult,
  BuildingCreate,
  BuildingDetail,
  BuildingFeatureCollection,
  BuildingList,
  BuildingListQuery,
  BuildingPointsImport,
  BuildingPointsResult,
  BuildingUpdate,
  Dwelling,
  DwellingCreate,
  DwellingList,
  DwellingListQuery,
  DwellingUpdate,
  Estate,
  EstateCreate,
  EstateList,
  EstateListQuery,
  EstateUpdate,
  GridCodeParams,
  HousingMap,
  IdParams,
  Retire,
  UnitCreate,
  UnitDetail,
  UnitSummary,
  UnitUpdate,
} from '../../../common/schemas/housing';
import { AppError } from '../../http/errors';
import type { RegisterRoutes } from '../index';
import { exportBuildingPoints, getHousingMap, importBuildingPoints, importGridBoundary } from './map';
import {
  bulkCreateBuilding,
  createBuilding,
  createDwelling,
  createEstate,
  createUnit,
  getBuildingDetail,
  getDwelling,
  getUnitDetail,
  listBuildings,
  listDwellings,
  listEstates,
  retireBuilding,
  retireDwelling,
  retireEstate,
  retireUnit,
  updateBuilding,
  updateDwelling,
  updateEstate,
  updateUnit,
  type RequestMeta,
} from './service';

const security = [{ session: [] }];
const tags = ['housing'];
const readErrors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const writeErrors = { ...readErrors, 409: ErrorBody };
/** The responses of a read, of a change and of a create, with their error bodies. */
const read = <T extends TSchema>(ok: T) => ({ 200: ok, ...readErrors });
const change = <T extends TSchema>(ok: T) => ({ 200: ok, ...writeErrors });
const create = <T extends TSchema>(ok: T) => ({ 201: ok, ...writeErrors });
/** A change from an uploaded file, which may be over the body limit. */
const fileChange = <T extends TSchema>(ok: T) => ({ ...change(ok), 413: ErrorBody });

/** A route's schema in this module: its tag, the session it needs, the given parts and responses. */
function route<P extends Omit<FastifySchema, 'response'>, R extends Record<number, TSchema>>(
  summary: string,
  parts: P,
  response: R,
) {
  return { schema: { tags, summary, security, ...parts, response } };
}

/** Where a request came from, for the audit entry. */
const metaOf = (req: FastifyRequest): RequestMeta => ({ ip: req.ip, requestId: req.id });
const DetailQuery = Type.Object({ includeRetired: Type.Optional(Type.Boolean({ default: false })) });

export const housingRoutes: RegisterRoutes = async (app, ctx) => {
  const limit = ctx.config.bodyLimitBytes;
  /** A GeoJSON file over the body limit is named as such (field body, rule maxBytes), then handled as usual. */
  const fileErrors = (err: FastifyError) => {
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      throw new AppError('request.too_large', [{ field: 'body', rule: 'maxBytes', limit }]);
    throw err;
  };

  // ---- estates ----
  app.get(
    '/api/estates',
    route(
      "Estates (小区) within scope, by area and name; a grid worker also sees its community's estates",
      { querystring: EstateListQuery },
      read(EstateList),
    ),
    async (req) => listEstates(ctx, req.ability, req.query),
  );

  app.post(
    '/api/estates',
    route('Create an estate in a community (12-digit code)', { body: EstateCreate }, create(Estate)),
    async (req, reply) =>
      reply.code(201).send(await createEstate(ctx, req.requireActor(), req.body, metaOf(req))),
  );

  app.patch(
    '/api/estates/:id',
    route(
      "Change an estate's name, address or property company; version required (409 when stale)",
      { params: IdParams, body: EstateUpdate },
      change(Estate),
    ),
    async (req) => updateEstate(ctx, req.requireActor(), req.params.id, req.body, metaOf(req)),
  );

  app.post(
    '/api/estates/:id/retire',
    route(
      'Retire an estate no building in use belongs to (nothing is deleted)',
      { params: IdParams, body: Retire },
      change(Estate),
    ),
    async (req) => retireEstate(ctx, req.requireActor(), req.params.id, req.body.version, metaOf(req)),
  );

  // ---- buildings ----
  app.get(
    '/api/buildings',
    route(
      'Buildings (楼栋) within scope, by area, estate, name or number, with dwelling counts',
      { querystring: BuildingListQuery },
      read(BuildingList),
    ),
    async (req) => listBuildings(ctx, req.ability, req.query),
  );

  app.post(
    '/api/buildings',
    route('Create a building in a grid (15-digit code)', { body: BuildingCreate }, create(Building)),
    async (req, reply) =>
      reply.code(201).send(await createBuilding(ctx, req.requireActor(), req.body, metaOf(req))),
  );

  app.post(
    '/api/buildings/bulk',
    route(
      'Create a whole building in one transaction: N units × F floors × K dwellings per floor, numbered 301, 302…',
      { body: BuildingBulkCreate },
      create(BuildingBulkResult),
    ),
    async (req, reply) =>
      reply.code(201).send(await bulkCreateBuilding(ctx, req.requireActor(), req.body, metaOf(req))),
  );

  app.get(
    '/api/buildings/:id',
    route(
      'A building with its units and their dwelling counts per use',
      { params: IdParams, querystring: DetailQuery },
      read(BuildingDetail),
    ),
    async (req) => getBuildingDetail(ctx, req.ability, req.params.id, req.query.includeRetired ?? false),
  );

  app.patch(
    '/api/buildings/:id',
    route(
      'Change a building (name, estate, floors, point…); version required (409 when stale)',
      { params: IdParams, body: BuildingUpdate },
      change(Building),
    ),
    async (req) => updateBuilding(ctx, req.requireActor(), req.params.id, req.body, metaOf(req)),
  );

  app.post(
    '/api/buildings/:id/retire',
    route(
      'Retire a building with its units and dwellings (nothing is deleted)',
      { params: IdParams, body: Retire },
      change(Building),
    ),
    async (req) => retireBuilding(ctx, req.requireActor(), req.params.id, req.body.version, metaOf(req)),
  );

  // ---- units ----
  app.post(
    '/api/units',
    route('Add a unit (单元) to a building', { body: UnitCreate }, create(UnitSummary)),
    async (req, reply) =>
      reply.code(201).send(await createUnit(ctx, req.requireActor(), req.body, metaOf(req))),
  );

  app.get(
    '/api/units/:id',
    route(
      'A unit with its building and all its dwellings (floors as rows, dwellings as cells)',
      { params: IdParams, querystring: DetailQuery },
      read(UnitDetail),
    ),
    async (req) => getUnitDetail(ctx, req.ability, req.params.id, req.query.includeRetired ?? false),
  );

  app.patch(
    '/api/units/:id',
    route(
      'Renumber or rename a unit; version required (409 when stale)',
      { params: IdParams, body: UnitUpdate },
      change(UnitSummary),
    ),
    async (req) => updateUnit(ctx, req.requireActor(), req.params.id, req.body, metaOf(req)),
  );

  app.post(
    '/api/units/:id/retire',
    route('Retire a unit with its dwellings', { params: IdParams, body: Retire }, change(UnitSummary)),
    async (req) => retireUnit(ctx, req.requireActor(), req.params.id, req.body.version, metaOf(req)),
  );

  // ---- dwellings ----
  app.get(
    '/api/dwellings',
    route(
      'Dwellings (房屋) within scope, of a unit or building, by use',
      { querystring: DwellingListQuery },
      read(DwellingList),
    ),
    async (req) => listDwellings(ctx, req.ability, req.query),
  );

  app.post(
    '/api/dwellings',
    route(
      "Add a dwelling to a unit (floor within the building's floors; floor + number unique in the unit)",
      { body: DwellingCreate },
      create(Dwelling),
    ),
    async (req, reply) =>
      reply.code(201).send(await createDwelling(ctx, req.requireActor(), req.body, metaOf(req))),
  );

  app.get(
    '/api/dwellings/:id',
    route('One dwelling with its address label', { params: IdParams }, read(Dwelling)),
    async (req) => getDwelling(ctx, req.ability, req.params.id),
  );

  app.patch(
    '/api/dwellings/:id',
    route(
      "Change a dwelling's floor, number, area or use; version required (409 when stale)",
      { params: IdParams, body: DwellingUpdate },
      change(Dwelling),
    ),
    async (req) => updateDwelling(ctx, req.requireActor(), req.params.id, req.body, metaOf(req)),
  );

  app.post(
    '/api/dwellings/:id/retire',
    route(
      'Retire a dwelling (it stays for the history that points at it)',
      { params: IdParams, body: Retire },
      change(Dwelling),
    ),
    async (req) => retireDwelling(ctx, req.requireActor(), req.params.id, req.body.version, metaOf(req)),
  );

  // ---- a grid's map and GeoJSON ----
  app.get(
    '/api/grids/:code/housing',
    route(
      "A grid's boundary and its buildings (with their points) for the map",
      { params: GridCodeParams },
      read(HousingMap),
    ),
    async (req) => getHousingMap(ctx, req.ability, req.params.code),
  );

  app.get(
    '/api/grids/:code/buildings.geojson',
    route(
      "The grid's building points as a GeoJSON FeatureCollection (what the import takes)",
      { params: GridCodeParams },
      read(BuildingFeatureCollection),
    ),
    async (req, reply) => {
      const fc = await exportBuildingPoints(ctx, req.ability, req.params.code);
      return reply
        .header('content-type', 'application/geo+json; charset=utf-8')
        .header('content-disposition', `attachment; filename="buildings-${req.params.code}.geojson"`)
        .header('cache-control', 'private, no-store')
        .send(fc);
    },
  );

  app.post(
    '/api/grids/:code/buildings/geojson',
    {
      ...route(
        'Import building points (FeatureCollection of Points; properties name/number, estate, floors, units, use) into a grid; all or nothing',
        { params: GridCodeParams, body: BuildingPointsImport },
        fileChange(BuildingPointsResult),
      ),
      errorHandler: fileErrors,
    },
    async (req) => importBuildingPoints(ctx, req.requireActor(), req.params.code, req.body, metaOf(req)),
  );

  app.put(
    '/api/grids/:code/boundary',
    {
      ...route(
        "Replace a grid's boundary from GeoJSON (Polygon, one-part MultiPolygon, Feature or FeatureCollection of one); manage Grid",
        { params: GridCodeParams, body: BoundaryImport },
        fileChange(Area),
      ),
      errorHandler: fileErrors,
    },
    async (req) => importGridBoundary(ctx, req.requireActor(), req.params.code, req.body, metaOf(req)),
  );
};
