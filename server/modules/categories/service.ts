/**
 * The case category tree: reading it (every signed-in user: residents report cases too), creating and changing
 * categories (manage Category), and loading the default tree. Categories are never deleted, since cases refer to
 * them: deactivating one (active: false) hides it and everything below it from intake.
 */
import { asc, eq, sql } from 'drizzle-orm';
import type {
  Category,
  CategoryCreate,
  CategoryQuestion,
  CategoryUpdate,
  HandlingLevel,
  MatterClass,
} from '../../../common/schemas/categories';
import type { AppContext } from '../../context';
import type { Tx } from '../../db/client';
import { AppError, invalidField, type FieldProblem } from '../../http/errors';
import { Ability, type Actor } from '../../policy/ability';
import { appendAudit } from '../audit/log';
import { auditActor, type RequestMeta } from '../areas/audit-meta';
import { DEFAULT_CATEGORIES, type DefaultCategory } from './data/default-categories';
import { categories } from './tables';

export type CategoryRow = typeof categories.$inferSelect;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The tree is kept shallow: top level, children, grandchildren, one more. */
const MAX_DEPTH = 4;

export function toCategory(row: CategoryRow): Category {
  return {
    id: row.id,
    code: row.code,
    parentId: row.parentId,
    name: row.name,
    nameEn: row.nameEn,
    matterClass: row.matterClass as MatterClass,
    handlingLevel: row.handlingLevel as HandlingLevel,
    urgent: row.urgent,
    deadlineHours: row.deadlineHours,
    deadlineWorkingDays: row.deadlineWorkingDays,
    questions: (row.questions ?? []) as CategoryQuestion[],
    active: row.active,
    sort: row.sort,
    version: row.version,
    updatedAt: new Date(row.updatedAt).toISOString(),
  };
}

/** One category by id (active or not), or 404 category.unknown; for the cases module as well. */
export async function getCategory(tx: Tx, id: string): Promise<CategoryRow> {
  // A malformed id would abort the caller's transaction with a PostgreSQL error; it is simply unknown.
  if (!UUID.test(id)) throw new AppError('category.unknown');
  const [row] = await tx.select().from(categories).where(eq(categories.id, id)).limit(1);
  if (!row) throw new AppError('category.unknown');
  return row;
}

/** Parents before children; siblings by sort, then code. */
function orderTree(rows: CategoryRow[]): CategoryRow[] {
  const byParent = new Map<string | null, CategoryRow[]>();
  const ids = new Set(rows.map((r) => r.id));
  for (const r of rows) {
    const key = r.parentId !== null && ids.has(r.parentId) ? r.parentId : null;
    const list = byParent.get(key) ?? [];
    list.push(r);
    byParent.set(key, list);
  }
  const out: CategoryRow[] = [];
  const walk = (parent: string | null) => {
    const children = (byParent.get(parent) ?? []).sort(
      (a, b) => a.sort - b.sort || a.code.localeCompare(b.code),
    );
    for (const c of children) {
      out.push(c);
      walk(c.id);
    }
  };
  walk(null);
  return out;
}

/**
 * The category tree as a flat list (parents first). activeOnly: only active categories under active ancestors.
 * Open to every signed-in user: it is what a resident picks from when reporting.
 */
export async function listCategories(ctx: AppContext, activeOnly = true): Promise<Category[]> {
  const rows = orderTree(await ctx.db.select().from(categories).orderBy(asc(categories.sort)));
  if (!activeOnly) return rows.map(toCategory);
  const visible = new Set<string>();
  const out: Category[] = [];
  for (const r of rows) {
    // Parents come first, so a child sees whether its parent was kept.
    if (!r.active || (r.parentId !== null && !visible.has(r.parentId))) continue;
    visible.add(r.id);
    out.push(toCategory(r));
  }
  return out;
}

/** Refuses a combination of urgency and deadlines that does not fit: urgent counts hours, the others working days. */
function checkDeadlines(state: {
  urgent: boolean;
  deadlineHours: number | null;
  deadlineWorkingDays: number | null;
}): void {
  const problems: FieldProblem[] = [];
  if (state.urgent && state.deadlineHours === null)
    problems.push({ field: 'body.deadlineHours', rule: 'required' });
  if (!state.urgent && state.deadlineHours !== null)
    problems.push({ field: 'body.deadlineHours', rule: 'urgentOnly' });
  if (state.urgent && state.deadlineWorkingDays !== null)
    problems.push({ field: 'body.deadlineWorkingDays', rule: 'notForUrgent' });
  if (problems.length) throw new AppError('validation.failed', problems);
}

/** Select questions need options, the others take none; keys are unique. */
function checkQuestions(questions: CategoryQuestion[] | undefined): CategoryQuestion[] | undefined {
  if (questions === undefined) return undefined;
  const keys = new Set<string>();
  questions.forEach((q, i) => {
    if (keys.has(q.key)) throw invalidField(`body.questions.${i}.key`, 'unique');
    keys.add(q.key);
    if (q.type === 'select' && !q.options?.length)
      throw invalidField(`body.questions.${i}.options`, 'required');
    if (q.type !== 'select' && q.options !== undefined)
      throw invalidField(`body.questions.${i}.options`, 'invalid');
  });
  return questions.map((q) => ({ ...q, label: q.label.trim() }));
}

