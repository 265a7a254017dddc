/** Tables of the area tree (省/市/区县/街道/社区/网格) and the departments (职能部门) under districts. */
import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
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

export const areas = pgTable(
  'areas',
  {
    code: text('code').primaryKey(),
    /** The code with trailing zero groups trimmed: every scope filter is a prefix match on it. */
    path: text('path').notNull(),
    name: text('name').notNull(),
    level: text('level').notNull(),
    parentCode: text('parent_code').references((): AnyPgColumn => areas.code),
    boundary: jsonb('boundary'),
    /** 'nbs' for rows imported from the statistics division codes, 'local' for grids made here. */
    source: text('source').notNull().default('nbs'),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('areas_path_key').on(t.path),
    index('areas_path_prefix_idx').using('btree', t.path.op('text_pattern_ops')),
    index('areas_parent_idx').on(t.parentCode),
    index('areas_name_idx').on(t.name),
    check('areas_level_check', sql`${t.level} in ('province','city','district','street','community','grid')`),
    check('areas_code_check', sql`${t.code} ~ '^[0-9]{12}([0-9]{3})?$'`),
  ],
);

export const departments = pgTable(
  'departments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    districtCode: text('district_code')
      .notNull()
      .references(() => areas.code),
    /** The district's path, so department rows are scoped like any area-owned row. */
    areaPath: text('area_path').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('departments_district_name_key').on(t.districtCode, t.name),
    index('departments_path_idx').using('btree', t.areaPath.op('text_pattern_ops')),
  ],
);
