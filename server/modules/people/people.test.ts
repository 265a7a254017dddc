import { desc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idCheckChar, makeIdNumber } from '../../../common/id-number';
import {
  FIXTURE,
  countRows,
  createStaff,
  login,
  seedFixtureAreas,
  startTestApp,
  type Session,
  type TestEnv,
} from '../../test/harness';
import { auditLog } from '../audit/tables';
import { freshIdNumber, freshPhone, makeDwelling } from './test-fixtures';
import {
  householdMembers,
  households,
  residentDwellings,
  residentEvents,
  residentRevealGrants,
  residents,
} from './tables';

type ErrorJson = {
  error: { code: string; message: string; details?: { field: string; rule: string; message: string }[] };
};
type Card = {
  id: string;
  name: string;
  gender: string;
  birthDate: string;
  idNumberMasked: string | null;
  phoneMasked: string | null;
  status: string;
  version: number;
  householdId: string | null;
  relation: string | null;
  areaCode: string;
  households: { householdId: string; relation: string; fromDate: string; toDate: string | null }[];
  dwellings: { dwellingId: string; label: string; livingType: string; toDate: string | null }[];
  events: { kind: string; data: Record<string, unknown> }[];
};
type HouseholdJson = {
  id: string;
  number: string;
  headResidentId: string | null;
  headName: string | null;
  dwellingId: string | null;
  dwellingLabel: string | null;
  memberCount: number;
  members: { id: string; linkRelation: string; toDate: string | null; idNumberMasked: string | null }[];
  events: { kind: string; residentName: string }[];
};

let env: TestEnv;
const s: Record<string, Session> = {};
/** Every clear ID and phone number this file registered: no response may carry one, except a reveal. */
const secrets = new Set<string>();

/** Fails when a response body carries a clear number (also without the landline dash). */
function expectMasked(body: string) {
  for (const secret of secrets) {
    expect(body, 'a clear ID or phone number in a response').not.toContain(secret);
    expect(body).not.toContain(secret.replace('-', ''));
  }
}

