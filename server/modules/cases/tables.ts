/** Cases (诉求/事件) and their append-only event history, from which the timeline, audit and statistics derive. */
import { sql } from 'drizzle-orm';
import {
  bigint,
  primaryKey,
  boolean,
  check,
  date,
  doublePrecision,
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
import { categories } from '../categories/tables';

export const cases = pgTable(
  'cases',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Public case number, e.g. 340302-20261122-000123. */
    number: text('number').notNull(),
    channel: text('channel').notNull(),
    /** The source ticket number of a transfer (12345, higher level). */
    sourceRef: text('source_ref'),
    categoryId: uuid('category_id')
      .notNull()
      .references(() => categories.id),
    matterClass: text('matter_class').notNull(),
    urgency: text('urgency').notNull().default('normal'),
    title: text('title').notNull(),
    description: text('description').notNull(),
    /** Where the matter is: a grid or community; scope filters use its path. */
    areaCode: text('area_code').notNull(),
    areaPath: text('area_path').notNull(),
    address: text('address'),
    lat: doublePrecision('lat'),
    lng: doublePrecision('lng'),
    /** The resident: name and phone encrypted, the phone also as keyed hash and masked. */
    reporterNameEnc: text('reporter_name_enc'),
    /** The name as answers show it (maskName); null in rows written before migration 0024 (masked when read). */
    reporterNameMasked: text('reporter_name_masked'),
    reporterPhoneEnc: text('reporter_phone_enc'),
    reporterPhoneHash: text('reporter_phone_hash'),
    reporterPhoneMasked: text('reporter_phone_masked'),
    reporterAccountId: uuid('reporter_account_id'),
    callbackWanted: boolean('callback_wanted').notNull().default(false),
    answers: jsonb('answers').notNull().default({}),
    status: text('status').notNull(),
    /** Who holds it now: a level of the area chain (community/street/district) or a department. */
    level: text('level').notNull(),
    leadDepartmentId: uuid('lead_department_id').references(() => departments.id),
    /** The path of the unit that holds it (an area, or the department's district), for the handlers' scope. */
    holderPath: text('holder_path').notNull(),
    coDepartmentIds: jsonb('co_department_ids').notNull().default([]),
    dueAt: timestamp('due_at', { withTimezone: true }),
    /** When the current deadline started: reminders fall at fractions of due_from → due_at. */
    dueFrom: timestamp('due_from', { withTimezone: true }),
    /** How many reminders of the current deadline were sent (0 with a new deadline). */
    remindersSent: integer('reminders_sent').notNull().default(0),
    /** Set once the deadline job escalated it for this deadline; cleared with a new deadline. */
    overdueEscalatedAt: timestamp('overdue_escalated_at', { withTimezone: true }),
    supervised: boolean('supervised').notNull().default(false),
    reopenCount: integer('reopen_count').notNull().default(0),
    rating: text('rating'),
    /** A duplicate merged into another case (status merged). */
    mergedIntoId: uuid('merged_into_id'),
    /** Optimistic concurrency: every action names the version it saw. */
    version: integer('version').notNull().default(1),
    createdBy: uuid('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    /**
     * For the statistics, so they read the cases only: when the case first left 'reported' (its first response:
     * accept, decline, escalate, merge …), and the end of its response day, fixed at the report.
     */
    respondedAt: timestamp('responded_at', { withTimezone: true }),
    responseDueAt: timestamp('response_due_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('cases_number_key').on(t.number),
    // The lists (list.ts): each arm of a list finds its page in one of these three without reading the table (the
    // trailing columns are there for index-only scans of the filters).
    index('cases_area_list_idx').using(
      'btree',
      t.areaPath.op('text_pattern_ops'),
      t.createdAt,
      t.id,
      t.status,
      t.dueAt,
    ),
    index('cases_holder_waiting_idx')
      .using('btree', t.holderPath.op('text_pattern_ops'), t.createdAt, t.id, t.areaPath, t.level)
      .where(
        sql`${t.leadDepartmentId} is null and ${t.status} in ('reported','accepted','dispatched','handling','suspended')`,
      ),
    // The work list's verification part: the few handled or verified cases of an area, newest first.
    index('cases_to_verify_idx')
      .using('btree', t.areaPath.op('text_pattern_ops'), t.createdAt, t.id)
      .where(sql`${t.status} in ('handled','verified')`),
    // A street's plain list and its work list's verification part: the street's cases newest first in one range, keyed
    // by the street's path (list.ts inStreet; status is included, migration 0032).
    index('cases_street_list_idx').using('btree', sql`left(${t.areaPath}, 9)`, t.createdAt, t.id),
    index('cases_street_verify_idx')
      .using('btree', sql`left(${t.areaPath}, 9)`, t.createdAt, t.id)
      .where(sql`${t.status} in ('handled','verified')`),
    // A street's overdue filter: its late cases by deadline in one range (list.ts lateInStreet; creation time, id,
    // status and area path are included, migration 0033).
    index('cases_street_overdue_idx')
      .using('btree', sql`left(${t.areaPath}, 9)`, t.dueAt)
      .where(
        sql`${t.status} in ('reported','accepted','dispatched','handling','handled','verified') and ${t.dueAt} is not null`,
      ),
    index('cases_department_list_idx').on(t.leadDepartmentId, t.createdAt, t.id, t.status),
    index('cases_status_due_idx').on(t.status, t.dueAt),
    index('cases_reporter_idx').on(t.reporterAccountId),
    index('cases_created_idx').on(t.createdAt),
    index('cases_category_area_idx').on(t.categoryId, t.areaPath),
    // A department handler's scope includes the cases its department co-handles (协办).
    index('cases_co_departments_idx').using('gin', t.coDepartmentIds.op('jsonb_path_ops')),
    // The overdue filter: the open cases that can run late, by area and deadline, so an area's late cases are one range
    // (creation time, id and status are included, migration 0026).
    index('cases_overdue_idx')
      .using('btree', t.areaPath.op('text_pattern_ops'), t.dueAt)
      .where(
        sql`${t.status} in ('reported','accepted','dispatched','handling','handled','verified') and ${t.dueAt} is not null`,
      ),
    // The rows whose masked reporter name the jobs loop has still to write (backfill.ts, migration 0025).
    index('cases_name_unmasked_idx')
      .on(t.id)
      .where(sql`${t.reporterNameMasked} is null and ${t.reporterNameEnc} is not null`),
    // The supervisor's list: the few cases escalated as overdue or supervised, among a million. Scope and status are
    // included so the list and its counts are read from the index alone (migration 0024).
    index('cases_supervision_idx')
      .on(t.createdAt, t.id)
      .where(sql`${t.overdueEscalatedAt} is not null or ${t.supervised}`),
    check(
      'cases_channel_check',
      sql`${t.channel} in ('window','hotline','online','mailbox','patrol','transfer')`,
    ),
    check('cases_matter_class_check', sql`${t.matterClass} in ('public','community','private')`),
    check('cases_urgency_check', sql`${t.urgency} in ('normal','urgent')`),
    // A deadline never precedes the report (list.ts lateInStreet relies on it; migration 0033).
    check('cases_due_after_report_check', sql`${t.dueAt} is null or ${t.dueAt} >= ${t.createdAt}`),
    check('cases_level_check', sql`${t.level} in ('community','street','district')`),
    check(
      'cases_rating_check',
      sql`${t.rating} is null or ${t.rating} in ('satisfied','basically','dissatisfied')`,
    ),
  ],
);

export const caseEvents = pgTable(
  'case_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    caseId: uuid('case_id')
      .notNull()
      .references(() => cases.id),
    /** 1, 2, 3 … per case: the case version the event produced. */
    seq: integer('seq').notNull(),
    action: text('action').notNull(),
    fromStatus: text('from_status'),
    toStatus: text('to_status').notNull(),
    actorId: uuid('actor_id'),
    actorName: text('actor_name'),
    actorRole: text('actor_role'),
    note: text('note'),
    data: jsonb('data').notNull().default({}),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('case_events_case_seq_key').on(t.caseId, t.seq), index('case_events_at_idx').on(t.at)],
);

/** Photos of a case (at intake or with a progress note): stored re-encoded without metadata, with a thumbnail. */
export const caseAttachments = pgTable(
  'case_attachments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    caseId: uuid('case_id')
      .notNull()
      .references(() => cases.id),
    /** The event it came with (1 = the report); null until attached to one. */
    eventSeq: integer('event_seq'),
    mime: text('mime').notNull(),
    bytes: integer('bytes').notNull(),
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    sha256: text('sha256').notNull(),
    /** Keys in the upload store (a folder under the data directory by default). */
    storageKey: text('storage_key').notNull(),
    thumbKey: text('thumb_key').notNull(),
    uploadedBy: uuid('uploaded_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('case_attachments_case_idx').on(t.caseId, t.createdAt)],
);

/**
 * The last case number given out per district and day (prefix `340302-20261122-`). Taken in a short transaction of
 * its own, so intakes in one district do not queue behind each other's commits; a failed intake leaves a gap.
 */
export const caseNumberCounters = pgTable('case_number_counters', {
  prefix: text('prefix').primaryKey(),
  last: integer('last').notNull(),
});

/**
 * Case counts by area and status, for the status tabs of large lists without counting a district's million rows.
 * A trigger on cases writes +1/-1 rows into case_status_deltas (inserts only, so concurrent writes never wait on each
 * other); the jobs loop folds them into case_status_counts. A count is the sum over both tables.
 */
export const caseStatusCounts = pgTable(
  'case_status_counts',
  {
    /** A path prefix: the row counts the cases located under it (every prefix of each case's path has its row). */
    areaPath: text('area_path').notNull(),
    status: text('status').notNull(),
    n: bigint('n', { mode: 'number' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.areaPath, t.status] }),
    index('case_status_counts_path_idx').using('btree', t.areaPath.op('text_pattern_ops')),
  ],
);

export const caseStatusDeltas = pgTable(
  'case_status_deltas',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    areaPath: text('area_path').notNull(),
    /** The holder of the case (linli_case_holder_key: `d:<department>` or `<level>:<holder path>`); null in rows
     * written before migration 0010. */
    holderKey: text('holder_key'),
    status: text('status').notNull(),
    /** The UTC day the case falls due while it can run late (linli_case_due_day, migration 0026), else null. */
    dueDay: date('due_day', { mode: 'string' }),
    /** Whether the case is on the supervisor's list (escalated or supervised, migration 0028); null in older rows. */
    supervised: boolean('supervised'),
    n: integer('n').notNull(),
  },
  (t) => [
    index('case_status_deltas_path_idx').using('btree', t.areaPath.op('text_pattern_ops')),
    index('case_status_deltas_holder_idx').using('btree', t.holderKey.op('text_pattern_ops')),
  ],
);

