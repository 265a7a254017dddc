/**
 * Streaming XLSX: reading rows of the first sheet (shared strings first, then the sheet's XML through `saxes`, one
 * inflated chunk at a time) and writing sheets of inline strings through the streaming ZipWriter. Neither holds the
 * sheet in memory; only the shared strings table is kept while reading (the format puts every text cell there).
 */
import type { Readable, Writable } from 'node:stream';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { openZipEntry, readZipDirectory, ZipWriter, type ZipEntry } from './zip';

/** Why a file is not a readable spreadsheet (beside ZipError for the archive itself). */
export class SheetError extends Error {
  constructor(
    readonly rule: 'noSheet' | 'xml' | 'tooLarge',
    message: string,
  ) {
    super(message);
  }
}

/** A cell as read: text, or a number for numeric cells (dates are serial numbers in XLSX). */
export type CellValue = string | number | null;
export interface SheetRow {
  /** 1-based row number as the spreadsheet shows it. */
  row: number;
  cells: CellValue[];
}

/** Inflated bytes allowed per entry: far above a real register, far below what a zip bomb inflates to. */
export const XLSX_MAX_INFLATED = 1024 * 1024 * 1024;
/** Small parts (workbook, relations) are never large. */
const SMALL_PART = 4 * 1024 * 1024;

/** Parses an XML stream, calling the handlers; rejects with SheetError('xml') on malformed XML. */
async function parseXml(
  stream: Readable,
  handlers: {
    open?: (tag: SaxesTagPlain) => void;
    close?: (name: string) => void;
    text?: (text: string) => void;
  },
  onChunk?: () => Promise<void>,
): Promise<void> {
  const parser = new SaxesParser();
  let failure: Error | null = null;
  parser.on('error', (err) => {
    failure ??= new SheetError('xml', err.message);
  });
  if (handlers.open) parser.on('opentag', handlers.open);
  if (handlers.close) parser.on('closetag', (t) => handlers.close!(t.name));
  if (handlers.text) parser.on('text', handlers.text);
  stream.setEncoding('utf8');
  for await (const chunk of stream as AsyncIterable<string>) {
    parser.write(chunk);
    if (failure) {
      stream.destroy();
      throw failure;
    }
    if (onChunk) await onChunk();
  }
  parser.close();
  if (failure) throw failure;
}

function localName(name: string): string {
  const i = name.indexOf(':');
  return i < 0 ? name : name.slice(i + 1);
}

/** Column index (0-based) of a cell reference such as "AB12". */
function columnOf(ref: string): number {
  let n = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c < 65 || c > 90) break;
    n = n * 26 + (c - 64);
  }
  return n - 1;
}

function resolvePath(base: string, target: string): string {
  if (target.startsWith('/')) return target.slice(1);
  const parts = base.split('/').slice(0, -1);
  for (const seg of target.split('/')) {
    if (seg === '..') parts.pop();
    else if (seg !== '.') parts.push(seg);
  }
  return parts.join('/');
}

/** The path of the workbook's first sheet, from workbook.xml and its relations. */
async function firstSheetPath(file: string, entries: Map<string, ZipEntry>): Promise<string> {
  const workbook = entries.get('xl/workbook.xml');
  if (!workbook) throw new SheetError('noSheet', 'no xl/workbook.xml');
  let rid: string | null = null;
  await parseXml(await openZipEntry(file, workbook, SMALL_PART), {
    open(tag) {
      if (rid === null && localName(tag.name) === 'sheet') {
        for (const [k, v] of Object.entries(tag.attributes)) if (localName(k) === 'id') rid = v;
      }
    },
  });
  const rels = entries.get('xl/_rels/workbook.xml.rels');
  let target: string | null = null;
  if (rid && rels)
    await parseXml(await openZipEntry(file, rels, SMALL_PART), {
      open(tag) {
        if (localName(tag.name) === 'Relationship' && tag.attributes.Id === rid)
          target = tag.attributes.Target ?? null;
      },
    });
  const path = target ? resolvePath('xl/workbook.xml', target) : 'xl/worksheets/sheet1.xml';
  if (!entries.has(path)) throw new SheetError('noSheet', 'the workbook has no worksheet');
  return path;
}

