/**
 * The import as the routes see it: the raw upload streamed to a temporary file (never into memory) with its size
 * capped and its SHA-256 taken on the way, the format told by the file's first bytes, the import run, the report
 * kept in the upload store for its download, and the temporary file removed whatever happens.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { eq } from 'drizzle-orm';
import { translate, type MessageKey } from '../../../../common/i18n';
import type { Locale } from '../../../../common/locale';
import {
  IMPORT_MAX_BYTES,
  IMPORT_MIME_CSV,
  IMPORT_MIME_XLSX,
  type ImportReport,
} from '../../../../common/schemas/people-io';
import type { AppContext } from '../../../context';
import { AppError } from '../../../http/errors';
import { Ability, type Actor } from '../../../policy/ability';
import { uploadStore } from '../../../storage';
import type { RequestMeta } from '../../accounts/service';
import { areas } from '../../areas/tables';
import { importResidents, malformed } from './import';
import { csvLine, safeCell, type CellValue } from './spreadsheet';
import { writeXlsx } from './xlsx';

/** The media types the import route reads raw; anything else is 415. */
export const IMPORT_MIME_TYPES = [IMPORT_MIME_XLSX, IMPORT_MIME_CSV, 'application/octet-stream'] as const;

export function unsupportedSheetType(): AppError {
  return new AppError('request.unsupported_media_type', [
    { field: 'headers.content-type', rule: 'mediaType', limit: IMPORT_MIME_TYPES.join(', ') },
  ]);
}

interface SavedUpload {
  file: string;
  dir: string;
  bytes: number;
  sha256: string;
  head: Buffer;
}

/** Streams a request body into a fresh temporary file; 413 past maxBytes, 400 when empty. */
export async function saveUpload(body: Readable, maxBytes = IMPORT_MAX_BYTES): Promise<SavedUpload> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'linli-import-'));
  const file = path.join(dir, 'upload');
  const hash = crypto.createHash('sha256');
  let bytes = 0;
  let head = Buffer.alloc(0);
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > maxBytes) return done(new AppError('request.too_large'));
      if (head.length < 8) head = Buffer.concat([head, chunk.subarray(0, 8 - head.length)]);
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(body, meter, fs.createWriteStream(file, { mode: 0o600 }));
  } catch (err) {
    await fs.promises.rm(dir, { recursive: true, force: true });
    if (err instanceof AppError) throw err;
    throw new AppError('request.malformed');
  }
  if (bytes === 0) {
    await fs.promises.rm(dir, { recursive: true, force: true });
    throw malformed('empty');
  }
  return { file, dir, bytes, sha256: hash.digest('hex'), head };
}

/** The media type without parameters, when the import reads it; null for none, 'bad' for another one. */
export function sheetMime(contentType: string | undefined): string | null | 'bad' {
  if (!contentType) return null;
  const t = contentType.split(';')[0]!.trim().toLowerCase();
  return (IMPORT_MIME_TYPES as readonly string[]).includes(t) ? t : 'bad';
}

interface StoredReport {
  accountId: string;
  areaPath: string;
  report: ImportReport;
}

/**
 * Runs an import of an uploaded body into an area: permission first (before reading the body), then the file is
 * saved, read and removed. The report is stored for its download and returned.
 */
export async function runImport(
  ctx: AppContext,
  actor: Actor,
  input: { areaCode: string; contentType: string | undefined; body: unknown; locale: Locale },
  meta: RequestMeta = {},
): Promise<ImportReport> {
  new Ability(actor).authorize('create', 'Population');
  const mime = sheetMime(input.contentType);
  if (mime === 'bad' || !isReadable(input.body)) throw unsupportedSheetType();
  const saved = await saveUpload(input.body as Readable);
  try {
    const zip = saved.head.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
    if (mime === IMPORT_MIME_XLSX && !zip) throw malformed('notZip');
    const format = mime === IMPORT_MIME_CSV ? 'csv' : zip ? 'xlsx' : 'csv';
    const result = await importResidents(
      ctx,
      actor,
      { file: saved.file, format, fileSha256: saved.sha256, areaCode: input.areaCode, locale: input.locale },
      meta,
    );
    const report: ImportReport = { id: crypto.randomUUID(), ...result };
    const stored: StoredReport = {
      accountId: actor.accountId,
      areaPath: await areaPathOf(ctx, result.areaCode),
      report,
    };
    // The rows are committed by now: a store that fails costs the report's download, not the answer.
    await uploadStore(ctx)
      .put(`imports/${report.id}.json`, Buffer.from(JSON.stringify(stored)))
      .catch(() => undefined);
    return report;
  } finally {
    await fs.promises.rm(saved.dir, { recursive: true, force: true });
  }
}

function isReadable(body: unknown): body is Readable {
  return typeof (body as Readable | null)?.pipe === 'function' && typeof (body as Readable).on === 'function';
}

async function areaPathOf(ctx: AppContext, code: string): Promise<string> {
  const [a] = await ctx.db.select({ path: areas.path }).from(areas).where(eq(areas.code, code));
  return a?.path ?? '';
}

/**
 * A stored import report as XLSX or CSV: one line per rule broken (row, column, rule, message). Its importer may
 * download it, and whoever may import into the same area.
 */
export async function reportFile(
  ctx: AppContext,
  actor: Actor,
  id: string,
  format: 'xlsx' | 'csv',
  locale: Locale,
): Promise<{ stream: Readable; filename: string; contentType: string }> {
  const raw = await uploadStore(ctx).get(`imports/${id.toLowerCase()}.json`);
  if (!raw) throw new AppError('import.unknown_report');
  const stored = JSON.parse(raw.toString('utf8')) as StoredReport;
  const ability = new Ability(actor);
  if (stored.accountId !== actor.accountId && !ability.can('create', 'Population', stored.areaPath))
    throw new AppError('import.unknown_report');
  const t = (key: string, params?: Record<string, string | number>) =>
    translate(locale, key as MessageKey, params);
  const r = stored.report;
  const rows: CellValue[][] = [
    [
      t('peopleIo.report.row'),
      t('peopleIo.report.column'),
      t('peopleIo.report.rule'),
      t('peopleIo.report.message'),
    ],
    ...r.problems.map((p) => [String(p.row), safeCell(p.header ?? ''), p.rule, safeCell(p.message)]),
  ];
  const summary: CellValue[][] = [
    [t('peopleIo.report.summary'), ''],
    [t('peopleIo.result.rows'), String(r.rows)],
    [t('peopleIo.result.created'), String(r.created)],
    [t('peopleIo.result.updated'), String(r.updated)],
    [t('peopleIo.result.unchanged'), String(r.unchanged)],
    [t('peopleIo.result.rejected'), String(r.rejected)],
    ['SHA-256', r.fileSha256],
  ];
  const out = new PassThrough();
  if (format === 'csv') out.end('\ufeff' + rows.map(csvLine).join(''));
  else
    void writeXlsx(out, [
      { name: t('peopleIo.report.sheet'), header: true, widths: [8, 16, 16, 60], rows },
      { name: t('peopleIo.report.summary'), header: true, widths: [16, 70], rows: summary },
    ]).catch((err: unknown) => out.destroy(err as Error));
  return {
    stream: out,
    filename: `import-report-${id.slice(0, 8)}.${format}`,
    contentType:
      format === 'csv'
        ? 'text/csv; charset=utf-8'
        : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  };
}