async function call(
  who: string,
  method: 'GET' | 'POST' | 'PATCH',
  url: string,
  payload?: unknown,
  lang?: string,
) {
  const res = await env.app.inject({
    method,
    url,
    headers: { ...s[who]!.headers, ...(lang ? { 'accept-language': lang } : {}) },
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
  expectMasked(res.body);
  return res;
}

const problems = (res: { json(): unknown }) =>
  ((res.json() as ErrorJson).error.details ?? []).map((d) => `${d.field}:${d.rule}`);

async function register(who: string, body: Record<string, unknown>): Promise<Card> {
  if (typeof body.idNumber === 'string') secrets.add(body.idNumber);
  if (typeof body.phone === 'string') secrets.add(body.phone);
  const res = await call(who, 'POST', '/api/residents', body);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Card;
}

async function newHousehold(who: string, body: Record<string, unknown>): Promise<HouseholdJson> {
  const res = await call(who, 'POST', '/api/households', body);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as HouseholdJson;
}

let hhSeq = 0;
const hhNumber = () => `H${String(++hhSeq).padStart(4, '0')}`;

beforeAll(async () => {
  env = await startTestApp();
  await seedFixtureAreas(env.ctx);
  await createStaff(env.ctx, 'comm', 'community_worker', { areaCode: FIXTURE.communityA1 });
  await createStaff(env.ctx, 'grid', 'grid_worker', { areaCode: FIXTURE.gridA1a });
  await createStaff(env.ctx, 'streetA', 'street_staff', { areaCode: FIXTURE.streetA });
  await createStaff(env.ctx, 'streetB', 'street_staff', { areaCode: FIXTURE.streetB });
  await createStaff(env.ctx, 'leader', 'leader', { areaCode: FIXTURE.district });
  await createStaff(env.ctx, 'vol', 'volunteer', { areaCode: FIXTURE.communityA1 });
  for (const u of ['comm', 'grid', 'streetA', 'streetB', 'leader', 'vol']) s[u] = await login(env.app, u);
});
afterAll(async () => env?.close());

describe('registering a resident', () => {
  it('takes gender and birth date from the ID number and keeps the numbers encrypted and masked', async () => {
    const idNumber = makeIdNumber('340302', '1975-03-08', 123);
    const phone = freshPhone();
    const card = await register('comm', {
      name: '张三',
      idNumber,
      phone: `${phone.slice(0, 3)} ${phone.slice(3, 7)} ${phone.slice(7)}`,
      ethnicity: '01',
      residenceType: 'registered',
      areaCode: FIXTURE.gridA1a,
    });
    secrets.add(phone);
    expect(card).toMatchObject({
      name: '张三',
      gender: 'male',
      birthDate: '1975-03-08',
      idNumberMasked: `340302********${idNumber.slice(-4)}`,
      phoneMasked: `${phone.slice(0, 3)}****${phone.slice(-4)}`,
      status: 'alive',
      areaCode: FIXTURE.gridA1a,
    });
    expect(card.events.map((e) => e.kind)).toEqual(['registered']);
    const [row] = await env.ctx.db.select().from(residents).where(eq(residents.id, card.id));
    expect(row!.idNumberEnc).not.toContain(idNumber);
    expect(env.ctx.secrets.decrypt(row!.idNumberEnc!)).toBe(idNumber);
    expect(row!.idNumberHash).toBe(env.ctx.secrets.keyedHash(idNumber, 'idnumber'));
    expect(row!.nameInitials).toBe('zs');
    expect(env.ctx.secrets.decrypt(row!.phoneEnc!)).toBe(phone);
  });

  it('upgrades a legacy 15-digit number to 18 digits', async () => {
    const legacy = '340302750308152';
    const full = `34030219750308152${idCheckChar('34030219750308152')}`;
    secrets.add(legacy);
    secrets.add(full);
    const card = await register('comm', {
      name: '李老',
      idNumber: legacy,
      residenceType: 'registered',
      areaCode: FIXTURE.communityA1,
    });
    expect(card.idNumberMasked).toBe(`340302********${full.slice(-4)}`);
    expect(card.gender).toBe('female');
    const [row] = await env.ctx.db.select().from(residents).where(eq(residents.id, card.id));
    expect(env.ctx.secrets.decrypt(row!.idNumberEnc!)).toBe(full);
  });

  it('names the field and the rule of each bad ID number, in Chinese and English', async () => {
    const valid = freshIdNumber();
    const wrongCheck = valid.slice(0, 17) + (valid[17] === '0' ? '1' : '0');
    const first17 = '34030219900230001';
    const cases: [string, string][] = [
      [wrongCheck, 'checkDigit'],
      [first17 + idCheckChar(first17), 'birthDate'],
      [makeIdNumber('990302', '1980-01-01', 1), 'region'],
      ['3403021980010100', 'length'],
      ['34030219800101A01X', 'format'],
    ];
    for (const [idNumber, rule] of cases) {
      secrets.add(idNumber);
      const res = await call('comm', 'POST', '/api/residents', {
        name: '王五',
        idNumber,
        residenceType: 'registered',
        areaCode: FIXTURE.gridA1a,
      });
      expect(res.statusCode).toBe(400);
      expect(problems(res)).toEqual([`body.idNumber:${rule}`]);
    }
    const zh = await call(
      'comm',
      'POST',
      '/api/residents',
      {
        name: '王五',
        idNumber: wrongCheck,
        residenceType: 'registered',
        areaCode: FIXTURE.gridA1a,
      },
      'zh-CN',
    );
    expect((zh.json() as ErrorJson).error.details![0]!.message).toBe('idNumber 的校验码不正确，请核对号码');
    const en = await call(
      'comm',
      'POST',
      '/api/residents',
      {
        name: '王五',
        idNumber: wrongCheck,
        residenceType: 'registered',
        areaCode: FIXTURE.gridA1a,
      },
      'en',
    );
    expect((en.json() as ErrorJson).error.details![0]!.message).toBe(
      'idNumber has a wrong check digit; check the number',
    );
  });

  it('refuses a future birth date, a mismatched gender, a bad phone and a permit for a registered resident', async () => {
    const first17 = `340302${Number(new Date().getFullYear()) + 1}0101001`;
    const future = first17 + idCheckChar(first17);
    secrets.add(future);
    const res1 = await call('comm', 'POST', '/api/residents', {
      name: '赵六',
      idNumber: future,
      residenceType: 'registered',
      areaCode: FIXTURE.gridA1a,
    });
    expect(problems(res1)).toEqual(['body.idNumber:birthDate']);
    const idNumber = makeIdNumber('340302', '1980-01-01', 2); // even: female
    secrets.add(idNumber);
    const res2 = await call('comm', 'POST', '/api/residents', {
      name: '赵六',
      idNumber,
      gender: 'male',
      phone: '12812345678',
      residenceType: 'registered',
      permitExpiresOn: '2030-01-01',
      areaCode: FIXTURE.gridA1a,
    });
    expect(res2.statusCode).toBe(400);
    expect(problems(res2)).toEqual([
      'body.gender:idMismatch',
      'body.phone:prefix',
      'body.permitExpiresOn:notApplicable',
    ]);
    expect(await countRows(env.ctx, `residents where name = '赵六'`)).toBe(0);
  });

  it('requires an ID number except for foreign residents, and a place', async () => {
    const res = await call('comm', 'POST', '/api/residents', {
      name: '无证',
      residenceType: 'floating',
      gender: 'male',
      birthDate: '1990-01-01',
    });
    expect(problems(res)).toEqual(['body.idNumber:required', 'body.areaCode:required']);
    const foreign = await register('comm', {
      name: 'John Smith',
      gender: 'male',
      birthDate: '1985-07-01',
      residenceType: 'foreign',
      areaCode: FIXTURE.gridA1a,
    });
    expect(foreign.idNumberMasked).toBeNull();
  });

  it('keeps a permit expiry for the floating population', async () => {
    const card = await register('grid', {
      name: '流动人员',
      idNumber: freshIdNumber('320102', '1992-02-29'),
      residenceType: 'floating',
      permitExpiresOn: '2027-06-30',
      areaCode: FIXTURE.gridA1a,
    });
    expect(card).toMatchObject({ gender: expect.any(String), birthDate: '1992-02-29' });
  });

  it('refuses a duplicate ID number within the district (409 naming body.idNumber), not in another one', async () => {
    const idNumber = freshIdNumber();
    await register('comm', { name: '甲', idNumber, residenceType: 'registered', areaCode: FIXTURE.gridA1a });
    const again = await call('streetA', 'POST', '/api/residents', {
      name: '甲',
      idNumber: ` ${idNumber.slice(0, 6)} ${idNumber.slice(6)}`,
      residenceType: 'registered',
      areaCode: FIXTURE.communityA2,
    });
    expect(again.statusCode).toBe(409);
    expect((again.json() as ErrorJson).error.code).toBe('resident.duplicate');
    expect(problems(again)).toEqual(['body.idNumber:duplicate']);
    // The neighbouring district (蚌山区) keeps its own register.
    await createStaff(env.ctx, 'leaderCity', 'street_staff', { areaCode: FIXTURE.city });
    s.leaderCity = await login(env.app, 'leaderCity');
    await env.ctx.db.execute(
      sql`insert into areas (code, name, level, path, parent_code, source) values ('340303001001', '蚌山社区', 'community', '340303001001', '340303000000', 'local') on conflict do nothing`,
    );
    await register('leaderCity', {
      name: '甲',
      idNumber,
      residenceType: 'registered',
      areaCode: '340303001001',
    });
  });
});

describe('households', () => {
  it('adds members with their relation, sets the head, and shows members with history', async () => {
    const hh = await newHousehold('comm', { number: hhNumber(), type: 'family', areaCode: FIXTURE.gridA1a });
    const head = await register('comm', {
      name: '王大明',
      idNumber: freshIdNumber('340302', '1960-01-01'),
      phone: '0552-2345678',
      residenceType: 'registered',
      householdId: hh.id,
      relation: 'head',
    });
    expect(head).toMatchObject({ householdId: hh.id, relation: 'head', areaCode: FIXTURE.gridA1a });
    expect(head.phoneMasked).toBe('055*****5678');
    const wife = await register('comm', {
      name: '刘小红',
      idNumber: freshIdNumber('340302', '1962-01-01'),
      residenceType: 'registered',
      areaCode: FIXTURE.gridA1a,
    });
    const res = await call('comm', 'POST', `/api/households/${hh.id}/members`, {
      residentId: wife.id,
      relation: 'spouse',
    });
    expect(res.statusCode, res.body).toBe(200);
    const card = res.json() as HouseholdJson;
    expect(card).toMatchObject({ headResidentId: head.id, headName: '王大明', memberCount: 2 });
    expect(card.members.map((m) => m.linkRelation)).toEqual(['head', 'spouse']);
    expect(card.members.every((m) => m.idNumberMasked?.includes('********'))).toBe(true);

    // A second head is refused; changing the relation keeps the old link as history.
    const second = await call('comm', 'POST', `/api/households/${hh.id}/members`, {
      residentId: wife.id,
      relation: 'head',
    });
    expect((second.json() as ErrorJson).error.code).toBe('household.member_elsewhere');
    const changed = await call('comm', 'PATCH', `/api/households/${hh.id}/members/${wife.id}`, {
      relation: 'other',
    });
    expect(changed.statusCode, changed.body).toBe(200);
    const links = await env.ctx.db
      .select()
      .from(householdMembers)
      .where(eq(householdMembers.residentId, wife.id));
    expect(links.map((l) => [l.relation, l.toDate === null])).toEqual(
      expect.arrayContaining([
        ['spouse', false],
        ['other', true],
      ]),
    );
    const got = await call('comm', 'GET', `/api/households/${hh.id}`);
    const kinds = (got.json() as HouseholdJson).events.map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['joined_household', 'relation_changed']));

    // The kept member count (migration 0021) follows every link opened and closed, here and in every household.
    const [kept] = await env.ctx.db
      .select({ n: households.memberCount })
      .from(households)
      .where(eq(households.id, hh.id));
    expect(kept?.n).toBe(2);
    const drift = (await env.ctx.db.execute(
      sql`select count(*)::int as n from households h where h.member_count <>
            (select count(*) from household_members m where m.household_id = h.id and m.to_date is null)`,
    )) as unknown as { rows: { n: number }[] };
    expect(drift.rows[0]?.n).toBe(0);
    // And so do the kept counts of households with a member now per area (migration 0022).
    const areaDrift = (await env.ctx.db.execute(
      sql`select count(*)::int as n from (
            select area_code, count(*)::int as n from households where member_count > 0 group by area_code) h
          full join area_household_counts c using (area_code)
          where coalesce(h.n, 0) <> coalesce(c.households, 0)`,
    )) as unknown as { rows: { n: number }[] };
    expect(areaDrift.rows[0]?.n).toBe(0);
  });

  it('refuses a second household with the same number in the community', async () => {
    const number = hhNumber();
    await newHousehold('comm', { number, type: 'family', areaCode: FIXTURE.gridA1a });
    const again = await call('comm', 'POST', '/api/households', {
      number,
      type: 'collective',
      areaCode: FIXTURE.gridA1b,
    });
    expect(again.statusCode).toBe(409);
    expect(problems(again)).toEqual(['body.number:unique']);
  });

  it('moves a household into a dwelling and out again, with events and dated links', async () => {
    const dwellingId = await makeDwelling(env.ctx, FIXTURE.gridA1a);
    const hh = await newHousehold('grid', { number: hhNumber(), type: 'family', areaCode: FIXTURE.gridA1a });
    const a = await register('grid', {
      name: '陈一',
      idNumber: freshIdNumber(),
      phone: freshPhone(),
      residenceType: 'registered',
      householdId: hh.id,
      relation: 'head',
    });
    const moved = await call('grid', 'POST', `/api/households/${hh.id}/move-in`, {
      dwellingId,
      livingType: 'rent',
      date: '2024-03-01',
    });
    expect(moved.statusCode, moved.body).toBe(200);
    expect((moved.json() as HouseholdJson).dwellingLabel).toMatch(/栋 1单元 301$/);
    // A member added later moves in with the household.
    const b = await register('grid', {
      name: '陈二',
      idNumber: freshIdNumber('340302', '2010-09-09'),
      residenceType: 'registered',
      householdId: hh.id,
      relation: 'son',
    });
    expect(b.dwellings).toMatchObject([{ dwellingId, livingType: 'rent', toDate: null }]);

    const list = await call('grid', 'GET', `/api/residents?dwellingId=${dwellingId}`);
    expect((list.json() as { items: { id: string }[] }).items.map((i) => i.id).sort()).toEqual(
      [a.id, b.id].sort(),
    );
    const hhList = await call('grid', 'GET', `/api/households?dwellingId=${dwellingId}`);
    expect((hhList.json() as { items: { id: string }[] }).items.map((i) => i.id)).toEqual([hh.id]);

    // Not before the last member moved in (陈二 joined today).
    const early = await call('grid', 'POST', `/api/households/${hh.id}/move-out`, { date: '2025-01-31' });
    expect(problems(early)).toEqual(['body.date:dateOrder']);
    const out = await call('grid', 'POST', `/api/households/${hh.id}/move-out`, { leftArea: true });
    expect(out.statusCode, out.body).toBe(200);
    const cardA = (await call('grid', 'GET', `/api/residents/${a.id}`)).json() as Card;
    expect(cardA.status).toBe('moved_out');
    expect(cardA.dwellings).toMatchObject([
      { dwellingId, fromDate: '2024-03-01', toDate: expect.any(String) },
    ]);
    expect(cardA.events.map((e) => e.kind)).toEqual([
      'moved_out',
      'moved_in',
      'joined_household',
      'registered',
    ]);
    const after = await call('grid', 'GET', `/api/residents?dwellingId=${dwellingId}&status=moved_out`);
    expect((after.json() as { items: unknown[] }).items).toHaveLength(0);
    const again = await call('grid', 'POST', `/api/households/${hh.id}/move-out`, {});
    expect((again.json() as ErrorJson).error.code).toBe('household.not_housed');
  });

  it('records a death: status, end of the links, a died event; the head is cleared', async () => {
    const dwellingId = await makeDwelling(env.ctx, FIXTURE.gridA1a, '502');
    const hh = await newHousehold('comm', {
      number: hhNumber(),
      type: 'family',
      dwellingId,
      livingType: 'own',
    });
    const r = await register('comm', {
      name: '孙老',
      idNumber: freshIdNumber('340302', '1930-01-01'),
      residenceType: 'registered',
      householdId: hh.id,
      relation: 'head',
    });
    const tooEarly = await call('comm', 'POST', `/api/residents/${r.id}/death`, { date: '1920-01-01' });
    expect(problems(tooEarly)).toEqual(['body.date:dateOrder']);
    const res = await call('comm', 'POST', `/api/residents/${r.id}/death`, { note: '病故' });
    expect(res.statusCode, res.body).toBe(200);
    const card = res.json() as Card;
    expect(card.status).toBe('deceased');
    expect(card.events[0]!.kind).toBe('died');
    expect(card.households[0]!.toDate).not.toBeNull();
    expect(card.dwellings[0]!.toDate).not.toBeNull();
    const h = (await call('comm', 'GET', `/api/households/${hh.id}`)).json() as HouseholdJson;
    expect(h.headResidentId).toBeNull();
    const twice = await call('comm', 'POST', `/api/residents/${r.id}/death`, {});
    expect((twice.json() as ErrorJson).error.code).toBe('resident.not_alive');
  });
});

