/**
 * HTTP load benchmarks of Linli, against 127.0.0.1 only: `npx tsx bench/http.ts` (see bench/README.md).
 *
 * (a) a bare Fastify route (the baseline of this machine and run), (b) GET /api/me and (c) GET /api/areas?parent=<street>
 * as the demo street worker, on PGlite and on a real PostgreSQL (the app in-process: buildApp + openPglite/openPostgres,
 * demo data from seedDemo), each as a ratio to (a); (d) cold start of `npm start` on an empty data folder.
 * Without DATABASE_URL the PostgreSQL cases run in a throwaway cluster: the script re-runs itself under
 * scripts/with-postgres.mjs. Writes bench/results/<date>.json and the figures section of bench/README.md.
 * No figure here is ever asserted: these are measurements, not tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify from 'fastify';
import pg from 'pg';
import * as prettier from 'prettier';
import { loadConfig } from '../server/config';
import { createSecrets } from '../server/crypto';
import { openPglite, openPostgres, type Database } from '../server/db/client';
import type { AppContext } from '../server/context';
import { buildApp } from '../server/http/app';
import { seedDemo } from '../server/modules/demo/seed';
import {
  HOST,
  ROOT,
  SECRET,
  createThrowawayDatabase,
  intEnv,
  logger,
  loginCookie,
  readCommit,
  reRunUnderPostgres,
  round,
  runLoad,
} from './common';
import type { LoadResult } from './load-client';

const SELF = fileURLToPath(import.meta.url);
const DEMO_USER = 'demo.street_staff';

// ---------------------------------------------------------------------------------------------------------------------
// Settings (environment)

const settings = {
  /** Seconds of measured load per case. */
  duration: intEnv('BENCH_DURATION', 10, 1),
  /** Seconds of unmeasured load before each case. */
  warmup: intEnv('BENCH_WARMUP', 3),
  connections: intEnv('BENCH_CONNECTIONS', 10, 1),
  databases: (process.env.BENCH_DATABASES ?? 'pglite,postgres')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean) as ('pglite' | 'postgres')[],
  coldRuns: intEnv('BENCH_COLD_RUNS', 3),
  /** Leave bench/README.md alone (e.g. for a quick or partial run). */
  writeReadme: process.env.BENCH_README !== '0',
};
for (const d of settings.databases) {
  if (d !== 'pglite' && d !== 'postgres')
    throw new Error(`BENCH_DATABASES: unknown database "${d}" (pglite, postgres)`);
}

// ---------------------------------------------------------------------------------------------------------------------
// Small helpers

const log = logger('bench');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function portOf(server: { address(): string | net.AddressInfo | null }): number {
  return (server.address() as net.AddressInfo).port;
}

/** Runs one load test in a separate process (bench/load-client.ts). */
function load(url: string, headers: Record<string, string> = {}): Promise<LoadResult> {
  return runLoad({
    url,
    headers,
    connections: settings.connections,
    duration: settings.duration,
    warmup: settings.warmup,
  });
}

interface Session {
  cookie: string;
  streetCode: string;
  streetName: string;
  meMs: number;
}

