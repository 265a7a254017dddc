/**
 * What every write of the housing register shares: one transaction after a first authorization, the audit entry,
 * a unique violation as 409 housing.duplicate, and the change and retire paths of a versioned row (locked,
 * authorized at its area, at the version the client read or 409 housing.stale, not retired, audited).
 */
import { and, eq, isNull, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgUpdateSetSource } from 'drizzle-orm/pg-core';
import type { AppContext } from '../../context';
import { pgErrorCode, type Tx } from '../../db/client';
import { AppError } from '../../http/errors';
import { Ability, type Actor } from '../../policy/ability';
import { appendAudit } from '../audit/log';
import { auditActor, type RequestMeta } from '../areas/audit-meta';
import type { buildings, dwellings, estates, units } from './tables';

type HousingTable = typeof estates | typeof buildings | typeof units | typeof dwellings;

/** The kinds of housing rows: the audit's target type and the middle of its action (housing.<kind>.<verb>). */
export type HousingKind = 'estate' | 'building' | 'unit' | 'dwelling';
type Verb = 'create' | 'bulk_create' | 'update' | 'retire';

/** The columns the change and retire paths read of every housing row. */
export interface VersionedRow {
  areaPath: string;
  version: number;
  retiredAt: Date | null;
}

/** A write in progress: its transaction, the actor's ability, and who is recorded as writing it from where. */
export interface Write {
  tx: Tx;
  ability: Ability;
  actor: Actor;
  meta: RequestMeta;
}

/** Runs a housing write: the actor must hold the action on Housing somewhere (403 first), then one transaction. */
export async function housingWrite<T>(
  ctx: AppContext,
  actor: Actor,
  meta: RequestMeta,
  action: 'create' | 'update',
  run: (w: Write) => Promise<T>,
): Promise<T> {
  const ability = new Ability(actor);
  ability.authorize(action, 'Housing');
  return ctx.db.transaction((tx) => run({ tx, ability, actor, meta }));
}

/** Records a successful write as housing.<kind>.<verb> on the row. */
export function audit(
  w: Write,
  kind: HousingKind,
  verb: Verb,
  target: { id: string; areaPath: string },
  details: Record<string, unknown>,
): Promise<void> {
  return appendAudit(w.tx, {
    ...auditActor(w.actor, w.meta),
    action: `housing.${kind}.${verb}`,
    targetType: kind,
    targetId: target.id,
    areaPath: target.areaPath,
    outcome: 'success',
    details,
  });
}

/** Runs a write; a unique violation becomes 409 housing.duplicate naming the field. */
export async function uniqueOr<T>(field: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (pgErrorCode(err) === '23505') throw new AppError('housing.duplicate', [{ field, rule: 'unique' }]);
    throw err;
  }
}

/** Refuses a stale version with 409, telling the current one. */
function checkVersion(row: { version: number }, version: number): void {
  if (row.version !== version)
    throw new AppError('housing.stale', [{ field: 'body.version', rule: 'stale', limit: row.version }]);
}

/** Records the changed fields of an update: the values before and after. */
export function diffOf<R extends object>(
  row: R,
  next: Partial<R>,
): { changes: Partial<R>; diff: Record<string, { from: unknown; to: unknown }> } {
  const changes: Record<string, unknown> = {};
  const diff: Record<string, { from: unknown; to: unknown }> = {};
  for (const [k, v] of Object.entries(next)) {
    if (v === undefined) continue;
    const before = (row as Record<string, unknown>)[k];
    if (JSON.stringify(before ?? null) === JSON.stringify(v)) continue;
    changes[k] = v;
    diff[k] = { from: before ?? null, to: v };
  }
  return { changes: changes as Partial<R>, diff };
}

/** The columns that retire a row now. */
const retiredNow = () => ({ retiredAt: sql`now()`, updatedAt: sql`now()` });

/** Sets columns of one row by id. */
function setRow<T extends HousingTable>(tx: Tx, table: T, id: string, values: Record<string, unknown>) {
  // Drizzle cannot check the columns of a table it only knows as one of four; the callers pass that table's own.
  return tx
    .update(table)
    .set(values as PgUpdateSetSource<T>)
    .where(eq(table.id, id));
}