describe('corrections and search', () => {
  it('corrects a resident with a version, naming the changed fields in a corrected event', async () => {
    const r = await register('comm', {
      name: '周七',
      idNumber: freshIdNumber(),
      residenceType: 'registered',
      areaCode: FIXTURE.gridA1a,
    });
    const phone = freshPhone();
    secrets.add(phone);
    const res = await call('comm', 'PATCH', `/api/residents/${r.id}`, {
      version: r.version,
      name: '周琪',
      phone,
    });
    expect(res.statusCode, res.body).toBe(200);
    const card = res.json() as Card;
    expect(card.events[0]).toMatchObject({ kind: 'corrected', data: { fields: ['name', 'phone'] } });
    const staleRes = await call('comm', 'PATCH', `/api/residents/${r.id}`, {
      version: r.version,
      name: '周',
    });
    expect(staleRes.statusCode).toBe(409);
    const bad = await call('comm', 'PATCH', `/api/residents/${r.id}`, {
      version: card.version,
      idNumber: '123',
    });
    expect(problems(bad)).toEqual(['body.idNumber:length']);
  });

  it('finds residents by pinyin initials, last four digits and full ID number, within scope', async () => {
    const idNumber = freshIdNumber('340302', '1988-08-08');
    const r = await register('comm', {
      name: '欧阳娜娜',
      idNumber,
      residenceType: 'registered',
      areaCode: FIXTURE.gridA1b,
    });
    const ids = async (who: string, q: string) =>
      (
        (await call(who, 'GET', `/api/residents?q=${encodeURIComponent(q)}`)).json() as {
          items: { id: string }[];
        }
      ).items.map((i) => i.id);
    expect(await ids('comm', 'oy')).toContain(r.id);
    expect(await ids('comm', idNumber.slice(-4))).toContain(r.id);
    expect(await ids('comm', idNumber)).toEqual([r.id]);
    expect(await ids('comm', '娜娜')).toContain(r.id);
    // The grid worker of 第1网格 does not see a resident of 第2网格.
    expect(await ids('grid', idNumber)).toEqual([]);
  });

  it('finds a name by any part of it, an address by its words, only in scope, with the number of matches', async () => {
    const tag = String(process.pid).slice(-3);
    const given = `思${String.fromCharCode(0x4e00 + Number(tag))}`;
    const here = await register('comm', {
      name: `皇甫${given}`,
      idNumber: freshIdNumber(),
      residenceType: 'registered',
      areaCode: FIXTURE.gridA1a,
    });
    const twin = await register('comm', {
      name: `皇甫${given}`,
      idNumber: freshIdNumber(),
      residenceType: 'registered',
      areaCode: FIXTURE.gridA1b,
    });
    const search = async (who: string, q: string, extra = '') => {
      const res = await call(who, 'GET', `/api/residents?q=${encodeURIComponent(q)}${extra}`);
      expect(res.statusCode).toBe(200);
      const body = res.json() as { items: { id: string }[]; total: number };
      return { ids: body.items.map((i) => i.id), total: body.total };
    };
    for (const q of [given, `甫${given[0]}`, `皇甫${given}`, given[1]!]) {
      const found = await search('comm', q);
      expect(found.ids).toEqual(expect.arrayContaining([here.id, twin.id]));
    }
    expect((await search('comm', `${given[1]}${given[0]}`)).ids).not.toContain(here.id);
    // Both match; a page of one still counts both, and a page past the end still says how many there are.
    const first = await search('comm', `皇甫${given}`, '&limit=1');
    expect(first.ids).toHaveLength(1);
    expect(first.total).toBe(2);
    expect(await search('comm', `皇甫${given}`, '&limit=1&offset=5')).toEqual({ ids: [], total: 2 });
    // The grid worker of 第1网格 sees its own resident only.
    expect((await search('grid', `皇甫${given}`)).ids).toEqual([here.id]);

    // An address: each word somewhere in estate, building, unit or door, among the dwellings of the scope.
    const dwelling = await makeDwelling(env.ctx, FIXTURE.gridA1a, '902');
    const elsewhere = await makeDwelling(env.ctx, FIXTURE.communityB1, '902');
    const [estate] = await env.ctx.db
      .execute<{ name: string }>(
        sql`select e.name from dwellings d join buildings b on b.id = d.building_id join estates e on e.id = b.estate_id
          where d.id = ${dwelling}`,
      )
      .then((r) => (r as unknown as { rows: { name: string }[] }).rows);
    const other = await register('comm', {
      name: '隔壁街道',
      idNumber: freshIdNumber(),
      residenceType: 'registered',
      areaCode: FIXTURE.gridA1a,
    });
    await env.ctx.db.insert(residentDwellings).values([
      { dwellingId: dwelling, residentId: here.id, livingType: 'own', fromDate: '2020-01-01' },
      { dwellingId: elsewhere, residentId: other.id, livingType: 'own', fromDate: '2020-01-01' },
    ]);
    expect((await search('comm', `${estate!.name} 902室`)).ids).toEqual([here.id]);
    expect((await search('comm', '902室')).ids).toEqual([here.id]);
    expect((await search('streetB', '902室')).ids).toEqual([]);
  });
});

