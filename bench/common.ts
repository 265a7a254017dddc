/**
 * Helpers shared by the benchmark scripts (bench/http.ts, bench/cases.ts): settings from the environment, rounding and
 * percentiles, the forked load client, the commit read from .git, the re-run under a throwaway PostgreSQL cluster, a
 * throwaway (or kept, BENCH_DB) database on that server and logging in over HTTP.
 */
import { fork, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { MEASURING, type LoadRequest, type LoadResult } from './load-client';

/** The repository root (the parent of bench/). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Every benchmark talks to 127.0.0.1 only. */
export const HOST = '127.0.0.1';
/** A fixed 32-byte secret for the benchmark app: its data never outlives the run. */
export const SECRET = Buffer.alloc(32, 7);

/** A log function that prefixes each line with `[prefix]`. */
export function logger(prefix: string): (msg: string) => void {
  return (msg) => console.log(`[${prefix}] ${msg}`);
}

/** An integer setting from the environment: `fallback` when unset or empty, an error when not an integer ≥ min. */
export function intEnv(name: string, fallback: number, min = 0): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}, got "${raw}"`);
  return n;
}

/** Rounds to `digits` decimals. */
export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The q-quantile (0..1, nearest rank) of an ascending array; 0 when empty. */
export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ: 100 on every Linux Node runs on). */
const TICKS_PER_SECOND = 100;

/** A process's CPU time (user + system) in ms from /proc/<pid>/stat, with its command name; null where unreadable. */
function procCpu(pid: number | string): { comm: string; ms: number } | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces; the fields after it are space-separated.
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime and stime: fields 14 and 15 of the line
    return { comm: stat.slice(stat.indexOf('(') + 1, close), ms: (ticks * 1000) / TICKS_PER_SECOND };
  } catch {
    return null;
  }
}

/** CPU time by PostgreSQL process on this machine (every process named postgres), in ms; null without /proc. */
function postgresCpu(): Map<string, number> | null {
  let pids: string[];
  try {
    pids = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return null;
  }
  const byPid = new Map<string, number>();
  for (const pid of pids) {
    const p = procCpu(pid);
    if (p?.comm === 'postgres') byPid.set(pid, p.ms);
  }
  return byPid;
}

/** The CPU PostgreSQL spent between two readings: processes that started meanwhile count whole. */
function postgresSpent(before: Map<string, number> | null, after: Map<string, number> | null): number | null {
  if (!before || !after) return null;
  let ms = 0;
  for (const [pid, now] of after) ms += now - (before.get(pid) ?? 0);
  return ms;
}

/**
 * Runs one load test in a separate process (bench/load-client.ts), and adds the CPU time this process (the server,
 * where it runs in-process), PostgreSQL and the load client spent per response in the measured window.
 */
export function runLoad(request: LoadRequest): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(ROOT, 'bench', 'load-client.ts'), [JSON.stringify(request)], {
      cwd: ROOT,
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let result: LoadResult | null = null;
    let start: {
      server: NodeJS.CpuUsage;
      postgres: Map<string, number> | null;
      client: number | null;
    } | null = null;
    child.on('message', (m) => {
      if (m === MEASURING) {
        start = {
          server: process.cpuUsage(),
          postgres: postgresCpu(),
          client: procCpu(child.pid!)?.ms ?? null,
        };
        return;
      }
      result = m as LoadResult;
      if (start && result.requests > 0) {
        const server = process.cpuUsage(start.server);
        const postgres = postgresSpent(start.postgres, postgresCpu());
        const client = procCpu(child.pid!)?.ms;
        const per = (ms: number) => round(ms / result!.requests, 3);
        result.cpuMsPerRequest = {
          server: per((server.user + server.system) / 1000),
          postgres: postgres === null ? null : per(postgres),
          loadClient: client === undefined || start.client === null ? null : per(client - start.client),
        };
      }
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      result ? resolve(result) : reject(new Error(`load client exited with ${code}`)),
    );
  });
}

/** The commit checked out, read from .git directly (no git command): HEAD, then the loose or packed ref it names. */
export function readCommit(): string | null {
  try {
    const gitDir = path.join(ROOT, '.git');
    const head = fs.readFileSync(path.join(gitDir, 'HEAD'), 'utf8').trim();
    if (!head.startsWith('ref: ')) return head;
    const ref = head.slice(5);
    const loose = path.join(gitDir, ref);
    if (fs.existsSync(loose)) return fs.readFileSync(loose, 'utf8').trim();
    const packed = fs.readFileSync(path.join(gitDir, 'packed-refs'), 'utf8');
    return (
      packed
        .split('\n')
        .find((l) => l.endsWith(` ${ref}`))
        ?.split(' ')[0] ?? null
    );
  } catch {
    return null;
  }
}

/**
 * Without DATABASE_URL, runs `script` again inside a throwaway PostgreSQL cluster (scripts/with-postgres.mjs), with
 * `env` added to its environment; resolves to its exit code.
 */
export function reRunUnderPostgres(
  script: string,
  log: (msg: string) => void,
  env: Record<string, string> = {},
): Promise<number> {
  log('no DATABASE_URL: re-running inside a throwaway PostgreSQL cluster (scripts/with-postgres.mjs)');
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'scripts', 'with-postgres.mjs'), process.execPath, '--import', 'tsx', script],
    { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } },
  );
  // with-postgres.mjs stops its cluster on signals; this process only waits for it.
  const forward = (sig: NodeJS.Signals) => child.kill(sig);
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', forward);
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

/**
 * Creates the database `name` (dropped first if left over) on the server of `serverUrl`; returns its URL and a function
 * that drops it again (WITH (FORCE)).
 */
export async function createThrowawayDatabase(
  serverUrl: string,
  name: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const a = new pg.Client({ connectionString: serverUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

/** The database `name` on the server of `serverUrl`, created when missing and never dropped (BENCH_DB). */
export async function reusedDatabase(
  serverUrl: string,
  name: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`BENCH_DB must be a plain name, got "${name}"`);
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [name]);
  if (!rowCount) await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: async () => undefined };
}

/** Logs in over HTTP (POST /api/auth/login) and returns the `linli_session=…` cookie. */
export async function loginCookie(base: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200)
    throw new Error(`login as ${username}: ${res.status} ${(await res.text()).slice(0, 400)}`);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .find((c) => c.startsWith('linli_session='));
  if (!cookie) throw new Error('login set no linli_session cookie');
  return cookie;
}
