/**
 * Request and response schemas of home visits (入户走访): visit rules (走访规则: how often the households of an area,
 * or those with a focus-group tag, are visited), each grid worker's due and overdue visits, recording a visit on the
 * phone (persons met, situation, needs, photos), turning a need into a case, and the ledger of coverage (民情台账).
 */
import { Type, type Static } from 'typebox';
import { AreaCode } from './areas';
import { Id } from './common';

/** The interval when no rule covers a household: every household every two months (the seeds: 每两月全覆盖走访). */
export const DEFAULT_VISIT_INTERVAL_DAYS = 60;
/** A visit due within this many days counts as "due soon". */
export const DUE_SOON_DAYS = 7;
/** How far back a visit may be entered. */
export const VISIT_MAX_AGE_DAYS = 90;
export const VISIT_PHOTOS_MAX = 9;
export const VISIT_NEEDS_MAX = 20;
/** What a need found in a visit is about (民情分类). */
export const NEED_CATEGORIES = [
  'living',
  'medical',
  'elderly_care',
  'employment',
  'housing',
  'safety',
  'dispute',
  'environment',
  'policy',
  'other',
] as const;
export type NeedCategory = (typeof NEED_CATEGORIES)[number];
export const DUE_STATUSES = ['overdue', 'due_soon', 'ok'] as const;
export type DueStatus = (typeof DUE_STATUSES)[number];

const PRINTABLE_LINES = '^[^\\u0000-\\u0009\\u000b\\u000c\\u000e-\\u001f\\u007f]*$';
const Text = (maxLength: number, minLength = 1) =>
  Type.String({ minLength, maxLength, pattern: PRINTABLE_LINES });
const Day = Type.String({ format: 'date', description: 'YYYY-MM-DD (China time)' });
const NullableString = Type.Union([Type.String(), Type.Null()]);
const Paging = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, default: 0 })),
};

export const IdParams = Type.Object({ id: Id });
export const NeedParams = Type.Object({
  id: Id,
  /** The need's position in the visit (1, 2, …); one that does not exist answers 404. */
  n: Type.String({ pattern: '^[0-9]{1,3}$' }),
});

// ---- rules ----

export const VisitRuleCreate = Type.Object(
  {
    /** A street, community or grid: the rule covers its households. */
    areaCode: AreaCode,
    /** Only households with a current member holding this tag (or one below it in the tag tree). */
    tagId: Type.Optional(Id),
    intervalDays: Type.Integer({ minimum: 1, maximum: 366 }),
    note: Type.Optional(Text(200)),
  },
  { additionalProperties: false },
);
export type VisitRuleCreate = Static<typeof VisitRuleCreate>;

export const VisitRuleUpdate = Type.Object(
  {
    version: Type.Integer({
      minimum: 1,
      description: 'The version last read; a stale one is refused with 409',
    }),
    intervalDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 366 })),
    note: Type.Optional(Type.Union([Text(200), Type.Null()])),
  },
  { additionalProperties: false },
);
export type VisitRuleUpdate = Static<typeof VisitRuleUpdate>;

export const VisitRuleRetire = Type.Object(
  { version: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
);

export const VisitRule = Type.Object({
  id: Type.String(),
  areaCode: Type.String(),
  areaName: NullableString,
  areaLevel: Type.String(),
  tagId: NullableString,
  tagName: NullableString,
  intervalDays: Type.Integer(),
  note: NullableString,
  /** Whether this user may change it (a rule above its area applies but is not its own). */
  editable: Type.Boolean(),
  version: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
});
export type VisitRule = Static<typeof VisitRule>;

export const VisitRuleListQuery = Type.Object({ areaCode: Type.Optional(AreaCode) });
export const VisitRuleList = Type.Object({
  items: Type.Array(VisitRule),
  defaultIntervalDays: Type.Integer(),
});

// ---- due list ----

export const DueQuery = Type.Object({
  /** A grid or community in scope; default: every grid of the user's own. */
  areaCode: Type.Optional(AreaCode),
  status: Type.Optional(Type.Enum(DUE_STATUSES)),
  ...Paging,
});
export type DueQuery = Static<typeof DueQuery>;

export const DueItem = Type.Object({
  householdId: Type.String(),
  householdNumber: Type.String(),
  areaCode: Type.String(),
  areaName: NullableString,
  headName: NullableString,
  dwellingLabel: NullableString,
  memberCount: Type.Integer(),
  lastVisitedOn: NullableString,
  intervalDays: Type.Integer(),
  /** The rule that decides the interval; null: the default. */
  ruleId: NullableString,
  /** The tag of a tag rule, when this user may see it. */
  ruleTagName: NullableString,
  dueOn: Type.String(),
  /** Days past the due date (negative: days left). */
  daysOverdue: Type.Integer(),
  status: Type.Enum(DUE_STATUSES),
});
export type DueItem = Static<typeof DueItem>;

export const DueCounts = Type.Object({
  households: Type.Integer(),
  overdue: Type.Integer(),
  dueSoon: Type.Integer(),
  /** Not overdue today: visited within their interval, or not yet due. */
  upToDate: Type.Integer(),
  neverVisited: Type.Integer(),
  /**
   * On schedule (按期户占比), a figure of today: upToDate over households, in percent (one decimal); null without
   * households. Not the ledger's coveragePercent, which counts the households visited in a period.
   */
  onSchedulePercent: Type.Union([Type.Number(), Type.Null()]),
});
export type DueCounts = Static<typeof DueCounts>;

export const DueList = Type.Object({
  items: Type.Array(DueItem),
  total: Type.Integer(),
  counts: DueCounts,
  today: Type.String(),
});
export type DueList = Static<typeof DueList>;

// ---- visits ----

export const NeedInput = Type.Object(
  { category: Type.Enum(NEED_CATEGORIES), text: Text(500) },
  { additionalProperties: false },
);

export const VisitCreate = Type.Object(
  {
    householdId: Id,
    /** The day of the visit (not in the future; at most 90 days back). */
    visitedOn: Day,
    /** Residents met: members of the household on that day. */
    personsMet: Type.Array(Id, { maxItems: 30, uniqueItems: true }),
    situation: Text(2000),
    needs: Type.Optional(Type.Array(NeedInput, { maxItems: VISIT_NEEDS_MAX })),
    followUp: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type VisitCreate = Static<typeof VisitCreate>;

export const VisitCorrection = Type.Object(
  {
    visitedOn: Day,
    personsMet: Type.Array(Id, { maxItems: 30, uniqueItems: true }),
    situation: Text(2000),
    needs: Type.Optional(Type.Array(NeedInput, { maxItems: VISIT_NEEDS_MAX })),
    followUp: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, description: 'The whole visit as it should read; the earlier record stays' },
);
export type VisitCorrection = Static<typeof VisitCorrection>;

export const NeedView = Type.Object({
  n: Type.Integer(),
  category: Type.Enum(NEED_CATEGORIES),
  text: Type.String(),
  caseId: NullableString,
  caseNumber: NullableString,
});

export const VisitPhoto = Type.Object({
  id: Type.String(),
  mime: Type.String(),
  bytes: Type.Integer(),
  width: Type.Integer(),
  height: Type.Integer(),
  url: Type.String(),
  thumbUrl: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
});
export type VisitPhoto = Static<typeof VisitPhoto>;

export const Visit = Type.Object({
  id: Type.String(),
  householdId: Type.String(),
  householdNumber: Type.String(),
  areaCode: Type.String(),
  areaName: NullableString,
  visitedOn: Type.String(),
  visitorId: NullableString,
  visitorName: Type.String(),
  personsMet: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })),
  situation: Type.String(),
  followUp: Type.Boolean(),
  needs: Type.Array(NeedView),
  photos: Type.Array(VisitPhoto),
  /** The visit this one corrects, and the one that corrects it (then this record no longer counts). */
  correctsId: NullableString,
  correctedById: NullableString,
  createdAt: Type.String({ format: 'date-time' }),
});
export type Visit = Static<typeof Visit>;

