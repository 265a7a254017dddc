/**
 * The names a case list shows beside its ids (category, area, lead department), kept by each server. Read by scalar
 * subqueries they were 50 rows × 3 lookups, 0.7–0.9 ms of a list's PostgreSQL time, more than the page itself; joins
 * instead cost as much again to plan wherever a list is planned on each call. Kept true by PostgreSQL (migration 0031:
 * a rename, delete or truncate of categories, areas or departments notifies channel linli_names), under the rules of
 * NotifiedCache; a server that cannot listen reads a page's names in one statement every time.
 */
import { sql } from 'drizzle-orm';
import { queryNamed, type Tx } from '../../db/client';
import { textArray } from '../../db/fragments';
import { NotifiedCache, type NotifiedCacheOptions } from '../../db/notified-cache';

export const NAMES_CHANNEL = 'linli_names';

export type NameKind = 'category' | 'area' | 'department';

/** Ids by kind: what a page needs named. */
export type NameWants = Record<NameKind, Set<string>>;

export interface NameBookOptions extends NotifiedCacheOptions {
  /** How many names a server keeps; the oldest is forgotten first. */
  maxEntries?: number;
}

const keyOf = (kind: NameKind, id: string) => `${kind}:${id}`;

/** The names one server keeps (see the module comment for when they are forgotten). */
export class NameBook extends NotifiedCache {
  private readonly names = new Map<string, string>();
  private readonly maxEntries: number;

  constructor(options: NameBookOptions = {}) {
    super(NAMES_CHANNEL, options);
    this.maxEntries = options.maxEntries ?? 100_000;
  }

  get size(): number {
    return this.names.size;
  }

  /** The name kept for an id, if the book may answer. */
  get(kind: NameKind, id: string): string | undefined {
    return this.live ? this.names.get(keyOf(kind, id)) : undefined;
  }

  /** Keeps a name read from the database, unless something was forgotten since `mark`. */
  put(kind: NameKind, id: string, name: string, mark: number): void {
    if (!this.keeps(mark)) return;
    const key = keyOf(kind, id);
    if (!this.names.has(key) && this.names.size >= this.maxEntries) {
      const oldest = this.names.keys().next();
      if (!oldest.done) this.names.delete(oldest.value);
    }
    this.names.set(key, name);
  }

  protected clear(): void {
    this.names.clear();
  }

  // Renames are rare: any of them forgets every name.
  protected notified(): void {
    this.forgetAll();
  }
}

/** An empty set of wants, to fill from a page's rows. */
export function nameWants(): NameWants {
  return { category: new Set(), area: new Set(), department: new Set() };
}

/** Looks a name up: null for no id (a case without a lead department) or one that names nothing. */
export type Names = (kind: NameKind, id: string | null) => string | null;

/**
 * The names of `wants`: from the book where kept, the rest in one statement (then kept). Without a book, or while it
 * cannot answer, every name is read.
 */
export async function namesOf(db: Tx, book: NameBook | null, wants: NameWants): Promise<Names> {
  const found = new Map<string, string>();
  const missing = nameWants();
  let any = false;
  for (const kind of Object.keys(wants) as NameKind[]) {
    for (const id of wants[kind]) {
      const kept = book?.get(kind, id);
      if (kept !== undefined) found.set(keyOf(kind, id), kept);
      else {
        missing[kind].add(id);
        any = true;
      }
    }
  }
  if (any) {
    const mark = book?.mark() ?? 0;
    const rows = await queryNamed<{ kind: NameKind; id: string; name: string }>(
      db,
      sql`select 'category' as kind, id::text as id, name from categories where id = any(${textArray([...missing.category])}::uuid[])
          union all select 'area', code, name from areas where code = any(${textArray([...missing.area])}::text[])
          union all select 'department', id::text, name from departments
                     where id = any(${textArray([...missing.department])}::uuid[])`,
    );
    for (const r of rows) {
      found.set(keyOf(r.kind, r.id), r.name);
      book?.put(r.kind, r.id, r.name, mark);
    }
  }
  return (kind, id) => (id === null ? null : (found.get(keyOf(kind, id)) ?? null));
}
