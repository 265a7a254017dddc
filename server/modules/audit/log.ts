/** Writes audit entries into the hash chain and verifies the chain. */
import crypto from 'node:crypto';
import { asc, desc, isNotNull, isNull, sql, type Placeholder, type SQL } from 'drizzle-orm';
import { insertFromJson, queryRows, rowsAsJson, type Db, type Tx } from '../../db/client';
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
// One sealer at a time links entries into the chain.
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
}

function digest(algorithm: string, text: string): string {
  return `${algorithm}:${crypto.createHash(algorithm).update(text).digest('hex')}`;
}

function fieldList(f: HashedFields): unknown[] {
  return [
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
  ];
}

/** The hash of an entry's own fields, written with it. */
function entryHashOf(algorithm: string, f: HashedFields): string {
  return digest(algorithm, canonicalJson(fieldList(f)));
}

/** The chain hash: the entry's own hash linked to the one before it. */
function chainHashOf(algorithm: string, prevHash: string, entryHash: string): string {
  return digest(algorithm, canonicalJson([prevHash, entryHash]));
}

/** The first chain format (entries before the sealer): one hash over the fields and the link. */
function legacyHashOf(algorithm: string, f: HashedFields, prevHash: string): string {
  return digest(algorithm, canonicalJson([...fieldList(f), prevHash]));
}

/**
 * Appends one entry. Call it inside the transaction of the write it records, so both commit or neither. It takes no
 * lock: the entry carries the hash of its own fields, and the sealer links it into the chain once it has committed.
 */
export async function appendAudit(tx: Tx, input: AuditInput): Promise<void> {
  await tx.insert(auditLog).values(auditEntry(input));
}

/** The row appendAudit writes, for a caller that inserts it as part of a larger statement (intake). */
export function auditEntry(input: AuditInput): typeof auditLog.$inferInsert {
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
  };
  return { ...fields, entryHash: entryHashOf(AUDIT_ALGORITHM, fields) };
}

/** The columns auditEntry fills (a record, so the compiler checks the list is complete and exact). */
const ENTRY_COLUMNS = Object.keys({
  at: true,
  actorId: true,
  actorName: true,
  action: true,
  targetType: true,
  targetId: true,
  areaPath: true,
  ip: true,
  requestId: true,
  outcome: true,
  details: true,
  entryHash: true,
} satisfies Record<keyof HashedFields | 'entryHash', true>) as (keyof HashedFields | 'entryHash')[];

/**
 * The insert of entries inside a larger statement (intake): `json` is auditEntriesJson of auditEntry rows, given or a
 * placeholder (each entry is computed per call: its time and hash).
 */
export function auditEntriesInsert(json: SQL | Placeholder): SQL {
  return insertFromJson(auditLog, ENTRY_COLUMNS, json);
}

/** auditEntry rows as the JSON text auditEntriesInsert reads. */
export function auditEntriesJson(entries: (typeof auditLog.$inferInsert)[]): string {
  return rowsAsJson(auditLog, entries);
}

/** Appends an entry in a transaction of its own (logins, denials: nothing else to commit with). */
export async function appendAuditStandalone(db: Db, input: AuditInput): Promise<void> {
  await db.transaction(async (tx) => appendAudit(tx, input));
}

/**
 * Links the committed entries not yet in the chain, oldest first, in batches; answers how many it sealed. One sealer
 * at a time (an advisory lock): with `wait` false it gives way when another one runs (the jobs loop), with `wait`
 * true it queues behind it (verify, which must see everything sealed). Entries are sealed in the order the sealer
 * sees them committed, so the chain order (seq) may differ from the id order.
 */
