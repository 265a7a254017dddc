/**
 * Request and response schemas of the focus groups (重点人群): the configurable tag tree (sensitivity, detail field
 * definitions, the roles that may see each tag), residents' tags with their details and from/to dates, and the lists
 * and counts per area of each group. A tag a reader may not see is absent from every answer.
 */
import { Type, type Static } from 'typebox';
import { AreaCode } from './areas';
import { Id } from './common';
import { ResidentSummary } from './people';

/** normal: ordinary; sensitive: details encrypted (低保, 特困, 残疾); restricted: details encrypted, few roles by default. */
export const TAG_SENSITIVITIES = ['normal', 'sensitive', 'restricted'] as const;
export type TagSensitivity = (typeof TAG_SENSITIVITIES)[number];

/** The roles a tag may be shown to: those that read residents. */
export const TAG_ROLES = ['leader', 'street_staff', 'community_worker', 'grid_worker'] as const;
export type TagRole = (typeof TAG_ROLES)[number];

export const TAG_FIELD_TYPES = ['text', 'number', 'date', 'select'] as const;
export type TagFieldType = (typeof TAG_FIELD_TYPES)[number];

const PRINTABLE = '^[^\\u0000-\\u001f\\u007f]*$';
const Text = (maxLength: number, minLength = 1) => Type.String({ minLength, maxLength, pattern: PRINTABLE });
const Day = Type.String({ format: 'date', description: 'YYYY-MM-DD (China time)' });
const NullableString = Type.Union([Type.String(), Type.Null()]);

