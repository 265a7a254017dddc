/**
 * The resident's own view (issue 4 item 4, 我的家庭信息): what the register holds about the signed-in resident's
 * household, its members (ID and phone numbers masked, also for the resident himself), and who in which role and
 * unit viewed, revealed or exported those records, and when (from the audit log).
 */
import { Type, type Static } from 'typebox';
import { ROLES } from '../roles';
import { Id } from './common';
import { GENDERS, HOUSEHOLD_RELATIONS, HOUSEHOLD_TYPES, RESIDENCE_TYPES, REVEAL_FIELDS } from './people';
import { TAG_SENSITIVITIES } from './tags';

const NullableString = Type.Union([Type.String(), Type.Null()]);

/** What an access did: read the card, showed a number in clear, exported it, changed the record. */
export const ACCESS_KINDS = ['view', 'reveal', 'export', 'change'] as const;
export type AccessKind = (typeof ACCESS_KINDS)[number];

/** One detail of a tag, labelled as the tag defines it (e.g. 残疾类别: 肢体). */
export const MyTagDetail = Type.Object({
  key: Type.String(),
  label: Type.String(),
  labelEn: NullableString,
  value: Type.Union([Type.String(), Type.Number()]),
});

/**
 * A focus-group tag held about a member, now (toDate null) or in the past. The member himself sees all of his tags
 * with their details; for the other members only tags of the lowest sensitivity (normal), and never their details.
 */
export const MyTag = Type.Object({
  id: Id,
  code: Type.String(),
  name: Type.String(),
  nameEn: NullableString,
  sensitivity: Type.Enum(TAG_SENSITIVITIES),
  fromDate: Type.String({ format: 'date' }),
  toDate: NullableString,
  /** The detail values: the member himself only; null for the other members. */
  details: Type.Union([Type.Array(MyTagDetail), Type.Null()]),
});
export type MyTag = Static<typeof MyTag>;
export type MyTagDetail = Static<typeof MyTagDetail>;

export const MyMember = Type.Object({
  id: Id,
  name: Type.String(),
  relation: Type.Enum(HOUSEHOLD_RELATIONS),
  gender: Type.Enum(GENDERS),
  birthDate: Type.String({ format: 'date' }),
  idNumberMasked: NullableString,
  phoneMasked: NullableString,
  residenceType: Type.Enum(RESIDENCE_TYPES),
  /** The member whose phone number the signed-in account has. */
  self: Type.Boolean(),
  /** Focus-group tags held about the member (see MyTag for what another member's view leaves out). */
  tags: Type.Array(MyTag),
});
export type MyMember = Static<typeof MyMember>;

/** One access to the household's records; the staff member is named by role and unit only. */
export const MyAccess = Type.Object({
  at: Type.String({ format: 'date-time' }),
  kind: Type.Enum(ACCESS_KINDS),
  /** The audit action as recorded (personal.view, personal.reveal, resident.update …). */
  action: Type.String(),
  /** Whose record (a member's name), or null for the household's own card. */
  residentName: NullableString,
  /** Which number was shown in clear (reveals only). */
  field: Type.Union([Type.Enum(REVEAL_FIELDS), Type.Null()]),
  /** The purpose stated for a reveal or export. */
  purpose: NullableString,
  role: Type.Union([Type.Enum(ROLES), Type.Null()]),
  /** The area or department the staff member worked for. */
  unit: NullableString,
});
export type MyAccess = Static<typeof MyAccess>;

export const MyHousehold = Type.Object({
  id: Id,
  number: Type.String(),
  type: Type.Enum(HOUSEHOLD_TYPES),
  areaName: NullableString,
  dwellingLabel: NullableString,
  members: Type.Array(MyMember),
  /** Newest first, at most ACCESS_SHOWN entries. */
  access: Type.Array(MyAccess),
});
export type MyHousehold = Static<typeof MyHousehold>;

export const MyHouseholds = Type.Object({
  /** Empty when no resident record in the register has the account's phone number. */
  households: Type.Array(MyHousehold),
});
export type MyHouseholds = Static<typeof MyHouseholds>;

/** How many accesses the resident sees per household. */
export const ACCESS_SHOWN = 100;