/** Retires the rows in use whose `parent` column is the given id (each gets a new version); how many. */
export async function retireUnder<T extends typeof units | typeof dwellings>(
  tx: Tx,
  table: T,
  parent: PgColumn,
  id: string,
): Promise<number> {
  const set: Record<string, unknown> = { ...retiredNow(), version: sql`${table.version} + 1` };
  const rows = await tx
    .update(table)
    .set(set as PgUpdateSetSource<T>)
    .where(and(eq(parent, id), isNull(table.retiredAt)))
    .returning({ id: table.id });
  return rows.length;
}

/** What the change and retire paths need to know of one kind of housing row. */
export interface RowKind<Row extends VersionedRow, View> {
  kind: HousingKind;
  table: HousingTable;
  /** The row by id, readable to the actor (404 of its kind otherwise), locked when asked. */
  load: (tx: Tx, ability: Ability, id: string, lock: boolean) => Promise<Row>;
  /** The row as the API shows it. */
  view: (tx: Tx, id: string) => Promise<View>;
  /** The field a duplicate is reported on (409 housing.duplicate). */
  uniqueField: string;
}

/** A row about to change: locked, writable at its area, at the version the client read, in use. */
async function loadForChange<Row extends VersionedRow>(
  w: Write,
  kind: RowKind<Row, unknown>,
  id: string,
  version: number,
): Promise<Row> {
  const row = await kind.load(w.tx, w.ability, id, true);
  w.ability.authorize('update', 'Housing', row.areaPath);
  checkVersion(row, version);
  if (row.retiredAt) throw new AppError('housing.retired');
  return row;
}

/**
 * Changes a row: `next` (which may check more and refuse) gives the new values; those that differ are written with
 * a new version and audited as housing.<kind>.update with their values before and after. No change, no write.
 */
export function updateRow<Row extends VersionedRow, View>(
  ctx: AppContext,
  actor: Actor,
  meta: RequestMeta,
  kind: RowKind<Row, View>,
  id: string,
  version: number,
  next: (w: Write, row: Row) => Partial<Row> | Promise<Partial<Row>>,
): Promise<View> {
  return housingWrite(ctx, actor, meta, 'update', async (w) => {
    const row = await loadForChange(w, kind, id, version);
    const { changes, diff } = diffOf(row, await next(w, row));
    if (Object.keys(changes).length > 0) {
      const set = { ...changes, version: row.version + 1, updatedAt: sql`now()` };
      await uniqueOr(kind.uniqueField, () => setRow(w.tx, kind.table, id, set));
      await audit(
        w,
        kind.kind,
        'update',
        { id, areaPath: row.areaPath },
        { ...diff, version: row.version + 1 },
      );
    }
    return kind.view(w.tx, id);
  });
}

/**
 * Retires a row (nothing is deleted): `contents` retires what the row contains, or refuses, and gives the
 * details of the audit entry housing.<kind>.retire.
 */
export function retireRow<Row extends VersionedRow, View>(
  ctx: AppContext,
  actor: Actor,
  meta: RequestMeta,
  kind: RowKind<Row, View>,
  id: string,
  version: number,
  contents: (w: Write, row: Row) => Promise<Record<string, unknown>>,
): Promise<View> {
  return housingWrite(ctx, actor, meta, 'update', async (w) => {
    const row = await loadForChange(w, kind, id, version);
    const details = await contents(w, row);
    await setRow(w.tx, kind.table, id, { ...retiredNow(), version: row.version + 1 });
    await audit(w, kind.kind, 'retire', { id, areaPath: row.areaPath }, details);
    return kind.view(w.tx, id);
  });
}

/** How many rows of a housing table match a filter (a list's total). */
export async function countWhere(tx: Tx, table: HousingTable, where: SQL | undefined): Promise<number> {
  const [count] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(table)
    .where(where);
  return Number(count?.n ?? 0);
}
