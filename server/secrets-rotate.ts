/**
 * Key rotation of the encryption at rest: `linli secrets status` counts the boxes of every encrypted column by
 * algorithm and key id, `linli secrets rotate` re-encrypts every box not made with the current key and cipher.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { AppContext } from './context';
import { ENCRYPTED_COLUMNS } from './crypto';
import { queryRows } from './db/client';
import { SYSTEM_ACTOR_NAME } from './modules/areas/audit-meta';
import { appendAuditStandalone } from './modules/audit/log';

/** How many boxes of one table column carry one algorithm and key id (`v1` boxes name no key: kid null). */
export interface BoxCount {
  table: string;
  column: string;
  alg: string;
  kid: string | null;
  count: number;
  /** 'current' (made as new boxes are), 'old' (a configured older key), 'v1' (legacy), 'unknown' (no such key). */
  state: 'current' | 'old' | 'v1' | 'unknown';
}

/** Counts the boxes per table, column, algorithm and key id; an old key can go when none of its boxes remain. */
export async function secretsStatus(ctx: AppContext): Promise<BoxCount[]> {
  const out: BoxCount[] = [];
  const s = ctx.secrets;
  for (const t of ENCRYPTED_COLUMNS) {
    for (const column of t.columns) {
      const c = sql.identifier(column);
      const rows = await queryRows<{ alg: string; kid: string | null; n: number }>(
        ctx.db,
        sql`select case when left(${c}, 3) = 'v2.' then split_part(${c}, '.', 2) else split_part(${c}, '.', 1) end as alg,
                   case when left(${c}, 3) = 'v2.' then split_part(${c}, '.', 3) end as kid,
                   count(*)::int as n
            from ${sql.identifier(t.table)} where ${c} is not null group by 1, 2 order by 1, 2`,
      );
      for (const r of rows) {
        const state: BoxCount['state'] =
          r.kid === null
            ? 'v1'
            : r.kid === s.currentKid && r.alg === s.currentAlg
              ? 'current'
              : r.kid === s.currentKid || s.oldKids.includes(r.kid)
                ? 'old'
                : 'unknown';
        out.push({ table: t.table, column, alg: r.alg, kid: r.kid, count: Number(r.n), state });
      }
    }
  }
  return out;
}

export interface RotateResult {
  kid: string;
  alg: string;
  /** Per table: rows rewritten and boxes re-encrypted. */
  tables: Record<string, { rows: number; boxes: number }>;
  /** Boxes no configured key opens (tampered, or their key is missing): left as they are. */
  failed: { table: string; column: string; id: string; error: string }[];
  /** Boxes still not current after the run (0 when everything is under the current key). */
  remaining: number;
}

/**
 * Re-encrypts every box not made with the current key and cipher, table by table in batches of `batch` rows,
 * each batch one transaction with its rows locked (a concurrent write waits, never gets overwritten). Only boxes
 * that need it are touched, so it is idempotent and resumes where an interrupted run stopped. Audited as one
 * 'secrets.rotate' entry with the counts.
 */
