/**
 * The demo city 蚌埠市: its NBS area tree, three grids per community (with synthetic boundaries, boundaries.ts), six
 * departments per district, and one demo account per role. Re-running skips whatever already exists.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { and, asc, eq, inArray, like, sql } from 'drizzle-orm';
import { areaPath } from '../../../common/area-code';
import { ROLE_NAMES, ROLES, type Role } from '../../../common/roles';
import type { AppContext } from '../../context';
import { accounts } from '../accounts/tables';
import { createAccount } from '../accounts/service';
import { appendAudit } from '../audit/log';
import { SYSTEM_ACTOR_NAME } from '../areas/audit-meta';
import { generateDemoGrids } from '../areas/division-csv';
import { importDivisionFiles, writeAreaRows } from '../areas/import';
import { areas, departments } from '../areas/tables';
import { ensureDemoApiKey } from '../open311/apikeys';
import { seedDemoBoundaries } from './boundaries';
import { seedDemoHousing } from '../housing/demo';
import { seedDemoPeople } from '../people/demo';
import { seedDemoTags } from '../tags/demo';
import { seedDemoVisits } from '../visits/demo';

const here = path.dirname(fileURLToPath(import.meta.url));
export const DEMO_DATA_DIR = path.resolve(here, '../areas/data/bengbu');
const DIVISION_FILES = ['provinces.csv', 'cities.csv', 'areas.csv', 'streets.csv', 'villages.csv'];

export const DEMO_CITY = '340300000000';
/** 龙子湖区, home of the street, community and grid demo accounts. */
export const DEMO_DISTRICT = '340302000000';
export const DEMO_STREET = '340302001000';
export const DEMO_GRIDS_PER_COMMUNITY = 3;
export const DEMO_DEPARTMENTS = [
  '民政局',
  '住房和城乡建设局',
  '城市管理局',
  '公安分局',
  '卫生健康委员会',
  '人力资源和社会保障局',
] as const;
const DEMO_DEPARTMENT = '民政局';

export function demoUsername(role: Role): string {
  return `demo.${role}`;
}

/** True when no area exists yet (a fresh install). */
export async function isDatabaseEmpty(ctx: AppContext): Promise<boolean> {
  const rows = await ctx.db.select({ code: areas.code }).from(areas).limit(1);
  return rows.length === 0;
}

/** The demo city's areas that the demo accounts are placed at. */
export async function demoPlaces(ctx: AppContext) {
  const first = async (level: string, prefix: string) => {
    const [row] = await ctx.db
      .select({ code: areas.code, name: areas.name })
      .from(areas)
      .where(and(eq(areas.level, level), like(areas.path, `${prefix}%`)))
      .orderBy(asc(areas.code))
      .limit(1);
    return row ?? null;
  };
  const [city] = await ctx.db
    .select({ code: areas.code, name: areas.name })
    .from(areas)
    .where(eq(areas.code, DEMO_CITY));
  const [district] = await ctx.db
    .select({ code: areas.code, name: areas.name })
    .from(areas)
    .where(eq(areas.code, DEMO_DISTRICT));
  const [preferred] = await ctx.db
    .select({ code: areas.code, name: areas.name })
    .from(areas)
    .where(eq(areas.code, DEMO_STREET));
  const street = preferred ?? (await first('street', areaPath(DEMO_DISTRICT)));
  const community = street ? await first('community', areaPath(street.code)) : null;
  const grid = community ? await first('grid', areaPath(community.code)) : null;
  const [department] = district
    ? await ctx.db
        .select({ id: departments.id, name: departments.name })
        .from(departments)
        .where(
          and(
            eq(departments.districtCode, district.code),
            eq(departments.name, district.name + DEMO_DEPARTMENT),
          ),
        )
    : [];
  return { city, district, street, community, grid, department: department ?? null };
}

/** Inserts grids and departments in batches, and demo boundaries where grids have none; existing rows are left as they are. */
async function seedGridsAndDepartments(ctx: AppContext): Promise<{ grids: number; departments: number }> {
  const communities = await ctx.db
    .select({ code: areas.code, name: areas.name })
    .from(areas)
    .where(and(eq(areas.level, 'community'), like(areas.path, `${areaPath(DEMO_CITY)}%`)))
    .orderBy(asc(areas.code));
  const grids = generateDemoGrids(communities, { perCommunity: DEMO_GRIDS_PER_COMMUNITY });
  const districts = await ctx.db
    .select({ code: areas.code, name: areas.name, path: areas.path })
    .from(areas)
    .where(and(eq(areas.level, 'district'), like(areas.path, `${areaPath(DEMO_CITY)}%`)))
    .orderBy(asc(areas.code));

  return ctx.db.transaction(async (tx) => {
    const { inserted: gridCount } = await writeAreaRows(tx, grids, { source: 'local', onConflict: 'skip' });
    const deptRows = districts.flatMap((d) =>
      DEMO_DEPARTMENTS.map((n) => ({ name: d.name + n, districtCode: d.code, areaPath: d.path })),
    );
    const depts = deptRows.length
      ? await tx.insert(departments).values(deptRows).onConflictDoNothing().returning({ id: departments.id })
      : [];
    // Synthetic shapes (boundaries.ts) for the grids that have none, so the map and locating work in the demo.
    const bounded = await seedDemoBoundaries(tx, DEMO_CITY);
    if (gridCount > 0 || depts.length > 0 || bounded > 0) {
      await appendAudit(tx, {
        actorName: SYSTEM_ACTOR_NAME,
        action: 'demo.seed',
        targetType: 'area',
        areaPath: areaPath(DEMO_CITY),
        outcome: 'success',
        details: { grids: gridCount, departments: depts.length, boundaries: bounded },
      });
    }
    return { grids: gridCount, departments: depts.length };
  });
}

