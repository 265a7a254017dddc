/**
 * The resident's place lookup: communities and grids found by a part of their own name or of their community's,
 * street's or district's name. Administrative names are public information (printed on every community office's
 * door), so every signed-in account may look them up, residents included, who can read no area otherwise.
 */
import { sql } from 'drizzle-orm';
import type { AreaLookupItem } from '../../../common/schemas/areas';
import type { AppContext } from '../../context';
import { queryRows } from '../../db/client';
import { invalidField } from '../../http/errors';

interface LookupRow {
  code: string;
  name: string;
  level: 'community' | 'grid';
  community: string;
  street: string | null;
  district: string | null;
}

/**
 * Up to `limit` communities and grids matching q, the closest matches first: the place's own name, then its
 * community's, then its street's, then its district's; communities before their grids, then by code.
 */
export async function lookupPlaces(
  ctx: AppContext,
  query: { q: string; limit?: number | undefined },
): Promise<AreaLookupItem[]> {
  const q = query.q.trim();
  if (q === '') throw invalidField('querystring.q', 'minLength', 1);
  const limit = Math.min(query.limit ?? 20, 20);
  // strpos, not LIKE: % and _ in q are plain characters, nothing to escape. Case-folded for Latin names.
  const hit = (column: string) => sql`strpos(lower(${sql.identifier(column)}.name), lower(${q})) > 0`;
  const rows = await queryRows<LookupRow>(
    ctx.db,
    sql`select a.code, a.name, a.level, c.name as community, s.name as street, d.name as district
        from areas a
        join areas c on c.code = case when a.level = 'grid' then a.parent_code else a.code end
        left join areas s on s.code = c.parent_code
        left join areas d on d.code = s.parent_code
        where a.level in ('community', 'grid')
          and (${hit('a')} or ${hit('c')} or ${hit('s')} or ${hit('d')})
        order by case when ${hit('a')} then 0 when ${hit('c')} then 1 when ${hit('s')} then 2 else 3 end,
          a.level = 'grid', a.code
        limit ${limit}`,
  );
  return rows.map((r) => ({
    code: r.code,
    name: r.name,
    level: r.level,
    fullName: [r.district, r.street, r.community, r.level === 'grid' ? r.name : null]
      .filter((n): n is string => !!n)
      .join(' '),
  }));
}
