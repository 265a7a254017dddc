/**
 * Tables of the focus groups (重点人群): the configurable tag tree, each tag with its sensitivity, detail field
 * definitions and the roles allowed to see it, and the residents' tags with from/to dates. A resident's tag is never
 * deleted; the one change allowed (by trigger, migration 0014) is ending it. Detail values are stored encrypted.
 */
import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  boolean,
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
} from 'drizzle-orm/pg-core';
import { residents } from '../people/tables';

export const tags = pgTable(
  'tags',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Stable short code, e.g. "elderly.alone". */
    code: text('code').notNull(),
    parentId: uuid('parent_id').references((): AnyPgColumn => tags.id),
    name: text('name').notNull(),
    nameEn: text('name_en'),
    /** normal / sensitive (低保, 残疾 …) / restricted (矫正, 刑释 …: few roles see it by default). */
    sensitivity: text('sensitivity').notNull().default('normal'),
    /** Detail field definitions: [{ key, label, labelEn?, type, required, options? }]. */
    fields: jsonb('fields').notNull().default([]),
    /** The roles that may see this tag; every other role sees it as absent. */
    visibleRoles: text('visible_roles')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    active: boolean('active').notNull().default(true),
    sort: integer('sort').notNull().default(0),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('tags_code_key').on(t.code),
    index('tags_parent_idx').on(t.parentId),
    check('tags_sensitivity_check', sql`${t.sensitivity} in ('normal','sensitive','restricted')`),
    check('tags_not_own_parent_check', sql`${t.parentId} is null or ${t.parentId} <> ${t.id}`),
  ],
);

export const residentTags = pgTable(
  'resident_tags',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    residentId: uuid('resident_id')
      .notNull()
      .references(() => residents.id),
    tagId: uuid('tag_id')
      .notNull()
      .references(() => tags.id),
    /**
     * Detail values as encrypted JSON (ctx.secrets); null when there are none. Every tag's details are encrypted,
     * not only those of sensitive and restricted tags, so that raising a tag's sensitivity later needs no rewrite.
     */
    detailsEnc: text('details_enc'),
    fromDate: date('from_date', { mode: 'string' }).notNull(),
    /** Set when the tag is ended; open tags have none. */
    toDate: date('to_date', { mode: 'string' }),
    note: text('note'),
    endNote: text('end_note'),
    createdBy: uuid('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    endedBy: uuid('ended_by'),
    endedAt: timestamp('ended_at', { withTimezone: true }),
  },
  (t) => [
    // A resident holds a tag once at a time.
    uniqueIndex('resident_tags_open_key')
      .on(t.residentId, t.tagId)
      .where(sql`to_date is null`),
    index('resident_tags_resident_idx').on(t.residentId),
    index('resident_tags_tag_idx').on(t.tagId, t.residentId),
    check('resident_tags_dates_check', sql`${t.toDate} is null or ${t.toDate} >= ${t.fromDate}`),
  ],
);
