// Browser tests: the real server on the embedded database with the demo city, driven in Debian's Chromium.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: '.',
    include: ['e2e/**/*.e2e.ts'],
    environment: 'node',
    globalSetup: ['e2e/global-setup.ts'],
    testTimeout: 90_000,
    hookTimeout: 240_000,
    // What the page shows after a server round trip can take seconds on a busy machine (the default is 1 s).
    expect: { poll: { timeout: 15_000, interval: 100 } },
    pool: 'forks',
    // One server and one browser: files run one after another.
    fileParallelism: false,
    // Each file starts its own server and browser; the modules they are made of load once.
    isolate: false,
  },
});
