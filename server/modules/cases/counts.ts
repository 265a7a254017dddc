/**
 * Case counts by status for an area scope, read from case_status_counts + case_status_deltas (kept by a trigger) so a
 * district leader's status tabs do not count hundreds of thousands of rows per request; and the job that folds the
 * deltas into the counts.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client';
import { queryRows } from '../../db/client';

const COUNTS_LOCK = 7_310_004;

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
      sql`with moved as (delete from case_status_deltas returning area_path, status, n),
               folded as (
                 insert into case_status_counts (area_path, status, n)
                 select area_path, status, sum(n) from moved group by area_path, status
                 on conflict (area_path, status) do update set n = case_status_counts.n + excluded.n
                 returning 1)
          select (select count(*) from moved)::int as n`,
    );
    // Rows that reached zero say nothing; dropping them keeps the table as small as the areas with cases.
    await tx.execute(sql`delete from case_status_counts where n = 0`);
    return r?.n ?? 0;
  });
}

/**
 * Counts by status of the cases located under any of `paths`, plus those the actor reported elsewhere. Exact: the
 * deltas not yet folded are added in.
 */
export async function statusCountsUnder(
  db: Db | Tx,
  paths: string[],
  reporterAccountId: string | null,
): Promise<Record<string, number>> {
  const under = (col: SQL) =>
    paths.length === 0
      ? sql`false`
      : sql.join(
          paths.map((p) => sql`${col} like ${p + '%'}`),
          sql` or `,
        );
  const rows = await queryRows<{ status: string; n: number }>(
    db,
    sql`select status, sum(n)::int as n from (
          select status, n from case_status_counts where ${under(sql`area_path`)}
          union all
          select status, n from case_status_deltas where ${under(sql`area_path`)}
          union all
          select status, 1 from cases
           where ${reporterAccountId === null ? sql`false` : sql`reporter_account_id = ${reporterAccountId}`}
             and not (${under(sql`area_path`)})
        ) x group by status`,
  );
  const out: Record<string, number> = {};
  for (const r of rows) if (Number(r.n) !== 0) out[r.status] = Number(r.n);
  return out;
}
