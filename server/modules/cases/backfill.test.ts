import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE, seedFixtureAreas, startTestApp, type TestEnv } from '../../test/harness';
import { maskReporterNames } from './backfill';
import { intake } from './service';
import { cases } from './tables';
import { insertCategory } from './test-fixtures';

describe('the reporter names of cases written before they were kept masked', () => {
  let env: TestEnv;
  let category: string;

  beforeAll(async () => {
    env = await startTestApp();
    await seedFixtureAreas(env.ctx);
    category = await insertCategory(env.ctx);
  });
  afterAll(async () => env.close());

  const take = (name: string) =>
    intake(env.ctx, null, {
      channel: 'window',
      categoryId: category,
      title: '楼道堆放杂物',
      description: '三单元楼道堆放杂物',
      areaCode: FIXTURE.gridA1a,
      reporterName: name,
      reporterPhone: '13800001234',
    });

  it('are masked by the job in batches, once, and a name that no longer decrypts shows as *', async () => {
    const made = await Promise.all(['欧阳修', '李四', '王五'].map(take));
    const ids = made.map((c) => c.id);
    await env.ctx.db.update(cases).set({ reporterNameMasked: null }).where(inArray(cases.id, ids));
    // One name was written under a key the server no longer has.
    await env.ctx.db.update(cases).set({ reporterNameEnc: 'not-a-ciphertext' }).where(eq(cases.id, ids[2]!));

    // Batches of two: the three rows take two batches in one run.
    expect(await maskReporterNames(env.ctx, 2, 5)).toBe(3);
    const rows = await env.ctx.db
      .select({ id: cases.id, masked: cases.reporterNameMasked })
      .from(cases)
      .where(inArray(cases.id, ids));
    expect(Object.fromEntries(rows.map((r) => [r.id, r.masked]))).toEqual({
      [ids[0]!]: '欧**',
      [ids[1]!]: '李*',
      [ids[2]!]: '*',
    });
    expect(await maskReporterNames(env.ctx, 2, 5)).toBe(0);
  });

  it('leave cases without a reporter alone', async () => {
    const c = await intake(env.ctx, null, {
      channel: 'patrol',
      categoryId: category,
      title: '井盖缺失',
      description: '路口井盖缺失',
      areaCode: FIXTURE.gridA1b,
    });
    expect(await maskReporterNames(env.ctx)).toBe(0);
    const [row] = await env.ctx.db
      .select({ masked: cases.reporterNameMasked })
      .from(cases)
      .where(eq(cases.id, c.id));
    expect(row?.masked).toBeNull();
  });
});
