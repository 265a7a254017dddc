/** The in-app inbox of staff and residents, and the outbox of messages (SMS, WeChat) delivered at least once. */
import { sql } from 'drizzle-orm';
import {
  bigint,
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

export const notifications = pgTable(
  'notifications',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    /** The recipient: one row per account (fanned out when written). */
    accountId: uuid('account_id').notNull(),
    /** What happened: case.dispatched, case.reminder, case.overdue, case.closed, … */
    kind: text('kind').notNull(),
    caseId: uuid('case_id'),
    /** Parameters of the message, rendered in the reader's language by the web app. */
    data: jsonb('data').notNull().default({}),
    /** Writing the same key twice for one account is a no-op (jobs re-run, retries). */
    dedupeKey: text('dedupe_key'),
    readAt: timestamp('read_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('notifications_inbox_idx').on(t.accountId, t.createdAt),
    uniqueIndex('notifications_dedupe_key').on(t.accountId, t.dedupeKey),
  ],
);

export const outbox = pgTable(
  'outbox',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    channel: text('channel').notNull(),
    /** The recipient (a phone or an openid), encrypted; masked for display. */
    recipientEnc: text('recipient_enc').notNull(),
    recipientMasked: text('recipient_masked').notNull(),
    template: text('template').notNull(),
    params: jsonb('params').notNull().default({}),
    /** One message per key, ever: the sender is told it too, so a provider can drop a repeat. */
    dedupeKey: text('dedupe_key').notNull(),
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    lastError: text('last_error'),
    caseId: uuid('case_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('outbox_dedupe_key').on(t.dedupeKey),
    index('outbox_due_idx').on(t.status, t.nextAttemptAt),
    check('outbox_channel_check', sql`${t.channel} in ('sms','wechat')`),
    check('outbox_status_check', sql`${t.status} in ('pending','sent','failed')`),
  ],
);
