/**
 * Test fixtures of the resident import, shared with the browser tests: a spreadsheet of N rows of which some are
 * bad in known ways (each bad row breaks exactly one rule, so a report must name each), as XLSX or CSV bytes.
 */
import { PassThrough } from 'node:stream';
import { idCheckChar, makeIdNumber } from '../../../../common/id-number';
import { IO_COLUMNS, IO_HEADERS, type IoColumn, type IoRule } from '../../../../common/schemas/people-io';
import { Rng, syntheticName } from '../../demo/city';
import { csvLine, type CellValue } from './spreadsheet';
import { writeXlsx } from './xlsx';

export interface FixtureOptions {
  /** Data rows (the header is not counted). */
  rows?: number;
  /** How many of them are bad (spread evenly). */
  bad?: number;
  /** First six digits of the ID numbers (a real district code). */
  region?: string;
  /** Varies the ID numbers, so several fixtures can go into one database. */
  seed?: number;
  /** Household numbers: every third row starts a household of up to three. */
  households?: boolean;
}

export interface ExpectedProblem {
  /** Spreadsheet row number (header = 1). */
  row: number;
  header: string;
  column: IoColumn;
  rule: IoRule;
}

export interface ImportFixture {
  /** The rows as cells (header first). */
  cells: CellValue[][];
  /** The bad rows and the rule each breaks. */
  expected: ExpectedProblem[];
  /** ID numbers of the good rows, in order (to check they were imported). */
  goodIdNumbers: string[];
}

function day(base: number, offset: number): string {
  return new Date(base + offset * 86_400_000).toISOString().slice(0, 10);
}

/** The kinds of bad rows, each breaking one rule in one column. */
const BAD_KINDS: { column: IoColumn; rule: IoRule; spoil(row: Record<IoColumn, CellValue>): void }[] = [
  {
    column: 'idNumber',
    rule: 'checkDigit',
    spoil(r) {
      const id = String(r.idNumber);
      const wrong = idCheckChar(id.slice(0, 17)) === '0' ? '1' : '0';
      r.idNumber = id.slice(0, 17) + wrong;
    },
  },
  {
    column: 'idNumber',
    rule: 'birthDate',
    spoil(r) {
      // 31 February does not exist; the check digit is right, so the birth date is what is named.
      const first17 = `${String(r.idNumber).slice(0, 6)}19800231${String(r.idNumber).slice(14, 17)}`;
      r.idNumber = first17 + idCheckChar(first17);
      r.birthDate = '';
      r.gender = '';
    },
  },
  {
    column: 'phone',
    rule: 'length',
    spoil(r) {
      r.phone = '1390552123';
    },
  },
  {
    column: 'ethnicity',
    rule: 'ethnicity',
    spoil(r) {
      r.ethnicity = '火星族';
    },
  },
  {
    column: 'residenceType',
    rule: 'residenceType',
    spoil(r) {
      r.residenceType = '常驻外星';
    },
  },
  {
    column: 'gender',
    rule: 'idMismatch',
    spoil(r) {
      r.gender = r.gender === '男' ? '女' : '男';
    },
  },
  {
    column: 'permitExpiresOn',
    rule: 'notApplicable',
    spoil(r) {
      r.residenceType = '户籍';
      r.permitExpiresOn = '2030-01-01';
    },
  },
  {
    column: 'name',
    rule: 'required',
    spoil(r) {
      r.name = '';
    },
  },
  {
    column: 'birthDate',
    rule: 'date',
    spoil(r) {
      r.birthDate = '1980-13-45';
    },
  },
  {
    column: 'idNumber',
    rule: 'length',
    spoil(r) {
      r.idNumber = String(r.idNumber).slice(0, 16);
    },
  },
];

