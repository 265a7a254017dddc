/** The audit log viewer: list entries (auditors only, area-scoped) and verify the hash chain. Both are audited. */
import { and, desc, eq, gte, inArray, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Static } from 'typebox';
import { AuditPage, AuditQuery, AuditVerifyResult, type AuditEntry } from '../../../common/schemas/audit';
import { ErrorBody } from '../../../common/schemas/common';
import type { AppContext } from '../../context';
import type { Tx } from '../../db/client';
import { invalidField } from '../../http/errors';
import type { Ability } from '../../policy/ability';
import { scopeWhere } from '../../policy/scope';
import { accounts } from '../accounts/tables';
import type { RegisterRoutes } from '../index';
import { verifyAuditChain, type AuditInput, type VerifyResult } from './log';
import { auditLog } from './tables';

type Query = Static<typeof AuditQuery>;
type Page = Static<typeof AuditPage>;
/** Appends an entry with the request's actor, IP and request id (req.audit). */
type Recorder = (
  tx: Tx,
  entry: Omit<AuditInput, 'actorId' | 'actorName' | 'ip' | 'requestId'>,
) => Promise<void>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DEFAULT_LIMIT = 50;

/** A date-time the JSON schema accepted but PostgreSQL or JavaScript cannot hold (leap second, year 0). */
function parseInstant(field: 'from' | 'to', value: string): Date {
  const d = new Date(value);
  const year = d.getUTCFullYear();
  if (Number.isNaN(d.getTime()) || year < 1 || year > 9999) {
    throw invalidField(`querystring.${field}`, 'format', 'date-time');
  }
  return d;
}

/** LIKE treats %, _ and \ specially; an action prefix is literal text. */
function likePrefix(text: string): string {
  return `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The filters as they were asked for: what `audit.read` records. */
function filtersOf(q: Query): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ['actor', 'action', 'outcome', 'from', 'to', 'before'] as const) {
    const v = q[k];
    if (v !== undefined && v !== '') out[k] = v;
  }
  return out;
}

function actorCondition(actor: string): SQL {
  if (UUID.test(actor)) return eq(auditLog.actorId, actor.toLowerCase());
  // The name recorded at the time (also for failed logins of unknown names), or the account that has it now.
  // lower() on both sides in SQL, as the unique index on accounts does.
  return or(
    sql`lower(${auditLog.actorName}) = lower(${actor})`,
    inArray(
      auditLog.actorId,
      sql`(select ${accounts.id} from ${accounts} where lower(${accounts.username}) = lower(${actor}))`,
    ),
  )!;
}

/** Entries the ability may read that match the query, newest first, one page; the read itself is audited. */
export async function listAudit(
  ctx: AppContext,
  ability: Ability,
  q: Query,
  record: Recorder,
): Promise<Page> {
  ability.authorize('read', 'AuditLog');
  const limit = q.limit ?? DEFAULT_LIMIT;
  const conds: SQL[] = [
    // System-wide entries (logins, denials, configuration) have no area; area entries follow the actor's scope.
    or(isNull(auditLog.areaPath), scopeWhere(ability, 'read', 'AuditLog', auditLog.areaPath))!,
  ];
  if (q.actor) conds.push(actorCondition(q.actor));
  if (q.action) conds.push(sql`${auditLog.action} like ${likePrefix(q.action)}`);
  if (q.outcome) conds.push(eq(auditLog.outcome, q.outcome));
  if (q.from) conds.push(gte(auditLog.at, parseInstant('from', q.from)));
  if (q.to) conds.push(lte(auditLog.at, parseInstant('to', q.to)));
  if (q.before) conds.push(lt(auditLog.id, BigInt(q.before)));

  return ctx.db.transaction(async (tx) => {
    const rows = await tx
      .select()
      .from(auditLog)
      .where(and(...conds))
      .orderBy(desc(auditLog.id))
      .limit(limit + 1);
    const page = rows.slice(0, limit);
    const items: AuditEntry[] = page.map((r) => ({
      id: String(r.id),
      at: r.at.toISOString(),
      actorId: r.actorId,
      actorName: r.actorName,
      action: r.action,
      targetType: r.targetType,
      targetId: r.targetId,
      areaPath: r.areaPath,
      ip: r.ip,
      outcome: r.outcome as AuditEntry['outcome'],
      details: r.details,
      hash: r.hash,
    }));
    // Recorded after the select, so a page never contains its own read.
    await record(tx, {
      action: 'audit.read',
      targetType: 'audit_log',
      outcome: 'success',
      details: { filters: filtersOf(q), limit, returned: items.length },
    });
    return { items, nextBefore: rows.length > limit ? items[items.length - 1]!.id : null };
  });
}

/** Walks the chain, then records that it was checked and what was found. */
export async function verifyAudit(
  ctx: AppContext,
  ability: Ability,
  record: Recorder,
): Promise<VerifyResult> {
  ability.authorize('verify', 'AuditLog');
  const result = await verifyAuditChain(ctx.db);
  await ctx.db.transaction(async (tx) =>
    record(tx, {
      action: 'audit.verify',
      targetType: 'audit_log',
      // A broken chain is findable with outcome=failure.
      outcome: result.ok ? 'success' : 'failure',
      details: { ...result },
    }),
  );
  return result;
}

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody };

export const auditRoutes: RegisterRoutes = async (app, ctx) => {
  app.get(
    '/api/audit',
    {
      schema: {
        tags: ['audit'],
        summary: 'Audit log entries, newest first (auditors); page with nextBefore',
        security: [{ session: [] }],
        querystring: AuditQuery,
        response: { 200: AuditPage, ...errors },
      },
    },
    async (req) => listAudit(ctx, req.ability, req.query, (tx, entry) => req.audit(tx, entry)),
  );

  app.get(
    '/api/audit/verify',
    {
      schema: {
        tags: ['audit'],
        summary: 'Check the hash chain of the whole audit log (auditors)',
        security: [{ session: [] }],
        response: { 200: AuditVerifyResult, 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (req) => verifyAudit(ctx, req.ability, (tx, entry) => req.audit(tx, entry)),
  );
};
