/**
 * The case category tree: reading it (every signed-in user: residents report cases too), creating and changing
 * categories (manage Category), and loading the default tree. Categories are never deleted, since cases refer to
 * them: deactivating one (active: false) hides it and everything below it from intake.
 */
import { asc, eq } from 'drizzle-orm';
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
import {
  changesOf,
  checkParent,
  ensureDefaultRows,
  orderTree,
  saveChanges,
  trimName,
  trimNameEn,
} from '../../tree';
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

/** The ids and parents of every category, to check where one may be placed. */
function treeLinks(tx: Tx) {
  return tx.select({ id: categories.id, parentId: categories.parentId }).from(categories);
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
    if (parentId !== null) checkParent(await treeLinks(tx), parentId, MAX_DEPTH);
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

    if (input.parentId !== undefined && input.parentId !== row.parentId && input.parentId !== null)
      checkParent(await treeLinks(tx), input.parentId, MAX_DEPTH, id);

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
    const update = changesOf(row, next, 'questions');
    if (Object.keys(update.changes).length === 0) return toCategory(row);
    return toCategory(await saveChanges(tx, categories, 'category', row, update, actor, meta));
  });
}

/**
 * Inserts the default categories that are missing, by code. Idempotent, and never overwrites what an
 * administrator changed (a renamed, moved or deactivated default stays as it is). Returns how many were added.
 * Call it once at start-up after the migrations (and in the demo seed).
 */
export async function ensureDefaultCategories(ctx: Pick<AppContext, 'db'>): Promise<{ inserted: number }> {
  return ensureDefaultRows<DefaultCategory>(ctx, categories, 'category', DEFAULT_CATEGORIES, (node) => ({
    name: node.name,
    nameEn: node.nameEn,
    matterClass: node.matterClass,
    handlingLevel: node.handlingLevel,
    urgent: node.urgent ?? false,
    deadlineHours: node.urgent ? (node.deadlineHours ?? null) : null,
    questions: node.questions ?? [],
  }));
}
