/**
 * Case lists: the actor's cases in scope with filters, paging and counts by status, and the work list (mine).
 *
 * At a million cases a list is read in arms: the scope (and the work list) is split into disjoint or deduplicated
 * parts (an area subtree, a department, the actor's own reports …), each one simple enough to find its newest rows in
 * one index without reading the table (cases_area_list_idx, cases_holder_waiting_idx, cases_department_list_idx);
 * the page is the newest of the arms' newest, and only its 50 rows are read and joined. The status tabs come from the
 * kept counts (counts.ts) wherever the list is a union of kept keys, else from counting the arms' index entries.
 */
import { and, eq, getTableColumns, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import { AREA_PATH_LENGTHS, parseAreaCode } from '../../../common/area-code';
import type { CaseListQuery } from '../../../common/schemas/cases';
import type { AppContext } from '../../context';
import { compileQuery, runCompiled, type CompiledStatement, type Tx } from '../../db/client';
import { constantArray, inConstants, startsWith } from '../../db/fragments';
import { AppError } from '../../http/errors';
import { pathWithin, type Ability, type Actor } from '../../policy/ability';
import { caseReach, caseScopeWhere } from '../../policy/scope';
import {
  areasUnder,
  BY_AREA_MIN_PATH,
  departmentHolderKey,
  heldCountParts,
  holderKeyPrefixes,
  locatedCountParts,
  countsOf,
  overdueCountParts,
  sumCountsStatement,
  supervisionCountParts,
  underCountParts,
  type CountParts,
  type CountRow,
} from './counts';
import { LATE_STATUSES, OPEN_STATUSES, type CaseStatus } from './machine';
import { nameWants, namesOf, type NameBook, type Names, type NameWants } from './names';
import { SUMMARY_COLUMNS, toSummary, type Joined, type SummaryRow } from './service';
import { cases } from './tables';

/** Statuses in which a case waits for its holder; cases_holder_waiting_idx is partial on exactly these. */
const WAITING: CaseStatus[] = ['reported', 'accepted', 'dispatched', 'handling', 'suspended'];
const LEVELS = ['community', 'street', 'district'] as const;

/** One part of the work list (cases waiting for this actor's action: an approximation of the guards in SQL). */
export type MineArm =
  | { kind: 'holder'; path: string; districtOnly: boolean; statuses: CaseStatus[] }
  | { kind: 'area'; path: string; statuses: CaseStatus[] }
  | { kind: 'department'; id: string; statuses: CaseStatus[] }
  | { kind: 'reported'; statuses: CaseStatus[] };

function mineArms(actor: Actor): MineArm[] {
  const arms: MineArm[] = [];
  for (const a of actor.assignments) {
    if (a.role === 'community_worker' || a.role === 'street_staff') {
      arms.push({ kind: 'holder', path: a.areaPath, districtOnly: false, statuses: WAITING });
      arms.push({ kind: 'area', path: a.areaPath, statuses: ['handled', 'verified'] });
    } else if (a.role === 'grid_worker') {
      arms.push({ kind: 'area', path: a.areaPath, statuses: ['handled'] });
    } else if (a.role === 'dept_handler' && a.departmentId) {
      arms.push({ kind: 'department', id: a.departmentId, statuses: WAITING });
    } else if (a.role === 'leader') {
      arms.push({ kind: 'holder', path: a.areaPath, districtOnly: true, statuses: WAITING });
    }
  }
  arms.push({ kind: 'reported', statuses: ['closed'] });
  // The same part twice (two assignments alike) is one part.
  const seen = new Set<string>();
  return arms.filter((m) => {
    const key = JSON.stringify(m);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// Statuses as literals and prefixes as ranges: every list runs as a named statement (queryNamed), and a plan made once
// must still see which partial index a part fits and which index range it reads.
const statusIn = (statuses: readonly string[]) => inConstants(cases.status, statuses);
const under = (col: typeof cases.areaPath | typeof cases.holderPath, path: string) => startsWith(col, path);

/** The length of a street's path. */
const STREET_PATH_LENGTH = AREA_PATH_LENGTHS[3];

/**
 * The cases located in a street, as the street's indexes (cases_street_list_idx, cases_street_verify_idx, migration
 * 0032) are keyed: one range of them holds the street's cases newest first, where an area range orders them by area.
 */
const inStreet = (path: string) =>
  sql`left(${cases.areaPath}, ${sql.raw(String(STREET_PATH_LENGTH))}) = ${path}`;

/** Cases located under `path`: a street's in the street's own index, any other area's as a range of paths. */
const locatedUnder = (path: string) =>
  path.length === STREET_PATH_LENGTH ? inStreet(path) : under(cases.areaPath, path);

/**
 * A work-list part as SQL, within the actor's scope: a part lying inside one scope subtree (or department) needs only
 * that subtree's condition, which its index holds; any other part is ANDed with the whole scope.
 */
function mineArmWhere(m: MineArm, actor: Actor, reach: ReturnType<typeof caseReach>, scope: SQL): SQL {
  const within = (p: string) => reach.paths.find((q) => pathWithin(p, q));
  switch (m.kind) {
    case 'holder': {
      const q = within(m.path);
      // A case held without a department lies under its holder (routing and escalation hold it on its own area chain);
      // the area condition repeats it so the list never leaves the scope, from the same index.
      return and(
        isNull(cases.leadDepartmentId),
        singleHolder(m) ? eq(cases.holderPath, m.path) : under(cases.holderPath, m.path),
        statusIn(m.statuses),
        m.districtOnly ? eq(cases.level, 'district') : undefined,
        q ? under(cases.areaPath, q) : scope,
      )!;
    }
    case 'area': {
      const q = within(m.path);
      return and(locatedUnder(m.path), statusIn(m.statuses), q ? undefined : scope)!;
    }
    case 'department':
      return and(
        eq(cases.leadDepartmentId, m.id),
        statusIn(m.statuses),
        reach.departmentIds.includes(m.id) ? undefined : scope,
      )!;
    case 'reported':
      return and(eq(cases.reporterAccountId, actor.accountId), statusIn(m.statuses))!;
  }
}

/**
 * Only community, street and district paths hold cases: under a community (or, for district-level cases, under a
 * district) the holder is that area itself, and equality lets the index give the newest first.
 */
function singleHolder(m: Extract<MineArm, { kind: 'holder' }>): boolean {
  return m.path.length === 12 || (m.districtOnly && m.path.length === 6);
}

/** Whether two work-list parts can hold the same case (then the kept counts cannot simply be added). */
function overlap(a: MineArm, b: MineArm): boolean {
  if (!a.statuses.some((s) => b.statuses.includes(s))) return false;
  const nested = (p: string, q: string) => pathWithin(p, q) || pathWithin(q, p);
  if (a.kind === 'department' && b.kind === 'department') return a.id === b.id;
  if ((a.kind === 'department' && b.kind === 'holder') || (a.kind === 'holder' && b.kind === 'department'))
    return false;
  if (a.kind === 'holder' && b.kind === 'holder') return nested(a.path, b.path);
  if (a.kind === 'area' && b.kind === 'area') return nested(a.path, b.path);
  return true;
}

/** Whether no two work-list parts can hold the same case (then the kept counts of the parts add up). */
function disjointParts(arms: MineArm[]): boolean {
  for (let i = 0; i < arms.length; i++)
    for (let j = i + 1; j < arms.length; j++) if (overlap(arms[i]!, arms[j]!)) return false;
  return true;
}

/** The count parts of the work list from the kept counts; its parts must not overlap (disjointParts). */
function mineCountParts(arms: MineArm[], actor: Actor): CountParts[] {
  return arms.flatMap((m): CountParts[] => {
    switch (m.kind) {
      case 'holder':
        return heldCountParts(
          [],
          holderKeyPrefixes(m.path, m.districtOnly ? ['district'] : LEVELS),
          m.statuses,
        );
      case 'department':
        return heldCountParts([departmentHolderKey(m.id)], [], m.statuses);
      case 'area':
        return locatedCountParts([m.path], m.statuses);
      case 'reported':
        return [
          sql`select status, 1 as n from cases where reporter_account_id = ${actor.accountId} and ${statusIn(m.statuses)}`,
        ];
    }
  });
}

/**
 * The scope (caseScopeWhere) as disjoint parts: each area subtree (disjoint already), then the departments' cases and
 * the actor's own reports outside what the parts before them hold. With `byStreet`, a street's part is read from the
 * street's index (for a page of the plain list; counting a filter reads the area ranges, whose index holds the
 * filtered columns).
 */
function scopeArms(ability: Ability, actor: Actor, byStreet: boolean): SQL[] {
  const { paths, departmentIds } = caseReach(ability, actor);
  const arms: SQL[] = paths.map((p) => (byStreet ? locatedUnder(p) : under(cases.areaPath, p)));
  const more: SQL[] = [];
  if (departmentIds.length > 0) {
    more.push(inArray(cases.leadDepartmentId, departmentIds));
    for (const d of departmentIds) more.push(sql`${cases.coDepartmentIds} @> ${JSON.stringify([d])}::jsonb`);
  }
  more.push(eq(cases.reporterAccountId, actor.accountId));
  for (const m of more) {
    // `is not true`: a null (no lead department) is outside the earlier part, not unknown.
    arms.push(arms.length ? sql`(${m} and (${sql.join(arms, sql` or `)}) is not true)` : m);
  }
  return arms;
}

const ORDER = sql`created_at desc, id desc`;

/** Which rows of the list a page is. */
interface Paging {
  limit: number;
  offset: number;
}

/**
 * `limit n`, with the page's offset when it has one. The first page writes its count into the statement: as a
 * parameter, a plan made once guesses a tenth of the rows and costs more than one made for the values, so PostgreSQL
 * planned such a statement again on every call (0.4 ms, more than running it). Later pages, whose offsets are many,
 * keep both as parameters: one statement text serves them all.
 */
function limitRows(n: number, paging: Paging, offset: boolean): SQL {
  if (paging.offset === 0 && Number.isSafeInteger(n)) return sql.raw(`limit ${n}`);
  return offset ? sql`limit ${n} offset ${paging.offset}` : sql`limit ${n}`;
}

/** The lengths of the paths of units that hold cases (district, street, community). */
const HOLDER_PATH_LENGTHS = AREA_PATH_LENGTHS.slice(2, 5);

/** The summary's columns, each named as its field (the driver then hands back rows toSummary reads as they are). */
const PAGE_COLUMNS = sql.raw(
  SUMMARY_COLUMNS.map((k) => `c.${getTableColumns(cases)[k].name} as "${k}"`).join(', '),
);

type PageRow = SummaryRow & { photoCount: number };

/** A page row's photo count; its names come from the name book (names.ts), not from the statement. */
const PAGE_PHOTOS = sql`(select count(*)::int from case_attachments x where x.case_id = c.id) as "photoCount"`;

/** The names a page's rows need. */
function wantsOf(rows: PageRow[]): NameWants {
  const wants = nameWants();
  for (const r of rows) {
    wants.category.add(r.categoryId);
    wants.area.add(r.areaCode);
    if (r.leadDepartmentId) wants.department.add(r.leadDepartmentId);
  }
  return wants;
}

const joined = (r: PageRow, names: Names): Joined<SummaryRow> => ({
  c: r,
  categoryName: names('category', r.categoryId) ?? '',
  areaName: names('area', r.areaCode) ?? '',
  leadDepartmentName: names('department', r.leadDepartmentId),
  photoCount: r.photoCount,
});

/**
 * The rows of a page (as selectCases in service.ts, which the detail uses), only the columns a summary shows, without
 * joins: the planner then has two relations to order instead of five, which at 50 rows costs more than running the
 * query. Read without Drizzle's row mapping, which cost a tenth of a list's time.
 */
function pageStatement(ids: SQL): SQL {
  return sql`select ${PAGE_COLUMNS}, ${PAGE_PHOTOS}
        from ${cases} c where c.id in (${ids})
        order by c.created_at desc, c.id desc`;
}

/**
 * A page (pageStatement) and its counts (rows of status and n) as one statement: a row of the counts with each page
 * row, or with none when the page is empty (splitCounted takes them apart).
 */
function withCounts(page: SQL, counts: SQL): SQL {
  return sql`select k.counts, r.* from (
      select coalesce(json_object_agg(status, n) filter (where n <> 0), '{}'::json) as counts from (${counts}) x) k
    left join lateral (${page}) r on true
    order by r."createdAt" desc, r."id" desc`;
}

/**
 * A page and the counts by status in one statement, for lists whose counts come from their rows (a filter is set): the
 * arms' index entries are read once for both, where a page and a count apart read them twice.
 */
function pageCountedStatement(
  arms: SQL[],
  disjoint: boolean,
  status: string | undefined,
  paging: Paging,
): SQL {
  const each = arms.map((a) => sql`(select id, created_at, status from ${cases} where ${a})`);
  const page = pageStatement(
    sql`select id from m ${status ? sql`where status = ${status}` : sql``}
          order by ${ORDER} ${limitRows(paging.limit, paging, true)}`,
  );
  return sql`with m as materialized (${sql.join(each, disjoint ? sql` union all ` : sql` union `)})
    ${withCounts(page, sql`select status, count(*)::int as n from m group by status`)}`;
}

/** A row of withCounts: the counts, with a page row or none. */
type CountedRow = { counts: Record<string, number> } & ({ id: null } | PageRow);

/** The page and the counts of withCounts's rows. */
function splitCounted(rows: CountedRow[]): { rows: PageRow[]; counts: Record<string, number> } {
  const counts = rows[0]?.counts ?? {};
  return {
    rows: rows.filter((r): r is CountedRow & PageRow => r.id !== null),
    counts: Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, Number(v)])),
  };
}

/**
 * How an arm's page is read area by area: the cases of each area under `under` (of `lengths` when given), found by
 * `column` = the area's path, and the areas' pages merged. A street's work-list part over several holders reads a few
 * entries per holder (`newest`: the newest first from cases_holder_waiting_idx, cut at the page's end); a community's
 * overdue filter reads each area's late cases whole, as one range of cases_overdue_idx (by deadline), instead of every
 * open case of the community.
 */
interface ByArea {
  column: 'holder_path' | 'area_path';
  under: string;
  lengths?: readonly number[];
  newest: boolean;
}

/** A street's late cases, read from cases_street_overdue_idx by deadline down to a bound (lateInStreet). */
interface LateInStreet {
  lateInStreet: true;
}

/** How an arm's page is read: from its own where (null), area by area, or as a street's late cases. */
type ArmRead = ByArea | LateInStreet | null;

/**
 * The newest `n` late cases of a street (`where` holds the street, as inStreet, and the overdue filter), without
 * reading all of them: no index orders late cases by creation, since a case turns late with no write. A deadline never
 * precedes the report (cases_due_after_report_check), so a case due before an instant C was also reported before C.
 * The `n` cases due last are read first from cases_street_overdue_idx (by street and deadline), and C is the creation
 * of the n-th newest of them; every case among the newest n is then due at C or later, one range of the same index.
 * With 5,145 late cases in a street, a page read 50 + 97 entries (0.16 ms of PostgreSQL) where reading them all and
 * sorting took 3.6 ms. At worst (fewer than `n` late cases, or all due at one instant: a day's cases at its end) it
 * reads all of them, as before, and `n` more.
 */
function lateInStreet(where: SQL, paging: Paging): SQL {
  const n = paging.offset + paging.limit;
  const newest = limitRows(n, paging, false);
  // The n-th: written into the text on a first page, as limitRows writes n.
  const nth = paging.offset === 0 ? sql.raw(`offset ${n - 1}`) : sql`offset ${n - 1}`;
  // `offset 0` keeps the range read as it is: sorted by creation outright, a plan made without values walked the
  // street's newest cases in cases_street_list_idx past every recent case not yet due.
  return sql`select id, created_at from (
      select id, created_at from ${cases}
      where ${where} and ${cases.dueAt} >= coalesce((
        select created_at from (select created_at from ${cases} where ${where} order by ${cases.dueAt} desc ${newest}) t
        order by created_at desc ${nth} limit 1), '-infinity')
      offset 0) l
    order by created_at desc, id desc ${newest}`;
}

/** The newest ids of one arm down to the page's last, read area by area or as a street's late cases when given. */
function armPage(where: SQL, paging: Paging, read: ArmRead): SQL {
  const newest = limitRows(paging.offset + paging.limit, paging, false);
  if (!read) return sql`select id, created_at from ${cases} where ${where} order by ${ORDER} ${newest}`;
  if ('lateInStreet' in read) return lateInStreet(where, paging);
  const lengths = read.lengths
    ? sql` where length(path) in (${sql.join(
        read.lengths.map((l) => sql`${l}`),
        sql`, `,
      )})`
    : sql``;
  // An area's late cases are not cut to its newest: asked for them, a plan made once walked each area's cases newest
  // first through cases_area_list_idx until enough were late (4.1 ms of PostgreSQL for a street's page), where reading
  // every late case from cases_overdue_idx and sorting them takes 1.9 ms.
  const each = read.newest ? sql` order by ${ORDER} ${newest}` : sql``;
  return sql`select c.id, c.created_at
      from (${areasUnder([read.under])}${lengths}) h
      cross join lateral (select id, created_at from ${cases} where ${where} and ${sql.raw(read.column)} = h.path${each}) c
      order by c.created_at desc, c.id desc ${newest}`;
}

/** The ids of the page: the newest `offset + limit` of each arm, merged (deduplicated when the arms may overlap). */
function pageIds(arms: SQL[], reads: ArmRead[], disjoint: boolean, paging: Paging): SQL {
  const page = limitRows(paging.limit, paging, true);
  if (arms.length === 1 && !reads[0])
    return sql`select id from ${cases} where ${arms[0]} order by ${ORDER} ${page}`;
  const each = arms.map((a, i) => sql`(${armPage(a, paging, reads[i] ?? null)})`);
  return sql`select id from (${sql.join(each, disjoint ? sql` union all ` : sql` union `)}) p
              order by ${ORDER} ${page}`;
}

/**
 * The open cases matching `where`, counted by status as one aggregate: no grouping, so a plan made without the values
 * (which guesses a few dozen rows) does not sort the city's 10,000 escalated cases to group them.
 */
function countOpenByStatus(where: SQL): CountParts {
  const each = sql.join(
    OPEN_STATUSES.map((s) => sql`count(*) filter (where ${statusIn([s])})::int`),
    sql`, `,
  );
  return sql`select x.status, x.n from (select array[${each}] as ns from ${cases} where ${where}) c,
      unnest(${constantArray(OPEN_STATUSES)}, c.ns) as x(status, n)`;
}

/**
 * Whether a list's statements may run on a plan made once (queryNamed): only if no part reaches wider than a street.
 * Such a plan guesses a range of area paths at 0.5% of the cases. A street holds a few percent and a community less,
 * but a district or the city holds most of them: a plan made for a street's share, reused for the city's leader on the
 * same connection, read all 1,000,000 cases for a page (380 ms against 14 ms planned for the city). Wider lists are
 * planned on each call, where the planner sees their share.
 */
export function keepsPlans(paths: string[], mine: MineArm[] | null): boolean {
  const wide = (p: string) => p.length < BY_AREA_MIN_PATH;
  if (paths.some(wide)) return false;
  return !mine?.some((m) => (m.kind === 'area' || (m.kind === 'holder' && !singleHolder(m))) && wide(m.path));
}

/**
 * A list's statements, compiled: its page, and its counts apart (`counts`, none when there is nothing to count) or
 * with the page (`apart` false: withCounts, as pageCountedStatement or a kept-plan list's page and kept counts).
 */
interface ListStatements {
  page: CompiledStatement;
  apart: boolean;
  counts: CompiledStatement | null;
}

/** How many users' lists a server keeps compiled (a few KB each). */
const KEPT_STATEMENTS = 1000;
const keptStatements = new Map<string, ListStatements>();

/**
 * The statements of a list, kept compiled per user and query: they follow from the actor's account and assignments
 * (its ability too) and the query alone, so a user's next look at the same list skips building and compiling them (a
 * fifth of a list's server time in alternating runs), and a user whose assignments change gets new ones.
 */
function listStatements(db: Tx, ability: Ability, actor: Actor, query: CaseListQuery): ListStatements {
  const key = JSON.stringify([
    actor.accountId,
    actor.assignments.map((a) => [a.role, a.areaPath, a.departmentId]),
    query,
  ]);
  const kept = keptStatements.get(key);
  if (kept) {
    // Most recently used last, so the oldest go first.
    keptStatements.delete(key);
    keptStatements.set(key, kept);
    return kept;
  }
  const built = buildListStatements(db, ability, actor, query);
  keptStatements.set(key, built);
  if (keptStatements.size > KEPT_STATEMENTS) keptStatements.delete(keptStatements.keys().next().value!);
  return built;
}

/** The actor's cases, newest first, with filters, paging and counts by status; names from `book` where it holds them. */
export async function listCases(
  ctx: AppContext,
  ability: Ability,
  actor: Actor,
  query: CaseListQuery,
  book: NameBook | null = null,
) {
  const statements = listStatements(ctx.db, ability, actor, query);
  const { rows, counts } = statements.apart
    ? await Promise.all([
        runCompiled<PageRow>(ctx.db, statements.page),
        statements.counts
          ? runCompiled<CountRow>(ctx.db, statements.counts).then(countsOf)
          : ({} as Record<string, number>),
      ]).then(([rows, counts]) => ({ rows, counts }))
    : splitCounted(await runCompiled<CountedRow>(ctx.db, statements.page));
  const total = query.status ? (counts[query.status] ?? 0) : Object.values(counts).reduce((a, b) => a + b, 0);
  const names = await namesOf(ctx.db, book, wantsOf(rows));
  const now = new Date();
  return { items: rows.map((r) => toSummary(joined(r, names), now)), total, counts };
}

/** Builds and compiles a list's statements (listStatements keeps them). */
function buildListStatements(db: Tx, ability: Ability, actor: Actor, query: CaseListQuery): ListStatements {
  const filters: SQL[] = [];
  if (query.category) filters.push(eq(cases.categoryId, query.category));
  if (query.channel) filters.push(eq(cases.channel, query.channel));
  if (query.area) {
    const p = parseAreaCode(query.area);
    if (!p.ok)
      throw new AppError('validation.failed', [
        { field: 'querystring.area', rule: 'areaCode', limit: p.rule },
      ]);
    filters.push(under(cases.areaPath, p.path));
  }
  // Open cases that can run late (not suspended) and are past due: as cases_overdue_idx and case_due_counts keep them.
  const overdue = and(sql`${cases.dueAt} < now()`, statusIn(LATE_STATUSES))!;
  if (query.overdue !== undefined)
    filters.push(query.overdue ? overdue : sql`not coalesce(${overdue}, false)`);
  if (query.q) {
    const q = query.q.trim();
    filters.push(
      sql`(strpos(${cases.title}, ${q}) > 0 or ${cases.number} like ${q.replace(/[%_\\]/g, '') + '%'})`,
    );
  }
  // The supervisor's list: open cases the deadline job found late, or a leader supervises (督办).
  const onList = sql`(${cases.overdueEscalatedAt} is not null or ${cases.supervised})`;
  if (query.supervision) filters.push(and(statusIn(OPEN_STATUSES), onList)!);
  const paging: Paging = { limit: query.limit ?? 50, offset: query.offset ?? 0 };
  const reach = caseReach(ability, actor);

  let arms: SQL[];
  let reads: ArmRead[] = [];
  let disjoint: boolean;
  let mine: MineArm[] | null = null;
  const plain = filters.length === 0;
  const onlyOverdue = filters.length === 1 && query.overdue === true;
  const areaScope = !query.mine && reach.departmentIds.length === 0 && reach.paths.length > 0;
  if (query.mine) {
    mine = mineArms(actor);
    const scope = caseScopeWhere(ability, actor);
    arms = mine.map((m) => mineArmWhere(m, actor, reach, scope));
    reads = mine.map((m) =>
      m.kind === 'holder' && !singleHolder(m)
        ? { column: 'holder_path', under: m.path, lengths: HOLDER_PATH_LENGTHS, newest: true }
        : null,
    );
    disjoint = false;
  } else {
    // The plain list and the overdue filter of an area scope count from the kept counts, so their pages may come from
    // the street's indexes.
    arms = scopeArms(ability, actor, (plain || onlyOverdue) && areaScope);
    disjoint = true;
  }
  const filtered = arms.map((a) => and(a, ...filters)!);
  const paged = query.status ? filtered.map((a) => and(a, eq(cases.status, query.status!))!) : filtered;

  // The status tabs, not counted from the page's rows: the kept counts when the list is a union of kept keys (the plain area
  // scope, its overdue cases or its supervisor's list; the work list whose parts do not overlap), or a department's
  // supervisor's list counted from its index. Any other list counts its rows with the page (pageCountedStatement).
  const onlySupervision = filters.length === 1 && query.supervision === true;
  let countedApart: CountParts[] | null = null;
  if (plain && areaScope) countedApart = underCountParts(reach.paths, actor.accountId);
  else if (plain && mine && disjointParts(mine)) countedApart = mineCountParts(mine, actor);
  else if (onlySupervision && areaScope)
    // The supervisor's list of an area scope: its page from cases_supervision_idx, its tabs from the kept counts.
    countedApart = supervisionCountParts(reach.paths, actor.accountId, OPEN_STATUSES, onList);
  else if (onlySupervision && disjoint)
    // Another scope (a department's) reads its page and counts apart, both from cases_supervision_idx: in one pass a
    // city's 10,000 escalated cases went through a materialized table twice (7 ms of PostgreSQL against 3.3 ms).
    countedApart = filtered.map((a) => countOpenByStatus(a));
  else if (onlyOverdue && areaScope) countedApart = overdueCountParts(reach.paths, actor.accountId, overdue);
  // A street's plain list reads its page from the street's index (scopeArms), and its overdue filter from the street's
  // late cases by deadline (lateInStreet); a smaller scope's plain list and overdue filter read theirs area by area
  // (cases_area_list_idx, cases_overdue_idx): the cost then follows the page, or the late cases, not the scope's share
  // of the city's cases, and one plan serves every street.
  if (plain && areaScope)
    reads = reach.paths.map((p) =>
      p.length > STREET_PATH_LENGTH ? { column: 'area_path', under: p, newest: true } : null,
    );
  else if (onlyOverdue && areaScope)
    reads = reach.paths.map((p): ArmRead => {
      if (p.length === STREET_PATH_LENGTH) return { lateInStreet: true };
      return p.length >= BY_AREA_MIN_PATH ? { column: 'area_path', under: p, newest: false } : null;
    });
  const named = keepsPlans(reach.paths, mine);
  if (!countedApart)
    return {
      page: compileQuery(db, pageCountedStatement(filtered, disjoint, query.status, paging), named),
      apart: false,
      counts: null,
    };
  const page = pageStatement(pageIds(paged, reads, disjoint, paging));
  // With plans kept, the page and its counts go as one statement: one round trip instead of two, and the socket
  // writes and reads of a round trip were a fifth of the server's busy time. Planned on each call, they stay apart:
  // one statement for both took longer to plan than the two together.
  if (named && countedApart.length)
    return {
      page: compileQuery(db, withCounts(page, sumCountsStatement(countedApart)), true),
      apart: false,
      counts: null,
    };
  return {
    page: compileQuery(db, page, named),
    apart: true,
    counts: countedApart.length ? compileQuery(db, sumCountsStatement(countedApart), named) : null,
  };
}
