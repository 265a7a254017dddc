/**
 * Benchmarks of the population register on a real PostgreSQL, against 127.0.0.1 only: `npm run bench:people`
 * (bench/README.md, "Population (issue 4)").
 *
 * (a) population: the synthetic city (`seedCity`, as `linli seed city`) to BENCH_RESIDENTS residents in 龙子湖区,
 *     then the demo seed (accounts) on top, one grid worker per grid; its rate;
 * (b) import: BENCH_IMPORT_ROWS new residents as XLSX and as CSV through POST /api/people/import as the demo community
 *     worker (validation, encryption, keyed hashes, one 'registered' event per resident), and in the same run the same
 *     rows, already encrypted, with a raw `COPY residents (…) FROM '<file>'` (timed, then rolled back): rows/s and the ratio;
 * (c) scoped search: GET /api/residents?q=… as the demo street worker and a grid worker, 10 connections, by name,
 *     pinyin initials, last four, full ID number and a mix of the four, drawn from the residents in the worker's scope;
 * (d) coverage: GET /api/visits/coverage for the street over the last 60 days as the street worker, 10 connections,
 *     after a visit to 20 % of the district's households in the period (and 10 % more before it), in SQL.
 * Without DATABASE_URL it re-runs itself inside a throwaway cluster (scripts/with-postgres.mjs, LINLI_PG_DURABLE=1 so
 * commits are flushed as in production). Writes bench/results/people-<date>.json and a section of bench/README.md.
 * No figure here is ever asserted: these are measurements, not tests.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import * as prettier from 'prettier';
import { areaPath } from '../common/area-code';
import { ETHNICITIES } from '../common/ethnicities';
import { chinaToday, maskIdNumber } from '../common/id-number';
import { maskPhoneNumber, phoneLast4 } from '../common/phone-number';
import {
  IMPORT_MIME_CSV,
  IMPORT_MIME_XLSX,
  IO_COLUMNS,
  type ImportReport,
} from '../common/schemas/people-io';
import { loadConfig } from '../server/config';
import type { AppContext } from '../server/context';
import { createSecrets, type Secrets } from '../server/crypto';
import { openPostgres, type Database } from '../server/db/client';
import { buildApp } from '../server/http/app';
import { ensureDefaultCalendar } from '../server/modules/calendar/service';
import { ensureDefaultCategories } from '../server/modules/categories/service';
import { seedCity, type CityResult } from '../server/modules/demo/city';
import { DEMO_DISTRICT, seedDemo } from '../server/modules/demo/seed';
import { fixtureCsv, fixtureXlsx, importFixture } from '../server/modules/people/io/fixtures';
import type { CellValue } from '../server/modules/people/io/spreadsheet';
import { nameInitials } from '../server/modules/people/service';
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
  reusedDatabase,
  round,
  runLoad,
} from './common';
import type { LoadResult } from './load-client';

const SELF = fileURLToPath(import.meta.url);
const ALL_PARTS = ['a', 'b', 'c', 'd'];

const settings = {
  duration: intEnv('BENCH_DURATION', 10, 1),
  warmup: intEnv('BENCH_WARMUP', 3),
  connections: intEnv('BENCH_CONNECTIONS', 10, 1),
  residents: intEnv('BENCH_RESIDENTS', 3_300_000, 1000),
  importRows: intEnv('BENCH_IMPORT_ROWS', 100_000, 100),
  /** BENCH_IMPORT_FORMATS=xlsx (or csv, or xlsx,csv): the file formats imported in (b). */
  importFormats: (process.env.BENCH_IMPORT_FORMATS || 'xlsx,csv')
    .split(',')
    .map((f) => f.trim())
    .filter((f): f is 'xlsx' | 'csv' => f === 'xlsx' || f === 'csv'),
  /** Share of the district's households visited in the coverage period, in percent. */
  visitedPercent: intEnv('BENCH_VISITED_PERCENT', 20),
  /** Distinct queries drawn per kind of search. */
  queries: intEnv('BENCH_QUERIES', 200, 1),
  writeReadme: process.env.BENCH_README !== '0',
  /** BENCH_PARTS=c (or a,b,c,d): run only these parts (the city is seeded whenever missing). */
  parts: new Set((process.env.BENCH_PARTS || ALL_PARTS.join(',')).split(',').map((p) => p.trim())),
  /** BENCH_DB=name: use this database (created when missing), keep it, and seed only what is missing. */
  db: process.env.BENCH_DB || null,
};

