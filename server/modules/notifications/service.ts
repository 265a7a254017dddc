/**
 * The in-app inbox (站内消息): who is told about a case, writing one row per account (de-duplicated by key), and
 * reading one's own inbox. The recipient relations mirror machine.ts (holder, verifier, leader, above) in SQL, so
 * a batch of cases finds its recipients in one query; only enabled accounts with live assignments are told, and
 * for holder, verifier and above only those of the nearest unit (see NEAREST).
 */
import { and, count, desc, eq, inArray, isNull, sql, type Placeholder, type SQL } from 'drizzle-orm';
import type {
  NOTIFICATION_KINDS,
  NotificationListQuery,
  NotificationReadBody,
  NotificationView,
} from '../../../common/schemas/notifications';
import type { AppContext } from '../../context';
import { queryRows, type Tx } from '../../db/client';
import { invalidField } from '../../http/errors';
import type { Actor } from '../../policy/ability';
import { notifications } from './tables';

/** What a notification is about (common/schemas/notifications.ts). */
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** Where a case stands, as far as its recipients are concerned. */
export interface CaseUnit {
  areaPath: string;
  holderPath: string;
  level: string;
  leadDepartmentId: string | null;
}

/**
 * - holder: the unit holding the case now (department handlers of the lead department; else community workers and
 *   street staff over holder_path, and for a district-level case the district's leaders);
 * - verifier: grid workers, community workers and street staff over the case's location;
 * - leader: leaders over the case's location;
 * - above: the level above the holder (street staff or leaders strictly above holder_path; leaders over a
 *   department's district).
 */
export type RecipientRelation = 'holder' | 'verifier' | 'leader' | 'above';

interface UnitSql {
  areaPath: SQL;
  holderPath: SQL;
  level: SQL;
  lead: SQL;
}

/**
 * `a.area_path` covers the path: equal to one of its prefixes at the area levels (2, 4, 6, 9, 12, 15 digits).
 * Assignment paths are always area paths, so this is `startsWith` in a form the assignments index can serve.
 */
function covers(path: SQL): SQL {
  const p = sql`${path}`;
  return sql`a.area_path in (left(${p}, 2), left(${p}, 4), left(${p}, 6), left(${p}, 9), left(${p}, 12), left(${p}, 15))`;
}

function relationSql(rel: RecipientRelation, u: UnitSql): SQL {
  switch (rel) {
    case 'holder':
      return sql`((${u.lead} is not null and a.role = 'dept_handler' and a.department_id = ${u.lead})
        or (${u.lead} is null and (a.role in ('community_worker', 'street_staff')
          or (a.role = 'leader' and ${u.level} = 'district')) and ${covers(u.holderPath)}))`;
    case 'verifier':
      return sql`(a.role in ('grid_worker', 'community_worker', 'street_staff') and ${covers(u.areaPath)})`;
    case 'leader':
      return sql`(a.role = 'leader' and ${covers(u.areaPath)})`;
    case 'above':
      return sql`((${u.lead} is not null and a.role = 'leader' and ${covers(u.holderPath)})
        or (${u.lead} is null and a.role in ('street_staff', 'leader') and ${covers(u.holderPath)}
          and length(a.area_path) < length(${u.holderPath})))`;
  }
}

const LIVE = sql`a.revoked_at is null and not acc.disabled`;

/** The unit of a case given as a row `v` (area_path, holder_path, level, lead): many cases in one statement. */
const UNIT_OF_V: UnitSql = {
  areaPath: sql`v.area_path`,
  holderPath: sql`v.holder_path`,
  level: sql`v.level`,
  lead: sql`v.lead`,
};

/**
 * Relations told at the nearest unit only: a community's case tells its community workers, not every street
 * staff above them (who see it in their lists and may still act on it); a grid's handled case its grid worker.
 * Leaders over an area are all told (supervision is theirs at every level).
 */
const NEAREST: RecipientRelation[] = ['holder', 'verifier', 'above'];

