/**
 * Request and response schemas of the housing register (房屋): estates (小区), buildings (楼栋), units (单元) and
 * dwellings (房屋), the bulk building creator, the grid's housing map and GeoJSON import and export.
 */
import { Type, type Static } from 'typebox';
import { AreaCode } from './areas';
import { Id } from './common';

/** What a dwelling is used for: 自住, 出租, 空置, 商用. */
export const DWELLING_USES = ['self_occupied', 'rented', 'vacant', 'commercial'] as const;
export type DwellingUse = (typeof DWELLING_USES)[number];
export const DwellingUseSchema = Type.Enum(DWELLING_USES);

/** What a building is used for: residential 住宅, commercial 商业, mixed 商住, public 公共, other 其他. */
export const BUILDING_USES = ['residential', 'commercial', 'mixed', 'public', 'other'] as const;
export type BuildingUse = (typeof BUILDING_USES)[number];
export const BuildingUseSchema = Type.Enum(BUILDING_USES);

/** The most floors a building may have (the tallest residential towers stay well below). */
export const MAX_FLOORS = 150;
/** The bulk creator's limits: units per building, dwellings per floor, and all dwellings of one call. */
export const MAX_UNITS = 30;
export const MAX_PER_FLOOR = 30;
export const MAX_BULK_DWELLINGS = 5000;
/** GeoJSON import: features per file. */
export const MAX_FEATURES = 2000;

// Printable text only: no control characters (a NUL would not even reach the database).
const PRINTABLE = '^[^\\u0000-\\u001f\\u007f]*$';
const Text = (maxLength: number, minLength = 0) => Type.String({ minLength, maxLength, pattern: PRINTABLE });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
/** A building's or dwelling's number as written on the door: 3, 3A, 301, B-12. */
const DoorNumber = Type.String({ minLength: 1, maxLength: 16, pattern: '^[0-9A-Za-z\\-\\u4e00-\\u9fff]+$' });
const Lat = Type.Number({ minimum: -90, maximum: 90 });
const Lng = Type.Number({ minimum: -180, maximum: 180 });
const Version = Type.Integer({
  minimum: 1,
  description: 'The version last read; a stale one is refused with 409',
});
const Phone = Type.String({
  minLength: 3,
  maxLength: 20,
  pattern: '^[0-9+\\- ()]+$',
  description: "The property company's service phone (a company number, not personal data)",
});

export const IdParams = Type.Object({ id: Id });
export const GridCodeParams = Type.Object({ code: AreaCode });

const Timestamps = {
  version: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  /** When the row was retired (nothing is deleted); null while in use. */
  retiredAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
};

// ---- estates 小区 ----

export const Estate = Type.Object({
  id: Type.String(),
  /** The community (社区) the estate lies in. */
  areaCode: Type.String(),
  areaPath: Type.String(),
  areaName: Type.String(),
  name: Type.String(),
  address: Type.Union([Type.String(), Type.Null()]),
  propertyCompany: Type.Union([Type.String(), Type.Null()]),
  propertyPhone: Type.Union([Type.String(), Type.Null()]),
  /** Buildings in use in the estate. */
  buildingCount: Type.Integer(),
  ...Timestamps,
});
export type Estate = Static<typeof Estate>;
export const EstateList = Type.Object({ items: Type.Array(Estate), total: Type.Integer() });

export const ListPaging = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, default: 0 })),
  /** Also list retired rows. */
  includeRetired: Type.Optional(Type.Boolean({ default: false })),
};

export const EstateListQuery = Type.Object({
  /** Estates in this area and below (default: everything in scope). */
  area: Type.Optional(AreaCode),
  q: Type.Optional(Text(40, 1)),
  ...ListPaging,
});
export type EstateListQuery = Static<typeof EstateListQuery>;

