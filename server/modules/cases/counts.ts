/**
 * Case counts by status for an area scope and for the work lists, read from case_status_counts / case_holder_counts +
 * case_status_deltas (kept by a trigger) so status tabs do not count thousands of rows per request; and the job that
 * folds the deltas into the counts.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { queryRows } from '../../db/client';
import { inConstants, startsWith, textArray } from '../../db/fragments';
import { AREA_PATH_LENGTHS } from '../../../common/area-code';

const COUNTS_LOCK = 7_310_004;

/** The due day of case_due_counts' rows for every day already past (migration 0026 and the fold write it). */
export const PAST_DUE_DAY = '1970-01-01';
/** Today in UTC, as the due days are kept (linli_case_due_day). */
const TODAY = sql`(now() at time zone 'UTC')::date`;
/** The area path lengths a due or supervision count is kept under (AREA_PATH_LENGTHS of common/area-code.ts). */
const DUE_PATH_LENGTHS = sql.raw(`array[${AREA_PATH_LENGTHS.join(', ')}]`);

/** Folds the deltas written so far into the counts; answers how many delta rows it folded. One folder at a time. */
export async function compactCaseCounts(db: Db): Promise<number> {
  return db.transaction(async (tx) => {
    const [got] = await queryRows<{ locked: boolean }>(
      tx,
      sql`select pg_try_advisory_xact_lock(${COUNTS_LOCK}) as locked`,
    );
    if (!got?.locked) return 0;
    const [r] = await queryRows<{ n: number }>(
      tx,
      sql`with moved as (delete from case_status_deltas returning area_path, holder_key, status, due_day, supervised, n),
               located as (select area_path, status, sum(n) as n from moved group by area_path, status),
               -- Counted under every prefix of the path, so a scope's count is one row a status.
               folded as (
                 insert into case_status_counts (area_path, status, n)
                 select left(area_path, l), status, sum(n) from located, generate_series(1, length(area_path)) l
                  group by 1, 2
                 on conflict (area_path, status) do update set n = case_status_counts.n + excluded.n
                 returning 1),
               held as (
                 insert into case_holder_counts (holder_key, status, n)
                 select holder_key, status, sum(n) from moved where holder_key is not null group by holder_key, status
                 on conflict (holder_key, status) do update set n = case_holder_counts.n + excluded.n
                 returning 1),
               -- Under every area path of the case's path; a day already past goes to the one row of past days.
               due as (
                 insert into case_due_counts (area_path, status, due_day, n)
                 select left(area_path, l), status,
                        case when due_day < ${TODAY} then ${PAST_DUE_DAY}::date else due_day end, sum(n)
                   from moved, unnest(${DUE_PATH_LENGTHS}) l
                  where due_day is not null and l <= length(area_path)
                  group by 1, 2, 3
                 on conflict (area_path, status, due_day) do update set n = case_due_counts.n + excluded.n
                 returning 1),
               -- The supervisor's list: the same area paths, for the cases on it.
               supervision as (
                 insert into case_supervision_counts (area_path, status, n)
                 select left(area_path, l), status, sum(n)
                   from moved, unnest(${DUE_PATH_LENGTHS}) l
                  where supervised and l <= length(area_path)
                  group by 1, 2
                 on conflict (area_path, status) do update set n = case_supervision_counts.n + excluded.n
                 returning 1)
          select (select count(*) from moved)::int as n`,
    );
    // Days that have passed since the last fold join the row of past days.
    await tx.execute(
      sql`with passed as (delete from case_due_counts where due_day > ${PAST_DUE_DAY} and due_day < ${TODAY}
                           returning area_path, status, n)
          insert into case_due_counts (area_path, status, due_day, n)
          select area_path, status, ${PAST_DUE_DAY}::date, sum(n) from passed group by 1, 2
          on conflict (area_path, status, due_day) do update set n = case_due_counts.n + excluded.n`,
    );
    // Rows that reached zero say nothing; dropping them keeps the tables as small as the areas and holders with cases.
    await tx.execute(sql`delete from case_status_counts where n = 0`);
    await tx.execute(sql`delete from case_holder_counts where n = 0`);
    await tx.execute(sql`delete from case_due_counts where n = 0`);
    await tx.execute(sql`delete from case_supervision_counts where n = 0`);
    return r?.n ?? 0;
  });
}

/** The rows of `statuses`, written as literals (a plan made once still sees them). */
const statusIn = (statuses: readonly string[]) => inConstants(sql`status`, statuses);

/** case_status_counts rows of exactly these paths: each row counts the cases under its path (a prefix). */
const keyIn = (paths: string[]) =>
  paths.length === 0
    ? sql`false`
    : sql`area_path in (${sql.join(
        paths.map((p) => sql`${p}`),
        sql`, `,
      )})`;

/** `col` under any of `paths` (false for none). */
const underAny = (col: SQL, paths: string[]) =>
  paths.length === 0
    ? sql`false`
    : sql.join(
        paths.map((p) => startsWith(col, p)),
        sql` or `,
      );

/** The count part of the actor's own reports (matching `where`) located outside `paths`, from their rows. */
const reportedElsewhere = (reporterAccountId: string | null, paths: string[], where: SQL = sql`true`) =>
  sql`select status, 1 as n from cases
       where ${reporterAccountId === null ? sql`false` : sql`reporter_account_id = ${reporterAccountId}`}
         and ${where} and not (${underAny(sql`area_path`, paths)})`;

/** Scopes at least this deep (a street and below) read their overdue cases area by area (list.ts, counts.ts). */
export const BY_AREA_MIN_PATH = AREA_PATH_LENGTHS[3];

