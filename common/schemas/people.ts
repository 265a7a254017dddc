/**
 * Request and response schemas of the population register (实有人口): residents (居民), households (户), their
 * links to households and dwellings (with from/to dates), their append-only events, and the reveal of an ID or
 * phone number for a stated purpose. ID and phone numbers only ever leave the server masked, except from reveal.
 */
import { Type, type Static } from 'typebox';
import { ETHNICITY_CODES } from '../ethnicities';
import { AreaCode } from './areas';
import { Id } from './common';

/** 户籍 registered, 流动 floating, 境外 foreign (境外人员). */
export const RESIDENCE_TYPES = ['registered', 'floating', 'foreign'] as const;
export type ResidenceType = (typeof RESIDENCE_TYPES)[number];
export const RESIDENT_STATUSES = ['alive', 'deceased', 'moved_out'] as const;
export type ResidentStatus = (typeof RESIDENT_STATUSES)[number];
export const GENDERS = ['male', 'female'] as const;
/** 家庭户 family, 集体户 collective. */
export const HOUSEHOLD_TYPES = ['family', 'collective'] as const;
export type HouseholdType = (typeof HOUSEHOLD_TYPES)[number];
/** Relation to the head of the household (与户主关系). */
export const HOUSEHOLD_RELATIONS = [
  'head',
  'spouse',
  'son',
  'daughter',
  'parent',
  'parent_in_law',
  'son_in_law',
  'daughter_in_law',
  'grandchild',
  'grandparent',
  'sibling',
  'other',
] as const;
export type HouseholdRelation = (typeof HOUSEHOLD_RELATIONS)[number];
/** How a person lives in a dwelling: 自住 own, 租住 rent, 借住 borrow. */
export const LIVING_TYPES = ['own', 'rent', 'borrow'] as const;
export type LivingType = (typeof LIVING_TYPES)[number];
export const RESIDENT_EVENT_KINDS = [
  'registered',
  'moved_in',
  'moved_out',
  'died',
  'joined_household',
  'left_household',
  'relation_changed',
  'corrected',
] as const;
export type ResidentEventKind = (typeof RESIDENT_EVENT_KINDS)[number];
export const REVEAL_FIELDS = ['idNumber', 'phone'] as const;
export type RevealField = (typeof REVEAL_FIELDS)[number];
/** How long a revealed value may be shown before it is masked again. */
export const REVEAL_SECONDS = 300;
export const PURPOSE_MIN = 4;
export const PURPOSE_MAX = 200;
export const NAME_MAX = 40;

const PRINTABLE = '^[^\\u0000-\\u001f\\u007f]*$';
const Text = (maxLength: number, minLength = 1) => Type.String({ minLength, maxLength, pattern: PRINTABLE });
const Day = Type.String({ format: 'date', description: 'YYYY-MM-DD (China time)' });
const NullableString = Type.Union([Type.String(), Type.Null()]);
const Version = Type.Integer({
  minimum: 1,
  description: 'The version last read; a stale one is refused with 409',
});
/** Checked by the shared validators (common/id-number.ts, common/phone-number.ts), which name the rule broken. */
const IdNumberInput = Type.String({
  minLength: 1,
  maxLength: 30,
  description: '18-digit (or legacy 15-digit) resident ID number (GB 11643); spaces allowed',
});
const PhoneInput = Type.String({
  minLength: 1,
  maxLength: 30,
  description: 'Mobile (1[3-9] + 9 digits) or landline with area code; spaces, dashes, +86 allowed',
});
const Ethnicity = Type.Enum(ETHNICITY_CODES as [string, ...string[]], {
  description: 'GB/T 3304 code of the ethnic group (民族), 01 汉族 … 56 基诺族',
});

export const IdParams = Type.Object({ id: Id });
export const MemberParams = Type.Object({ id: Id, residentId: Id });

// ---- residents ----

