/** The one place that turns an ability into a WHERE clause on an area-path column. */
import { eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Action, Subject } from '../../common/abilities';
import { DEPARTMENT_ROLES } from '../../common/roles';
import { startsWith } from '../db/fragments';
import { cases } from '../modules/cases/tables';
import { pathWithin, type Ability, type Actor } from './ability';
import { RULES } from './rules';

/** Rows whose area path lies under one of the actor's allowed subtrees; `false` when there are none. */
export function scopeWhere(
  ability: Ability,
  action: Action,
  subject: Subject,
  column: AnyPgColumn | SQL,
): SQL {
  const paths = ability.paths(action, subject);
  if (paths.length === 0) return sql`false`;
  // Paths are digits only (validated codes), so LIKE needs no escaping; the index uses text_pattern_ops.
  const parts = paths.map((p) => sql`${column} like ${p + '%'}`);
  return sql`(${sql.join(parts, sql` or `)})`;
}

/**
 * The cases an actor may read (诉求事件的可见范围):
 * - area roles (grid worker, community worker, street staff, leader): cases located in their read-Case subtrees;
 * - a department handler: cases whose lead department or co-departments include its department (its district
 *   path alone would show the whole district, so it is left out of the area part);
 * - anyone: the cases it reported itself (a resident's own cases).
 */
export function caseScopeWhere(ability: Ability, actor: Actor | null): SQL {
  const { paths, departmentIds } = caseReach(ability, actor);
  // A range rather than LIKE, so the case lists' named statements (queryNamed) keep one plan for every actor.
  const parts: SQL[] = paths.map((p) => startsWith(cases.areaPath, p));
  if (departmentIds.length > 0) {
    parts.push(inArray(cases.leadDepartmentId, departmentIds));
    for (const d of departmentIds) parts.push(sql`${cases.coDepartmentIds} @> ${JSON.stringify([d])}::jsonb`);
  }
  if (actor) parts.push(eq(cases.reporterAccountId, actor.accountId));
  if (parts.length === 0) return sql`false`;
  return sql`(${sql.join(parts, sql` or `)})`;
}

/** The same decision for one loaded case (detail, timeline, actions). */
export function caseReadable(
  ability: Ability,
  actor: Actor | null,
  c: {
    areaPath: string;
    leadDepartmentId: string | null;
    coDepartmentIds: unknown;
    reporterAccountId: string | null;
  },
): boolean {
  if (!actor) return false;
  if (c.reporterAccountId && c.reporterAccountId === actor.accountId) return true;
  const { paths, departmentIds } = caseReach(ability, actor);
  if (paths.some((p) => pathWithin(c.areaPath, p))) return true;
  const co = Array.isArray(c.coDepartmentIds) ? (c.coDepartmentIds as string[]) : [];
  return departmentIds.some((d) => d === c.leadDepartmentId || co.includes(d));
}

/** Area subtrees (from the roles that read cases by area) and departments (from department handlers). */
export function caseReach(
  ability: Ability,
  actor: Actor | null,
): { paths: string[]; departmentIds: string[] } {
  const areaPaths: string[] = [];
  const departmentIds: string[] = [];
  for (const a of actor?.assignments ?? []) {
    if (DEPARTMENT_ROLES.includes(a.role)) {
      if (a.departmentId && !departmentIds.includes(a.departmentId)) departmentIds.push(a.departmentId);
      continue;
    }
    const readsCases = (RULES[a.role] ?? []).some(
      (r) => r.subject === 'Case' && (r.actions.includes('read') || r.actions.includes('manage')),
    );
    if (readsCases) areaPaths.push(a.areaPath);
  }
  // Only paths the ability itself grants (a safety net), shortest first, dropping those already covered.
  const granted = ability.paths('read', 'Case');
  const sorted = [...new Set(areaPaths)]
    .filter((p) => granted.some((g) => pathWithin(p, g)))
    .sort((a, b) => a.length - b.length);
  const paths = sorted.filter((p, i) => !sorted.slice(0, i).some((q) => pathWithin(p, q)));
  return { paths, departmentIds };
}
