/** Request and response schemas of the area tree, grids and departments. */
import { Type, type Static } from 'typebox';

export const AREA_LEVELS = ['province', 'city', 'district', 'street', 'community', 'grid'] as const;
export type AreaLevel = (typeof AREA_LEVELS)[number];

/** A 12-digit NBS code, or a 15-digit grid code (community code + 3 digits). */
export const AreaCode = Type.String({
  pattern: '^[0-9]{12}([0-9]{3})?$',
  description: 'NBS 12-digit code; grids 15 digits',
});

export const Area = Type.Object({
  code: Type.String(),
  name: Type.String(),
  level: Type.Enum(AREA_LEVELS),
  parentCode: Type.Union([Type.String(), Type.Null()]),
  path: Type.String({
    description: 'The code with trailing zero groups trimmed; a subtree is a prefix match',
  }),
  childCount: Type.Integer(),
  /** Grids only: an optional GeoJSON polygon of the grid's boundary. */
  boundary: Type.Optional(Type.Union([Type.Unknown(), Type.Null()])),
  updatedAt: Type.String({ format: 'date-time' }),
  /** Bumped on every change; send it back with PATCH /api/grids/:code to detect concurrent edits. */
  version: Type.Optional(Type.Integer()),
});
export type Area = Static<typeof Area>;

export const AreaWithAncestors = Type.Intersect([
  Area,
  Type.Object({
    ancestors: Type.Array(Type.Object({ code: Type.String(), name: Type.String(), level: Type.String() })),
  }),
]);

export const AreaList = Type.Object({ items: Type.Array(Area) });

export const AreaChildrenQuery = Type.Object({
  parent: Type.Optional(AreaCode),
});

export const AreaSearchQuery = Type.Object({
  q: Type.String({ minLength: 1, maxLength: 50 }),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
});

export const GridBoundary = Type.Object({
  type: Type.Literal('Polygon'),
  coordinates: Type.Array(
    Type.Array(
      Type.Tuple([Type.Number({ minimum: -180, maximum: 180 }), Type.Number({ minimum: -90, maximum: 90 })]),
      {
        minItems: 4,
        maxItems: 2000,
      },
    ),
    { minItems: 1, maxItems: 20 },
  ),
});

export const GridCreate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 60 }),
    /** Three digits appended to the community code; the next free one when omitted. */
    suffix: Type.Optional(Type.String({ pattern: '^[0-9]{3}$' })),
    boundary: Type.Optional(Type.Union([GridBoundary, Type.Null()])),
  },
  { additionalProperties: false },
);
export type GridCreate = Static<typeof GridCreate>;

export const GridUpdate = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })),
    boundary: Type.Optional(Type.Union([GridBoundary, Type.Null()])),
    /** The version the client last read; a stale one is refused with 409 (optimistic concurrency). */
    version: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);
export type GridUpdate = Static<typeof GridUpdate>;

export const Department = Type.Object({
  id: Type.String(),
  name: Type.String(),
  districtCode: Type.String(),
  districtName: Type.String(),
  path: Type.String(),
});
export type Department = Static<typeof Department>;
export const DepartmentList = Type.Object({ items: Type.Array(Department) });

export const DepartmentCreate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 60 }),
    /** The 12-digit code of the district (区县) the department belongs to. */
    districtCode: Type.String({ pattern: '^[0-9]{12}$' }),
  },
  { additionalProperties: false },
);
export type DepartmentCreate = Static<typeof DepartmentCreate>;

export const DepartmentListQuery = Type.Object({
  /** Only the departments of this district. */
  district: Type.Optional(Type.String({ pattern: '^[0-9]{12}$' })),
});

/** A resident's place lookup: communities and grids by a part of their name or of their street's or district's. */
export const AreaLookupQuery = Type.Object({
  // No control characters (a NUL would not even reach the database); % and _ are plain text (strpos, not LIKE).
  q: Type.String({ minLength: 1, maxLength: 32, pattern: '^[^\\u0000-\\u001f\\u007f]+$' }),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 20, default: 20 })),
});
export type AreaLookupQuery = Static<typeof AreaLookupQuery>;

export const AreaLookupItem = Type.Object({
  code: Type.String(),
  name: Type.String(),
  level: Type.Union([Type.Literal('community'), Type.Literal('grid')]),
  /** District, street, community (and grid) names, space-separated: 龙子湖区 东风街道 东风社区居委会. */
  fullName: Type.String(),
});
export type AreaLookupItem = Static<typeof AreaLookupItem>;
export const AreaLookupList = Type.Object({ items: Type.Array(AreaLookupItem) });
