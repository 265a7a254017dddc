/** Browser-test harness: starts Linli on a free port with a fresh demo database and opens Chromium at phone or desktop size. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { execFileSync } from 'node:child_process';
import { chromium, type Browser } from 'playwright-core';
import { inject } from 'vitest';
import { loadConfig, type Config } from '../server/config';
import { openContext } from '../server/main';
import { buildApp } from '../server/http/app';
import { openPglite } from '../server/db/client';
import type { App } from '../server/http/types';
import type { AppContext } from '../server/context';

export const DEMO_PASSWORD = 'linli-demo';
export const SHOTS_DIR = path.resolve('e2e/screenshots');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

function chromiumPath(): string {
  for (const p of [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser']) {
    if (p && fs.existsSync(p)) return p;
  }
  try {
    return execFileSync('which', ['chromium']).toString().trim();
  } catch {
    throw new Error('Chromium not found: install Debian\'s "chromium" package (apt-get install chromium)');
  }
}

export interface E2E {
  baseUrl: string;
  app: App;
  ctx: AppContext;
  browser: Browser;
  close(): Promise<void>;
}

/** Starts the server (web app must be built: npm run build) and a headless Chromium; `overrides` change its config. */
export async function startE2E(overrides: Partial<Config> = {}): Promise<E2E> {
  if (!fs.existsSync(path.resolve('web/dist/index.html')))
    throw new Error('web/dist is missing: run npm run build first');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-e2e-'));
  const port = await freePort();
  // A copy of the demo city the global setup seeded, sealed with its key.
  const template = inject('e2eTemplate');
  const config = loadConfig(
    {},
    {
      dataDir,
      port,
      demo: true,
      jobs: false,
      databaseUrl: null,
      logLevel: 'warn',
      secretKey: template.secretKey,
      ...overrides,
    },
  );
  const database = await openPglite(null, new Blob([fs.readFileSync(template.file)]));
  const ctx = await openContext(config, () => undefined, database);
  const app = await buildApp(ctx, { serveWeb: true, logger: false });
  await app.listen({ port, host: '127.0.0.1' });
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
    ],
  });
  fs.mkdirSync(SHOTS_DIR, { recursive: true });
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    app,
    ctx,
    browser,
    async close() {
      await browser.close();
      await app.close();
      await ctx.database.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 800 };
