import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES } from '../../../common/roles';
import { queryRows } from '../../db/client';
import { countRows, login, startTestApp, type TestEnv } from '../../test/harness';
import { accounts, assignments, departments } from '../../db/schema';
import { DEMO_ACCOUNTS_NOTE, demoUsername, isDatabaseEmpty, seedDemo } from './seed';

// The default demo password, which the password policy refuses for real accounts.
const PASSWORD = 'linli-demo';
const COMMUNITIES = 1157;

describe('the demo seed', () => {
  let env: TestEnv;
  beforeAll(async () => {
    // demo: the three administrator demo accounts log in without TOTP on a demo install.
    env = await startTestApp({ demo: true });
    expect(env.ctx.config.demoPassword).toBe(PASSWORD);
  });
  afterAll(async () => env.close());

  it('seeds 蚌埠市 with grids, departments and one demo account per role, once', async () => {
    expect(await isDatabaseEmpty(env.ctx)).toBe(true);
    await seedDemo(env.ctx);
    expect(await isDatabaseEmpty(env.ctx)).toBe(false);

    const byLevel = await queryRows<{ level: string; n: number }>(
      env.ctx.db,
      sql`select level, count(*)::int as n from areas group by level order by level`,
    );
    expect(Object.fromEntries(byLevel.map((r) => [r.level, r.n]))).toEqual({
      province: 1,
      city: 1,
      district: 9,
      street: 87,
      community: COMMUNITIES,
      grid: COMMUNITIES * 3,
    });
    expect(await countRows(env.ctx, 'departments')).toBe(9 * 6);
    const [dept] = await env.ctx.db.select().from(departments).where(eq(departments.name, '龙子湖区民政局'));
    expect(dept).toMatchObject({ districtCode: '340302000000', areaPath: '340302' });

    const demo = await env.ctx.db.select().from(accounts).where(eq(accounts.demo, true));
    expect(demo.map((a) => a.username).sort()).toEqual(ROLES.map(demoUsername).sort());
    expect(demo.every((a) => !a.mustChangePassword)).toBe(true);
    expect(demo.find((a) => a.username === 'demo.resident')!.kind).toBe('resident');

    const places = await queryRows<{
      username: string;
      role: string;
      area_code: string | null;
      home: string;
    }>(
      env.ctx.db,
      sql`select a.username, s.role, s.area_code, a.home_area_path as home
          from ${accounts} a join ${assignments} s on s.account_id = a.id where a.demo order by a.username`,
    );
    const at = Object.fromEntries(places.map((p) => [p.role, p]));
    expect(at.admin).toMatchObject({ area_code: '340300000000', home: '3403' });
    expect(at.street_staff).toMatchObject({ area_code: '340302001000', home: '340302001' });
    expect(at.community_worker).toMatchObject({ area_code: '340302001001' });
    expect(at.grid_worker).toMatchObject({ area_code: '340302001001001', home: '340302001001001' });
    expect(at.evaluator).toMatchObject({ area_code: '340302001000' });
    expect(at.resident).toMatchObject({ area_code: '340302001001' });
    expect(at.dept_handler).toMatchObject({ area_code: null, home: '340302' });

    // A second run adds nothing.
    const areasBefore = await countRows(env.ctx, 'areas');
    const accountsBefore = await countRows(env.ctx, 'accounts');
    await seedDemo(env.ctx);
    expect(await countRows(env.ctx, 'areas')).toBe(areasBefore);
    expect(await countRows(env.ctx, 'accounts')).toBe(accountsBefore);
    expect(await countRows(env.ctx, 'departments')).toBe(9 * 6);
  });

  it('lets every demo account log in with the demo password and see its place', async () => {
    for (const role of ROLES) {
      const session = await login(env.app, demoUsername(role), PASSWORD);
      const me = await env.app.inject({ method: 'GET', url: '/api/me', headers: session.headers });
      expect(me.statusCode, role).toBe(200);
      expect(me.json().assignments[0].role, role).toBe(role);
    }
    const street = await login(env.app, 'demo.street_staff', PASSWORD);
    const res = await env.app.inject({ method: 'GET', url: '/api/areas', headers: street.headers });
    expect(res.json().items.map((a: { name: string }) => a.name)).toEqual(['东风街道']);
    const grid = await login(env.app, 'demo.grid_worker', PASSWORD);
    const mine = await env.app.inject({ method: 'GET', url: '/api/areas', headers: grid.headers });
    expect(mine.json().items.map((a: { code: string }) => a.code)).toEqual(['340302001001001']);
  });

  it('prints a table of the demo accounts', () => {
    const note = DEMO_ACCOUNTS_NOTE(PASSWORD);
    expect(note).toContain(PASSWORD);
    for (const role of ROLES) expect(note).toContain(demoUsername(role));
    expect(note).toContain('网格员');
    expect(note).toContain('龙子湖区民政局');
  });
});
