/**
 * Tables of the population register: households (户), residents (居民) with their ID and phone numbers encrypted,
 * the person–household and person–dwelling links (from/to dates; only closing a link is allowed, by trigger), the
 * append-only resident events, and the time-limited reveal grants. Nothing here is ever deleted.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';
import { accounts } from '../accounts/tables';
import { areas } from '../areas/tables';
import { dwellings } from '../housing/tables';

export const households = pgTable(
  'households',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** 户号, unique within its community. */
    number: text('number').notNull(),
    /** The 12-digit code of the community the household belongs to (the numbering's scope). */
    communityCode: text('community_code').notNull(),
    /** Its grid, else its community. */
    areaCode: text('area_code')
      .notNull()
      .references(() => areas.code),
    areaPath: text('area_path').notNull(),
    /** The dwelling it lives in now, and how (自住/租住/借住); both null when it lives in none. */
    dwellingId: uuid('dwelling_id').references(() => dwellings.id),
    livingType: text('living_type'),
    headResidentId: uuid('head_resident_id').references((): AnyPgColumn => residents.id),
    type: text('type').notNull(),
    /** Members now (open memberships), kept by triggers on household_members (migration 0021). */
    memberCount: integer('member_count').notNull().default(0),
    version: integer('version').notNull().default(1),
    createdBy: uuid('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('households_community_number_key').on(t.communityCode, t.number),
    index('households_path_idx').using('btree', t.areaPath.op('text_pattern_ops')),
    index('households_dwelling_idx').on(t.dwellingId),
    index('households_with_members_idx')
      .using('btree', t.areaPath.op('text_pattern_ops'), t.areaCode, t.id)
      .where(sql`member_count > 0`),
    index('households_without_members_idx')
      .using('btree', t.areaPath.op('text_pattern_ops'), t.id)
      .where(sql`member_count = 0`),
    check('households_type_check', sql`${t.type} in ('family','collective')`),
    check(
      'households_living_type_check',
      sql`(${t.dwellingId} is null) = (${t.livingType} is null) and (${t.livingType} is null or ${t.livingType} in ('own','rent','borrow'))`,
    ),
  ],
);

/** Households with a member now per area, kept by statement triggers on households (migration 0022). */
export const areaHouseholdCounts = pgTable(
  'area_household_counts',
  {
    areaCode: text('area_code').primaryKey(),
    areaPath: text('area_path').notNull(),
    households: integer('households').notNull().default(0),
  },
  (t) => [index('area_household_counts_path_idx').using('btree', t.areaPath.op('text_pattern_ops'))],
);

export const residents = pgTable(
  'residents',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    /** Pinyin initials of the name (张三 → zs), for search. */
    nameInitials: text('name_initials').notNull(),
    gender: text('gender').notNull(),
    birthDate: date('birth_date', { mode: 'string' }).notNull(),
    /** The 18-digit ID number: encrypted, keyed hash (exact search, duplicates), last four, masked form. */
    idNumberEnc: text('id_number_enc'),
    idNumberHash: text('id_number_hash'),
    idNumberLast4: text('id_number_last4'),
    idNumberMasked: text('id_number_masked'),
    /** The first six digits of the area path: an ID number is held once per district. */
    districtPath: text('district_path').notNull(),
    phoneEnc: text('phone_enc'),
    phoneHash: text('phone_hash'),
    phoneLast4: text('phone_last4'),
    phoneMasked: text('phone_masked'),
    /** GB/T 3304 code (common/ethnicities.ts). */
    ethnicity: text('ethnicity'),
    residenceType: text('residence_type').notNull(),
    /** 居住证 expiry, floating population only. */
    permitExpiresOn: date('permit_expires_on', { mode: 'string' }),
    /** Where the resident lives: the grid, else the community. */
    areaCode: text('area_code')
      .notNull()
      .references(() => areas.code),
    areaPath: text('area_path').notNull(),
    status: text('status').notNull().default('alive'),
    diedOn: date('died_on', { mode: 'string' }),
    note: text('note'),
    version: integer('version').notNull().default(1),
    createdBy: uuid('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Migration 0027: led by the hash, so the search by ID number across a scope uses it too.
    uniqueIndex('residents_id_number_district_key')
      .on(t.idNumberHash, t.districtPath)
      .where(sql`id_number_hash is not null`),
    index('residents_path_idx').using('btree', t.areaPath.op('text_pattern_ops')),
    index('residents_phone_hash_idx').on(t.phoneHash),
    index('residents_id_last4_idx').on(t.idNumberLast4),
    index('residents_phone_last4_idx').on(t.phoneLast4),
    // Migration 0021: residents without an ID number, matched on import by name and birth date.
    index('residents_foreign_name_birth_idx')
      .on(t.districtPath, t.name, t.birthDate)
      .where(sql`id_number_hash is null`),
    // Migration 0020: name characters for search, and the list order with scope and status in the key.
    index('residents_name_grams_idx').using('gin', sql`linli_name_grams(${t.name})`),
    index('residents_initials_order_idx').on(
      sql`${t.nameInitials} collate "C"`,
      sql`${t.name} collate "C"`,
      t.id,
      t.areaPath,
      t.status,
    ),
    check('residents_gender_check', sql`${t.gender} in ('male','female')`),
    check('residents_residence_type_check', sql`${t.residenceType} in ('registered','floating','foreign')`),
    check('residents_status_check', sql`${t.status} in ('alive','deceased','moved_out')`),
    check('residents_permit_check', sql`${t.permitExpiresOn} is null or ${t.residenceType} = 'floating'`),
    check('residents_died_check', sql`(${t.status} = 'deceased') = (${t.diedOn} is not null)`),
    check('residents_id_number_check', sql`${t.residenceType} = 'foreign' or ${t.idNumberHash} is not null`),
  ],
);

