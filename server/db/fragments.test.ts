import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { startTestApp, type TestEnv } from '../test/harness';
import { queryNamed, queryRows } from './client';
import { constantArray, inConstants, prefixEnd, startsWith } from './fragments';

describe('SQL fragments for named statements', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startTestApp();
  });
  afterAll(async () => env.close());

  const words = [
    '3403',
    '34030',
    '340399',
    '3404',
    '340',
    '3402',
    '34039:',
    'community:3403',
    'community:34031',
    '',
  ];
  const values = sql.join(
    words.map((w) => sql`(${w})`),
    sql`, `,
  );

  it('a prefix range holds exactly the strings LIKE finds by that prefix', async () => {
    for (const prefix of ['3403', '34039', 'community:3403', '3']) {
      const byRange = await queryNamed<{ w: string }>(
        env.ctx.db,
        sql`select w from (values ${values}) t(w) where ${startsWith(sql`w`, prefix)} order by w`,
      );
      const byLike = await queryRows<{ w: string }>(
        env.ctx.db,
        sql`select w from (values ${values}) t(w) where w like ${prefix + '%'} order by w`,
      );
      expect(byRange.map((r) => r.w)).toEqual(byLike.map((r) => r.w));
    }
  });

  it('a prefix ends just after its last character and refuses what it cannot end', () => {
    expect(prefixEnd('340302')).toBe('340303');
    expect(prefixEnd('34039')).toBe('3403:');
    expect(() => prefixEnd('')).toThrow();
    expect(() => prefixEnd('社区')).toThrow();
  });

  it('writes only code constants into the statement', async () => {
    const rows = await queryNamed<{ s: string }>(
      env.ctx.db,
      sql`select s from (values ('handled'), ('closed'), ('verified')) t(s) where ${inConstants(sql`s`, ['handled', 'verified'])} order by s`,
    );
    expect(rows.map((r) => r.s)).toEqual(['handled', 'verified']);
    expect(() => inConstants(sql`s`, ["x'); drop table cases; --"])).toThrow(/Not a constant/);
    expect(() => inConstants(sql`s`, ['Handled'])).toThrow(/Not a constant/);
    const [arr] = await queryNamed<{ a: string[] }>(
      env.ctx.db,
      sql`select ${constantArray(['handled', 'closed'])} as a`,
    );
    expect(arr!.a).toEqual(['handled', 'closed']);
    expect(() => constantArray(['closed', "x'"])).toThrow(/Not a constant/);
  });

  it('runs one named statement with new values each time and answers each with its own rows', async () => {
    for (const prefix of ['3403', '3404', '340', '3403', 'community:']) {
      const rows = await queryNamed<{ n: number }>(
        env.ctx.db,
        sql`select count(*)::int as n from (values ${values}) t(w) where ${startsWith(sql`w`, prefix)}`,
      );
      expect(rows[0]!.n).toBe(words.filter((w) => w.startsWith(prefix)).length);
    }
  });
});