describe('scope', () => {
  it('a street worker cannot see or change another street’s residents', async () => {
    const r = await register('comm', {
      name: '钱八',
      idNumber: freshIdNumber(),
      residenceType: 'registered',
      areaCode: FIXTURE.gridA1a,
    });
    expect((await call('streetA', 'GET', `/api/residents/${r.id}`)).statusCode).toBe(200);
    expect((await call('streetB', 'GET', `/api/residents/${r.id}`)).statusCode).toBe(404);
    const list = await call('streetB', 'GET', `/api/residents?areaCode=${FIXTURE.gridA1a}`);
    expect((list.json() as { items: unknown[] }).items).toEqual([]);
    const patch = await call('streetB', 'PATCH', `/api/residents/${r.id}`, {
      version: r.version,
      name: '改',
    });
    expect(patch.statusCode).toBe(404);
    const create = await call('streetB', 'POST', '/api/residents', {
      name: '越界',
      idNumber: freshIdNumber(),
      residenceType: 'registered',
      areaCode: FIXTURE.gridA1a,
    });
    expect(create.statusCode).toBe(403);
  });

  it('a leader reads but does not write; a volunteer sees nothing', async () => {
    const r = await register('comm', {
      name: '孔九',
      idNumber: freshIdNumber(),
      residenceType: 'registered',
      areaCode: FIXTURE.gridA1a,
    });
    expect((await call('leader', 'GET', `/api/residents/${r.id}`)).statusCode).toBe(200);
    const patch = await call('leader', 'PATCH', `/api/residents/${r.id}`, { version: r.version, name: '改' });
    expect(patch.statusCode).toBe(403);
    expect((await call('vol', 'GET', `/api/residents/${r.id}`)).statusCode).toBe(403);
    expect((await call('vol', 'GET', '/api/residents')).statusCode).toBe(403);
  });
});

