import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FIXTURE,
  createStaff,
  login,
  seedFixtureAreas,
  startTestApp,
  type Session,
  type TestEnv,
} from '../../test/harness';
import { residentSession } from '../accounts/auth-test-utils';
import { insertHousehold, insertResident } from './test-fixtures';
import { householdMembers } from './tables';
import { ensureDefaultTags } from '../tags/service';
import { residentTags, tags } from '../tags/tables';

type Access = {
  kind: string;
  action: string;
  residentName: string | null;
  field: string | null;
  purpose: string | null;
  role: string | null;
  unit: string | null;
};
type Mine = {
  households: {
    id: string;
    number: string;
    members: {
      id: string;
      name: string;
      idNumberMasked: string | null;
      phoneMasked: string | null;
      self: boolean;
      tags: {
        code: string;
        sensitivity: string;
        toDate: string | null;
        details: { key: string; label: string; value: string | number }[] | null;
      }[];
    }[];
    access: Access[];
  }[];
};

let env: TestEnv;
let worker: Session;
/** A household in grid A1a: 周大海 (head, the phone that signs in) and 吴小红 (spouse). */
let head: { id: string; idNumber: string; phone: string };
let spouse: { id: string; idNumber: string; phone: string };
let householdId = '';

async function get(session: { headers: Record<string, string> } | null, url: string) {
  return env.app.inject({ method: 'GET', url, headers: session?.headers ?? {} });
}

beforeAll(async () => {
  env = await startTestApp();
  await seedFixtureAreas(env.ctx);
  await createStaff(env.ctx, 'my.community', 'community_worker', { areaCode: FIXTURE.communityA1 });
  worker = await login(env.app, 'my.community');
  head = await insertResident(env.ctx, FIXTURE.gridA1a, { name: '周大海' });
  spouse = await insertResident(env.ctx, FIXTURE.gridA1a, { name: '吴小红' });
  const h = await insertHousehold(env.ctx, FIXTURE.gridA1a, { memberId: head.id });
  householdId = h.id;
  await env.ctx.db
    .insert(householdMembers)
    .values({ householdId, residentId: spouse.id, relation: 'spouse', fromDate: '2020-01-01' });
});
afterAll(async () => env?.close());

describe("the resident's own household", () => {
  it('shows the signed-in resident its household with every number masked, and nothing to anyone else', async () => {
    const me = await residentSession(env, head.phone);
    const res = await get(me, '/api/me/household');
    expect(res.statusCode).toBe(200);
    for (const secret of [head.idNumber, head.phone, spouse.idNumber, spouse.phone])
      expect(res.body).not.toContain(secret);
    const body = res.json() as Mine;
    expect(body.households.map((h) => h.id)).toEqual([householdId]);
    const members = body.households[0]!.members;
    expect(members.map((m) => [m.name, m.self])).toEqual([
      ['周大海', true],
      ['吴小红', false],
    ]);
    expect(members[0]!.idNumberMasked).toBe(`${head.idNumber.slice(0, 6)}********${head.idNumber.slice(-4)}`);
    expect(members[0]!.phoneMasked).toBe(`${head.phone.slice(0, 3)}****${head.phone.slice(-4)}`);

    // A resident whose phone is in no record gets an empty answer, not someone else's household.
    const stranger = await residentSession(env, '13912345670');
    const other = await get(stranger, '/api/me/household');
    expect(other.statusCode).toBe(200);
    expect((other.json() as Mine).households).toEqual([]);
  });

  it('is for residents only: staff are refused and anonymous callers must sign in', async () => {
    expect((await get(worker, '/api/me/household')).statusCode).toBe(403);
    expect((await get(null, '/api/me/household')).statusCode).toBe(401);
  });

  it("lists a community worker's view and reveal with role, unit and purpose, never the worker's name", async () => {
    expect((await get(worker, `/api/residents/${spouse.id}`)).statusCode).toBe(200);
    const reveal = await env.app.inject({
      method: 'POST',
      url: `/api/residents/${spouse.id}/reveal`,
      headers: worker.headers,
      payload: { field: 'phone', purpose: '核实联系方式，通知体检' },
    });
    expect(reveal.statusCode).toBe(200);
    expect((await get(worker, `/api/households/${householdId}`)).statusCode).toBe(200);

    const me = await residentSession(env, spouse.phone);
    const res = await get(me, '/api/me/household');
    expect(res.body).not.toContain('my.community');
    const access = (res.json() as Mine).households[0]!.access;
    expect(access.map((a) => [a.kind, a.residentName])).toEqual([
      ['view', null],
      ['reveal', '吴小红'],
      ['view', '吴小红'],
    ]);
    expect(access[1]).toMatchObject({
      action: 'personal.reveal',
      field: 'phone',
      purpose: '核实联系方式，通知体检',
      role: 'community_worker',
      unit: '淮河社区居委会',
    });
  });

  it('shows nothing once the resident has left the household', async () => {
    const lodger = await insertResident(env.ctx, FIXTURE.gridA1a, { name: '郑租客' });
    const h = await insertHousehold(env.ctx, FIXTURE.gridA1a, { memberId: lodger.id });
    const me = await residentSession(env, lodger.phone);
    expect(((await get(me, '/api/me/household')).json() as Mine).households.map((x) => x.id)).toEqual([h.id]);
    await env.ctx.db
      .update(householdMembers)
      .set({ toDate: '2024-06-30' })
      .where(eq(householdMembers.residentId, lodger.id));
    expect(((await get(me, '/api/me/household')).json() as Mine).households).toEqual([]);
  });
});

