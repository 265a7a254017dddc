// Runs a command against a throwaway PostgreSQL cluster: `node scripts/with-postgres.mjs <command…>`.
// With DATABASE_URL already set it only runs the command. Otherwise it creates a temporary cluster (initdb, as user
// `postgres` when run as root), starts it on 127.0.0.1 and a free port with durability off (tests only), runs the
// command with DATABASE_URL and LINLI_SECRET_KEY set, and always stops the cluster and deletes its folder afterwards.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';

/** A fixed 32-byte key (64 hex digits) for the throwaway database: its data never outlives the run. */
const TEST_SECRET_KEY = '6c696e6c692d746573742d6b65792d6f6e6c792d6e6f742d666f722d70726f64';
const SIGNAL_CODES = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

function log(msg) {
  console.error(`[with-postgres] ${msg}`);
}

function die(msg, code = 1) {
  log(`error: ${msg}`);
  process.exit(code);
}

const command = process.argv.slice(2);
if (command.length === 0) {
  die(
    'usage: node scripts/with-postgres.mjs <command> [args…]\n  e.g. node scripts/with-postgres.mjs npx vitest run',
    2,
  );
}

/** Runs the command with extra environment, forwarding stdio, signals and the exit status. Returns the exit code. */
function runCommand(env, onSignalWhileIdle) {
  return new Promise((resolve) => {
    const child = spawn(command[0], command.slice(1), { stdio: 'inherit', env: { ...process.env, ...env } });
    let signalled = null;
    const forward = (sig) => {
      signalled ??= sig;
      if (child.exitCode === null && child.signalCode === null) child.kill(sig);
      else onSignalWhileIdle(sig);
    };
    for (const sig of Object.keys(SIGNAL_CODES)) process.on(sig, forward);
    child.on('error', (err) => {
      log(`error: cannot run "${command[0]}": ${err.code === 'ENOENT' ? 'command not found' : err.message}`);
      resolve(127);
    });
    child.on('exit', (code, signal) => {
      if (signalled) resolve(128 + SIGNAL_CODES[signalled]);
      else if (signal) resolve(128 + (os.constants.signals[signal] ?? 1));
      else resolve(code ?? 1);
    });
  });
}

// --- An existing server: nothing to start. ---
if (process.env.DATABASE_URL) {
  const code = await runCommand({}, () => undefined);
  process.exit(code);
}

// --- Find the PostgreSQL server binaries. ---
function versionKey(name) {
  return name.split('.').map((n) => Number.parseInt(n, 10) || 0);
}

function findBinDir() {
  const base = '/usr/lib/postgresql';
  if (fs.existsSync(base)) {
    const versions = fs
      .readdirSync(base)
      .filter(
        (v) =>
          fs.existsSync(path.join(base, v, 'bin', 'initdb')) &&
          fs.existsSync(path.join(base, v, 'bin', 'pg_ctl')),
      )
      .sort((a, b) => {
        const ka = versionKey(a);
        const kb = versionKey(b);
        for (let i = 0; i < Math.max(ka.length, kb.length); i++) {
          if ((ka[i] ?? 0) !== (kb[i] ?? 0)) return (kb[i] ?? 0) - (ka[i] ?? 0);
        }
        return 0;
      });
    if (versions.length > 0) return path.join(base, versions[0], 'bin');
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && fs.existsSync(path.join(dir, 'initdb')) && fs.existsSync(path.join(dir, 'pg_ctl'))) return dir;
  }
  return null;
}

const binDir = findBinDir();
if (!binDir) {
  die(
    'PostgreSQL server programs (initdb, pg_ctl) were not found in /usr/lib/postgresql/*/bin nor on PATH.\n' +
      '  Install them (Debian/Ubuntu: apt-get install postgresql-15, or postgresql), or set DATABASE_URL to an existing server.',
  );
}
const initdb = path.join(binDir, 'initdb');
const pgCtl = path.join(binDir, 'pg_ctl');

