/** Writes audit entries into the hash chain and verifies the chain. */
import crypto from 'node:crypto';
import { asc, desc, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client';
import { auditLog } from './tables';

export type AuditOutcome = 'success' | 'failure' | 'denied';

export interface AuditInput {
  actorId?: string | null;
  actorName?: string | null;
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  areaPath?: string | null;
  ip?: string | null;
  requestId?: string | null;
  outcome: AuditOutcome;
  details?: Record<string, unknown>;
}

/** SM3 where the runtime's OpenSSL has it (国密), SHA-256 otherwise; the prefix tells verify which. */
export const AUDIT_ALGORITHM = crypto.getHashes().includes('sm3') ? 'sm3' : 'sha256';
const GENESIS = 'genesis';
// One lock id for the chain's tail: entries are appended strictly one after another.
const CHAIN_LOCK = 7_310_002;

/** JSON with sorted keys, so jsonb's reordering does not change the hash. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/**
 * Text as PostgreSQL stores it: NUL characters are refused by text and jsonb columns, and unpaired UTF-16
 * surrogates are refused by jsonb and silently replaced in text (which would break the entry's hash). Both
 * become U+FFFD before hashing, so what is hashed is exactly what is stored. Keys are cleaned as well.
 */
function storable(value: unknown): unknown {
  if (typeof value === 'string') return storableText(value);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(storable);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[storableText(k)] = storable(v);
  return out;
}

// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function storableText(text: string): string {
  return text.replace(UNSTORABLE, '\uFFFD');
}

function storableOrNull(text: string | null | undefined): string | null {
  return text == null ? null : storableText(text);
}

interface HashedFields {
  at: Date;
  actorId: string | null;
  actorName: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  areaPath: string | null;
  ip: string | null;
  requestId: string | null;
  outcome: string;
  details: unknown;
  prevHash: string;
}

function hashEntry(algorithm: string, f: HashedFields): string {
  const text = canonicalJson([
    f.at.toISOString(),
    f.actorId,
    f.actorName,
    f.action,
    f.targetType,
    f.targetId,
    f.areaPath,
    f.ip,
    f.requestId,
    f.outcome,
    f.details,
    f.prevHash,
  ]);
  return `${algorithm}:${crypto.createHash(algorithm).update(text).digest('hex')}`;
}

/**
 * Appends one entry. Call it inside the transaction of the write it records, so both commit or neither;
 * the advisory lock serialises appends so each entry links to the one committed before it.
 */
export async function appendAudit(tx: Tx, input: AuditInput): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${CHAIN_LOCK})`);
  const last = await tx.select({ hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.id)).limit(1);
  const fields: HashedFields = {
    at: new Date(),
    actorId: input.actorId ?? null,
    actorName: storableOrNull(input.actorName),
    action: storableText(input.action),
    targetType: storableOrNull(input.targetType),
    targetId: storableOrNull(input.targetId),
    areaPath: storableOrNull(input.areaPath),
    ip: storableOrNull(input.ip),
    requestId: storableOrNull(input.requestId),
    outcome: input.outcome,
    details: JSON.parse(canonicalJson(storable(input.details ?? {}))),
    prevHash: last[0]?.hash ?? GENESIS,
  };
  await tx.insert(auditLog).values({ ...fields, hash: hashEntry(AUDIT_ALGORITHM, fields) });
}

/** Appends an entry in a transaction of its own (logins, denials: nothing else to commit with). */
export async function appendAuditStandalone(db: Db, input: AuditInput): Promise<void> {
  await db.transaction(async (tx) => appendAudit(tx, input));
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  algorithm: string;
  firstBadId: string | null;
  problem: string | null;
}

/** Walks the whole chain in id order; a changed row breaks its own hash, a deleted one breaks the next link. */
export async function verifyAuditChain(db: Db, batch = 2000): Promise<VerifyResult> {
  let prev = GENESIS;
  let checked = 0;
  let after = -1n;
  for (;;) {
    const rows = await db
      .select()
      .from(auditLog)
      .where(sql`${auditLog.id} > ${after}`)
      .orderBy(asc(auditLog.id))
      .limit(batch);
    if (rows.length === 0) break;
    for (const r of rows) {
      const id = String(r.id);
      if (r.prevHash !== prev) {
        return { ok: false, checked, algorithm: AUDIT_ALGORITHM, firstBadId: id, problem: 'link' };
      }
      const algorithm = r.hash.split(':')[0] ?? '';
      if (!crypto.getHashes().includes(algorithm)) {
        return { ok: false, checked, algorithm: AUDIT_ALGORITHM, firstBadId: id, problem: 'algorithm' };
      }
      const expected = hashEntry(algorithm, {
        at: r.at,
        actorId: r.actorId,
        actorName: r.actorName,
        action: r.action,
        targetType: r.targetType,
        targetId: r.targetId,
        areaPath: r.areaPath,
        ip: r.ip,
        requestId: r.requestId,
        outcome: r.outcome,
        details: r.details,
        prevHash: r.prevHash,
      });
      if (expected !== r.hash) {
        return { ok: false, checked, algorithm: AUDIT_ALGORITHM, firstBadId: id, problem: 'hash' };
      }
      prev = r.hash;
      checked++;
      after = r.id;
    }
  }
  return { ok: true, checked, algorithm: AUDIT_ALGORITHM, firstBadId: null, problem: null };
}
