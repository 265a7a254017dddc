import { describe, expect, it } from 'vitest';
import { isoTimestamp, isoTimestampOrNull } from './values';

describe('a timestamp as the API writes it', () => {
  it('reads the driver’s UTC text as Date would, with any number of fraction digits', () => {
    for (const text of [
      '2026-12-07 00:20:05+00',
      '2026-12-07 00:20:05.4+00',
      '2026-12-07 00:20:05.41+00',
      '2026-12-07 00:20:05.412+00',
      '2026-02-28 23:59:59.999999+00',
      '1999-01-01 00:00:00.000001+00',
    ])
      expect(isoTimestamp(text)).toBe(new Date(text).toISOString());
  });
  it('leaves other offsets and Dates to Date', () => {
    expect(isoTimestamp('2026-12-07 08:20:05.5+08')).toBe('2026-12-07T00:20:05.500Z');
    expect(isoTimestamp(new Date(Date.UTC(2026, 11, 7, 0, 20, 5, 5)))).toBe('2026-12-07T00:20:05.005Z');
  });
  it('keeps NULL as null (isoTimestampOrNull)', () => {
    expect(isoTimestampOrNull(null)).toBeNull();
    expect(isoTimestampOrNull('2026-12-07 00:20:05.41+00')).toBe('2026-12-07T00:20:05.410Z');
  });
});