export const EstateCreate = Type.Object(
  {
    /** A community's 12-digit code. */
    areaCode: AreaCode,
    name: Text(60, 1),
    address: Type.Optional(Nullable(Text(120))),
    propertyCompany: Type.Optional(Nullable(Text(60))),
    propertyPhone: Type.Optional(Type.Union([Phone, Type.Null()])),
  },
  { additionalProperties: false },
);
export type EstateCreate = Static<typeof EstateCreate>;

export const EstateUpdate = Type.Object(
  {
    name: Type.Optional(Text(60, 1)),
    address: Type.Optional(Nullable(Text(120))),
    propertyCompany: Type.Optional(Nullable(Text(60))),
    propertyPhone: Type.Optional(Type.Union([Phone, Type.Null()])),
    version: Version,
  },
  { additionalProperties: false },
);
export type EstateUpdate = Static<typeof EstateUpdate>;

/** Retiring needs the version too: a row changed meanwhile is not retired blindly. */
export const Retire = Type.Object({ version: Version }, { additionalProperties: false });
export type Retire = Static<typeof Retire>;

// ---- buildings 楼栋 ----

export const UseCounts = Type.Object({
  self_occupied: Type.Integer(),
  rented: Type.Integer(),
  vacant: Type.Integer(),
  commercial: Type.Integer(),
});
export type UseCounts = Static<typeof UseCounts>;

export const Building = Type.Object({
  id: Type.String(),
  /** The grid (网格) the building lies in. */
  areaCode: Type.String(),
  areaPath: Type.String(),
  areaName: Type.String(),
  estateId: Type.Union([Type.String(), Type.Null()]),
  estateName: Type.Union([Type.String(), Type.Null()]),
  name: Type.String(),
  number: Type.Union([Type.String(), Type.Null()]),
  floors: Type.Integer(),
  unitsCount: Type.Integer(),
  use: BuildingUseSchema,
  address: Type.Union([Type.String(), Type.Null()]),
  lat: Type.Union([Type.Number(), Type.Null()]),
  lng: Type.Union([Type.Number(), Type.Null()]),
  /** Dwellings in use in the building. */
  dwellingCount: Type.Integer(),
  ...Timestamps,
});
export type Building = Static<typeof Building>;
export const BuildingList = Type.Object({ items: Type.Array(Building), total: Type.Integer() });

export const BuildingListQuery = Type.Object({
  /** Buildings in this area and below (a street, community or grid). */
  area: Type.Optional(AreaCode),
  estateId: Type.Optional(Id),
  q: Type.Optional(Text(40, 1)),
  ...ListPaging,
});
export type BuildingListQuery = Static<typeof BuildingListQuery>;

const BuildingFields = {
  estateId: Type.Optional(Type.Union([Id, Type.Null()])),
  name: Text(60, 1),
  number: Type.Optional(Type.Union([DoorNumber, Type.Null()])),
  floors: Type.Integer({ minimum: 1, maximum: MAX_FLOORS }),
  unitsCount: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_UNITS })),
  use: Type.Optional(BuildingUseSchema),
  address: Type.Optional(Nullable(Text(120))),
  lat: Type.Optional(Type.Union([Lat, Type.Null()])),
  lng: Type.Optional(Type.Union([Lng, Type.Null()])),
};

export const BuildingCreate = Type.Object(
  {
    /** A grid's 15-digit code. */
    areaCode: AreaCode,
    ...BuildingFields,
  },
  { additionalProperties: false },
);
export type BuildingCreate = Static<typeof BuildingCreate>;

export const BuildingUpdate = Type.Object(
  {
    estateId: BuildingFields.estateId,
    name: Type.Optional(BuildingFields.name),
    number: BuildingFields.number,
    floors: Type.Optional(BuildingFields.floors),
    unitsCount: BuildingFields.unitsCount,
    use: BuildingFields.use,
    address: BuildingFields.address,
    lat: BuildingFields.lat,
    lng: BuildingFields.lng,
    version: Version,
  },
  { additionalProperties: false },
);
export type BuildingUpdate = Static<typeof BuildingUpdate>;

