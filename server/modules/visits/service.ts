/**
 * Home visits (入户走访, 分片包户): the visit rules, each grid's due and overdue households, recording a visit (and
 * correcting one: a new row naming the old), turning a need found in a visit into a case, and the ledger of coverage
 * (民情台账). Visits are append-only; every write is audited in its transaction.
 *
 * The interval of a household is decided by the most specific rule in force: a tag rule (a current member holds the
 * tag or one below it) over an area rule, a deeper area over a shallower one, then the shorter interval; without
 * any rule, DEFAULT_VISIT_INTERVAL_DAYS. Its next visit is due `interval` days after its last visit (never visited:
 * after the household was registered). The visitor is the grid worker of the household's grid.
 */
import { and, asc, desc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import { chinaToday } from '../../../common/id-number';
import type { Role } from '../../../common/roles';
import {
  DEFAULT_VISIT_INTERVAL_DAYS,
  DUE_SOON_DAYS,
  VISIT_MAX_AGE_DAYS,
  type Coverage,
  type CoverageQuery,
  type DueCounts,
  type DueItem,
  type DueList,
  type DueQuery,
  type NeedCaseBody,
  type NeedCategory,
  type NeverQuery,
  type Visit,
  type VisitCorrection,
  type VisitCreate,
  type VisitListQuery,
  type VisitRule,
  type VisitRuleCreate,
  type VisitRuleUpdate,
} from '../../../common/schemas/visits';
import type { AppContext } from '../../context';
import { pgErrorCode, queryRows, type Tx } from '../../db/client';
import { AppError, invalidField, type FieldProblem } from '../../http/errors';
import { Ability, type Actor } from '../../policy/ability';
import { scopeWhere } from '../../policy/scope';
import { auditActor, type RequestMeta } from '../areas/audit-meta';
import { areas } from '../areas/tables';
import { appendAudit } from '../audit/log';
import { intake } from '../cases/service';
import { cases } from '../cases/tables';
import { dwellingLabels } from '../people/service';
import { areaPath } from '../../../common/area-code';
import { areaHouseholdCounts, householdMembers, households, residents } from '../people/tables';
import { tags } from '../tags/tables';
import { toVisitPhoto } from './photos';
import { visitNeeds, visitPhotos, visitRules, visits } from './tables';

type VisitRow = typeof visits.$inferSelect;
type RuleRow = typeof visitRules.$inferSelect;

// ---------------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------------

interface AreaRow {
  code: string;
  path: string;
  name: string;
  level: string;
}

async function areaByCode(tx: Tx, code: string): Promise<AreaRow | null> {
  const [row] = await tx
    .select({ code: areas.code, path: areas.path, name: areas.name, level: areas.level })
    .from(areas)
    .where(eq(areas.code, code));
  return row ?? null;
}

async function areaNames(tx: Tx, codes: string[]): Promise<Map<string, { name: string; level: string }>> {
  const unique = [...new Set(codes)];
  if (unique.length === 0) return new Map();
  const rows = await tx
    .select({ code: areas.code, name: areas.name, level: areas.level })
    .from(areas)
    .where(inArray(areas.code, unique));
  return new Map(rows.map((r) => [r.code, { name: r.name, level: r.level }]));
}

/** A day N days before or after a YYYY-MM-DD day. */
function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function percent(part: number, whole: number): number | null {
  return whole > 0 ? Math.round((part / whole) * 1000) / 10 : null;
}

/** Rows of a json_agg, whichever way the driver hands json back. */
function jsonRows<T>(value: unknown): T[] {
  if (value == null) return [];
  return (typeof value === 'string' ? JSON.parse(value) : value) as T[];
}

function roles(actor: Actor): Role[] {
  return actor.assignments.map((a) => a.role);
}

/** Tag names this user may see (a tag outside its roles is absent, as everywhere). */
async function visibleTagNames(tx: Tx, actor: Actor, ids: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const mine = roles(actor);
  const rows = await tx
    .select({ id: tags.id, name: tags.name, visibleRoles: tags.visibleRoles })
    .from(tags)
    .where(inArray(tags.id, unique));
  return new Map(
    rows.filter((t) => t.visibleRoles.some((r) => mine.includes(r as Role))).map((t) => [t.id, t.name]),
  );
}

/** The area of a coverage or rule request: known, and one of the levels allowed. */
async function requireArea(tx: Tx, code: string, field: string, levels: string[]): Promise<AreaRow> {
  const area = await areaByCode(tx, code);
  if (!area) throw invalidField(field, 'exists');
  if (!levels.includes(area.level)) throw invalidField(field, 'areaLevel', levels.join(', '));
  return area;
}

/** 403 naming the field when the area lies outside the actor's scope for the action. */
function authorizeAt(
  ability: Ability,
  action: 'read' | 'create' | 'update',
  subject: 'Visit' | 'VisitRule' | 'VisitLedger',
  path: string,
  field: string,
) {
  if (!ability.can(action, subject, path)) throw new AppError('forbidden', [{ field, rule: 'outOfScope' }]);
}

// ---------------------------------------------------------------------------------------------------------
// Rules (走访规则)
// ---------------------------------------------------------------------------------------------------------

async function toRules(tx: Tx, actor: Actor, rows: RuleRow[]): Promise<VisitRule[]> {
  const ability = new Ability(actor);
  const names = await areaNames(
    tx,
    rows.map((r) => r.areaCode),
  );
  const tagNames = await visibleTagNames(
    tx,
    actor,
    rows.flatMap((r) => (r.tagId ? [r.tagId] : [])),
  );
  return rows.map((r) => ({
    id: r.id,
    areaCode: r.areaCode,
    areaName: names.get(r.areaCode)?.name ?? null,
    areaLevel: names.get(r.areaCode)?.level ?? 'unknown',
    tagId: r.tagId && tagNames.has(r.tagId) ? r.tagId : null,
    tagName: r.tagId ? (tagNames.get(r.tagId) ?? null) : null,
    intervalDays: r.intervalDays,
    note: r.note,
    editable: ability.can('update', 'VisitRule', r.areaPath),
    version: r.version,
    createdAt: r.createdAt.toISOString(),
  }));
}

/**
 * The rules in force that concern an area (default: the user's own areas): those within it and those above it,
 * which apply to it but which this user may not change. A rule on a tag the user may not see is left out.
 */
export async function listRules(
  ctx: AppContext,
  actor: Actor,
  query: { areaCode?: string | undefined },
): Promise<{ items: VisitRule[]; defaultIntervalDays: number }> {
  const ability = new Ability(actor);
  ability.authorize('read', 'VisitRule');
  let paths = ability.paths('read', 'VisitRule');
  if (query.areaCode) {
    const area = await areaByCode(ctx.db, query.areaCode);
    if (!area) throw invalidField('querystring.areaCode', 'exists');
    authorizeAt(ability, 'read', 'VisitRule', area.path, 'querystring.areaCode');
    paths = [area.path];
  }
  const parts = paths.flatMap((p) => [
    sql`${visitRules.areaPath} like ${p + '%'}`,
    sql`${p} like ${visitRules.areaPath} || '%'`,
  ]);
  const rows = await ctx.db
    .select()
    .from(visitRules)
    .where(and(isNull(visitRules.retiredAt), sql`(${sql.join(parts, sql` or `)})`))
    .orderBy(asc(visitRules.areaPath), asc(visitRules.intervalDays));
  const items = await toRules(ctx.db, actor, rows);
  return {
    items: items.filter((r, i) => !rows[i]!.tagId || r.tagId),
    defaultIntervalDays: DEFAULT_VISIT_INTERVAL_DAYS,
  };
}

function ruleAudit(
  tx: Tx,
  actor: Actor,
  meta: RequestMeta,
  action: string,
  r: RuleRow,
  details: Record<string, unknown>,
) {
  return appendAudit(tx, {
    ...auditActor(actor, meta),
    action,
    targetType: 'visit_rule',
    targetId: r.id,
    areaPath: r.areaPath,
    outcome: 'success',
    details,
  });
}

/** Sets a rule for a street, community or grid (optionally a tag); one in force per area and tag. */
export async function createRule(
  ctx: AppContext,
  actor: Actor,
  input: VisitRuleCreate,
  meta: RequestMeta = {},
): Promise<VisitRule> {
  const ability = new Ability(actor);
  ability.authorize('create', 'VisitRule');
  const area = await requireArea(ctx.db, input.areaCode, 'body.areaCode', ['street', 'community', 'grid']);
  authorizeAt(ability, 'create', 'VisitRule', area.path, 'body.areaCode');
  if (input.tagId) {
    const visible = await visibleTagNames(ctx.db, actor, [input.tagId]);
    if (!visible.has(input.tagId)) throw invalidField('body.tagId', 'exists');
  }
  try {
    return await ctx.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(visitRules)
        .values({
          areaCode: area.code,
          areaPath: area.path,
          tagId: input.tagId ?? null,
          intervalDays: input.intervalDays,
          note: input.note?.trim() || null,
          createdBy: actor.accountId,
        })
        .returning();
      await ruleAudit(tx, actor, meta, 'visit_rule.create', row!, {
        areaCode: area.code,
        tagId: row!.tagId,
        intervalDays: row!.intervalDays,
      });
      return (await toRules(tx, actor, [row!]))[0]!;
    });
  } catch (err) {
    if (pgErrorCode(err) === '23505')
      throw new AppError('visit_rule.duplicate', [{ field: 'body.areaCode', rule: 'unique' }]);
    throw err;
  }
}