/**
 * Case counts by holder and status, kept from the same deltas as case_status_counts: for the work lists (cases waiting
 * at a unit or a department). The key is `d:<department id>` for a department's case, else `<level>:<holder path>`.
 */
export const caseHolderCounts = pgTable(
  'case_holder_counts',
  {
    holderKey: text('holder_key').notNull(),
    status: text('status').notNull(),
    n: bigint('n', { mode: 'number' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.holderKey, t.status] }),
    index('case_holder_counts_key_idx').using('btree', t.holderKey.op('text_pattern_ops')),
  ],
);

/**
 * Open cases that can run late, by area, status and the UTC day they fall due, kept from the same deltas: the overdue
 * filter's counts. Days already past are folded into one row per area and status (PAST_DUE_DAY).
 */
export const caseDueCounts = pgTable(
  'case_due_counts',
  {
    /** An area path (every area of each case's path has its row). */
    areaPath: text('area_path').notNull(),
    status: text('status').notNull(),
    dueDay: date('due_day', { mode: 'string' }).notNull(),
    n: bigint('n', { mode: 'number' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.areaPath, t.status, t.dueDay] }),
    index('case_due_counts_day_idx').on(t.dueDay),
  ],
);

/**
 * The cases on the supervisor's list (the deadline job escalated them, or a leader supervises them), by area and
 * status, kept from the same deltas: that list's counts.
 */
export const caseSupervisionCounts = pgTable(
  'case_supervision_counts',
  {
    /** An area path (every area of each case's path has its row). */
    areaPath: text('area_path').notNull(),
    status: text('status').notNull(),
    n: bigint('n', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.areaPath, t.status] })],
);
