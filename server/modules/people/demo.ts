/**
 * Demo residents and households for the demo city: in the first grids of the demo street's first community, a few
 * households living in the demo dwellings (housing/demo.ts; at the grid when there are none), each with members
 * whose synthetic ID numbers are valid (real district code 340302, correct check digits) and phones fictitious.
 * Idempotent: a community that has any household already is left alone.
 */
import { and, asc, eq, like, sql } from 'drizzle-orm';
import { areaPath } from '../../../common/area-code';
import { makeIdNumber, maskIdNumber } from '../../../common/id-number';
import { maskPhoneNumber, phoneLast4 } from '../../../common/phone-number';
import type { HouseholdRelation, LivingType } from '../../../common/schemas/people';
import type { AppContext } from '../../context';
import type { Tx } from '../../db/client';
import { SYSTEM_ACTOR_NAME } from '../areas/audit-meta';
import { areas } from '../areas/tables';
import { appendAudit } from '../audit/log';
import { dwellings } from '../housing/tables';
import { nameInitials } from './service';
import { householdMembers, households, residentDwellings, residentEvents, residents } from './tables';

const DEMO_GRIDS = 2;
const HOUSEHOLDS_PER_GRID = 4;
const SINCE = '2018-06-01';

interface Person {
  name: string;
  relation: HouseholdRelation;
  birth: string;
  male: boolean;
  phone?: boolean;
}

/** Households as families are: a head, often a spouse, children, sometimes a parent. */
const FAMILIES: { living: LivingType; members: Person[] }[] = [
  {
    living: 'own',
    members: [
      { name: '王建国', relation: 'head', birth: '1968-04-12', male: true, phone: true },
      { name: '李秀英', relation: 'spouse', birth: '1970-09-03', male: false, phone: true },
      { name: '王磊', relation: 'son', birth: '1995-01-21', male: true, phone: true },
    ],
  },
  {
    living: 'own',
    members: [{ name: '张桂兰', relation: 'head', birth: '1941-11-30', male: false, phone: true }],
  },
  {
    living: 'rent',
    members: [
      { name: '刘洋', relation: 'head', birth: '1990-07-08', male: true, phone: true },
      { name: '陈静', relation: 'spouse', birth: '1992-02-14', male: false, phone: true },
      { name: '刘子涵', relation: 'daughter', birth: '2018-10-05', male: false },
    ],
  },
  {
    living: 'own',
    members: [
      { name: '赵志强', relation: 'head', birth: '1975-05-19', male: true, phone: true },
      { name: '孙丽', relation: 'spouse', birth: '1977-12-01', male: false },
      { name: '赵一鸣', relation: 'son', birth: '2008-03-27', male: true },
      { name: '赵德发', relation: 'parent', birth: '1948-08-08', male: true },
    ],
  },
];

