/** Test fixtures of the population register: dwellings straight into the housing tables, valid ID numbers. */
import { areaPath } from '../../../common/area-code';
import { makeIdNumber, maskIdNumber } from '../../../common/id-number';
import { maskPhoneNumber } from '../../../common/phone-number';
import type { AppContext } from '../../context';
import { buildings, dwellings, estates, units } from '../housing/tables';
import { householdMembers, households, residents } from './tables';

let seq = 0;

/** A fresh dwelling (with its own estate, building and unit) in a grid; returns its id. */
export async function makeDwelling(ctx: AppContext, gridCode: string, number = '301'): Promise<string> {
  const n = ++seq;
  const communityCode = gridCode.slice(0, 12);
  const [e] = await ctx.db
    .insert(estates)
    .values({ areaCode: communityCode, areaPath: communityCode, name: `测试小区${n}-${process.pid}` })
    .returning({ id: estates.id });
  const [b] = await ctx.db
    .insert(buildings)
    .values({ areaCode: gridCode, areaPath: gridCode, estateId: e!.id, name: `${n}栋`, floors: 6 })
    .returning({ id: buildings.id });
  const [u] = await ctx.db
    .insert(units)
    .values({ buildingId: b!.id, areaPath: gridCode, number: '1' })
    .returning({ id: units.id });
  const [d] = await ctx.db
    .insert(dwellings)
    .values({ unitId: u!.id, buildingId: b!.id, areaPath: gridCode, floor: 3, number, use: 'self_occupied' })
    .returning({ id: dwellings.id });
  return d!.id;
}

let idSeq = 100;

/** A valid 18-digit ID number, different on every call (region 340302 unless given). */
export function freshIdNumber(region = '340302', birthDate = '1980-05-17'): string {
  return makeIdNumber(region, birthDate, ++idSeq % 1000);
}

let phoneSeq = 10_000_000;

/** A valid mobile number, different on every call. */
export function freshPhone(): string {
  return `139${String(++phoneSeq).slice(-8)}`;
}

/** A resident straight into the table (no HTTP), with its numbers encrypted as the service does. */
export async function insertResident(
  ctx: AppContext,
  areaCode: string,
  opts: { idNumber?: string; phone?: string; name?: string } = {},
): Promise<{ id: string; idNumber: string; phone: string }> {
  const idNumber = opts.idNumber ?? freshIdNumber(areaCode.slice(0, 6), '1970-01-01');
  const phone = opts.phone ?? freshPhone();
  const path = areaPath(areaCode);
  const [row] = await ctx.db
    .insert(residents)
    .values({
      name: opts.name ?? '测试居民',
      nameInitials: 'csjm',
      gender: 'male',
      birthDate: '1970-01-01',
      idNumberEnc: ctx.secrets.encrypt(idNumber),
      idNumberHash: ctx.secrets.keyedHash(idNumber, 'idnumber'),
      idNumberLast4: idNumber.slice(-4),
      idNumberMasked: maskIdNumber(idNumber),
      districtPath: path.slice(0, 6),
      phoneEnc: ctx.secrets.encrypt(phone),
      phoneHash: ctx.secrets.keyedHash(phone, 'phone'),
      phoneLast4: phone.slice(-4),
      phoneMasked: maskPhoneNumber(phone),
      residenceType: 'registered',
      areaCode,
      areaPath: path,
    })
    .returning({ id: residents.id });
  return { id: row!.id, idNumber, phone };
}

let householdSeq = 0;

/** A household straight into the table, optionally with one member (as head) and a dwelling. */
export async function insertHousehold(
  ctx: AppContext,
  areaCode: string,
  opts: { memberId?: string; dwellingId?: string } = {},
): Promise<{ id: string; number: string }> {
  const number = `T${process.pid}-${++householdSeq}`;
  const [row] = await ctx.db
    .insert(households)
    .values({
      number,
      communityCode: areaCode.slice(0, 12),
      areaCode,
      areaPath: areaPath(areaCode),
      type: 'family',
      dwellingId: opts.dwellingId ?? null,
      livingType: opts.dwellingId ? 'own' : null,
      headResidentId: opts.memberId ?? null,
    })
    .returning({ id: households.id });
  if (opts.memberId)
    await ctx.db
      .insert(householdMembers)
      .values({ householdId: row!.id, residentId: opts.memberId, relation: 'head', fromDate: '2020-01-01' });
  return { id: row!.id, number };
}