// PostgreSQL refuses to run as root: run its programs as the `postgres` user then.
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
let pgUser = null;
if (isRoot) {
  const id = (flag) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  const uid = id('-u');
  const gid = id('-g');
  if (uid.status !== 0 || gid.status !== 0) {
    die(
      'running as root, but there is no "postgres" user to run PostgreSQL as (PostgreSQL refuses to run as root).',
    );
  }
  pgUser = { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  if (spawnSync('runuser', ['--help'], { stdio: 'ignore' }).error)
    die('running as root, but `runuser` is not available.');
}

/** Runs a PostgreSQL program (as `postgres` when we are root); returns spawnSync's result. */
function pgRun(program, args) {
  const [file, argv] = pgUser ? ['runuser', ['-u', 'postgres', '--', program, ...args]] : [program, args];
  return spawnSync(file, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function output(r) {
  return `${r.error ? r.error.message : ''}${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
}

/** A TCP port free on 127.0.0.1 right now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// --- Create, start, and always clean up the cluster. ---
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-pg-'));
const dataDir = path.join(tmp, 'data');
const sockDir = path.join(tmp, 'sock');
const logFile = path.join(tmp, 'postgres.log');
let started = false;
let cleaned = false;

function cleanup() {
  if (cleaned) return;
  cleaned = true;
  if (started) {
    const r = pgRun(pgCtl, ['stop', '-D', dataDir, '-m', 'immediate', '-w', '-t', '30']);
    if (r.status !== 0) {
      log(`pg_ctl stop failed, killing the server: ${output(r)}`);
      try {
        const pid = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
        if (pid > 0) process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
  fs.rmSync(tmp, { recursive: true, force: true });
}

// A signal before the command runs: clean up and leave (spawnSync calls finish first, so this never races them).
const earlyExit = (sig) => {
  cleanup();
  process.exit(128 + SIGNAL_CODES[sig]);
};
for (const sig of Object.keys(SIGNAL_CODES)) process.on(sig, earlyExit);
process.on('exit', cleanup);

function fail(msg) {
  cleanup();
  die(msg);
}

fs.mkdirSync(sockDir);
if (pgUser) {
  for (const p of [tmp, sockDir]) fs.chownSync(p, pgUser.uid, pgUser.gid);
}

const init = pgRun(initdb, [
  '-D',
  dataDir,
  '-A',
  'trust',
  '-U',
  'postgres',
  '--no-locale',
  '-E',
  'UTF8',
  '--no-sync',
]);
if (init.status !== 0) fail(`initdb failed (${initdb}):\n${output(init)}`);

let port = 0;
for (let attempt = 1; !started; attempt++) {
  port = await freePort();
  const settings = [
    `-p ${port}`,
    "-c listen_addresses='127.0.0.1'",
    `-c unix_socket_directories='${sockDir}'`,
    // Durability off: this cluster is thrown away after the run (never use these settings for real data).
    // LINLI_PG_DURABLE=1 keeps PostgreSQL's defaults, for benchmarks whose commits should cost what they do in production.
    ...(process.env.LINLI_PG_DURABLE === '1'
      ? ['-c shared_buffers=1GB', '-c max_wal_size=4GB']
      : ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off']),
    '-c max_connections=200',
  ].join(' ');
  const r = pgRun(pgCtl, ['start', '-D', dataDir, '-l', logFile, '-w', '-t', '60', '-s', '-o', settings]);
  if (r.status === 0) {
    started = true;
    break;
  }
  let serverLog = '';
  try {
    serverLog = fs.readFileSync(logFile, 'utf8');
  } catch {
    // No log yet.
  }
  // The probed port may have been taken in between: try another one a few times.
  if (attempt < 3 && /could not bind|address already in use/i.test(serverLog)) {
    fs.rmSync(logFile, { force: true });
    continue;
  }
  started = fs.existsSync(path.join(dataDir, 'postmaster.pid')); // so cleanup stops a half-started server
  fail(`PostgreSQL did not start (${pgCtl}):\n${output(r)}\n${serverLog.trim()}`);
}

const databaseUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
const version =
  /\d+(\.\d+)*/.exec(spawnSync(pgCtl, ['--version'], { encoding: 'utf8' }).stdout ?? '')?.[0] ?? '';
log(`PostgreSQL ${version} ready at ${databaseUrl} (throwaway cluster in ${tmp})`);

for (const sig of Object.keys(SIGNAL_CODES)) process.off(sig, earlyExit);
const code = await runCommand(
  { DATABASE_URL: databaseUrl, LINLI_SECRET_KEY: process.env.LINLI_SECRET_KEY || TEST_SECRET_KEY },
  // A signal after the command ended, while cleaning up: cleanup runs on exit anyway.
  () => undefined,
);
cleanup();
process.exit(code);