/** The enabled accounts standing in a relation to each case, in one query: one list of account ids per unit. */
export async function recipientsOfMany(
  tx: Tx,
  rel: RecipientRelation,
  units: CaseUnit[],
): Promise<string[][]> {
  if (units.length === 0) return [];
  // Cases of one unit share their recipients: ask once per distinct unit.
  const keyOf = (x: CaseUnit) => `${x.areaPath}|${x.holderPath}|${x.level}|${x.leadDepartmentId ?? ''}`;
  const index = new Map<string, number>();
  const distinct: CaseUnit[] = [];
  for (const x of units) {
    if (index.has(keyOf(x))) continue;
    index.set(keyOf(x), distinct.length);
    distinct.push(x);
  }
  const found: string[][] = distinct.map(() => []);
  const values = sql.join(
    distinct.map(
      (x, i) =>
        sql`(${i}::int, ${x.areaPath}::text, ${x.holderPath}::text, ${x.level}::text, ${x.leadDepartmentId}::uuid)`,
    ),
    sql`, `,
  );
  const nearest = NEAREST.includes(rel);
  const rows = await queryRows<{ i: number; account_id: string }>(
    tx,
    sql`select distinct i, account_id from (
          select v.i, a.account_id, length(a.area_path) as depth,
                 max(length(a.area_path)) over (partition by v.i) as deepest
          from (values ${values}) as v(i, area_path, holder_path, level, lead)
          join assignments a on ${relationSql(rel, UNIT_OF_V)}
          join accounts acc on acc.id = a.account_id
          where ${LIVE}) r
        where ${nearest ? sql`depth = deepest` : sql`true`}`,
  );
  for (const r of rows) found[Number(r.i)]!.push(r.account_id);
  return units.map((x) => found[index.get(keyOf(x))!]!);
}

/** One case's notice for notifyRelationFromJson: where the case stands, what is said, and the actor not told. */
export interface RelationNotice extends CaseUnit {
  kind: NotificationKind;
  caseId: string;
  data: Record<string, unknown>;
  dedupeKey: string;
  except: string | null;
}

/** Notices as the JSON text notifyRelationFromJson reads. */
export function relationNoticesJson(notices: RelationNotice[]): string {
  return JSON.stringify(
    notices.map((n) => ({
      area_path: n.areaPath,
      holder_path: n.holderPath,
      level: n.level,
      lead: n.leadDepartmentId,
      kind: n.kind,
      case_id: n.caseId,
      data: n.data,
      dedupe_key: n.dedupeKey,
      actor: n.except,
    })),
  );
}

/**
 * One INSERT (usable inside a larger statement) of a notice to each enabled account standing in a relation to each
 * case of `json` (relationNoticesJson, given or a placeholder), except its actor: the same recipients as
 * recipientsOf, chosen in SQL, so intake writes its notices without a round trip to ask who they are.
 */
export function notifyRelationFromJson(rel: RecipientRelation, json: SQL | Placeholder): SQL {
  const nearest = NEAREST.includes(rel);
  return sql`insert into notifications (account_id, kind, case_id, data, dedupe_key)
    select distinct r.account_id, v.kind, v.case_id, v.data, v.dedupe_key
    from json_to_recordset(${json}::json)
      as v(area_path text, holder_path text, level text, lead uuid, kind text, case_id uuid, data jsonb,
           dedupe_key text, actor uuid)
    cross join lateral (
      select a.account_id, length(a.area_path) as depth, max(length(a.area_path)) over () as deepest
      from assignments a join accounts acc on acc.id = a.account_id
      where ${relationSql(rel, UNIT_OF_V)} and ${LIVE}) r
    where ${nearest ? sql`r.depth = r.deepest` : sql`true`} and r.account_id is distinct from v.actor
    on conflict do nothing`;
}

/** The enabled accounts standing in a relation to one case. */
export async function recipientsOf(tx: Tx, rel: RecipientRelation, unit: CaseUnit): Promise<string[]> {
  return (await recipientsOfMany(tx, rel, [unit]))[0]!;
}

/** The accounts that hold the case now (the same relation as machine.ts `holder`). */
export function recipientsForHolder(tx: Tx, c: CaseUnit): Promise<string[]> {
  return recipientsOf(tx, 'holder', c);
}

/** Those who verify a handled case on site. */
export function verifiersOf(tx: Tx, c: CaseUnit): Promise<string[]> {
  return recipientsOf(tx, 'verifier', c);
}

/** Leaders whose area covers the path. */
export function leadersOver(tx: Tx, areaPath: string): Promise<string[]> {
  return recipientsOf(tx, 'leader', { areaPath, holderPath: areaPath, level: '', leadDepartmentId: null });
}

