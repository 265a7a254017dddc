/**
 * API keys of Open311 clients: issued by an administrator for one client and one area, shown once, stored as a
 * keyed hash (the key itself is never stored), revoked but never deleted. Every write is audited.
 */
import crypto from 'node:crypto';
import { and, desc, eq, isNull } from 'drizzle-orm';
import { parseAreaCode } from '../../../common/area-code';
import type { ApiKeyCreate, ApiKeyView } from '../../../common/schemas/apikeys';
import type { AppContext } from '../../context';
import { AppError, invalidField } from '../../http/errors';
import { Ability, type Actor } from '../../policy/ability';
import { scopeWhere } from '../../policy/scope';
import { auditActor, type RequestMeta } from '../areas/audit-meta';
import { areas } from '../areas/tables';
import { appendAudit } from '../audit/log';
import { apiKeys } from './tables';
import { isoTimestampOrNull } from '../../db/values';

/** Every generated key starts with this, so a leaked one is recognisable (e.g. by secret scanners). */
export const API_KEY_PREFIX = 'l311_';
const PREFIX_LENGTH = 8;
const HASH_PURPOSE = 'apikey';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type KeyRow = typeof apiKeys.$inferSelect;

/** A fresh key: the prefix and 32 random bytes, base64url. */
export function generateApiKey(): string {
  return API_KEY_PREFIX + crypto.randomBytes(32).toString('base64url');
}

function toView(row: KeyRow, areaName: string | null): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    keyPrefix: row.keyPrefix,
    areaCode: row.areaCode,
    areaName: areaName ?? row.areaCode,
    createdAt: isoTimestampOrNull(row.createdAt)!,
    revokedAt: isoTimestampOrNull(row.revokedAt),
    lastUsedAt: isoTimestampOrNull(row.lastUsedAt),
  };
}

/** The keys within the administrator's area, newest first (revoked ones too, marked). */
export async function listApiKeys(ctx: AppContext, actor: Actor | null): Promise<ApiKeyView[]> {
  const ability = new Ability(actor);
  if (actor) ability.authorize('manage', 'ApiKey');
  const rows = await ctx.db
    .select({ k: apiKeys, areaName: areas.name })
    .from(apiKeys)
    .leftJoin(areas, eq(areas.code, apiKeys.areaCode))
    .where(actor ? scopeWhere(ability, 'manage', 'ApiKey', apiKeys.areaPath) : undefined)
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
  return rows.map((r) => toView(r.k, r.areaName));
}

/** Issues a key for a client in an area; answers the view and the key itself, which is never shown again. */
export async function createApiKey(
  ctx: AppContext,
  actor: Actor | null,
  input: ApiKeyCreate,
  meta: RequestMeta = {},
  key: string = generateApiKey(),
): Promise<ApiKeyView & { key: string }> {
  const ability = new Ability(actor);
  if (actor) ability.authorize('manage', 'ApiKey');
  const name = input.name.trim();
  if (!name) throw invalidField('body.name', 'minLength', 1);
  const parsed = parseAreaCode(input.areaCode);
  if (!parsed.ok)
    throw new AppError('validation.failed', [
      { field: 'body.areaCode', rule: 'areaCode', limit: parsed.rule },
    ]);
  return ctx.db.transaction(async (tx) => {
    const [area] = await tx
      .select({ code: areas.code, name: areas.name, path: areas.path })
      .from(areas)
      .where(eq(areas.code, parsed.code))
      .limit(1);
    if (!area) throw new AppError('area.unknown', [{ field: 'body.areaCode', rule: 'exists' }]);
    if (actor && !ability.can('manage', 'ApiKey', area.path))
      throw new AppError('forbidden', [{ field: 'body.areaCode', rule: 'outOfScope' }]);
    const [row] = await tx
      .insert(apiKeys)
      .values({
        name,
        keyHash: ctx.secrets.keyedHash(key, HASH_PURPOSE),
        keyPrefix: key.slice(0, PREFIX_LENGTH),
        areaCode: area.code,
        areaPath: area.path,
        createdBy: actor?.accountId ?? null,
      })
      .returning();
    await appendAudit(tx, {
      ...auditActor(actor, meta),
      action: 'apikey.create',
      targetType: 'api_key',
      targetId: row!.id,
      areaPath: area.path,
      outcome: 'success',
      details: { name, keyPrefix: row!.keyPrefix, areaCode: area.code },
    });
    return { ...toView(row!, area.name), key };
  });
}

/** Revokes a key (idempotent: revoking a revoked key changes nothing). */
export async function revokeApiKey(
  ctx: AppContext,
  actor: Actor | null,
  id: string,
  meta: RequestMeta = {},
): Promise<ApiKeyView> {
  const ability = new Ability(actor);
  if (actor) ability.authorize('manage', 'ApiKey');
  if (!UUID.test(id)) throw new AppError('apikey.unknown');
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx.select().from(apiKeys).where(eq(apiKeys.id, id)).for('update');
    if (!row) throw new AppError('apikey.unknown');
    if (actor && !ability.can('manage', 'ApiKey', row.areaPath)) throw new AppError('forbidden');
    const [area] = await tx.select({ name: areas.name }).from(areas).where(eq(areas.code, row.areaCode));
    if (row.revokedAt) return toView(row, area?.name ?? null);
    const [updated] = await tx
      .update(apiKeys)
      .set({ revokedAt: new Date() })
      .where(eq(apiKeys.id, id))
      .returning();
    await appendAudit(tx, {
      ...auditActor(actor, meta),
      action: 'apikey.revoke',
      targetType: 'api_key',
      targetId: id,
      areaPath: row.areaPath,
      outcome: 'success',
      details: { name: row.name, keyPrefix: row.keyPrefix },
    });
    return toView(updated!, area?.name ?? null);
  });
}

/** The live (not revoked) key row for a key a client sent, or null. */
export async function findLiveKey(ctx: AppContext, key: string): Promise<KeyRow | null> {
  if (!key || key.length > 200) return null;
  const [row] = await ctx.db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, ctx.secrets.keyedHash(key, HASH_PURPOSE)), isNull(apiKeys.revokedAt)))
    .limit(1);
  return row ?? null;
}

/**
 * The demo client's key (config LINLI_DEMO_OPEN311_KEY) for the demo city, created once: an existing row, revoked
 * or not, is left alone. Called by the demo seed.
 */
export async function ensureDemoApiKey(ctx: AppContext, cityCode: string): Promise<boolean> {
  const key = ctx.config.demoOpen311Key;
  if (!key) return false;
  const hash = ctx.secrets.keyedHash(key, HASH_PURPOSE);
  const [existing] = await ctx.db
    .select({ id: apiKeys.id })
    .from(apiKeys)
    .where(eq(apiKeys.keyHash, hash))
    .limit(1);
  if (existing) return false;
  const [city] = await ctx.db.select({ code: areas.code }).from(areas).where(eq(areas.code, cityCode));
  if (!city) return false;
  await createApiKey(ctx, null, { name: '演示 Open311 客户端 (demo)', areaCode: cityCode }, {}, key);
  return true;
}