describe('the focus-group tags held about the household', () => {
  /** Gives a resident a default tag (by code) with encrypted details, as the register stores them. */
  async function tag(residentId: string, code: string, details: Record<string, string | number> = {}) {
    const [t] = await env.ctx.db.select().from(tags).where(eq(tags.code, code));
    await env.ctx.db.insert(residentTags).values({
      residentId,
      tagId: t!.id,
      fromDate: '2024-01-01',
      detailsEnc: Object.keys(details).length ? env.ctx.secrets.encrypt(JSON.stringify(details)) : null,
    });
  }

  it("shows a resident all of his own tags with details, and only the other members' normal tags without", async () => {
    await ensureDefaultTags(env.ctx);
    const self = await insertResident(env.ctx, FIXTURE.gridA1a, { name: '钱自己' });
    const wife = await insertResident(env.ctx, FIXTURE.gridA1a, { name: '孙家人' });
    const h = await insertHousehold(env.ctx, FIXTURE.gridA1a, { memberId: self.id });
    await env.ctx.db
      .insert(householdMembers)
      .values({ householdId: h.id, residentId: wife.id, relation: 'spouse', fromDate: '2020-01-01' });
    await tag(self.id, 'hardship.dibao', { certificate: 'DB-0042', amount: 780 });
    await tag(self.id, 'elderly.alone');
    await tag(wife.id, 'disabled', { kind: '肢体', grade: 2, certificate: 'CJ-SECRET-77' });
    await tag(wife.id, 'special.corrections');
    await tag(wife.id, 'entitled.veteran');

    const mine = await get(await residentSession(env, self.phone), '/api/me/household');
    expect(mine.statusCode).toBe(200);
    const members = (mine.json() as Mine).households[0]!.members;
    const me = members.find((m) => m.self)!;
    const other = members.find((m) => !m.self)!;
    // His own sensitive tag is there, with its detail values.
    expect(me.tags.map((t) => t.code).sort()).toEqual(['elderly.alone', 'hardship.dibao']);
    const dibao = me.tags.find((t) => t.code === 'hardship.dibao')!;
    expect(dibao.sensitivity).toBe('sensitive');
    expect(dibao.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: 'certificate', value: 'DB-0042' }),
        expect.objectContaining({ key: 'amount', value: 780 }),
      ]),
    );
    // The other member's sensitive and restricted tags are absent; the normal one shows, without details.
    expect(other.tags.map((t) => [t.code, t.details])).toEqual([['entitled.veteran', null]]);
    expect(mine.body).not.toContain('disabled');
    expect(mine.body).not.toContain('special.corrections');
    expect(mine.body).not.toContain('CJ-SECRET-77');
    expect(mine.body).not.toContain('肢体');

    // The other side of the rule: the wife sees her own sensitive tags, and of his only the normal one.
    const hers = await get(await residentSession(env, wife.phone), '/api/me/household');
    const hm = (hers.json() as Mine).households[0]!.members;
    expect(
      hm
        .find((m) => m.self)!
        .tags.map((t) => t.code)
        .sort(),
    ).toEqual(['disabled', 'entitled.veteran', 'special.corrections']);
    expect(hm.find((m) => !m.self)!.tags.map((t) => [t.code, t.details])).toEqual([['elderly.alone', null]]);
    expect(hers.body).not.toContain('hardship.dibao');
    expect(hers.body).not.toContain('DB-0042');
  });
});