/**
 * A subquery of the areas under any of `paths` (column `path`), from linli_areas_under (migration 0029): its declared
 * row count lets a statement that reads cases area by area keep the plan made without the values (queryNamed).
 */
export const areasUnder = (paths: readonly string[]) =>
  sql`select path from linli_areas_under(${textArray(paths)}::text[]) path`;

/**
 * The count parts of the cases located under any of `paths` (not overlapping), plus those the actor reported
 * elsewhere. Exact: the deltas not yet folded are added in.
 */
export function underCountParts(paths: string[], reporterAccountId: string | null): CountParts[] {
  return [
    sql`select status, n from case_status_counts where ${keyIn(paths)}`,
    sql`select status, n from case_status_deltas where ${underAny(sql`area_path`, paths)}`,
    reportedElsewhere(reporterAccountId, paths),
  ];
}

/**
 * The count parts of the overdue cases (`overdue`: open, can run late, past due) located under any of `paths` (not
 * overlapping), plus those the actor reported elsewhere. Cases due on a day already past come from the kept counts and
 * the deltas not yet folded; those due today (late or not yet, by the hour) and the actor's own from their rows.
 */
export function overdueCountParts(
  paths: string[],
  reporterAccountId: string | null,
  overdue: SQL,
): CountParts[] {
  const dueToday = sql`${overdue} and due_at >= (${TODAY})::timestamp at time zone 'UTC'`;
  // A street or smaller reads its cases due today area by area, each a short range of cases_overdue_idx; a district or
  // the city lets the planner choose.
  const deep = paths.filter((p) => p.length >= BY_AREA_MIN_PATH);
  const wide = paths.filter((p) => p.length < BY_AREA_MIN_PATH);
  return [
    sql`select status, n from case_due_counts where ${keyIn(paths)} and due_day < ${TODAY}`,
    sql`select status, n from case_status_deltas where (${underAny(sql`area_path`, paths)}) and due_day < ${TODAY}`,
    sql`select c.status, 1 as n from (${areasUnder(deep)}) h
         cross join lateral (select status from cases where ${dueToday} and area_path = h.path) c`,
    sql`select status, 1 as n from cases where ${dueToday} and (${underAny(sql`area_path`, wide)})`,
    reportedElsewhere(reporterAccountId, paths, overdue),
  ];
}

/**
 * The count parts of the cases on the supervisor's list (`onList`: escalated or supervised) among `statuses`, located
 * under any of `paths` (area paths, not overlapping), plus those the actor reported elsewhere. Exact: the deltas not
 * yet folded are added in.
 */
export function supervisionCountParts(
  paths: string[],
  reporterAccountId: string | null,
  statuses: readonly string[],
  onList: SQL,
): CountParts[] {
  return [
    sql`select status, n from case_supervision_counts where ${keyIn(paths)} and ${statusIn(statuses)}`,
    sql`select status, n from case_status_deltas
         where supervised and (${underAny(sql`area_path`, paths)}) and ${statusIn(statuses)}`,
    reportedElsewhere(reporterAccountId, paths, sql`${onList} and ${statusIn(statuses)}`),
  ];
}

/** The holder key of cases a department leads (as linli_case_holder_key in migration 0010 writes it). */
export const departmentHolderKey = (departmentId: string) => `d:${departmentId}`;

/** The prefixes of the holder keys of cases held without a department at or under `path`: at `levels`. */
export function holderKeyPrefixes(path: string, levels: readonly string[]): string[] {
  return levels.map((l) => `${l}:${path}`);
}

/** Rows (status, n) whose sums by status are counts: parts to be added up by sumCountsStatement. */
export type CountParts = SQL;

/** A row of sumCountsStatement. */
export interface CountRow {
  status: string;
  n: number;
}

/** The count parts summed by status, in one statement (at least one part; countsOf reads its rows). */
export function sumCountsStatement(parts: CountParts[]): SQL {
  return sql`select status, sum(n)::int as n from (${sql.join(parts, sql` union all `)}) x group by status`;
}

/** The counts by status of sumCountsStatement's rows; statuses that sum to zero are left out. */
export function countsOf(rows: CountRow[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) if (Number(r.n) !== 0) out[r.status] = Number(r.n);
  return out;
}

/**
 * The count parts of the cases whose holder key is one of `keys` or starts with one of `prefixes`, among `statuses`.
 * Exact (the deltas not yet folded are added in); the keys and prefixes must not overlap.
 */
export function heldCountParts(
  keys: string[],
  prefixes: string[],
  statuses: readonly string[],
): CountParts[] {
  if ((keys.length === 0 && prefixes.length === 0) || statuses.length === 0) return [];
  const match = sql.join(
    [
      ...(keys.length
        ? [
            sql`holder_key in (${sql.join(
              keys.map((k) => sql`${k}`),
              sql`, `,
            )})`,
          ]
        : []),
      ...prefixes.map((p) => startsWith(sql`holder_key`, p)),
    ],
    sql` or `,
  );
  return [
    sql`select status, n from case_holder_counts where (${match}) and ${statusIn(statuses)}`,
    sql`select status, n from case_status_deltas where (${match}) and ${statusIn(statuses)}`,
  ];
}

/**
 * The count parts of the cases located under any of `paths` (not overlapping), among `statuses`, from the kept counts
 * (no reporter part, unlike statusCountsUnder).
 */
export function locatedCountParts(paths: string[], statuses: readonly string[]): CountParts[] {
  if (paths.length === 0 || statuses.length === 0) return [];
  const match = underAny(sql`area_path`, paths);
  return [
    sql`select status, n from case_status_counts where ${keyIn(paths)} and ${statusIn(statuses)}`,
    sql`select status, n from case_status_deltas where (${match}) and ${statusIn(statuses)}`,
  ];
}
