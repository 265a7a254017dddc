/**
 * Configurable trees kept as rows with a parent (the case category tree, the focus-group tag tree): ordering them,
 * checking where a node may be placed, naming, the changes of an update, and loading a tree of defaults by code.
 * Each module keeps its own table, columns and audit actions; the tree logic is this one.
 */
import { eq, sql } from 'drizzle-orm';
import type { PgColumn, PgInsertValue, PgTable, PgUpdateSetSource } from 'drizzle-orm/pg-core';
import type { AppContext } from './context';
import type { Tx } from './db/client';
import { invalidField } from './http/errors';
import type { Actor } from './policy/ability';
import { auditActor, type RequestMeta } from './modules/areas/audit-meta';
import { appendAudit } from './modules/audit/log';

/** What every tree row has. */
export interface TreeRow {
  id: string;
  parentId: string | null;
  code: string;
  sort: number;
}

/** Parents before children; siblings by sort, then code. A row whose parent is not among the rows is a root. */
export function orderTree<T extends TreeRow>(rows: T[]): T[] {
  const ids = new Set(rows.map((r) => r.id));
  const children = new Map<string | null, T[]>();
  for (const r of rows) {
    const parent = r.parentId !== null && ids.has(r.parentId) ? r.parentId : null;
    const list = children.get(parent) ?? [];
    list.push(r);
    children.set(parent, list);
  }
  const out: T[] = [];
  const walk = (parent: string | null) => {
    const list = (children.get(parent) ?? []).sort((a, b) => a.sort - b.sort || a.code.localeCompare(b.code));
    for (const r of list) {
      out.push(r);
      walk(r.id);
    }
  };
  walk(null);
  return out;
}

type Link = Pick<TreeRow, 'id' | 'parentId'>;

/** The chain from a node up to its root (the node first), cut after `maxDepth + 2` steps (a cycle ends there). */
export function chainOf(all: Link[], id: string, maxDepth: number): string[] {
  const byId = new Map(all.map((r) => [r.id, r]));
  const chain: string[] = [];
  for (let cur: string | null = id; cur !== null && chain.length <= maxDepth + 1;) {
    chain.push(cur);
    cur = byId.get(cur)?.parentId ?? null;
  }
  return chain;
}

/** The height of the subtree below a node (0 for a leaf). */
export function heightBelow(all: Link[], id: string): number {
  const kids = new Map<string, string[]>();
  for (const r of all) if (r.parentId) kids.set(r.parentId, [...(kids.get(r.parentId) ?? []), r.id]);
  const seen = new Set<string>();
  const height = (n: string): number => {
    if (seen.has(n)) return 0;
    seen.add(n);
    return Math.max(0, ...(kids.get(n) ?? []).map((c) => 1 + height(c)));
  };
  return height(id);
}

/**
 * Checks a new parent (body.parentId) among all the tree's rows: it exists (400 exists), is not the node itself or
 * below it when `moving` names the node being moved (400 cycle), and the tree stays at most `maxDepth` deep with
 * the node (and, when moving, its subtree) under it (400 maxItems).
 */
export function checkParent(all: Link[], parentId: string, maxDepth: number, moving?: string): void {
  if (!all.some((r) => r.id === parentId)) throw invalidField('body.parentId', 'exists');
  const chain = chainOf(all, parentId, maxDepth);
  if (moving !== undefined && chain.includes(moving)) throw invalidField('body.parentId', 'cycle');
  const below = moving === undefined ? 0 : heightBelow(all, moving);
  if (chain.length + 1 + below > maxDepth) throw invalidField('body.parentId', 'maxItems', maxDepth);
}

/** A node's name, trimmed; an empty one is 400 minLength on the field. */
export function trimName(name: string, field: string): string {
  const t = name.trim();
  if (t.length < 1) throw invalidField(field, 'minLength', 1);
  return t;
}

/** An optional English name, trimmed; empty becomes null, absent stays absent. */
export function trimNameEn(name: string | null | undefined): string | null | undefined {
  if (name === undefined || name === null) return name;
  const t = name.trim();
  return t === '' ? null : t;
}

/**
 * What an update changes: the given values (undefined: not given) that differ from the row, and for the audit entry
 * each one's before and after (`opaque` fields are recorded as changed without their contents).
 */