export async function sealAudit(db: Db, opts: { wait?: boolean; batch?: number } = {}): Promise<number> {
  const batch = opts.batch ?? 5000;
  let sealed = 0;
  for (;;) {
    const n = await db.transaction(async (tx) => {
      if (opts.wait) await tx.execute(sql`select pg_advisory_xact_lock(${CHAIN_LOCK})`);
      else {
        const [got] = await queryRows<{ locked: boolean }>(
          tx,
          sql`select pg_try_advisory_xact_lock(${CHAIN_LOCK}) as locked`,
        );
        if (!got?.locked) return 0;
      }
      const [tail] = await tx
        .select({ seq: auditLog.seq, hash: auditLog.hash })
        .from(auditLog)
        .where(isNotNull(auditLog.seq))
        .orderBy(desc(auditLog.seq))
        .limit(1);
      const rows = await tx
        .select({ id: auditLog.id, entryHash: auditLog.entryHash })
        .from(auditLog)
        .where(isNull(auditLog.seq))
        .orderBy(asc(auditLog.id))
        .limit(batch);
      if (rows.length === 0) return 0;
      let seq = tail?.seq ?? 0n;
      let prev = tail?.hash ?? GENESIS;
      // Sent as comma-joined text (no value here contains a comma): one parameter each, whatever the batch size.
      const ids: string[] = [];
      const seqs: string[] = [];
      const prevs: string[] = [];
      const hashes: string[] = [];
      for (const r of rows) {
        seq += 1n;
        // An entry written without its own hash cannot be vouched for: it is chained with a marker verify reports.
        const hash = chainHashOf(AUDIT_ALGORITHM, prev, r.entryHash ?? 'missing');
        ids.push(String(r.id));
        seqs.push(String(seq));
        prevs.push(prev);
        hashes.push(hash);
        prev = hash;
      }
      await tx.execute(sql`
        update audit_log a set seq = v.seq, prev_hash = v.prev, hash = v.hash
          from (select unnest(string_to_array(${ids.join(',')}, ','))::bigint as id,
                       unnest(string_to_array(${seqs.join(',')}, ','))::bigint as seq,
                       unnest(string_to_array(${prevs.join(',')}, ',')) as prev,
                       unnest(string_to_array(${hashes.join(',')}, ',')) as hash) v
         where a.id = v.id`);
      return rows.length;
    });
    sealed += n;
    if (n < batch) return sealed;
  }
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  algorithm: string;
  firstBadId: string | null;
  problem: string | null;
}

/**
 * Seals what is pending, then walks the whole chain in its order: a changed row breaks its own hash, a deleted one
 * breaks the link of the next.
 */
export async function verifyAuditChain(db: Db, batch = 2000): Promise<VerifyResult> {
  await sealAudit(db, { wait: true });
  let prev = GENESIS;
  let checked = 0;
  let after = 0n;
  const bad = (id: string, problem: string): VerifyResult => ({
    ok: false,
    checked,
    algorithm: AUDIT_ALGORITHM,
    firstBadId: id,
    problem,
  });
  for (;;) {
    const rows = await db
      .select()
      .from(auditLog)
      .where(sql`${auditLog.seq} > ${after}`)
      .orderBy(asc(auditLog.seq))
      .limit(batch);
    if (rows.length === 0) break;
    for (const r of rows) {
      const id = String(r.id);
      if (r.prevHash !== prev) return bad(id, 'link');
      const algorithm = (r.hash ?? '').split(':')[0] ?? '';
      if (!crypto.getHashes().includes(algorithm)) return bad(id, 'algorithm');
      const fields: HashedFields = {
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
      };
      if (r.entryHash === null) {
        if (legacyHashOf(algorithm, fields, r.prevHash) !== r.hash) return bad(id, 'hash');
      } else {
        if (entryHashOf(algorithm, fields) !== r.entryHash) return bad(id, 'hash');
        if (chainHashOf(algorithm, r.prevHash, r.entryHash) !== r.hash) return bad(id, 'hash');
      }
      prev = r.hash!;
      checked++;
      after = r.seq!;
    }
  }
  // Every entry must be in the chain by now: one outside it was slipped in past the sealer.
  const [stray] = await db
    .select({ id: auditLog.id })
    .from(auditLog)
    .where(isNull(auditLog.seq))
    .orderBy(asc(auditLog.id))
    .limit(1);
  if (stray) return bad(String(stray.id), 'unsealed');
  return { ok: true, checked, algorithm: AUDIT_ALGORITHM, firstBadId: null, problem: null };
}