export const ResidentCreate = Type.Object(
  {
    name: Text(NAME_MAX),
    idNumber: Type.Optional(IdNumberInput),
    gender: Type.Optional(Type.Enum(GENDERS, { description: 'Taken from the ID number when one is given' })),
    birthDate: Type.Optional(Day),
    phone: Type.Optional(PhoneInput),
    ethnicity: Type.Optional(Ethnicity),
    residenceType: Type.Enum(RESIDENCE_TYPES),
    permitExpiresOn: Type.Optional(Day),
    areaCode: Type.Optional(AreaCode),
    householdId: Type.Optional(Id),
    relation: Type.Optional(Type.Enum(HOUSEHOLD_RELATIONS)),
    note: Type.Optional(Text(500)),
  },
  {
    additionalProperties: false,
    description:
      'A resident. areaCode (grid or community) is required unless householdId is given (then the household area). ' +
      'An ID number is required unless the resident is foreign (境外).',
  },
);
export type ResidentCreate = Static<typeof ResidentCreate>;

export const ResidentUpdate = Type.Object(
  {
    version: Version,
    name: Type.Optional(Text(NAME_MAX)),
    idNumber: Type.Optional(IdNumberInput),
    gender: Type.Optional(Type.Enum(GENDERS)),
    birthDate: Type.Optional(Day),
    phone: Type.Optional(Type.Union([PhoneInput, Type.Null()])),
    ethnicity: Type.Optional(Type.Union([Ethnicity, Type.Null()])),
    residenceType: Type.Optional(Type.Enum(RESIDENCE_TYPES)),
    permitExpiresOn: Type.Optional(Type.Union([Day, Type.Null()])),
    areaCode: Type.Optional(AreaCode),
    note: Type.Optional(Text(500)),
  },
  {
    additionalProperties: false,
    description: 'A correction; recorded as a "corrected" event naming the fields',
  },
);
export type ResidentUpdate = Static<typeof ResidentUpdate>;

export const ResidentSummary = Type.Object({
  id: Type.String(),
  name: Type.String(),
  gender: Type.Enum(GENDERS),
  birthDate: Type.String(),
  /** 340302********1234; null when none is held. */
  idNumberMasked: NullableString,
  /** 138****5678; null when none is held. */
  phoneMasked: NullableString,
  residenceType: Type.Enum(RESIDENCE_TYPES),
  status: Type.Enum(RESIDENT_STATUSES),
  areaCode: Type.String(),
  areaName: NullableString,
  /** The household the resident belongs to now, and the relation to its head. */
  householdId: NullableString,
  householdNumber: NullableString,
  relation: Type.Union([Type.Enum(HOUSEHOLD_RELATIONS), Type.Null()]),
});
export type ResidentSummary = Static<typeof ResidentSummary>;

export const ResidentListQuery = Type.Object({
  dwellingId: Type.Optional(Id),
  householdId: Type.Optional(Id),
  areaCode: Type.Optional(AreaCode),
  q: Type.Optional(Text(40, 1)),
  status: Type.Optional(Type.Enum(RESIDENT_STATUSES)),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, default: 0 })),
});
export type ResidentListQuery = Static<typeof ResidentListQuery>;

export const ResidentList = Type.Object({ items: Type.Array(ResidentSummary), total: Type.Integer() });

export const HouseholdLink = Type.Object({
  householdId: Type.String(),
  householdNumber: Type.String(),
  relation: Type.Enum(HOUSEHOLD_RELATIONS),
  fromDate: Type.String(),
  toDate: NullableString,
});

export const DwellingLink = Type.Object({
  dwellingId: Type.String(),
  /** e.g. 淮河小区 3栋 2单元 301. */
  label: Type.String(),
  livingType: Type.Enum(LIVING_TYPES),
  fromDate: Type.String(),
  toDate: NullableString,
});

export const ResidentEvent = Type.Object({
  id: Type.Integer(),
  residentId: Type.String(),
  residentName: Type.String(),
  kind: Type.Enum(RESIDENT_EVENT_KINDS),
  /** The day it happened in life (moved in on, died on …). */
  occurredOn: Type.String(),
  householdId: NullableString,
  dwellingId: NullableString,
  /** Kind-specific facts: relation from/to, the fields a correction changed (names only, never values). */
  data: Type.Record(Type.String(), Type.Unknown()),
  note: NullableString,
  actorName: NullableString,
  at: Type.String({ format: 'date-time' }),
});
export type ResidentEvent = Static<typeof ResidentEvent>;

