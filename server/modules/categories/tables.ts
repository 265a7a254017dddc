/** The case category tree (configurable, with default matter class, handling level and deadline) and routing rules. */
import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { departments } from '../areas/tables';

export const categories = pgTable(
  'categories',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Stable short code, e.g. "env.garbage"; Open311 service_code. */
    code: text('code').notNull(),
    parentId: uuid('parent_id').references((): AnyPgColumn => categories.id),
    name: text('name').notNull(),
    nameEn: text('name_en'),
    /** 三事分流: public 大事 / community 小事 / private 私事. */
    matterClass: text('matter_class').notNull(),
    /** Where such a case is handled by default: community, street or district (a department). */
    handlingLevel: text('handling_level').notNull(),
    urgent: boolean('urgent').notNull().default(false),
    /** Urgent categories count hours; the others working days (null: the level's default). */
    deadlineHours: integer('deadline_hours'),
    deadlineWorkingDays: integer('deadline_working_days'),
    /** Extra questions asked at intake: [{ key, label, type, required, options? }]. */
    questions: jsonb('questions').notNull().default([]),
    active: boolean('active').notNull().default(true),
    sort: integer('sort').notNull().default(0),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('categories_code_key').on(t.code),
    index('categories_parent_idx').on(t.parentId),
    check('categories_matter_class_check', sql`${t.matterClass} in ('public','community','private')`),
    check('categories_level_check', sql`${t.handlingLevel} in ('community','street','district')`),
  ],
);

/** Category × area → department or level; the most specific matching rule wins, the case's community is the fallback (属地兜底). */
export const routingRules = pgTable(
  'routing_rules',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Null: any category. */
    categoryId: uuid('category_id').references(() => categories.id),
    /** The rule applies to cases located in this subtree. */
    areaPath: text('area_path').notNull(),
    departmentId: uuid('department_id').references(() => departments.id),
    /** When no department: the level of the case's own area chain that handles it. */
    level: text('level'),
    priority: integer('priority').notNull().default(0),
    createdBy: uuid('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('routing_rules_path_idx').using('btree', t.areaPath.op('text_pattern_ops')),
    check('routing_rules_target_check', sql`(${t.departmentId} is not null) <> (${t.level} is not null)`),
    check(
      'routing_rules_level_check',
      sql`${t.level} is null or ${t.level} in ('community','street','district')`,
    ),
  ],
);

/**
 * One row: bumped by statement triggers on categories, routing_rules, departments and areas (migration 0013), so the
 * snapshot each server keeps of them (reference.ts) knows when it is stale.
 */
export const referenceVersion = pgTable(
  'reference_version',
  {
    id: integer('id').primaryKey().default(1),
    version: bigint('version', { mode: 'number' }).notNull().default(1),
  },
  (t) => [check('reference_version_single_row', sql`${t.id} = 1`)],
);
