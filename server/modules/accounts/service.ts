/**
 * Staff account administration: create accounts, change their assignments, disable, reset passwords,
 * unlock, reveal personal data, and build the AccountView every response shows (phone masked).
 */
import crypto from 'node:crypto';
import { and, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import { parseAreaCode, codeFromPath } from '../../../common/area-code';
import type { AreaLevel } from '../../../common/schemas/areas';
import { ADMIN_ROLES, DEPARTMENT_ROLES, ROLES, type Role } from '../../../common/roles';
import type { AccountCreate, AccountView } from '../../../common/schemas/accounts';
import type { AssignmentView } from '../../../common/schemas/auth';
import type { AppContext } from '../../context';
import { maskPhone } from '../../crypto';
import type { Tx } from '../../db/client';
import { AppError, invalidField } from '../../http/errors';
import { Ability, type Actor } from '../../policy/ability';
import { scopeWhere } from '../../policy/scope';
import { areas, departments } from '../areas/tables';
import { appendAudit, type AuditInput } from '../audit/log';
import { clearFailures, usernameLockKey } from './lockout';
import { checkPasswordPolicy, hashPassword } from './passwords';
import { revokeAccountSessions, revokeSession } from './sessions';
import { accounts, assignments, loginFailures, passwordHistory, sessions } from './tables';

/** Where a request came from, for the audit entry (the CLI and the demo seed pass nothing). */
export interface RequestMeta {
  ip?: string | null;
  requestId?: string | null;
}

/** One assignment as callers give it (the HTTP body's AssignmentInput, with the role typed as a Role). */
export interface AssignmentData {
  role: Role;
  areaCode?: string;
  departmentId?: string;
}

export type CreateAccountInput = Omit<AccountCreate, 'assignments'> & {
  assignments: AssignmentData[];
  mustChangePassword?: boolean;
  demo?: boolean;
  kind?: 'staff' | 'resident';
};

/** The area levels an assignment of each role may sit at; null: any level. */
const ROLE_LEVELS: Record<Exclude<Role, 'dept_handler'>, readonly AreaLevel[] | null> = {
  admin: null,
  security_admin: null,
  auditor: null,
  leader: null,
  evaluator: null,
  street_staff: ['street'],
  community_worker: ['community'],
  grid_worker: ['grid'],
  volunteer: ['community', 'grid'],
  resident: ['community', 'grid'],
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PHONE = /^1[3-9][0-9]{9}$/;
// PostgreSQL text cannot hold NUL, and no name needs control characters.
const CONTROL = /\p{Cc}/u;

/** A free-text field, trimmed; 400 when empty (after trimming) or holding control characters. */
function cleanText(value: string, field: string, minLength = 1): string {
  if (CONTROL.test(value)) throw invalidField(field, 'pattern');
  const text = value.trim();
  if ([...text].length < minLength) throw invalidField(field, 'minLength', minLength);
  return text;
}

function actorName(actor: Actor | null): string {
  return actor ? (actor.username ?? actor.displayName) : 'system';
}

function auditEntry(
  actor: Actor | null,
  meta: RequestMeta,
  entry: Omit<AuditInput, 'actorId' | 'actorName'>,
): AuditInput {
  return {
    actorId: actor?.accountId ?? null,
    actorName: actorName(actor),
    ip: meta.ip ?? null,
    requestId: meta.requestId ?? null,
    ...entry,
  };
}

/** PostgreSQL's unique violation, optionally on one named constraint (both drivers, wrapped or not). */
function isUniqueViolation(err: unknown, constraint?: string): boolean {
  for (
    let e = err as { code?: string; constraint?: string; cause?: unknown } | undefined, i = 0;
    e && i < 4;
    i++
  ) {
    if (e.code === '23505')
      return constraint === undefined || e.constraint === constraint || e.constraint === undefined;
    e = e.cause as typeof e;
  }
  return false;
}

const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const LOWER = 'abcdefghijkmnopqrstuvwxyz';
const DIGITS = '23456789';
const SYMBOLS = '-_.@#%+=';

/** A 14-character temporary password with every character class, from the CSPRNG, that the policy accepts. */
export function generateTemporaryPassword(ctx: AppContext, username: string | null): string {
  const all = UPPER + LOWER + DIGITS + SYMBOLS;
  for (;;) {
    const chars = [UPPER, LOWER, DIGITS, SYMBOLS].map((set) => set[crypto.randomInt(set.length)]!);
    while (chars.length < 14) chars.push(all[crypto.randomInt(all.length)]!);
    for (let i = chars.length - 1; i > 0; i--) {
      const j = crypto.randomInt(i + 1);
      [chars[i], chars[j]] = [chars[j]!, chars[i]!];
    }
    const pw = chars.join('');
    if (checkPasswordPolicy(pw, ctx.config.passwordProfile, { username }).length === 0) return pw;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Assignment targets
// ---------------------------------------------------------------------------------------------------------

export interface ResolvedAssignment {
  role: Role;
  areaCode: string | null;
  areaPath: string;
  departmentId: string | null;
  /** The 12/15-digit code of the area the assignment stands in (the department's district for departments). */
  homeCode: string;
}

/** Validates one assignment input against the area tree and the departments; `field` prefixes the field names. */
export async function resolveAssignment(
  tx: Tx,
  input: AssignmentData,
  field: string,
): Promise<ResolvedAssignment> {
  const role = input.role as string;
  if (!(ROLES as readonly string[]).includes(role)) throw invalidField(`${field}.role`, 'enum');
  if ((DEPARTMENT_ROLES as readonly string[]).includes(role)) {
    if (input.areaCode !== undefined) throw invalidField(`${field}.areaCode`, 'notApplicable');
    if (input.departmentId === undefined) throw invalidField(`${field}.departmentId`, 'required');
    if (!UUID.test(input.departmentId)) throw invalidField(`${field}.departmentId`, 'format', 'uuid');
    const [dep] = await tx
      .select({ id: departments.id, areaPath: departments.areaPath, districtCode: departments.districtCode })
      .from(departments)
      .where(eq(departments.id, input.departmentId));
    if (!dep)
      throw new AppError('account.department_unknown', [{ field: `${field}.departmentId`, rule: 'exists' }]);
    return {
      role: role as Role,
      areaCode: null,
      areaPath: dep.areaPath,
      departmentId: dep.id,
      homeCode: dep.districtCode,
    };
  }
  if (input.departmentId !== undefined) throw invalidField(`${field}.departmentId`, 'notApplicable');
  if (input.areaCode === undefined) throw invalidField(`${field}.areaCode`, 'required');
  const parsed = parseAreaCode(input.areaCode);
  if (!parsed.ok) throw invalidField(`${field}.areaCode`, 'areaCode', parsed.rule);
  const [area] = await tx
    .select({ code: areas.code, path: areas.path, level: areas.level })
    .from(areas)
    .where(eq(areas.code, input.areaCode));
  if (!area) throw invalidField(`${field}.areaCode`, 'areaCode', 'unknown');
  const levels = ROLE_LEVELS[role as Exclude<Role, 'dept_handler'>];
  if (levels && !levels.includes(area.level as AreaLevel))
    throw invalidField(`${field}.areaCode`, 'level', levels.join('/'));
  return {
    role: role as Role,
    areaCode: area.code,
    areaPath: area.path,
    departmentId: null,
    homeCode: area.code,
  };
}

function sameAssignment(
  a: { role: string; areaPath: string; departmentId: string | null },
  b: typeof a,
): boolean {
  return a.role === b.role && a.areaPath === b.areaPath && (a.departmentId ?? '') === (b.departmentId ?? '');
}

/** 三员分立: the three administrator roles are held by different accounts, never two by the same one. */
function checkSeparation(roles: Role[], field: string): void {
  const adminRoles = new Set(roles.filter((r) => ADMIN_ROLES.includes(r)));
  if (adminRoles.size > 1) throw new AppError('account.roles_separated', [{ field, rule: 'separation' }]);
}

/** Throws 403 unless the ability may grant (or revoke) this assignment. */
function authorizeAssignment(ability: Ability, a: { role: Role; areaPath: string }): void {
  ability.authorize('manage', 'Assignment', a.areaPath);
  if (ADMIN_ROLES.includes(a.role)) ability.authorize('manage', 'AdminAssignment', a.areaPath);
}

// ---------------------------------------------------------------------------------------------------------
// Views
// ---------------------------------------------------------------------------------------------------------

const accountColumns = {
  id: accounts.id,
  kind: accounts.kind,
  username: accounts.username,
  displayName: accounts.displayName,
  phoneMasked: accounts.phoneMasked,
  disabled: accounts.disabled,
  totpEnabled: accounts.totpEnabled,
  homeAreaPath: accounts.homeAreaPath,
  lastLoginAt: accounts.lastLoginAt,
  createdAt: accounts.createdAt,
  locked: sql<boolean>`coalesce(${loginFailures.lockedUntil} > now(), false)`,
};

type AccountRow = {
  id: string;
  kind: string;
  username: string | null;
  displayName: string;
  phoneMasked: string | null;
  disabled: boolean;
  totpEnabled: boolean;
  homeAreaPath: string | null;
  lastLoginAt: Date | null;
  createdAt: Date;
  locked: boolean;
};

function homeCodeOf(path: string | null): string | null {
  if (!path) return null;
  try {
    return codeFromPath(path);
  } catch {
    return null;
  }
}

/** The active assignments of several accounts in one query, with area and department names. */
async function assignmentViews(tx: Tx, accountIds: string[]): Promise<Map<string, AssignmentView[]>> {
  const out = new Map<string, AssignmentView[]>();
  if (accountIds.length === 0) return out;
  const rows = await tx
    .select({
      accountId: assignments.accountId,
      id: assignments.id,
      role: assignments.role,
      areaCode: assignments.areaCode,
      areaName: areas.name,
      areaPath: assignments.areaPath,
      departmentId: assignments.departmentId,
      departmentName: departments.name,
    })
    .from(assignments)
    .leftJoin(areas, eq(areas.code, assignments.areaCode))
    .leftJoin(departments, eq(departments.id, assignments.departmentId))
    .where(and(inArray(assignments.accountId, accountIds), isNull(assignments.revokedAt)))
    .orderBy(assignments.createdAt, assignments.id);
  for (const { accountId, ...r } of rows) {
    const list = out.get(accountId) ?? [];
    list.push({
      ...r,
      role: r.role as AssignmentView['role'],
      areaName: r.areaName ?? null,
      departmentName: r.departmentName ?? null,
    });
    out.set(accountId, list);
  }
  return out;
}

function toView(row: AccountRow, assigned: AssignmentView[]): AccountView {
  return {
    id: row.id,
    kind: row.kind as 'staff' | 'resident',
    username: row.username,
    displayName: row.displayName,
    phone: row.phoneMasked,
    disabled: row.disabled,
    locked: Boolean(row.locked),
    totpEnabled: row.totpEnabled,
    homeAreaCode: homeCodeOf(row.homeAreaPath),
    assignments: assigned,
    lastLoginAt: row.lastLoginAt ? row.lastLoginAt.toISOString() : null,
    createdAt: row.createdAt.toISOString(),
  };
}

/** Rows visible to the ability: home area in scope, or an active assignment in scope. */
function visibleWhere(ability: Ability) {
  const inScope = scopeWhere(ability, 'read', 'Account', accounts.homeAreaPath);
  const viaAssignment = scopeWhere(ability, 'read', 'Account', assignments.areaPath);
  return sql`(${inScope} or exists (select 1 from ${assignments} where ${assignments.accountId} = ${accounts.id} and ${assignments.revokedAt} is null and ${viaAssignment}))`;
}

async function selectAccounts(tx: Tx, where: SQL, limit?: number, offset?: number) {
  let q = tx
    .select(accountColumns)
    .from(accounts)
    .leftJoin(loginFailures, eq(loginFailures.key, sql`lower(${accounts.username})`))
    .where(where)
    .orderBy(sql`lower(${accounts.username}) collate "C" asc nulls last`, accounts.id)
    .$dynamic();
  if (limit !== undefined) q = q.limit(limit);
  if (offset !== undefined) q = q.offset(offset);
  return (await q) as AccountRow[];
}

/** The view of one account, without any visibility check (callers decide). */
export async function loadAccountView(tx: Tx, id: string): Promise<AccountView | null> {
  const [row] = await selectAccounts(tx, sql`${accounts.id} = ${id}`);
  if (!row) return null;
  return toView(row, (await assignmentViews(tx, [row.id])).get(row.id) ?? []);
}

// ---------------------------------------------------------------------------------------------------------
// Create
// ---------------------------------------------------------------------------------------------------------

/**
 * Creates an account with its assignments. `actor` null is the system (CLI, demo seed): no authorization.
 * Returns the view and, when none was given, the generated temporary password (shown once).
 */
export async function createAccount(
  ctx: AppContext,
  actor: Actor | null,
  input: CreateAccountInput,
  meta: RequestMeta = {},
): Promise<{ account: AccountView; temporaryPassword: string | null }> {
  const kind = input.kind ?? 'staff';
  const username = input.username;
  const displayName = cleanText(input.displayName, 'body.displayName');
  const ability = new Ability(actor);
  if (actor && !ability.can('create', 'Account')) throw new AppError('forbidden');

  const resolved: ResolvedAssignment[] = [];
  for (const [i, a] of input.assignments.entries()) {
    const r = await resolveAssignment(ctx.db, a, `body.assignments.${i}`);
    if (resolved.some((x) => sameAssignment(x, r))) throw invalidField(`body.assignments.${i}`, 'unique');
    resolved.push(r);
  }
  checkSeparation(
    resolved.map((r) => r.role),
    'body.assignments',
  );

  let homePath: string;
  if (input.homeAreaCode !== undefined) {
    const parsed = parseAreaCode(input.homeAreaCode);
    if (!parsed.ok) throw invalidField('body.homeAreaCode', 'areaCode', parsed.rule);
    const [area] = await ctx.db
      .select({ path: areas.path })
      .from(areas)
      .where(eq(areas.code, input.homeAreaCode));
    if (!area) throw invalidField('body.homeAreaCode', 'areaCode', 'unknown');
    homePath = area.path;
  } else if (resolved[0]) {
    homePath = resolved[0].areaPath;
  } else {
    throw invalidField('body.assignments', 'minItems', 1);
  }

  if (actor) {
    ability.authorize('create', 'Account', homePath);
    for (const r of resolved) authorizeAssignment(ability, r);
  }

  let temporaryPassword: string | null = null;
  let password = input.password;
  // The demo seed's shared password (LINLI_DEMO_PASSWORD) is the operator's choice and exempt from the policy.
  const exempt = actor === null && input.demo === true;
  if (password !== undefined && !exempt) {
    const problems = checkPasswordPolicy(password, ctx.config.passwordProfile, {
      username,
      field: 'body.password',
    });
    if (problems.length) throw new AppError('validation.failed', problems);
  } else if (password === undefined) {
    temporaryPassword = generateTemporaryPassword(ctx, username);
    password = temporaryPassword;
  }
  const mustChangePassword = input.mustChangePassword ?? temporaryPassword !== null;

  const [taken] = await ctx.db
    .select({ id: accounts.id })
    .from(accounts)
    .where(sql`lower(${accounts.username}) = ${username.toLowerCase()}`);
  if (taken) throw new AppError('account.username_taken', [{ field: 'body.username', rule: 'unique' }]);

  const passwordHash = await hashPassword(password);
  const phone = input.phone ?? null;
  if (phone !== null && !PHONE.test(phone)) throw invalidField('body.phone', 'pattern');
  let accountId: string;
  try {
    accountId = await ctx.db.transaction(async (tx) => {
      const [acc] = await tx
        .insert(accounts)
        .values({
          kind,
          username,
          displayName,
          passwordHash,
          phoneEnc: phone ? ctx.secrets.encrypt(phone) : null,
          phoneHash: phone ? ctx.secrets.keyedHash(phone, 'phone') : null,
          phoneMasked: phone ? maskPhone(phone) : null,
          homeAreaPath: homePath,
          mustChangePassword,
          passwordChangedAt: new Date(),
          demo: input.demo ?? false,
        })
        .returning({ id: accounts.id });
      const id = acc!.id;
      if (resolved.length) {
        await tx.insert(assignments).values(
          resolved.map((r) => ({
            accountId: id,
            role: r.role,
            areaCode: r.areaCode,
            areaPath: r.areaPath,
            departmentId: r.departmentId,
            createdBy: actor?.accountId ?? null,
          })),
        );
      }
      await tx.insert(passwordHistory).values({ accountId: id, passwordHash });
      await appendAudit(
        tx,
        auditEntry(actor, meta, {
          action: 'account.create',
          targetType: 'account',
          targetId: id,
          areaPath: homePath,
          outcome: 'success',
          details: {
            username,
            kind,
            roles: resolved.map((r) => r.role),
            temporaryPassword: temporaryPassword !== null,
          },
        }),
      );
      return id;
    });
  } catch (err) {
    if (isUniqueViolation(err, 'accounts_username_key')) {
      throw new AppError('account.username_taken', [{ field: 'body.username', rule: 'unique' }]);
    }
    throw err;
  }
  const account = await loadAccountView(ctx.db, accountId);
  return { account: account!, temporaryPassword };
}

// ---------------------------------------------------------------------------------------------------------
// List and read
// ---------------------------------------------------------------------------------------------------------

export interface AccountListInput {
  q?: string;
  role?: string;
  area?: string;
  disabled?: boolean;
  kind?: 'staff' | 'resident';
  limit?: number;
  offset?: number;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Accounts the actor may read, filtered, in a stable order (username, then id), with the total. */
export async function listAccounts(
  ctx: AppContext,
  actor: Actor,
  query: AccountListInput,
): Promise<{ items: AccountView[]; total: number }> {
  const ability = new Ability(actor);
  ability.authorize('read', 'Account');
  const conds: SQL[] = [visibleWhere(ability)];
  const q = query.q === undefined ? undefined : cleanText(query.q, 'querystring.q', 0);
  if (q) {
    const like = `%${escapeLike(q.toLowerCase())}%`;
    const parts = [
      sql`lower(${accounts.username}) like ${like}`,
      sql`lower(${accounts.displayName}) like ${like}`,
    ];
    if (PHONE.test(q)) parts.push(sql`${accounts.phoneHash} = ${ctx.secrets.keyedHash(q, 'phone')}`);
    conds.push(sql`(${sql.join(parts, sql` or `)})`);
  }
  if (query.role !== undefined) {
    conds.push(
      sql`exists (select 1 from ${assignments} where ${assignments.accountId} = ${accounts.id} and ${assignments.revokedAt} is null and ${assignments.role} = ${query.role})`,
    );
  }
  if (query.area !== undefined) {
    const parsed = parseAreaCode(query.area);
    if (!parsed.ok) throw invalidField('querystring.area', 'areaCode', parsed.rule);
    const prefix = `${parsed.path}%`;
    conds.push(
      sql`(${accounts.homeAreaPath} like ${prefix} or exists (select 1 from ${assignments} where ${assignments.accountId} = ${accounts.id} and ${assignments.revokedAt} is null and ${assignments.areaPath} like ${prefix}))`,
    );
  }
  if (query.disabled !== undefined) conds.push(sql`${accounts.disabled} = ${query.disabled}`);
  if (query.kind !== undefined) conds.push(sql`${accounts.kind} = ${query.kind}`);
  const where = sql.join(conds, sql` and `);

  const [counted] = await ctx.db
    .select({ n: sql<number>`count(*)::int` })
    .from(accounts)
    .where(where);
  const rows = await selectAccounts(ctx.db, where, query.limit ?? 50, query.offset ?? 0);
  const byAccount = await assignmentViews(
    ctx.db,
    rows.map((r) => r.id),
  );
  return { items: rows.map((r) => toView(r, byAccount.get(r.id) ?? [])), total: Number(counted?.n ?? 0) };
}

interface Target {
  id: string;
  kind: string;
  username: string | null;
  homeAreaPath: string | null;
  disabled: boolean;
  phoneEnc: string | null;
  roles: Role[];
}

/** An account the actor may read, or 404 (the same answer as for an id that does not exist). */
async function loadTarget(tx: Tx, ability: Ability, id: string): Promise<Target> {
  if (!UUID.test(id)) throw new AppError('not_found');
  const [row] = await tx
    .select({
      id: accounts.id,
      kind: accounts.kind,
      username: accounts.username,
      homeAreaPath: accounts.homeAreaPath,
      disabled: accounts.disabled,
      phoneEnc: accounts.phoneEnc,
    })
    .from(accounts)
    .where(and(eq(accounts.id, id), visibleWhere(ability)));
  if (!row) throw new AppError('not_found');
  const held = await tx
    .select({ role: assignments.role })
    .from(assignments)
    .where(and(eq(assignments.accountId, id), isNull(assignments.revokedAt)));
  return { ...row, roles: held.map((h) => h.role as Role) };
}

/**
 * Account-level writes (profile, disable, password reset, unlock) happen at the account's home area.
 * An account holding one of the three administrator roles is administered by the security administrator only,
 * so that the system administrator cannot take over the auditor's or the security administrator's account.
 */
function authorizeAccountWrite(ability: Ability, target: Target): void {
  if (target.roles.some((r) => ADMIN_ROLES.includes(r)))
    ability.authorize('manage', 'AdminAssignment', target.homeAreaPath);
  else ability.authorize('update', 'Account', target.homeAreaPath);
}

/** One account the actor may read; 404 otherwise. */
export async function getAccount(ctx: AppContext, actor: Actor, id: string): Promise<AccountView> {
  const ability = new Ability(actor);
  ability.authorize('read', 'Account');
  const target = await loadTarget(ctx.db, ability, id);
  return (await loadAccountView(ctx.db, target.id))!;
}

// ---------------------------------------------------------------------------------------------------------
// Update, disable
// ---------------------------------------------------------------------------------------------------------

export interface AccountUpdateInput {
  displayName?: string;
  phone?: string | null;
  disabled?: boolean;
}

/** Changes the display name or phone, or disables / re-enables the account (disabling ends its sessions). */
export async function updateAccount(
  ctx: AppContext,
  actor: Actor,
  id: string,
  input: AccountUpdateInput,
  meta: RequestMeta = {},
): Promise<AccountView> {
  const ability = new Ability(actor);
  ability.authorize('read', 'Account');
  await ctx.db.transaction(async (tx) => {
    const target = await loadTarget(tx, ability, id);
    authorizeAccountWrite(ability, target);
    if (input.disabled === true && target.id === actor.accountId) throw new AppError('forbidden');
    const set: Partial<typeof accounts.$inferInsert> = {};
    const changed: string[] = [];
    if (input.displayName !== undefined) {
      set.displayName = cleanText(input.displayName, 'body.displayName');
      changed.push('displayName');
    }
    if (input.phone !== undefined) {
      const phone = input.phone;
      if (phone !== null && !PHONE.test(phone)) throw invalidField('body.phone', 'pattern');
      set.phoneEnc = phone ? ctx.secrets.encrypt(phone) : null;
      set.phoneHash = phone ? ctx.secrets.keyedHash(phone, 'phone') : null;
      set.phoneMasked = phone ? maskPhone(phone) : null;
      changed.push('phone');
    }
    const toggled = input.disabled !== undefined && input.disabled !== target.disabled;
    if (toggled) set.disabled = input.disabled!;
    if (changed.length === 0 && !toggled) return;
    await tx
      .update(accounts)
      .set({ ...set, updatedAt: new Date() })
      .where(eq(accounts.id, target.id));
    const base = {
      targetType: 'account',
      targetId: target.id,
      areaPath: target.homeAreaPath,
      outcome: 'success' as const,
    };
    if (changed.length) {
      // Which fields changed, never their values: the audit log is no place for personal data.
      await appendAudit(
        tx,
        auditEntry(actor, meta, {
          ...base,
          action: 'account.update',
          details: { username: target.username, fields: changed },
        }),
      );
    }
    if (toggled) {
      if (input.disabled) await revokeAccountSessions(tx, target.id);
      await appendAudit(
        tx,
        auditEntry(actor, meta, {
          ...base,
          action: input.disabled ? 'account.disable' : 'account.enable',
          details: { username: target.username },
        }),
      );
    }
  });
  return (await loadAccountView(ctx.db, id))!;
}

// ---------------------------------------------------------------------------------------------------------
// Assignments
// ---------------------------------------------------------------------------------------------------------

/** Grants one more assignment; the account's sessions end so that its abilities are recomputed at next login. */
export async function addAssignment(
  ctx: AppContext,
  actor: Actor,
  id: string,
  input: AssignmentData,
  meta: RequestMeta = {},
): Promise<AccountView> {
  const ability = new Ability(actor);
  if (!ability.can('manage', 'Assignment')) throw new AppError('forbidden');
  try {
    await ctx.db.transaction(async (tx) => {
      const target = await loadTarget(tx, ability, id);
      if (target.id === actor.accountId) throw new AppError('account.self_assignment');
      const r = await resolveAssignment(tx, input, 'body');
      authorizeAssignment(ability, r);
      if (target.roles.some((role) => ADMIN_ROLES.includes(role))) {
        ability.authorize('manage', 'AdminAssignment', target.homeAreaPath);
      }
      checkSeparation([...target.roles, r.role], 'body.role');
      // Row-lock the account so that two concurrent grants of the same assignment serialise.
      await tx.select({ id: accounts.id }).from(accounts).where(eq(accounts.id, target.id)).for('update');
      const active = await tx
        .select({
          role: assignments.role,
          areaPath: assignments.areaPath,
          departmentId: assignments.departmentId,
        })
        .from(assignments)
        .where(and(eq(assignments.accountId, target.id), isNull(assignments.revokedAt)));
      if (active.some((a) => sameAssignment(a, r)))
        throw new AppError('conflict', [{ field: 'body', rule: 'unique' }]);
      const [row] = await tx
        .insert(assignments)
        .values({
          accountId: target.id,
          role: r.role,
          areaCode: r.areaCode,
          areaPath: r.areaPath,
          departmentId: r.departmentId,
          createdBy: actor.accountId,
        })
        .returning({ id: assignments.id });
      await revokeAccountSessions(tx, target.id);
      await appendAudit(
        tx,
        auditEntry(actor, meta, {
          action: 'assignment.add',
          targetType: 'account',
          targetId: target.id,
          areaPath: r.areaPath,
          outcome: 'success',
          details: {
            username: target.username,
            assignmentId: row!.id,
            role: r.role,
            areaCode: r.areaCode,
            departmentId: r.departmentId,
          },
        }),
      );
    });
  } catch (err) {
    if (isUniqueViolation(err, 'assignments_active_key'))
      throw new AppError('conflict', [{ field: 'body', rule: 'unique' }]);
    throw err;
  }
  return (await loadAccountView(ctx.db, id))!;
}

/** Revokes an assignment (kept with revokedAt/revokedBy, never deleted); the account's sessions end. */
export async function revokeAssignment(
  ctx: AppContext,
  actor: Actor,
  id: string,
  assignmentId: string,
  meta: RequestMeta = {},
): Promise<AccountView> {
  const ability = new Ability(actor);
  if (!ability.can('manage', 'Assignment')) throw new AppError('forbidden');
  await ctx.db.transaction(async (tx) => {
    const target = await loadTarget(tx, ability, id);
    if (target.id === actor.accountId) throw new AppError('account.self_assignment');
    if (!UUID.test(assignmentId)) throw new AppError('not_found');
    const [a] = await tx
      .select()
      .from(assignments)
      .where(
        and(
          eq(assignments.id, assignmentId),
          eq(assignments.accountId, target.id),
          isNull(assignments.revokedAt),
        ),
      )
      .for('update');
    if (!a) throw new AppError('not_found');
    authorizeAssignment(ability, { role: a.role as Role, areaPath: a.areaPath });
    if (target.roles.some((role) => ADMIN_ROLES.includes(role))) {
      ability.authorize('manage', 'AdminAssignment', target.homeAreaPath);
    }
    await tx
      .update(assignments)
      .set({ revokedAt: new Date(), revokedBy: actor.accountId })
      .where(eq(assignments.id, a.id));
    await revokeAccountSessions(tx, target.id);
    await appendAudit(
      tx,
      auditEntry(actor, meta, {
        action: 'assignment.revoke',
        targetType: 'account',
        targetId: target.id,
        areaPath: a.areaPath,
        outcome: 'success',
        details: {
          username: target.username,
          assignmentId: a.id,
          role: a.role,
          areaCode: a.areaCode,
          departmentId: a.departmentId,
        },
      }),
    );
  });
  return (await loadAccountView(ctx.db, id))!;
}

// ---------------------------------------------------------------------------------------------------------
// Password reset, unlock, reveal
// ---------------------------------------------------------------------------------------------------------

/** Sets a new temporary password (to be changed at next login), ends the sessions and lifts any lock-out. */
export async function resetPassword(
  ctx: AppContext,
  actor: Actor,
  id: string,
  meta: RequestMeta = {},
): Promise<{ temporaryPassword: string }> {
  const ability = new Ability(actor);
  ability.authorize('read', 'Account');
  const target = await loadTarget(ctx.db, ability, id);
  authorizeAccountWrite(ability, target);
  const temporaryPassword = generateTemporaryPassword(ctx, target.username);
  const passwordHash = await hashPassword(temporaryPassword);
  await ctx.db.transaction(async (tx) => {
    await tx
      .update(accounts)
      .set({ passwordHash, mustChangePassword: true, passwordChangedAt: new Date(), updatedAt: new Date() })
      .where(eq(accounts.id, target.id));
    await tx.insert(passwordHistory).values({ accountId: target.id, passwordHash });
    await revokeAccountSessions(tx, target.id);
    if (target.username) await clearFailures(tx, usernameLockKey(target.username));
    await appendAudit(
      tx,
      auditEntry(actor, meta, {
        action: 'account.password.reset',
        targetType: 'account',
        targetId: target.id,
        areaPath: target.homeAreaPath,
        outcome: 'success',
        details: { username: target.username },
      }),
    );
  });
  return { temporaryPassword };
}

/** Lifts a lock-out after failed logins. */
export async function unlockAccount(
  ctx: AppContext,
  actor: Actor,
  id: string,
  meta: RequestMeta = {},
): Promise<{ ok: true }> {
  const ability = new Ability(actor);
  ability.authorize('read', 'Account');
  const target = await loadTarget(ctx.db, ability, id);
  authorizeAccountWrite(ability, target);
  await ctx.db.transaction(async (tx) => {
    if (target.username) await clearFailures(tx, usernameLockKey(target.username));
    await appendAudit(
      tx,
      auditEntry(actor, meta, {
        action: 'account.unlock',
        targetType: 'account',
        targetId: target.id,
        areaPath: target.homeAreaPath,
        outcome: 'success',
        details: { username: target.username },
      }),
    );
  });
  return { ok: true };
}

/** Shows a personal field in clear for a stated purpose; every reveal is audited with the purpose. */
export async function revealPersonalData(
  ctx: AppContext,
  actor: Actor,
  id: string,
  body: { field: 'phone'; purpose: string },
  meta: RequestMeta = {},
): Promise<{ field: string; value: string | null }> {
  const ability = new Ability(actor);
  ability.authorize('reveal', 'PersonalData');
  const target = await loadTarget(ctx.db, ability, id);
  ability.authorize('reveal', 'PersonalData', target.homeAreaPath);
  const purpose = cleanText(body.purpose, 'body.purpose', 2);
  const value = target.phoneEnc ? ctx.secrets.decrypt(target.phoneEnc) : null;
  await ctx.db.transaction(async (tx) => {
    await appendAudit(
      tx,
      auditEntry(actor, meta, {
        action: 'personal.reveal',
        targetType: 'account',
        targetId: target.id,
        areaPath: target.homeAreaPath,
        outcome: 'success',
        details: { field: body.field, purpose, username: target.username },
      }),
    );
  });
  return { field: body.field, value };
}

// ---------------------------------------------------------------------------------------------------------
// Sessions
// ---------------------------------------------------------------------------------------------------------

export interface SessionViewRow {
  id: string;
  accountId: string;
  username: string | null;
  ip: string | null;
  userAgent: string | null;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
}

const activeSession = sql`${sessions.revokedAt} is null and ${sessions.expiresAt} > now() and ${sessions.lastSeenAt} + make_interval(secs => ${sessions.idleTimeoutSeconds}) > now()`;

/** Active sessions of accounts whose home lies in the actor's Session scope, most recently used first. */
export async function listSessions(
  ctx: AppContext,
  actor: Actor,
  query: { accountId?: string; limit?: number },
): Promise<{ items: SessionViewRow[] }> {
  const ability = new Ability(actor);
  ability.authorize('manage', 'Session');
  const conds: SQL[] = [activeSession, scopeWhere(ability, 'manage', 'Session', accounts.homeAreaPath)];
  if (query.accountId !== undefined) conds.push(sql`${sessions.accountId} = ${query.accountId}`);
  const rows = await ctx.db
    .select({
      id: sessions.id,
      accountId: sessions.accountId,
      username: accounts.username,
      ip: sessions.ip,
      userAgent: sessions.userAgent,
      createdAt: sessions.createdAt,
      lastSeenAt: sessions.lastSeenAt,
      expiresAt: sessions.expiresAt,
    })
    .from(sessions)
    .innerJoin(accounts, eq(accounts.id, sessions.accountId))
    .where(sql.join(conds, sql` and `))
    .orderBy(sql`${sessions.lastSeenAt} desc`, sessions.id)
    .limit(query.limit ?? 200);
  return {
    items: rows.map((r) => ({
      ...r,
      createdAt: r.createdAt.toISOString(),
      lastSeenAt: r.lastSeenAt.toISOString(),
      expiresAt: r.expiresAt.toISOString(),
    })),
  };
}

/** Ends one session (of an account in scope); 404 for sessions outside it. */
export async function terminateSession(
  ctx: AppContext,
  actor: Actor,
  sessionId: string,
  meta: RequestMeta = {},
): Promise<{ ok: true }> {
  const ability = new Ability(actor);
  ability.authorize('manage', 'Session');
  await ctx.db.transaction(async (tx) => {
    const [s] = await tx
      .select({
        id: sessions.id,
        accountId: sessions.accountId,
        revokedAt: sessions.revokedAt,
        username: accounts.username,
        homeAreaPath: accounts.homeAreaPath,
      })
      .from(sessions)
      .innerJoin(accounts, eq(accounts.id, sessions.accountId))
      .where(
        and(eq(sessions.id, sessionId), scopeWhere(ability, 'manage', 'Session', accounts.homeAreaPath)),
      );
    if (!s) throw new AppError('not_found');
    if (s.revokedAt) return;
    await revokeSession(tx, s.id);
    await appendAudit(
      tx,
      auditEntry(actor, meta, {
        action: 'session.revoke',
        targetType: 'session',
        targetId: s.id,
        areaPath: s.homeAreaPath,
        outcome: 'success',
        details: { accountId: s.accountId, username: s.username },
      }),
    );
  });
  return { ok: true };
}