/** One detail field of a tag (e.g. 残疾类别 select, 残疾证号 text, 矫正期限 dates, 风险等级 number 0–5). */
export const TagField = Type.Object(
  {
    key: Type.String({ pattern: '^[a-z][a-zA-Z0-9_]{0,39}$', description: 'Key of the value in details' }),
    label: Text(40),
    labelEn: Type.Optional(Text(80)),
    type: Type.Enum(TAG_FIELD_TYPES),
    required: Type.Boolean(),
    /** The choices of a select field (required for it, refused for the others). */
    options: Type.Optional(Type.Array(Text(40), { minItems: 1, maxItems: 30 })),
    /** Bounds of a number field. */
    min: Type.Optional(Type.Number()),
    max: Type.Optional(Type.Number()),
    /** A number field that takes whole numbers only (e.g. a risk level). */
    integer: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type TagField = Static<typeof TagField>;

/** Stable dotted code, e.g. "elderly.alone". */
export const TagCode = Type.String({
  pattern: '^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*){0,3}$',
  maxLength: 64,
  description: 'Stable dotted code, e.g. elderly.alone',
});

export const Tag = Type.Object({
  id: Type.String(),
  code: Type.String(),
  parentId: NullableString,
  name: Type.String(),
  nameEn: NullableString,
  sensitivity: Type.Enum(TAG_SENSITIVITIES),
  fields: Type.Array(TagField),
  visibleRoles: Type.Array(Type.Enum(TAG_ROLES)),
  active: Type.Boolean(),
  sort: Type.Integer(),
  /** Bumped on every change; send it back with PATCH to refuse concurrent edits (409). */
  version: Type.Integer(),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type Tag = Static<typeof Tag>;

export const TagList = Type.Object({
  /** Flat, parents before children; only the tags the reader may see (the administrator: all). */
  items: Type.Array(Tag),
});
export type TagList = Static<typeof TagList>;

export const TagListQuery = Type.Object({
  /** true (default): only active tags; false: inactive ones too. */
  active: Type.Optional(Type.Boolean({ default: true })),
});
export type TagListQuery = Static<typeof TagListQuery>;

const Fields = Type.Array(TagField, { maxItems: 20 });
const Roles = Type.Array(Type.Enum(TAG_ROLES), { maxItems: TAG_ROLES.length, uniqueItems: true });

export const TagCreate = Type.Object(
  {
    code: TagCode,
    parentId: Type.Optional(Type.Union([Id, Type.Null()])),
    name: Text(40),
    nameEn: Type.Optional(Type.Union([Text(80, 0), Type.Null()])),
    sensitivity: Type.Enum(TAG_SENSITIVITIES),
    fields: Type.Optional(Fields),
    /** Default: the roles of the sensitivity (restricted: leader and street staff only). */
    visibleRoles: Type.Optional(Roles),
    active: Type.Optional(Type.Boolean()),
    sort: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
  },
  { additionalProperties: false },
);
export type TagCreate = Static<typeof TagCreate>;

export const TagUpdate = Type.Object(
  {
    parentId: Type.Optional(Type.Union([Id, Type.Null()])),
    name: Type.Optional(Text(40)),
    nameEn: Type.Optional(Type.Union([Text(80, 0), Type.Null()])),
    sensitivity: Type.Optional(Type.Enum(TAG_SENSITIVITIES)),
    fields: Type.Optional(Fields),
    visibleRoles: Type.Optional(Roles),
    active: Type.Optional(Type.Boolean()),
    sort: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
    version: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type TagUpdate = Static<typeof TagUpdate>;

export const TagIdParams = Type.Object({ id: Id });
export const ResidentTagParams = Type.Object({ id: Id, residentTagId: Id });

/** Detail values by field key: text, number or date (YYYY-MM-DD) as the field defines. */
const DetailValue = Type.Union([Type.String({ maxLength: 200, pattern: PRINTABLE }), Type.Number()]);
export const TagDetails = Type.Record(Type.String({ pattern: '^[a-z][a-zA-Z0-9_]{0,39}$' }), DetailValue, {
  maxProperties: 20,
});
export type TagDetails = Static<typeof TagDetails>;

/** One tag held by a resident, now or in the past. */
export const ResidentTag = Type.Object({
  id: Type.String(),
  residentId: Type.String(),
  tagId: Type.String(),
  tagCode: Type.String(),
  tagName: Type.String(),
  tagNameEn: NullableString,
  sensitivity: Type.Enum(TAG_SENSITIVITIES),
  details: TagDetails,
  fromDate: Type.String(),
  toDate: NullableString,
  note: NullableString,
  endNote: NullableString,
  createdAt: Type.String({ format: 'date-time' }),
});
export type ResidentTag = Static<typeof ResidentTag>;

export const ResidentTagList = Type.Object({
  /** Open tags first, then ended ones (history), newest first; only the tags the reader may see. */
  items: Type.Array(ResidentTag),
  /** May the reader add or end tags of this resident (the tags it may see)? */
  canEdit: Type.Boolean(),
});
export type ResidentTagList = Static<typeof ResidentTagList>;

export const ResidentTagListQuery = Type.Object({
  /** true: ended tags too (the history). */
  history: Type.Optional(Type.Boolean({ default: false })),
});

export const ResidentTagCreate = Type.Object(
  {
    tagId: Id,
    details: Type.Optional(TagDetails),
    /** Default: today; not in the future. */
    fromDate: Type.Optional(Day),
    note: Type.Optional(Text(500)),
  },
  { additionalProperties: false },
);
export type ResidentTagCreate = Static<typeof ResidentTagCreate>;

export const ResidentTagEnd = Type.Object(
  {
    /** Default: today; not before the tag's from date, not in the future. */
    toDate: Type.Optional(Day),
    note: Type.Optional(Text(500)),
  },
  { additionalProperties: false },
);
export type ResidentTagEnd = Static<typeof ResidentTagEnd>;

export const TagCountsQuery = Type.Object({
  /** The area whose child areas are counted (default: the reader's own area). */
  areaCode: Type.Optional(AreaCode),
});
export type TagCountsQuery = Static<typeof TagCountsQuery>;

export const TagCountArea = Type.Object({
  /** A child area; null for residents placed at the area itself rather than in a child (e.g. not in a grid). */
  areaCode: NullableString,
  areaName: NullableString,
});

export const TagCounts = Type.Object({
  areaCode: Type.String(),
  areaName: Type.String(),
  /** The child areas (e.g. the grids of a community), then the area itself when residents sit there. */
  areas: Type.Array(TagCountArea),
  /** Per visible tag: residents holding it or a visible tag below it now, per area of `areas` (same order). */
  rows: Type.Array(
    Type.Object({
      tagId: Type.String(),
      counts: Type.Array(Type.Integer()),
      total: Type.Integer(),
    }),
  ),
});
export type TagCounts = Static<typeof TagCounts>;

export const TagResidentsQuery = Type.Object({
  areaCode: Type.Optional(AreaCode),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, default: 0 })),
});
export type TagResidentsQuery = Static<typeof TagResidentsQuery>;

/** A resident (masked, as in every resident list) with the tags of the group it holds now. */
export const TaggedResident = Type.Object({
  ...ResidentSummary.properties,
  /** The tags of the group (the tag or visible ones below it) the resident holds now. */
  tags: Type.Array(Type.Object({ tagId: Type.String(), tagName: Type.String(), fromDate: Type.String() })),
});
export type TaggedResident = Static<typeof TaggedResident>;

export const TaggedResidentList = Type.Object({
  items: Type.Array(TaggedResident),
  total: Type.Integer(),
});
export type TaggedResidentList = Static<typeof TaggedResidentList>;
