/**
 * The population register's logic: residents and households, their links to households and dwellings, their
 * events, and the audited reveal of an ID or phone number. ID and phone numbers are stored encrypted with a keyed
 * hash (exact search, duplicates), their last four digits and a masked form; only `revealResidentField` decrypts.
 */
import { and, asc, desc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { pinyin } from 'pinyin-pro';
import { chinaToday, maskIdNumber, parseIdNumber } from '../../../common/id-number';
import { maskPhoneNumber, parsePhone, phoneLast4 } from '../../../common/phone-number';
import {
  REVEAL_SECONDS,
  type HouseholdCard,
  type Household,
  type HouseholdCreate,
  type HouseholdListQuery,
  type HouseholdRelation,
  type LivingType,
  type ResidentCard,
  type ResidentCreate,
  type ResidentEvent,
  type ResidentEventKind,
  type ResidentListQuery,
  type ResidentSummary,
  type ResidentUpdate,
  type Revealed,
  type RevealBody,
} from '../../../common/schemas/people';
import type { AppContext } from '../../context';
import { queryRows, type Tx } from '../../db/client';
import { AppError, invalidField, type FieldProblem } from '../../http/errors';
import { Ability, pathWithin, type Actor } from '../../policy/ability';
import { scopeWhere } from '../../policy/scope';
import type { RequestMeta } from '../accounts/service';
import { areas } from '../areas/tables';
import { appendAudit, auditEntry } from '../audit/log';
import { auditLog } from '../audit/tables';
import { buildings, dwellings, estates, units } from '../housing/tables';
import {
  householdMembers,
  households,
  residentDwellings,
  residentEvents,
  residentRevealGrants,
  residents,
} from './tables';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const CONTROL = /[\u0000-\u001f\u007f]/;
const EVENTS_SHOWN = 200;

type ResidentRow = typeof residents.$inferSelect;
type HouseholdRow = typeof households.$inferSelect;

// ---------------------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------------------

function cleanText(value: string, field: string, minLength = 1): string {
  if (CONTROL.test(value)) throw invalidField(field, 'characters');
  const text = value.trim();
  if ([...text].length < minLength) throw invalidField(field, 'minLength', minLength);
  return text;
}

/** Pinyin initials of a name (张三 → zs), letters and digits only, for search. */
export function nameInitials(name: string): string {
  const parts = pinyin(name, { pattern: 'first', toneType: 'none', type: 'array' });
  return parts
    .join('')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

/** The district part of an area path: duplicates of an ID number are refused within it. */
function districtOf(areaPath: string): string {
  return areaPath.slice(0, 6);
}

interface Target {
  type: 'resident' | 'household';
  id: string;
  areaPath: string;
}

/** An audit entry of the register: who, from where, what, on which resident or household. */
function entryOf(
  actor: Actor,
  meta: RequestMeta,
  action: string,
  target: Target,
  details?: Record<string, unknown>,
) {
  return {
    actorId: actor.accountId,
    actorName: actor.username ?? actor.displayName,
    ip: meta.ip ?? null,
    requestId: meta.requestId ?? null,
    action,
    targetType: target.type,
    targetId: target.id,
    areaPath: target.areaPath,
    outcome: 'success' as const,
    ...(details ? { details } : {}),
  };
}

function audit(
  tx: Tx,
  actor: Actor,
  meta: RequestMeta,
  action: string,
  target: Target,
  details: Record<string, unknown> = {},
) {
  return appendAudit(tx, entryOf(actor, meta, action, target, details));
}

/** A note given in a body (trimmed, no control characters), or null. */
function optionalNote(note: string | undefined): string | null {
  return note !== undefined ? cleanText(note, 'body.note') : null;
}

interface AreaRow {
  code: string;
  path: string;
  name: string;
  level: string;
}

async function areaWhere(tx: Tx, where: SQL): Promise<AreaRow | null> {
  const [row] = await tx
    .select({ code: areas.code, path: areas.path, name: areas.name, level: areas.level })
    .from(areas)
    .where(where);
  return row ?? null;
}

/** A community or grid by code: where households and residents may be placed. */
async function resolveArea(tx: Tx, code: string, field: string): Promise<AreaRow> {
  const row = await areaWhere(tx, eq(areas.code, code));
  if (!row) throw invalidField(field, 'exists');
  if (row.level !== 'community' && row.level !== 'grid')
    throw invalidField(field, 'areaLevel', 'community, grid');
  return row;
}

function areaByPath(tx: Tx, path: string): Promise<AreaRow | null> {
  return areaWhere(tx, eq(areas.path, path));
}

/** A list's area filter (querystring.areaCode): the rows at or below the area, by their area path column. */
async function underArea(ctx: AppContext, code: string, column: AnyPgColumn): Promise<SQL> {
  const a = await areaWhere(ctx.db, eq(areas.code, code));
  if (!a) throw invalidField('querystring.areaCode', 'exists');
  return sql`${column} like ${a.path + '%'}`;
}

/** A day given by the caller (default today), not in the future and not before `notBefore`. */
function eventDay(value: string | undefined, field: string, notBefore?: string): string {
  const today = chinaToday();
  const day = value ?? today;
  if (day > today) throw invalidField(field, 'future');
  if (notBefore && day < notBefore) throw invalidField(field, 'dateOrder', notBefore);
  return day;
}

function stale(version: number, current: number): never {
  throw new AppError('resident.stale', [{ field: 'body.version', rule: 'stale', limit: current }]);
}

/** PostgreSQL's unique violation on one named index (both drivers, wrapped or not). */
function isUniqueViolation(err: unknown, constraint: string): boolean {
  for (
    let e = err as { code?: string; constraint?: string; cause?: unknown } | undefined, i = 0;
    e && i < 4;
    i++
  ) {
    if (e.code === '23505') return e.constraint === constraint || e.constraint === undefined;
    e = e.cause as typeof e;
  }
  return false;
}

function duplicateId(): AppError {
  return new AppError('resident.duplicate', [{ field: 'body.idNumber', rule: 'duplicate' }]);
}

// ---------------------------------------------------------------------------------------------------------
// Identity validation (shared rules from common/)
// ---------------------------------------------------------------------------------------------------------

interface Identity {
  idNumber: string | null;
  gender: 'male' | 'female';
  birthDate: string;
}

const ID_LIMITS: Record<string, string | undefined> = { length: '18', format: 'GB 11643' };
const PHONE_LIMITS: Record<string, string | undefined> = {
  length: '11',
  format: '13812345678, 0552-1234567',
};

/**
 * Checks ID number, gender and birth date together: a valid ID number gives gender and birth date, and values
 * given beside it must agree; without one, both are required. Problems are collected, one per field.
 */
function checkIdentity(
  input: { idNumber?: string | undefined; gender?: string | undefined; birthDate?: string | undefined },
  needsIdNumber: boolean,
  problems: FieldProblem[],
): Identity | null {
  const today = chinaToday();
  if (input.idNumber !== undefined) {
    const parsed = parseIdNumber(input.idNumber, { today });
    if (!parsed.ok) {
      const limit = ID_LIMITS[parsed.rule];
      problems.push({ field: 'body.idNumber', rule: parsed.rule, ...(limit ? { limit } : {}) });
      return null;
    }
    if (input.gender !== undefined && input.gender !== parsed.gender)
      problems.push({ field: 'body.gender', rule: 'idMismatch' });
    if (input.birthDate !== undefined && input.birthDate !== parsed.birthDate)
      problems.push({ field: 'body.birthDate', rule: 'idMismatch' });
    return { idNumber: parsed.idNumber, gender: parsed.gender, birthDate: parsed.birthDate };
  }
  if (needsIdNumber) problems.push({ field: 'body.idNumber', rule: 'required' });
  if (input.gender === undefined) problems.push({ field: 'body.gender', rule: 'required' });
  if (input.birthDate === undefined) problems.push({ field: 'body.birthDate', rule: 'required' });
  else if (input.birthDate > today || input.birthDate < '1900-01-01')
    problems.push({ field: 'body.birthDate', rule: 'birthDate' });
  if (problems.length > 0 || input.gender === undefined || input.birthDate === undefined) return null;
  return { idNumber: null, gender: input.gender as 'male' | 'female', birthDate: input.birthDate };
}

function checkPhone(value: string, problems: FieldProblem[]): string | null {
  const parsed = parsePhone(value);
  if (parsed.ok) return parsed.phone;
  const limit = PHONE_LIMITS[parsed.rule];
  problems.push({ field: 'body.phone', rule: parsed.rule, ...(limit ? { limit } : {}) });
  return null;
}

function idColumns(ctx: AppContext, idNumber: string | null) {
  if (!idNumber) return { idNumberEnc: null, idNumberHash: null, idNumberLast4: null, idNumberMasked: null };
  return {
    idNumberEnc: ctx.secrets.encrypt(idNumber),
    idNumberHash: ctx.secrets.keyedHash(idNumber, 'idnumber'),
    idNumberLast4: idNumber.slice(-4),
    idNumberMasked: maskIdNumber(idNumber),
  };
}

function phoneColumns(ctx: AppContext, phone: string | null) {
  if (!phone) return { phoneEnc: null, phoneHash: null, phoneLast4: null, phoneMasked: null };
  return {
    phoneEnc: ctx.secrets.encrypt(phone),
    phoneHash: ctx.secrets.keyedHash(phone, 'phone'),
    phoneLast4: phoneLast4(phone),
    phoneMasked: maskPhoneNumber(phone),
  };
}

async function assertNoDuplicate(tx: Tx, districtPath: string, hash: string, exceptId?: string) {
  const conds: SQL[] = [eq(residents.districtPath, districtPath), eq(residents.idNumberHash, hash)];
  if (exceptId) conds.push(sql`${residents.id} <> ${exceptId}`);
  const [dup] = await tx
    .select({ id: residents.id })
    .from(residents)
    .where(and(...conds))
    .limit(1);
  if (dup) throw duplicateId();
}

// ---------------------------------------------------------------------------------------------------------
// Loading with scope
// ---------------------------------------------------------------------------------------------------------

/** 404 when the actor may not even read the row, 403 when it may read but not act on it. */
function scoped<T extends { areaPath: string }>(
  row: T | undefined,
  ability: Ability,
  action: 'read' | 'update',
  unknown: 'resident.unknown' | 'household.unknown',
): T {
  if (!row || !ability.can('read', 'Population', row.areaPath)) throw new AppError(unknown);
  if (action !== 'read') ability.authorize(action, 'Population', row.areaPath);
  return row;
}

/** A resident the actor may act on (locked for update when asked); 404/403 as `scoped`. */
async function loadResident(
  tx: Tx,
  ability: Ability,
  id: string,
  action: 'read' | 'update',
  lock = false,
): Promise<ResidentRow> {
  if (!UUID.test(id)) throw new AppError('resident.unknown');
  const q = tx.select().from(residents).where(eq(residents.id, id));
  return scoped((lock ? await q.for('update') : await q)[0], ability, action, 'resident.unknown');
}

/** A household the actor may act on (locked for update when asked); 404/403 as `scoped`. */
async function loadHousehold(
  tx: Tx,
  ability: Ability,
  id: string,
  action: 'read' | 'update',
  lock = false,
): Promise<HouseholdRow> {
  if (!UUID.test(id)) throw new AppError('household.unknown');
  const q = tx.select().from(households).where(eq(households.id, id));
  return scoped((lock ? await q.for('update') : await q)[0], ability, action, 'household.unknown');
}

interface DwellingRow {
  id: string;
  areaPath: string;
}

/** A dwelling in use, named in a body field; it must lie within the actor's scope for the action. */
async function loadDwelling(tx: Tx, ability: Ability, id: string, field: string): Promise<DwellingRow> {
  const [row] = await tx
    .select({ id: dwellings.id, areaPath: dwellings.areaPath })
    .from(dwellings)
    .where(and(eq(dwellings.id, id), isNull(dwellings.retiredAt)));
  if (!row) throw invalidField(field, 'exists');
  if (!ability.can('read', 'Population', row.areaPath)) throw invalidField(field, 'outOfScope');
  return row;
}

/** Door labels of dwellings: 淮河小区 3栋 2单元 301. */
export async function dwellingLabels(tx: Tx, ids: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const unique = [...new Set(ids)];
  if (unique.length === 0) return out;
  const rows = await tx
    .select({
      id: dwellings.id,
      number: dwellings.number,
      unitNumber: units.number,
      unitName: units.name,
      buildingName: buildings.name,
      estateName: estates.name,
    })
    .from(dwellings)
    .innerJoin(units, eq(units.id, dwellings.unitId))
    .innerJoin(buildings, eq(buildings.id, dwellings.buildingId))
    .leftJoin(estates, eq(estates.id, buildings.estateId))
    .where(inArray(dwellings.id, unique));
  for (const r of rows) {
    const unit = r.unitName ?? `${r.unitNumber}单元`;
    out.set(r.id, [r.estateName, r.buildingName, unit, r.number].filter(Boolean).join(' '));
  }
  return out;
}

/** Names of areas by code. */
export async function areaNames(tx: Tx, codes: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(codes)];
  if (unique.length === 0) return new Map();
  const rows = await tx
    .select({ code: areas.code, name: areas.name })
    .from(areas)
    .where(inArray(areas.code, unique));
  return new Map(rows.map((r) => [r.code, r.name]));
}

// ---------------------------------------------------------------------------------------------------------
// Views
// ---------------------------------------------------------------------------------------------------------

const summaryColumns = {
  id: residents.id,
  name: residents.name,
  gender: residents.gender,
  birthDate: residents.birthDate,
  idNumberMasked: residents.idNumberMasked,
  phoneMasked: residents.phoneMasked,
  residenceType: residents.residenceType,
  status: residents.status,
  areaCode: residents.areaCode,
  householdId: householdMembers.householdId,
  householdNumber: households.number,
  relation: householdMembers.relation,
};

export type SummaryRow = {
  [K in keyof typeof summaryColumns]: K extends 'householdId' | 'householdNumber' | 'relation'
    ? string | null
    : K extends 'idNumberMasked' | 'phoneMasked'
      ? string | null
      : string;
};

/** A summary row as the API answers it (numbers masked); the tags module lists residents with it too. */
export function toSummary(r: SummaryRow, names: Map<string, string>): ResidentSummary {
  return {
    id: r.id,
    name: r.name,
    gender: r.gender as ResidentSummary['gender'],
    birthDate: r.birthDate,
    idNumberMasked: r.idNumberMasked,
    phoneMasked: r.phoneMasked,
    residenceType: r.residenceType as ResidentSummary['residenceType'],
    status: r.status as ResidentSummary['status'],
    areaCode: r.areaCode,
    areaName: names.get(r.areaCode) ?? null,
    householdId: r.householdId,
    householdNumber: r.householdNumber,
    relation: r.relation as HouseholdRelation | null,
  };
}

/** Residents with their current household (open link), as summaries. */
export function summaryQuery(tx: Tx) {
  return tx
    .select(summaryColumns)
    .from(residents)
    .leftJoin(
      householdMembers,
      and(eq(householdMembers.residentId, residents.id), isNull(householdMembers.toDate)),
    )
    .leftJoin(households, eq(households.id, householdMembers.householdId));
}

function toEvent(r: typeof residentEvents.$inferSelect, name: string): ResidentEvent {
  return {
    id: r.id,
    residentId: r.residentId,
    residentName: name,
    kind: r.kind as ResidentEventKind,
    occurredOn: r.occurredOn,
    householdId: r.householdId,
    dwellingId: r.dwellingId,
    data: (r.data ?? {}) as Record<string, unknown>,
    note: r.note,
    actorName: r.actorName,
    at: r.at.toISOString(),
  };
}

async function residentCard(tx: Tx, id: string): Promise<ResidentCard> {
  const [row] = await summaryQuery(tx).where(eq(residents.id, id));
  const [full] = await tx.select().from(residents).where(eq(residents.id, id));
  if (!row || !full) throw new AppError('resident.unknown');
  const names = await areaNames(tx, [row.areaCode]);
  const hLinks = await tx
    .select({
      householdId: householdMembers.householdId,
      householdNumber: households.number,
      relation: householdMembers.relation,
      fromDate: householdMembers.fromDate,
      toDate: householdMembers.toDate,
    })
    .from(householdMembers)
    .innerJoin(households, eq(households.id, householdMembers.householdId))
    .where(eq(householdMembers.residentId, id))
    .orderBy(desc(householdMembers.fromDate), desc(householdMembers.createdAt));
  const dLinks = await tx
    .select()
    .from(residentDwellings)
    .where(eq(residentDwellings.residentId, id))
    .orderBy(desc(residentDwellings.fromDate), desc(residentDwellings.createdAt));
  const labels = await dwellingLabels(
    tx,
    dLinks.map((d) => d.dwellingId),
  );
  const events = await tx
    .select()
    .from(residentEvents)
    .where(eq(residentEvents.residentId, id))
    .orderBy(desc(residentEvents.id))
    .limit(EVENTS_SHOWN);
  return {
    ...toSummary(row, names),
    ethnicity: full.ethnicity,
    permitExpiresOn: full.permitExpiresOn,
    diedOn: full.diedOn,
    note: full.note,
    version: full.version,
    createdAt: full.createdAt.toISOString(),
    updatedAt: full.updatedAt.toISOString(),
    households: hLinks.map((h) => ({ ...h, relation: h.relation as HouseholdRelation })),
    dwellings: dLinks.map((d) => ({
      dwellingId: d.dwellingId,
      label: labels.get(d.dwellingId) ?? d.dwellingId,
      livingType: d.livingType as LivingType,
      fromDate: d.fromDate,
      toDate: d.toDate,
    })),
    events: events.map((e) => toEvent(e, full.name)),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Events and links
// ---------------------------------------------------------------------------------------------------------

interface EventInput {
  resident: { id: string; areaPath: string };
  kind: ResidentEventKind;
  occurredOn: string;
  householdId?: string | null;
  dwellingId?: string | null;
  data?: Record<string, unknown>;
  note?: string | null;
}

async function addEvent(tx: Tx, actor: Actor, e: EventInput) {
  await tx.insert(residentEvents).values({
    residentId: e.resident.id,
    kind: e.kind,
    occurredOn: e.occurredOn,
    householdId: e.householdId ?? null,
    dwellingId: e.dwellingId ?? null,
    areaPath: e.resident.areaPath,
    data: e.data ?? {},
    note: e.note ?? null,
    actorId: actor.accountId,
    actorName: actor.displayName,
  });
}

/** Closes the resident's open dwelling link (if any) on a day, with a moved_out event unless told not to. */
async function closeDwellingLink(
  tx: Tx,
  actor: Actor,
  resident: { id: string; areaPath: string },
  day: string,
  opts: { event: boolean; householdId?: string | null; note?: string | null; data?: Record<string, unknown> },
) {
  const [open] = await tx
    .select()
    .from(residentDwellings)
    .where(and(eq(residentDwellings.residentId, resident.id), isNull(residentDwellings.toDate)));
  if (!open) return null;
  const to = day < open.fromDate ? open.fromDate : day;
  await tx.update(residentDwellings).set({ toDate: to }).where(eq(residentDwellings.id, open.id));
  if (opts.event)
    await addEvent(tx, actor, {
      resident,
      kind: 'moved_out',
      occurredOn: to,
      dwellingId: open.dwellingId,
      householdId: opts.householdId ?? open.householdId,
      note: opts.note ?? null,
      data: opts.data ?? {},
    });
  return open;
}

/** Opens a dwelling link for the resident (closing a previous one), with a moved_in event. */
async function openDwellingLink(
  tx: Tx,
  actor: Actor,
  resident: { id: string; areaPath: string },
  dwellingId: string,
  livingType: string,
  householdId: string | null,
  day: string,
) {
  const prev = await closeDwellingLink(tx, actor, resident, day, { event: true, householdId });
  const from = prev && day < prev.fromDate ? prev.fromDate : day;
  await tx.insert(residentDwellings).values({
    dwellingId,
    residentId: resident.id,
    householdId,
    livingType,
    fromDate: from,
  });
  await addEvent(tx, actor, {
    resident,
    kind: 'moved_in',
    occurredOn: from,
    dwellingId,
    householdId,
    data: { livingType },
  });
}

async function openMembership(tx: Tx, residentId: string) {
  const [open] = await tx
    .select()
    .from(householdMembers)
    .where(and(eq(householdMembers.residentId, residentId), isNull(householdMembers.toDate)));
  return open ?? null;
}

/** Adds a resident to a household: the link, the head, the event, and the household's dwelling if it has one. */
async function joinHousehold(
  tx: Tx,
  actor: Actor,
  resident: { id: string; areaPath: string },
  household: HouseholdRow,
  relation: HouseholdRelation,
  day: string,
) {
  const open = await openMembership(tx, resident.id);
  if (open) throw new AppError('household.member_elsewhere');
  if (relation === 'head') {
    if (household.headResidentId) throw new AppError('household.has_head');
    await tx
      .update(households)
      .set({ headResidentId: resident.id, version: sql`${households.version} + 1`, updatedAt: new Date() })
      .where(eq(households.id, household.id));
  }
  await tx
    .insert(householdMembers)
    .values({ householdId: household.id, residentId: resident.id, relation, fromDate: day });
  await addEvent(tx, actor, {
    resident,
    kind: 'joined_household',
    occurredOn: day,
    householdId: household.id,
    data: { relation, householdNumber: household.number },
  });
  if (household.dwellingId && household.livingType)
    await openDwellingLink(
      tx,
      actor,
      resident,
      household.dwellingId,
      household.livingType,
      household.id,
      day,
    );
}

// ---------------------------------------------------------------------------------------------------------
// Residents
// ---------------------------------------------------------------------------------------------------------

/** Registers a resident (optionally straight into a household); validated by the shared ID and phone rules. */
export async function createResident(
  ctx: AppContext,
  actor: Actor,
  input: ResidentCreate,
  meta: RequestMeta = {},
): Promise<ResidentCard> {
  const ability = new Ability(actor);
  ability.authorize('create', 'Population');
  const name = cleanText(input.name, 'body.name');
  const problems: FieldProblem[] = [];
  const identity = checkIdentity(input, input.residenceType !== 'foreign', problems);
  const phone = input.phone !== undefined ? checkPhone(input.phone, problems) : null;
  if (input.permitExpiresOn !== undefined && input.residenceType !== 'floating')
    problems.push({ field: 'body.permitExpiresOn', rule: 'notApplicable' });
  if (input.relation !== undefined && input.householdId === undefined)
    problems.push({ field: 'body.relation', rule: 'notApplicable' });
  if (input.householdId !== undefined && input.relation === undefined)
    problems.push({ field: 'body.relation', rule: 'required' });
  if (input.householdId === undefined && input.areaCode === undefined)
    problems.push({ field: 'body.areaCode', rule: 'required' });
  if (problems.length > 0 || !identity) throw new AppError('validation.failed', problems);
  const note = optionalNote(input.note);

  try {
    return await ctx.db.transaction(async (tx) => {
      const household = input.householdId
        ? await loadHousehold(tx, ability, input.householdId, 'update', true)
        : null;
      const area = input.areaCode
        ? await resolveArea(tx, input.areaCode, 'body.areaCode')
        : await areaOfHousehold(tx, household!);
      ability.authorize('create', 'Population', area.path);
      const districtPath = districtOf(area.path);
      const ids = idColumns(ctx, identity.idNumber);
      if (ids.idNumberHash) await assertNoDuplicate(tx, districtPath, ids.idNumberHash);
      const [row] = await tx
        .insert(residents)
        .values({
          name,
          nameInitials: nameInitials(name),
          gender: identity.gender,
          birthDate: identity.birthDate,
          ...ids,
          districtPath,
          ...phoneColumns(ctx, phone),
          ethnicity: input.ethnicity ?? null,
          residenceType: input.residenceType,
          permitExpiresOn: input.permitExpiresOn ?? null,
          areaCode: area.code,
          areaPath: area.path,
          note,
          createdBy: actor.accountId,
        })
        .returning();
      const r = row!;
      const today = chinaToday();
      await addEvent(tx, actor, {
        resident: r,
        kind: 'registered',
        occurredOn: today,
        data: { residenceType: r.residenceType },
      });
      if (household) await joinHousehold(tx, actor, r, household, input.relation!, today);
      await audit(tx, actor, meta, 'resident.create', { type: 'resident', id: r.id, areaPath: r.areaPath });
      return residentCard(tx, r.id);
    });
  } catch (err) {
    if (isUniqueViolation(err, 'residents_id_number_district_key')) throw duplicateId();
    throw err;
  }
}

async function areaOfHousehold(tx: Tx, h: HouseholdRow): Promise<AreaRow> {
  const a = await areaByPath(tx, h.areaPath);
  if (!a) throw new AppError('household.unknown');
  return a;
}

/** Corrects a resident's data; a "corrected" event names the fields changed (never their values). */
export async function updateResident(
  ctx: AppContext,
  actor: Actor,
  id: string,
  input: ResidentUpdate,
  meta: RequestMeta = {},
): Promise<ResidentCard> {
  const ability = new Ability(actor);
  ability.authorize('update', 'Population');
  try {
    return await ctx.db.transaction(async (tx) => {
      const cur = await loadResident(tx, ability, id, 'update', true);
      if (cur.version !== input.version) stale(input.version, cur.version);
      const problems: FieldProblem[] = [];
      const set: Partial<typeof residents.$inferInsert> = {};
      const changed: string[] = [];
      const residenceType = input.residenceType ?? cur.residenceType;

      if (input.name !== undefined) {
        const name = cleanText(input.name, 'body.name');
        if (name !== cur.name) {
          set.name = name;
          set.nameInitials = nameInitials(name);
          changed.push('name');
        }
      }
      if (input.idNumber !== undefined || input.gender !== undefined || input.birthDate !== undefined) {
        const idNumber =
          input.idNumber ?? (cur.idNumberEnc ? ctx.secrets.decrypt(cur.idNumberEnc) : undefined);
        const identity = checkIdentity(
          {
            idNumber,
            gender: input.gender ?? (idNumber ? undefined : cur.gender),
            birthDate: input.birthDate ?? (idNumber ? undefined : cur.birthDate),
          },
          residenceType !== 'foreign',
          problems,
        );
        if (identity) {
          const hash = identity.idNumber ? ctx.secrets.keyedHash(identity.idNumber, 'idnumber') : null;
          if (hash !== cur.idNumberHash) {
            Object.assign(set, idColumns(ctx, identity.idNumber));
            changed.push('idNumber');
          }
          if (identity.gender !== cur.gender) {
            set.gender = identity.gender;
            changed.push('gender');
          }
          if (identity.birthDate !== cur.birthDate) {
            set.birthDate = identity.birthDate;
            changed.push('birthDate');
          }
        }
      } else if (residenceType !== 'foreign' && !cur.idNumberHash) {
        problems.push({ field: 'body.idNumber', rule: 'required' });
      }
      if (input.phone !== undefined) {
        const phone = input.phone === null ? null : checkPhone(input.phone, problems);
        const hash = phone ? ctx.secrets.keyedHash(phone, 'phone') : null;
        if ((input.phone === null || phone) && hash !== cur.phoneHash) {
          Object.assign(set, phoneColumns(ctx, phone));
          changed.push('phone');
        }
      }
      if (input.ethnicity !== undefined && input.ethnicity !== cur.ethnicity) {
        set.ethnicity = input.ethnicity;
        changed.push('ethnicity');
      }
      if (input.residenceType !== undefined && input.residenceType !== cur.residenceType) {
        set.residenceType = input.residenceType;
        changed.push('residenceType');
        // A permit belongs to the floating population only.
        if (input.residenceType !== 'floating' && input.permitExpiresOn === undefined && cur.permitExpiresOn)
          set.permitExpiresOn = null;
      }
      if (input.permitExpiresOn !== undefined) {
        if (input.permitExpiresOn !== null && residenceType !== 'floating')
          problems.push({ field: 'body.permitExpiresOn', rule: 'notApplicable' });
        else if (input.permitExpiresOn !== cur.permitExpiresOn) {
          set.permitExpiresOn = input.permitExpiresOn;
          changed.push('permitExpiresOn');
        }
      }
      let areaPath = cur.areaPath;
      if (input.areaCode !== undefined && input.areaCode !== cur.areaCode) {
        const area = await resolveArea(tx, input.areaCode, 'body.areaCode');
        ability.authorize('update', 'Population', area.path);
        set.areaCode = area.code;
        set.areaPath = area.path;
        set.districtPath = districtOf(area.path);
        areaPath = area.path;
        changed.push('areaCode');
      }
      if (input.note !== undefined) {
        const note = cleanText(input.note, 'body.note', 0);
        if (note !== (cur.note ?? '')) {
          set.note = note || null;
          changed.push('note');
        }
      }
      if (problems.length > 0) throw new AppError('validation.failed', problems);
      if (changed.length === 0) return residentCard(tx, cur.id);
      const hash = set.idNumberHash !== undefined ? set.idNumberHash : cur.idNumberHash;
      if (hash && (changed.includes('idNumber') || changed.includes('areaCode')))
        await assertNoDuplicate(tx, districtOf(areaPath), hash, cur.id);
      await tx
        .update(residents)
        .set({ ...set, version: cur.version + 1, updatedAt: new Date() })
        .where(eq(residents.id, cur.id));
      await addEvent(tx, actor, {
        resident: { id: cur.id, areaPath },
        kind: 'corrected',
        occurredOn: chinaToday(),
        data: { fields: changed },
      });
      await audit(
        tx,
        actor,
        meta,
        'resident.update',
        { type: 'resident', id: cur.id, areaPath },
        { fields: changed },
      );
      return residentCard(tx, cur.id);
    });
  } catch (err) {
    if (isUniqueViolation(err, 'residents_id_number_district_key')) throw duplicateId();
    throw err;
  }
}

/**
 * Records that staff opened a person's or household's card ('personal.view'): the resident's own view lists these.
 * One insert outside any transaction: a read has nothing to commit with.
 */
async function auditView(ctx: AppContext, actor: Actor, meta: RequestMeta, target: Target) {
  await ctx.db.insert(auditLog).values(auditEntry(entryOf(actor, meta, 'personal.view', target)));
}

/** A resident's card: masked ID and phone, household and dwelling links, events. The read is audited. */
export async function getResident(
  ctx: AppContext,
  actor: Actor,
  id: string,
  meta: RequestMeta = {},
): Promise<ResidentCard> {
  const ability = new Ability(actor);
  ability.authorize('read', 'Population');
  const r = await loadResident(ctx.db, ability, id, 'read');
  const card = await residentCard(ctx.db, id);
  await auditView(ctx, actor, meta, { type: 'resident', id: r.id, areaPath: r.areaPath });
  return card;
}

function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Characters that mark a text as (part of) an address: a digit, or a word of an address. */
const ADDRESS_HINT =
  /[0-9０-９]|小区|社区|号|楼|栋|幢|单元|室|层|路|街|巷|弄|村|苑|园|庭|府|座|大厦|公寓|花园|家园|广场/;

/**
 * The search part of a resident list: last four, full ID or phone (exact, by keyed hash), initials (prefix), name
 * (any part of it, through the index of its characters) or address. A text is also looked for as an address when it
 * holds a space, a digit or a word of an address (小区, 号楼, 单元, 室, 路 …); a plain name is not.
 */
export function residentSearch(ctx: AppContext, ability: Ability, q: string, table = 'residents'): SQL {
  // The residents table by name or alias (the export reads it as r).
  const c = (column: string) => sql.raw(`${table}.${column}`);
  const t = q.trim();
  if (/^[0-9]{3}[0-9Xx]$/.test(t))
    return sql`(${c('id_number_last4')} = ${t.toUpperCase()} or ${c('phone_last4')} = ${t})`;
  const id = parseIdNumber(t);
  if (id.ok) return sql`${c('id_number_hash')} = ${ctx.secrets.keyedHash(id.idNumber, 'idnumber')}`;
  if (/^[0-9+\-\s()]+$/.test(t)) {
    const phone = parsePhone(t);
    return phone.ok ? sql`${c('phone_hash')} = ${ctx.secrets.keyedHash(phone.phone, 'phone')}` : sql`false`;
  }
  if (/^[A-Za-z]+$/.test(t)) return sql`${c('name_initials')} like ${likeEscape(t.toLowerCase()) + '%'}`;
  // Names hold no spaces: text with spaces is an address (阳光小区 3号楼).
  if (/\s/.test(t)) return addressSearch(ability, t, c('id'));
  const name = sql`(linli_name_grams(${c('name')}) @> linli_name_query_grams(${t}) and ${c('name')} like ${'%' + likeEscape(t) + '%'})`;
  return ADDRESS_HINT.test(t) ? sql`(${name} or ${addressSearch(ability, t, c('id'))})` : name;
}

/**
 * Residents living now in a dwelling of the actor's scope whose address (estate, building, unit, door number) holds
 * every word of the text: an array of ids worked out once, which the resident primary key then finds.
 */
function addressSearch(ability: Ability, text: string, residentId: SQL): SQL {
  const words = text.split(/\s+/).filter(Boolean).slice(0, 6);
  const label = sql.raw(
    `concat_ws(' ', e.name, e.address, b.name, b.number, b.address, coalesce(u.name, u.number || '单元'), d.number, d.number || '室')`,
  );
  const conds = words.map((w) => sql`${label} like ${'%' + likeEscape(w) + '%'}`);
  return sql`${residentId} = any(array(select rd.resident_id from buildings b
    left join estates e on e.id = b.estate_id join dwellings d on d.building_id = b.id
    join units u on u.id = d.unit_id join resident_dwellings rd on rd.dwelling_id = d.id and rd.to_date is null
    where ${scopeWhere(ability, 'read', 'Population', sql.raw('b.area_path'))} and ${sql.join(conds, sql` and `)}))`;
}

/** The list order of residents: pinyin initials, name, id, in byte order (as the index of migration 0020 keeps it). */
const RESIDENT_ORDER = sql`${residents.nameInitials} collate "C", ${residents.name} collate "C", ${residents.id}`;

/** Residents within the actor's scope: of a dwelling (living there now), a household (members now), an area. */
export async function listResidents(
  ctx: AppContext,
  actor: Actor,
  query: ResidentListQuery,
): Promise<{ items: ResidentSummary[]; total: number }> {
  const ability = new Ability(actor);
  ability.authorize('read', 'Population');
  const conds: SQL[] = [scopeWhere(ability, 'read', 'Population', residents.areaPath)];
  if (query.status) conds.push(eq(residents.status, query.status));
  else if (!query.householdId) conds.push(eq(residents.status, 'alive'));
  if (query.dwellingId)
    conds.push(
      sql`exists (select 1 from ${residentDwellings} where ${residentDwellings.residentId} = ${residents.id} and ${residentDwellings.dwellingId} = ${query.dwellingId} and ${residentDwellings.toDate} is null)`,
    );
  if (query.householdId)
    conds.push(
      sql`exists (select 1 from ${householdMembers} where ${householdMembers.residentId} = ${residents.id} and ${householdMembers.householdId} = ${query.householdId} and ${householdMembers.toDate} is null)`,
    );
  if (query.areaCode) conds.push(await underArea(ctx, query.areaCode, residents.areaPath));
  if (query.q) conds.push(residentSearch(ctx, ability, query.q));
  const where = and(...conds);
  const limit = query.limit ?? 50;
  const offset = query.offset ?? 0;
  // The page's ids and the number of matches in one pass over the residents table alone (for an initials search, over
  // one index alone), then the page's rows with their households.
  const page = await queryRows<{ id: string; total: number }>(
    ctx.db,
    sql`select ${residents.id} as id, count(*) over ()::int as total from ${residents}
      where ${where} order by ${RESIDENT_ORDER} limit ${limit} offset ${offset}`,
  );
  let total = page[0]?.total ?? 0;
  if (page.length === 0 && offset > 0) {
    const [count] = await ctx.db
      .select({ n: sql<number>`count(*)::int` })
      .from(residents)
      .where(where);
    total = count?.n ?? 0;
  }
  if (page.length === 0) return { items: [], total };
  const rows = await summaryQuery(ctx.db)
    .where(
      inArray(
        residents.id,
        page.map((r) => r.id),
      ),
    )
    .orderBy(sql`${RESIDENT_ORDER}`);
  const names = await areaNames(
    ctx.db,
    rows.map((r) => r.areaCode),
  );
  return { items: rows.map((r) => toSummary(r, names)), total };
}

/** Records a death: status deceased, the household and dwelling links closed, a "died" event. */
export async function recordDeath(
  ctx: AppContext,
  actor: Actor,
  id: string,
  input: { date?: string; note?: string },
  meta: RequestMeta = {},
): Promise<ResidentCard> {
  const ability = new Ability(actor);
  ability.authorize('update', 'Population');
  const note = optionalNote(input.note);
  return ctx.db.transaction(async (tx) => {
    const r = await loadResident(tx, ability, id, 'update', true);
    if (r.status !== 'alive') throw new AppError('resident.not_alive');
    const day = eventDay(input.date, 'body.date', r.birthDate);
    const membership = await openMembership(tx, r.id);
    if (membership) {
      const to = day < membership.fromDate ? membership.fromDate : day;
      await tx.update(householdMembers).set({ toDate: to }).where(eq(householdMembers.id, membership.id));
      await tx
        .update(households)
        .set({ headResidentId: null, version: sql`${households.version} + 1`, updatedAt: new Date() })
        .where(and(eq(households.id, membership.householdId), eq(households.headResidentId, r.id)));
    }
    const dwelling = await closeDwellingLink(tx, actor, r, day, { event: false });
    await tx
      .update(residents)
      .set({ status: 'deceased', diedOn: day, version: r.version + 1, updatedAt: new Date() })
      .where(eq(residents.id, r.id));
    await addEvent(tx, actor, {
      resident: r,
      kind: 'died',
      occurredOn: day,
      householdId: membership?.householdId ?? null,
      dwellingId: dwelling?.dwellingId ?? null,
      note,
    });
    await audit(tx, actor, meta, 'resident.death', { type: 'resident', id: r.id, areaPath: r.areaPath });
    return residentCard(tx, r.id);
  });
}

/**
 * Shows an ID or phone number in clear for a stated purpose, for REVEAL_SECONDS: a grant row records who, whose,
 * which field, why and until when, and the audit log gets 'personal.reveal' with the purpose.
 */
export async function revealResidentField(
  ctx: AppContext,
  actor: Actor,
  id: string,
  body: RevealBody,
  meta: RequestMeta = {},
): Promise<Revealed> {
  const ability = new Ability(actor);
  ability.authorize('reveal', 'PersonalData');
  const purpose = cleanText(body.purpose, 'body.purpose', 4);
  if (!UUID.test(id)) throw new AppError('resident.unknown');
  return ctx.db.transaction(async (tx) => {
    const [r] = await tx.select().from(residents).where(eq(residents.id, id));
    if (!r || !ability.can('reveal', 'PersonalData', r.areaPath)) {
      // Someone who may read the resident but not reveal is told so; to anyone else it does not exist.
      if (r && ability.can('read', 'Population', r.areaPath)) throw new AppError('forbidden');
      throw new AppError('resident.unknown');
    }
    const box = body.field === 'idNumber' ? r.idNumberEnc : r.phoneEnc;
    const value = box ? ctx.secrets.decrypt(box) : null;
    const expiresAt = new Date(Date.now() + REVEAL_SECONDS * 1000);
    await tx.insert(residentRevealGrants).values({
      accountId: actor.accountId,
      residentId: r.id,
      field: body.field,
      purpose,
      expiresAt,
    });
    await audit(
      tx,
      actor,
      meta,
      'personal.reveal',
      { type: 'resident', id: r.id, areaPath: r.areaPath },
      { field: body.field, purpose, expiresAt: expiresAt.toISOString() },
    );
    return { field: body.field, value, expiresAt: expiresAt.toISOString() };
  });
}

// ---------------------------------------------------------------------------------------------------------
// Households
// ---------------------------------------------------------------------------------------------------------

const householdColumns = {
  id: households.id,
  number: households.number,
  type: households.type,
  areaCode: households.areaCode,
  dwellingId: households.dwellingId,
  headResidentId: households.headResidentId,
  headName: residents.name,
  version: households.version,
  createdAt: households.createdAt,
  memberCount: sql<number>`(select count(*)::int from ${householdMembers} where ${householdMembers.householdId} = ${households.id} and ${householdMembers.toDate} is null)`,
};

async function toHouseholds(
  tx: Tx,
  rows: {
    id: string;
    number: string;
    type: string;
    areaCode: string;
    dwellingId: string | null;
    headResidentId: string | null;
    headName: string | null;
    version: number;
    createdAt: Date;
    memberCount: number;
  }[],
): Promise<Household[]> {
  const names = await areaNames(
    tx,
    rows.map((r) => r.areaCode),
  );
  const labels = await dwellingLabels(
    tx,
    rows.flatMap((r) => (r.dwellingId ? [r.dwellingId] : [])),
  );
  return rows.map((r) => ({
    id: r.id,
    number: r.number,
    type: r.type as Household['type'],
    areaCode: r.areaCode,
    areaName: names.get(r.areaCode) ?? null,
    dwellingId: r.dwellingId,
    dwellingLabel: r.dwellingId ? (labels.get(r.dwellingId) ?? null) : null,
    headResidentId: r.headResidentId,
    headName: r.headName,
    memberCount: Number(r.memberCount),
    version: r.version,
    createdAt: r.createdAt.toISOString(),
  }));
}

function householdQuery(tx: Tx) {
  return tx
    .select(householdColumns)
    .from(households)
    .leftJoin(residents, eq(residents.id, households.headResidentId));
}

async function householdCard(tx: Tx, id: string): Promise<HouseholdCard> {
  const [row] = await householdQuery(tx).where(eq(households.id, id));
  if (!row) throw new AppError('household.unknown');
  const [h] = await toHouseholds(tx, [row]);
  const links = await tx
    .select({
      ...summaryColumns,
      householdId: householdMembers.householdId,
      householdNumber: households.number,
      relation: householdMembers.relation,
      fromDate: householdMembers.fromDate,
      toDate: householdMembers.toDate,
      linkId: householdMembers.id,
    })
    .from(householdMembers)
    .innerJoin(residents, eq(residents.id, householdMembers.residentId))
    .innerJoin(households, eq(households.id, householdMembers.householdId))
    .where(eq(householdMembers.householdId, id))
    .orderBy(
      sql`${householdMembers.toDate} is not null`,
      sql`${householdMembers.relation} <> 'head'`,
      asc(householdMembers.fromDate),
      asc(residents.birthDate),
    );
  // The current relation and household of each member (ResidentSummary), beside the relation of this link.
  const memberIds = [...new Set(links.map((l) => l.id))];
  const current = memberIds.length ? await summaryQuery(tx).where(inArray(residents.id, memberIds)) : [];
  const currentById = new Map(current.map((c) => [c.id, c]));
  const names = await areaNames(
    tx,
    links.map((l) => l.areaCode),
  );
  const events = await tx
    .select({ e: residentEvents, name: residents.name })
    .from(residentEvents)
    .innerJoin(residents, eq(residents.id, residentEvents.residentId))
    .where(eq(residentEvents.householdId, id))
    .orderBy(desc(residentEvents.id))
    .limit(EVENTS_SHOWN);
  return {
    ...h!,
    members: links.map((l) => ({
      ...toSummary(currentById.get(l.id) ?? l, names),
      linkRelation: l.relation as HouseholdRelation,
      fromDate: l.fromDate,
      toDate: l.toDate,
    })),
    events: events.map(({ e, name }) => toEvent(e, name)),
  };
}

/** Creates a household at a grid or community, optionally living in a dwelling already. */
export async function createHousehold(
  ctx: AppContext,
  actor: Actor,
  input: HouseholdCreate,
  meta: RequestMeta = {},
): Promise<HouseholdCard> {
  const ability = new Ability(actor);
  ability.authorize('create', 'Population');
  if (input.areaCode === undefined && input.dwellingId === undefined)
    throw invalidField('body.areaCode', 'required');
  if (input.livingType !== undefined && input.dwellingId === undefined)
    throw invalidField('body.livingType', 'notApplicable');
  try {
    return await ctx.db.transaction(async (tx) => {
      const dwelling = input.dwellingId
        ? await loadDwelling(tx, ability, input.dwellingId, 'body.dwellingId')
        : null;
      let area: AreaRow;
      if (input.areaCode) {
        area = await resolveArea(tx, input.areaCode, 'body.areaCode');
        if (dwelling && !pathWithin(dwelling.areaPath, area.path))
          throw invalidField('body.dwellingId', 'outsideArea');
      } else {
        const a = await areaByPath(tx, dwelling!.areaPath);
        if (!a) throw invalidField('body.dwellingId', 'exists');
        area = a;
      }
      ability.authorize('create', 'Population', area.path);
      const communityCode = area.code.slice(0, 12);
      const [taken] = await tx
        .select({ id: households.id })
        .from(households)
        .where(and(eq(households.communityCode, communityCode), eq(households.number, input.number)));
      if (taken) throw numberTaken();
      const [row] = await tx
        .insert(households)
        .values({
          number: input.number,
          communityCode,
          areaCode: area.code,
          areaPath: area.path,
          dwellingId: dwelling?.id ?? null,
          livingType: dwelling ? (input.livingType ?? 'own') : null,
          type: input.type,
          createdBy: actor.accountId,
        })
        .returning();
      await audit(tx, actor, meta, 'household.create', {
        type: 'household',
        id: row!.id,
        areaPath: row!.areaPath,
      });
      return householdCard(tx, row!.id);
    });
  } catch (err) {
    if (isUniqueViolation(err, 'households_community_number_key')) throw numberTaken();
    throw err;
  }
}

function numberTaken(): AppError {
  return new AppError('household.number_taken', [{ field: 'body.number', rule: 'unique' }]);
}

/** A household's card: members now and before, with their relations and dates, and the household's events (audited). */
export async function getHousehold(
  ctx: AppContext,
  actor: Actor,
  id: string,
  meta: RequestMeta = {},
): Promise<HouseholdCard> {
  const ability = new Ability(actor);
  ability.authorize('read', 'Population');
  const h = await loadHousehold(ctx.db, ability, id, 'read');
  const card = await householdCard(ctx.db, id);
  await auditView(ctx, actor, meta, { type: 'household', id: h.id, areaPath: h.areaPath });
  return card;
}

/** Households within scope: of a dwelling (living there now), of an area, or by number. */
export async function listHouseholds(
  ctx: AppContext,
  actor: Actor,
  query: HouseholdListQuery,
): Promise<{ items: Household[]; total: number }> {
  const ability = new Ability(actor);
  ability.authorize('read', 'Population');
  const conds: SQL[] = [scopeWhere(ability, 'read', 'Population', households.areaPath)];
  if (query.dwellingId) conds.push(eq(households.dwellingId, query.dwellingId));
  if (query.areaCode) conds.push(await underArea(ctx, query.areaCode, households.areaPath));
  if (query.q) conds.push(sql`${households.number} like ${likeEscape(query.q.trim()) + '%'}`);
  const where = and(...conds);
  const rows = await householdQuery(ctx.db)
    .where(where)
    .orderBy(asc(households.number), asc(households.id))
    .limit(query.limit ?? 50)
    .offset(query.offset ?? 0);
  const [count] = await ctx.db
    .select({ n: sql<number>`count(*)::int` })
    .from(households)
    .where(where);
  return { items: await toHouseholds(ctx.db, rows), total: count?.n ?? 0 };
}

/** What a household change records in the audit log; null when nothing changed (no entry). */
type HouseholdChange = { details: Record<string, unknown>; areaPath?: string } | null;

/**
 * A change to a household, the way each one goes: authorized (update Population), in one transaction with the
 * household locked, made by `change`, audited as `action` on the household (at its new area when it moved), and
 * answered with the household's card.
 */
async function changeHousehold(
  ctx: AppContext,
  actor: Actor,
  householdId: string,
  meta: RequestMeta,
  action: string,
  change: (tx: Tx, h: HouseholdRow, ability: Ability) => Promise<HouseholdChange>,
): Promise<HouseholdCard> {
  const ability = new Ability(actor);
  ability.authorize('update', 'Population');
  return ctx.db.transaction(async (tx) => {
    const h = await loadHousehold(tx, ability, householdId, 'update', true);
    const done = await change(tx, h, ability);
    if (done)
      await audit(
        tx,
        actor,
        meta,
        action,
        { type: 'household', id: h.id, areaPath: done.areaPath ?? h.areaPath },
        done.details,
      );
    return householdCard(tx, h.id);
  });
}

/** Adds an existing resident to a household with a relation to its head. */
export async function addMember(
  ctx: AppContext,
  actor: Actor,
  householdId: string,
  input: { residentId: string; relation: HouseholdRelation; date?: string },
  meta: RequestMeta = {},
): Promise<HouseholdCard> {
  return changeHousehold(ctx, actor, householdId, meta, 'household.member_add', async (tx, h, ability) => {
    const r = await memberToBe(tx, ability, input.residentId);
    if (r.status !== 'alive') throw new AppError('resident.not_alive');
    const day = eventDay(input.date, 'body.date', r.birthDate);
    await joinHousehold(tx, actor, r, h, input.relation, day);
    return { details: { residentId: r.id, relation: input.relation } };
  });
}

/** A resident named in a body: unknown or out of reach is a field error, not a 404 of the route. */
async function memberToBe(tx: Tx, ability: Ability, id: string): Promise<ResidentRow> {
  const [r] = await tx.select().from(residents).where(eq(residents.id, id)).for('update');
  if (!r || !ability.can('read', 'Population', r.areaPath)) throw invalidField('body.residentId', 'exists');
  if (!ability.can('update', 'Population', r.areaPath)) throw invalidField('body.residentId', 'outOfScope');
  return r;
}

/** A current member of the household: its open link and its resident row (409 household.not_member otherwise). */
async function currentMember(tx: Tx, householdId: string, residentId: string) {
  const [link] = await tx
    .select()
    .from(householdMembers)
    .where(
      and(
        eq(householdMembers.householdId, householdId),
        eq(householdMembers.residentId, residentId),
        isNull(householdMembers.toDate),
      ),
    );
  if (!link) throw new AppError('household.not_member');
  const [r] = await tx.select().from(residents).where(eq(residents.id, residentId));
  return { link, r: r! };
}

/** Changes a member's relation to the head: the old link ends and a new one begins (history is kept). */
export async function changeRelation(
  ctx: AppContext,
  actor: Actor,
  householdId: string,
  residentId: string,
  input: { relation: HouseholdRelation; date?: string },
  meta: RequestMeta = {},
): Promise<HouseholdCard> {
  return changeHousehold(ctx, actor, householdId, meta, 'household.relation_change', async (tx, h) => {
    const { link, r } = await currentMember(tx, h.id, residentId);
    if (link.relation === input.relation) return null;
    const day = eventDay(input.date, 'body.date', link.fromDate);
    let head = h.headResidentId;
    if (input.relation === 'head') {
      if (h.headResidentId && h.headResidentId !== residentId) throw new AppError('household.has_head');
      head = residentId;
    } else if (link.relation === 'head') head = null;
    await tx.update(householdMembers).set({ toDate: day }).where(eq(householdMembers.id, link.id));
    await tx
      .insert(householdMembers)
      .values({ householdId: h.id, residentId, relation: input.relation, fromDate: day });
    await tx
      .update(households)
      .set({ headResidentId: head, version: h.version + 1, updatedAt: new Date() })
      .where(eq(households.id, h.id));
    await addEvent(tx, actor, {
      resident: r,
      kind: 'relation_changed',
      occurredOn: day,
      householdId: h.id,
      data: { from: link.relation, to: input.relation },
    });
    return { details: { residentId, from: link.relation, to: input.relation } };
  });
}

/** A member leaves the household (户口迁出本户): the link ends; the dwelling link it came with ends too. */
export async function leaveHousehold(
  ctx: AppContext,
  actor: Actor,
  householdId: string,
  residentId: string,
  input: { date?: string; note?: string },
  meta: RequestMeta = {},
): Promise<HouseholdCard> {
  // Refused before the body is looked at, as every change of a household is.
  new Ability(actor).authorize('update', 'Population');
  const note = optionalNote(input.note);
  return changeHousehold(ctx, actor, householdId, meta, 'household.member_leave', async (tx, h) => {
    const { link, r } = await currentMember(tx, h.id, residentId);
    const day = eventDay(input.date, 'body.date', link.fromDate);
    await tx.update(householdMembers).set({ toDate: day }).where(eq(householdMembers.id, link.id));
    if (link.relation === 'head')
      await tx
        .update(households)
        .set({ headResidentId: null, version: h.version + 1, updatedAt: new Date() })
        .where(eq(households.id, h.id));
    if (h.dwellingId) {
      const [open] = await tx
        .select()
        .from(residentDwellings)
        .where(
          and(
            eq(residentDwellings.residentId, residentId),
            eq(residentDwellings.dwellingId, h.dwellingId),
            isNull(residentDwellings.toDate),
          ),
        );
      if (open) await closeDwellingLink(tx, actor, r, day, { event: true, householdId: h.id });
    }
    await addEvent(tx, actor, {
      resident: r,
      kind: 'left_household',
      occurredOn: day,
      householdId: h.id,
      data: { relation: link.relation, householdNumber: h.number },
      note,
    });
    return { details: { residentId } };
  });
}

async function currentMembers(tx: Tx, householdId: string) {
  return tx
    .select({
      id: residents.id,
      areaPath: residents.areaPath,
      status: residents.status,
      version: residents.version,
    })
    .from(householdMembers)
    .innerJoin(residents, eq(residents.id, householdMembers.residentId))
    .where(and(eq(householdMembers.householdId, householdId), isNull(householdMembers.toDate)));
}

/** The household moves into a dwelling of its community: every current member gets a link and a moved_in event. */
export async function moveIn(
  ctx: AppContext,
  actor: Actor,
  householdId: string,
  input: { dwellingId: string; livingType: LivingType; date?: string },
  meta: RequestMeta = {},
): Promise<HouseholdCard> {
  return changeHousehold(ctx, actor, householdId, meta, 'household.move_in', async (tx, h, ability) => {
    if (h.dwellingId) throw new AppError('household.already_housed');
    const d = await loadDwelling(tx, ability, input.dwellingId, 'body.dwellingId');
    // A community's path is its 12-digit code: a household moves within its community (elsewhere it is a new one).
    if (!pathWithin(d.areaPath, h.communityCode)) throw invalidField('body.dwellingId', 'outsideArea');
    ability.authorize('update', 'Population', d.areaPath);
    const area = await areaByPath(tx, d.areaPath);
    if (!area) throw invalidField('body.dwellingId', 'exists');
    const day = eventDay(input.date, 'body.date');
    await tx
      .update(households)
      .set({
        dwellingId: d.id,
        livingType: input.livingType,
        areaCode: area.code,
        areaPath: area.path,
        version: h.version + 1,
        updatedAt: new Date(),
      })
      .where(eq(households.id, h.id));
    for (const m of await currentMembers(tx, h.id)) {
      if (m.status !== 'alive') continue;
      // Members now live in the dwelling's grid.
      await tx
        .update(residents)
        .set({ areaCode: area.code, areaPath: area.path, version: m.version + 1, updatedAt: new Date() })
        .where(eq(residents.id, m.id));
      await openDwellingLink(tx, actor, { id: m.id, areaPath: area.path }, d.id, input.livingType, h.id, day);
    }
    return { details: { dwellingId: d.id }, areaPath: area.path };
  });
}

/** The household moves out of its dwelling; with leftArea its members leave the area (status moved_out). */
export async function moveOut(
  ctx: AppContext,
  actor: Actor,
  householdId: string,
  input: { date?: string; leftArea?: boolean; note?: string },
  meta: RequestMeta = {},
): Promise<HouseholdCard> {
  // Refused before the body is looked at, as every change of a household is.
  new Ability(actor).authorize('update', 'Population');
  const note = optionalNote(input.note);
  return changeHousehold(ctx, actor, householdId, meta, 'household.move_out', async (tx, h) => {
    if (!h.dwellingId) throw new AppError('household.not_housed');
    const [since] = await tx
      .select({ from: sql<string | null>`max(${residentDwellings.fromDate})::text` })
      .from(residentDwellings)
      .where(
        and(
          eq(residentDwellings.dwellingId, h.dwellingId),
          eq(residentDwellings.householdId, h.id),
          isNull(residentDwellings.toDate),
        ),
      );
    const day = eventDay(input.date, 'body.date', since?.from ?? undefined);
    const leftArea = input.leftArea === true;
    for (const m of await currentMembers(tx, h.id)) {
      const closed = await closeDwellingLink(tx, actor, m, day, {
        event: true,
        householdId: h.id,
        note,
        data: leftArea ? { leftArea: true } : {},
      });
      if (leftArea && m.status === 'alive') {
        await tx
          .update(residents)
          .set({ status: 'moved_out', version: m.version + 1, updatedAt: new Date() })
          .where(eq(residents.id, m.id));
        // A member who lived elsewhere still leaves the area: its event says so.
        if (!closed)
          await addEvent(tx, actor, {
            resident: m,
            kind: 'moved_out',
            occurredOn: day,
            householdId: h.id,
            data: { leftArea: true },
            note,
          });
      }
    }
    await tx
      .update(households)
      .set({ dwellingId: null, livingType: null, version: h.version + 1, updatedAt: new Date() })
      .where(eq(households.id, h.id));
    return { details: { dwellingId: h.dwellingId, leftArea } };
  });
}