/** A whole building in one call: units × floors × dwellings per floor, numbered floor + two digits (301, 302…). */
export const BuildingBulkCreate = Type.Object(
  {
    ...BuildingCreate.properties,
    units: Type.Integer({ minimum: 1, maximum: MAX_UNITS, description: 'Units (单元), numbered 1…N' }),
    dwellingsPerFloor: Type.Integer({ minimum: 1, maximum: MAX_PER_FLOOR }),
    /** The use every new dwelling starts with (default self_occupied); change single ones afterwards. */
    dwellingUse: Type.Optional(DwellingUseSchema),
    /** Floor area of every new dwelling, m² (optional). */
    dwellingArea: Type.Optional(Type.Union([Type.Number({ minimum: 1, maximum: 10000 }), Type.Null()])),
  },
  { additionalProperties: false },
);
export type BuildingBulkCreate = Static<typeof BuildingBulkCreate>;

export const UnitSummary = Type.Object({
  id: Type.String(),
  buildingId: Type.String(),
  number: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  dwellingCount: Type.Integer(),
  byUse: UseCounts,
  ...Timestamps,
});
export type UnitSummary = Static<typeof UnitSummary>;

/** A building with its units and their dwelling counts (the drill-down's second step). */
export const BuildingDetail = Type.Object({
  building: Building,
  units: Type.Array(UnitSummary),
  byUse: UseCounts,
});
export type BuildingDetail = Static<typeof BuildingDetail>;

export const BuildingBulkResult = Type.Object({
  building: Building,
  units: Type.Integer(),
  dwellings: Type.Integer(),
});

// ---- units 单元 ----

export const UnitCreate = Type.Object(
  {
    buildingId: Id,
    number: DoorNumber,
    name: Type.Optional(Nullable(Text(30))),
  },
  { additionalProperties: false },
);
export type UnitCreate = Static<typeof UnitCreate>;

export const UnitUpdate = Type.Object(
  {
    number: Type.Optional(DoorNumber),
    name: Type.Optional(Nullable(Text(30))),
    version: Version,
  },
  { additionalProperties: false },
);
export type UnitUpdate = Static<typeof UnitUpdate>;

// ---- dwellings 房屋 ----

export const Dwelling = Type.Object({
  id: Type.String(),
  unitId: Type.String(),
  buildingId: Type.String(),
  areaCode: Type.String(),
  areaPath: Type.String(),
  floor: Type.Integer(),
  number: Type.String(),
  /** Floor area in m². */
  floorArea: Type.Union([Type.Number(), Type.Null()]),
  use: DwellingUseSchema,
  /** How people write the address: 幸福里小区 3号楼 2单元 301. */
  label: Type.String(),
  ...Timestamps,
});
export type Dwelling = Static<typeof Dwelling>;
export const DwellingList = Type.Object({ items: Type.Array(Dwelling), total: Type.Integer() });

export const DwellingListQuery = Type.Object({
  unitId: Type.Optional(Id),
  buildingId: Type.Optional(Id),
  use: Type.Optional(DwellingUseSchema),
  ...ListPaging,
});
export type DwellingListQuery = Static<typeof DwellingListQuery>;

const Floor = Type.Integer({ minimum: 1, maximum: MAX_FLOORS });
const FloorArea = Type.Union([Type.Number({ minimum: 1, maximum: 10000 }), Type.Null()]);

export const DwellingCreate = Type.Object(
  {
    unitId: Id,
    floor: Floor,
    number: DoorNumber,
    floorArea: Type.Optional(FloorArea),
    use: DwellingUseSchema,
  },
  { additionalProperties: false },
);
export type DwellingCreate = Static<typeof DwellingCreate>;

export const DwellingUpdate = Type.Object(
  {
    floor: Type.Optional(Floor),
    number: Type.Optional(DoorNumber),
    floorArea: Type.Optional(FloorArea),
    use: Type.Optional(DwellingUseSchema),
    version: Version,
  },
  { additionalProperties: false },
);
export type DwellingUpdate = Static<typeof DwellingUpdate>;