/** Logs in as the demo street worker over HTTP and finds the street it is assigned to. */
async function loginDemo(base: string, password: string): Promise<Session> {
  const cookie = await loginCookie(base, DEMO_USER, password);
  const t0 = performance.now();
  const me = await fetch(`${base}/api/me`, { headers: { cookie } });
  const meMs = performance.now() - t0;
  if (me.status !== 200) throw new Error(`GET /api/me: ${me.status} ${(await me.text()).slice(0, 400)}`);
  const body = (await me.json()) as {
    assignments: { role: string; areaCode: string | null; areaName: string | null }[];
  };
  const street =
    body.assignments.find((a) => a.role === 'street_staff' && a.areaCode) ??
    body.assignments.find((a) => a.areaCode);
  if (!street?.areaCode)
    throw new Error(`${DEMO_USER} has no area assignment: ${JSON.stringify(body.assignments)}`);
  return {
    cookie,
    streetCode: process.env.BENCH_STREET ?? street.areaCode,
    streetName: street.areaName ?? '',
    meMs,
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// The cases

interface CaseResult extends LoadResult {
  name: string;
  database: 'none' | 'pglite' | 'postgres';
  path: string;
  responseBytes: number;
  note?: string;
}

async function bareCase(label: string): Promise<CaseResult> {
  const app = Fastify();
  app.get('/bare', async () => ({ status: 'ok', service: 'bare' }));
  await app.listen({ host: HOST, port: 0 });
  try {
    const url = `http://${HOST}:${portOf(app.server)}/bare`;
    const size = (await (await fetch(url)).text()).length;
    log(`(a) bare Fastify route, ${label} …`);
    return { name: 'bare', database: 'none', path: 'GET /bare', responseBytes: size, ...(await load(url)) };
  } finally {
    await app.close();
  }
}

async function appCases(kind: 'pglite' | 'postgres'): Promise<CaseResult[]> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-bench-'));
  let database: Database | null = null;
  let dropDb: (() => Promise<void>) | null = null;
  try {
    if (kind === 'pglite') {
      database = await openPglite(path.join(tmp, 'data'));
    } else {
      const throwaway = await createThrowawayDatabase(
        process.env.DATABASE_URL!,
        `linli_bench_${process.pid}`,
      );
      dropDb = throwaway.drop;
      database = await openPostgres(throwaway.url);
    }
    await database.migrate();
    const config = loadConfig(
      {},
      {
        host: HOST,
        port: 0,
        dataDir: path.join(tmp, 'data'),
        demo: true,
        jobs: false,
        logLevel: 'silent',
        // The default (600 a minute per client) would answer most of the load with 429.
        rateLimitPerMinute: 1_000_000_000,
      },
    );
    const ctx: AppContext = {
      config,
      database,
      db: database.db,
      secrets: createSecrets(SECRET),
      sms: { async send() {} },
    };
    let t0 = performance.now();
    await seedDemo(ctx);
    log(`${kind}: demo data seeded in ${Math.round(performance.now() - t0)} ms`);
    const app = await buildApp(ctx, { logger: false });
    await app.listen({ host: HOST, port: 0 });
    try {
      const base = `http://${HOST}:${portOf(app.server)}`;
      t0 = performance.now();
      const session = await loginDemo(base, config.demoPassword);
      log(`${kind}: logged in as ${DEMO_USER} (street ${session.streetCode} ${session.streetName})`);
      const headers = { cookie: session.cookie };
      const results: CaseResult[] = [];

      const meUrl = `${base}/api/me`;
      const meSize = (await (await fetch(meUrl, { headers })).text()).length;
      log(`(b) GET /api/me on ${kind} …`);
      results.push({
        name: 'me',
        database: kind,
        path: 'GET /api/me',
        responseBytes: meSize,
        ...(await load(meUrl, headers)),
      });

      const areasPath = `/api/areas?parent=${session.streetCode}`;
      const areasRes = await fetch(`${base}${areasPath}`, { headers });
      const areasBody = await areasRes.text();
      if (areasRes.status !== 200)
        throw new Error(`GET ${areasPath}: ${areasRes.status} ${areasBody.slice(0, 400)}`);
      const items = (JSON.parse(areasBody) as { items?: unknown[] }).items?.length ?? 0;
      log(`(c) GET ${areasPath} on ${kind} (${items} areas) …`);
      results.push({
        name: 'areas',
        database: kind,
        path: `GET ${areasPath}`,
        responseBytes: areasBody.length,
        note: `${items} areas under ${session.streetName || session.streetCode}`,
        ...(await load(`${base}${areasPath}`, headers)),
      });
      return results;
    } finally {
      await app.close();
    }
  } finally {
    await database?.close();
    await dropDb?.();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

interface ColdRun {
  /** Spawn of `npm start` to the first 200 of /healthz. */
  healthzMs: number;
  /** Spawn to the first 200 of GET /api/me after logging in (login included). */
  firstMeMs: number;
  loginMs: number;
}

async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    process.kill(-child.pid!, 'SIGTERM');
  } catch {
    return;
  }
  const killed = await Promise.race([exited.then(() => true), sleep(15_000).then(() => false)]);
  if (!killed) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
    await exited;
  }
}

