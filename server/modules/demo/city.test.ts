import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIdNumber } from '../../../common/id-number';
import { queryRows } from '../../db/client';
import { startTestApp, type TestEnv } from '../../test/harness';
import { seedCity } from './city';

let env: TestEnv;

beforeAll(async () => {
  env = await startTestApp();
});
afterAll(async () => env?.close());

describe('the synthetic city', () => {
  it('makes exactly N residents with valid ID numbers of real region codes, in households, dwellings and grids', async () => {
    const r = await seedCity(env.ctx, { residents: 2000, seed: 7, batch: 700 });
    expect(r).toMatchObject({ district: '340302000000', residents: 2000 });
    const [counts] = await queryRows<Record<string, number>>(
      env.ctx.db,
      sql`select (select count(*)::int from residents where district_path = '340302') as residents,
                 (select count(*)::int from households where area_path like '340302%') as households,
                 (select count(*)::int from household_members where to_date is null) as members,
                 (select count(*)::int from resident_dwellings where to_date is null) as links,
                 (select count(*)::int from resident_events where kind = 'registered') as events,
                 (select count(*)::int from households where head_resident_id is null) as headless,
                 (select count(distinct area_code)::int from residents) as grids`,
    );
    expect(counts).toMatchObject({
      residents: 2000,
      households: r.households,
      members: 2000,
      links: 2000,
      events: 2000,
      headless: 0,
    });
    expect(counts!.grids).toBe(r.grids);
    expect(r.households).toBeGreaterThan(2000 / 4);
    expect(r.households).toBeLessThan(2000 / 2);

    const people = await queryRows<{
      id_number_enc: string | null;
      gender: string;
      birth_date: string;
      residence_type: string;
      permit_expires_on: string | null;
      name: string;
      area_code: string;
    }>(
      env.ctx.db,
      sql`select id_number_enc, gender, birth_date::text as birth_date, residence_type,
                 permit_expires_on::text as permit_expires_on, name, area_code from residents`,
    );
    const regions = new Map<string, number>();
    const types = { registered: 0, floating: 0, foreign: 0 } as Record<string, number>;
    for (const p of people) {
      types[p.residence_type]!++;
      expect(p.area_code).toMatch(/^340302\d{9}$/);
      if (p.residence_type === 'floating') expect(p.permit_expires_on).not.toBeNull();
      if (!p.id_number_enc) {
        expect(p.residence_type).toBe('foreign');
        continue;
      }
      const parsed = parseIdNumber(env.ctx.secrets.decrypt(p.id_number_enc));
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) continue;
      expect(parsed.birthDate).toBe(p.birth_date);
      expect(parsed.gender).toBe(p.gender);
      regions.set(parsed.regionCode, (regions.get(parsed.regionCode) ?? 0) + 1);
    }
    // Mostly 户籍, some 流动, few 境外; most ID numbers of the district itself.
    expect(types.registered! / 2000).toBeGreaterThan(0.7);
    expect(types.floating).toBeGreaterThan(50);
    expect(types.foreign! / 2000).toBeLessThan(0.05);
    expect(regions.get('340302')! / 2000).toBeGreaterThan(0.5);
    // Realistic names: common surnames lead.
    const surnames = new Map<string, number>();
    for (const p of people) surnames.set(p.name[0]!, (surnames.get(p.name[0]!) ?? 0) + 1);
    const top = [...surnames.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([s]) => s);
    expect(top.some((s) => ['王', '李', '张', '刘', '陈'].includes(s))).toBe(true);
  });

  it('refuses to run twice into the same district', async () => {
    await expect(seedCity(env.ctx, { residents: 10, seed: 7 })).rejects.toThrow(/already has residents/);
  });

  it('is deterministic with a seed: the same seed gives the same people in another district', async () => {
    await seedCity(env.ctx, { residents: 300, seed: 11, district: '340303' });
    const a = await queryRows<{ name: string; birth_date: string }>(
      env.ctx.db,
      sql`select name, birth_date::text as birth_date from residents where district_path = '340303' order by id`,
    );
    const other = await startTestApp();
    try {
      await seedCity(other.ctx, { residents: 300, seed: 11, district: '340303' });
      const b = await queryRows<{ name: string; birth_date: string }>(
        other.ctx.db,
        sql`select name, birth_date::text as birth_date from residents where district_path = '340303' order by id`,
      );
      expect(b).toEqual(a);
    } finally {
      await other.close();
    }
  });
});
