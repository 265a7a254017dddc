/** Schemas of case statistics (computed from the events) and the map of open cases by grid. */
import { Type, type Static } from 'typebox';

export const STATS_DIMENSIONS = ['area', 'department', 'category', 'month'] as const;

export const StatsQuery = Type.Object(
  {
    /** Group by: child areas of `area`, lead department, top-level category, or month of report. */
    by: Type.Enum(STATS_DIMENSIONS),
    /** The area to look at (default: the reader's own); a city, district, street or community code. */
    area: Type.Optional(Type.String({ pattern: '^[0-9]{12}$' })),
    /** Months of report, inclusive, YYYY-MM (default: the last 12 months). */
    from: Type.Optional(Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$' })),
    to: Type.Optional(Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$' })),
    lang: Type.Optional(Type.Enum(['zh-CN', 'zh-TW', 'en'])),
  },
  { additionalProperties: false },
);
export type StatsQuery = Static<typeof StatsQuery>;

const Rate = Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()]);

/** The measures of one group; a rate is null when its denominator is 0. */
export const StatsMeasures = Type.Object({
  total: Type.Integer(),
  /** Accepted (or declined) within the response time: 响应率 = inTime / total. */
  respondedInTime: Type.Integer(),
  responseRate: Rate,
  /** Closed (closed, rated, private closes): 办结率. */
  resolved: Type.Integer(),
  resolutionRate: Rate,
  rated: Type.Integer(),
  /** 满意 + 基本满意 over rated: 满意率. */
  satisfied: Type.Integer(),
  satisfactionRate: Rate,
  /** Closed no later than its deadline at closing: 按期办结率 = closedOnTime / resolved. */
  closedOnTime: Type.Integer(),
  onTimeRate: Rate,
  /** Open now and past the deadline. */
  overdue: Type.Integer(),
  /** Mean hours from report to close, over the resolved ones. */
  avgHandlingHours: Type.Union([Type.Number(), Type.Null()]),
});
export type StatsMeasures = Static<typeof StatsMeasures>;

export const StatsRow = Type.Intersect([
  Type.Object({ key: Type.String(), label: Type.String() }),
  StatsMeasures,
]);
export type StatsRow = Static<typeof StatsRow>;

export const StatsResult = Type.Object({
  by: Type.Enum(STATS_DIMENSIONS),
  area: Type.String(),
  from: Type.String(),
  to: Type.String(),
  rows: Type.Array(StatsRow),
  totals: StatsMeasures,
});
export type StatsResult = Static<typeof StatsResult>;

export const GridMapQuery = Type.Object(
  { area: Type.Optional(Type.String({ pattern: '^[0-9]{12}$' })) },
  { additionalProperties: false },
);
export type GridMapQuery = Static<typeof GridMapQuery>;

/** Open cases per grid under an area (street or community), with the grid's boundary when it has one. */
export const GridMap = Type.Object({
  area: Type.String(),
  grids: Type.Array(
    Type.Object({
      code: Type.String(),
      name: Type.String(),
      communityName: Type.String(),
      boundary: Type.Union([Type.Unknown(), Type.Null()]),
      open: Type.Integer(),
      overdue: Type.Integer(),
    }),
  ),
  /** Open cases located at a community rather than a grid. */
  unlocated: Type.Integer(),
});
export type GridMap = Static<typeof GridMap>;