export const householdMembers = pgTable(
  'household_members',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    householdId: uuid('household_id')
      .notNull()
      .references(() => households.id),
    residentId: uuid('resident_id')
      .notNull()
      .references(() => residents.id),
    relation: text('relation').notNull(),
    fromDate: date('from_date', { mode: 'string' }).notNull(),
    toDate: date('to_date', { mode: 'string' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // A person belongs to one household at a time.
    uniqueIndex('household_members_open_key')
      .on(t.residentId)
      .where(sql`to_date is null`),
    index('household_members_household_idx').on(t.householdId),
    index('household_members_open_idx')
      .on(t.householdId)
      .where(sql`to_date is null`),
    index('household_members_resident_idx').on(t.residentId),
    check(
      'household_members_relation_check',
      sql`${t.relation} in ('head','spouse','son','daughter','parent','parent_in_law','son_in_law','daughter_in_law','grandchild','grandparent','sibling','other')`,
    ),
    check('household_members_dates_check', sql`${t.toDate} is null or ${t.toDate} >= ${t.fromDate}`),
  ],
);

export const residentDwellings = pgTable(
  'resident_dwellings',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    dwellingId: uuid('dwelling_id')
      .notNull()
      .references(() => dwellings.id),
    residentId: uuid('resident_id')
      .notNull()
      .references(() => residents.id),
    /** The household it moved in with, if any. */
    householdId: uuid('household_id').references(() => households.id),
    livingType: text('living_type').notNull(),
    fromDate: date('from_date', { mode: 'string' }).notNull(),
    toDate: date('to_date', { mode: 'string' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // A person lives in one dwelling at a time.
    uniqueIndex('resident_dwellings_open_key')
      .on(t.residentId)
      .where(sql`to_date is null`),
    index('resident_dwellings_dwelling_idx').on(t.dwellingId),
    index('resident_dwellings_resident_idx').on(t.residentId),
    check('resident_dwellings_living_type_check', sql`${t.livingType} in ('own','rent','borrow')`),
    check('resident_dwellings_dates_check', sql`${t.toDate} is null or ${t.toDate} >= ${t.fromDate}`),
  ],
);

export const residentEvents = pgTable(
  'resident_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    residentId: uuid('resident_id')
      .notNull()
      .references(() => residents.id),
    kind: text('kind').notNull(),
    /** The day it happened (moved in on, died on …); `at` is when it was recorded. */
    occurredOn: date('occurred_on', { mode: 'string' }).notNull(),
    householdId: uuid('household_id').references(() => households.id),
    dwellingId: uuid('dwelling_id').references(() => dwellings.id),
    /** The resident's area path at the event, for scope. */
    areaPath: text('area_path').notNull(),
    /** Kind-specific facts; never an ID or phone number. */
    data: jsonb('data').notNull().default({}),
    note: text('note'),
    actorId: uuid('actor_id'),
    actorName: text('actor_name'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('resident_events_resident_idx').on(t.residentId, t.id),
    index('resident_events_household_idx').on(t.householdId),
    check(
      'resident_events_kind_check',
      sql`${t.kind} in ('registered','moved_in','moved_out','died','joined_household','left_household','relation_changed','corrected')`,
    ),
  ],
);

export const residentRevealGrants = pgTable(
  'resident_reveal_grants',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id),
    residentId: uuid('resident_id')
      .notNull()
      .references(() => residents.id),
    field: text('field').notNull(),
    purpose: text('purpose').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('resident_reveal_grants_resident_idx').on(t.residentId, t.createdAt),
    index('resident_reveal_grants_account_idx').on(t.accountId, t.createdAt),
    check('resident_reveal_grants_field_check', sql`${t.field} in ('idNumber','phone')`),
  ],
);
