import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { openPglite } from '../../db/client';
import { appendAuditStandalone } from './log';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `linli …` as a child process on the embedded database in dataDir (never on DATABASE_URL). */
function linli(dataDir: string, ...args: string[]): Promise<Run> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LINLI_DATA_DIR: dataDir,
    LINLI_DEMO: 'false',
    LOG_LEVEL: 'warn',
  };
  delete env.DATABASE_URL;
  delete env.LINLI_SECRET_KEY;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, 'bin/linli.mjs'), ...args],
      { cwd: ROOT, env, timeout: 120_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('linli audit verify', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-cli-'));
    const migrated = await linli(dataDir, 'migrate');
    expect(migrated.code, migrated.stderr).toBe(0);
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  /** Opens the CLI's database in this process (the CLI has exited, so the folder is free). */
  async function withDatabase(fn: (db: Awaited<ReturnType<typeof openPglite>>['db']) => Promise<void>) {
    const database = await openPglite(dataDir);
    try {
      await fn(database.db);
    } finally {
      await database.close();
    }
  }

  it('exits 0 and says the log is intact', async () => {
    await withDatabase(async (db) => {
      for (const action of ['test.one', 'test.two', 'test.three']) {
        await appendAuditStandalone(db, { action, outcome: 'success', details: { action } });
      }
    });
    const run = await linli(dataDir, 'audit', 'verify');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^audit log intact: \d+ entries checked \((sm3|sha256)\)$/m);
  });

  it('exits 1 and names the entry when a row was changed', async () => {
    await withDatabase(async (db) => {
      await db.execute(sql`alter table audit_log disable trigger audit_log_append_only`);
      await db.execute(sql`update audit_log set action = 'test.forged' where action = 'test.two'`);
      await db.execute(sql`alter table audit_log enable trigger audit_log_append_only`);
    });
    const run = await linli(dataDir, 'audit', 'verify');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/audit log BROKEN at entry \d+: hash \(\d+ entries verified before it\)/);
  });
});
