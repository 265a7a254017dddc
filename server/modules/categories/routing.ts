/**
 * Routing (分派): who holds a new case, from its category and where it is. Rules say "cases of this category (or of
 * any category) in this area's subtree go to this department / to this level of the case's own area chain". The
 * most specific matching rule wins; without one the category's handling level decides; when the case's area chain
 * has no unit at that level the case's community holds it (属地兜底).
 */
import { and, asc, desc, eq, isNull, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { ancestorPaths, codeFromPath, levelOfPath, parseAreaCode } from '../../../common/area-code';
import type {
  HandlingLevel,
  RoutingResolution,
  RoutingRule,
  RoutingRuleCreate,
} from '../../../common/schemas/categories';
import type { AppContext } from '../../context';
import type { Tx } from '../../db/client';
import { AppError, invalidField } from '../../http/errors';
import { Ability, pathWithin, type Actor } from '../../policy/ability';
import { scopeWhere } from '../../policy/scope';
import { auditActor, type RequestMeta } from '../areas/audit-meta';
import { areas, departments } from '../areas/tables';
import { appendAudit } from '../audit/log';
import { referenceData, type ReferenceData, type RuleRef } from './reference';
import type { CategoryRow } from './service';
import { categories, routingRules } from './tables';

/** Path length of each handling level: district 6, street 9, community 12 digits (a grid's is 15). */
const LEVEL_PATH_LENGTH: Record<HandlingLevel, number> = { district: 6, street: 9, community: 12 };

export interface Routing {
  level: HandlingLevel;
  /** The lead department when a department rule decided (its level is then 'district'). */
  departmentId: string | null;
  /** The path of the unit that holds the case: an area of the case's chain, or the department's district. */
  holderPath: string;
  /** What decided: a rule, the category's handling level, or the community fallback. */
  source: 'rule' | 'category' | 'fallback';
  ruleId: string | null;
}

/** The case area's own path or ancestor at a level, or null when its chain has none (e.g. a city without counties). */
export function ancestorAtLevel(casePath: string, level: HandlingLevel): string | null {
  const n = LEVEL_PATH_LENGTH[level];
  if (casePath.length < n) return null;
  const candidate = casePath.slice(0, n);
  return candidate === casePath || ancestorPaths(casePath).includes(candidate) ? candidate : null;
}

/** The holder at a level of the chain, else the case's community (属地兜底), else the case's own street or district. */
function holderAt(
  casePath: string,
  level: HandlingLevel,
): { level: HandlingLevel; holderPath: string } | null {
  const at = ancestorAtLevel(casePath, level);
  if (at !== null) return { level, holderPath: at };
  const community = ancestorAtLevel(casePath, 'community');
  if (community !== null) return { level: 'community', holderPath: community };
  return null;
}

function checkCasePath(casePath: string): void {
  try {
    levelOfPath(casePath);
  } catch {
    throw new AppError('validation.failed', [{ field: 'areaPath', rule: 'areaCode', limit: 'path' }]);
  }
}

/** The category and its ancestors, the category itself first. */
function categoryChain(ref: ReferenceData, categoryId: string): string[] {
  const chain: string[] = [];
  let current: string | null = categoryId;
  while (current !== null && !chain.includes(current) && chain.length < 10) {
    chain.push(current);
    current = ref.categories.get(current)?.parentId ?? null;
  }
  return chain;
}

/**
 * Who holds a new case of a category located at an area path (a grid's or a community's). The most specific
 * matching rule wins: a rule for the category itself before one for its parent category before one for any
 * category; then the deeper rule area before the shallower; then the higher priority; then the newer rule.
 * A department rule gives level 'district' and the department's district path; a level rule the case area's
 * ancestor at that level. Without a rule the category's handling level applies on the case's own chain. When the
 * chain lacks that level the case's community holds it. 404 category.unknown for an unknown category.
 */
export async function resolveRouting(tx: Tx, categoryId: string, caseAreaPath: string): Promise<Routing> {
  const ref = await referenceData(tx);
  const category = ref.categories.get(categoryId);
  if (!category) throw new AppError('category.unknown');
  return routeWith(ref, category, caseAreaPath);
}

/** resolveRouting over a snapshot of the reference data the caller holds (intake). */
export function routeWith(ref: ReferenceData, category: CategoryRow, caseAreaPath: string): Routing {
  checkCasePath(caseAreaPath);
  const chain = categoryChain(ref, category.id);
  const candidates = ref.rules.filter(
    (r) => (r.categoryId === null || chain.includes(r.categoryId)) && caseAreaPath.startsWith(r.areaPath),
  );
  const rank = (c: RuleRef) => (c.categoryId === null ? chain.length : chain.indexOf(c.categoryId));
  candidates.sort(
    (a, b) =>
      rank(a) - rank(b) ||
      b.areaPath.length - a.areaPath.length ||
      b.priority - a.priority ||
      b.createdAt.getTime() - a.createdAt.getTime() ||
      a.id.localeCompare(b.id),
  );

  for (const rule of candidates) {
    if (rule.departmentId !== null && rule.departmentPath !== null) {
      return {
        level: 'district',
        departmentId: rule.departmentId,
        holderPath: rule.departmentPath,
        source: 'rule',
        ruleId: rule.id,
      };
    }
    if (rule.level !== null) {
      const held = holderAt(caseAreaPath, rule.level as HandlingLevel);
      if (held) {
        const exact = held.level === rule.level;
        return {
          ...held,
          departmentId: null,
          source: exact ? 'rule' : 'fallback',
          ruleId: rule.id,
        };
      }
    }
  }

  const level = category.handlingLevel as HandlingLevel;
  const held = holderAt(caseAreaPath, level);
  if (held) {
    return {
      ...held,
      departmentId: null,
      source: held.level === level ? 'category' : 'fallback',
      ruleId: null,
    };
  }
  // Located above any community (a street or district itself): that unit holds it.
  const own = levelOfPath(caseAreaPath);
  if (own === 'street' || own === 'district') {
    return { level: own, holderPath: caseAreaPath, departmentId: null, source: 'fallback', ruleId: null };
  }
  throw new AppError('validation.failed', [
    { field: 'areaPath', rule: 'areaLevel', limit: 'grid / community / street / district' },
  ]);
}

const ruleArea = alias(areas, 'rule_area');

const ruleColumns = {
  id: routingRules.id,
  categoryId: routingRules.categoryId,
  categoryName: categories.name,
  areaPath: routingRules.areaPath,
  areaName: ruleArea.name,
  departmentId: routingRules.departmentId,
  departmentName: departments.name,
  level: routingRules.level,
  priority: routingRules.priority,
  createdAt: routingRules.createdAt,
};

type RuleRow = {
  id: string;
  categoryId: string | null;
  categoryName: string | null;
  areaPath: string;
  areaName: string | null;
  departmentId: string | null;
  departmentName: string | null;
  level: string | null;
  priority: number;
  createdAt: Date;
};

function toRule(r: RuleRow): RoutingRule {
  return {
    id: r.id,
    categoryId: r.categoryId,
    categoryName: r.categoryName,
    areaCode: codeFromPath(r.areaPath),
    areaPath: r.areaPath,
    areaName: r.areaName,
    departmentId: r.departmentId,
    departmentName: r.departmentName,
    level: r.level as HandlingLevel | null,
    priority: r.priority,
    createdAt: new Date(r.createdAt).toISOString(),
  };
}

function selectRules(db: Tx) {
  return db
    .select(ruleColumns)
    .from(routingRules)
    .leftJoin(categories, eq(categories.id, routingRules.categoryId))
    .leftJoin(departments, eq(departments.id, routingRules.departmentId))
    .leftJoin(ruleArea, eq(ruleArea.path, routingRules.areaPath));
}

function parseArea(code: string, field: string) {
  const parsed = parseAreaCode(code);
  if (!parsed.ok) throw new AppError('validation.failed', [{ field, rule: 'areaCode', limit: parsed.rule }]);
  return parsed;
}

/** The rules whose area lies within the actor's scope (read RoutingRule), by area then priority. */
export async function listRoutingRules(
  ctx: AppContext,
  ability: Ability,
  query: { categoryId?: string; areaCode?: string } = {},
): Promise<RoutingRule[]> {
  ability.authorize('read', 'RoutingRule');
  const area = query.areaCode === undefined ? null : parseArea(query.areaCode, 'querystring.areaCode');
  const rows = await selectRules(ctx.db)
    .where(
      and(
        scopeWhere(ability, 'read', 'RoutingRule', routingRules.areaPath),
        area === null ? undefined : sql`${routingRules.areaPath} like ${area.path + '%'}`,
        query.categoryId === undefined ? undefined : eq(routingRules.categoryId, query.categoryId),
      ),
    )
    .orderBy(asc(routingRules.areaPath), desc(routingRules.priority), asc(routingRules.createdAt))
    .limit(1000);
  return rows.map(toRule);
}

/**
 * Creates a rule at an area within the actor's scope (manage RoutingRule there). Exactly one of departmentId and
 * level; a department must lie on the rule area's chain (its district above or below the area).
 */
export async function createRoutingRule(
  ctx: AppContext,
  actor: Actor | null,
  input: RoutingRuleCreate,
  meta: RequestMeta = {},
): Promise<RoutingRule> {
  const ability = actor ? new Ability(actor) : null;
  ability?.authorize('manage', 'RoutingRule');
  const parsed = parseArea(input.areaCode, 'body.areaCode');
  if (input.departmentId !== undefined && input.level !== undefined)
    throw invalidField('body.level', 'exclusive', 'departmentId');
  if (input.departmentId === undefined && input.level === undefined)
    throw invalidField('body.level', 'oneOfRequired', 'departmentId');
  // The area's path follows from its code: scope is decided before reading anything.
  ability?.authorize('manage', 'RoutingRule', parsed.path);
  const categoryId = input.categoryId ?? null;
  const priority = input.priority ?? 0;

  return ctx.db.transaction(async (tx) => {
    const [area] = await tx.select({ path: areas.path }).from(areas).where(eq(areas.code, parsed.code));
    if (!area) throw new AppError('area.unknown');
    if (categoryId !== null) {
      const [c] = await tx
        .select({ id: categories.id })
        .from(categories)
        .where(eq(categories.id, categoryId));
      if (!c) throw invalidField('body.categoryId', 'exists');
    }
    if (input.departmentId !== undefined) {
      const [d] = await tx
        .select({ path: departments.areaPath })
        .from(departments)
        .where(eq(departments.id, input.departmentId));
      if (!d) throw invalidField('body.departmentId', 'exists');
      if (!pathWithin(area.path, d.path) && !pathWithin(d.path, area.path))
        throw invalidField('body.departmentId', 'departmentArea');
    }
    const [dup] = await tx
      .select({ id: routingRules.id })
      .from(routingRules)
      .where(
        and(
          categoryId === null ? isNull(routingRules.categoryId) : eq(routingRules.categoryId, categoryId),
          eq(routingRules.areaPath, area.path),
          eq(routingRules.priority, priority),
        ),
      )
      .limit(1);
    if (dup) throw new AppError('routing_rule.duplicate');
    const [row] = await tx
      .insert(routingRules)
      .values({
        categoryId,
        areaPath: area.path,
        departmentId: input.departmentId ?? null,
        level: input.level ?? null,
        priority,
        createdBy: actor?.accountId ?? null,
      })
      .returning({ id: routingRules.id });
    await appendAudit(tx, {
      ...auditActor(actor, meta),
      action: 'routing_rule.create',
      targetType: 'routing_rule',
      targetId: row!.id,
      areaPath: area.path,
      outcome: 'success',
      details: {
        categoryId,
        areaCode: parsed.code,
        departmentId: input.departmentId ?? null,
        level: input.level ?? null,
        priority,
      },
    });
    const [view] = await selectRules(tx).where(eq(routingRules.id, row!.id));
    return toRule(view!);
  });
}

/** Deletes a rule whose area lies within the actor's scope; the audit entry keeps what it said. */
export async function deleteRoutingRule(
  ctx: AppContext,
  actor: Actor | null,
  id: string,
  meta: RequestMeta = {},
): Promise<void> {
  const ability = actor ? new Ability(actor) : null;
  ability?.authorize('manage', 'RoutingRule');
  await ctx.db.transaction(async (tx) => {
    const [row] = await tx.select().from(routingRules).where(eq(routingRules.id, id)).for('update');
    if (!row) throw new AppError('routing_rule.unknown');
    ability?.authorize('manage', 'RoutingRule', row.areaPath);
    await tx.delete(routingRules).where(eq(routingRules.id, id));
    await appendAudit(tx, {
      ...auditActor(actor, meta),
      action: 'routing_rule.delete',
      targetType: 'routing_rule',
      targetId: id,
      areaPath: row.areaPath,
      outcome: 'success',
      details: {
        categoryId: row.categoryId,
        areaPath: row.areaPath,
        departmentId: row.departmentId,
        level: row.level,
        priority: row.priority,
      },
    });
  });
}

/**
 * Preview: who would hold a case of this category at this area. Needs read RoutingRule at the area (today the
 * administrators, who hold manage RoutingRule; street and community staff once rules.ts grants them read).
 */
export async function previewRouting(
  ctx: AppContext,
  ability: Ability,
  query: { categoryId: string; areaCode: string },
): Promise<RoutingResolution> {
  ability.authorize('read', 'RoutingRule');
  const parsed = parseArea(query.areaCode, 'querystring.areaCode');
  ability.authorize('read', 'RoutingRule', parsed.path);
  const [area] = await ctx.db.select({ path: areas.path }).from(areas).where(eq(areas.code, parsed.code));
  if (!area) throw new AppError('area.unknown');
  const r = await resolveRouting(ctx.db, query.categoryId, area.path);
  const holderCode = codeFromPath(r.holderPath);
  const [holder] = await ctx.db.select({ name: areas.name }).from(areas).where(eq(areas.code, holderCode));
  let departmentName: string | null = null;
  if (r.departmentId !== null) {
    const [d] = await ctx.db
      .select({ name: departments.name })
      .from(departments)
      .where(eq(departments.id, r.departmentId));
    departmentName = d?.name ?? null;
  }
  return {
    level: r.level,
    departmentId: r.departmentId,
    departmentName,
    holderPath: r.holderPath,
    holderCode,
    holderName: holder?.name ?? null,
    source: r.source,
    ruleId: r.ruleId,
  };
}
