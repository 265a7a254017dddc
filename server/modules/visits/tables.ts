/**
 * Tables of home visits (入户走访): the visit rules (how often the households of an area, or those with a focus-group
 * tag, are visited), the visits themselves with the needs found and the photos taken. Visits, needs and photos are
 * append-only (migration 0015): a correction is a new visit naming the one it corrects; the one change allowed is
 * linking a need to the case made from it. Rules are retired, never deleted.
 */
import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  date,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';
import { accounts } from '../accounts/tables';
import { areas } from '../areas/tables';
import { cases } from '../cases/tables';
import { households } from '../people/tables';
import { tags } from '../tags/tables';

export const visitRules = pgTable(
  'visit_rules',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** The street, community or grid whose subtree the rule covers. */
    areaCode: text('area_code')
      .notNull()
      .references(() => areas.code),
    areaPath: text('area_path').notNull(),
    /** Only households with a current member holding this tag (or one below it); null: every household. */
    tagId: uuid('tag_id').references(() => tags.id),
    /** Visit every N days. */
    intervalDays: integer('interval_days').notNull(),
    note: text('note'),
    version: integer('version').notNull().default(1),
    createdBy: uuid('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    retiredAt: timestamp('retired_at', { withTimezone: true }),
  },
  (t) => [
    // One rule in force per area and tag (or per area for every household).
    uniqueIndex('visit_rules_area_tag_key')
      .on(t.areaCode, sql`coalesce(tag_id::text, '')`)
      .where(sql`retired_at is null`),
    index('visit_rules_path_idx').using('btree', t.areaPath.op('text_pattern_ops')),
    check('visit_rules_interval_check', sql`${t.intervalDays} between 1 and 366`),
  ],
);

export const visits = pgTable(
  'visits',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    householdId: uuid('household_id')
      .notNull()
      .references(() => households.id),
    /** The household's grid (else community) at the visit, for scope and the ledger per grid. */
    areaCode: text('area_code')
      .notNull()
      .references(() => areas.code),
    areaPath: text('area_path').notNull(),
    visitedOn: date('visited_on', { mode: 'string' }).notNull(),
    visitorId: uuid('visitor_id').references(() => accounts.id),
    visitorName: text('visitor_name').notNull(),
    /** Residents met (members of the household on that day). */
    personsMet: uuid('persons_met')
      .array()
      .notNull()
      .default(sql`'{}'::uuid[]`),
    situation: text('situation').notNull(),
    followUp: boolean('follow_up').notNull().default(false),
    /** The earlier visit this row corrects (replaces); null for a first record. */
    correctsId: uuid('corrects_id').references((): AnyPgColumn => visits.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('visits_household_idx').on(t.householdId, t.visitedOn),
    index('visits_path_idx').using('btree', t.areaPath.op('text_pattern_ops'), t.visitedOn),
    // Migration 0023: the ledger reads the period's visits of an area from this index alone.
    index('visits_ledger_idx').using(
      'btree',
      t.areaPath.op('text_pattern_ops'),
      t.visitedOn,
      t.areaCode,
      t.visitorId,
      t.householdId,
      t.id,
    ),
    index('visits_visitor_idx').on(t.visitorId, t.visitedOn),
    // A visit is corrected at most once; a later correction corrects the correction.
    uniqueIndex('visits_corrects_key')
      .on(t.correctsId)
      .where(sql`corrects_id is not null`),
  ],
);

export const visitNeeds = pgTable(
  'visit_needs',
  {
    visitId: uuid('visit_id')
      .notNull()
      .references(() => visits.id),
    /** 1-based position in the visit. */
    n: integer('n').notNull(),
    category: text('category').notNull(),
    text: text('text').notNull(),
    /** The case made from this need, once. */
    caseId: uuid('case_id').references(() => cases.id),
  },
  (t) => [
    primaryKey({ columns: [t.visitId, t.n] }),
    index('visit_needs_case_idx').on(t.caseId),
    check(
      'visit_needs_category_check',
      sql`${t.category} in ('living','medical','elderly_care','employment','housing','safety','dispute','environment','policy','other')`,
    ),
  ],
);

export const visitPhotos = pgTable(
  'visit_photos',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    visitId: uuid('visit_id')
      .notNull()
      .references(() => visits.id),
    mime: text('mime').notNull(),
    bytes: integer('bytes').notNull(),
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    sha256: text('sha256').notNull(),
    storageKey: text('storage_key').notNull(),
    thumbKey: text('thumb_key').notNull(),
    uploadedBy: uuid('uploaded_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('visit_photos_visit_idx').on(t.visitId, t.createdAt)],
);
