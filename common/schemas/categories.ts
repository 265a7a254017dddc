/** Request and response schemas of the case category tree (事项分类) and the routing rules (分派规则). */
import { Type, type Static } from 'typebox';
import { Id } from './common';

/** 三事分流: public 大事 → government departments, community 小事 → community self-governance, private 私事 → the resident. */
export const MATTER_CLASSES = ['public', 'community', 'private'] as const;
export type MatterClass = (typeof MATTER_CLASSES)[number];
export const MatterClassSchema = Type.Enum(MATTER_CLASSES);

/** Where a case is handled: the case's community, its street, or its district (or a department there). */
export const HANDLING_LEVELS = ['community', 'street', 'district'] as const;
export type HandlingLevel = (typeof HANDLING_LEVELS)[number];
export const HandlingLevelSchema = Type.Enum(HANDLING_LEVELS);

export const QUESTION_TYPES = ['text', 'number', 'boolean', 'select', 'datetime'] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

/** One extra question asked at intake (e.g. noise: time of day; elevator: building and unit). */
export const CategoryQuestion = Type.Object(
  {
    key: Type.String({
      pattern: '^[a-z][a-zA-Z0-9_]{0,39}$',
      description: 'Key of the answer in case.answers',
    }),
    label: Type.String({ minLength: 1, maxLength: 60 }),
    labelEn: Type.Optional(Type.String({ maxLength: 120 })),
    type: Type.Enum(QUESTION_TYPES),
    required: Type.Boolean(),
    /** The choices of a select question (required for it, refused for the others). */
    options: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 60 }), { minItems: 1, maxItems: 30 }),
    ),
  },
  { additionalProperties: false },
);
export type CategoryQuestion = Static<typeof CategoryQuestion>;

/** Stable dotted code, e.g. "facility.manhole" (the Open311 service_code). */
export const CategoryCode = Type.String({
  pattern: '^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*){0,3}$',
  maxLength: 64,
  description: 'Stable dotted code, e.g. facility.manhole',
});