function trimName(name: string, field: string): string {
  const t = name.trim();
  if (t.length < 1) throw invalidField(field, 'minLength', 1);
  return t;
}

function trimNameEn(name: string | null | undefined): string | null | undefined {
  if (name === undefined || name === null) return name;
  const t = name.trim();
  return t === '' ? null : t;
}

/** The depth of a category (1 = top level), walking up its parents. */
async function depthOf(tx: Tx, id: string): Promise<{ depth: number; chain: string[] }> {
  const chain: string[] = [];
  let current: string | null = id;
  while (current !== null && chain.length <= MAX_DEPTH + 1) {
    chain.push(current);
    const [row] = await tx
      .select({ parentId: categories.parentId })
      .from(categories)
      .where(eq(categories.id, current));
    current = row?.parentId ?? null;
  }
  return { depth: chain.length, chain };
}

/** The height of the subtree below a category (0 for a leaf). */
async function heightBelow(tx: Tx, id: string): Promise<number> {
  const rows = await tx.select({ id: categories.id, parentId: categories.parentId }).from(categories);
  const children = new Map<string, string[]>();
  for (const r of rows) {
    if (r.parentId === null) continue;
    const list = children.get(r.parentId) ?? [];
    list.push(r.id);
    children.set(r.parentId, list);
  }
  const seen = new Set<string>();
  const height = (n: string): number => {
    if (seen.has(n)) return 0;
    seen.add(n);
    return Math.max(0, ...(children.get(n) ?? []).map((c) => 1 + height(c)));
  };
  return height(id);
}

/** Creates a category; a code already taken is 409 category.code_taken, an unknown parent 400 on body.parentId. */
export async function createCategory(
  ctx: AppContext,
  actor: Actor | null,
  input: CategoryCreate,
  meta: RequestMeta = {},
): Promise<Category> {
  if (actor) new Ability(actor).authorize('manage', 'Category');
  const name = trimName(input.name, 'body.name');
  const urgent = input.urgent ?? false;
  const deadlineHours = input.deadlineHours ?? null;
  const deadlineWorkingDays = input.deadlineWorkingDays ?? null;
  checkDeadlines({ urgent, deadlineHours, deadlineWorkingDays });
  const questions = checkQuestions(input.questions) ?? [];
  const parentId = input.parentId ?? null;

  return ctx.db.transaction(async (tx) => {
    if (parentId !== null) {
      const [parent] = await tx
        .select({ id: categories.id })
        .from(categories)
        .where(eq(categories.id, parentId));
      if (!parent) throw invalidField('body.parentId', 'exists');
      if ((await depthOf(tx, parentId)).depth >= MAX_DEPTH)
        throw invalidField('body.parentId', 'maxItems', MAX_DEPTH);
    }
    const [row] = await tx
      .insert(categories)
      .values({
        code: input.code,
        parentId,
        name,
        nameEn: trimNameEn(input.nameEn) ?? null,
        matterClass: input.matterClass,
        handlingLevel: input.handlingLevel,
        urgent,
        deadlineHours,
        deadlineWorkingDays,
        questions,
        active: input.active ?? true,
        sort: input.sort ?? 0,
      })
      .onConflictDoNothing()
      .returning();
    if (!row) throw new AppError('category.code_taken');
    await appendAudit(tx, {
      ...auditActor(actor, meta),
      action: 'category.create',
      targetType: 'category',
      targetId: row.id,
      outcome: 'success',
      details: {
        code: row.code,
        name,
        parentId,
        matterClass: row.matterClass,
        handlingLevel: row.handlingLevel,
        urgent,
      },
    });
    return toCategory(row);
  });
}

type Changes = Partial<
  Pick<
    CategoryRow,
    | 'parentId'
    | 'name'
    | 'nameEn'
    | 'matterClass'
    | 'handlingLevel'
    | 'urgent'
    | 'deadlineHours'
    | 'deadlineWorkingDays'
    | 'questions'
    | 'sort'
    | 'active'
  >
>;

/**
 * Changes a category (rename, move, reclassify, deadlines, questions, deactivate or reactivate); a stale version
 * is 409 conflict. Switching urgency clears the deadline of the other kind unless one is given.
 */
