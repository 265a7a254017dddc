/**
 * Case statistics, computed from the cases alone in one set-based query per request (group by over the cases of an
 * area and a span of months; the first response and its limit are kept on the case row), and the map of open cases
 * by grid.
 *
 * Definitions (also in docs/ENGINEERING.md, "Statistics"):
 * - population: the cases reported (created) in the months asked, located in the area, except merged duplicates;
 * - respondedInTime: the event that took the case out of 'reported' (accept, decline, escalate, merge: its time is
 *   cases.responded_at) came no later than the end of the response day (cases.response_due_at, fixed at the
 *   report): the report's working day when the community held it at the report, else the next working day
 *   (street, district, a department); working days from the calendar as it stood at the report, a report on a rest
 *   day counting from the next working day;
 * - resolved: closed now (status closed or rated: its last close or close_private stands; a reopened case counts
 *   again once closed again); declined cases are not resolved;
 * - closedOnTime: resolved, and closed (cases.closed_at, written with that close event) no later than the deadline
 *   in force then (cases.due_at, which only a reopening, a change of level, a resumption or an extension moves);
 * - rated / satisfied: the latest rate event, as the case row keeps it (cases.rating; a first 不满意 reopens the
 *   case, clears the rating and sets reopen_count, so such a case counts as rated, not satisfied, until rated
 *   again); satisfied = 满意 or 基本满意;
 * - overdue: open now (not suspended) and past its deadline;
 * - avgHandlingHours: mean hours from report to close over the resolved cases.
 */