export function changesOf<R extends object>(
  row: R,
  next: Partial<Record<keyof R, unknown>>,
  opaque: keyof R,
): { changes: Partial<R>; diff: Record<string, { from: unknown; to: unknown }> } {
  const changes: Partial<R> = {};
  const diff: Record<string, { from: unknown; to: unknown }> = {};
  for (const [k, v] of Object.entries(next) as [keyof R & string, unknown][]) {
    if (v === undefined) continue;
    const before = row[k];
    if (JSON.stringify(before) === JSON.stringify(v)) continue;
    changes[k] = v as R[typeof k];
    diff[k] = k === opaque ? { from: 'changed', to: 'changed' } : { from: before, to: v };
  }
  return { changes, diff };
}

/** A default node, with its children. */
export interface DefaultNode<N> {
  code: string;
  children?: N[];
}

/** Defaults depth-first, parents before children, each with its parent's code and a sort of 10, 20, … */
export function flattenDefaults<N extends DefaultNode<N>>(
  nodes: N[],
  parentCode: string | null = null,
): { node: N; parentCode: string | null; sort: number }[] {
  const out: { node: N; parentCode: string | null; sort: number }[] = [];
  nodes.forEach((node, i) => {
    out.push({ node, parentCode, sort: (i + 1) * 10 });
    out.push(...flattenDefaults(node.children ?? [], node.code));
  });
  return out;
}

/** A tree's table as `ensureDefaultRows` and `saveChanges` need it: rows with an id, a unique code, a version. */
type CodedTable = PgTable & { id: PgColumn; code: PgColumn; version: PgColumn };

/**
 * Writes an update's changes (from `changesOf`) to a node, its version one up, and audits it as `<target>.update`,
 * or `.deactivate` / `.activate` when that is what changed. Answers the row as written.
 */
export async function saveChanges<R extends { id: string; code: string; version: number }>(
  tx: Tx,
  table: CodedTable,
  target: 'category' | 'tag',
  row: R,
  update: { changes: Partial<R> & { active?: unknown }; diff: Record<string, unknown> },
  actor: Actor | null,
  meta: RequestMeta,
): Promise<R> {
  const [fresh] = await tx
    .update(table)
    // The columns differ per table; the changes are the row's own (from changesOf).
    .set({
      ...update.changes,
      version: sql`${table.version} + 1`,
      updatedAt: sql`now()`,
    } as PgUpdateSetSource<CodedTable>)
    .where(eq(table.id, row.id))
    .returning();
  const active = update.changes.active;
  const action = active === false ? 'deactivate' : active === true ? 'activate' : 'update';
  await appendAudit(tx, {
    ...auditActor(actor, meta),
    action: `${target}.${action}`,
    targetType: target,
    targetId: row.id,
    outcome: 'success',
    details: { code: row.code, ...update.diff, version: row.version + 1 },
  });
  return fresh as unknown as R;
}

/**
 * Inserts the default nodes that are missing, by code, in one transaction: idempotent, and never changes a row an
 * administrator changed (renamed, moved, deactivated). `values` gives a node's columns beside its parent and sort.
 * One audit entry (`<target>.defaults`) names the codes inserted. Call it at start-up after the migrations.
 */
export async function ensureDefaultRows<N extends DefaultNode<N>>(
  ctx: Pick<AppContext, 'db'>,
  table: CodedTable,
  target: 'category' | 'tag',
  defaults: N[],
  values: (node: N) => Record<string, unknown>,
): Promise<{ inserted: number }> {
  return ctx.db.transaction(async (tx) => {
    const existing = await tx.select({ id: table.id, code: table.code }).from(table);
    const idByCode = new Map(existing.map((r) => [r.code as string, r.id as string]));
    const added: string[] = [];
    // Parents precede their children, so a child finds its parent's id.
    for (const { node, parentCode, sort } of flattenDefaults(defaults)) {
      if (idByCode.has(node.code)) continue;
      const parentId = parentCode === null ? null : (idByCode.get(parentCode) ?? null);
      const [row] = await tx
        .insert(table)
        // The columns differ per table; `values` writes those of its own (checked by the database).
        .values({ ...values(node), code: node.code, parentId, sort } as PgInsertValue<CodedTable>)
        .onConflictDoNothing()
        .returning({ id: table.id });
      if (row) {
        idByCode.set(node.code, row.id as string);
        added.push(node.code);
      } else {
        // Inserted meanwhile by another server starting at the same time.
        const [other] = await tx.select({ id: table.id }).from(table).where(eq(table.code, node.code));
        if (other) idByCode.set(node.code, other.id as string);
      }
    }
    if (added.length > 0)
      await appendAudit(tx, {
        ...auditActor(null),
        action: `${target}.defaults`,
        targetType: target,
        outcome: 'success',
        details: { inserted: added.length, codes: added },
      });
    return { inserted: added.length };
  });
}
