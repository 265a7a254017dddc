/** Test harness: a fresh database per test file, the real app over HTTP injection, and small fixtures. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import pg from 'pg';
import { inject } from 'vitest';
import { sql } from 'drizzle-orm';
import type { Role } from '../../common/roles';
import { loadConfig, type Config } from '../config';
import { createSecrets } from '../crypto';
import { openPglite, openPostgres, queryRows, type Database } from '../db/client';
import type { AppContext } from '../context';
import { buildApp } from '../http/app';
import type { App } from '../http/types';
import { accounts, assignments } from '../modules/accounts/tables';
import { areas, departments } from '../modules/areas/tables';
import { hashPassword } from '../modules/accounts/passwords';
import { areaPath, parseAreaCode } from '../../common/area-code';

export const TEST_KEY = Buffer.alloc(32, 7);

/** SMS messages "sent" during a test, newest last. */
export interface TestSms {
  sent: { phone: string; text: string }[];
}

export interface TestEnv {
  app: App;
  ctx: AppContext;
  sms: TestSms;
  /** Waits until the server has heard of every change committed so far (after writing to the database directly). */
  settled(): Promise<void>;
  close(): Promise<void>;
}

async function openTestDatabase(): Promise<Database> {
  const pgTemplate = inject('postgresTemplate');
  if (pgTemplate) {
    const base = process.env.DATABASE_URL!;
    const name = `${pgTemplate}_t_${crypto.randomBytes(5).toString('hex')}`;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${pgTemplate}`);
    await admin.end();
    const url = new URL(base);
    url.pathname = `/${name}`;
    const db = await openPostgres(url.toString(), 5);
    const close = db.close.bind(db);
    db.close = async () => {
      await close();
      const a = new pg.Client({ connectionString: base });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    };
    return db;
  }
  const file = inject('pgliteTemplate');
  const blob = new Blob([fs.readFileSync(file)]);
  return openPglite(null, blob);
}

/** Starts an app on a fresh database; pass config overrides to test other settings. */
export async function startTestApp(overrides: Partial<Config> = {}): Promise<TestEnv> {
  const database = await openTestDatabase();
  const sms: TestSms = { sent: [] };
  const config = loadConfig(
    {},
    { demo: false, jobs: false, dataDir: '/nonexistent', rateLimitPerMinute: 100_000, ...overrides },
  );
  const ctx: AppContext = {
    config,
    database,
    db: database.db,
    secrets: createSecrets(TEST_KEY),
    sms: {
      async send(phone, text) {
        sms.sent.push({ phone, text });
      },
    },
  };
  // Notifications are handled late on purpose: a test that changes sessions, accounts, assignments or names in the
  // database directly must await env.settled() before its next request, or it fails every time rather than now and
  // then.
  const late = { notifyDelayMs: 25 };
  const app = await buildApp(ctx, { logger: false, sessionCache: late, nameBook: late });
  await app.ready();
  return {
    app,
    ctx,
    sms,
    async settled() {
      await Promise.all([app.sessionsCache?.settled(database), app.nameBook?.settled(database)]);
    },
    async close() {
      await app.close();
      await database.close();
    },
  };
}

/**
 * A small area tree: 安徽 > 蚌埠 > 龙子湖区 > two streets > communities > grids, plus a sibling district.
 * Relations the tests use: street A (340302001) has communities A1, A2; A1 has grids G1, G2.
 */
export const FIXTURE = {
  province: '340000000000',
  city: '340300000000',
  district: '340302000000',
  otherDistrict: '340303000000',
  streetA: '340302001000',
  streetB: '340302002000',
  communityA1: '340302001001',
  communityA2: '340302001002',
  communityB1: '340302002001',
  gridA1a: '340302001001001',
  gridA1b: '340302001001002',
  gridA2a: '340302001002001',
} as const;

const FIXTURE_NAMES: Record<string, string> = {
  '340000000000': '安徽省',
  '340300000000': '蚌埠市',
  '340302000000': '龙子湖区',
  '340303000000': '蚌山区',
  '340302001000': '东风街道',
  '340302002000': '延安街道',
  '340302001001': '淮河社区居委会',
  '340302001002': '燕山社区居委会',
  '340302002001': '延安社区居委会',
  '340302001001001': '淮河社区第1网格',
  '340302001001002': '淮河社区第2网格',
  '340302001002001': '燕山社区第1网格',
};

/** Inserts the fixture tree and one department per district. */
export async function seedFixtureAreas(
  ctx: AppContext,
): Promise<{ departmentId: string; otherDepartmentId: string }> {
  for (const [code, name] of Object.entries(FIXTURE_NAMES)) {
    const parsed = parseAreaCode(code);
    if (!parsed.ok) throw new Error(`bad fixture code ${code}`);
    await ctx.db
      .insert(areas)
      .values({
        code,
        name,
        level: parsed.level,
        path: parsed.path,
        parentCode: parsed.parentCode,
        source: parsed.level === 'grid' ? 'local' : 'nbs',
      })
      .onConflictDoNothing();
  }
  const [d1] = await ctx.db
    .insert(departments)
    .values({ name: '龙子湖区民政局', districtCode: FIXTURE.district, areaPath: areaPath(FIXTURE.district) })
    .returning();
  const [d2] = await ctx.db
    .insert(departments)
    .values({
      name: '蚌山区民政局',
      districtCode: FIXTURE.otherDistrict,
      areaPath: areaPath(FIXTURE.otherDistrict),
    })
    .returning();
  return { departmentId: d1!.id, otherDepartmentId: d2!.id };
}

export const TEST_PASSWORD = 'Correct-Horse-9';
let cachedHash: Promise<string> | null = null;

/** Creates a staff account with one assignment directly in the database (fast path for tests). */
export async function createStaff(
  ctx: AppContext,
  username: string,
  role: Role,
  target: { areaCode?: string; departmentId?: string; departmentPath?: string },
  /** demo: a demo account, which needs no TOTP enrolment even as an administrator (tests of admin screens). */
  extra: { totpSecret?: string; phone?: string; demo?: boolean } = {},
): Promise<string> {
  cachedHash ??= hashPassword(TEST_PASSWORD);
  const areaCode = target.areaCode ?? null;
  const path = areaCode ? areaPath(areaCode) : (target.departmentPath ?? '');
  const [acc] = await ctx.db
    .insert(accounts)
    .values({
      kind: 'staff',
      username,
      displayName: username,
      passwordHash: await cachedHash,
      homeAreaPath: path,
      passwordChangedAt: new Date(),
      ...(extra.demo ? { demo: true } : {}),
      ...(extra.totpSecret
        ? { totpSecretEnc: ctx.secrets.encrypt(extra.totpSecret), totpEnabled: true }
        : {}),
      ...(extra.phone
        ? {
            phoneEnc: ctx.secrets.encrypt(extra.phone),
            phoneHash: ctx.secrets.keyedHash(extra.phone, 'phone'),
            phoneMasked: `${extra.phone.slice(0, 3)}****${extra.phone.slice(-4)}`,
          }
        : {}),
    })
    .returning({ id: accounts.id });
  await ctx.db.insert(assignments).values({
    accountId: acc!.id,
    role,
    areaCode,
    areaPath: path,
    departmentId: target.departmentId ?? null,
  });
  return acc!.id;
}

export interface Session {
  cookie: string;
  csrf: string;
  headers: Record<string, string>;
}

/** One staff account to create and sign in: username, role and where it is assigned. */
export type StaffSpec = [string, Role, Parameters<typeof createStaff>[3]];

/** Creates each staff account and signs it in: its account id into `ids`, its session into `sessions`. */
export async function signInStaff(
  env: { ctx: AppContext; app: App },
  staff: StaffSpec[],
  ids: Record<string, string>,
  sessions: Record<string, Session>,
): Promise<void> {
  for (const [username, role, target] of staff) {
    ids[username] = await createStaff(env.ctx, username, role, target);
    sessions[username] = await login(env.app, username);
  }
}

/** Logs in through the API and returns the cookie and CSRF token to send with later requests. */
export async function login(
  app: App,
  username: string,
  password = TEST_PASSWORD,
  totp?: string,
): Promise<Session> {
  const payload = totp ? { username, password, totp } : { username, password };
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload });
  if (res.statusCode !== 200) throw new Error(`login ${username} failed: ${res.statusCode} ${res.body}`);
  const setCookie = res.cookies.find((c) => c.name === 'linli_session');
  if (!setCookie) throw new Error('no session cookie');
  const cookie = `linli_session=${setCookie.value}`;
  const me = await app.inject({ method: 'GET', url: '/api/me', headers: { cookie } });
  const csrf = (me.json() as { csrfToken: string }).csrfToken;
  return { cookie, csrf, headers: { cookie, 'x-csrf-token': csrf } };
}

/** Row count of a table, for assertions that nothing (or something) was written. */
export async function countRows(ctx: AppContext, table: string): Promise<number> {
  const rows = await queryRows<{ n: number }>(ctx.db, sql.raw(`select count(*)::int as n from ${table}`));
  return rows[0]!.n;
}

/** Waits (at most 5 s) until the condition holds: for what another server hears of asynchronously. */
export async function eventually(check: () => Promise<boolean> | boolean): Promise<void> {
  const until = Date.now() + 5_000;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met within 5 s');
    await new Promise((r) => setTimeout(r, 10));
  }
}
