/**
 * SQL fragments that keep a statement's plan reusable (queryNamed): conditions PostgreSQL can match against an index or
 * a partial index's predicate without seeing the parameters' values.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';

/**
 * The first string after every string that starts with `prefix`, in byte order: the prefix with its last character
 * one higher. Prefixes here are ASCII (area paths, holder keys), so the last character is never the highest one.
 */
export function prefixEnd(prefix: string): string {
  if (prefix.length === 0) throw new Error('An empty prefix has no end');
  const last = prefix.charCodeAt(prefix.length - 1);
  if (last >= 0x7f) throw new Error(`Not an ASCII prefix: ${prefix}`);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}

/**
 * `column` starts with `prefix`, as a range in byte order (the text_pattern_ops operators). It means what
 * `column like 'prefix%'` means, but a plan made without the parameters' values still reads it as an index range,
 * where LIKE with a parameter reads the whole index.
 */
export function startsWith(column: AnyPgColumn | SQL, prefix: string): SQL {
  return sql`(${column} ~>=~ ${prefix} and ${column} ~<~ ${prefixEnd(prefix)})`;
}

const CONSTANT = /^[a-z][a-z_]*$/;

/**
 * `column` is one of `values`, written into the statement as literals: they are the code's own constants (statuses),
 * never input, and a partial index whose predicate names them can then be proven usable by a plan made once.
 */
export function inConstants(column: AnyPgColumn | SQL, values: readonly string[]): SQL {
  if (values.length === 0) return sql`false`;
  const list = constantList(values);
  return values.length === 1 ? sql`${column} = ${list}` : sql`${column} in (${list})`;
}

/** `values` as a text array literal, under the same rule as inConstants (code constants only). */
export function constantArray(values: readonly string[]): SQL {
  return sql`array[${constantList(values)}]::text[]`;
}

/** A PostgreSQL array literal of texts, to pass as one parameter however many values there are. */
export function textArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

function constantList(values: readonly string[]): SQL {
  for (const v of values) if (!CONSTANT.test(v)) throw new Error(`Not a constant: ${v}`);
  return sql.raw(values.map((v) => `'${v}'`).join(', '));
}