describe('revealing a number', () => {
  it('shows the clear value for a purpose, until expiresAt, with a grant row and an audit entry', async () => {
    const idNumber = freshIdNumber();
    const r = await register('grid', {
      name: '揭示',
      idNumber,
      residenceType: 'registered',
      areaCode: FIXTURE.gridA1a,
    });
    const res = await env.app.inject({
      method: 'POST',
      url: `/api/residents/${r.id}/reveal`,
      headers: s.comm!.headers,
      payload: { field: 'idNumber', purpose: '办理低保核对身份' },
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as { field: string; value: string; expiresAt: string };
    expect(body.value).toBe(idNumber);
    const left = Date.parse(body.expiresAt) - Date.now();
    expect(left).toBeGreaterThan(200_000);
    expect(left).toBeLessThanOrEqual(300_000);
    const [grant] = await env.ctx.db
      .select()
      .from(residentRevealGrants)
      .where(eq(residentRevealGrants.residentId, r.id));
    expect(grant).toMatchObject({ field: 'idNumber', purpose: '办理低保核对身份' });
    const [entry] = await env.ctx.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, 'personal.reveal'))
      .orderBy(desc(auditLog.id))
      .limit(1);
    expect(entry).toMatchObject({ targetType: 'resident', targetId: r.id });
    expect(entry!.details).toMatchObject({ field: 'idNumber', purpose: '办理低保核对身份' });
    expect(JSON.stringify(entry!.details)).not.toContain(idNumber);
  });

  it('needs a purpose of 4 to 200 characters, and the reveal permission within scope', async () => {
    const r = await register('comm', {
      name: '揭示二',
      idNumber: freshIdNumber(),
      phone: freshPhone(),
      residenceType: 'registered',
      areaCode: FIXTURE.gridA1a,
    });
    const short = await call('comm', 'POST', `/api/residents/${r.id}/reveal`, {
      field: 'phone',
      purpose: '看看',
    });
    expect(problems(short)).toEqual(['body.purpose:minLength']);
    const blank = await call('comm', 'POST', `/api/residents/${r.id}/reveal`, {
      field: 'phone',
      purpose: '      ',
    });
    expect(problems(blank)).toEqual(['body.purpose:minLength']);
    // A grid worker reads residents but may not reveal their numbers.
    expect(
      (await call('grid', 'POST', `/api/residents/${r.id}/reveal`, { field: 'phone', purpose: '上门核实' }))
        .statusCode,
    ).toBe(403);
    expect(
      (
        await call('streetB', 'POST', `/api/residents/${r.id}/reveal`, {
          field: 'phone',
          purpose: '上门核实',
        })
      ).statusCode,
    ).toBe(404);
    expect(await countRows(env.ctx, `resident_reveal_grants where resident_id = '${r.id}'`)).toBe(0);
  });
});