/** Seeds the demo residents under a street (the demo accounts' street); returns the residents made. */
export async function seedDemoPeople(ctx: AppContext, streetCode: string): Promise<number> {
  const [community] = await ctx.db
    .select({ code: areas.code })
    .from(areas)
    .where(and(eq(areas.level, 'community'), like(areas.path, `${areaPath(streetCode)}%`)))
    .orderBy(asc(areas.code))
    .limit(1);
  if (!community) return 0;
  const grids = await ctx.db
    .select({ code: areas.code, path: areas.path })
    .from(areas)
    .where(and(eq(areas.level, 'grid'), eq(areas.parentCode, community.code)))
    .orderBy(asc(areas.code))
    .limit(DEMO_GRIDS);

  return ctx.db.transaction(async (tx) => {
    const [any] = await tx
      .select({ id: households.id })
      .from(households)
      .where(eq(households.communityCode, community.code))
      .limit(1);
    if (any) return 0;
    let made = 0;
    let seq = 0;
    for (const [g, grid] of grids.entries()) {
      // Dwellings lived in (self-occupied or rented), in door order.
      const homes = await tx
        .select({ id: dwellings.id, use: dwellings.use })
        .from(dwellings)
        .where(
          and(
            eq(dwellings.areaPath, grid.path),
            sql`${dwellings.retiredAt} is null`,
            sql`${dwellings.use} in ('self_occupied','rented')`,
          ),
        )
        .orderBy(asc(dwellings.buildingId), asc(dwellings.floor), asc(dwellings.number))
        .limit(HOUSEHOLDS_PER_GRID);
      for (let i = 0; i < HOUSEHOLDS_PER_GRID; i++) {
        const family = FAMILIES[i % FAMILIES.length]!;
        const home = homes[i] ?? null;
        const living: LivingType | null = home ? (home.use === 'rented' ? 'rent' : family.living) : null;
        const [h] = await tx
          .insert(households)
          .values({
            number: `${String(g + 1)}${String(i + 1).padStart(3, '0')}`,
            communityCode: community.code,
            areaCode: grid.code,
            areaPath: grid.path,
            dwellingId: home?.id ?? null,
            livingType: living,
            type: 'family',
          })
          .returning();
        for (const p of family.members) {
          seq++;
          const id = await insertPerson(ctx, tx, grid, p, seq, g);
          await tx
            .insert(householdMembers)
            .values({ householdId: h!.id, residentId: id, relation: p.relation, fromDate: SINCE });
          if (p.relation === 'head')
            await tx.update(households).set({ headResidentId: id }).where(eq(households.id, h!.id));
          const event = { residentId: id, areaPath: grid.path, actorName: SYSTEM_ACTOR_NAME };
          await tx.insert(residentEvents).values([
            { ...event, kind: 'registered', occurredOn: SINCE, data: { residenceType: 'registered' } },
            {
              ...event,
              kind: 'joined_household',
              occurredOn: SINCE,
              householdId: h!.id,
              data: { relation: p.relation },
            },
          ]);
          if (home && living) {
            await tx.insert(residentDwellings).values({
              dwellingId: home.id,
              residentId: id,
              householdId: h!.id,
              livingType: living,
              fromDate: SINCE,
            });
            await tx.insert(residentEvents).values({
              ...event,
              kind: 'moved_in',
              occurredOn: SINCE,
              householdId: h!.id,
              dwellingId: home.id,
              data: { livingType: living },
            });
          }
          made++;
        }
      }
    }
    if (made > 0)
      await appendAudit(tx, {
        actorName: SYSTEM_ACTOR_NAME,
        action: 'demo.seed.people',
        targetType: 'area',
        targetId: community.code,
        areaPath: areaPath(community.code),
        outcome: 'success',
        details: { residents: made },
      });
    return made;
  });
}

async function insertPerson(
  ctx: AppContext,
  tx: Tx,
  grid: { code: string; path: string },
  p: Person,
  seq: number,
  gridIndex: number,
): Promise<string> {
  // Odd sequence digits are men, even ones women (GB 11643); 500+ keeps clear of real-looking low numbers.
  const sequence = 500 + seq * 2 + (p.male ? 1 : 0);
  const idNumber = makeIdNumber('340302', p.birth, sequence);
  const phone = p.phone ? `1390552${String(1000 + seq).slice(-4)}` : null;
  const name =
    gridIndex === 0 ? p.name : `${p.name.slice(0, 1)}${p.name.slice(1).split('').reverse().join('')}`;
  const [row] = await tx
    .insert(residents)
    .values({
      name,
      nameInitials: nameInitials(name),
      gender: p.male ? 'male' : 'female',
      birthDate: p.birth,
      idNumberEnc: ctx.secrets.encrypt(idNumber),
      idNumberHash: ctx.secrets.keyedHash(idNumber, 'idnumber'),
      idNumberLast4: idNumber.slice(-4),
      idNumberMasked: maskIdNumber(idNumber),
      districtPath: grid.path.slice(0, 6),
      ...(phone
        ? {
            phoneEnc: ctx.secrets.encrypt(phone),
            phoneHash: ctx.secrets.keyedHash(phone, 'phone'),
            phoneLast4: phoneLast4(phone),
            phoneMasked: maskPhoneNumber(phone),
          }
        : {}),
      ethnicity: '01',
      residenceType: 'registered',
      areaCode: grid.code,
      areaPath: grid.path,
    })
    .returning({ id: residents.id });
  return row!.id;
}
