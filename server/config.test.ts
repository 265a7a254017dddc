import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config';

describe('the configuration', () => {
  it('keeps twice the CPUs in PostgreSQL connections, at least 4, unless LINLI_DB_POOL names a number', () => {
    expect(loadConfig({}).dbPoolSize).toBe(Math.max(4, 2 * os.availableParallelism()));
    expect(loadConfig({ LINLI_DB_POOL: '3' }).dbPoolSize).toBe(3);
    expect(loadConfig({ LINLI_DB_POOL: '0' }).dbPoolSize).toBe(1);
    expect(() => loadConfig({ LINLI_DB_POOL: 'many' })).toThrow(/LINLI_DB_POOL/);
  });

  it('keeps resolved sessions and names in memory unless LINLI_CACHES is off', () => {
    expect(loadConfig({}).caches).toBe(true);
    expect(loadConfig({ LINLI_CACHES: 'false' }).caches).toBe(false);
    expect(() => loadConfig({ LINLI_CACHES: 'sometimes' })).toThrow(/LINLI_CACHES/);
  });
});
