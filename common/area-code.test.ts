import { describe, expect, it } from 'vitest';
import {
  ancestorPaths,
  areaPath,
  codeFromPath,
  isInSubtree,
  levelOfPath,
  parentCodeOf,
  parseAreaCode,
} from './area-code';

describe('parseAreaCode', () => {
  it.each([
    ['340000000000', 'province', '34', null],
    ['340300000000', 'city', '3403', '340000000000'],
    ['340302000000', 'district', '340302', '340300000000'],
    // Development zone: county part 71-80.
    ['340371000000', 'district', '340371', '340300000000'],
    ['340302001000', 'street', '340302001', '340302000000'],
    // NBS-only township range 400-599 (管委会, 社区行政事务管理中心).
    ['340303401000', 'street', '340303401', '340303000000'],
    ['340371400000', 'street', '340371400', '340371000000'],
    ['340302001001', 'community', '340302001001', '340302001000'],
    ['340371400400', 'community', '340371400400', '340371400000'],
    ['340302001001001', 'grid', '340302001001001', '340302001001'],
    ['340302001001999', 'grid', '340302001001999', '340302001001'],
    ['110101001001', 'community', '110101001001', '110101001000'],
    ['820000000000', 'province', '82', null],
    // 不设区的地级市: county part 00, townships straight under the city (东莞, 中山, 儋州).
    ['441900000000', 'city', '4419', '440000000000'],
    ['441900003000', 'street', '441900003', '441900000000'],
    ['441900101000', 'street', '441900101', '441900000000'],
    ['460400500000', 'street', '460400500', '460400000000'],
    ['441900003001', 'community', '441900003001', '441900003000'],
    ['441900003001001', 'grid', '441900003001001', '441900003001'],
    // The code alone cannot tell whether a city has counties, so this shape is accepted anywhere.
    ['340300001000', 'street', '340300001', '340300000000'],
  ])('accepts %s as %s', (code, level, path, parentCode) => {
    expect(parseAreaCode(code)).toEqual({ ok: true, code, level, path, parentCode });
  });

  it.each([
    ['34030200100', 'length'],
    ['3403020010011', 'length'],
    ['', 'digits'],
    ['34030200100a', 'digits'],
    ['３４０３０２００１００１', 'digits'],
    [' 340302001001', 'digits'],
    ['000000000000', 'province'],
    ['100000000000', 'province'],
    ['830000000000', 'province'],
    ['340000001000', 'zeroGroup'],
    ['340002000000', 'zeroGroup'],
    ['340302000001', 'zeroGroup'],
    ['440000003000', 'zeroGroup'],
    ['440000003001', 'zeroGroup'],
    ['340300000001', 'zeroGroup'],
    ['441900000001', 'zeroGroup'],
    ['441900003000001', 'gridParent'],
    ['441900003001000', 'gridSuffix'],
    ['340302001000001', 'gridParent'],
    ['340302001001000', 'gridSuffix'],
  ])('rejects %s (%s)', (code, rule) => {
    expect(parseAreaCode(code)).toEqual({ ok: false, rule });
  });
});

describe('paths', () => {
  it('trims trailing zero groups and pads them back', () => {
    for (const code of [
      '340000000000',
      '340300000000',
      '340371000000',
      '340303401000',
      '340302001001',
      '441900003000',
      '441900003001',
    ]) {
      expect(codeFromPath(areaPath(code))).toBe(code);
    }
    expect(areaPath('340302001001001')).toBe('340302001001001');
    expect(codeFromPath('340302001001001')).toBe('340302001001001');
    expect(codeFromPath('3403')).toBe('340300000000');
  });

  it('rejects invalid codes and misaligned paths', () => {
    expect(() => areaPath('340000001000')).toThrow(RangeError);
    expect(() => codeFromPath('34030')).toThrow(RangeError);
    expect(() => codeFromPath('34a3')).toThrow(RangeError);
    expect(() => levelOfPath('3403020')).toThrow(RangeError);
    // Aligned, but ending in a zero group: the path of no code.
    expect(() => codeFromPath('340300')).toThrow(RangeError);
    expect(() => levelOfPath('441900')).toThrow(RangeError);
    expect(() => ancestorPaths('440000003')).toThrow(RangeError);
  });

  it('finds parents', () => {
    expect(parentCodeOf('340000000000')).toBeNull();
    expect(parentCodeOf('340302001001')).toBe('340302001000');
    expect(parentCodeOf('340302001001002')).toBe('340302001001');
    expect(parentCodeOf('441900003000')).toBe('441900000000');
    expect(parentCodeOf('441900003001')).toBe('441900003000');
  });

  it('maps path lengths to levels', () => {
    expect(['34', '3403', '340302', '340302001', '340302001001', '340302001001001'].map(levelOfPath)).toEqual(
      ['province', 'city', 'district', 'street', 'community', 'grid'],
    );
    expect(['4419', '441900003', '441900003001', '441900003001001'].map(levelOfPath)).toEqual([
      'city',
      'street',
      'community',
      'grid',
    ]);
  });

  it('tests subtree membership on group boundaries', () => {
    expect(isInSubtree('340302001001', '3403')).toBe(true);
    expect(isInSubtree('340302001001001', '340302001001')).toBe(true);
    expect(isInSubtree('3403', '3403')).toBe(true);
    expect(isInSubtree('3403', '340302')).toBe(false);
    expect(isInSubtree('340402001001', '3403')).toBe(false);
    // Misaligned ancestor: '34030' is a string prefix but no unit.
    expect(isInSubtree('340302', '34030')).toBe(false);
    expect(isInSubtree('3403020', '3403')).toBe(false);
    // A countyless city's townships lie under the city; '441900' is no unit to be under.
    expect(isInSubtree('441900003001', '4419')).toBe(true);
    expect(isInSubtree('441900003001001', '441900003')).toBe(true);
    expect(isInSubtree('441900003', '441900')).toBe(false);
    expect(isInSubtree('442000003', '4419')).toBe(false);
  });

  it('lists ancestor paths root first', () => {
    expect(ancestorPaths('340302001001001')).toEqual(['34', '3403', '340302', '340302001', '340302001001']);
    expect(ancestorPaths('340302')).toEqual(['34', '3403']);
    expect(ancestorPaths('34')).toEqual([]);
    // No '441900': a countyless city's township skips the county.
    expect(ancestorPaths('441900003')).toEqual(['44', '4419']);
    expect(ancestorPaths('441900003001001')).toEqual(['44', '4419', '441900003', '441900003001']);
    expect(ancestorPaths('4419')).toEqual(['44']);
  });
});