async function loadRuleForChange(tx: Tx, ability: Ability, id: string, version: number): Promise<RuleRow> {
  const [row] = await tx.select().from(visitRules).where(eq(visitRules.id, id)).for('update');
  if (!row || row.retiredAt)
    throw new AppError('visit_rule.unknown', [{ field: 'params.id', rule: 'exists' }]);
  if (!ability.can('update', 'VisitRule', row.areaPath)) throw new AppError('forbidden');
  if (row.version !== version)
    throw new AppError('visit_rule.stale', [{ field: 'body.version', rule: 'stale', limit: row.version }]);
  return row;
}

/** Changes a rule's interval or note (optimistic concurrency on version). */
export async function updateRule(
  ctx: AppContext,
  actor: Actor,
  id: string,
  input: VisitRuleUpdate,
  meta: RequestMeta = {},
): Promise<VisitRule> {
  const ability = new Ability(actor);
  ability.authorize('update', 'VisitRule');
  return ctx.db.transaction(async (tx) => {
    const before = await loadRuleForChange(tx, ability, id, input.version);
    const [row] = await tx
      .update(visitRules)
      .set({
        ...(input.intervalDays !== undefined ? { intervalDays: input.intervalDays } : {}),
        ...(input.note !== undefined ? { note: input.note?.trim() || null } : {}),
        version: before.version + 1,
        updatedAt: new Date(),
      })
      .where(eq(visitRules.id, id))
      .returning();
    await ruleAudit(tx, actor, meta, 'visit_rule.update', row!, {
      intervalDays: { from: before.intervalDays, to: row!.intervalDays },
    });
    return (await toRules(tx, actor, [row!]))[0]!;
  });
}

