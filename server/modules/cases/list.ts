/** Case lists: the actor's cases in scope with filters, paging and counts by status, and the work list (mine). */
import { and, desc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import { parseAreaCode } from '../../../common/area-code';
import type { CaseListQuery } from '../../../common/schemas/cases';
import type { AppContext } from '../../context';
import { AppError } from '../../http/errors';
import type { Ability, Actor } from '../../policy/ability';
import { caseReach, caseScopeWhere } from '../../policy/scope';
import { statusCountsUnder } from './counts';
import { OPEN_STATUSES, type CaseStatus } from './machine';
import { selectCases, toView } from './service';
import { cases } from './tables';

const WAITING: CaseStatus[] = ['reported', 'accepted', 'dispatched', 'handling', 'suspended'];

/** Cases waiting for this actor's action (an approximation of the guard in SQL, for the work list). */
function mineWhere(actor: Actor): SQL {
  const parts: SQL[] = [];
  const waiting = inArray(cases.status, WAITING);
  for (const a of actor.assignments) {
    const under = (col: typeof cases.areaPath | typeof cases.holderPath) =>
      sql`${col} like ${a.areaPath + '%'}`;
    if (a.role === 'community_worker' || a.role === 'street_staff') {
      parts.push(and(isNull(cases.leadDepartmentId), under(cases.holderPath), waiting)!);
      parts.push(and(under(cases.areaPath), inArray(cases.status, ['handled', 'verified']))!);
    } else if (a.role === 'grid_worker') {
      parts.push(and(under(cases.areaPath), eq(cases.status, 'handled'))!);
    } else if (a.role === 'dept_handler' && a.departmentId) {
      parts.push(and(eq(cases.leadDepartmentId, a.departmentId), waiting)!);
    } else if (a.role === 'leader') {
      parts.push(
        and(isNull(cases.leadDepartmentId), eq(cases.level, 'district'), under(cases.holderPath), waiting)!,
      );
    }
  }
  parts.push(and(eq(cases.reporterAccountId, actor.accountId), eq(cases.status, 'closed'))!);
  return sql`(${sql.join(parts, sql` or `)})`;
}

/** The actor's cases, newest first, with filters, paging and counts by status. */
export async function listCases(ctx: AppContext, ability: Ability, actor: Actor, query: CaseListQuery) {
  const filters: SQL[] = [caseScopeWhere(ability, actor)];
  if (query.category) filters.push(eq(cases.categoryId, query.category));
  if (query.channel) filters.push(eq(cases.channel, query.channel));
  if (query.area) {
    const p = parseAreaCode(query.area);
    if (!p.ok)
      throw new AppError('validation.failed', [
        { field: 'querystring.area', rule: 'areaCode', limit: p.rule },
      ]);
    filters.push(sql`${cases.areaPath} like ${p.path + '%'}`);
  }
  if (query.overdue !== undefined) {
    const overdue = and(
      sql`${cases.dueAt} < now()`,
      inArray(
        cases.status,
        OPEN_STATUSES.filter((s) => s !== 'suspended'),
      ),
    )!;
    filters.push(query.overdue ? overdue : sql`not coalesce(${overdue}, false)`);
  }
  if (query.q) {
    const q = query.q.trim();
    filters.push(
      sql`(strpos(${cases.title}, ${q}) > 0 or ${cases.number} like ${q.replace(/[%_\\]/g, '') + '%'})`,
    );
  }
  if (query.mine) filters.push(mineWhere(actor));
  // The supervisor's list: open cases the deadline job found late, or a leader supervises (督办).
  if (query.supervision)
    filters.push(
      and(
        inArray(cases.status, OPEN_STATUSES),
        sql`(${cases.overdueEscalatedAt} is not null or ${cases.supervised})`,
      )!,
    );
  const base = and(...filters)!;
  const where = query.status ? and(base, eq(cases.status, query.status))! : base;
  const limit = query.limit ?? 50;
  const offset = query.offset ?? 0;
  // A selective filter (a work list, the supervisor's list, overdue, a search) matches few rows scattered through
  // time: walking the created_at index newest first until 50 match would read most of the table. Ordering by an
  // expression makes the planner find the matches through their own indexes and sort them instead. A plain scope
  // (dense) keeps the index walk.
  const selective =
    query.mine || query.supervision || query.overdue === true || query.q || query.category || query.channel;
  const pageOrder = selective
    ? [sql`${cases.createdAt} + interval '0 seconds' desc`, desc(cases.id)]
    : [desc(cases.createdAt), desc(cases.id)];
  const rows = await selectCases(ctx.db)
    .where(where)
    .orderBy(...pageOrder)
    .limit(limit)
    .offset(offset);
  // The status tabs: from the kept counts when the list is the plain area scope (the large lists: a street, a
  // district), else counted on the rows (filtered lists, department and resident scopes, which are small).
  const reach = caseReach(ability, actor);
  const plainScope =
    reach.departmentIds.length === 0 &&
    reach.paths.length > 0 &&
    !query.category &&
    !query.channel &&
    !query.area &&
    query.overdue === undefined &&
    !query.q &&
    !query.mine &&
    !query.supervision;
  let counts: Record<string, number> = {};
  if (plainScope) counts = await statusCountsUnder(ctx.db, reach.paths, actor.accountId);
  else {
    const grouped = await ctx.db
      .select({ status: cases.status, n: sql<number>`count(*)::int` })
      .from(cases)
      .where(base)
      .groupBy(cases.status);
    for (const g of grouped) counts[g.status] = Number(g.n);
  }
  const total = query.status ? (counts[query.status] ?? 0) : Object.values(counts).reduce((a, b) => a + b, 0);
  const now = new Date();
  return { items: rows.map((r) => toView(ctx, r, now)), total, counts };
}