export async function updateCategory(
  ctx: AppContext,
  actor: Actor | null,
  id: string,
  input: CategoryUpdate,
  meta: RequestMeta = {},
): Promise<Category> {
  if (actor) new Ability(actor).authorize('manage', 'Category');
  const name = input.name === undefined ? undefined : trimName(input.name, 'body.name');
  const questions = checkQuestions(input.questions);

  return ctx.db.transaction(async (tx) => {
    const [row] = await tx.select().from(categories).where(eq(categories.id, id)).for('update');
    if (!row) throw new AppError('category.unknown');
    if (input.version !== undefined && input.version !== row.version) throw new AppError('conflict');

    const urgent = input.urgent ?? row.urgent;
    const switched = urgent !== row.urgent;
    const deadlineHours =
      input.deadlineHours !== undefined
        ? input.deadlineHours
        : switched && !urgent
          ? null
          : row.deadlineHours;
    const deadlineWorkingDays =
      input.deadlineWorkingDays !== undefined
        ? input.deadlineWorkingDays
        : switched && urgent
          ? null
          : row.deadlineWorkingDays;
    checkDeadlines({ urgent, deadlineHours, deadlineWorkingDays });

    if (input.parentId !== undefined && input.parentId !== row.parentId && input.parentId !== null) {
      const [parent] = await tx
        .select({ id: categories.id })
        .from(categories)
        .where(eq(categories.id, input.parentId));
      if (!parent) throw invalidField('body.parentId', 'exists');
      const { depth, chain } = await depthOf(tx, input.parentId);
      if (chain.includes(id)) throw invalidField('body.parentId', 'cycle');
      if (depth + 1 + (await heightBelow(tx, id)) > MAX_DEPTH)
        throw invalidField('body.parentId', 'maxItems', MAX_DEPTH);
    }

    const next: Changes = {
      parentId: input.parentId,
      name,
      nameEn: trimNameEn(input.nameEn),
      matterClass: input.matterClass,
      handlingLevel: input.handlingLevel,
      urgent: input.urgent,
      deadlineHours,
      deadlineWorkingDays,
      questions,
      sort: input.sort,
      active: input.active,
    };
    const changes: Changes = {};
    const diff: Record<string, { from: unknown; to: unknown }> = {};
    for (const [k, v] of Object.entries(next) as [keyof Changes, unknown][]) {
      if (v === undefined) continue;
      const before = row[k];
      if (JSON.stringify(before) === JSON.stringify(v)) continue;
      (changes as Record<string, unknown>)[k] = v;
      diff[k] = k === 'questions' ? { from: 'changed', to: 'changed' } : { from: before, to: v };
    }
    if (Object.keys(changes).length === 0) return toCategory(row);

    const [fresh] = await tx
      .update(categories)
      .set({ ...changes, version: sql`${categories.version} + 1`, updatedAt: sql`now()` })
      .where(eq(categories.id, id))
      .returning();
    const action =
      changes.active === false
        ? 'category.deactivate'
        : changes.active === true
          ? 'category.activate'
          : 'category.update';
    await appendAudit(tx, {
      ...auditActor(actor, meta),
      action,
      targetType: 'category',
      targetId: id,
      outcome: 'success',
      details: { code: row.code, ...diff, version: row.version + 1 },
    });
    return toCategory(fresh!);
  });
}

function flatten(nodes: DefaultCategory[], parentCode: string | null = null) {
  const out: { node: DefaultCategory; parentCode: string | null; sort: number }[] = [];
  nodes.forEach((node, i) => {
    out.push({ node, parentCode, sort: (i + 1) * 10 });
    out.push(...flatten(node.children ?? [], node.code));
  });
  return out;
}

/**
 * Inserts the default categories that are missing, by code. Idempotent, and never overwrites what an
 * administrator changed (a renamed, moved or deactivated default stays as it is). Returns how many were added.
 * Call it once at start-up after the migrations (and in the demo seed).
 */
export async function ensureDefaultCategories(ctx: Pick<AppContext, 'db'>): Promise<{ inserted: number }> {
  const all = flatten(DEFAULT_CATEGORIES);
  return ctx.db.transaction(async (tx) => {
    const existing = await tx.select({ id: categories.id, code: categories.code }).from(categories);
    const idByCode = new Map(existing.map((r) => [r.code, r.id]));
    const added: string[] = [];
    // Parents precede their children in `all`, so a child finds its parent's id.
    for (const { node, parentCode, sort } of all) {
      if (idByCode.has(node.code)) continue;
      const [row] = await tx
        .insert(categories)
        .values({
          code: node.code,
          parentId: parentCode === null ? null : (idByCode.get(parentCode) ?? null),
          name: node.name,
          nameEn: node.nameEn,
          matterClass: node.matterClass,
          handlingLevel: node.handlingLevel,
          urgent: node.urgent ?? false,
          deadlineHours: node.urgent ? (node.deadlineHours ?? null) : null,
          questions: node.questions ?? [],
          sort,
        })
        .onConflictDoNothing()
        .returning({ id: categories.id });
      if (row) {
        idByCode.set(node.code, row.id);
        added.push(node.code);
      } else {
        // Inserted meanwhile by another server starting at the same time.
        const [other] = await tx
          .select({ id: categories.id })
          .from(categories)
          .where(eq(categories.code, node.code));
        if (other) idByCode.set(node.code, other.id);
      }
    }
    if (added.length > 0) {
      await appendAudit(tx, {
        ...auditActor(null),
        action: 'category.defaults',
        targetType: 'category',
        outcome: 'success',
        details: { inserted: added.length, codes: added },
      });
    }
    return { inserted: added.length };
  });
}