/** Retires a rule: it stops applying and stays on record. */
export async function retireRule(
  ctx: AppContext,
  actor: Actor,
  id: string,
  input: { version: number },
  meta: RequestMeta = {},
): Promise<{ ok: true }> {
  const ability = new Ability(actor);
  ability.authorize('update', 'VisitRule');
  await ctx.db.transaction(async (tx) => {
    const before = await loadRuleForChange(tx, ability, id, input.version);
    await tx
      .update(visitRules)
      .set({ retiredAt: new Date(), version: before.version + 1, updatedAt: new Date() })
      .where(eq(visitRules.id, id));
    await ruleAudit(tx, actor, meta, 'visit_rule.retire', before, { intervalDays: before.intervalDays });
  });
  return { ok: true };
}

// ---------------------------------------------------------------------------------------------------------
// Due and overdue (应访/逾期)
// ---------------------------------------------------------------------------------------------------------

/** Households (with members now) under the scope condition, with each one's rule, last visit and due day. */
function dueCte(scope: SQL, today: string): SQL {
  return sql`with recursive anc(tag_id, anc_id) as (
      select t.id, t.id from ${tags} t
      union all
      select a.tag_id, t.parent_id from anc a join ${tags} t on t.id = a.anc_id where t.parent_id is not null
    ),
    hh as (
      select h.id, h.number, h.area_code, h.area_path, h.dwelling_id, h.head_resident_id, h.created_at
      from ${households} h
      where ${scope}
        and h.member_count > 0
    ),
    held as (
      select distinct m.household_id, a.anc_id as tag_id
      from hh
      join ${householdMembers} m on m.household_id = hh.id and m.to_date is null
      join resident_tags rt on rt.resident_id = m.resident_id and rt.to_date is null
      join anc a on a.tag_id = rt.tag_id
    ),
    last as (
      select v.household_id, max(v.visited_on) as last_on
      from ${visits} v join hh on hh.id = v.household_id
      where not exists (select 1 from ${visits} c where c.corrects_id = v.id)
      group by v.household_id
    ),
    due as (
      select hh.*, last.last_on, r.id as rule_id, r.tag_id as rule_tag_id,
        coalesce(r.interval_days, ${DEFAULT_VISIT_INTERVAL_DAYS}::int) as interval_days,
        coalesce(last.last_on, (hh.created_at at time zone 'Asia/Shanghai')::date)
          + coalesce(r.interval_days, ${DEFAULT_VISIT_INTERVAL_DAYS}::int) as due_on
      from hh
      left join last on last.household_id = hh.id
      left join lateral (
        select vr.id, vr.tag_id, vr.interval_days from ${visitRules} vr
        where vr.retired_at is null and hh.area_path like vr.area_path || '%'
          and (vr.tag_id is null
               or exists (select 1 from held where held.household_id = hh.id and held.tag_id = vr.tag_id))
        order by (vr.tag_id is not null) desc, length(vr.area_path) desc, vr.interval_days asc
        limit 1
      ) r on true
    ),
    d as (
      select due.*, (${today}::date - due.due_on) as days_overdue,
        case when due.due_on < ${today}::date then 'overdue'
             when due.due_on <= ${today}::date + ${DUE_SOON_DAYS}::int then 'due_soon'
             else 'ok' end as status
      from due
    )`;
}

interface DueRow {
  id: string;
  number: string;
  area_code: string;
  dwelling_id: string | null;
  head_name: string | null;
  member_count: number;
  last_on: string | null;
  rule_id: string | null;
  rule_tag_id: string | null;
  interval_days: number;
  due_on: string;
  days_overdue: number;
  status: DueItem['status'];
}

/**
 * The households of a grid (or any area in scope; default: the user's own grids) with their next due day, overdue
 * first, and the counts over all of them. One statement.
 */
