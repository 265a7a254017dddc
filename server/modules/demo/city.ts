/**
 * The synthetic city (`linli seed city --residents N`): under a real district code, grids for its communities
 * (and, when the real communities cannot hold N at a realistic size, extra communities numbered in the NBS-only
 * range 401-599 of their street), estates, buildings, units, dwellings, households and residents. Residents get
 * realistic Chinese names (surnames and given-name characters by frequency), valid ID numbers (real region codes:
 * mostly the district's own, some of the city's counties, floating people from other provinces; plausible birth
 * dates; correct check digits), phones, and residence types (mostly 户籍, some 流动 with a permit, few 境外).
 * Numbers are encrypted and hashed exactly as the register does.
 *
 * Fast: rows are generated in memory a few grids at a time and written with one multi-row statement per table
 * (json_to_recordset) in batches of about 20,000 residents, two batches in flight on PostgreSQL. Deterministic
 * with a seed: the same seed gives the same city (names, numbers, structure, ids); only ciphertexts differ.
 * It refuses to run into a district that already has residents (run it once per district).
 */
import fs from 'node:fs';
import path from 'node:path';
import { and, asc, eq, like, sql } from 'drizzle-orm';
import { areaPath, parseAreaCode } from '../../../common/area-code';
import { makeIdNumber, maskIdNumber } from '../../../common/id-number';
import { maskPhoneNumber } from '../../../common/phone-number';
import type { AppContext } from '../../context';
import type { Tx } from '../../db/client';
import { SYSTEM_ACTOR_NAME } from '../areas/audit-meta';
import { communityShortName } from '../areas/division-csv';
import { importDivisionFiles } from '../areas/import';
import { areas } from '../areas/tables';
import { appendAudit } from '../audit/log';
import { nameInitials } from '../people/service';
import { residents } from '../people/tables';
import { DEMO_DATA_DIR, DEMO_DISTRICT } from './seed';

export interface CityOptions {
  residents: number;
  /** 12-digit (or 6-digit) district code; default 龙子湖区 340302. */
  district?: string;
  seed?: number;
  /** Residents per write batch. */
  batch?: number;
  /** Batches written at the same time (PostgreSQL; PGlite writes one at a time). */
  parallel?: number;
  log?: (line: string) => void;
}

export interface CityResult {
  district: string;
  residents: number;
  households: number;
  dwellings: number;
  buildings: number;
  grids: number;
  communities: number;
  seconds: number;
  residentsPerSecond: number;
}

/** Residents a community holds at most here (a real 社区 has 3,000–15,000). */
const PER_COMMUNITY = 10_000;
/** Households per grid (网格: 300–500 households). */
const HOUSEHOLDS_PER_GRID = 350;
const SINCE = '2015-01-01';

// ---------------------------------------------------------------------------------------------------------
// Deterministic randomness
// ---------------------------------------------------------------------------------------------------------

/** A small fast PRNG (mulberry32): the same seed gives the same sequence. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  /** A v4-shaped UUID from the sequence (deterministic ids). */
  uuid(): string {
    const h = (n: number) => (this.int(0x10000) | 0).toString(16).padStart(4, '0').slice(0, n);
    const v = (8 + this.int(4)).toString(16);
    return `${h(4)}${h(4)}-${h(4)}-4${h(3)}-${v}${h(3)}-${h(4)}${h(4)}${h(4)}`;
  }
}

