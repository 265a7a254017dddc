/**
 * Spreadsheet plumbing shared by import and export: rows of a CSV or XLSX file as a stream of chunks, the header
 * row mapped to the register's columns, CSV writing, the guard against spreadsheet-formula injection, and what a
 * route sending a spreadsheet declares.
 */
import fs from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { Type } from 'typebox';
import {
  IO_COLUMNS,
  IO_HEADER_ALIASES,
  IO_HEADERS,
  IO_REQUIRED_COLUMNS,
  type IoColumn,
} from '../../../../common/schemas/people-io';
import { readXlsxRows, type CellValue, type SheetRow } from './xlsx';

export type { CellValue, SheetRow };

/** Bytes of CSV text a file may have at most (the upload cap applies first; this guards the decoded text). */
const CSV_MAX_FIELD = 10_000;

/** The Content-Type of an XLSX file. */
export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The response schema of a route that sends a spreadsheet, XLSX or CSV, for the OpenAPI document. */
export const spreadsheetFile = (what: string) =>
  Type.Unsafe<Readable>({
    description: what,
    content: {
      [XLSX_MIME]: { schema: { type: 'string', format: 'binary' } },
      'text/csv': { schema: { type: 'string', format: 'binary' } },
    },
  });

/** The Content-Disposition of a file sent for download under this name. */
export function attachment(name: string): string {
  return `attachment; filename="${name}"`;
}

/** A spreadsheet cell as text that no spreadsheet program evaluates: = + - @ tab CR at the start get a '. */
export function safeCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** One CSV line (RFC 4180 quoting, CRLF). */
export function csvLine(cells: readonly CellValue[]): string {
  return (
    cells
      .map((c) => {
        if (c === null || c === undefined) return '';
        const s = String(c);
        return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
      })
      .join(',') + '\r\n'
  );
}

/** True when the first bytes are not valid UTF-8 (then the file is read as GB 18030, what Excel saves in China). */
function looksLikeGbk(sample: Buffer): boolean {
  // A multi-byte sequence cut at the end of the sample is not a fault.
  let end = sample.length;
  for (let i = Math.max(0, end - 4); i < end; i++) if ((sample[i]! & 0xc0) === 0xc0) end = i;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample.subarray(0, end));
    return false;
  } catch {
    return true;
  }
}

function decoder(encoding: string): Transform {
  const dec = new TextDecoder(encoding);
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      done(null, dec.decode(chunk, { stream: true }));
    },
    flush(done) {
      done(null, dec.decode());
    },
  });
}

async function* readCsvRows(file: string): AsyncGenerator<SheetRow[]> {
  const fd = await fs.promises.open(file, 'r');
  const sample = Buffer.alloc(64 * 1024);
  const { bytesRead } = await fd.read(sample, 0, sample.length, 0);
  await fd.close();
  const gbk = looksLikeGbk(sample.subarray(0, bytesRead));
  let source: Readable = fs.createReadStream(file, { highWaterMark: 256 * 1024 });
  if (gbk) source = source.pipe(decoder('gb18030'));
  const parser = source.pipe(
    parse({
      bom: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      max_record_size: CSV_MAX_FIELD * 20,
      info: true,
    }),
  );
  let chunk: SheetRow[] = [];
  for await (const rec of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    if (!rec.record.some((c) => c.trim() !== '')) continue;
    chunk.push({ row: rec.info.lines, cells: rec.record });
    if (chunk.length >= 500) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length) yield chunk;
}

/** The rows of a CSV or XLSX file, in chunks; errors of the format surface as ZipError/SheetError/CsvError. */
export function readSheetRows(file: string, format: 'xlsx' | 'csv'): AsyncGenerator<SheetRow[]> {
  return format === 'xlsx' ? readXlsxRows(file) : readCsvRows(file);
}

/** A header as compared: no spaces, no required-field star, no bracketed note (居住类型（户籍/流动/境外）). */
function headerKey(text: string): string {
  return text
    .replace(/[\s\u3000*＊]/g, '')
    .replace(/[(（][^)）]*[)）]/g, '')
    .trim();
}

const BY_HEADER = new Map<string, IoColumn>([
  ...IO_COLUMNS.map((c) => [IO_HEADERS[c], c] as [string, IoColumn]),
  ...Object.entries(IO_HEADER_ALIASES),
]);

export interface HeaderMap {
  /** Column index in the file of each known column. */
  index: Partial<Record<IoColumn, number>>;
  /** The header text as the file has it, for the report. */
  text: Partial<Record<IoColumn, string>>;
}

/** Maps a header row; returns the missing required columns and the duplicated ones as problems. */
export function mapHeader(cells: readonly CellValue[]): {
  map: HeaderMap;
  missing: IoColumn[];
  duplicated: string[];
} {
  const map: HeaderMap = { index: {}, text: {} };
  const duplicated: string[] = [];
  cells.forEach((c, i) => {
    if (c === null || c === undefined) return;
    const col = BY_HEADER.get(headerKey(String(c)));
    if (!col) return;
    if (map.index[col] !== undefined) duplicated.push(String(c));
    else {
      map.index[col] = i;
      map.text[col] = String(c).trim();
    }
  });
  const missing = IO_REQUIRED_COLUMNS.filter((c) => map.index[c] === undefined);
  return { map, missing, duplicated };
}