/** The level above the holder (approves extensions). */
export function aboveHolder(tx: Tx, c: CaseUnit): Promise<string[]> {
  return recipientsOf(tx, 'above', c);
}

export interface NotificationInput {
  accountId: string;
  kind: NotificationKind;
  caseId?: string | null;
  data: Record<string, unknown>;
  dedupeKey?: string | null;
}

// Rows go to the database as one JSON parameter: thousands of rows per statement, without thousands of parameters.
const INSERT_CHUNK = 5000;

/** Writes inbox rows; a row whose account already has its dedupe key is skipped. Answers how many were new. */
export async function notifyRows(tx: Tx, rows: NotificationInput[]): Promise<number> {
  let added = 0;
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    const chunk = rows.slice(i, i + INSERT_CHUNK).map((r) => ({
      a: r.accountId,
      k: r.kind,
      c: r.caseId ?? null,
      d: r.data,
      u: r.dedupeKey ?? null,
    }));
    const [row] = await queryRows<{ n: number }>(
      tx,
      sql`with added as (
            insert into notifications (account_id, kind, case_id, data, dedupe_key)
            select (x->>'a')::uuid, x->>'k', (x->>'c')::uuid, x->'d', x->>'u'
            from jsonb_array_elements(${JSON.stringify(chunk)}::jsonb) as x
            on conflict do nothing
            returning 1)
          select count(*)::int as n from added`,
    );
    added += Number(row?.n ?? 0);
  }
  return added;
}

/** One inbox row per recipient (each account once), in the caller's transaction. */
export async function notify(
  tx: Tx,
  recipients: string[],
  kind: NotificationKind,
  opts: { caseId?: string | null; data: Record<string, unknown>; dedupeKey?: string | null },
): Promise<number> {
  const unique = [...new Set(recipients)];
  return notifyRows(
    tx,
    unique.map((accountId) => ({ accountId, kind, ...opts })),
  );
}

// ---- the reader's own inbox -----------------------------------------------------------------------------

type NotificationRow = typeof notifications.$inferSelect;

function toView(r: NotificationRow): NotificationView {
  return {
    id: Number(r.id),
    kind: r.kind as NotificationKind,
    caseId: r.caseId,
    data: (r.data ?? {}) as Record<string, unknown>,
    readAt: r.readAt ? new Date(r.readAt).toISOString() : null,
    createdAt: new Date(r.createdAt).toISOString(),
  };
}

/** How many of the account's notifications are unread. */
export async function unreadCount(tx: Tx, accountId: string): Promise<number> {
  const [row] = await tx
    .select({ n: count() })
    .from(notifications)
    .where(and(eq(notifications.accountId, accountId), isNull(notifications.readAt)));
  return Number(row?.n ?? 0);
}

/** The actor's own notifications, newest first. */
export async function listInbox(ctx: AppContext, actor: Actor, query: NotificationListQuery) {
  const own = eq(notifications.accountId, actor.accountId);
  const where = query.unread ? and(own, isNull(notifications.readAt))! : own;
  const rows = await ctx.db
    .select()
    .from(notifications)
    .where(where)
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(query.limit ?? 20)
    .offset(query.offset ?? 0);
  const [total] = await ctx.db.select({ n: count() }).from(notifications).where(where);
  const unread = query.unread ? Number(total?.n ?? 0) : await unreadCount(ctx.db, actor.accountId);
  return { items: rows.map(toView), total: Number(total?.n ?? 0), unread };
}

/**
 * Marks some (ids) or all of the actor's own notifications read; ids of other accounts are ignored (they match
 * nothing), so nobody learns whether they exist. Reading one's inbox changes no case or account, so, like a
 * session's last-seen time, it is not audited.
 */
export async function markRead(ctx: AppContext, actor: Actor, body: NotificationReadBody) {
  if (!body.all && !body.ids) throw invalidField('body.ids', 'required');
  const mine = and(eq(notifications.accountId, actor.accountId), isNull(notifications.readAt))!;
  const where = body.all ? mine : and(mine, inArray(notifications.id, body.ids!))!;
  await ctx.db.update(notifications).set({ readAt: new Date() }).where(where);
  return { unread: await unreadCount(ctx.db, actor.accountId) };
}