const log = logger('bench:people');
/** The coverage period: the last 60 days. */
const PERIOD_DAYS = 60;
/** Marks the visits this script seeds, so a kept database gets them once. */
const VISIT_SITUATION = '入户走访：家中情况正常（基准测试数据）';
/**
 * Real county-level codes the city generator never gives (city.ts draws from 340302, the city's counties, a list of
 * Anhui and other provinces' codes): the imported ID numbers cannot collide with the city's. Each import takes the
 * first one not yet in the district, so a kept database (BENCH_DB) imports new residents again.
 */
const IMPORT_REGIONS = ['130202', '130203', '130204', '130205', '130207', '130208', '130209', '130224', '130225',
  '130227', '130229', '130281', '130283', '130302', '130303', '130304', '130321', '130322', '130324', '130402',
  '130403', '130404', '130406', '130421', '130423', '130424', '130425', '130426', '130427', '130430']; // prettier-ignore

interface Session {
  cookie: string;
  csrf: string;
  assignments: { role: string; areaCode: string | null }[];
}

async function login(base: string, username: string, password: string): Promise<Session> {
  const cookie = await loginCookie(base, username, password);
  const me = (await (await fetch(`${base}/api/me`, { headers: { cookie } })).json()) as {
    csrfToken: string;
    assignments: Session['assignments'];
  };
  return { cookie, csrf: me.csrfToken, assignments: me.assignments };
}

const headersOf = (s: Session): Record<string, string> => ({ cookie: s.cookie, 'x-csrf-token': s.csrf });

const count = async (sql: pg.Client, text: string, params: unknown[] = []) =>
  Number(((await sql.query(text, params)).rows[0] as { n: number | string }).n);

// ---------------------------------------------------------------------------------------------------------------------
// (a) the city

interface Population {
  /** The generator's figures when this run seeded the city; null when a kept database had it already. */
  seeded: CityResult | null;
  residents: number;
  households: number;
  grids: number;
  gridWorkersAdded: number;
}

