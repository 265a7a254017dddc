/**
 * Tables of the housing register: estates (小区, in a community), buildings (楼栋, in a grid), units (单元) and
 * dwellings (房屋). Every row carries its area path (scope filters and sharding use it), a version for optimistic
 * concurrency, and retired_at instead of deletion: residents' history points at these rows.
 */
import { sql } from 'drizzle-orm';
import {
  check,
  doublePrecision,
  index,
  integer,
  numeric,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { areas } from '../areas/tables';

const timestamps = {
  version: integer('version').notNull().default(1),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  retiredAt: timestamp('retired_at', { withTimezone: true }),
};

export const estates = pgTable(
  'estates',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** The community (社区). */
    areaCode: text('area_code')
      .notNull()
      .references(() => areas.code),
    areaPath: text('area_path').notNull(),
    name: text('name').notNull(),
    address: text('address'),
    propertyCompany: text('property_company'),
    /** The property company's service phone: a company number, not personal data, so kept in clear. */
    propertyPhone: text('property_phone'),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('estates_area_name_key')
      .on(t.areaCode, t.name)
      .where(sql`retired_at is null`),
    index('estates_path_idx').using('btree', t.areaPath.op('text_pattern_ops')),
  ],
);

export const buildings = pgTable(
  'buildings',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** The grid (网格). */
    areaCode: text('area_code')
      .notNull()
      .references(() => areas.code),
    areaPath: text('area_path').notNull(),
    estateId: uuid('estate_id').references(() => estates.id),
    name: text('name').notNull(),
    number: text('number'),
    floors: integer('floors').notNull(),
    unitsCount: integer('units_count').notNull().default(0),
    use: text('use').notNull().default('residential'),
    address: text('address'),
    lat: doublePrecision('lat'),
    lng: doublePrecision('lng'),
    ...timestamps,
  },
  (t) => [
    // One name per estate (or per grid outside estates) among buildings in use.
    uniqueIndex('buildings_area_estate_name_key')
      .on(t.areaCode, sql`coalesce(estate_id::text, '')`, t.name)
      .where(sql`retired_at is null`),
    index('buildings_path_idx').using('btree', t.areaPath.op('text_pattern_ops')),
    index('buildings_estate_idx').on(t.estateId),
    check('buildings_floors_check', sql`${t.floors} between 1 and 150`),
    check('buildings_units_count_check', sql`${t.unitsCount} between 0 and 30`),
    check('buildings_use_check', sql`${t.use} in ('residential','commercial','mixed','public','other')`),
    check(
      'buildings_point_check',
      sql`(${t.lat} is null) = (${t.lng} is null) and (${t.lat} is null or (${t.lat} between -90 and 90 and ${t.lng} between -180 and 180))`,
    ),
  ],
);

export const units = pgTable(
  'units',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    buildingId: uuid('building_id')
      .notNull()
      .references(() => buildings.id),
    /** The building's grid path, copied so units are scoped like any area-owned row. */
    areaPath: text('area_path').notNull(),
    number: text('number').notNull(),
    name: text('name'),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('units_building_number_key')
      .on(t.buildingId, t.number)
      .where(sql`retired_at is null`),
    index('units_path_idx').using('btree', t.areaPath.op('text_pattern_ops')),
  ],
);

export const dwellings = pgTable(
  'dwellings',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    unitId: uuid('unit_id')
      .notNull()
      .references(() => units.id),
    /** The unit's building, kept for counts per building without a join. */
    buildingId: uuid('building_id')
      .notNull()
      .references(() => buildings.id),
    areaPath: text('area_path').notNull(),
    floor: integer('floor').notNull(),
    number: text('number').notNull(),
    /** Floor area in m². */
    floorArea: numeric('floor_area', { precision: 8, scale: 2, mode: 'number' }),
    use: text('use').notNull(),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('dwellings_unit_floor_number_key')
      .on(t.unitId, t.floor, t.number)
      .where(sql`retired_at is null`),
    index('dwellings_building_idx').on(t.buildingId),
    index('dwellings_path_idx').using('btree', t.areaPath.op('text_pattern_ops')),
    check('dwellings_floor_check', sql`${t.floor} between 1 and 150`),
    check('dwellings_use_check', sql`${t.use} in ('self_occupied','rented','vacant','commercial')`),
    check('dwellings_floor_area_check', sql`${t.floorArea} is null or ${t.floorArea} > 0`),
  ],
);