/** (d) One cold start of `npm start` on an empty data folder (the embedded PGlite database and the demo city). */
async function coldStartOnce(): Promise<ColdRun> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-bench-cold-'));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST, LINLI_DATA_DIR: dataDir };
  delete env.DATABASE_URL;
  delete env.LINLI_SECRET_KEY;
  const base = `http://${HOST}:${port}`;
  let output = '';
  const t0 = performance.now();
  const child = spawn('npm', ['start'], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  try {
    const deadline = t0 + 180_000;
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`npm start exited (${child.exitCode}):\n${output.slice(-3000)}`);
      if (performance.now() > deadline)
        throw new Error(`no /healthz 200 within 180 s:\n${output.slice(-3000)}`);
      const status = await fetch(`${base}/healthz`).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) break;
      await sleep(20);
    }
    const healthzMs = performance.now() - t0;
    const tLogin = performance.now();
    const session = await loginDemo(base, 'linli-demo');
    const firstMeMs = performance.now() - t0;
    return { healthzMs, firstMeMs, loginMs: firstMeMs - (tLogin - t0) - session.meMs };
  } finally {
    await stopGroup(child);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Report

function packageVersion(name: string): string | null {
  try {
    return (
      JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
  } catch {
    return null;
  }
}

async function postgresVersion(): Promise<string | null> {
  if (!process.env.DATABASE_URL) return null;
  const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await c.connect();
  try {
    return ((await c.query('SHOW server_version')).rows[0] as { server_version: string }).server_version;
  } finally {
    await c.end();
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0
    ? 0
    : s.length % 2
      ? s[(s.length - 1) / 2]!
      : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const START = '<!-- bench:results:start -->';
const END = '<!-- bench:results:end -->';

interface Report {
  date: string;
  commit: string | null;
  machine: Record<string, string | number | null>;
  settings: typeof settings;
  baseline: { rps: number; p50: number; p99: number; runs: CaseResult[] };
  cases: (CaseResult & { vsBare: { rps: number; p50: number; p99: number } })[];
  coldStart: { runs: ColdRun[]; medianHealthzMs: number; medianFirstMeMs: number } | null;
}

function fmt(n: number, digits: number): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function markdown(r: Report, jsonFile: string): string {
  const m = r.machine;
  const lines = [
    START,
    `## Latest figures (${r.date})`,
    '',
    `Machine: ${m.nproc} CPUs (${m.cpu}), ${m.memoryGiB} GiB memory, ${m.os}; Node ${m.node}; ` +
      `PostgreSQL ${m.postgres ?? '—'} (throwaway cluster, fsync off); PGlite ${m.pglite}; autocannon ${m.autocannon}. ` +
      `Load average (1 min) ${m.loadAverageBefore} before, ${m.loadAverageAfter} after the run. ` +
      `Commit ${r.commit ? r.commit.slice(0, 12) : 'unknown'}. Raw figures: \`${path.relative(path.join(ROOT, 'bench'), jsonFile)}\`.`,
    '',
    `Load: ${r.settings.connections} connections, ${r.settings.duration} s measured after ${r.settings.warmup} s warm-up per case. ` +
      'Ratios divide by the bare Fastify route measured in the same run (mean of the runs before and after the app cases).',
    '',
    '| case | database | req/s | p50 ms | p99 ms | req/s ÷ bare | p50 ÷ bare | p99 ÷ bare | non-2xx |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const b of r.baseline.runs) {
    lines.push(
      `| (a) bare Fastify route (${b.note}) | — | ${fmt(b.rps, 0)} | ${fmt(b.latencyMs.p50, 2)} | ${fmt(b.latencyMs.p99, 2)} | | | | ${b.non2xx} |`,
    );
  }
  for (const c of r.cases) {
    const label = c.name === 'me' ? '(b) `GET /api/me`' : `(c) \`GET /api/areas?parent=…\` (${c.note})`;
    lines.push(
      `| ${label} | ${c.database} | ${fmt(c.rps, 0)} | ${fmt(c.latencyMs.p50, 2)} | ${fmt(c.latencyMs.p99, 2)} | ` +
        `${fmt(c.vsBare.rps, 3)} | ${fmt(c.vsBare.p50, 1)}× | ${fmt(c.vsBare.p99, 1)}× | ${c.non2xx + c.errors} |`,
    );
  }
  lines.push('');
  if (r.coldStart) {
    lines.push(
      '(d) Cold start of `npm start` (web app already built) on an empty data folder: migrations, demo seed, listen.',
      '',
      '| run | spawn → `/healthz` 200 | spawn → first `/api/me` 200 (after login) | login alone |',
      '| --- | ---: | ---: | ---: |',
    );
    r.coldStart.runs.forEach((c, i) =>
      lines.push(
        `| ${i + 1} | ${fmt(c.healthzMs / 1000, 2)} s | ${fmt(c.firstMeMs / 1000, 2)} s | ${fmt(c.loginMs, 0)} ms |`,
      ),
    );
    lines.push(
      `| median | ${fmt(r.coldStart.medianHealthzMs / 1000, 2)} s | ${fmt(r.coldStart.medianFirstMeMs / 1000, 2)} s | |`,
      '',
    );
  } else {
    lines.push('(d) Cold start: not run (BENCH_COLD_RUNS=0).', '');
  }
  lines.push(END);
  return lines.join('\n');
}

async function writeReport(r: Report): Promise<string> {
  const dir = path.join(ROOT, 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = process.env.BENCH_OUT ? path.resolve(process.env.BENCH_OUT) : path.join(dir, `${r.date}.json`);
  const prettierOptions = (await prettier.resolveConfig(file)) ?? {};
  fs.writeFileSync(file, await prettier.format(JSON.stringify(r), { ...prettierOptions, parser: 'json' }));
  log(`figures written to ${path.relative(ROOT, file)}`);
  if (settings.writeReadme) {
    const readme = path.join(ROOT, 'bench', 'README.md');
    const current = fs.existsSync(readme)
      ? fs.readFileSync(readme, 'utf8')
      : `# Benchmarks\n\n${START}\n${END}\n`;
    const section = markdown(r, file);
    const next =
      current.includes(START) && current.includes(END)
        ? current.slice(0, current.indexOf(START)) +
          section +
          current.slice(current.indexOf(END) + END.length)
        : `${current.trimEnd()}\n\n${section}\n`;
    fs.writeFileSync(readme, await prettier.format(next, { ...prettierOptions, parser: 'markdown' }));
    log('figures section of bench/README.md updated');
  }
  return file;
}

// ---------------------------------------------------------------------------------------------------------------------
// Main

async function main(): Promise<void> {
  if (settings.databases.includes('postgres') && !process.env.DATABASE_URL) {
    process.exit(await reRunUnderPostgres(SELF, log));
  }
  log(
    `settings: ${settings.connections} connections, ${settings.duration} s (+${settings.warmup} s warm-up) per case, ` +
      `databases ${settings.databases.join(', ') || 'none'}, ${settings.coldRuns} cold start(s)`,
  );
  const started = new Date();
  const loadBefore = os.loadavg()[0]!;
  if (loadBefore > os.availableParallelism() / 2) {
    log(
      `warning: the machine is busy (load average ${loadBefore.toFixed(1)}): the figures will be low and noisy`,
    );
  }
  const before = await bareCase('before the app cases');
  before.note = 'before';
  const cases: CaseResult[] = [];
  for (const kind of settings.databases) cases.push(...(await appCases(kind)));
  const after = await bareCase('after the app cases');
  after.note = 'after';
  const baseline = {
    rps: (before.rps + after.rps) / 2,
    p50: (before.latencyMs.p50 + after.latencyMs.p50) / 2,
    p99: (before.latencyMs.p99 + after.latencyMs.p99) / 2,
    runs: [before, after],
  };

  let coldStart: Report['coldStart'] = null;
  if (settings.coldRuns > 0) {
    log('(d) cold start: building the web app first when needed (not timed) …');
    const build = spawn(process.execPath, [path.join(ROOT, 'scripts', 'ensure-web.mjs')], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    const code = await new Promise<number | null>((resolve) => build.on('exit', resolve));
    if (code !== 0) throw new Error(`scripts/ensure-web.mjs failed (${code})`);
    const runs: ColdRun[] = [];
    for (let i = 1; i <= settings.coldRuns; i++) {
      const run = await coldStartOnce();
      log(
        `(d) cold start ${i}/${settings.coldRuns}: /healthz 200 after ${Math.round(run.healthzMs)} ms, ` +
          `first /api/me after ${Math.round(run.firstMeMs)} ms`,
      );
      runs.push(run);
    }
    coldStart = {
      runs,
      medianHealthzMs: median(runs.map((r) => r.healthzMs)),
      medianFirstMeMs: median(runs.map((r) => r.firstMeMs)),
    };
  }

  const report: Report = {
    date: started.toISOString().slice(0, 10),
    commit: readCommit(),
    machine: {
      nproc: os.availableParallelism(),
      cpu: os.cpus()[0]?.model.trim() ?? null,
      memoryGiB: round(os.totalmem() / 2 ** 30, 1),
      os: `${os.type()} ${os.release()}`,
      node: process.versions.node,
      postgres: settings.databases.includes('postgres') ? await postgresVersion() : null,
      pglite: packageVersion('@electric-sql/pglite'),
      fastify: packageVersion('fastify'),
      autocannon: packageVersion('autocannon'),
      loadAverageBefore: round(loadBefore, 2),
      loadAverageAfter: round(os.loadavg()[0]!, 2),
    },
    settings,
    baseline: {
      ...baseline,
      rps: round(baseline.rps, 0),
      p50: round(baseline.p50, 3),
      p99: round(baseline.p99, 3),
    },
    cases: cases.map((c) => ({
      ...c,
      vsBare: {
        rps: round(c.rps / baseline.rps, 4),
        p50: round(c.latencyMs.p50 / baseline.p50, 2),
        p99: round(c.latencyMs.p99 / baseline.p99, 2),
      },
    })),
    coldStart,
  };
  const file = await writeReport(report);
  console.log('');
  console.log(markdown(report, file));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