/** The shared strings table (rich-text runs joined; phonetic runs left out). */
async function readSharedStrings(file: string, entry: ZipEntry | undefined): Promise<string[]> {
  const out: string[] = [];
  if (!entry) return out;
  let current: string[] | null = null;
  let inT = false;
  let inPhonetic = 0;
  await parseXml(await openZipEntry(file, entry, XLSX_MAX_INFLATED), {
    open(tag) {
      const n = localName(tag.name);
      if (n === 'si') current = [];
      else if (n === 't') inT = true;
      else if (n === 'rPh') inPhonetic++;
    },
    close(name) {
      const n = localName(name);
      if (n === 'si') {
        out.push(current ? current.join('') : '');
        current = null;
      } else if (n === 't') inT = false;
      else if (n === 'rPh') inPhonetic--;
    },
    text(text) {
      if (inT && inPhonetic === 0 && current) current.push(text);
    },
  });
  return out;
}

/**
 * The rows of the first sheet, a chunk at a time (each chunk the rows completed by one block of inflated XML).
 * Empty rows are left out. Throws ZipError or SheetError for what is not a readable workbook.
 */
export async function* readXlsxRows(file: string): AsyncGenerator<SheetRow[]> {
  const entries = await readZipDirectory(file);
  const sheetPath = await firstSheetPath(file, entries);
  const shared = await readSharedStrings(file, entries.get('xl/sharedStrings.xml'));
  const stream = await openZipEntry(file, entries.get(sheetPath)!, XLSX_MAX_INFLATED);

  let ready: SheetRow[] = [];
  let row: SheetRow | null = null;
  let rowCounter = 0;
  let col = -1;
  let type = 'n';
  let text: string[] = [];
  let capture = false;
  let inPhonetic = 0;
  let inInline = false;
  let hasValue = false;

  const parser = new SaxesParser();
  let failure: Error | null = null;
  parser.on('error', (err) => {
    failure ??= new SheetError('xml', err.message);
  });
  parser.on('opentag', (tag) => {
    switch (localName(tag.name)) {
      case 'row': {
        const r = Number(tag.attributes.r);
        rowCounter = Number.isInteger(r) && r > 0 ? r : rowCounter + 1;
        row = { row: rowCounter, cells: [] };
        col = -1;
        break;
      }
      case 'c': {
        const ref = tag.attributes.r;
        col = ref ? columnOf(ref) : col + 1;
        type = tag.attributes.t ?? 'n';
        text = [];
        hasValue = false;
        break;
      }
      case 'v':
        capture = true;
        hasValue = true;
        break;
      case 'is':
        inInline = true;
        hasValue = true;
        break;
      case 't':
        if (inInline) capture = true;
        break;
      case 'rPh':
        inPhonetic++;
        break;
    }
  });
  parser.on('text', (t) => {
    if (capture && inPhonetic === 0) text.push(t);
  });
  parser.on('closetag', (tag) => {
    switch (localName(tag.name)) {
      case 'v':
      case 't':
        capture = false;
        break;
      case 'is':
        inInline = false;
        break;
      case 'rPh':
        inPhonetic--;
        break;
      case 'c': {
        if (!row || col < 0 || col > 16_383 || !hasValue) break;
        const raw = text.join('');
        let value: CellValue;
        if (type === 's') value = shared[Number(raw)] ?? '';
        else if (type === 'n') {
          const n = Number(raw);
          value = raw.trim() === '' ? null : Number.isFinite(n) ? n : raw;
        } else if (type === 'b') value = raw === '1' ? 'TRUE' : 'FALSE';
        else value = raw; // inlineStr, str (a formula's result), e (error text), d (ISO date)
        // Only columns a register can have are kept: a cell at XFD1 must not allocate 16,384 slots per row.
        if (col < 64) row.cells[col] = value;
        break;
      }
      case 'row':
        if (row && row.cells.some((c) => c !== null && c !== undefined && String(c).trim() !== ''))
          ready.push({ row: row.row, cells: Array.from(row.cells, (c) => c ?? null) });
        row = null;
        break;
    }
  });
  stream.setEncoding('utf8');
  for await (const chunk of stream as AsyncIterable<string>) {
    parser.write(chunk);
    if (failure) {
      stream.destroy();
      throw failure;
    }
    if (ready.length) {
      const out = ready;
      ready = [];
      yield out;
    }
  }
  parser.close();
  if (failure) throw failure;
  if (ready.length) yield ready;
}

