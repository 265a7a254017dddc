/**
 * Demo focus-group tags for the demo city: a few of the demo residents (people/demo.ts) of the demo street tagged as
 * the seeds' groups — an elderly woman living alone, a 低保 household head, a disabled person, and one person under
 * community corrections, which the demo community and grid workers do not see (restricted: leaders and street staff).
 * Idempotent: a street whose residents hold any tag is left alone.
 */
import { and, asc, eq, like, sql } from 'drizzle-orm';
import { areaPath } from '../../../common/area-code';
import type { TagDetails } from '../../../common/schemas/tags';
import type { AppContext } from '../../context';
import { residents } from '../people/tables';
import { ensureDefaultTags } from './service';
import { residentTags, tags } from './tables';

/** Which demo resident (by name) holds which tag, with what details. */
const DEMO_TAGS: { name: string; code: string; details?: TagDetails; fromDate: string }[] = [
  { name: '张桂兰', code: 'elderly.alone', details: { contact: '女儿（外地）' }, fromDate: '2019-03-01' },
  { name: '张桂兰', code: 'elderly.advanced', fromDate: '2021-11-30' },
  { name: '张桂兰', code: 'hardship.dibao', details: { amount: 680 }, fromDate: '2020-01-01' },
  { name: '赵志强', code: 'disabled', details: { kind: '肢体', grade: '三级' }, fromDate: '2016-05-10' },
  { name: '赵志强', code: 'entitled.veteran', fromDate: '2000-12-01' },
  {
    name: '刘洋',
    code: 'special.corrections',
    details: { kind: '缓刑', periodStart: '2025-03-01', periodEnd: '2026-08-31' },
    fromDate: '2025-03-01',
  },
];

/** Tags a few demo residents of the street; returns how many tags were added. */
export async function seedDemoTags(ctx: AppContext, streetCode: string): Promise<number> {
  await ensureDefaultTags(ctx);
  const path = areaPath(streetCode);
  return ctx.db.transaction(async (tx) => {
    const [held] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(residentTags)
      .innerJoin(residents, eq(residents.id, residentTags.residentId))
      .where(like(residents.areaPath, `${path}%`));
    if ((held?.n ?? 0) > 0) return 0;
    const tagRows = await tx.select({ id: tags.id, code: tags.code }).from(tags);
    const tagId = new Map(tagRows.map((t) => [t.code, t.id]));
    let added = 0;
    for (const d of DEMO_TAGS) {
      // The first demo resident of that name in the street (the demo has one of each per grid).
      const [r] = await tx
        .select({ id: residents.id })
        .from(residents)
        .where(and(eq(residents.name, d.name), like(residents.areaPath, `${path}%`)))
        .orderBy(asc(residents.areaPath), asc(residents.id))
        .limit(1);
      const id = tagId.get(d.code);
      if (!r || !id) continue;
      await tx.insert(residentTags).values({
        residentId: r.id,
        tagId: id,
        detailsEnc: d.details ? ctx.secrets.encrypt(JSON.stringify(d.details)) : null,
        fromDate: d.fromDate,
      });
      added++;
    }
    return added;
  });
}
