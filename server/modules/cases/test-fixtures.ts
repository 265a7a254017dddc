/** Test fixtures of the cases module: categories inserted directly, and cases placed at a status by the system. */
import { eq } from 'drizzle-orm';
import type { AppContext } from '../../context';
import { categories } from '../categories/tables';
import { intake } from './service';
import { cases } from './tables';

let n = 0;

export interface TestCategoryInput {
  matterClass?: 'public' | 'community' | 'private';
  handlingLevel?: 'community' | 'street' | 'district';
  urgent?: boolean;
  deadlineHours?: number | null;
  active?: boolean;
}

/** A category of its own, so tests do not depend on the shipped defaults. */
export async function insertCategory(ctx: AppContext, input: TestCategoryInput = {}): Promise<string> {
  const [row] = await ctx.db
    .insert(categories)
    .values({
      code: `test.case.${process.pid}.${++n}.${Date.now()}`,
      name: `测试分类${n}`,
      matterClass: input.matterClass ?? 'community',
      handlingLevel: input.handlingLevel ?? 'community',
      urgent: input.urgent ?? false,
      deadlineHours: input.deadlineHours ?? null,
      active: input.active ?? true,
    })
    .returning({ id: categories.id });
  return row!.id;
}

const sharedByCtx = new WeakMap<AppContext, Promise<string>>();

/**
 * One plain category per context, inserted on first use: the authorization matrices file many cases, and their
 * module outlives a test file (vitest shares modules between files), so it is kept by context, not in a variable.
 */
export function sharedCategory(ctx: AppContext): Promise<string> {
  let c = sharedByCtx.get(ctx);
  if (!c) {
    c = insertCategory(ctx);
    sharedByCtx.set(ctx, c);
  }
  return c;
}

export interface PlacedCase {
  id: string;
  number: string;
  version: number;
}

/**
 * A case taken in by the system at an area (a window case of a community-level category), then set straight to a
 * status and holder (its community, or a department) for tests that start mid-way (the events then start at 'report' only).
 */
export async function placeCase(
  ctx: AppContext,
  categoryId: string,
  areaCode: string,
  opts: {
    status?: string;
    leadDepartmentId?: string | null;
    departmentPath?: string;
    reporterAccountId?: string | null;
    dueAt?: Date | null;
  } = {},
): Promise<PlacedCase> {
  const c = await intake(ctx, null, {
    channel: 'window',
    categoryId,
    title: '楼道堆放杂物',
    description: '三单元楼道堆放杂物，影响通行',
    areaCode,
    reporterName: '张三',
    reporterPhone: '13800001234',
  });
  const patch: Partial<typeof cases.$inferInsert> = {};
  if (opts.status) patch.status = opts.status;
  // The holder is set here, whatever routing rules other tests of the same database left behind.
  if (opts.leadDepartmentId) {
    patch.leadDepartmentId = opts.leadDepartmentId;
    patch.level = 'district';
    patch.holderPath = opts.departmentPath ?? areaCode.slice(0, 6);
  } else {
    patch.leadDepartmentId = null;
    patch.level = 'community';
    patch.holderPath = areaCode.slice(0, 12);
  }
  if (opts.reporterAccountId !== undefined) patch.reporterAccountId = opts.reporterAccountId;
  if (opts.dueAt !== undefined) patch.dueAt = opts.dueAt;
  // A deadline never precedes the report (cases_due_after_report_check): a case due in the past was reported by then.
  if (opts.dueAt && opts.dueAt.getTime() < Date.now()) patch.createdAt = opts.dueAt;
  await ctx.db.update(cases).set(patch).where(eq(cases.id, c.id));
  return { id: c.id, number: c.number, version: c.version };
}
