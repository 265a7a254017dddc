/**
 * Benchmarks of the case loop on a real PostgreSQL, against 127.0.0.1 only: `npm run bench:cases` (bench/README.md).
 *
 * (a) the baseline: single-row INSERT transactions through the driver at the same concurrency, in the same run;
 * (b) intake: POST /api/cases (a window case by the demo community worker) at 50 connections, as a ratio to (a);
 * (c) with 1,000,000 cases in the database: the case list and the work list (p99) of a community worker, a street
 *     worker, a department handler and a district leader;
 * (d) a dispatched case in the department handler's list: the time from the dispatch answer to the list showing it;
 * (e) the deadline job over 1,000,000 open cases (a share of them due for a reminder or overdue), then once more with
 *     nothing left to do.
 * Without DATABASE_URL it re-runs itself inside a throwaway cluster (scripts/with-postgres.mjs, LINLI_PG_DURABLE=1 so
 * commits are flushed as in production). Writes bench/results/cases-<date>.json and a section of bench/README.md.
 * No figure here is ever asserted: these are measurements, not tests.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import * as prettier from 'prettier';
import { loadConfig } from '../server/config';
import type { AppContext } from '../server/context';
import { createSecrets } from '../server/crypto';
import { openPostgres, type Database } from '../server/db/client';
import { buildApp } from '../server/http/app';
import { compactCaseCounts } from '../server/modules/cases/counts';
import { runDeadlines } from '../server/modules/cases/deadlines';
import { intakeBatchStats } from '../server/modules/cases/service';
import { ensureDefaultCalendar } from '../server/modules/calendar/service';
import { ensureDefaultCategories } from '../server/modules/categories/service';
import { seedDemo } from '../server/modules/demo/seed';
import {
  HOST,
  ROOT,
  SECRET,
  createThrowawayDatabase,
  intEnv,
  logger,
  loginCookie,
  percentile,
  readCommit,
  reRunUnderPostgres,
  reusedDatabase,
  round,
  runLoad,
} from './common';
import type { LoadRequest, LoadResult } from './load-client';

const SELF = fileURLToPath(import.meta.url);

const settings = {
  duration: intEnv('BENCH_DURATION', 10, 1),
  warmup: intEnv('BENCH_WARMUP', 3),
  intakeConnections: intEnv('BENCH_INTAKE_CONNECTIONS', 50, 1),
  listConnections: intEnv('BENCH_LIST_CONNECTIONS', 10, 1),
  cases: intEnv('BENCH_CASES', 1_000_000, 1000),
  writeReadme: process.env.BENCH_README !== '0',
  /** BENCH_PARTS=c (or a,b,c,d,e): run only these parts; (c) alone reuses a filled database well (see BENCH_DB). */
  parts: new Set((process.env.BENCH_PARTS || 'a,b,c,d,e').split(',').map((p) => p.trim())),
  /** BENCH_DB=name: use this database (created when missing), keep it afterwards, and fill only what is missing. */
  db: process.env.BENCH_DB || null,
};

const log = logger('bench:cases');

/** Runs one load test in a separate process (bench/load-client.ts). */
function load(req: Omit<LoadRequest, 'duration' | 'warmup'>): Promise<LoadResult> {
  return runLoad({ ...req, duration: settings.duration, warmup: settings.warmup });
}

interface Session {
  cookie: string;
  csrf: string;
  assignments: { role: string; areaCode: string | null; departmentId?: string | null }[];
}

async function login(base: string, username: string, password: string): Promise<Session> {
  const cookie = await loginCookie(base, username, password);
  const me = (await (await fetch(`${base}/api/me`, { headers: { cookie } })).json()) as {
    csrfToken: string;
    assignments: Session['assignments'];
  };
  return { cookie, csrf: me.csrfToken, assignments: me.assignments };
}

