/** The one place that turns an ability into a WHERE clause on an area-path column. */
import { sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Action, Subject } from '../../common/abilities';
import type { Ability } from './ability';

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