/** Seeds the city unless the district has residents already, then the demo seed and a grid worker per grid. */
async function population(ctx: AppContext, sql: pg.Client): Promise<Population> {
  const district = areaPath(DEMO_DISTRICT);
  const have = await count(sql, 'select count(*)::int as n from residents where district_path = $1', [
    district,
  ]);
  let seeded: CityResult | null = null;
  if (have === 0) {
    // Before the demo seed: the generator runs once per district and refuses one with (demo) residents.
    log(`(a) seeding the city: ${settings.residents.toLocaleString('en')} residents …`);
    seeded = await seedCity(ctx, {
      residents: settings.residents,
      log: (line) => log(`    ${line}`),
    });
    log(`    ${seeded.residentsPerSecond.toLocaleString('en')} residents/s, ${round(seeded.seconds, 1)} s`);
  } else {
    log(
      `(a) the district has ${have.toLocaleString('en')} residents already (kept database): not seeded again`,
    );
    if (have < settings.residents)
      log(`    fewer than BENCH_RESIDENTS=${settings.residents}: the figures are for ${have}`);
  }
  await ensureDefaultCalendar(ctx);
  await ensureDefaultCategories(ctx);
  await seedDemo(ctx);
  // Every grid of the city has its grid worker (as a real street has), so the ledger per worker has its real size.
  const added = await sql.query(
    `with g as (select a.code, a.path, a.name from areas a
                 where a.level = 'grid' and a.path like $1
                   and not exists (select 1 from assignments s where s.role = 'grid_worker' and s.revoked_at is null
                                     and s.area_path = a.path)),
          acc as (insert into accounts (kind, username, display_name, home_area_path)
                  select 'staff', 'bench.gw.' || g.code, g.name || '网格员', g.path from g
                  returning id, home_area_path)
     insert into assignments (account_id, role, area_code, area_path)
     select acc.id, 'grid_worker', g.code, g.path from acc join g on g.path = acc.home_area_path`,
    [`${district}%`],
  );
  await sql.query('analyze');
  return {
    seeded,
    residents: await count(sql, 'select count(*)::int as n from residents where district_path = $1', [
      district,
    ]),
    households: await count(sql, 'select count(*)::int as n from households where area_path like $1', [
      `${district}%`,
    ]),
    grids: await count(sql, `select count(*)::int as n from areas where level = 'grid' and path like $1`, [
      `${district}%`,
    ]),
    gridWorkersAdded: added.rowCount ?? 0,
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// (b) import against COPY

interface ImportFigures {
  format: 'xlsx' | 'csv';
  rows: number;
  bytes: number;
  region: string;
  /** The raw COPY of the same rows, already encrypted and hashed (prepared untimed). */
  copy: { seconds: number; perSecond: number };
  /** POST /api/people/import: from sending the file to the report. */
  import: { seconds: number; perSecond: number; created: number; rejected: number; unchanged: number };
  ratioToCopy: number;
}

const ETHNICITY_CODE = new Map(ETHNICITIES.map((e) => [e['zh-CN'], e.code]));
const RESIDENCE = new Map([
  ['户籍', 'registered'],
  ['流动', 'floating'],
  ['境外', 'foreign'],
]);

/** A value for COPY's text format: \N for null, backslash, tab and newlines escaped. */
function copyValue(v: string | null): string {
  if (v === null) return '\\N';
  return v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

const COPY_COLUMNS = [
  'id',
  'name',
  'name_initials',
  'gender',
  'birth_date',
  'id_number_enc',
  'id_number_hash',
  'id_number_last4',
  'id_number_masked',
  'district_path',
  'phone_enc',
  'phone_hash',
  'phone_last4',
  'phone_masked',
  'ethnicity',
  'residence_type',
  'permit_expires_on',
  'area_code',
  'area_path',
  'created_by',
] as const;

/**
 * The fixture's rows as the import would write them (encrypted, hashed, masked), in COPY's text format: the database
 * work alone, the baseline of the import.
 */
function copyFile(
  secrets: Secrets,
  cells: CellValue[][],
  area: { code: string; path: string },
  createdBy: string,
): { text: string; ids: string[] } {
  const col = (c: (typeof IO_COLUMNS)[number]) => IO_COLUMNS.indexOf(c);
  const [iName, iGender, iBirth, iId, iPhone, iEth, iType, iPermit] = [
    col('name'),
    col('gender'),
    col('birthDate'),
    col('idNumber'),
    col('phone'),
    col('ethnicity'),
    col('residenceType'),
    col('permitExpiresOn'),
  ];
  const initials = new Map<string, string>();
  const ids: string[] = [];
  const lines: string[] = [];
  for (const row of cells.slice(1)) {
    const s = (i: number) => String(row[i] ?? '');
    const name = s(iName);
    let ini = initials.get(name);
    if (ini === undefined) initials.set(name, (ini = nameInitials(name)));
    const idNumber = s(iId);
    const phone = s(iPhone) || null;
    const id = crypto.randomUUID();
    ids.push(id);
    const values: (string | null)[] = [
      id,
      name,
      ini,
      s(iGender) === '男' ? 'male' : 'female',
      s(iBirth),
      secrets.encrypt(idNumber),
      secrets.keyedHash(idNumber, 'idnumber'),
      idNumber.slice(-4),
      maskIdNumber(idNumber),
      area.path.slice(0, 6),
      phone && secrets.encrypt(phone),
      phone && secrets.keyedHash(phone, 'phone'),
      phone && phoneLast4(phone),
      phone && maskPhoneNumber(phone),
      ETHNICITY_CODE.get(s(iEth)) ?? null,
      RESIDENCE.get(s(iType)) ?? 'registered',
      s(iPermit) || null,
      area.code,
      area.path,
      createdBy,
    ];
    lines.push(values.map(copyValue).join('\t'));
  }
  return { text: lines.join('\n') + '\n', ids };
}

/** The first import region with no resident of the district yet. */
async function freshRegion(sql: pg.Client, district: string, taken: Set<string>): Promise<string> {
  for (const region of IMPORT_REGIONS) {
    if (taken.has(region)) continue;
    const { rowCount } = await sql.query(
      `select 1 from residents where district_path = $1 and id_number_masked like $2 limit 1`,
      [district, `${region}%`],
    );
    if (!rowCount) return region;
  }
  throw new Error('every import region is used in this database: use a fresh one (no BENCH_DB)');
}

async function importPart(
  ctx: AppContext,
  sql: pg.Client,
  base: string,
  community: Session,
  communityCode: string,
  accountId: string,
  tmp: string,
): Promise<ImportFigures[]> {
  const area = { code: communityCode, path: areaPath(communityCode) };
  const district = area.path.slice(0, 6);
  const out: ImportFigures[] = [];
  const taken = new Set<string>();
  for (const format of settings.importFormats) {
    const region = await freshRegion(sql, district, taken);
    taken.add(region);
    log(`(b) ${format}: ${settings.importRows.toLocaleString('en')} rows (ID numbers of region ${region}) …`);
    const fixture = importFixture({ rows: settings.importRows, bad: 0, region, seed: 1 });
    const file = format === 'xlsx' ? await fixtureXlsx(fixture.cells) : fixtureCsv(fixture.cells);

    // The raw COPY of the same rows: into the residents table itself (same indexes, same size), timed to its end and
    // rolled back. Deleting 100,000 residents afterwards would take minutes at 3.3M (every referencing table's foreign
    // key is checked row by row); the rollback spares that, and leaves out only the commit's one log flush.
    const prepared = copyFile(ctx.secrets, fixture.cells, area, accountId);
    const copyPath = path.join(tmp, `residents-${format}.copy`);
    fs.writeFileSync(copyPath, prepared.text);
    fs.chmodSync(copyPath, 0o644); // read by the server process (the postgres user)
    await sql.query('checkpoint');
    let t = performance.now();
    await sql.query('begin');
    await sql.query(`copy residents (${COPY_COLUMNS.join(', ')}) from '${copyPath}'`);
    const copySeconds = (performance.now() - t) / 1000;
    await sql.query('rollback');
    log(`    COPY ${Math.round(settings.importRows / copySeconds).toLocaleString('en')} rows/s`);
    fs.rmSync(copyPath);

    await sql.query('checkpoint');
    t = performance.now();
    const res = await fetch(`${base}/api/people/import?areaCode=${communityCode}`, {
      method: 'POST',
      headers: {
        ...headersOf(community),
        'content-type': format === 'xlsx' ? IMPORT_MIME_XLSX : IMPORT_MIME_CSV,
      },
      body: new Uint8Array(file),
    });
    const importSeconds = (performance.now() - t) / 1000;
    const report = (await res.json()) as ImportReport;
    if (res.status !== 200)
      throw new Error(`POST /api/people/import: ${res.status} ${JSON.stringify(report)}`);
    if (report.created !== settings.importRows)
      log(`    warning: ${report.created} created of ${settings.importRows} (${report.rejected} rejected)`);
    const copyRate = settings.importRows / copySeconds;
    const importRate = report.created / importSeconds;
    log(`    import ${Math.round(importRate).toLocaleString('en')} rows/s (${round(importSeconds, 1)} s)`);
    out.push({
      format,
      rows: settings.importRows,
      bytes: file.length,
      region,
      copy: { seconds: round(copySeconds, 3), perSecond: Math.round(copyRate) },
      import: {
        seconds: round(importSeconds, 3),
        perSecond: Math.round(importRate),
        created: report.created,
        rejected: report.rejected,
        unchanged: report.unchanged,
      },
      ratioToCopy: round(importRate / copyRate, 3),
    });
    await removeImported(sql, district, region);
  }
  return out;
}

/**
 * Takes an import's residents out again, so that the street (c) searches keeps the city's own people and a kept
 * database does not grow by the import run after run, and vacuums after them. As superuser, past the append-only rule of resident events
 * (triggers and foreign keys are not run: the fixture rows have no household, dwelling or tag).
 */
async function removeImported(sql: pg.Client, district: string, region: string): Promise<void> {
  const mine = `select id from residents where district_path = $1 and id_number_masked like $2`;
  const args = [district, `${region}%`];
  try {
    await sql.query('begin');
    await sql.query('set local session_replication_role = replica');
    await sql.query(`delete from resident_events where resident_id in (${mine})`, args);
    await sql.query(`delete from residents where id in (${mine})`, args);
    await sql.query('commit');
    // What autovacuum does soon after: without it, the searches of (c) ran while it cleared the 100,000 dead rows
    // and their index entries (the street worker's name search had p95 111 ms then, 93 ms after).
    await sql.query('vacuum (analyze) residents, resident_events');
  } catch (err) {
    await sql.query('rollback');
    log(`    the imported rows stay in the database (${(err as Error).message})`);
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// (c) search

type QueryKind = 'name' | 'initials' | 'last4' | 'idNumber' | 'mix';

interface SearchFigures extends LoadResult {
  who: string;
  areaCode: string;
  residentsInScope: number;
  kind: QueryKind;
  queries: number;
  /** Mean `total` of the answers to the first queries (how many residents match). */
  meanMatches: number;
}

/** Queries of each kind drawn from the residents of an area (a random sample). */
async function drawQueries(
  sql: pg.Client,
  secrets: Secrets,
  scopePath: string,
): Promise<Record<Exclude<QueryKind, 'mix'>, string[]>> {
  const { rows } = await sql.query<{ name: string; name_initials: string; last4: string; enc: string }>(
    `select name, name_initials, id_number_last4 as last4, id_number_enc as enc from residents
      where area_path like $1 and status = 'alive' and id_number_enc is not null
      order by md5(id::text) limit $2`,
    [`${scopePath}%`, settings.queries],
  );
  return {
    name: rows.map((r) => r.name),
    initials: rows.map((r) => r.name_initials),
    last4: rows.map((r) => r.last4),
    idNumber: rows.map((r) => secrets.decrypt(r.enc)),
  };
}

async function searchPart(
  sql: pg.Client,
  secrets: Secrets,
  base: string,
  who: string,
  s: Session,
  areaCode: string,
): Promise<SearchFigures[]> {
  const scope = areaPath(areaCode);
  const residentsInScope = await count(
    sql,
    `select count(*)::int as n from residents where area_path like $1 and status = 'alive'`,
    [`${scope}%`],
  );
  const drawn = await drawQueries(sql, secrets, scope);
  const mix = drawn.name.flatMap((_, i) => [
    drawn.name[i]!,
    drawn.initials[i]!,
    drawn.last4[i]!,
    drawn.idNumber[i]!,
  ]);
  const kinds: [QueryKind, string[]][] = [...Object.entries(drawn), ['mix', mix]] as [QueryKind, string[]][];
  const out: SearchFigures[] = [];
  for (const [kind, qs] of kinds) {
    const paths = qs.map((q) => `/api/residents?q=${encodeURIComponent(q)}`);
    let matches = 0;
    const probe = paths.slice(0, 10);
    for (const p of probe) {
      const res = await fetch(`${base}${p}`, { headers: headersOf(s) });
      const body = (await res.json()) as { total?: number };
      if (res.status !== 200) throw new Error(`GET ${p} as ${who}: ${res.status} ${JSON.stringify(body)}`);
      matches += body.total ?? 0;
    }
    log(`(c) ${who} (${residentsInScope.toLocaleString('en')} residents in scope), q by ${kind} …`);
    const r = await runLoad({
      url: `${base}${paths[0]}`,
      paths,
      headers: headersOf(s),
      connections: settings.connections,
      duration: settings.duration,
      warmup: settings.warmup,
    });
    log(`    ${r.rps}/s, p50 ${r.latencyMs.p50} ms, p95 ${r.latencyMs.p95} ms, p99 ${r.latencyMs.p99} ms`);
    out.push({
      ...r,
      who,
      areaCode,
      residentsInScope,
      kind,
      queries: qs.length,
      meanMatches: round(matches / Math.max(1, probe.length), 1),
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------------
// (d) coverage

interface CoverageFigures extends LoadResult {
  areaCode: string;
  from: string;
  to: string;
  households: number;
  visitedHouseholds: number;
  visitsInDistrict: number;
  gridsInStreet: number;
}

/** A visit to visitedPercent % of the district's households in the period, 10 % more before it; once. */
async function seedVisits(sql: pg.Client, district: string, to: string): Promise<void> {
  if (
    await count(sql, 'select count(*)::int as n from visits where situation = $1 limit 1', [VISIT_SITUATION])
  )
    return;
  log('(d) seeding visits …');
  await sql.query(
    `insert into visits (household_id, area_code, area_path, visited_on, visitor_id, visitor_name, situation)
     select h.id, h.area_code, h.area_path,
            $3::date - case when abs(hashtext(h.id::text)) % 100 < $2 then abs(hashtext(h.id::text || 'd')) % $4
                            else $4 + 1 + abs(hashtext(h.id::text || 'd')) % 90 end,
            w.account_id, coalesce(w.display_name, '网格员'), $5
       from households h
       left join lateral (select s.account_id, acc.display_name from assignments s
                            join accounts acc on acc.id = s.account_id
                           where s.role = 'grid_worker' and s.revoked_at is null and s.area_path = h.area_path
                           order by s.created_at limit 1) w on true
      where h.area_path like $1 and abs(hashtext(h.id::text)) % 100 < $2 + 10`,
    [`${district}%`, settings.visitedPercent, to, PERIOD_DAYS, VISIT_SITUATION],
  );
  await sql.query('analyze visits');
}

async function coveragePart(
  sql: pg.Client,
  base: string,
  street: Session,
  streetCode: string,
): Promise<CoverageFigures> {
  const to = chinaToday();
  const from = new Date(Date.parse(`${to}T00:00:00Z`) - (PERIOD_DAYS - 1) * 86_400_000)
    .toISOString()
    .slice(0, 10);
  await seedVisits(sql, areaPath(DEMO_DISTRICT), to);
  const p = `/api/visits/coverage?areaCode=${streetCode}&from=${from}&to=${to}`;
  const res = await fetch(`${base}${p}`, { headers: headersOf(street) });
  const body = (await res.json()) as { total?: { households: number; visitedHouseholds: number } };
  if (res.status !== 200) throw new Error(`GET ${p}: ${res.status} ${JSON.stringify(body).slice(0, 400)}`);
  log(
    `(d) GET ${p} (${body.total?.households} households, ${body.total?.visitedHouseholds} visited) as street_staff …`,
  );
  const r = await runLoad({
    url: `${base}${p}`,
    headers: headersOf(street),
    connections: settings.connections,
    duration: settings.duration,
    warmup: settings.warmup,
  });
  log(`    ${r.rps}/s, p50 ${r.latencyMs.p50} ms, p95 ${r.latencyMs.p95} ms, p99 ${r.latencyMs.p99} ms`);
  return {
    ...r,
    areaCode: streetCode,
    from,
    to,
    households: body.total?.households ?? 0,
    visitedHouseholds: body.total?.visitedHouseholds ?? 0,
    visitsInDistrict: await count(sql, 'select count(*)::int as n from visits where area_path like $1', [
      `${areaPath(DEMO_DISTRICT)}%`,
    ]),
    gridsInStreet: await count(
      sql,
      `select count(*)::int as n from areas where level = 'grid' and path like $1`,
      [`${areaPath(streetCode)}%`],
    ),
  };
}

// ---------------------------------------------------------------------------------------------------------------------

interface Report {
  date: string;
  commit: string | null;
  machine: Record<string, string | number | null>;
  settings: Omit<typeof settings, 'parts'> & { parts: string[] };
  population: Population;
  imports: ImportFigures[];
  search: SearchFigures[];
  coverage: CoverageFigures | null;
}

async function run(): Promise<Report> {
  const name = settings.db ?? `linli_bench_people_${process.pid}`;
  const { url, drop: dropDb } = settings.db
    ? await reusedDatabase(process.env.DATABASE_URL!, settings.db)
    : await createThrowawayDatabase(process.env.DATABASE_URL!, name);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-bench-people-'));
  fs.chmodSync(tmp, 0o755); // the COPY file in it is read by the server process
  let database: Database | null = null;
  try {
    database = await openPostgres(url);
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
    const sql = new pg.Client({ connectionString: url });
    await sql.connect();
    try {
      const pop = await population(ctx, sql);
      const app = await buildApp(ctx, { logger: false });
      await app.listen({ host: HOST, port: 0 });
      try {
        const address = app.server.address();
        const base = `http://${HOST}:${typeof address === 'object' && address ? address.port : 0}`;
        const pw = config.demoPassword;
        const community = await login(base, 'demo.community_worker', pw);
        const street = await login(base, 'demo.street_staff', pw);
        const communityCode = community.assignments.find((a) => a.role === 'community_worker')!.areaCode!;
        const streetArea = street.assignments.find((a) => a.role === 'street_staff')!.areaCode!;
        const communityAccount = (
          await sql.query<{ id: string }>(`select id from accounts where username = 'demo.community_worker'`)
        ).rows[0]!.id;

        // The demo grid worker also takes the first city grid of its community: the demo grids hold no residents
        // (the demo people are not seeded into a community the city filled).
        const { rows: cityGrids } = await sql.query<{ code: string; path: string }>(
          `select a.code, a.path from areas a where a.level = 'grid' and a.parent_code = $1
              and exists (select 1 from residents r where r.area_path = a.path) order by a.code limit 1`,
          [communityCode],
        );
        const grid = cityGrids[0];
        if (!grid) throw new Error(`no city grid with residents under ${communityCode}`);
        await sql.query(
          `insert into assignments (account_id, role, area_code, area_path)
           select id, 'grid_worker', $1, $2 from accounts where username = 'demo.grid_worker'
              and not exists (select 1 from assignments s join accounts a on a.id = s.account_id
                               where a.username = 'demo.grid_worker' and s.area_code = $1 and s.revoked_at is null)`,
          [grid.code, grid.path],
        );
        const gridWorker = await login(base, 'demo.grid_worker', pw);

        const part = (p: string) => settings.parts.has(p);
        const imports = part('b')
          ? await importPart(ctx, sql, base, community, communityCode, communityAccount, tmp)
          : [];
        if (imports.length) await sql.query('analyze residents');
        const search: SearchFigures[] = [];
        if (part('c')) {
          search.push(...(await searchPart(sql, ctx.secrets, base, 'street_staff', street, streetArea)));
          search.push(...(await searchPart(sql, ctx.secrets, base, 'grid_worker', gridWorker, grid.code)));
        }
        const coverage = part('d') ? await coveragePart(sql, base, street, streetArea) : null;

        const cpus = os.cpus();
        const show = async (what: string) =>
          ((await sql.query(`show ${what}`)).rows[0] as Record<string, string>)[what] ?? null;
        return {
          date: new Date().toISOString(),
          commit: readCommit(),
          machine: {
            cpus: cpus.length,
            cpu: cpus[0]?.model ?? null,
            memoryGiB: Math.round(os.totalmem() / 2 ** 30),
            node: process.version,
            postgres: await show('server_version'),
            fsync: await show('fsync'),
            synchronousCommit: await show('synchronous_commit'),
            sharedBuffers: await show('shared_buffers'),
            maxWalSize: await show('max_wal_size'),
            loadAverage: round(os.loadavg()[0]!),
          },
          settings: { ...settings, parts: [...settings.parts] },
          population: pop,
          imports,
          search,
          coverage,
        };
      } finally {
        await app.close();
      }
    } finally {
      await sql.end();
    }
  } finally {
    await database?.close();
    // BENCH_KEEP_DB=1 leaves the database behind, to look into a figure (EXPLAIN) afterwards.
    if (process.env.BENCH_KEEP_DB !== '1' && !settings.db) await dropDb();
    else log(`kept database ${name}`);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

const START = '<!-- bench:people:start -->';
const END = '<!-- bench:people:end -->';

function markdown(r: Report, jsonFile: string): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const ms = (x: number) => `${x} ms`;
  const p = r.population;
  const city = p.seeded
    ? `generated at ${n(p.seeded.residentsPerSecond)} residents/s (${n(Math.round(p.seeded.seconds))} s)`
    : 'seeded by an earlier run (BENCH_DB)';
  const kindLabel: Record<QueryKind, string> = {
    name: 'name',
    initials: 'pinyin initials',
    last4: 'last four of the ID number',
    idNumber: 'full ID number',
    mix: 'mix of the four',
  };
  const lines = [
    START,
    `Run ${r.date.slice(0, 10)} at commit \`${(r.commit ?? 'unknown').slice(0, 7)}\`, PostgreSQL ${r.machine.postgres} ` +
      `(fsync ${r.machine.fsync}, synchronous_commit ${r.machine.synchronousCommit}, shared_buffers ${r.machine.sharedBuffers}, ` +
      `max_wal_size ${r.machine.maxWalSize}), ${r.machine.cpus} cores shared ` +
      `with the load generator, Node ${r.machine.node}. Raw figures: \`${jsonFile}\`.`,
    '',
    `(a) The city: ${n(p.residents)} residents in ${n(p.households)} households and ${n(p.grids)} grids of 龙子湖区; ` +
      `${city}.`,
    '',
    '| What | Rows | Seconds | Rows/s | Note |',
    '| --- | ---: | ---: | ---: | --- |',
    ...r.imports.flatMap((i) => [
      `| (b) raw \`COPY residents\` of the ${i.format.toUpperCase()} rows (encrypted beforehand) | ${n(i.rows)} | ${i.copy.seconds} | ${n(i.copy.perSecond)} | the baseline |`,
      `| (b) POST /api/people/import, ${i.format.toUpperCase()} (${n(Math.round(i.bytes / 1024))} KiB) | ${n(i.import.created)} created | ${i.import.seconds} | ${n(i.import.perSecond)} | ${i.ratioToCopy} × COPY; ${i.import.rejected} rejected |`,
    ]),
    '',
    `| What | Req/s | p50 | p95 | p99 | Note |`,
    '| --- | ---: | ---: | ---: | ---: | --- |',
    ...r.search.map(
      (s) =>
        `| (c) GET /api/residents?q= by ${kindLabel[s.kind]} as ${s.who}, ${r.settings.connections} connections | ${n(s.rps)} | ${ms(s.latencyMs.p50)} | ${ms(s.latencyMs.p95)} | ${ms(s.latencyMs.p99)} | ${n(s.residentsInScope)} residents in scope, ${s.queries} queries, ${s.meanMatches} matches on average; ${s.non2xx} non-2xx |`,
    ),
    ...(r.coverage
      ? [
          `| (d) GET /api/visits/coverage for the street, ${r.coverage.from} – ${r.coverage.to}, as street_staff, ${r.settings.connections} connections | ${n(r.coverage.rps)} | ${ms(r.coverage.latencyMs.p50)} | ${ms(r.coverage.latencyMs.p95)} | ${ms(r.coverage.latencyMs.p99)} | ${n(r.coverage.households)} households (${n(r.coverage.visitedHouseholds)} visited) in ${n(r.coverage.gridsInStreet)} grids; ${r.coverage.non2xx} non-2xx |`,
        ]
      : []),
    END,
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  if (!process.env.DATABASE_URL) {
    process.exit(await reRunUnderPostgres(SELF, log, { LINLI_PG_DURABLE: '1' }));
  }
  const report = await run();
  if (ALL_PARTS.some((p) => !settings.parts.has(p))) {
    // A partial run (BENCH_PARTS) is for comparing before/after: its figures go to the console only.
    console.log(
      JSON.stringify(
        {
          imports: report.imports,
          search: report.search.map((s) => ({ who: s.who, kind: s.kind, rps: s.rps, ...s.latencyMs })),
          coverage: report.coverage && { rps: report.coverage.rps, ...report.coverage.latencyMs },
        },
        null,
        1,
      ),
    );
    return;
  }
  fs.mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
  const jsonFile = `bench/results/people-${report.date.slice(0, 10)}.json`;
  const jsonPath = path.join(ROOT, jsonFile);
  // Formatted as the lint step checks it (short arrays on one line).
  fs.writeFileSync(jsonPath, await prettier.format(JSON.stringify(report), { filepath: jsonPath }));
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