export const Category = Type.Object({
  id: Type.String(),
  code: Type.String(),
  parentId: Type.Union([Type.String(), Type.Null()]),
  name: Type.String(),
  nameEn: Type.Union([Type.String(), Type.Null()]),
  matterClass: MatterClassSchema,
  handlingLevel: HandlingLevelSchema,
  urgent: Type.Boolean(),
  /** Urgent categories: the deadline in hours. */
  deadlineHours: Type.Union([Type.Integer(), Type.Null()]),
  /** Other categories: the deadline in working days (null: the level's default, 1 / 3 / 7). */
  deadlineWorkingDays: Type.Union([Type.Integer(), Type.Null()]),
  questions: Type.Array(CategoryQuestion),
  active: Type.Boolean(),
  sort: Type.Integer(),
  /** Bumped on every change; send it back with PATCH to refuse concurrent edits (409). */
  version: Type.Integer(),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type Category = Static<typeof Category>;

export const CategoryList = Type.Object({
  /** Flat, parents before children, siblings by sort then code; build the tree from parentId. */
  items: Type.Array(Category),
});
export type CategoryList = Static<typeof CategoryList>;

export const CategoryListQuery = Type.Object({
  /** true (default): only active categories whose ancestors are all active; false: every category. */
  active: Type.Optional(Type.Boolean({ default: true })),
});

const Name = Type.String({ minLength: 1, maxLength: 40 });
const NameEn = Type.Union([Type.String({ maxLength: 80 }), Type.Null()]);
const Hours = Type.Union([Type.Integer({ minimum: 1, maximum: 720 }), Type.Null()]);
const WorkingDays = Type.Union([Type.Integer({ minimum: 1, maximum: 60 }), Type.Null()]);
const Questions = Type.Array(CategoryQuestion, { maxItems: 20 });
const Sort = Type.Integer({ minimum: -100000, maximum: 100000 });

export const CategoryCreate = Type.Object(
  {
    code: CategoryCode,
    parentId: Type.Optional(Type.Union([Id, Type.Null()])),
    name: Name,
    nameEn: Type.Optional(NameEn),
    matterClass: MatterClassSchema,
    handlingLevel: HandlingLevelSchema,
    urgent: Type.Optional(Type.Boolean()),
    /** Required when urgent, refused otherwise. */
    deadlineHours: Type.Optional(Hours),
    /** Refused when urgent. */
    deadlineWorkingDays: Type.Optional(WorkingDays),
    questions: Type.Optional(Questions),
    sort: Type.Optional(Sort),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type CategoryCreate = Static<typeof CategoryCreate>;

/** Every field optional; the code never changes (cases and Open311 clients hold it). Deactivate with active: false. */
export const CategoryUpdate = Type.Object(
  {
    parentId: Type.Optional(Type.Union([Id, Type.Null()])),
    name: Type.Optional(Name),
    nameEn: Type.Optional(NameEn),
    matterClass: Type.Optional(MatterClassSchema),
    handlingLevel: Type.Optional(HandlingLevelSchema),
    urgent: Type.Optional(Type.Boolean()),
    deadlineHours: Type.Optional(Hours),
    deadlineWorkingDays: Type.Optional(WorkingDays),
    questions: Type.Optional(Questions),
    sort: Type.Optional(Sort),
    active: Type.Optional(Type.Boolean()),
    /** The version the client last read; a stale one is refused with 409. */
    version: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);
export type CategoryUpdate = Static<typeof CategoryUpdate>;

export const IdParams = Type.Object({ id: Id });

const AreaCodeString = Type.String({
  pattern: '^[0-9]{12}([0-9]{3})?$',
  description: 'NBS 12-digit code; grids 15 digits',
});

export const RoutingRule = Type.Object({
  id: Type.String(),
  categoryId: Type.Union([Type.String(), Type.Null()]),
  categoryName: Type.Union([Type.String(), Type.Null()]),
  areaCode: Type.String(),
  areaPath: Type.String(),
  areaName: Type.Union([Type.String(), Type.Null()]),
  departmentId: Type.Union([Type.String(), Type.Null()]),
  departmentName: Type.Union([Type.String(), Type.Null()]),
  level: Type.Union([HandlingLevelSchema, Type.Null()]),
  priority: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
});
export type RoutingRule = Static<typeof RoutingRule>;

export const RoutingRuleList = Type.Object({ items: Type.Array(RoutingRule) });

export const RoutingRuleListQuery = Type.Object({
  categoryId: Type.Optional(Id),
  /** Only the rules whose area lies in this subtree. */
  areaCode: Type.Optional(AreaCodeString),
});

/** A rule sends a category's cases (any category when categoryId is omitted) in an area's subtree to a department or a level. */
export const RoutingRuleCreate = Type.Object(
  {
    categoryId: Type.Optional(Type.Union([Id, Type.Null()])),
    areaCode: AreaCodeString,
    /** Exactly one of departmentId and level. */
    departmentId: Type.Optional(Id),
    level: Type.Optional(HandlingLevelSchema),
    priority: Type.Optional(Type.Integer({ minimum: -1000, maximum: 1000 })),
  },
  { additionalProperties: false },
);
export type RoutingRuleCreate = Static<typeof RoutingRuleCreate>;

export const RoutingResolveQuery = Type.Object({
  categoryId: Id,
  areaCode: AreaCodeString,
});

export const RoutingResolution = Type.Object({
  level: HandlingLevelSchema,
  departmentId: Type.Union([Type.String(), Type.Null()]),
  departmentName: Type.Union([Type.String(), Type.Null()]),
  /** The path of the unit that will hold the case (an area; a department's district). */
  holderPath: Type.String(),
  holderCode: Type.String(),
  holderName: Type.Union([Type.String(), Type.Null()]),
  /** rule: a routing rule decided; category: the category's handling level; fallback: the case's community (属地兜底). */
  source: Type.Enum(['rule', 'category', 'fallback'] as const),
  ruleId: Type.Union([Type.String(), Type.Null()]),
});
export type RoutingResolution = Static<typeof RoutingResolution>;