function headersOf(s: Session, json = false): Record<string, string> {
  return {
    cookie: s.cookie,
    'x-csrf-token': s.csrf,
    ...(json ? { 'content-type': 'application/json' } : {}),
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// (a) raw INSERT baseline

interface Rate {
  perSecond: number;
  count: number;
  p50: number;
  p99: number;
}

/** Single-row INSERT transactions (autocommit) from `connections` driver connections for the measured duration. */
async function rawInsertRate(url: string, connections: number): Promise<Rate> {
  const setup = new pg.Client({ connectionString: url });
  await setup.connect();
  await setup.query(
    `create table if not exists bench_raw (id bigint generated always as identity primary key,
       title text not null, description text not null, area_code text not null, created_at timestamptz not null default now())`,
  );
  await setup.end();
  const clients = await Promise.all(
    Array.from({ length: connections }, async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      return c;
    }),
  );
  const times: number[] = [];
  const runFor = async (ms: number, record: boolean) => {
    const end = performance.now() + ms;
    await Promise.all(
      clients.map(async (c) => {
        while (performance.now() < end) {
          const t0 = performance.now();
          await c.query('insert into bench_raw (title, description, area_code) values ($1, $2, $3)', [
            '楼道堆放杂物',
            '三单元楼道堆放杂物，影响消防通道',
            '340302001001',
          ]);
          if (record) times.push(performance.now() - t0);
        }
      }),
    );
  };
  await runFor(settings.warmup * 1000, false);
  const t0 = performance.now();
  await runFor(settings.duration * 1000, true);
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all(clients.map((c) => c.end()));
  times.sort((a, b) => a - b);
  return {
    perSecond: Math.round(times.length / seconds),
    count: times.length,
    p50: round(percentile(times, 0.5)),
    p99: round(percentile(times, 0.99)),
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// (c) one million cases

/**
 * Fills the cases table up to `total` rows straight in SQL: spread over every grid of the demo city, over the last 12
 * months, 70 % ended (closed or rated), the rest open at some step; 10 % led by a department of their district. Each
 * case gets its 'report' event.
 */
async function fillCases(client: pg.Client, total: number): Promise<number> {
  const have = Number((await client.query('select count(*)::int as n from cases')).rows[0].n);
  const missing = total - have;
  if (missing <= 0) return 0;
  const batch = 100_000;
  for (let from = 0; from < missing; from += batch) {
    const n = Math.min(batch, missing - from);
    await client.query(
      `with g as (select array_agg(code order by code) as codes, array_agg(path order by code) as paths
                    from areas where level = 'grid'),
            d as (select array_agg(id order by id) as ids, array_agg(area_path order by id) as paths from departments),
            c as (select array_agg(id order by code) as ids from categories where parent_id is not null),
            s as (select array['reported','accepted','dispatched','handling','handled','verified',
                               'closed','rated','rated','rated'] as statuses),
            rows as (
              select i, g.codes[1 + (i::bigint * 7919) % array_length(g.codes, 1)] as code,
                     g.paths[1 + (i::bigint * 7919) % array_length(g.paths, 1)] as path,
                     c.ids[1 + i % array_length(c.ids, 1)] as category_id,
                     s.statuses[1 + (i::bigint * 31) % 10] as status,
                     now() - ((i % 525600) || ' minutes')::interval as created_at,
                     (i % 10 = 0) as by_department
                from generate_series($1::int, $2::int) as i, g, c, s)
       insert into cases (number, channel, category_id, matter_class, urgency, title, description, area_code, area_path,
                          status, level, lead_department_id, holder_path, due_at, due_from, created_at, updated_at,
                          closed_at, rating, reporter_name_masked, reporter_phone_masked)
       select 'B' || lpad(rows.i::text, 9, '0'), 'window', rows.category_id, 'community', 'normal',
              '楼道堆放杂物 ' || rows.i, '三单元楼道堆放杂物，影响消防通道', rows.code, rows.path, rows.status,
              case when rows.by_department then 'district' else 'community' end,
              case when rows.by_department then (select dd.id from departments dd
                                                  where rows.path like dd.area_path || '%' limit 1) end,
              case when rows.by_department then left(rows.path, 6) else left(rows.path, 12) end,
              rows.created_at + interval '3 days', rows.created_at, rows.created_at, rows.created_at,
              case when rows.status in ('closed','rated') then rows.created_at + interval '2 days' end,
              case when rows.status = 'rated' then 'satisfied' end, '张*', '138****1234'
         from rows`,
      [have + from + 1, have + from + n],
    );
    await client.query(
      `insert into case_events (case_id, seq, action, from_status, to_status, actor_name, actor_role, data, at)
       select id, 1, 'report', null, 'reported', 'bench', 'system', '{}'::jsonb, created_at
         from cases c where number like 'B%' and not exists (select 1 from case_events e where e.case_id = c.id)`,
    );
    log(`(c) ${have + from + n} cases …`);
  }
  await client.query('analyze');
  return missing;
}

interface ListResult extends LoadResult {
  who: string;
  path: string;
  total: number;
}

async function listCase(base: string, who: string, s: Session, p: string): Promise<ListResult> {
  const res = await fetch(`${base}${p}`, { headers: headersOf(s) });
  const body = (await res.json()) as { total?: number };
  if (res.status !== 200) throw new Error(`GET ${p} as ${who}: ${res.status} ${JSON.stringify(body)}`);
  log(`(c) GET ${p} as ${who} (${body.total} in scope) …`);
  const r = await load({ url: `${base}${p}`, headers: headersOf(s), connections: settings.listConnections });
  return { ...r, who, path: p, total: body.total ?? 0 };
}

// ---------------------------------------------------------------------------------------------------------------------

interface Report {
  date: string;
  commit: string | null;
  machine: Record<string, string | number | null>;
  settings: typeof settings;
  rawInsert: Rate;
  intake: LoadResult & { ratioToRaw: number; casesPerStatement: number };
  lists: ListResult[];
  dispatchVisibleMs: { p50: number; p99: number; max: number; samples: number };
  deadlineJob: {
    openCases: number;
    firstRunMs: number;
    firstRun: unknown;
    idleRunMs: number;
    idleRun: unknown;
  };
}

async function run(): Promise<Report> {
  const name = settings.db ?? `linli_bench_cases_${process.pid}`;
  const { url, drop: dropDb } = settings.db
    ? await reusedDatabase(process.env.DATABASE_URL!, settings.db)
    : await createThrowawayDatabase(process.env.DATABASE_URL!, name);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-bench-cases-'));
  let database: Database | null = null;
  try {
    database = await openPostgres(url);
    await database.migrate();
    const config = loadConfig(
      // LINLI_CACHES=false measures the server reading every session and name from the database.
      { LINLI_CACHES: process.env.LINLI_CACHES },
      {
        host: HOST,
        port: 0,
        dataDir: path.join(tmp, 'data'),
        demo: true,
        jobs: false,
        logLevel: 'silent',
        rateLimitPerMinute: 1_000_000_000,
      },
    );
    const ctx: AppContext = {
      config,
      database,
      db: database.db,
      secrets: createSecrets(SECRET),
      sms: { async send() {} },
    } as AppContext;
    await ensureDefaultCalendar(ctx);
    await ensureDefaultCategories(ctx);
    await seedDemo(ctx);
    const app = await buildApp(ctx, { logger: false });
    await app.listen({ host: HOST, port: 0 });
    const sql = new pg.Client({ connectionString: url });
    await sql.connect();
    try {
      const address = app.server.address();
      const base = `http://${HOST}:${typeof address === 'object' && address ? address.port : 0}`;
      const pw = config.demoPassword;
      const community = await login(base, 'demo.community_worker', pw);
      const street = await login(base, 'demo.street_staff', pw);
      const handler = await login(base, 'demo.dept_handler', pw);
      const leader = await login(base, 'demo.leader', pw);
      const communityCode = community.assignments.find((a) => a.role === 'community_worker')!.areaCode!;
      const { rows: cats } = await sql.query<{ id: string }>(
        `select id from categories where parent_id is not null and active and not urgent
           and handling_level = 'community' order by code limit 1`,
      );

      const part = (p: string) => settings.parts.has(p);
      let rawInsert: Rate = { perSecond: 0, count: 0, p50: 0, p99: 0 };
      if (part('a')) {
        log(`(a) raw single-row INSERT transactions at ${settings.intakeConnections} connections …`);
        rawInsert = await rawInsertRate(url, settings.intakeConnections);
        log(`    ${rawInsert.perSecond}/s, p99 ${rawInsert.p99} ms`);
      }

      const body = JSON.stringify({
        channel: 'window',
        categoryId: cats[0]!.id,
        title: '楼道堆放杂物',
        description: '三单元楼道堆放杂物，影响消防通道',
        areaCode: communityCode,
        reporterName: '张三',
        reporterPhone: '13800001234',
      });
      let intake: Report['intake'] = {
        rps: 0,
        non2xx: 0,
        latencyMs: { p50: 0, p99: 0 },
        ratioToRaw: 0,
      } as unknown as Report['intake']; // a part not run: zeros
      if (part('b')) {
        log(`(b) POST /api/cases at ${settings.intakeConnections} connections …`);
        const intakeRes = await fetch(`${base}/api/cases`, {
          method: 'POST',
          headers: headersOf(community, true),
          body,
        });
        if (intakeRes.status !== 201)
          throw new Error(`POST /api/cases: ${intakeRes.status} ${await intakeRes.text()}`);
        const batched = intakeBatchStats(ctx);
        const intakeLoad = await load({
          url: `${base}/api/cases`,
          method: 'POST',
          body,
          headers: headersOf(community, true),
          connections: settings.intakeConnections,
        });
        intake = {
          ...intakeLoad,
          ratioToRaw: round(intakeLoad.rps / Math.max(1, rawInsert.perSecond), 3),
          // Intakes at the same moment share a statement (cases/service.ts): how many each carried, on average.
          casesPerStatement: (() => {
            const now = intakeBatchStats(ctx);
            return round((now.writes - batched.writes) / Math.max(1, now.batches - batched.batches), 1);
          })(),
        };
        log(
          `    ${intake.rps}/s, p99 ${intake.latencyMs.p99} ms (${intake.non2xx} non-2xx), ` +
            `CPU ms per case ${cpuCell(intake)} (load client ${intake.cpuMsPerRequest?.loadClient ?? '?'}), ` +
            `${intake.casesPerStatement} cases per statement`,
        );
      }

      const t0 = performance.now();
      const filled = await fillCases(sql, settings.cases);
      // What the jobs loop does every few seconds: fold the status deltas into the kept counts. Not only the fill's: a
      // kept database also holds those of the last run's intake and deadline job (two million of them), which every
      // count would otherwise add up again.
      const folded = await compactCaseCounts(ctx.db);
      // And what autovacuum does soon after a bulk change: statistics and the visibility map (index-only scans). Then a
      // checkpoint, which would otherwise write out the fill's gigabytes while the lists are measured.
      if (filled || folded > 10_000) {
        await sql.query('vacuum (analyze)');
        await sql.query('checkpoint');
      }
      log(
        `(c) filled to ${settings.cases} cases in ${Math.round((performance.now() - t0) / 1000)} s ` +
          `(${folded} status changes folded into the kept counts)`,
      );

      const lists: ListResult[] = [];
      if (part('c')) {
        lists.push(await listCase(base, 'community_worker', community, '/api/cases'));
        lists.push(await listCase(base, 'community_worker', community, '/api/cases?mine=true'));
        lists.push(await listCase(base, 'street_staff', street, '/api/cases'));
        lists.push(await listCase(base, 'street_staff', street, '/api/cases?mine=true'));
        lists.push(await listCase(base, 'street_staff', street, '/api/cases?overdue=true'));
        lists.push(await listCase(base, 'dept_handler', handler, '/api/cases?mine=true'));
        lists.push(await listCase(base, 'leader', leader, '/api/cases'));
        lists.push(await listCase(base, 'leader', leader, '/api/cases?supervision=true'));
        for (const l of lists)
          log(
            `    ${l.who} ${l.path}: ${l.rps}/s, p50 ${l.latencyMs.p50} ms, p99 ${l.latencyMs.p99} ms, ` +
              `CPU ms per list ${cpuCell(l)} (load client ${l.cpuMsPerRequest?.loadClient ?? '?'})`,
          );
      }

      const visible: number[] = [];
      if (part('d')) {
        log('(d) dispatch → in the department handler’s list …');
        const deptId = handler.assignments.find((a) => a.role === 'dept_handler')!.departmentId!;
        for (let i = 0; i < 20; i++) {
          const created = (await (
            await fetch(`${base}/api/cases`, { method: 'POST', headers: headersOf(community, true), body })
          ).json()) as { id: string; version: number };
          const accepted = (await (
            await fetch(`${base}/api/cases/${created.id}/actions`, {
              method: 'POST',
              headers: headersOf(community, true),
              body: JSON.stringify({ action: 'accept', version: created.version }),
            })
          ).json()) as { version: number };
          const d = await fetch(`${base}/api/cases/${created.id}/actions`, {
            method: 'POST',
            headers: headersOf(community, true),
            body: JSON.stringify({ action: 'dispatch', version: accepted.version, departmentId: deptId }),
          });
          if (d.status !== 200) throw new Error(`dispatch: ${d.status} ${await d.text()}`);
          const tDispatched = performance.now();
          for (;;) {
            const l = (await (
              await fetch(`${base}/api/cases?mine=true&limit=20`, { headers: headersOf(handler) })
            ).json()) as { items: { id: string }[] };
            if (l.items.some((x) => x.id === created.id)) break;
            if (performance.now() - tDispatched > 10_000)
              throw new Error('dispatched case not listed in 10 s');
          }
          visible.push(performance.now() - tDispatched);
        }
        visible.sort((a, b) => a - b);
      }

      let openCases = 0;
      let firstRunMs = 0;
      let idleRunMs = 0;
      let firstRun: unknown = null;
      let idleRun: unknown = null;
      let t = 0;
      if (part('e')) {
        log('(e) the deadline job over all cases made open …');
        await sql.query('alter table case_events disable trigger user');
        await sql.query(
          `update cases set status = (array['accepted','dispatched','handling'])[1 + abs(hashtext(id::text)) % 3],
                  closed_at = null, rating = null, reminders_sent = 0, overdue_escalated_at = null,
                  due_from = now() - interval '2 days', created_at = least(created_at, now() - interval '2 days'),
                  -- 1 % overdue, 5 % past the 80 % reminder, 10 % past the 50 % one, the rest early
                  due_at = now() - interval '2 days' + case abs(hashtext(id::text)) % 100
                              when 0 then interval '1 day'
                              when 1 then interval '2 days 6 hours' when 2 then interval '2 days 6 hours'
                              when 3 then interval '2 days 6 hours' when 4 then interval '2 days 6 hours'
                              when 5 then interval '2 days 6 hours'
                              else interval '5 days' end
            where status <> 'merged'`,
        );
        await sql.query('alter table case_events enable trigger user');
        await sql.query('analyze cases');
        openCases = Number((await sql.query(`select count(*)::int as n from cases`)).rows[0].n);
        t = performance.now();
        firstRun = await runDeadlines(ctx);
        firstRunMs = Math.round(performance.now() - t);
        log(`    first run ${firstRunMs} ms: ${JSON.stringify(firstRun)}`);
        t = performance.now();
        idleRun = await runDeadlines(ctx);
        idleRunMs = Math.round(performance.now() - t);
        log(`    idle run ${idleRunMs} ms: ${JSON.stringify(idleRun)}`);
      }

      const cpus = os.cpus();
      return {
        date: new Date().toISOString(),
        commit: readCommit(),
        machine: {
          cpus: cpus.length,
          cpu: cpus[0]?.model ?? null,
          memoryGiB: Math.round(os.totalmem() / 2 ** 30),
          node: process.version,
          postgres: ((await sql.query('show server_version')).rows[0] as { server_version: string })
            .server_version,
          synchronousCommit: (
            (await sql.query('show synchronous_commit')).rows[0] as { synchronous_commit: string }
          ).synchronous_commit,
          fsync: ((await sql.query('show fsync')).rows[0] as { fsync: string }).fsync,
          sharedBuffers: ((await sql.query('show shared_buffers')).rows[0] as { shared_buffers: string })
            .shared_buffers,
          maxWalSize: ((await sql.query('show max_wal_size')).rows[0] as { max_wal_size: string })
            .max_wal_size,
        },
        settings,
        rawInsert,
        intake,
        lists,
        dispatchVisibleMs: {
          p50: round(percentile(visible, 0.5)),
          p99: round(percentile(visible, 0.99)),
          max: round(visible[visible.length - 1] ?? 0),
          samples: visible.length,
        },
        deadlineJob: { openCases, firstRunMs, firstRun, idleRunMs, idleRun },
      };
    } finally {
      await sql.end();
      await app.close();
    }
  } finally {
    await database?.close();
    // BENCH_KEEP_DB=1 leaves the database behind, to look into a figure (EXPLAIN) afterwards.
    if (process.env.BENCH_KEEP_DB !== '1' && !settings.db) await dropDb();
    else log(`kept database ${name}`);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

const START = '<!-- bench:cases:start -->';
const END = '<!-- bench:cases:end -->';

/** A load's CPU time per response, server / PostgreSQL, as the table shows it. */
function cpuCell(l: LoadResult): string {
  const c = l.cpuMsPerRequest;
  return c ? `${c.server.toFixed(2)} / ${c.postgres === null ? '?' : c.postgres.toFixed(2)}` : '';
}

function markdown(r: Report, jsonFile: string): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const lines = [
    START,
    `Run ${r.date.slice(0, 10)} at commit \`${(r.commit ?? 'unknown').slice(0, 7)}\`, PostgreSQL ${r.machine.postgres} ` +
      `(fsync ${r.machine.fsync}, synchronous_commit ${r.machine.synchronousCommit}, shared_buffers ${r.machine.sharedBuffers ?? '?'}, ` +
      `max_wal_size ${r.machine.maxWalSize ?? '?'}), ${r.machine.cpus} cores shared ` +
      `with the load generator, Node ${r.machine.node}. Raw figures: \`${jsonFile}\`.`,
    '',
    '| What | Rate | p50 | p99 | CPU ms per request: server / PostgreSQL | Note |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
    `| (a) raw single-row INSERT transaction, ${r.settings.intakeConnections} connections | ${n(r.rawInsert.perSecond)}/s | ${r.rawInsert.p50} ms | ${r.rawInsert.p99} ms | | the baseline |`,
    `| (b) POST /api/cases (intake), ${r.settings.intakeConnections} connections | ${n(r.intake.rps)}/s | ${r.intake.latencyMs.p50} ms | ${r.intake.latencyMs.p99} ms | ${cpuCell(r.intake)} | ${r.intake.ratioToRaw} × (a); ${r.intake.casesPerStatement} cases per statement; ${r.intake.non2xx} non-2xx |`,
    ...r.lists.map(
      (l) =>
        `| (c) GET ${l.path} as ${l.who}, ${r.settings.listConnections} connections | ${n(l.rps)}/s | ${l.latencyMs.p50} ms | ${l.latencyMs.p99} ms | ${cpuCell(l)} | ${n(l.total)} cases in its result, ${n(r.settings.cases)} in the table |`,
    ),
    `| (d) dispatch answered → listed for the department handler | | ${r.dispatchVisibleMs.p50} ms | ${r.dispatchVisibleMs.p99} ms | | ${r.dispatchVisibleMs.samples} samples, max ${r.dispatchVisibleMs.max} ms |`,
    `| (e) deadline job over ${n(r.deadlineJob.openCases)} open cases | | | | | first run ${n(r.deadlineJob.firstRunMs)} ms (${JSON.stringify(r.deadlineJob.firstRun)}), then ${n(r.deadlineJob.idleRunMs)} ms with nothing to do |`,
    END,
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  if (!process.env.DATABASE_URL) {
    process.exit(await reRunUnderPostgres(SELF, log, { LINLI_PG_DURABLE: '1' }));
  }
  const report = await run();
  if (settings.parts.size < 5) {
    // A partial run (BENCH_PARTS) is for comparing before/after: its figures go to the console only.
    console.log(
      JSON.stringify(
        report.lists.map((l) => ({ who: l.who, path: l.path, ...l.latencyMs, rps: l.rps, total: l.total })),
      ),
    );
    return;
  }
  fs.mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
  const jsonFile = `bench/results/cases-${report.date.slice(0, 10)}.json`;
  fs.writeFileSync(path.join(ROOT, jsonFile), JSON.stringify(report, null, 2) + '\n');
  log(`wrote ${jsonFile}`);
  const md = markdown(report, jsonFile);
  console.log(md);
  if (settings.writeReadme) {
    const readme = path.join(ROOT, 'bench', 'README.md');
    let text = fs.readFileSync(readme, 'utf8');
    if (text.includes(START) && text.includes(END))
      text = text.slice(0, text.indexOf(START)) + md + text.slice(text.indexOf(END) + END.length);
    else text += `\n${md}\n`;
    fs.writeFileSync(readme, await prettier.format(text, { filepath: readme }));
    log('updated bench/README.md');
  }
}

await main();
