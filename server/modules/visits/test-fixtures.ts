/** Test fixtures of home visits: a household with a member at a grid, visits and rules straight into the tables. */
import { areaPath } from '../../../common/area-code';
import type { AppContext } from '../../context';
import { insertHousehold, insertResident } from '../people/test-fixtures';
import { visitNeeds, visitRules, visits } from './tables';

/** A household (with one member as head) at a grid; returns its id and the member's. */
export async function householdAt(
  ctx: AppContext,
  gridCode: string,
): Promise<{ id: string; number: string; memberId: string }> {
  const r = await insertResident(ctx, gridCode);
  const h = await insertHousehold(ctx, gridCode, { memberId: r.id });
  return { id: h.id, number: h.number, memberId: r.id };
}

/** A visit straight into the table (with needs, if given), on a day (default today, China time). */
export async function insertVisit(
  ctx: AppContext,
  household: { id: string },
  gridCode: string,
  opts: { visitedOn?: string; visitorId?: string | null; needs?: string[] } = {},
): Promise<string> {
  const [row] = await ctx.db
    .insert(visits)
    .values({
      householdId: household.id,
      areaCode: gridCode,
      areaPath: areaPath(gridCode),
      visitedOn: opts.visitedOn ?? new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10),
      visitorId: opts.visitorId ?? null,
      visitorName: 'fixture',
      situation: '一切正常',
    })
    .returning({ id: visits.id });
  const needs = opts.needs ?? [];
  if (needs.length)
    await ctx.db
      .insert(visitNeeds)
      .values(needs.map((text, i) => ({ visitId: row!.id, n: i + 1, category: 'living', text })));
  return row!.id;
}

/** A rule in force straight into the table. */
export async function insertRule(
  ctx: AppContext,
  areaCode: string,
  intervalDays: number,
  tagId: string | null = null,
): Promise<string> {
  const [row] = await ctx.db
    .insert(visitRules)
    .values({ areaCode, areaPath: areaPath(areaCode), intervalDays, tagId })
    .returning({ id: visitRules.id });
  return row!.id;
}
