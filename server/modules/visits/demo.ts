/**
 * Demo visit rules and past visits for the demo city: the street's rule (every household every two months, the
 * seeds' 每两月全覆盖走访), focus-group rules where those tags exist (独居老人 weekly, 低保户 monthly), and a handful
 * of visits to the demo households of the first grid (people/demo.ts), some recent, one long ago, so that the demo
 * grid worker sees overdue and due visits and a coverage above zero. Idempotent: a rule already in force is left,
 * and visits are only added while the grid has none.
 */
import { and, asc, eq, inArray, isNull, like, sql } from 'drizzle-orm';
import { areaPath } from '../../../common/area-code';
import { chinaToday } from '../../../common/id-number';
import type { AppContext } from '../../context';
import type { Tx } from '../../db/client';
import { accounts } from '../accounts/tables';
import { SYSTEM_ACTOR_NAME } from '../areas/audit-meta';
import { areas } from '../areas/tables';
import { appendAudit } from '../audit/log';
import { householdMembers, households } from '../people/tables';
import { tags } from '../tags/tables';
import { visitNeeds, visitRules, visits } from './tables';

const DEMO_GRID_WORKER = 'demo.grid_worker';

/** Days ago, what was found, and needs: one entry per demo household of the grid, in household order. */
const PAST: { daysAgo: number; situation: string; needs?: { category: string; text: string }[] }[] = [
  { daysAgo: 12, situation: '一家三口均在家，生活正常，对小区环境满意。' },
  {
    daysAgo: 75,
    situation: '老人独居，身体尚可，子女每周探望。',
    needs: [{ category: 'elderly_care', text: '希望社区安排助餐服务' }],
  },
  {
    daysAgo: 26,
    situation: '租户，夫妻二人在家，孩子上幼儿园。',
    needs: [{ category: 'environment', text: '楼道照明灯损坏，夜间不便' }],
  },
];

function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

async function ensureRule(tx: Tx, areaCode: string, intervalDays: number, note: string, tagCode?: string) {
  let tagId: string | null = null;
  if (tagCode) {
    const [t] = await tx.select({ id: tags.id }).from(tags).where(eq(tags.code, tagCode));
    if (!t) return 0;
    tagId = t.id;
  }
  const [existing] = await tx
    .select({ id: visitRules.id })
    .from(visitRules)
    .where(
      and(
        eq(visitRules.areaCode, areaCode),
        isNull(visitRules.retiredAt),
        tagId ? eq(visitRules.tagId, tagId) : isNull(visitRules.tagId),
      ),
    );
  if (existing) return 0;
  await tx.insert(visitRules).values({ areaCode, areaPath: areaPath(areaCode), tagId, intervalDays, note });
  return 1;
}

/** Seeds the demo visit rules and visits under a street (the demo accounts' street); returns the visits made. */
export async function seedDemoVisits(ctx: AppContext, streetCode: string): Promise<number> {
  const [community] = await ctx.db
    .select({ code: areas.code })
    .from(areas)
    .where(and(eq(areas.level, 'community'), like(areas.path, `${areaPath(streetCode)}%`)))
    .orderBy(asc(areas.code))
    .limit(1);
  if (!community) return 0;
  const [grid] = await ctx.db
    .select({ code: areas.code, path: areas.path })
    .from(areas)
    .where(and(eq(areas.level, 'grid'), eq(areas.parentCode, community.code)))
    .orderBy(asc(areas.code))
    .limit(1);
  const [worker] = await ctx.db
    .select({ id: accounts.id, name: accounts.displayName })
    .from(accounts)
    .where(eq(accounts.username, DEMO_GRID_WORKER));

  return ctx.db.transaction(async (tx) => {
    let rules = await ensureRule(tx, streetCode, 60, '每户每两月走访一次（分片包户）');
    rules += await ensureRule(tx, streetCode, 7, '独居老人每周走访', 'elderly.alone');
    rules += await ensureRule(tx, streetCode, 30, '低保户每月走访', 'hardship.dibao');
    let made = 0;
    if (grid) {
      const homes = await tx
        .select({ id: households.id })
        .from(households)
        .where(eq(households.areaPath, grid.path))
        .orderBy(asc(households.number))
        .limit(PAST.length);
      const [any] = homes.length
        ? await tx
            .select({ id: visits.id })
            .from(visits)
            .where(
              inArray(
                visits.householdId,
                homes.map((h) => h.id),
              ),
            )
            .limit(1)
        : [];
      if (!any) {
        const today = chinaToday();
        for (const [i, h] of homes.entries()) {
          const past = PAST[i]!;
          const members = await tx
            .select({ id: householdMembers.residentId })
            .from(householdMembers)
            .where(and(eq(householdMembers.householdId, h.id), sql`${householdMembers.toDate} is null`));
          const [v] = await tx
            .insert(visits)
            .values({
              householdId: h.id,
              areaCode: grid.code,
              areaPath: grid.path,
              visitedOn: addDays(today, -past.daysAgo),
              visitorId: worker?.id ?? null,
              visitorName: worker?.name ?? SYSTEM_ACTOR_NAME,
              personsMet: members.slice(0, 2).map((m) => m.id),
              situation: past.situation,
              followUp: Boolean(past.needs?.length),
            })
            .returning({ id: visits.id });
          if (past.needs?.length)
            await tx
              .insert(visitNeeds)
              .values(
                past.needs.map((n, k) => ({ visitId: v!.id, n: k + 1, category: n.category, text: n.text })),
              );
          made++;
        }
      }
    }
    if (made + rules > 0)
      await appendAudit(tx, {
        actorName: SYSTEM_ACTOR_NAME,
        action: 'demo.seed.visits',
        targetType: 'area',
        targetId: streetCode,
        areaPath: areaPath(streetCode),
        outcome: 'success',
        details: { visits: made, rules },
      });
    return made;
  });
}
