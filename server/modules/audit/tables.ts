/**
 * The append-only, hash-chained audit log. An entry is written with the hash of its own fields (entry_hash) in the
 * transaction of the change it records, without waiting for anyone; the sealer then links committed entries into the
 * chain (seq, prev_hash, hash) one batch at a time (server/modules/audit/log.ts).
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  index,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

export const auditLog = pgTable(
  'audit_log',
  {
    id: bigint('id', { mode: 'bigint' }).primaryKey().generatedAlwaysAsIdentity(),
    at: timestamp('at', { withTimezone: true, precision: 3 }).notNull(),
    actorId: uuid('actor_id'),
    actorName: text('actor_name'),
    action: text('action').notNull(),
    targetType: text('target_type'),
    targetId: text('target_id'),
    areaPath: text('area_path'),
    ip: text('ip'),
    requestId: text('request_id'),
    outcome: text('outcome').notNull(),
    details: jsonb('details').notNull().default({}),
    /** The hash of the entry's own fields, set when it is written (null on entries of the first chain format). */
    entryHash: text('entry_hash'),
    /** Position in the chain, the link to the entry before and the chain hash: null until sealed. */
    seq: bigint('seq', { mode: 'bigint' }),
    prevHash: text('prev_hash'),
    hash: text('hash'),
  },
  (t) => [
    index('audit_log_at_idx').on(t.at),
    uniqueIndex('audit_log_seq_key').on(t.seq),
    index('audit_log_unsealed_idx')
      .on(t.id)
      .where(sql`${t.seq} is null`),
    index('audit_log_actor_idx').on(t.actorId),
    // Who looked at a record (a resident's own access log, /api/me/household): entries by target, newest first.
    index('audit_log_target_idx').on(t.targetType, t.targetId, t.at),
    index('audit_log_action_idx').using('btree', t.action.op('text_pattern_ops')),
    check('audit_log_outcome_check', sql`${t.outcome} in ('success','failure','denied')`),
  ],
);