/** Excel's serial day number to YYYY-MM-DD (1900 date system, with its phantom 29 February 1900). */
export function excelSerialToDate(serial: number): string | null {
  if (!Number.isFinite(serial) || serial < 1 || serial > 2_958_465) return null;
  const days = Math.floor(serial) - (serial > 59 ? 1 : 0);
  const d = new Date(Date.UTC(1899, 11, 31) + days * 86_400_000);
  return d.toISOString().slice(0, 10);
}

// ---------------------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------------------

// eslint-disable-next-line no-control-regex -- characters XML 1.0 cannot carry
const XML_INVALID = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

/** Text escaped for XML content and attributes. */
export function xmlEscape(text: string): string {
  return text
    .replace(XML_INVALID, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function columnName(index: number): string {
  let n = index + 1;
  let s = '';
  while (n > 0) {
    const m = (n - 1) % 26;
    s = String.fromCharCode(65 + m) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

export interface SheetSpec {
  name: string;
  /** Column widths in characters. */
  widths?: number[];
  /** The first row is bold (a header). */
  header?: boolean;
  rows: AsyncIterable<CellValue[]> | Iterable<CellValue[]>;
}

async function* sheetXml(spec: SheetSpec): AsyncGenerator<string> {
  yield '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">';
  if (spec.header)
    yield '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>';
  if (spec.widths?.length)
    yield `<cols>${spec.widths.map((w, i) => `<col min="${i + 1}" max="${i + 1}" width="${w}" customWidth="1"/>`).join('')}</cols>`;
  yield '<sheetData>';
  let r = 0;
  let buf: string[] = [];
  for await (const cells of spec.rows) {
    r++;
    const style = spec.header && r === 1 ? ' s="1"' : '';
    const parts: string[] = [`<row r="${r}">`];
    for (let i = 0; i < cells.length; i++) {
      const v = cells[i];
      if (v === null || v === undefined || v === '') continue;
      const ref = `${columnName(i)}${r}`;
      if (typeof v === 'number') parts.push(`<c r="${ref}"${style}><v>${v}</v></c>`);
      else
        parts.push(
          `<c r="${ref}" t="inlineStr"${style}><is><t xml:space="preserve">${xmlEscape(v)}</t></is></c>`,
        );
    }
    parts.push('</row>');
    buf.push(parts.join(''));
    if (buf.length >= 500) {
      yield buf.join('');
      buf = [];
    }
  }
  if (buf.length) yield buf.join('');
  yield '</sheetData></worksheet>';
}

const STYLES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="49" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyNumberFormat="1"/></cellXfs></styleSheet>`;

/**
 * Writes a workbook of the given sheets to a stream, each sheet's rows deflated as they come. Every cell is text
 * (number format "@"), so ID numbers keep all 18 digits when the file is opened and saved again.
 */
export async function writeXlsx(out: Writable, sheets: SheetSpec[]): Promise<void> {
  const zip = new ZipWriter(out);
  const overrides = sheets
    .map(
      (_, i) =>
        `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`,
    )
    .join('');
  await zip.add('[Content_Types].xml', [
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>${overrides}</Types>`,
  ]);
  await zip.add('_rels/.rels', [
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
  ]);
  await zip.add('xl/workbook.xml', [
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>${sheets
      .map(
        (s, i) => `<sheet name="${xmlEscape(s.name.slice(0, 31))}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`,
      )
      .join('')}</sheets></workbook>`,
  ]);
  await zip.add('xl/_rels/workbook.xml.rels', [
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${sheets
      .map(
        (_, i) =>
          `<Relationship Id="rId${i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`,
      )
      .join(
        '',
      )}<Relationship Id="rId${sheets.length + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`,
  ]);
  await zip.add('xl/styles.xml', [STYLES]);
  for (const [i, s] of sheets.entries()) await zip.add(`xl/worksheets/sheet${i + 1}.xml`, sheetXml(s));
  await zip.finish();
}
