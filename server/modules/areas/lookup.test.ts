import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAreaCode } from '../../../common/area-code';
import {
  createStaff,
  FIXTURE,
  login,
  seedFixtureAreas,
  startTestApp,
  type Session,
  type TestEnv,
} from '../../test/harness';
import { areas } from './tables';

let env: TestEnv;
let resident: Session;
let gridWorker: Session;

const DONGFENG = '340302001003';
const DONGFENG_GRID = '340302001003001';

async function addArea(code: string, name: string) {
  const p = parseAreaCode(code);
  if (!p.ok) throw new Error(code);
  await env.ctx.db
    .insert(areas)
    .values({ code, name, level: p.level, path: p.path, parentCode: p.parentCode, source: 'local' });
}

async function lookup(session: Session | null, query: string) {
  const res = await env.app.inject({
    method: 'GET',
    url: `/api/areas/lookup?${query}`,
    headers: session ? session.headers : {},
  });
  return res;
}

const q = (text: string, extra = '') => `q=${encodeURIComponent(text)}${extra}`;

beforeAll(async () => {
  env = await startTestApp();
  await seedFixtureAreas(env.ctx);
  // The fixture's street A is 东风街道; a 东风社区 of its own shows that the place's own name ranks first.
  await addArea(DONGFENG, '东风社区居委会');
  await addArea(DONGFENG_GRID, '东风社区第1网格');
  // A resident through the real SMS login.
  const phone = '13700003333';
  await env.app.inject({ method: 'POST', url: '/api/auth/resident/code', payload: { phone } });
  const code = env.sms.sent
    .filter((m) => m.phone === phone)
    .at(-1)!
    .text.match(/\d{6}/)![0];
  const res = await env.app.inject({
    method: 'POST',
    url: '/api/auth/resident/login',
    payload: { phone, code },
  });
  expect(res.statusCode).toBe(200);
  const cookie = `linli_session=${res.cookies.find((c) => c.name === 'linli_session')!.value}`;
  resident = { cookie, csrf: '', headers: { cookie } };
  await createStaff(env.ctx, 'lookup.grid', 'grid_worker', { areaCode: FIXTURE.gridA1a });
  gridWorker = await login(env.app, 'lookup.grid');
});
afterAll(async () => env?.close());

describe('GET /api/areas/lookup', () => {
  it('lets a resident find 东风社区 by 东风, own-name matches first, with the full name', async () => {
    const res = await lookup(resident, q('东风'));
    expect(res.statusCode).toBe(200);
    const items = res.json().items as { code: string; name: string; level: string; fullName: string }[];
    expect(items[0]).toEqual({
      code: DONGFENG,
      name: '东风社区居委会',
      level: 'community',
      fullName: '龙子湖区 东风街道 东风社区居委会',
    });
    expect(items[1]).toEqual({
      code: DONGFENG_GRID,
      name: '东风社区第1网格',
      level: 'grid',
      fullName: '龙子湖区 东风街道 东风社区居委会 东风社区第1网格',
    });
    // Then the street's other communities and their grids, communities first; never a street or district.
    const rest = items.slice(2);
    expect(rest.map((i) => i.code)).toEqual([
      FIXTURE.communityA1,
      FIXTURE.communityA2,
      FIXTURE.gridA1a,
      FIXTURE.gridA1b,
      FIXTURE.gridA2a,
    ]);
    expect(items.every((i) => i.level === 'community' || i.level === 'grid')).toBe(true);
  });

  it('finds places by their community, street or district name, for staff outside that area too', async () => {
    const byCommunity = await lookup(resident, q('淮河社区'));
    expect(byCommunity.json().items.map((i: { code: string }) => i.code)).toEqual([
      FIXTURE.communityA1,
      FIXTURE.gridA1a,
      FIXTURE.gridA1b,
    ]);
    // The grid worker may read only its grid in the area tree, but names are public.
    const byStreet = await lookup(gridWorker, q('延安街道'));
    expect(byStreet.statusCode).toBe(200);
    expect(byStreet.json().items).toEqual([
      {
        code: FIXTURE.communityB1,
        name: '延安社区居委会',
        level: 'community',
        fullName: '龙子湖区 延安街道 延安社区居委会',
      },
    ]);
    const byDistrict = await lookup(resident, q('龙子湖', '&limit=2'));
    expect(byDistrict.json().items.map((i: { code: string }) => i.code)).toEqual([
      FIXTURE.communityA1,
      FIXTURE.communityA2,
    ]);
    const none = await lookup(resident, q('不存在的地方'));
    expect(none.json().items).toEqual([]);
  });

  it('takes % and _ as plain characters, not wildcards', async () => {
    for (const text of ['%', '_', '东%风', '%东风%']) {
      const res = await lookup(resident, q(text));
      expect(res.statusCode, text).toBe(200);
      expect(res.json().items, text).toEqual([]);
    }
  });

  it('answers junk with 400 naming the field, and anonymous callers with 401', async () => {
    const cases: [string, string][] = [
      ['', 'querystring.q'],
      ['q=', 'querystring.q'],
      [q('   '), 'querystring.q'],
      [q('东'.repeat(33)), 'querystring.q'],
      [q('东\u0001风'), 'querystring.q'],
      [q('东风', '&limit=21'), 'querystring.limit'],
      [q('东风', '&limit=0'), 'querystring.limit'],
      [q('东风', '&limit=abc'), 'querystring.limit'],
    ];
    for (const [query, field] of cases) {
      const res = await lookup(resident, query);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().error.code, query).toBe('validation.failed');
      expect(
        res.json().error.details.map((d: { field: string }) => d.field),
        query,
      ).toContain(field);
    }
    const anonymous = await lookup(null, q('东风'));
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().error.code).toBe('auth.required');
  });
});