describe('history is kept by the database', () => {
  it('refuses to change or delete events, and allows only closing a link', async () => {
    const r = await register('comm', {
      name: '历史',
      idNumber: freshIdNumber(),
      residenceType: 'registered',
      areaCode: FIXTURE.gridA1a,
    });
    await expect(
      env.ctx.db.update(residentEvents).set({ note: 'x' }).where(eq(residentEvents.residentId, r.id)),
    ).rejects.toThrow();
    await expect(
      env.ctx.db.delete(residentEvents).where(eq(residentEvents.residentId, r.id)),
    ).rejects.toThrow();
    const hh = await newHousehold('comm', { number: hhNumber(), type: 'family', areaCode: FIXTURE.gridA1a });
    await call('comm', 'POST', `/api/households/${hh.id}/members`, { residentId: r.id, relation: 'head' });
    await expect(
      env.ctx.db
        .update(householdMembers)
        .set({ relation: 'other' })
        .where(eq(householdMembers.residentId, r.id)),
    ).rejects.toThrow();
    await expect(
      env.ctx.db.delete(householdMembers).where(eq(householdMembers.residentId, r.id)),
    ).rejects.toThrow();
    await env.ctx.db
      .update(householdMembers)
      .set({ toDate: '2099-01-01' })
      .where(eq(householdMembers.residentId, r.id));
    await expect(
      env.ctx.db
        .update(householdMembers)
        .set({ toDate: '2099-02-01' })
        .where(eq(householdMembers.residentId, r.id)),
    ).rejects.toThrow();
  });
});