/** Builds the rows of a fixture: deterministic for the same options. */
export function importFixture(opts: FixtureOptions = {}): ImportFixture {
  const n = opts.rows ?? 1000;
  const bad = opts.bad ?? 20;
  const region = opts.region ?? '340302';
  const seed = opts.seed ?? 0;
  const every = bad > 0 ? Math.floor(n / bad) : Infinity;
  const base = Date.UTC(1940, 0, 1) + (seed % 50) * 86_400_000 * 3;
  const cells: CellValue[][] = [IO_COLUMNS.map((c) => IO_HEADERS[c])];
  const expected: ExpectedProblem[] = [];
  const goodIdNumbers: string[] = [];
  const names = new Rng(seed * 7919 + 17);
  let badMade = 0;
  let household = 0;
  for (let i = 0; i < n; i++) {
    // Birth dates step 11 days through 80 years, then start over with other sequence numbers (unique up to 2.6M rows).
    const cycle = 2650;
    const birth = day(base, (i % cycle) * 11 + (seed % 11));
    const sequence = (seed * 7 + (i % cycle) * 3 + Math.floor(i / cycle)) % 1000;
    const idNumber = makeIdNumber(region, birth, sequence);
    const male = sequence % 2 === 1;
    const floating = i % 10 === 7;
    const r: Record<IoColumn, CellValue> = {
      // Names as the synthetic city draws them (by frequency), so an imported file does not skew a street's names.
      name: syntheticName(names, male),
      gender: male ? '男' : '女',
      birthDate: birth,
      idNumber,
      phone: i % 4 === 3 ? '' : `139${String(10_000_000 + ((seed * 1000 + i) % 90_000_000)).slice(-8)}`,
      ethnicity: i % 25 === 24 ? '回族' : '汉族',
      residenceType: floating ? '流动' : '户籍',
      permitExpiresOn: floating ? '2027-06-30' : '',
      householdNumber: '',
      relation: '',
      dwelling: '',
      grid: '',
      note: '',
    };
    if (opts.households) {
      if (i % 3 === 0) household++;
      r.householdNumber = `F${seed}-${household}`;
      r.relation = i % 3 === 0 ? '户主' : i % 3 === 1 ? '配偶' : male ? '子' : '女';
    }
    const isBad = badMade < bad && i % every === every - 1;
    if (isBad) {
      const kind = BAD_KINDS[badMade % BAD_KINDS.length]!;
      kind.spoil(r);
      // A bad household head would leave its household headless: bad rows stand alone.
      r.householdNumber = '';
      r.relation = '';
      expected.push({ row: i + 2, header: IO_HEADERS[kind.column], column: kind.column, rule: kind.rule });
      badMade++;
    } else goodIdNumbers.push(idNumber);
    cells.push(IO_COLUMNS.map((c) => r[c]));
  }
  return { cells, expected, goodIdNumbers };
}

/** A fixture's rows as XLSX bytes. */
export async function fixtureXlsx(cells: CellValue[][]): Promise<Buffer> {
  const out = new PassThrough();
  const parts: Buffer[] = [];
  out.on('data', (c: Buffer) => parts.push(c));
  const ended = new Promise<void>((resolve) => out.on('end', resolve));
  await writeXlsx(out, [{ name: '居民', header: true, rows: cells }]);
  await ended;
  return Buffer.concat(parts);
}

/** A fixture's rows as CSV bytes (UTF-8 with a BOM, as Excel saves). */
export function fixtureCsv(cells: CellValue[][]): Buffer {
  return Buffer.from('\ufeff' + cells.map(csvLine).join(''), 'utf8');
}

/** The e2e file: 1,000 rows, 20 bad, as XLSX, with the problems a report must name. */
export async function e2eImportFile(
  seed = 1,
): Promise<{ xlsx: Buffer; expected: ExpectedProblem[]; good: number }> {
  const f = importFixture({ rows: 1000, bad: 20, seed });
  return { xlsx: await fixtureXlsx(f.cells), expected: f.expected, good: f.goodIdNumbers.length };
}