export const VisitListQuery = Type.Object({
  householdId: Type.Optional(Id),
  areaCode: Type.Optional(AreaCode),
  from: Type.Optional(Day),
  to: Type.Optional(Day),
  ...Paging,
});
export type VisitListQuery = Static<typeof VisitListQuery>;
export const VisitList = Type.Object({ items: Type.Array(Visit), total: Type.Integer() });

export const NeedCaseBody = Type.Object(
  {
    /** The case category (诉求分类) the case is filed under. */
    categoryId: Id,
    /** Default: the start of the need's text. */
    title: Type.Optional(Text(100)),
    urgency: Type.Optional(Type.Enum(['normal', 'urgent'])),
  },
  { additionalProperties: false },
);
export type NeedCaseBody = Static<typeof NeedCaseBody>;
export const NeedCaseResult = Type.Object({
  visit: Visit,
  caseId: Type.String(),
  caseNumber: Type.String(),
});

// ---- coverage (民情台账) ----

export const CoverageQuery = Type.Object({
  /** A street or community (its grids), or a grid. */
  areaCode: AreaCode,
  from: Day,
  to: Day,
});
export type CoverageQuery = Static<typeof CoverageQuery>;

const CoverageFigures = {
  households: Type.Integer(),
  visitedHouseholds: Type.Integer(),
  /**
   * Period coverage (走访覆盖率): visitedHouseholds (visited at least once in the period) over households, in percent
   * (one decimal); null without households. Not the due list's onSchedulePercent, a figure of today.
   */
  coveragePercent: Type.Union([Type.Number(), Type.Null()]),
  visits: Type.Integer(),
};

export const CoverageRow = Type.Object({
  areaCode: Type.String(),
  areaName: NullableString,
  areaLevel: Type.String(),
  ...CoverageFigures,
});
export const WorkerCoverageRow = Type.Object({
  accountId: Type.String(),
  name: Type.String(),
  /** The grids it is assigned to, within the area. */
  areaCodes: Type.Array(Type.String()),
  /** Households of its grids; visited: those it visited itself in the period. */
  ...CoverageFigures,
});

export const Coverage = Type.Object({
  areaCode: Type.String(),
  areaName: NullableString,
  from: Type.String(),
  to: Type.String(),
  total: Type.Object(CoverageFigures),
  /** Per grid (households placed at a community, not a grid, form a row of their own). */
  grids: Type.Array(CoverageRow),
  workers: Type.Array(WorkerCoverageRow),
});
export type Coverage = Static<typeof Coverage>;

export const CoverageExportQuery = Type.Object({
  ...CoverageQuery.properties,
  format: Type.Optional(Type.Enum(['xlsx', 'csv'], { default: 'xlsx' })),
});
export type CoverageExportQuery = Static<typeof CoverageExportQuery>;

export const NeverQuery = Type.Object({ ...CoverageQuery.properties, ...Paging });
export type NeverQuery = Static<typeof NeverQuery>;
export const NeverItem = Type.Object({
  householdId: Type.String(),
  householdNumber: Type.String(),
  areaCode: Type.String(),
  areaName: NullableString,
  headName: NullableString,
  dwellingLabel: NullableString,
  /** The last visit before the period, if any. */
  lastVisitedOn: NullableString,
});
export const NeverList = Type.Object({ items: Type.Array(NeverItem), total: Type.Integer() });