export async function rotateSecrets(
  ctx: AppContext,
  opts: { batch?: number; log?: (line: string) => void } = {},
): Promise<RotateResult> {
  const batch = Math.max(1, opts.batch ?? 1000);
  const s = ctx.secrets;
  const prefix = s.currentPrefix;
  const result: RotateResult = { kid: s.currentKid, alg: s.currentAlg, tables: {}, failed: [], remaining: 0 };
  let outcome: 'success' | 'failure' = 'failure';
  try {
    for (const t of ENCRYPTED_COLUMNS) {
      const counts = { rows: 0, boxes: 0 };
      result.tables[t.table] = counts;
      const table = sql.identifier(t.table);
      const key = sql.identifier(t.key);
      const stale = (column: string): SQL =>
        sql`(${sql.identifier(column)} is not null and left(${sql.identifier(column)}, ${prefix.length}) <> ${prefix})`;
      const anyStale = sql.join(t.columns.map(stale), sql` or `);
      const cols = sql.join(
        t.columns.map((c) => sql.identifier(c)),
        sql`, `,
      );
      const keyType = sql.raw(t.keyType);
      // Keyset pagination: rows that failed to decrypt stay behind the cursor instead of being fetched forever.
      const cursor: { last: string | null } = { last: null };
      for (;;) {
        const after: SQL = cursor.last === null ? sql`true` : sql`${key} > ${cursor.last}::${keyType}`;
        const done = await ctx.db.transaction(async (tx) => {
          const rows = await queryRows<Record<string, string | null>>(
            tx,
            sql`select ${key}::text as "__key", ${cols} from ${table}
                where ${after} and (${anyStale}) order by ${key} limit ${batch} for update`,
          );
          if (rows.length === 0) return true;
          cursor.last = rows[rows.length - 1]!.__key!;
          const updates: SQL[] = [];
          for (const row of rows) {
            const values: (string | null)[] = [];
            let ok = true;
            let changed = 0;
            for (const column of t.columns) {
              const box = row[column] ?? null;
              if (box === null || box.startsWith(prefix)) {
                values.push(box);
                continue;
              }
              try {
                values.push(s.encrypt(s.decrypt(box)));
                changed++;
              } catch (err) {
                ok = false;
                result.failed.push({ table: t.table, column, id: row.__key!, error: (err as Error).message });
              }
            }
            if (!ok) continue;
            counts.rows++;
            counts.boxes += changed;
            updates.push(
              sql`(${row.__key!}::${keyType}, ${sql.join(
                values.map((v) => sql`${v}::text`),
                sql`, `,
              )})`,
            );
          }
          if (updates.length > 0) {
            const names = sql.raw(['__key', ...t.columns].map((c) => `"${c}"`).join(', '));
            const sets = sql.join(
              t.columns.map((c) => sql`${sql.identifier(c)} = v.${sql.identifier(c)}`),
              sql`, `,
            );
            // History-keeping tables refuse updates by trigger; re-encrypting changes no value, and says so for this
            // transaction only: their triggers then let the encrypted columns alone change (migration 0019).
            await tx.execute(sql`select set_config('linli.reencrypt', 'on', true)`);
            await tx.execute(
              sql`update ${table} as t set ${sets} from (values ${sql.join(updates, sql`, `)}) as v(${names})
                  where t.${key} = v."__key"`,
            );
          }
          return rows.length < batch;
        });
        if (done) break;
      }
      opts.log?.(`${t.table}: ${counts.rows} rows, ${counts.boxes} boxes re-encrypted`);
    }
    result.remaining = (await secretsStatus(ctx))
      .filter((c) => c.state !== 'current')
      .reduce((n, c) => n + c.count, 0);
    outcome = result.failed.length === 0 && result.remaining === 0 ? 'success' : 'failure';
    return result;
  } finally {
    await appendAuditStandalone(ctx.db, {
      actorName: SYSTEM_ACTOR_NAME,
      action: 'secrets.rotate',
      targetType: 'secret_key',
      targetId: result.kid,
      outcome,
      details: {
        kid: result.kid,
        alg: result.alg,
        batch,
        tables: result.tables,
        failed: result.failed.length,
        remaining: result.remaining,
      },
    });
  }
}

/**
 * Checks that the keyed-hash key is the one the stored hashes were made with, on one stored phone or ID number
 * (decrypted and hashed again). A changed hash key would make every search by number and phone login silently
 * miss, so a mismatch is an error at start-up. Answers 'no-data' on a database without such numbers yet.
 */
export async function checkKeyedHashes(ctx: AppContext): Promise<'ok' | 'no-data'> {
  const probes: [SQL, string][] = [
    [
      sql`select phone_enc as box, phone_hash as hash from accounts where phone_enc is not null and phone_hash is not null limit 1`,
      'phone',
    ],
    [
      sql`select id_number_enc as box, id_number_hash as hash from residents where id_number_enc is not null and id_number_hash is not null limit 1`,
      'idnumber',
    ],
  ];
  for (const [query, purpose] of probes) {
    const [row] = await queryRows<{ box: string; hash: string }>(ctx.db, query);
    if (!row) continue;
    if (ctx.secrets.keyedHash(ctx.secrets.decrypt(row.box), purpose) !== row.hash) {
      throw new Error(
        'The keyed hashes in the database were made with another key: set LINLI_HASH_KEY to the key they were ' +
          'made with (the first LINLI_SECRET_KEY of this install); searches and logins by number would fail',
      );
    }
    return 'ok';
  }
  return 'no-data';
}