/** Picks by weight: built once, drawn with a binary search over cumulative weights. */
class Weighted<T> {
  private readonly cum: number[] = [];
  private readonly items: T[] = [];
  private total = 0;
  constructor(pairs: readonly (readonly [T, number])[]) {
    for (const [item, w] of pairs) {
      this.total += w;
      this.cum.push(this.total);
      this.items.push(item);
    }
  }
  draw(rng: Rng): T {
    const x = rng.next() * this.total;
    let lo = 0;
    let hi = this.cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cum[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo]!;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------------------

/** The 100 commonest surnames with their share in per mille (公安部 2020 户籍统计, rounded). */
const SURNAMES = new Weighted<string>(
  (
    '王 72,李 70,张 68,刘 53,陈 46,杨 32,黄 24,赵 23,吴 21,周 20,徐 15,孙 15,马 14,朱 13,胡 12,郭 12,何 11,' +
    '林 10,高 10,罗 10,郑 9,梁 9,谢 7,宋 7,唐 7,许 6,韩 6,邓 6,冯 6,曹 6,彭 6,曾 6,肖 5,田 5,董 5,潘 5,' +
    '袁 5,蔡 5,蒋 5,余 5,于 5,杜 4,叶 4,程 4,魏 4,苏 4,吕 4,丁 4,任 4,卢 4,姚 4,沈 4,钟 4,姜 4,崔 3,' +
    '谭 3,陆 3,范 3,汪 3,廖 3,石 3,金 3,韦 3,贾 3,夏 3,付 3,方 3,邹 3,熊 3,白 3,孟 3,秦 3,邱 3,侯 3,' +
    '江 3,尹 3,薛 3,闫 2,段 2,雷 2,龙 2,黎 2,史 2,陶 2,贺 2,毛 2,郝 2,顾 2,龚 2,邵 2,万 2,覃 2,武 2,' +
    '钱 2,戴 2,严 2,莫 2,孔 2,向 2,常 2,欧阳 1,诸葛 0.1'
  )
    .split(',')
    .map((p) => {
      const [s, w] = p.split(' ');
      return [s!, Number(w)] as const;
    }),
);

/** Given-name characters by sex, commoner ones listed more often (frequency by repetition). */
const MALE_CHARS = (
  '伟伟伟强强磊磊军军勇勇杰杰涛涛明明超超刚刚平平辉辉鹏鹏华华飞飞鑫鑫波波斌斌宇宇浩浩凯凯健俊帆帅旭宁龙林' +
  '建国志军文海峰东晨阳博轩子豪然泽睿航宏昊天翔毅诚立刚家振兴永德成彬晓一嘉思源'
).split('');
const FEMALE_CHARS = (
  '芳芳娜娜敏敏静静丽丽艳艳娟娟霞霞秀秀英英玲玲燕燕红红婷婷雪雪琳琳洁洁欣欣梅梅慧慧莉莉倩倩颖颖' +
  '佳佳怡萱涵雨晴梓诗思悦琪月兰桂凤淑珍玉华云彤蕾瑶晶璐冰馨妍婧丹萍'
).split('');

// ---------------------------------------------------------------------------------------------------------
// Region codes for ID numbers
// ---------------------------------------------------------------------------------------------------------

/** Real county-level codes of other provinces, where floating residents in Anhui often come from. */
const OTHER_PROVINCES = [
  '320102', '320311', '320830', '321302', '370102', '371302', '410102', '410522', '411402', '411502',
  '411602', '420102', '330106', '310101', '110105', '440106', '510104', '500103', '360102', '130102',
  '140105', '430102', '350102', '610113', '220102',
]; // prettier-ignore
/** Anhui counties outside the city (合肥, 淮南, 宿州, 阜阳, 滁州, 六安, 亳州). */
const SAME_PROVINCE = [
  '340102',
  '340104',
  '340402',
  '341302',
  '341202',
  '341102',
  '341502',
  '341602',
  '341221',
];

const ESTATE_WORDS = (
  '幸福 锦绣 阳光 和平 翠苑 龙湖 金色 紫金 华府 名都 春晖 东方 新城 凤凰 书香 御景 滨河 梧桐 丽景 南苑 ' +
  '北园 学府 康乐 怡和 瑞景 天骄 银杏 兰亭 水岸 香榭'
).split(' ');
const ESTATE_SUFFIX = ['小区', '花园', '家园', '苑', '新村', '公寓'];

// ---------------------------------------------------------------------------------------------------------
// Areas
// ---------------------------------------------------------------------------------------------------------

interface Community {
  code: string;
  path: string;
  name: string;
}

function normalizeDistrict(code: string): string {
  const c = code.length === 6 ? `${code}000000` : code;
  const parsed = parseAreaCode(c);
  if (!parsed.ok || parsed.level !== 'district')
    throw new Error(
      `--district must be a district (county) code such as 340302 or 340302000000, got ${code}`,
    );
  return c;
}

/** The district's communities, adding numbered ones (401…) under its streets until they can hold N residents. */
async function ensureCommunities(
  ctx: AppContext,
  district: string,
  residentsWanted: number,
  log: (s: string) => void,
) {
  const districtPath = areaPath(district);
  let [row] = await ctx.db.select({ code: areas.code }).from(areas).where(eq(areas.code, district));
  if (!row && district.startsWith('3403') && fs.existsSync(DEMO_DATA_DIR)) {
    log('importing the 蚌埠市 division codes');
    const files = ['provinces.csv', 'cities.csv', 'areas.csv', 'streets.csv', 'villages.csv'].map((f) =>
      path.join(DEMO_DATA_DIR, f),
    );
    await importDivisionFiles(ctx, files);
    [row] = await ctx.db.select({ code: areas.code }).from(areas).where(eq(areas.code, district));
  }
  if (!row)
    throw new Error(`district ${district} is not in the area tree; import it first (linli areas import)`);
  const streets = await ctx.db
    .select({ code: areas.code, name: areas.name })
    .from(areas)
    .where(and(eq(areas.level, 'street'), eq(areas.parentCode, district)))
    .orderBy(asc(areas.code));
  if (!streets.length)
    throw new Error(`district ${district} has no streets; import its division codes first`);
  const communities: Community[] = await ctx.db
    .select({ code: areas.code, path: areas.path, name: areas.name })
    .from(areas)
    .where(and(eq(areas.level, 'community'), like(areas.path, `${districtPath}%`)))
    .orderBy(asc(areas.code));
  const needed = Math.max(1, Math.ceil(residentsWanted / PER_COMMUNITY));
  const extra: Community[] = [];
  for (let i = 0; communities.length + extra.length < needed; i++) {
    const street = streets[i % streets.length]!;
    const n = 401 + Math.floor(i / streets.length);
    if (n > 599)
      throw new Error('too many residents for this district (more than 199 new communities per street)');
    const code = `${street.code.slice(0, 9)}${n}`;
    const name = `${street.name.replace(/(街道|镇|乡)$/, '')}第${n - 400}新区社区居委会`;
    extra.push({ code, path: areaPath(code), name });
  }
  if (extra.length) {
    log(`adding ${extra.length} communities (numbers 401… of the streets)`);
    await ctx.db
      .insert(areas)
      .values(
        extra.map((c) => ({
          code: c.code,
          path: c.path,
          name: c.name,
          level: 'community',
          parentCode: `${c.code.slice(0, 9)}000`,
          source: 'local',
        })),
      )
      .onConflictDoNothing();
  }
  return [...communities, ...extra].slice(0, needed);
}

// ---------------------------------------------------------------------------------------------------------
// Generation
// ---------------------------------------------------------------------------------------------------------

interface Rows {
  grids: Record<string, unknown>[];
  estates: Record<string, unknown>[];
  buildings: Record<string, unknown>[];
  units: Record<string, unknown>[];
  dwellings: Record<string, unknown>[];
  residents: Record<string, unknown>[];
  households: Record<string, unknown>[];
  members: Record<string, unknown>[];
  links: Record<string, unknown>[];
  events: Record<string, unknown>[];
}

const emptyRows = (): Rows => ({
  grids: [],
  estates: [],
  buildings: [],
  units: [],
  dwellings: [],
  residents: [],
  households: [],
  members: [],
  links: [],
  events: [],
});

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** A birth date for an age in whole years (as of 2025), on a random day. */
function birthFor(rng: Rng, age: number): string {
  const year = 2025 - Math.max(0, Math.min(104, age));
  return addDays(`${year}-01-01`, rng.int(365));
}

interface Gen {
  ctx: AppContext;
  rng: Rng;
  district: string;
  cityCounties: string[];
  initials: Map<string, string>;
  /** ID sequence numbers given so far per region + birth date, by sex (the 3-digit sequence must differ). */
  used: Map<string, number>;
  phoneSeq: number;
}

function personName(g: Gen, male: boolean, surname?: string): string {
  return syntheticName(g.rng, male, surname);
}

/** A realistic Chinese name: a surname by its frequency, one or (mostly) two given-name characters of the sex. */
export function syntheticName(rng: Rng, male: boolean, surname?: string): string {
  const s = surname ?? SURNAMES.draw(rng);
  const pool = male ? MALE_CHARS : FEMALE_CHARS;
  const two = rng.next() < 0.78;
  return s + rng.pick(pool) + (two ? rng.pick(pool) : '');
}

function initialsOf(g: Gen, name: string): string {
  let v = g.initials.get(name);
  if (v === undefined) {
    v = nameInitials(name);
    g.initials.set(name, v);
  }
  return v;
}

/** A valid ID number for region, birth date and sex, with a 3-digit sequence not given before. */
function idNumberFor(g: Gen, region: string, birth: string, male: boolean): string {
  const key = `${region}${birth}${male ? 'm' : 'f'}`;
  const k = g.used.get(key) ?? 0;
  if (k >= 500) throw new Error(`more than 500 ${male ? 'men' : 'women'} born ${birth} in ${region}`);
  g.used.set(key, k + 1);
  // Sequences start somewhere in 0..999 by the key, step by two; parity gives the sex (odd male, even female).
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) >>> 0;
  const seq = (((h % 500) * 2 + k * 2) % 1000) + (male ? 1 : 0);
  return makeIdNumber(region, birth, seq);
}

const MOBILE_PREFIXES = ['138', '139', '136', '137', '135', '150', '151', '152', '158', '159', '186', '187', '188', '180', '181', '189', '177', '176', '199', '198', '133', '153', '155', '156', '130', '131', '132', '185']; // prettier-ignore

function phoneFor(g: Gen): string {
  g.phoneSeq = (g.phoneSeq + 7_919_393) % 100_000_000;
  return g.rng.pick(MOBILE_PREFIXES) + String(g.phoneSeq).padStart(8, '0');
}

type ResidenceType = 'registered' | 'floating' | 'foreign';

/** The members of one household: head, maybe spouse, children, maybe a parent, with relations and ages. */
function family(g: Gen): { relation: string; male: boolean; age: number }[] {
  const rng = g.rng;
  const size = new Weighted<number>([
    [1, 18],
    [2, 30],
    [3, 26],
    [4, 15],
    [5, 8],
    [6, 3],
  ]).draw(rng);
  const headAge = 24 + rng.int(62);
  const headMale = rng.next() < 0.72;
  const out = [{ relation: 'head', male: headMale, age: headAge }];
  if (size >= 2)
    out.push({ relation: 'spouse', male: !headMale, age: Math.max(20, headAge - 3 + rng.int(7)) });
  const wantParent = size >= 4 && headAge < 55 && rng.next() < 0.4;
  const children = size - out.length - (wantParent ? 1 : 0);
  for (let i = 0; i < children; i++) {
    const male = rng.next() < 0.52;
    const age = Math.max(0, headAge - 22 - rng.int(14));
    out.push({ relation: male ? 'son' : 'daughter', male, age });
  }
  if (wantParent)
    out.push({ relation: 'parent', male: rng.next() < 0.4, age: Math.min(100, headAge + 24 + rng.int(8)) });
  return out;
}

function regionFor(g: Gen, type: ResidenceType): string {
  const x = g.rng.next();
  if (type === 'floating') return x < 0.45 ? g.rng.pick(SAME_PROVINCE) : g.rng.pick(OTHER_PROVINCES);
  if (x < 0.75) return g.district.slice(0, 6);
  if (x < 0.93 && g.cityCounties.length) return g.rng.pick(g.cityCounties);
  return g.rng.pick(SAME_PROVINCE);
}

/** Generates one grid: its area row, an estate, buildings down to dwellings, and its households and people. */
function generateGrid(
  g: Gen,
  rows: Rows,
  community: Community,
  gridNo: number,
  households: number,
  householdSeq: { n: number },
  budget: { left: number },
): { residents: number; households: number } {
  const rng = g.rng;
  const gridCode = `${community.code}${String(100 + gridNo).padStart(3, '0')}`;
  const gridPath = gridCode;
  rows.grids.push({
    code: gridCode,
    path: gridPath,
    name: `${communityShortName(community.name)}第${gridNo}网格`,
    parent_code: community.code,
  });
  const estateId = rng.uuid();
  rows.estates.push({
    id: estateId,
    area_code: community.code,
    area_path: community.path,
    name: `${rng.pick(ESTATE_WORDS)}${rng.pick(ESTATE_SUFFIX)}${gridNo}期`,
  });
  // Dwellings: a tenth more than households (some stand vacant).
  const wanted = Math.ceil(households * 1.1);
  const homes: { id: string; use: string }[] = [];
  for (let b = 1; homes.length < wanted; b++) {
    const high = rng.next() < 0.3;
    const floors = high ? 11 + rng.int(8) : 6;
    const unitsCount = high ? 2 : 2 + rng.int(2);
    const perFloor = 2;
    const buildingId = rng.uuid();
    rows.buildings.push({
      id: buildingId,
      area_code: gridCode,
      area_path: gridPath,
      estate_id: estateId,
      name: `${b}栋`,
      number: String(b),
      floors,
      units_count: unitsCount,
    });
    for (let u = 1; u <= unitsCount; u++) {
      const unitId = rng.uuid();
      rows.units.push({ id: unitId, building_id: buildingId, area_path: gridPath, number: String(u) });
      for (let f = 1; f <= floors; f++)
        for (let d = 1; d <= perFloor; d++) {
          const id = rng.uuid();
          const use = rng.next() < 0.08 ? 'vacant' : rng.next() < 0.2 ? 'rented' : 'self_occupied';
          rows.dwellings.push({
            id,
            unit_id: unitId,
            building_id: buildingId,
            area_path: gridPath,
            floor: f,
            number: `${f}0${d}`,
            floor_area: 60 + rng.int(80),
            use,
          });
          if (use !== 'vacant') homes.push({ id, use });
        }
    }
  }
  let made = 0;
  let madeHouseholds = 0;
  for (let h = 0; h < households && budget.left > 0; h++) {
    const x = rng.next();
    const type: ResidenceType = x < 0.84 ? 'registered' : x < 0.985 ? 'floating' : 'foreign';
    const home = homes[h % homes.length]!;
    const living =
      type !== 'registered' || home.use === 'rented' ? 'rent' : rng.next() < 0.03 ? 'borrow' : 'own';
    const householdId = rng.uuid();
    // The last household is cut to what is left of N: the city has exactly N residents.
    const members = family(g).slice(0, budget.left);
    budget.left -= members.length;
    madeHouseholds++;
    const surname = SURNAMES.draw(rng);
    let headId = '';
    const permit = type === 'floating' ? addDays('2025-06-01', rng.int(1100)) : null;
    for (const m of members) {
      const id = rng.uuid();
      if (m.relation === 'head') headId = id;
      const birth = birthFor(rng, m.age);
      // Children and the head share the surname; a spouse or parent often has another.
      const sameName = m.relation === 'head' || m.relation === 'son' || m.relation === 'daughter';
      const name =
        type === 'foreign'
          ? rng.pick(['安娜', '约翰', '玛丽亚', '金敏俊', '朴智恩', '山田健太', '阮文明', '大卫']) +
            (made % 7 === 0 ? '·史密斯' : '')
          : personName(g, m.male, sameName ? surname : undefined);
      const idNumber = type === 'foreign' ? null : idNumberFor(g, regionFor(g, type), birth, m.male);
      const phone = m.age >= 16 && rng.next() < 0.85 ? phoneFor(g) : null;
      rows.residents.push({
        id,
        name,
        name_initials: initialsOf(g, name),
        gender: m.male ? 'male' : 'female',
        birth_date: birth,
        id_number_enc: idNumber ? g.ctx.secrets.encrypt(idNumber) : null,
        id_number_hash: idNumber ? g.ctx.secrets.keyedHash(idNumber, 'idnumber') : null,
        id_number_last4: idNumber ? idNumber.slice(-4) : null,
        id_number_masked: idNumber ? maskIdNumber(idNumber) : null,
        district_path: g.district.slice(0, 6),
        phone_enc: phone ? g.ctx.secrets.encrypt(phone) : null,
        phone_hash: phone ? g.ctx.secrets.keyedHash(phone, 'phone') : null,
        phone_last4: phone ? phone.slice(-4) : null,
        phone_masked: phone ? maskPhoneNumber(phone) : null,
        ethnicity:
          type === 'foreign' ? null : rng.next() < 0.985 ? '01' : rng.pick(['03', '11', '02', '06', '15']),
        residence_type: type,
        permit_expires_on: permit,
        area_code: gridCode,
        area_path: gridPath,
      });
      const from = addDays(SINCE, rng.int(3000));
      const since = from < birth ? birth : from;
      rows.members.push({
        household_id: householdId,
        resident_id: id,
        relation: m.relation,
        from_date: since,
      });
      rows.links.push({
        dwelling_id: home.id,
        resident_id: id,
        household_id: householdId,
        living_type: living,
        from_date: since,
      });
      rows.events.push({
        resident_id: id,
        kind: 'registered',
        occurred_on: since,
        household_id: householdId,
        dwelling_id: home.id,
        area_path: gridPath,
        data: { residenceType: type, source: 'seed city' },
      });
      made++;
    }
    householdSeq.n++;
    rows.households.push({
      id: householdId,
      number: String(householdSeq.n).padStart(5, '0'),
      community_code: community.code,
      area_code: gridCode,
      area_path: gridPath,
      dwelling_id: home.id,
      living_type: living,
      head_resident_id: headId,
      type: 'family',
    });
  }
  return { residents: made, households: madeHouseholds };
}

// ---------------------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------------------

/** Writes one batch: parents before children, one statement per table, one transaction. */
async function writeRows(tx: Tx, r: Rows): Promise<void> {
  const j = (rows: unknown[]) => JSON.stringify(rows);
  if (r.grids.length)
    await tx.execute(sql`insert into areas (code, path, name, level, parent_code, source)
      select code, path, name, 'grid', parent_code, 'local'
      from json_to_recordset(${j(r.grids)}::json) as x(code text, path text, name text, parent_code text)
      on conflict do nothing`);
  await tx.execute(sql`insert into estates (id, area_code, area_path, name)
    select id, area_code, area_path, name
    from json_to_recordset(${j(r.estates)}::json) as x(id uuid, area_code text, area_path text, name text)`);
  await tx.execute(sql`insert into buildings (id, area_code, area_path, estate_id, name, number, floors, units_count)
    select id, area_code, area_path, estate_id, name, number, floors, units_count
    from json_to_recordset(${j(r.buildings)}::json) as x(id uuid, area_code text, area_path text, estate_id uuid,
      name text, number text, floors int, units_count int)`);
  await tx.execute(sql`insert into units (id, building_id, area_path, number)
    select id, building_id, area_path, number
    from json_to_recordset(${j(r.units)}::json) as x(id uuid, building_id uuid, area_path text, number text)`);
  await tx.execute(sql`insert into dwellings (id, unit_id, building_id, area_path, floor, number, floor_area, use)
    select id, unit_id, building_id, area_path, floor, number, floor_area, use
    from json_to_recordset(${j(r.dwellings)}::json) as x(id uuid, unit_id uuid, building_id uuid, area_path text,
      floor int, number text, floor_area numeric, use text)`);
  await tx.execute(sql`insert into residents (id, name, name_initials, gender, birth_date, id_number_enc, id_number_hash,
      id_number_last4, id_number_masked, district_path, phone_enc, phone_hash, phone_last4, phone_masked, ethnicity,
      residence_type, permit_expires_on, area_code, area_path)
    select id, name, name_initials, gender, birth_date, id_number_enc, id_number_hash, id_number_last4,
      id_number_masked, district_path, phone_enc, phone_hash, phone_last4, phone_masked, ethnicity, residence_type,
      permit_expires_on, area_code, area_path
    from json_to_recordset(${j(r.residents)}::json) as x(id uuid, name text, name_initials text, gender text,
      birth_date date, id_number_enc text, id_number_hash text, id_number_last4 text, id_number_masked text,
      district_path text, phone_enc text, phone_hash text, phone_last4 text, phone_masked text, ethnicity text,
      residence_type text, permit_expires_on date, area_code text, area_path text)`);
  await tx.execute(sql`insert into households (id, number, community_code, area_code, area_path, dwelling_id, living_type,
      head_resident_id, type)
    select id, number, community_code, area_code, area_path, dwelling_id, living_type, head_resident_id, type
    from json_to_recordset(${j(r.households)}::json) as x(id uuid, number text, community_code text, area_code text,
      area_path text, dwelling_id uuid, living_type text, head_resident_id uuid, type text)`);
  await tx.execute(sql`insert into household_members (household_id, resident_id, relation, from_date)
    select household_id, resident_id, relation, from_date
    from json_to_recordset(${j(r.members)}::json) as x(household_id uuid, resident_id uuid, relation text, from_date date)`);
  await tx.execute(sql`insert into resident_dwellings (dwelling_id, resident_id, household_id, living_type, from_date)
    select dwelling_id, resident_id, household_id, living_type, from_date
    from json_to_recordset(${j(r.links)}::json) as x(dwelling_id uuid, resident_id uuid, household_id uuid,
      living_type text, from_date date)`);
  await tx.execute(sql`insert into resident_events (resident_id, kind, occurred_on, household_id, dwelling_id, area_path,
      data, actor_name)
    select resident_id, kind, occurred_on, household_id, dwelling_id, area_path, data, ${SYSTEM_ACTOR_NAME}
    from json_to_recordset(${j(r.events)}::json) as x(resident_id uuid, kind text, occurred_on date,
      household_id uuid, dwelling_id uuid, area_path text, data jsonb)`);
}

/** Creates the synthetic city; refuses a district that already has residents. */
export async function seedCity(ctx: AppContext, opts: CityOptions): Promise<CityResult> {
  const log = opts.log ?? (() => undefined);
  if (!Number.isInteger(opts.residents) || opts.residents < 1 || opts.residents > 50_000_000)
    throw new Error('--residents must be a whole number from 1 to 50,000,000');
  const district = normalizeDistrict(opts.district ?? DEMO_DISTRICT);
  const districtPath = areaPath(district);
  const [taken] = await ctx.db
    .select({ id: residents.id })
    .from(residents)
    .where(eq(residents.districtPath, districtPath))
    .limit(1);
  if (taken)
    throw new Error(
      `district ${district} already has residents; the city generator runs once per district (use another --district)`,
    );
  const started = Date.now();
  const communities = await ensureCommunities(ctx, district, opts.residents, log);
  const cityCounties = (
    await ctx.db
      .select({ code: areas.code })
      .from(areas)
      .where(and(eq(areas.level, 'district'), like(areas.path, `${district.slice(0, 4)}%`)))
  )
    .map((a) => a.code.slice(0, 6))
    .filter((c) => c !== district.slice(0, 6) && Number(c.slice(4, 6)) < 70);
  const g: Gen = {
    ctx,
    rng: new Rng(opts.seed ?? 1),
    district,
    cityCounties,
    initials: new Map(),
    used: new Map(),
    phoneSeq: (opts.seed ?? 1) * 104_729,
  };
  const batchSize = opts.batch ?? 20_000;
  const parallel = ctx.database.kind === 'pglite' ? 1 : Math.max(1, opts.parallel ?? 2);
  const inFlight = new Set<Promise<void>>();
  let failure: unknown = null;
  const write = async (rows: Rows) => {
    while (inFlight.size >= parallel) await Promise.race(inFlight);
    if (failure) throw failure;
    const p: Promise<void> = ctx.db
      .transaction((tx) => writeRows(tx, rows))
      .catch((err: unknown) => {
        failure ??= err;
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  };

  // Households per community so that the residents come to N (about 2.6 people per household); the last
  // household is trimmed by stopping once N is reached.
  let made = 0;
  let householdCount = 0;
  let gridCount = 0;
  let rows = emptyRows();
  let lastLog = Date.now();
  const perCommunity = Math.ceil(opts.residents / communities.length);
  const budget = { left: opts.residents };
  for (const community of communities) {
    if (made >= opts.residents) break;
    const seq = { n: 0 };
    const target = Math.min(perCommunity, opts.residents - made);
    let inCommunity = 0;
    for (let gridNo = 1; inCommunity < target && budget.left > 0; gridNo++) {
      // About 2.6 residents per household: a grid's households for what is still to make.
      const households = Math.max(1, Math.min(HOUSEHOLDS_PER_GRID, Math.ceil((target - inCommunity) / 2.6)));
      const n = generateGrid(g, rows, community, gridNo, households, seq, budget);
      inCommunity += n.residents;
      made += n.residents;
      householdCount += n.households;
      gridCount++;
      if (rows.residents.length >= batchSize) {
        await write(rows);
        rows = emptyRows();
        if (Date.now() - lastLog > 5000) {
          lastLog = Date.now();
          const s = (Date.now() - started) / 1000;
          log(`${made.toLocaleString('en')} residents, ${Math.round(made / s).toLocaleString('en')}/s`);
        }
      }
    }
  }
  if (rows.residents.length) await write(rows);
  await Promise.all(inFlight);
  if (failure) throw failure;
  const seconds = (Date.now() - started) / 1000;
  const totals = (
    (await ctx.db.execute(sql`select
      (select count(*)::int from dwellings where area_path like ${districtPath + '%'}) as dwellings,
      (select count(*)::int from buildings where area_path like ${districtPath + '%'}) as buildings`)) as unknown as {
      rows: { dwellings: number; buildings: number }[];
    }
  ).rows[0]!;
  await ctx.db.transaction((tx) =>
    appendAudit(tx, {
      actorName: SYSTEM_ACTOR_NAME,
      action: 'demo.seed.city',
      targetType: 'area',
      targetId: district,
      areaPath: districtPath,
      outcome: 'success',
      details: { residents: made, households: householdCount, seed: opts.seed ?? 1 },
    }),
  );
  return {
    district,
    residents: made,
    households: householdCount,
    dwellings: Number(totals.dwellings),
    buildings: Number(totals.buildings),
    grids: gridCount,
    communities: communities.length,
    seconds,
    residentsPerSecond: Math.round(made / seconds),
  };
}
