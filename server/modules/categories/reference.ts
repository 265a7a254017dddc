/**
 * Reference data read on every intake (categories, routing rules, departments, areas), kept in process so that taking
 * a case in does not read five tables each time. Triggers bump `reference_version` on any change of those tables
 * (migration 0013), so a snapshot knows when it is stale: `referenceData` checks the version with one cheap query,
 * and intake reads it for free in the statement that takes the case number (cases/service.ts), re-planning the rare
 * intake that raced a change. Snapshots are kept per database handle (tests open many databases in one process).
 */
import { eq, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client';
import { queryRows } from '../../db/client';
import { areas, departments } from '../areas/tables';
import type { CategoryRow } from './service';
import { categories, routingRules } from './tables';

/** A routing rule with the district path of its department. */
export interface RuleRef {
  id: string;
  categoryId: string | null;
  areaPath: string;
  departmentId: string | null;
  level: string | null;
  priority: number;
  createdAt: Date;
  departmentPath: string | null;
}

export interface AreaRef {
  code: string;
  path: string;
  level: string;
  name: string;
}

export interface DepartmentRef {
  id: string;
  name: string;
  areaPath: string;
}

export interface ReferenceData {
  /** The database's reference version this snapshot was read at. */
  version: string;
  categories: Map<string, CategoryRow>;
  rules: RuleRef[];
  departments: Map<string, DepartmentRef>;
  /** Filled on demand (a city has thousands of areas; intake needs a few). */
  areas: Map<string, AreaRef>;
}

const snapshots = new WeakMap<object, ReferenceData>();

/** The reference version the database is at now. */
export async function referenceVersion(db: Tx): Promise<string> {
  const [row] = await queryRows<{ version: string }>(
    db,
    sql`select version::text as version from reference_version where id = 1`,
  );
  return row?.version ?? '0';
}

async function load(db: Tx, version: string): Promise<ReferenceData> {
  const [cats, rules, depts] = [
    await db.select().from(categories),
    await db
      .select({
        id: routingRules.id,
        categoryId: routingRules.categoryId,
        areaPath: routingRules.areaPath,
        departmentId: routingRules.departmentId,
        level: routingRules.level,
        priority: routingRules.priority,
        createdAt: routingRules.createdAt,
        departmentPath: departments.areaPath,
      })
      .from(routingRules)
      .leftJoin(departments, eq(departments.id, routingRules.departmentId)),
    await db
      .select({ id: departments.id, name: departments.name, areaPath: departments.areaPath })
      .from(departments),
  ];
  return {
    version,
    categories: new Map(cats.map((c) => [c.id, c])),
    rules: rules.map((r) => ({ ...r, createdAt: new Date(r.createdAt) })),
    departments: new Map(depts.map((d) => [d.id, d])),
    areas: new Map(),
  };
}

/**
 * The reference data at the database's current version (one query when the kept snapshot is current). With
 * `trusted`, the kept snapshot is answered without asking; the caller must then check the version it meets later
 * (intake does, through the case number statement) and call again with that version when it differs.
 */
export async function referenceData(
  db: Tx,
  opts: { trusted?: boolean; version?: string } = {},
): Promise<ReferenceData> {
  const kept = snapshots.get(db);
  if (kept && opts.trusted && opts.version === undefined) return kept;
  const version = opts.version ?? (await referenceVersion(db));
  if (kept && kept.version === version) return kept;
  const fresh = await load(db, version);
  // The version was read before the tables: a change committed in between makes the snapshot newer than its label,
  // never older, so at worst it is read once more.
  snapshots.set(db, fresh);
  return fresh;
}

/** An area of the snapshot by code, read once from the database (undefined when there is no such area). */
export async function areaRef(db: Tx, ref: ReferenceData, code: string): Promise<AreaRef | undefined> {
  const kept = ref.areas.get(code);
  if (kept) return kept;
  const [row] = await db
    .select({ code: areas.code, path: areas.path, level: areas.level, name: areas.name })
    .from(areas)
    .where(eq(areas.code, code))
    .limit(1);
  if (row) ref.areas.set(code, row);
  return row;
}
