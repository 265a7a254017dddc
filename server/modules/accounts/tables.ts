/** Tables of accounts, their role assignments, sessions, login throttling and SMS codes. */
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { areas, departments } from '../areas/tables';

export const accounts = pgTable(
  'accounts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: text('kind').notNull(),
    username: text('username'),
    displayName: text('display_name').notNull(),
    passwordHash: text('password_hash'),
    /** Phone number encrypted at rest; phoneHash is a keyed hash for lookups; phoneMasked is what lists show. */
    phoneEnc: text('phone_enc'),
    phoneHash: text('phone_hash'),
    phoneMasked: text('phone_masked'),
    /** The area the account is administered from: admins see accounts whose home lies in their subtree. */
    homeAreaPath: text('home_area_path'),
    disabled: boolean('disabled').notNull().default(false),
    totpSecretEnc: text('totp_secret_enc'),
    totpEnabled: boolean('totp_enabled').notNull().default(false),
    /** Last accepted TOTP time step, so a code cannot be replayed. */
    totpLastStep: bigint('totp_last_step', { mode: 'number' }),
    mustChangePassword: boolean('must_change_password').notNull().default(false),
    passwordChangedAt: timestamp('password_changed_at', { withTimezone: true }),
    lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
    demo: boolean('demo').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('accounts_username_key').on(sql`lower(${t.username})`),
    uniqueIndex('accounts_resident_phone_key')
      .on(t.phoneHash)
      .where(sql`${t.kind} = 'resident'`),
    index('accounts_home_path_idx').using('btree', t.homeAreaPath.op('text_pattern_ops')),
    check('accounts_kind_check', sql`${t.kind} in ('staff','resident')`),
    check('accounts_staff_username_check', sql`${t.kind} <> 'staff' or ${t.username} is not null`),
  ],
);

export const passwordHistory = pgTable(
  'password_history',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id),
    passwordHash: text('password_hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('password_history_account_idx').on(t.accountId, t.createdAt)],
);

export const assignments = pgTable(
  'assignments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id),
    role: text('role').notNull(),
    areaCode: text('area_code').references(() => areas.code),
    /** The area's path, or the department's district path: the subtree this assignment reaches. */
    areaPath: text('area_path').notNull(),
    departmentId: uuid('department_id').references(() => departments.id),
    createdBy: uuid('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** Assignments are revoked, never deleted, so who held which role when stays known. */
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    revokedBy: uuid('revoked_by'),
  },
  (t) => [
    index('assignments_account_idx').on(t.accountId),
    index('assignments_area_path_idx').using('btree', t.areaPath.op('text_pattern_ops')),
    uniqueIndex('assignments_active_key')
      .on(t.accountId, t.role, t.areaPath, sql`coalesce(${t.departmentId}::text, '')`)
      .where(sql`${t.revokedAt} is null`),
    check(
      'assignments_target_check',
      sql`(${t.role} = 'dept_handler') = (${t.departmentId} is not null) and (${t.role} = 'dept_handler' or ${t.areaCode} is not null)`,
    ),
  ],
);

export const sessions = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** SHA-256 of the cookie token: a leaked table does not yield usable cookies. */
    tokenHash: text('token_hash').notNull(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id),
    csrfToken: text('csrf_token').notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
    idleTimeoutSeconds: integer('idle_timeout_seconds').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    /**
     * An administrator-role account that logged in without TOTP: the session may only read /api/me, log out
     * and enrol TOTP until TOTP is enabled.
     */
    pendingTotp: boolean('pending_totp').notNull().default(false),
  },
  (t) => [uniqueIndex('sessions_token_key').on(t.tokenHash), index('sessions_account_idx').on(t.accountId)],
);

/** Failed-login counters per username or phone (also for unknown ones, so lock-out reveals nothing). */
export const loginFailures = pgTable('login_failures', {
  key: text('key').primaryKey(),
  count: integer('count').notNull().default(0),
  lockedUntil: timestamp('locked_until', { withTimezone: true }),
  lastFailureAt: timestamp('last_failure_at', { withTimezone: true }).notNull().defaultNow(),
});

export const smsCodes = pgTable(
  'sms_codes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    phoneHash: text('phone_hash').notNull(),
    codeHash: text('code_hash').notNull(),
    attempts: integer('attempts').notNull().default(0),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    consumedAt: timestamp('consumed_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('sms_codes_phone_idx').on(t.phoneHash, t.createdAt)],
);