describe('masking on every route', () => {
  it('no route of the register answers with a clear ID or phone number', async () => {
    const dwellingId = await makeDwelling(env.ctx, FIXTURE.gridA1a, '601');
    const idNumber = freshIdNumber();
    const phone = freshPhone();
    const hh = await newHousehold('comm', { number: hhNumber(), type: 'family', areaCode: FIXTURE.gridA1a });
    const r = await register('comm', {
      name: '遮罩',
      idNumber,
      phone,
      residenceType: 'registered',
      householdId: hh.id,
      relation: 'head',
    });
    const other = await register('comm', {
      name: '遮罩二',
      idNumber: freshIdNumber(),
      phone: freshPhone(),
      residenceType: 'registered',
      areaCode: FIXTURE.gridA1a,
    });
    // Each call goes through `call`, which fails on a clear number in the body; each must also succeed.
    const routes: [string, 'GET' | 'POST' | 'PATCH', string, unknown?][] = [
      ['GET /api/residents', 'GET', `/api/residents?q=${idNumber}`],
      ['GET /api/residents/{id}', 'GET', `/api/residents/${r.id}`],
      [
        'PATCH /api/residents/{id}',
        'PATCH',
        `/api/residents/${r.id}`,
        { version: r.version, note: '已核实' },
      ],
      ['GET /api/households', 'GET', `/api/households?areaCode=${FIXTURE.gridA1a}`],
      ['GET /api/households/{id}', 'GET', `/api/households/${hh.id}`],
      [
        'POST /api/households/{id}/members',
        'POST',
        `/api/households/${hh.id}/members`,
        { residentId: other.id, relation: 'spouse' },
      ],
      [
        'PATCH /api/households/{id}/members/{residentId}',
        'PATCH',
        `/api/households/${hh.id}/members/${other.id}`,
        { relation: 'other' },
      ],
      [
        'POST /api/households/{id}/move-in',
        'POST',
        `/api/households/${hh.id}/move-in`,
        { dwellingId, livingType: 'own' },
      ],
      ['POST /api/households/{id}/move-out', 'POST', `/api/households/${hh.id}/move-out`, {}],
      [
        'POST /api/households/{id}/members/{residentId}/leave',
        'POST',
        `/api/households/${hh.id}/members/${other.id}/leave`,
        {},
      ],
      ['POST /api/residents/{id}/death', 'POST', `/api/residents/${other.id}/death`, {}],
    ];
    for (const [route, method, url, payload] of routes) {
      const res = await call('comm', method, url, payload);
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(200);
      // The household list carries no numbers at all; every other answer carries masked ones.
      if (route !== 'GET /api/households') expect(res.body).toMatch(/\*{4}/);
    }
    // POST /api/residents and POST /api/households are checked by register() and newHousehold() above. Every route
    // of the register is in this list or there, except reveal, whose purpose is the clear value.
    const doc = (await env.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = Object.entries(doc.paths)
      .filter(([p]) => p.startsWith('/api/residents') || p.startsWith('/api/households'))
      .flatMap(([p, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${p}`));
    const covered = [
      ...routes.map((r) => r[0]),
      'POST /api/residents',
      'POST /api/households',
      'POST /api/residents/{id}/reveal',
      // A resident's focus-group tags (tags module) carry no ID or phone number at all; tags.test.ts checks them.
      'GET /api/residents/{id}/focus-tags',
      'POST /api/residents/{id}/focus-tags',
      'POST /api/residents/{id}/focus-tags/{residentTagId}/end',
      // The export masks by default and shows numbers in clear only with the permission and a purpose: io/io.test.ts.
      'GET /api/residents/export',
    ];
    expect(documented.filter((d) => !covered.includes(d))).toEqual([]);
  });
});

describe('bad input as a worker who may write', () => {
  it('answers unknown ids and foreign references with 4xx, never 500', async () => {
    const nobody = '00000000-0000-4000-8000-000000000000';
    const r = await register('comm', {
      name: '坏输入',
      idNumber: freshIdNumber(),
      residenceType: 'registered',
      areaCode: FIXTURE.gridA1a,
    });
    const hh = await newHousehold('comm', { number: hhNumber(), type: 'family', areaCode: FIXTURE.gridA1a });
    const calls: [string, 'GET' | 'POST' | 'PATCH', string, unknown?][] = [
      ['resident.unknown', 'GET', `/api/residents/${nobody}`],
      ['resident.unknown', 'PATCH', `/api/residents/${nobody}`, { version: 1, name: '无' }],
      ['resident.unknown', 'POST', `/api/residents/${nobody}/death`, {}],
      [
        'resident.unknown',
        'POST',
        `/api/residents/${nobody}/reveal`,
        { field: 'phone', purpose: '核实身份信息' },
      ],
      ['household.unknown', 'GET', `/api/households/${nobody}`],
      [
        'household.unknown',
        'POST',
        `/api/residents`,
        {
          name: '无户',
          idNumber: freshIdNumber(),
          residenceType: 'registered',
          householdId: nobody,
          relation: 'son',
        },
      ],
      [
        'validation.failed',
        'POST',
        `/api/households/${hh.id}/members`,
        { residentId: nobody, relation: 'son' },
      ],
      ['household.not_member', 'POST', `/api/households/${hh.id}/members/${r.id}/leave`, {}],
      ['household.not_member', 'PATCH', `/api/households/${hh.id}/members/${nobody}`, { relation: 'son' }],
      [
        'validation.failed',
        'POST',
        `/api/households/${hh.id}/move-in`,
        { dwellingId: nobody, livingType: 'own' },
      ],
      [
        'validation.failed',
        'POST',
        '/api/households',
        { number: hhNumber(), type: 'family', dwellingId: nobody },
      ],
      [
        'validation.failed',
        'POST',
        '/api/residents',
        { name: '无区', idNumber: freshIdNumber(), residenceType: 'registered', areaCode: '340302001009' },
      ],
      ['validation.failed', 'GET', '/api/residents?areaCode=340302009009'],
      [
        'validation.failed',
        'POST',
        '/api/residents',
        { name: '街道级', idNumber: freshIdNumber(), residenceType: 'registered', areaCode: FIXTURE.streetA },
      ],
      ['validation.failed', 'GET', `/api/residents?q=${encodeURIComponent('%_\\')}`],
    ];
    for (const [code, method, url, payload] of calls) {
      const res = await call('comm', method, url, payload);
      if (code === 'validation.failed' && method === 'GET' && url.includes('q=')) {
        expect(res.statusCode, res.body).toBe(200);
        continue;
      }
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(500);
      expect((res.json() as ErrorJson).error.code, `${method} ${url}`).toBe(code);
    }
  });
});
