/** HTTP routes of the housing register (estates, buildings, units, dwellings, the grid's map, GeoJSON); thin. */
import { Type } from 'typebox';
import type { FastifyError } from 'fastify';
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
} from './service';

const security = [{ session: [] }];
const tags = ['housing'];
const readErrors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const writeErrors = { ...readErrors, 409: ErrorBody };
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
    {
      schema: {
        tags,
        summary:
          "Estates (小区) within scope, by area and name; a grid worker also sees its community's estates",
        security,
        querystring: EstateListQuery,
        response: { 200: EstateList, ...readErrors },
      },
    },
    async (req) => listEstates(ctx, req.ability, req.query),
  );

  app.post(
    '/api/estates',
    {
      schema: {
        tags,
        summary: 'Create an estate in a community (12-digit code)',
        security,
        body: EstateCreate,
        response: { 201: Estate, ...writeErrors },
      },
    },
    async (req, reply) =>
      reply
        .code(201)
        .send(await createEstate(ctx, req.requireActor(), req.body, { ip: req.ip, requestId: req.id })),
  );

  app.patch(
    '/api/estates/:id',
    {
      schema: {
        tags,
        summary: "Change an estate's name, address or property company; version required (409 when stale)",
        security,
        params: IdParams,
        body: EstateUpdate,
        response: { 200: Estate, ...writeErrors },
      },
    },
    async (req) =>
      updateEstate(ctx, req.requireActor(), req.params.id, req.body, { ip: req.ip, requestId: req.id }),
  );

  app.post(
    '/api/estates/:id/retire',
    {
      schema: {
        tags,
        summary: 'Retire an estate no building in use belongs to (nothing is deleted)',
        security,
        params: IdParams,
        body: Retire,
        response: { 200: Estate, ...writeErrors },
      },
    },
    async (req) =>
      retireEstate(ctx, req.requireActor(), req.params.id, req.body.version, {
        ip: req.ip,
        requestId: req.id,
      }),
  );

  // ---- buildings ----
  app.get(
    '/api/buildings',
    {
      schema: {
        tags,
        summary: 'Buildings (楼栋) within scope, by area, estate, name or number, with dwelling counts',
        security,
        querystring: BuildingListQuery,
        response: { 200: BuildingList, ...readErrors },
      },
    },
    async (req) => listBuildings(ctx, req.ability, req.query),
  );

  app.post(
    '/api/buildings',
    {
      schema: {
        tags,
        summary: 'Create a building in a grid (15-digit code)',
        security,
        body: BuildingCreate,
        response: { 201: Building, ...writeErrors },
      },
    },
    async (req, reply) =>
      reply
        .code(201)
        .send(await createBuilding(ctx, req.requireActor(), req.body, { ip: req.ip, requestId: req.id })),
  );

  app.post(
    '/api/buildings/bulk',
    {
      schema: {
        tags,
        summary:
          'Create a whole building in one transaction: N units × F floors × K dwellings per floor, numbered 301, 302…',
        security,
        body: BuildingBulkCreate,
        response: { 201: BuildingBulkResult, ...writeErrors },
      },
    },
    async (req, reply) =>
      reply
        .code(201)
        .send(await bulkCreateBuilding(ctx, req.requireActor(), req.body, { ip: req.ip, requestId: req.id })),
  );

  app.get(
    '/api/buildings/:id',
    {
      schema: {
        tags,
        summary: 'A building with its units and their dwelling counts per use',
        security,
        params: IdParams,
        querystring: DetailQuery,
        response: { 200: BuildingDetail, ...readErrors },
      },
    },
    async (req) => getBuildingDetail(ctx, req.ability, req.params.id, req.query.includeRetired ?? false),
  );

  app.patch(
    '/api/buildings/:id',
    {
      schema: {
        tags,
        summary: 'Change a building (name, estate, floors, point…); version required (409 when stale)',
        security,
        params: IdParams,
        body: BuildingUpdate,
        response: { 200: Building, ...writeErrors },
      },
    },
    async (req) =>
      updateBuilding(ctx, req.requireActor(), req.params.id, req.body, { ip: req.ip, requestId: req.id }),
  );

  app.post(
    '/api/buildings/:id/retire',
    {
      schema: {
        tags,
        summary: 'Retire a building with its units and dwellings (nothing is deleted)',
        security,
        params: IdParams,
        body: Retire,
        response: { 200: Building, ...writeErrors },
      },
    },
    async (req) =>
      retireBuilding(ctx, req.requireActor(), req.params.id, req.body.version, {
        ip: req.ip,
        requestId: req.id,
      }),
  );

  // ---- units ----
  app.post(
    '/api/units',
    {
      schema: {
        tags,
        summary: 'Add a unit (单元) to a building',
        security,
        body: UnitCreate,
        response: { 201: UnitSummary, ...writeErrors },
      },
    },
    async (req, reply) =>
      reply
        .code(201)
        .send(await createUnit(ctx, req.requireActor(), req.body, { ip: req.ip, requestId: req.id })),
  );

  app.get(
    '/api/units/:id',
    {
      schema: {
        tags,
        summary: 'A unit with its building and all its dwellings (floors as rows, dwellings as cells)',
        security,
        params: IdParams,
        querystring: DetailQuery,
        response: { 200: UnitDetail, ...readErrors },
      },
    },
    async (req) => getUnitDetail(ctx, req.ability, req.params.id, req.query.includeRetired ?? false),
  );

  app.patch(
    '/api/units/:id',
    {
      schema: {
        tags,
        summary: 'Renumber or rename a unit; version required (409 when stale)',
        security,
        params: IdParams,
        body: UnitUpdate,
        response: { 200: UnitSummary, ...writeErrors },
      },
    },
    async (req) =>
      updateUnit(ctx, req.requireActor(), req.params.id, req.body, { ip: req.ip, requestId: req.id }),
  );

  app.post(
    '/api/units/:id/retire',
    {
      schema: {
        tags,
        summary: 'Retire a unit with its dwellings',
        security,
        params: IdParams,
        body: Retire,
        response: { 200: UnitSummary, ...writeErrors },
      },
    },
    async (req) =>
      retireUnit(ctx, req.requireActor(), req.params.id, req.body.version, {
        ip: req.ip,
        requestId: req.id,
      }),
  );

  // ---- dwellings ----
  app.get(
    '/api/dwellings',
    {
      schema: {
        tags,
        summary: 'Dwellings (房屋) within scope, of a unit or building, by use',
        security,
        querystring: DwellingListQuery,
        response: { 200: DwellingList, ...readErrors },
      },
    },
    async (req) => listDwellings(ctx, req.ability, req.query),
  );

  app.post(
    '/api/dwellings',
    {
      schema: {
        tags,
        summary:
          "Add a dwelling to a unit (floor within the building's floors; floor + number unique in the unit)",
        security,
        body: DwellingCreate,
        response: { 201: Dwelling, ...writeErrors },
      },
    },
    async (req, reply) =>
      reply
        .code(201)
        .send(await createDwelling(ctx, req.requireActor(), req.body, { ip: req.ip, requestId: req.id })),
  );

  app.get(
    '/api/dwellings/:id',
    {
      schema: {
        tags,
        summary: 'One dwelling with its address label',
        security,
        params: IdParams,
        response: { 200: Dwelling, ...readErrors },
      },
    },
    async (req) => getDwelling(ctx, req.ability, req.params.id),
  );

  app.patch(
    '/api/dwellings/:id',
    {
      schema: {
        tags,
        summary: "Change a dwelling's floor, number, area or use; version required (409 when stale)",
        security,
        params: IdParams,
        body: DwellingUpdate,
        response: { 200: Dwelling, ...writeErrors },
      },
    },
    async (req) =>
      updateDwelling(ctx, req.requireActor(), req.params.id, req.body, { ip: req.ip, requestId: req.id }),
  );

  app.post(
    '/api/dwellings/:id/retire',
    {
      schema: {
        tags,
        summary: 'Retire a dwelling (it stays for the history that points at it)',
        security,
        params: IdParams,
        body: Retire,
        response: { 200: Dwelling, ...writeErrors },
      },
    },
    async (req) =>
      retireDwelling(ctx, req.requireActor(), req.params.id, req.body.version, {
        ip: req.ip,
        requestId: req.id,
      }),
  );

  // ---- a grid's map and GeoJSON ----
  app.get(
    '/api/grids/:code/housing',
    {
      schema: {
        tags,
        summary: "A grid's boundary and its buildings (with their points) for the map",
        security,
        params: GridCodeParams,
        response: { 200: HousingMap, ...readErrors },
      },
    },
    async (req) => getHousingMap(ctx, req.ability, req.params.code),
  );

  app.get(
    '/api/grids/:code/buildings.geojson',
    {
      schema: {
        tags,
        summary: "The grid's building points as a GeoJSON FeatureCollection (what the import takes)",
        security,
        params: GridCodeParams,
        response: { 200: BuildingFeatureCollection, ...readErrors },
      },
    },
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
      schema: {
        tags,
        summary:
          'Import building points (FeatureCollection of Points; properties name/number, estate, floors, units, use) into a grid; all or nothing',
        security,
        params: GridCodeParams,
        body: BuildingPointsImport,
        response: { 200: BuildingPointsResult, ...writeErrors, 413: ErrorBody },
      },
      errorHandler: fileErrors,
    },
    async (req) =>
      importBuildingPoints(ctx, req.requireActor(), req.params.code, req.body, {
        ip: req.ip,
        requestId: req.id,
      }),
  );

  app.put(
    '/api/grids/:code/boundary',
    {
      schema: {
        tags,
        summary:
          "Replace a grid's boundary from GeoJSON (Polygon, one-part MultiPolygon, Feature or FeatureCollection of one); manage Grid",
        security,
        params: GridCodeParams,
        body: BoundaryImport,
        response: { 200: Area, ...writeErrors, 413: ErrorBody },
      },
      errorHandler: fileErrors,
    },
    async (req) =>
      importGridBoundary(ctx, req.requireActor(), req.params.code, req.body, {
        ip: req.ip,
        requestId: req.id,
      }),
  );
};