/**
 * Creates the missing demo accounts, one per role, through createAccount, with the configured demo password
 * (createAccount exempts demo accounts made by the system from the password policy, which rightly refuses
 * `linli-demo` for real accounts).
 */
async function seedAccounts(ctx: AppContext): Promise<number> {
  const places = await demoPlaces(ctx);
  const existing = await ctx.db
    .select({ username: accounts.username })
    .from(accounts)
    .where(
      inArray(
        sql`lower(${accounts.username})`,
        ROLES.map((r) => demoUsername(r)),
      ),
    );
  const have = new Set(existing.map((e) => e.username?.toLowerCase()));
  let created = 0;
  for (const role of ROLES) {
    const username = demoUsername(role);
    if (have.has(username)) continue;
    const target = placeOf(role, places);
    if (!target) continue;
    await createAccount(ctx, null, {
      username,
      displayName: `演示${ROLE_NAMES[role]['zh-CN']}`,
      password: ctx.config.demoPassword,
      homeAreaCode: target.homeAreaCode,
      assignments: [
        target.departmentId
          ? { role, departmentId: target.departmentId }
          : { role, areaCode: target.homeAreaCode },
      ],
      mustChangePassword: false,
      demo: true,
      kind: role === 'resident' ? 'resident' : 'staff',
    });
    created++;
  }
  return created;
}

type Places = Awaited<ReturnType<typeof demoPlaces>>;

/** Where each role's demo account works; null when the demo tree lacks that place. */
function placeOf(role: Role, p: Places): { homeAreaCode: string; departmentId?: string } | null {
  switch (role) {
    case 'admin':
    case 'security_admin':
    case 'auditor':
    case 'leader':
      return p.city ? { homeAreaCode: p.city.code } : null;
    case 'dept_handler':
      return p.department && p.district
        ? { homeAreaCode: p.district.code, departmentId: p.department.id }
        : null;
    case 'street_staff':
    case 'evaluator':
      return p.street ? { homeAreaCode: p.street.code } : null;
    case 'community_worker':
    case 'volunteer':
    case 'resident':
      return p.community ? { homeAreaCode: p.community.code } : null;
    case 'grid_worker':
      return p.grid ? { homeAreaCode: p.grid.code } : null;
  }
}

/** Seeds the demo city; safe to run again (skips what exists). */
export async function seedDemo(ctx: AppContext): Promise<void> {
  const files = DIVISION_FILES.map((f) => path.join(DEMO_DATA_DIR, f)).filter((f) => fs.existsSync(f));
  const imported = await importDivisionFiles(ctx, files);
  if (imported.errors.length) {
    const first = imported.errors[0]!;
    throw new Error(`demo data rejected: ${first.file}:${first.line}: ${first.message}`);
  }
  await seedGridsAndDepartments(ctx);
  await seedAccounts(ctx);
  // A few estates, buildings, units and dwellings in the demo accounts' grids (housing/demo.ts).
  await seedDemoHousing(ctx, DEMO_STREET);
  // A few households and residents living in those dwellings (people/demo.ts).
  await seedDemoPeople(ctx, DEMO_STREET);
  // A few of them tagged as focus groups, one restricted (tags/demo.ts).
  await seedDemoTags(ctx, DEMO_STREET);
  // Visit rules and a few past visits to those households (visits/demo.ts).
  await seedDemoVisits(ctx, DEMO_STREET);
  // The demo Open311 client (LINLI_DEMO_OPEN311_KEY) reports anywhere in the demo city.
  await ensureDemoApiKey(ctx, DEMO_CITY);
}

/** Where each demo account sits in the bundled 蚌埠市 data, for the note (printable before the seed runs). */
const DEMO_PLACES: Record<Role, string> = {
  admin: '蚌埠市 340300000000',
  security_admin: '蚌埠市 340300000000',
  auditor: '蚌埠市 340300000000',
  leader: '蚌埠市 340300000000',
  dept_handler: '龙子湖区民政局',
  street_staff: '龙子湖区东风街道 340302001000',
  community_worker: '东风街道东风社区 340302001001',
  grid_worker: '东风社区第1网格 340302001001001',
  volunteer: '东风社区 340302001001',
  resident: '东风社区 340302001001',
  evaluator: '龙子湖区东风街道 340302001000',
};

/** Display width of a string in a terminal: CJK characters take two columns. */
function width(s: string): number {
  let w = 0;
  for (const ch of s)
    w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(
      ch,
    )
      ? 2
      : 1;
  return w;
}

function pad(s: string, n: number): string {
  return s + ' '.repeat(Math.max(0, n - width(s)));
}

/** A printable table of the demo accounts: username, role in Chinese, area; and the password. */
export function DEMO_ACCOUNTS_NOTE(password: string): string {
  const rows = ROLES.map((r) => [demoUsername(r), ROLE_NAMES[r]['zh-CN'], DEMO_PLACES[r]] as const);
  const head = ['用户名 username', '角色 role', '区域 area'] as const;
  const widths = head.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i]!))));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => pad(c, widths[i]!))
      .join('  ')
      .trimEnd();
  return [
    '',
    `Demo accounts (演示账号), password 密码: ${password}`,
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
  ].join('\n');
}