export async function dueVisits(ctx: AppContext, actor: Actor, query: DueQuery): Promise<DueList> {
  const ability = new Ability(actor);
  ability.authorize('read', 'Visit');
  let scope: SQL;
  if (query.areaCode) {
    const area = await areaByCode(ctx.db, query.areaCode);
    if (!area) throw invalidField('querystring.areaCode', 'exists');
    authorizeAt(ability, 'read', 'Visit', area.path, 'querystring.areaCode');
    scope = sql`h.area_path like ${area.path + '%'}`;
  } else {
    // A grid worker's own grids; staff above it: their whole area.
    const own = ability.paths('create', 'Visit');
    const paths = own.length > 0 ? own : ability.paths('read', 'Visit');
    scope = sql`(${sql.join(
      paths.map((p) => sql`h.area_path like ${p + '%'}`),
      sql` or `,
    )})`;
  }
  const today = chinaToday();
  const filter = query.status ? sql`d.status = ${query.status}` : sql`true`;
  const [row] = await queryRows<{
    households: number;
    overdue: number;
    due_soon: number;
    never: number;
    total: number;
    items: unknown;
  }>(
    ctx.db,
    sql`${dueCte(scope, today)}
      select
        (select count(*)::int from d) as households,
        (select count(*)::int from d where d.status = 'overdue') as overdue,
        (select count(*)::int from d where d.status = 'due_soon') as due_soon,
        (select count(*)::int from d where d.last_on is null) as never,
        (select count(*)::int from d where ${filter}) as total,
        (select coalesce(json_agg(p), '[]'::json) from (
          select d.id, d.number, d.area_code, d.dwelling_id, r.name as head_name,
            (select count(*)::int from ${householdMembers} m where m.household_id = d.id and m.to_date is null)
              as member_count,
            d.last_on::text as last_on, d.rule_id, d.rule_tag_id, d.interval_days,
            d.due_on::text as due_on, d.days_overdue, d.status
          from d left join ${residents} r on r.id = d.head_resident_id
          where ${filter}
          order by d.due_on, d.number, d.id
          limit ${query.limit ?? 100} offset ${query.offset ?? 0}
        ) p) as items`,
  );
  const rows = jsonRows<DueRow>(row?.items);
  const names = await areaNames(
    ctx.db,
    rows.map((r) => r.area_code),
  );
  const labels = await dwellingLabels(
    ctx.db,
    rows.flatMap((r) => (r.dwelling_id ? [r.dwelling_id] : [])),
  );
  const tagNames = await visibleTagNames(
    ctx.db,
    actor,
    rows.flatMap((r) => (r.rule_tag_id ? [r.rule_tag_id] : [])),
  );
  const households = row?.households ?? 0;
  const overdue = row?.overdue ?? 0;
  const counts: DueCounts = {
    households,
    overdue,
    dueSoon: row?.due_soon ?? 0,
    upToDate: households - overdue,
    neverVisited: row?.never ?? 0,
    onSchedulePercent: percent(households - overdue, households),
  };
  return {
    today,
    total: row?.total ?? 0,
    counts,
    items: rows.map((r) => ({
      householdId: r.id,
      householdNumber: r.number,
      areaCode: r.area_code,
      areaName: names.get(r.area_code)?.name ?? null,
      headName: r.head_name,
      dwellingLabel: r.dwelling_id ? (labels.get(r.dwelling_id) ?? null) : null,
      memberCount: Number(r.member_count),
      lastVisitedOn: r.last_on,
      intervalDays: Number(r.interval_days),
      ruleId: r.rule_id,
      ruleTagName: r.rule_tag_id ? (tagNames.get(r.rule_tag_id) ?? null) : null,
      dueOn: r.due_on,
      daysOverdue: Number(r.days_overdue),
      status: r.status,
    })),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Visits
// ---------------------------------------------------------------------------------------------------------

/** Visit views of the given rows, with needs (and their cases), persons met, photos and corrections. */
async function toVisits(tx: Tx, rows: VisitRow[]): Promise<Visit[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const needs = await tx
    .select({
      visitId: visitNeeds.visitId,
      n: visitNeeds.n,
      category: visitNeeds.category,
      text: visitNeeds.text,
      caseId: visitNeeds.caseId,
      caseNumber: cases.number,
    })
    .from(visitNeeds)
    .leftJoin(cases, eq(cases.id, visitNeeds.caseId))
    .where(inArray(visitNeeds.visitId, ids))
    .orderBy(asc(visitNeeds.visitId), asc(visitNeeds.n));
  const photos = await tx
    .select()
    .from(visitPhotos)
    .where(inArray(visitPhotos.visitId, ids))
    .orderBy(asc(visitPhotos.createdAt), asc(visitPhotos.id));
  const personIds = [...new Set(rows.flatMap((r) => r.personsMet))];
  const people = personIds.length
    ? await tx
        .select({ id: residents.id, name: residents.name })
        .from(residents)
        .where(inArray(residents.id, personIds))
    : [];
  const personName = new Map(people.map((p) => [p.id, p.name]));
  const hh = await tx
    .select({ id: households.id, number: households.number })
    .from(households)
    .where(
      inArray(
        households.id,
        rows.map((r) => r.householdId),
      ),
    );
  const hhNumber = new Map(hh.map((h) => [h.id, h.number]));
  const correctors = await tx
    .select({ id: visits.id, correctsId: visits.correctsId })
    .from(visits)
    .where(inArray(visits.correctsId, ids));
  const correctedBy = new Map(correctors.map((c) => [c.correctsId!, c.id]));
  const names = await areaNames(
    tx,
    rows.map((r) => r.areaCode),
  );
  return rows.map((r) => ({
    id: r.id,
    householdId: r.householdId,
    householdNumber: hhNumber.get(r.householdId) ?? '',
    areaCode: r.areaCode,
    areaName: names.get(r.areaCode)?.name ?? null,
    visitedOn: r.visitedOn,
    visitorId: r.visitorId,
    visitorName: r.visitorName,
    personsMet: r.personsMet.map((id) => ({ id, name: personName.get(id) ?? '' })),
    situation: r.situation,
    followUp: r.followUp,
    needs: needs
      .filter((n) => n.visitId === r.id)
      .map((n) => ({
        n: n.n,
        category: n.category as NeedCategory,
        text: n.text,
        caseId: n.caseId,
        caseNumber: n.caseNumber ?? null,
      })),
    photos: photos.filter((p) => p.visitId === r.id).map(toVisitPhoto),
    correctsId: r.correctsId,
    correctedById: correctedBy.get(r.id) ?? null,
    createdAt: r.createdAt.toISOString(),
  }));
}

async function visitView(tx: Tx, id: string): Promise<Visit> {
  const [row] = await tx.select().from(visits).where(eq(visits.id, id));
  if (!row) throw new AppError('visit.unknown', [{ field: 'params.id', rule: 'exists' }]);
  return (await toVisits(tx, [row]))[0]!;
}

/** A visit the actor may read, else 404/403. */
async function readableVisit(tx: Tx, ability: Ability, id: string): Promise<VisitRow> {
  const [row] = await tx.select().from(visits).where(eq(visits.id, id));
  if (!row) throw new AppError('visit.unknown', [{ field: 'params.id', rule: 'exists' }]);
  if (!ability.can('read', 'Visit', row.areaPath)) throw new AppError('forbidden');
  return row;
}

interface VisitContent {
  visitedOn: string;
  personsMet: string[];
  situation: string;
  needs?: { category: NeedCategory; text: string }[] | undefined;
  followUp?: boolean | undefined;
}

/** Checks what a visit says against the household (day, persons met); problems name every field at fault. */
async function checkContent(tx: Tx, householdId: string, input: VisitContent): Promise<VisitContent> {
  const problems: FieldProblem[] = [];
  const today = chinaToday();
  const earliest = addDays(today, -VISIT_MAX_AGE_DAYS);
  if (input.visitedOn > today) problems.push({ field: 'body.visitedOn', rule: 'future' });
  else if (input.visitedOn < earliest)
    problems.push({ field: 'body.visitedOn', rule: 'dateOrder', limit: earliest });
  const situation = input.situation.trim();
  if (!situation) problems.push({ field: 'body.situation', rule: 'minLength', limit: 1 });
  const needs = (input.needs ?? []).map((n, i) => {
    const text = n.text.trim();
    if (!text) problems.push({ field: `body.needs.${i}.text`, rule: 'minLength', limit: 1 });
    return { category: n.category, text };
  });
  if (input.personsMet.length > 0) {
    const members = await tx
      .select({ residentId: householdMembers.residentId })
      .from(householdMembers)
      .where(
        and(
          eq(householdMembers.householdId, householdId),
          inArray(householdMembers.residentId, input.personsMet),
          sql`${householdMembers.fromDate} <= ${input.visitedOn}`,
          sql`(${householdMembers.toDate} is null or ${householdMembers.toDate} >= ${input.visitedOn})`,
        ),
      );
    const ok = new Set(members.map((m) => m.residentId));
    input.personsMet.forEach((id, i) => {
      if (!ok.has(id)) problems.push({ field: `body.personsMet.${i}`, rule: 'householdMember' });
    });
  }
  if (problems.length) throw new AppError('validation.failed', problems);
  return { ...input, situation, needs };
}

async function writeVisit(
  tx: Tx,
  actor: Actor,
  meta: RequestMeta,
  h: { id: string; areaCode: string; areaPath: string },
  content: VisitContent,
  correctsId: string | null,
): Promise<string> {
  const [row] = await tx
    .insert(visits)
    .values({
      householdId: h.id,
      areaCode: h.areaCode,
      areaPath: h.areaPath,
      visitedOn: content.visitedOn,
      visitorId: actor.accountId,
      visitorName: actor.displayName,
      personsMet: content.personsMet,
      situation: content.situation,
      followUp: content.followUp ?? false,
      correctsId,
    })
    .returning({ id: visits.id });
  const needs = content.needs ?? [];
  if (needs.length)
    await tx
      .insert(visitNeeds)
      .values(needs.map((n, i) => ({ visitId: row!.id, n: i + 1, category: n.category, text: n.text })));
  // No words of the visit in the audit entry: it names what was done, the ledger holds what was found.
  await appendAudit(tx, {
    ...auditActor(actor, meta),
    action: correctsId ? 'visit.correct' : 'visit.create',
    targetType: 'visit',
    targetId: row!.id,
    areaPath: h.areaPath,
    outcome: 'success',
    details: {
      householdId: h.id,
      visitedOn: content.visitedOn,
      personsMet: content.personsMet.length,
      needs: needs.length,
      followUp: content.followUp ?? false,
      ...(correctsId ? { correctsId } : {}),
    },
  });
  return row!.id;
}

/** Records a visit to a household of the actor's grid(s). */
export async function recordVisit(
  ctx: AppContext,
  actor: Actor,
  input: VisitCreate,
  meta: RequestMeta = {},
): Promise<Visit> {
  const ability = new Ability(actor);
  ability.authorize('create', 'Visit');
  const [h] = await ctx.db
    .select({ id: households.id, areaCode: households.areaCode, areaPath: households.areaPath })
    .from(households)
    .where(eq(households.id, input.householdId));
  if (!h) throw invalidField('body.householdId', 'exists');
  authorizeAt(ability, 'create', 'Visit', h.areaPath, 'body.householdId');
  return ctx.db.transaction(async (tx) => {
    const content = await checkContent(tx, h.id, input);
    const id = await writeVisit(tx, actor, meta, h, content, null);
    return visitView(tx, id);
  });
}

/** Corrects a visit: a new record naming the old, which stays but no longer counts. */
export async function correctVisit(
  ctx: AppContext,
  actor: Actor,
  id: string,
  input: VisitCorrection,
  meta: RequestMeta = {},
): Promise<Visit> {
  const ability = new Ability(actor);
  ability.authorize('create', 'Visit');
  const old = await readableVisit(ctx.db, ability, id);
  if (!ability.can('create', 'Visit', old.areaPath)) throw new AppError('forbidden');
  try {
    return await ctx.db.transaction(async (tx) => {
      const [later] = await tx.select({ id: visits.id }).from(visits).where(eq(visits.correctsId, id));
      if (later) throw new AppError('visit.corrected');
      const content = await checkContent(tx, old.householdId, input);
      const newId = await writeVisit(
        tx,
        actor,
        meta,
        { id: old.householdId, areaCode: old.areaCode, areaPath: old.areaPath },
        content,
        id,
      );
      return visitView(tx, newId);
    });
  } catch (err) {
    if (pgErrorCode(err) === '23505') throw new AppError('visit.corrected');
    throw err;
  }
}

/** One visit the actor may read. */
export async function getVisit(ctx: AppContext, actor: Actor, id: string): Promise<Visit> {
  const ability = new Ability(actor);
  ability.authorize('read', 'Visit');
  const row = await readableVisit(ctx.db, ability, id);
  return (await toVisits(ctx.db, [row]))[0]!;
}

/** Visits in scope: of a household, an area, a period; newest first (corrected ones included, marked). */
export async function listVisits(
  ctx: AppContext,
  actor: Actor,
  query: VisitListQuery,
): Promise<{ items: Visit[]; total: number }> {
  const ability = new Ability(actor);
  ability.authorize('read', 'Visit');
  const conds: SQL[] = [scopeWhere(ability, 'read', 'Visit', visits.areaPath)];
  if (query.householdId) conds.push(eq(visits.householdId, query.householdId));
  if (query.areaCode) {
    const area = await areaByCode(ctx.db, query.areaCode);
    if (!area) throw invalidField('querystring.areaCode', 'exists');
    conds.push(sql`${visits.areaPath} like ${area.path + '%'}`);
  }
  if (query.from) conds.push(sql`${visits.visitedOn} >= ${query.from}`);
  if (query.to) conds.push(sql`${visits.visitedOn} <= ${query.to}`);
  const where = and(...conds);
  const rows = await ctx.db
    .select()
    .from(visits)
    .where(where)
    .orderBy(desc(visits.visitedOn), desc(visits.createdAt), asc(visits.id))
    .limit(query.limit ?? 100)
    .offset(query.offset ?? 0);
  const [count] = await ctx.db
    .select({ n: sql<number>`count(*)::int` })
    .from(visits)
    .where(where);
  return { items: await toVisits(ctx.db, rows), total: count?.n ?? 0 };
}

/**
 * Turns a need found in a visit into a case (诉求) in one step: a patrol intake by the grid worker at the
 * household's grid, linked to the need. One need, one case: the need's row is locked first, and the intake (the cases
 * module's own: its checks, routing, numbering and audit) runs in the same transaction as the link and its audit
 * entry. A second request for the same need waits for the first and is then refused (409 visit.need_has_case);
 * no case of its own is left behind.
 */
export async function needToCase(
  ctx: AppContext,
  actor: Actor,
  visitId: string,
  n: number,
  input: NeedCaseBody,
  meta: RequestMeta = {},
): Promise<{ visit: Visit; caseId: string; caseNumber: string }> {
  const ability = new Ability(actor);
  ability.authorize('create', 'Visit');
  const row = await readableVisit(ctx.db, ability, visitId);
  if (!ability.can('create', 'Visit', row.areaPath)) throw new AppError('forbidden');
  return ctx.db.transaction(async (tx) => {
    const [need] = await tx
      .select()
      .from(visitNeeds)
      .where(and(eq(visitNeeds.visitId, visitId), eq(visitNeeds.n, n)))
      .for('update');
    if (!need) throw new AppError('visit.need_unknown', [{ field: 'params.n', rule: 'exists' }]);
    if (need.caseId) throw new AppError('visit.need_has_case');
    const [later] = await tx.select({ id: visits.id }).from(visits).where(eq(visits.correctsId, visitId));
    if (later) throw new AppError('visit.corrected');
    const [h] = await tx
      .select({ areaCode: households.areaCode, dwellingId: households.dwellingId, number: households.number })
      .from(households)
      .where(eq(households.id, row.householdId));
    const label = h?.dwellingId ? (await dwellingLabels(tx, [h.dwellingId])).get(h.dwellingId) : undefined;
    const title = input.title?.trim() || [...need.text].slice(0, 30).join('');
    // The case number's reservation relaxes synchronous_commit for its transaction, which is this one here: the
    // setting in force is put back before the commit, so that the case and the link are flushed when acknowledged.
    const [durability] = await queryRows<{ value: string }>(
      tx,
      sql`select current_setting('synchronous_commit') as value`,
    );
    const created = await intake(
      // The intake's statements run in this transaction (a Db and a transaction share the query interface).
      { ...ctx, db: tx as unknown as AppContext['db'] },
      actor,
      {
        channel: 'patrol',
        categoryId: input.categoryId,
        title,
        description: `${need.text}\n（${row.visitedOn} 入户走访 ${h?.number ?? ''} 户时发现）`,
        areaCode: h?.areaCode ?? row.areaCode,
        ...(label ? { address: label.slice(0, 200) } : {}),
        ...(input.urgency ? { urgency: input.urgency } : {}),
      },
      meta,
    );
    await tx.execute(sql`select set_config('synchronous_commit', ${durability!.value}, true)`);
    await tx
      .update(visitNeeds)
      .set({ caseId: created.id })
      .where(and(eq(visitNeeds.visitId, visitId), eq(visitNeeds.n, n)));
    await appendAudit(tx, {
      ...auditActor(actor, meta),
      action: 'visit.need_case',
      targetType: 'visit',
      targetId: visitId,
      areaPath: row.areaPath,
      outcome: 'success',
      details: { n, caseId: created.id, caseNumber: created.number },
    });
    return { visit: await visitView(tx, visitId), caseId: created.id, caseNumber: created.number };
  });
}

// ---------------------------------------------------------------------------------------------------------
// Coverage (民情台账)
// ---------------------------------------------------------------------------------------------------------

async function coverageArea(ctx: AppContext, ability: Ability, q: CoverageQuery): Promise<AreaRow> {
  ability.authorize('read', 'VisitLedger');
  if (q.from > q.to) throw invalidField('querystring.to', 'dateOrder', q.from);
  const area = await requireArea(ctx.db, q.areaCode, 'querystring.areaCode', ['street', 'community', 'grid']);
  authorizeAt(ability, 'read', 'VisitLedger', area.path, 'querystring.areaCode');
  return area;
}

/** Visits that count: in the area and period, not replaced by a correction. */
function countedVisits(path: string, from: string, to: string): SQL {
  // Read from the covering index of migration 0023 alone; the corrections of the area's visits (few) are hashed once
  // instead of being looked up per visit.
  return sql`select v.id, v.household_id, v.area_code, v.visitor_id from ${visits} v
    where v.area_path like ${path + '%'} and v.visited_on between ${from}::date and ${to}::date
      and v.id not in (select c.corrects_id from ${visits} c
                       where c.corrects_id is not null and c.area_path like ${path + '%'})`;
}

/**
 * The ledger of an area over a period: per grid and per grid worker, households (with members now), those visited
 * at least once, coverage and visit counts.
 */
export async function coverage(ctx: AppContext, actor: Actor, q: CoverageQuery): Promise<Coverage> {
  const ability = new Ability(actor);
  const area = await coverageArea(ctx, ability, q);
  const p = area.path + '%';
  // Households with a member now per area are kept counts (migration 0022), read with the area's grids and their names
  // in one query. Visits are read once: per area and per area and visitor, the visits and the distinct households
  // visited, leaving out households without a member now (a few, from their partial index). A visit counts for the area
  // it was recorded in. The three reads go out together.
  type AreaCount = { area_code: string; area_path: string; name: string; level: string; households: number };
  const [areaRows, visitRows, workers] = await Promise.all([
    queryRows<AreaCount>(
      ctx.db,
      sql`select a.code as area_code, a.path as area_path, a.name, a.level, coalesce(c.households, 0)::int as households
        from ${areas} a left join ${areaHouseholdCounts} c on c.area_code = a.code
        where a.path like ${p} and (a.level = 'grid' or c.households > 0)`,
    ),
    queryRows<{
      area_code: string;
      visitor_id: string | null;
      by_area: number;
      visits: number;
      visited: number;
    }>(
      ctx.db,
      sql`with v as (${countedVisits(area.path, q.from, q.to)}),
        gone as (select h.id from ${households} h where h.area_path like ${p} and h.member_count = 0)
        select v.area_code, v.visitor_id, grouping(v.visitor_id) as by_area, count(*)::int as visits,
          count(distinct v.household_id) filter (where g.id is null)::int as visited
        from v left join gone g on g.id = v.household_id
        group by grouping sets ((v.area_code), (v.area_code, v.visitor_id))`,
    ),
    // Grid workers assigned within the area or to one holding it (its path or a prefix of it: the index is used).
    queryRows<{
      account_id: string;
      name: string;
      codes: string;
      paths: string;
    }>(
      ctx.db,
      // Codes and paths (digits only) joined by commas: the driver's array parser cost more than the ledger's own work.
      sql`select a.account_id, acc.display_name as name, string_agg(distinct a.area_code, ',') as codes,
          string_agg(distinct a.area_path, ',') as paths
        from assignments a join accounts acc on acc.id = a.account_id
        where a.role = 'grid_worker' and a.revoked_at is null and not acc.disabled
          and (a.area_path like ${p} or a.area_path in (${sql.join(
            [...area.path].map((_, i) => sql`${area.path.slice(0, i + 1)}`),
            sql`, `,
          )}))
        group by a.account_id, acc.display_name
        order by acc.display_name, a.account_id`,
    ),
  ]);
  const perArea = areaRows.filter((r) => r.households > 0);
  const visitedIn = new Map<string, number>();
  for (const r of visitRows) if (Number(r.by_area) === 1) visitedIn.set(r.area_code, r.visited);
  const codes = [...new Set([...areaRows.map((r) => r.area_code), ...visitedIn.keys()])].sort();
  // Visits recorded in an area without households now and not a grid (a community's own, say) need their names.
  const names = new Map(areaRows.map((r) => [r.area_code, { name: r.name, level: r.level }]));
  for (const [code, n] of await areaNames(
    ctx.db,
    codes.filter((c) => !names.has(c)),
  ))
    names.set(code, n);
  const byArea = new Map(perArea.map((r) => [r.area_code, r]));
  const visitCount = new Map<string, number>();
  const visitsBy = new Map<string, number>();
  for (const r of visitRows) {
    if (Number(r.by_area) !== 0) continue;
    visitCount.set(r.area_code, (visitCount.get(r.area_code) ?? 0) + r.visits);
    if (r.visitor_id) visitsBy.set(r.visitor_id, (visitsBy.get(r.visitor_id) ?? 0) + r.visits);
  }
  const gridRows = codes.map((code) => {
    const households = byArea.get(code)?.households ?? 0;
    // A household visited here and moved to another area since is not among this area's households now.
    const visited = Math.min(visitedIn.get(code) ?? 0, households);
    return {
      areaCode: code,
      areaName: names.get(code)?.name ?? null,
      areaLevel: names.get(code)?.level ?? 'unknown',
      households,
      visitedHouseholds: visited,
      coveragePercent: percent(visited, households),
      visits: visitCount.get(code) ?? 0,
    };
  });

  // The households per worker are summed from the per-area counts above (a few hundred rows), and the visited ones come
  // from the worker's own counted visits, so no query pairs every worker with every household.
  const list = (v: string) => v.split(',').filter(Boolean);
  const within = (path: string, roots: string[]) => roots.some((r) => path.startsWith(r));
  const pathOf = (code: string) => byArea.get(code)?.area_path ?? areaPath(code);
  const visitedBy = new Map<string, typeof visitRows>();
  for (const r of visitRows) {
    if (Number(r.by_area) !== 0 || !r.visitor_id) continue;
    const mine = visitedBy.get(r.visitor_id);
    if (mine) mine.push(r);
    else visitedBy.set(r.visitor_id, [r]);
  }
  const byPath = new Map(perArea.map((r) => [r.area_path, r.households]));
  // Households under a root: the root's own row when it is a grid (no areas below it), else the rows under it.
  const householdsUnder = (root: string) =>
    root.length >= 15
      ? (byPath.get(root) ?? 0)
      : perArea.filter((r) => r.area_path.startsWith(root)).reduce((n, r) => n + r.households, 0);
  const totalHouseholds = gridRows.reduce((s, r) => s + r.households, 0);
  const totalVisited = gridRows.reduce((s, r) => s + r.visitedHouseholds, 0);
  return {
    areaCode: area.code,
    areaName: area.name,
    from: q.from,
    to: q.to,
    total: {
      households: totalHouseholds,
      visitedHouseholds: totalVisited,
      coveragePercent: percent(totalVisited, totalHouseholds),
      visits: gridRows.reduce((s, r) => s + r.visits, 0),
    },
    grids: gridRows,
    workers: workers.map((w) => {
      const roots = list(w.paths);
      // A street has hundreds of workers and areas: each worker's rows are looked up, not filtered from all of them.
      const households = roots.reduce((n, root) => n + householdsUnder(root), 0);
      const visited = (visitedBy.get(w.account_id) ?? [])
        .filter((r) => within(pathOf(r.area_code), roots))
        .reduce((n, r) => n + r.visited, 0);
      return {
        accountId: w.account_id,
        name: w.name,
        areaCodes: list(w.codes),
        households,
        visitedHouseholds: visited,
        coveragePercent: percent(visited, households),
        visits: visitsBy.get(w.account_id) ?? 0,
      };
    }),
  };
}

/** The households of an area never visited in a period (paged), with their last visit before it. */
export async function neverVisited(
  ctx: AppContext,
  actor: Actor,
  q: NeverQuery,
): Promise<{
  items: {
    householdId: string;
    householdNumber: string;
    areaCode: string;
    areaName: string | null;
    headName: string | null;
    dwellingLabel: string | null;
    lastVisitedOn: string | null;
  }[];
  total: number;
}> {
  const ability = new Ability(actor);
  const area = await coverageArea(ctx, ability, q);
  const [row] = await queryRows<{ total: number; items: unknown }>(
    ctx.db,
    sql`with v as (${countedVisits(area.path, q.from, q.to)}),
      n as (
        select h.id, h.number, h.area_code, h.dwelling_id, h.head_resident_id from ${households} h
        where h.area_path like ${area.path + '%'}
          and h.member_count > 0
          and not exists (select 1 from v where v.household_id = h.id)
      )
      select (select count(*)::int from n) as total,
        (select coalesce(json_agg(p), '[]'::json) from (
          select n.id, n.number, n.area_code, n.dwelling_id, r.name as head_name,
            (select max(x.visited_on)::text from ${visits} x
              where x.household_id = n.id and x.visited_on < ${q.from}::date) as last_on
          from n left join ${residents} r on r.id = n.head_resident_id
          order by n.area_code, n.number, n.id
          limit ${q.limit ?? 100} offset ${q.offset ?? 0}
        ) p) as items`,
  );
  const rows = jsonRows<{
    id: string;
    number: string;
    area_code: string;
    dwelling_id: string | null;
    head_name: string | null;
    last_on: string | null;
  }>(row?.items);
  const names = await areaNames(
    ctx.db,
    rows.map((r) => r.area_code),
  );
  const labels = await dwellingLabels(
    ctx.db,
    rows.flatMap((r) => (r.dwelling_id ? [r.dwelling_id] : [])),
  );
  return {
    total: row?.total ?? 0,
    items: rows.map((r) => ({
      householdId: r.id,
      householdNumber: r.number,
      areaCode: r.area_code,
      areaName: names.get(r.area_code)?.name ?? null,
      headName: r.head_name,
      dwellingLabel: r.dwelling_id ? (labels.get(r.dwelling_id) ?? null) : null,
      lastVisitedOn: r.last_on,
    })),
  };
}