import { and, asc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { parseAreaCode } from '../../../common/area-code';
import type { Locale } from '../../../common/locale';
import type {
  GridMap,
  GridMapQuery,
  StatsMeasures,
  StatsQuery,
  StatsResult,
  StatsRow,
} from '../../../common/schemas/stats';
import type { AppContext } from '../../context';
import { queryRows } from '../../db/client';
import { AppError, invalidField } from '../../http/errors';
import type { Ability } from '../../policy/ability';
import { areas, departments } from '../areas/tables';
import { chinaDay } from '../calendar/working-days';
import { LATE_STATUSES, OPEN_STATUSES } from '../cases/machine';
import { categories } from '../categories/tables';

/** The widest span of months one request may cover. */
export const MAX_MONTHS = 60;
const CHINA_OFFSET_MS = 8 * 3600_000;

const OWN_LEVEL: Record<Locale, string> = { 'zh-CN': '（本级）', 'zh-TW': '（本級）', en: ' (own level)' };
const NO_DEPARTMENT: Record<Locale, string> = {
  'zh-CN': '属地办理（无牵头部门）',
  'zh-TW': '屬地辦理（無牽頭部門）',
  en: 'Handled by the area (no department)',
};

interface Area {
  code: string;
  name: string;
  path: string;
  level: string;
}

/** The area asked for (default: the reader's own), authorized for reading statistics; 403 outside the reader's. */
async function statsArea(ctx: AppContext, ability: Ability, code: string | undefined): Promise<Area> {
  if (!ability.can('read', 'Statistics')) throw new AppError('forbidden');
  let where: SQL;
  if (code) {
    const parsed = parseAreaCode(code);
    if (!parsed.ok)
      throw new AppError('validation.failed', [
        { field: 'querystring.area', rule: 'areaCode', limit: parsed.rule },
      ]);
    where = eq(areas.code, parsed.code);
    // Authorized on the code's own path before anything about it is looked up.
    ability.authorize('read', 'Statistics', parsed.path);
  } else {
    const own = ability.paths('read', 'Statistics')[0];
    if (!own) throw new AppError('forbidden');
    where = eq(areas.path, own);
  }
  const [area] = await ctx.db
    .select({ code: areas.code, name: areas.name, path: areas.path, level: areas.level })
    .from(areas)
    .where(where)
    .limit(1);
  if (!area) throw new AppError('area.unknown', [{ field: 'querystring.area', rule: 'exists' }]);
  ability.authorize('read', 'Statistics', area.path);
  return area;
}

/** Months from..to (inclusive) as YYYY-MM; default: the twelve months up to this one (China time). */
function monthSpan(query: Pick<StatsQuery, 'from' | 'to'>, now: Date): string[] {
  const thisMonth = chinaDay(now).slice(0, 7);
  const to = query.to ?? (query.from && query.from > thisMonth ? query.from : thisMonth);
  const from = query.from ?? addMonths(to, -11);
  if (from > to) throw invalidField('querystring.from', 'range', `≤ ${to}`);
  const months: string[] = [];
  for (let m = from; m <= to; m = addMonths(m, 1)) {
    months.push(m);
    if (months.length > MAX_MONTHS) throw invalidField('querystring.from', 'maxMonths', MAX_MONTHS);
  }
  return months;
}

function addMonths(month: string, delta: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const total = y * 12 + (m - 1) + delta;
  return `${String(Math.floor(total / 12)).padStart(4, '0')}-${String((total % 12) + 1).padStart(2, '0')}`;
}

/** The first instant of a China month. */
function monthStart(month: string): Date {
  return new Date(Date.parse(`${month}-01T00:00:00Z`) - CHINA_OFFSET_MS);
}

/** Sums of one group as the query answers them. */
interface RawGroup {
  key: string | null;
  total: number;
  responded_in_time: number;
  resolved: number;
  rated: number;
  satisfied: number;
  closed_on_time: number;
  overdue: number;
  handling_hours: number;
}

const ZERO: Omit<RawGroup, 'key'> = {
  total: 0,
  responded_in_time: 0,
  resolved: 0,
  rated: 0,
  satisfied: 0,
  closed_on_time: 0,
  overdue: 0,
  handling_hours: 0,
};

function add(a: Omit<RawGroup, 'key'>, b: Omit<RawGroup, 'key'>): Omit<RawGroup, 'key'> {
  return {
    total: a.total + b.total,
    responded_in_time: a.responded_in_time + b.responded_in_time,
    resolved: a.resolved + b.resolved,
    rated: a.rated + b.rated,
    satisfied: a.satisfied + b.satisfied,
    closed_on_time: a.closed_on_time + b.closed_on_time,
    overdue: a.overdue + b.overdue,
    handling_hours: a.handling_hours + b.handling_hours,
  };
}

const rate = (n: number, d: number) => (d > 0 ? Math.round((n / d) * 10_000) / 10_000 : null);

function measures(g: Omit<RawGroup, 'key'>): StatsMeasures {
  return {
    total: g.total,
    respondedInTime: g.responded_in_time,
    responseRate: rate(g.responded_in_time, g.total),
    resolved: g.resolved,
    resolutionRate: rate(g.resolved, g.total),
    rated: g.rated,
    satisfied: g.satisfied,
    satisfactionRate: rate(g.satisfied, g.rated),
    closedOnTime: g.closed_on_time,
    onTimeRate: rate(g.closed_on_time, g.resolved),
    overdue: g.overdue,
    avgHandlingHours: g.resolved > 0 ? Math.round((g.handling_hours / g.resolved) * 10) / 10 : null,
  };
}

const OPEN = OPEN_STATUSES as string[];
/** The China date of a case's report, in SQL (independent of the session's time zone). */
const CHINA_DATE = sql.raw(`((c.created_at at time zone 'UTC') + interval '8 hours')::date`);

/**
 * The grouped sums for the cases of an area reported in [start, end), grouped by an expression over `c` (the
 * population) — one statement over the cases alone: what the measures need from the events is kept on the case
 * row (responded_at, response_due_at).
 */
async function groupedSums(
  ctx: AppContext,
  area: Area,
  start: Date,
  end: Date,
  key: SQL,
  now: Date,
): Promise<RawGroup[]> {
  const query = groupedSumsQuery(area.path, start, end, key, now);
  const rows = await ctx.db.transaction(async (tx) => {
    // One large read: no JIT compilation, which costs more than it saves on a query that runs once.
    await tx.execute(sql`set local jit = off`);
    return queryRows<RawGroup>(tx, query);
  });
  return rows.map((r) => ({
    key: r.key === null ? null : String(r.key),
    total: Number(r.total),
    responded_in_time: Number(r.responded_in_time),
    resolved: Number(r.resolved),
    rated: Number(r.rated),
    satisfied: Number(r.satisfied),
    closed_on_time: Number(r.closed_on_time),
    overdue: Number(r.overdue),
    handling_hours: Number(r.handling_hours),
  }));
}

/** The statement of groupedSums (exported for stats-load.ts, which explains it). */
export function groupedSumsQuery(path: string, start: Date, end: Date, key: SQL, now: Date): SQL {
  const running = sql.join(
    LATE_STATUSES.map((s) => sql`${s}`),
    sql`, `,
  );
  // responded_at: the event that took the case out of 'reported' (set with it); response_due_at: the end of the
  // response day, from the calendar at the report (cases/service.ts intake).
  return sql`
    select ${key} as key,
      count(*)::int as total,
      (count(*) filter (where c.responded_at <= c.response_due_at))::int as responded_in_time,
      (count(*) filter (where c.status in ('closed', 'rated')))::int as resolved,
      (count(*) filter (where c.rating is not null or c.reopen_count > 0))::int as rated,
      (count(*) filter (where c.rating in ('satisfied', 'basically')))::int as satisfied,
      (count(*) filter (
        where c.status in ('closed', 'rated') and (c.due_at is null or c.closed_at <= c.due_at)
      ))::int as closed_on_time,
      (count(*) filter (
        where c.status in (${running}) and c.due_at < ${now.toISOString()}::timestamptz
      ))::int as overdue,
      coalesce(sum(extract(epoch from (c.closed_at - c.created_at)) / 3600.0)
        filter (where c.status in ('closed', 'rated')), 0)::float8 as handling_hours
    from cases c
    where c.area_path like ${path + '%'}
      and c.created_at >= ${start.toISOString()}::timestamptz
      and c.created_at < ${end.toISOString()}::timestamptz
      and c.status <> 'merged'
    group by 1`;
}

/** The statistics of an area's cases, grouped by child area, department, top-level category or month. */
export async function caseStats(
  ctx: AppContext,
  ability: Ability,
  query: StatsQuery,
  locale: Locale,
): Promise<StatsResult> {
  const area = await statsArea(ctx, ability, query.area);
  const now = new Date();
  const months = monthSpan(query, now);
  const start = monthStart(months[0]!);
  const end = monthStart(addMonths(months.at(-1)!, 1));
  const rows: StatsRow[] = [];
  let grouped: RawGroup[];

  switch (query.by) {
    case 'area': {
      const children = await ctx.db
        .select({ code: areas.code, name: areas.name, path: areas.path })
        .from(areas)
        .where(eq(areas.parentCode, area.code))
        .orderBy(asc(areas.code));
      // Children of one parent share their depth; a case located at the area itself keeps its own path.
      const len = children[0]?.path.length ?? area.path.length;
      grouped = await groupedSums(ctx, area, start, end, sql`left(c.area_path, ${len})`, now);
      const byKey = new Map(grouped.map((g) => [g.key, g]));
      for (const child of children) rows.push(row(child.code, child.name, byKey.get(child.path)));
      const own = grouped.filter((g) => !children.some((ch) => ch.path === g.key));
      if (own.length) rows.push(row(area.code, area.name + OWN_LEVEL[locale], own.reduce(add, ZERO)));
      break;
    }
    case 'department': {
      grouped = await groupedSums(ctx, area, start, end, sql`c.lead_department_id::text`, now);
      const ids = grouped.map((g) => g.key).filter((k): k is string => k !== null);
      const names = ids.length
        ? await ctx.db
            .select({ id: departments.id, name: departments.name })
            .from(departments)
            .where(inArray(departments.id, ids))
        : [];
      const nameOf = new Map(names.map((d) => [d.id, d.name]));
      for (const g of grouped)
        rows.push(
          g.key === null ? row('none', NO_DEPARTMENT[locale], g) : row(g.key, nameOf.get(g.key) ?? g.key, g),
        );
      rows.sort((a, b) => b.total - a.total || a.label.localeCompare(b.label));
      break;
    }
    case 'category': {
      grouped = await groupedSums(ctx, area, start, end, sql`c.category_id::text`, now);
      const all = await ctx.db
        .select({
          id: categories.id,
          parentId: categories.parentId,
          code: categories.code,
          name: categories.name,
          nameEn: categories.nameEn,
          sort: categories.sort,
        })
        .from(categories);
      const byId = new Map(all.map((c) => [c.id, c]));
      const topOf = (id: string) => {
        let c = byId.get(id);
        for (let i = 0; c?.parentId && i < 10; i++) c = byId.get(c.parentId) ?? c;
        return c;
      };
      const sums = new Map<
        string,
        { top: NonNullable<ReturnType<typeof topOf>>; g: Omit<RawGroup, 'key'> }
      >();
      for (const g of grouped) {
        const top = g.key ? topOf(g.key) : undefined;
        if (!top) continue;
        const prev = sums.get(top.id);
        sums.set(top.id, { top, g: prev ? add(prev.g, g) : g });
      }
      for (const { top, g } of [...sums.values()].sort(
        (a, b) => a.top.sort - b.top.sort || a.top.code.localeCompare(b.top.code),
      ))
        rows.push(row(top.code, locale === 'en' && top.nameEn ? top.nameEn : top.name, g));
      break;
    }
    case 'month': {
      grouped = await groupedSums(ctx, area, start, end, sql`to_char(${CHINA_DATE}, 'YYYY-MM')`, now);
      const byKey = new Map(grouped.map((g) => [g.key, g]));
      for (const m of months) rows.push(row(m, m, byKey.get(m)));
      break;
    }
  }
  return {
    by: query.by,
    area: area.code,
    from: months[0]!,
    to: months.at(-1)!,
    rows,
    totals: measures(grouped.reduce(add, ZERO)),
  };
}

function row(key: string, label: string, g: Omit<RawGroup, 'key'> | undefined): StatsRow {
  return { key, label, ...measures(g ?? ZERO) };
}

// ---- the map of open cases by grid ----------------------------------------------------------------------

const parentArea = alias(areas, 'parent_area');

/** Open and overdue cases per grid under a street or community (default: the reader's own area). */
export async function gridMap(ctx: AppContext, ability: Ability, query: GridMapQuery): Promise<GridMap> {
  const area = await statsArea(ctx, ability, query.area);
  if (area.level !== 'street' && area.level !== 'community')
    throw invalidField('querystring.area', 'level', 'street, community');
  const grids = await ctx.db
    .select({
      code: areas.code,
      name: areas.name,
      path: areas.path,
      boundary: areas.boundary,
      communityName: parentArea.name,
    })
    .from(areas)
    .innerJoin(parentArea, eq(parentArea.code, areas.parentCode))
    .where(and(eq(areas.level, 'grid'), sql`${areas.path} like ${area.path + '%'}`))
    .orderBy(asc(areas.code));
  const open = sql.join(
    OPEN.map((s) => sql`${s}`),
    sql`, `,
  );
  const running = sql.join(
    LATE_STATUSES.map((s) => sql`${s}`),
    sql`, `,
  );
  const counts = await queryRows<{ grid: string; open: number; overdue: number }>(
    ctx.db,
    sql`select left(area_path, 15) as grid, count(*)::int as open,
          (count(*) filter (where status in (${running}) and due_at < now()))::int as overdue
        from cases
        where area_path like ${area.path + '%'} and status in (${open})
        group by 1`,
  );
  const byGrid = new Map(counts.map((c) => [c.grid, c]));
  const unlocated = counts.filter((c) => c.grid.length < 15).reduce((n, c) => n + Number(c.open), 0);
  return {
    area: area.code,
    grids: grids.map((g) => ({
      code: g.code,
      name: g.name,
      communityName: g.communityName,
      boundary: g.boundary ?? null,
      open: Number(byGrid.get(g.path)?.open ?? 0),
      overdue: Number(byGrid.get(g.path)?.overdue ?? 0),
    })),
    unlocated,
  };
}