export const ResidentCard = Type.Object({
  ...ResidentSummary.properties,
  ethnicity: NullableString,
  permitExpiresOn: NullableString,
  diedOn: NullableString,
  note: NullableString,
  version: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  households: Type.Array(HouseholdLink),
  dwellings: Type.Array(DwellingLink),
  events: Type.Array(ResidentEvent),
});
export type ResidentCard = Static<typeof ResidentCard>;

export const DeathBody = Type.Object(
  { date: Type.Optional(Day), note: Type.Optional(Text(500)) },
  { additionalProperties: false },
);

export const RevealBody = Type.Object(
  {
    field: Type.Enum(REVEAL_FIELDS),
    purpose: Type.String({ minLength: PURPOSE_MIN, maxLength: PURPOSE_MAX, pattern: PRINTABLE }),
  },
  { additionalProperties: false },
);
export type RevealBody = Static<typeof RevealBody>;

export const Revealed = Type.Object({
  field: Type.Enum(REVEAL_FIELDS),
  /** The clear value; null when none is held. */
  value: NullableString,
  /** Show it until then, then mask it again. */
  expiresAt: Type.String({ format: 'date-time' }),
});
export type Revealed = Static<typeof Revealed>;

// ---- households ----

export const HouseholdCreate = Type.Object(
  {
    number: Type.String({ minLength: 1, maxLength: 32, pattern: '^[0-9A-Za-z\\-]+$', description: '户号' }),
    type: Type.Enum(HOUSEHOLD_TYPES),
    areaCode: Type.Optional(AreaCode),
    dwellingId: Type.Optional(Id),
    livingType: Type.Optional(Type.Enum(LIVING_TYPES)),
  },
  {
    additionalProperties: false,
    description: 'A household at a grid or community; areaCode is required unless dwellingId is given',
  },
);
export type HouseholdCreate = Static<typeof HouseholdCreate>;

export const Household = Type.Object({
  id: Type.String(),
  number: Type.String(),
  type: Type.Enum(HOUSEHOLD_TYPES),
  areaCode: Type.String(),
  areaName: NullableString,
  dwellingId: NullableString,
  dwellingLabel: NullableString,
  headResidentId: NullableString,
  headName: NullableString,
  /** Members now (links without an end date). */
  memberCount: Type.Integer(),
  version: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
});
export type Household = Static<typeof Household>;

export const HouseholdListQuery = Type.Object({
  dwellingId: Type.Optional(Id),
  areaCode: Type.Optional(AreaCode),
  q: Type.Optional(Text(32)),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, default: 0 })),
});
export type HouseholdListQuery = Static<typeof HouseholdListQuery>;
export const HouseholdList = Type.Object({ items: Type.Array(Household), total: Type.Integer() });

export const HouseholdMember = Type.Object({
  ...ResidentSummary.properties,
  /** The relation of this link (ResidentSummary.relation is the current one). */
  linkRelation: Type.Enum(HOUSEHOLD_RELATIONS),
  fromDate: Type.String(),
  toDate: NullableString,
});

export const HouseholdCard = Type.Object({
  ...Household.properties,
  /** Current members first, then former ones. */
  members: Type.Array(HouseholdMember),
  events: Type.Array(ResidentEvent),
});
export type HouseholdCard = Static<typeof HouseholdCard>;

export const MemberAdd = Type.Object(
  { residentId: Id, relation: Type.Enum(HOUSEHOLD_RELATIONS), date: Type.Optional(Day) },
  { additionalProperties: false },
);
export const MemberUpdate = Type.Object(
  { relation: Type.Enum(HOUSEHOLD_RELATIONS), date: Type.Optional(Day) },
  { additionalProperties: false },
);
export const MemberLeave = Type.Object(
  { date: Type.Optional(Day), note: Type.Optional(Text(500)) },
  { additionalProperties: false },
);
export const MoveInBody = Type.Object(
  { dwellingId: Id, livingType: Type.Enum(LIVING_TYPES), date: Type.Optional(Day) },
  { additionalProperties: false },
);
export const MoveOutBody = Type.Object(
  {
    date: Type.Optional(Day),
    /** True: the household leaves the area (its members become moved_out). */
    leftArea: Type.Optional(Type.Boolean()),
    note: Type.Optional(Text(500)),
  },
  { additionalProperties: false },
);
