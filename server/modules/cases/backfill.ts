/**
 * Keeps the reporter's masked name on cases written before migration 0024, which added the column: a migration cannot
 * decrypt, so the jobs loop does it in batches, and lists stop decrypting those rows one by one.
 */
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context';
import { queryRows } from '../../db/client';
import { maskEncryptedName } from './service';

/**
 * Masks the names of up to `batches` × `size` cases that have an encrypted name and no masked one; answers how many it
 * masked. Rows another server is masking are skipped; a name that no longer decrypts is masked as '*', as a list
 * would show it.
 */
export async function maskReporterNames(ctx: AppContext, size = 1000, batches = 20): Promise<number> {
  let done = 0;
  for (let b = 0; b < batches; b++) {
    const n = await ctx.db.transaction(async (tx) => {
      const rows = await queryRows<{ id: string; enc: string }>(
        tx,
        sql`select id, reporter_name_enc as enc from cases
             where reporter_name_masked is null and reporter_name_enc is not null
             limit ${size} for update skip locked`,
      );
      if (rows.length === 0) return 0;
      const masked = rows.map((r) => ({ id: r.id, masked: maskEncryptedName(ctx, r.enc) }));
      await tx.execute(
        sql`update cases set reporter_name_masked = x.masked
              from json_to_recordset(${JSON.stringify(masked)}::json) as x(id uuid, masked text)
             where cases.id = x.id`,
      );
      return rows.length;
    });
    done += n;
    if (n < size) break;
  }
  return done;
}