/** A unit with its dwellings (the drill-down's third step: floors as rows, dwellings as cells). */
export const UnitDetail = Type.Object({
  unit: UnitSummary,
  building: Building,
  dwellings: Type.Array(Dwelling),
});
export type UnitDetail = Static<typeof UnitDetail>;

// ---- the grid's map and GeoJSON ----

export const HousingMap = Type.Object({
  grid: Type.Object({
    code: Type.String(),
    name: Type.String(),
    path: Type.String(),
    /** The grid's GeoJSON Polygon, or null when none is drawn. */
    boundary: Type.Union([Type.Unknown(), Type.Null()]),
    version: Type.Integer(),
  }),
  buildings: Type.Array(Building),
});
export type HousingMap = Static<typeof HousingMap>;

const Position = Type.Array(Type.Number(), {
  minItems: 2,
  maxItems: 3,
  description: '[longitude, latitude] (an altitude is ignored)',
});

/** A building point of an import: properties name (or number), number, estate (name), floors, units. */
export const BuildingPointFeature = Type.Object({
  type: Type.Literal('Feature'),
  geometry: Type.Object({
    type: Type.Literal('Point'),
    coordinates: Position,
  }),
  properties: Type.Object({
    name: Type.Optional(Type.Union([Text(60, 1), Type.Null()])),
    number: Type.Optional(
      Type.Union([DoorNumber, Type.Integer({ minimum: 0, maximum: 99999 }), Type.Null()]),
    ),
    estate: Type.Optional(Type.Union([Text(60, 1), Type.Null()])),
    floors: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: MAX_FLOORS }), Type.Null()])),
    units: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: MAX_UNITS }), Type.Null()])),
    use: Type.Optional(Type.Union([BuildingUseSchema, Type.Null()])),
  }),
  id: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Number()])),
});

export const BuildingPointsImport = Type.Object({
  type: Type.Literal('FeatureCollection'),
  features: Type.Array(BuildingPointFeature, { minItems: 1, maxItems: MAX_FEATURES }),
});
export type BuildingPointsImport = Static<typeof BuildingPointsImport>;

export const BuildingPointsResult = Type.Object({
  created: Type.Integer(),
  updated: Type.Integer(),
  unchanged: Type.Integer(),
});

/** The grid's buildings as GeoJSON (the export; only buildings with a point). */
export const BuildingFeatureCollection = Type.Object({
  type: Type.Literal('FeatureCollection'),
  features: Type.Array(
    Type.Object({
      type: Type.Literal('Feature'),
      id: Type.String(),
      geometry: Type.Object({
        type: Type.Literal('Point'),
        coordinates: Type.Array(Type.Number()),
      }),
      properties: Type.Object({
        name: Type.String(),
        number: Type.Union([Type.String(), Type.Null()]),
        estate: Type.Union([Type.String(), Type.Null()]),
        floors: Type.Integer(),
        units: Type.Integer(),
        use: Type.String(),
      }),
    }),
  ),
});
export type BuildingFeatureCollection = Static<typeof BuildingFeatureCollection>;

/**
 * A grid boundary to import: a GeoJSON Polygon or MultiPolygon (one part: a grid is one piece), bare or as a
 * Feature, or a FeatureCollection of exactly one such feature. Checked in the service (closed rings, ranges,
 * no self-intersection) so that each problem is named with its path.
 */
export const BoundaryImport = Type.Object(
  {
    geojson: Type.Unknown({ description: 'Polygon, MultiPolygon, Feature or FeatureCollection' }),
    /** The grid's version last read (from the map); a stale one is refused with 409. */
    version: Type.Optional(Version),
  },
  { additionalProperties: false },
);
export type BoundaryImport = Static<typeof BoundaryImport>;
