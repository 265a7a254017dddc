/**
 * Runs once before the browser-test files: migrates an embedded database, seeds the demo city into it and dumps it,
 * so each file's server starts from a copy in about two seconds instead of migrating and seeding its own (about eight
 * seconds of CPU each, on a two-core machine that the browser needs).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../server/config';
import { openPglite } from '../server/db/client';
import { openContext } from '../server/main';
import { seedDemo } from '../server/modules/demo/seed';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The seeded demo database's dump, and the key its personal data is sealed with. */
    e2eTemplate: { file: string; secretKey: string };
  }
}

export default async function setup(project: TestProject) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-e2e-tpl-'));
  const secretKey = crypto.randomBytes(32).toString('hex');
  const config = loadConfig(
    {},
    { dataDir: dir, demo: true, jobs: false, databaseUrl: null, logLevel: 'warn', secretKey },
  );
  const ctx = await openContext(config, () => undefined, await openPglite(null));
  await seedDemo(ctx);
  const dump = await ctx.database.pglite!.dumpDataDir('none');
  const file = path.join(dir, 'demo.tar');
  fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  await ctx.database.close();
  project.provide('e2eTemplate', { file, secretKey });
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
