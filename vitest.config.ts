// Test runner settings: server and common tests run in Node against a fresh database per file.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: '.',
    include: ['common/**/*.test.ts', 'server/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['server/test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: more workers only fight over them.
    maxWorkers: 2,
    // A worker keeps the modules it loaded for its next file (half the run's time went to loading them again). Each
    // file still opens its own database; state kept in a module must therefore be keyed by the database handle.
    isolate: false,
  },
});
