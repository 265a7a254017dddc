/**
 * The authorization table: every route of the OpenAPI document × every role × every area relation (own area, a
 * child, the parent, a sibling), with the outcome we expect. A route missing from the table fails the suite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { ADMIN_ROLES, ROLES, type Role } from '../../common/roles';
import { areaPath } from '../../common/area-code';
import {
  createStaff,
  FIXTURE,
  login,
  seedFixtureAreas,
  startTestApp,
  type Session,
  type TestEnv,
} from '../test/harness';
import { generateTotpSecret, totpCode, totpStep } from '../modules/accounts/totp';
import {
  ACCOUNT_READERS,
  ACCOUNT_UPDATERS,
  areaAt,
  ASSIGNMENT_MANAGERS,
  AUDITORS,
  DEPARTMENT_CREATORS,
  DEPARTMENT_READERS,
  EVERYONE,
  EXTRA,
  GRID_MANAGERS,
  gridAt,
  HOME,
  RELATIONS,
  REVEALERS,
  SCOPED,
  SESSION_MANAGERS,
  AREA_READERS,
  type Actor,
  type Call,
  type Matrix,
  type Relation,
  type RouteCase,
} from '../test/matrix';
import { areas } from '../modules/areas/tables';
import { assignments, sessions } from '../modules/accounts/tables';
import { parseAreaCode } from '../../common/area-code';

let env: TestEnv;
let departmentId: string;
let otherDepartmentId: string;
const actors = new Map<Role, Actor>();
const totpSecrets = new Map<string, string>();
const lastStep = new Map<string, number>();
let seq = 0;

async function newTargetAccount(areaCode: string): Promise<{ id: string; username: string }> {
  const username = `target.${++seq}`;
  const id = await createStaff(env.ctx, username, 'leader', { areaCode }, { phone: '13800001234' });
  return { id, username };
}

async function addArea(code: string, name: string) {
  const p = parseAreaCode(code);
  if (!p.ok) throw new Error(code);
  await env.ctx.db
    .insert(areas)
    .values({ code, name, level: p.level, path: p.path, parentCode: p.parentCode, source: 'local' })
    .onConflictDoNothing();
}

async function newGrid(communityCode: string): Promise<string> {
  const code = `${communityCode}${String(500 + ++seq).padStart(3, '0')}`;
  await addArea(code, `临时网格${seq}`);
  return code;
}

async function loginAs(username: string): Promise<Session> {
  const secret = totpSecrets.get(username);
  if (!secret) return login(env.app, username);
  // A TOTP step is accepted once per account; the ±1-step window lets a second login use the next step.
  const step = Math.max(totpStep(), (lastStep.get(username) ?? 0) + 1);
  lastStep.set(username, step);
  return login(env.app, username, undefined, totpCode(secret, step));
}

const CORE_ROUTES: Record<string, RouteCase> = {
  'POST /api/auth/login': {
    allow: EVERYONE,
    scope: 'any',
    public: true,
    call: async () => ({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'nobody', password: 'x' },
    }),
  },
  'POST /api/auth/logout': {
    allow: EVERYONE,
    scope: 'any',
    freshSession: true,
    call: async () => ({ method: 'POST', url: '/api/auth/logout' }),
  },
  'POST /api/auth/resident/code': {
    allow: EVERYONE,
    scope: 'any',
    public: true,
    call: async () => ({
      method: 'POST',
      url: '/api/auth/resident/code',
      payload: { phone: `139${String(10000000 + ++seq)}` },
    }),
  },
  'POST /api/auth/resident/login': {
    allow: EVERYONE,
    scope: 'any',
    public: true,
    call: async () => ({
      method: 'POST',
      url: '/api/auth/resident/login',
      payload: { phone: '13900000000', code: '000000' },
    }),
  },
  'GET /api/me': { allow: EVERYONE, scope: 'any', call: async () => ({ method: 'GET', url: '/api/me' }) },
  'POST /api/me/password': {
    allow: EVERYONE,
    scope: 'any',
    call: async () => ({
      method: 'POST',
      url: '/api/me/password',
      payload: { currentPassword: 'wrong-password', newPassword: 'Another-Long-9' },
    }),
  },
  'POST /api/me/totp/setup': {
    allow: EVERYONE,
    scope: 'any',
    call: async () => ({ method: 'POST', url: '/api/me/totp/setup' }),
  },
  'POST /api/me/totp/enable': {
    allow: EVERYONE,
    scope: 'any',
    call: async () => ({ method: 'POST', url: '/api/me/totp/enable', payload: { code: '000000' } }),
  },
  'POST /api/me/totp/disable': {
    // The three administrators must keep their second factor.
    allow: EVERYONE.filter((r) => !ADMIN_ROLES.includes(r)),
    scope: 'any',
    call: async () => ({ method: 'POST', url: '/api/me/totp/disable', payload: { code: '000000' } }),
  },
  'GET /api/areas': {
    allow: AREA_READERS,
    scope: 'scoped',
    call: async (a, rel) => {
      const parent = areaAt(a.home, rel);
      return parent ? { method: 'GET', url: `/api/areas?parent=${parent}` } : null;
    },
  },
  'GET /api/areas/search': {
    allow: AREA_READERS,
    scope: 'scoped',
    call: async (a, rel) => {
      const target = areaAt(a.home, rel);
      return target
        ? {
            method: 'GET',
            url: `/api/areas/search?q=${target.slice(0, 12)}`,
            listed: { field: 'code', value: target },
          }
        : null;
    },
  },
  'GET /api/areas/{code}': {
    allow: AREA_READERS,
    scope: 'scoped',
    call: async (a, rel) => {
      const target = areaAt(a.home, rel);
      return target ? { method: 'GET', url: `/api/areas/${target}` } : null;
    },
  },
  'POST /api/areas/{code}/grids': {
    allow: GRID_MANAGERS,
    scope: 'scoped',
    call: async (a, rel) => {
      const target = areaAt(a.home, rel);
      return target
        ? { method: 'POST', url: `/api/areas/${target}/grids`, payload: { name: `新网格${++seq}` } }
        : null;
    },
  },
  'PATCH /api/grids/{code}': {
    allow: GRID_MANAGERS,
    scope: 'scoped',
    call: async (a, rel) => {
      const grid = gridAt(a.home, rel);
      return grid
        ? { method: 'PATCH', url: `/api/grids/${grid}`, payload: { name: `改名网格${++seq}` } }
        : null;
    },
  },
  'DELETE /api/grids/{code}': {
    allow: GRID_MANAGERS,
    scope: 'scoped',
    call: async (a, rel) => {
      const near = gridAt(a.home, rel);
      if (!near) return null;
      // Delete a fresh grid beside the relation's grid, so the fixture grids stay.
      return { method: 'DELETE', url: `/api/grids/${await newGrid(near.slice(0, 12))}` };
    },
  },
  'GET /api/departments': {
    allow: DEPARTMENT_READERS,
    scope: 'any',
    call: async () => ({ method: 'GET', url: '/api/departments' }),
  },
  'POST /api/departments': {
    allow: DEPARTMENT_CREATORS,
    scope: 'scoped',
    call: async (a, rel) => {
      const target = areaAt(a.home, rel);
      // Departments take a 12-digit code by schema; a grid code is a shape error, not an authorization case.
      return target && target.length === 12
        ? {
            method: 'POST',
            url: '/api/departments',
            payload: { name: `测试局${++seq}`, districtCode: target },
          }
        : null;
    },
  },
  'GET /api/accounts': {
    allow: ACCOUNT_READERS,
    scope: 'scoped',
    call: async (a, rel) => {
      const target = areaAt(a.home, rel);
      if (!target) return null;
      const t = await newTargetAccount(target);
      return { method: 'GET', url: `/api/accounts?q=${t.username}`, listed: { field: 'id', value: t.id } };
    },
  },
  'POST /api/accounts': {
    allow: ACCOUNT_UPDATERS,
    scope: 'scoped',
    call: async (a, rel) => {
      const target = areaAt(a.home, rel);
      return target
        ? {
            method: 'POST',
            url: '/api/accounts',
            payload: {
              username: `created.${++seq}`,
              displayName: '新账号',
              homeAreaCode: target,
              assignments: [{ role: 'leader', areaCode: target }],
            },
          }
        : null;
    },
  },
  'GET /api/accounts/{id}': {
    allow: ACCOUNT_READERS,
    scope: 'scoped',
    call: async (a, rel) => {
      const target = areaAt(a.home, rel);
      return target ? { method: 'GET', url: `/api/accounts/${(await newTargetAccount(target)).id}` } : null;
    },
  },
  'PATCH /api/accounts/{id}': {
    allow: ACCOUNT_UPDATERS,
    scope: 'scoped',
    call: async (a, rel) => {
      const target = areaAt(a.home, rel);
      return target
        ? {
            method: 'PATCH',
            url: `/api/accounts/${(await newTargetAccount(target)).id}`,
            payload: { displayName: '改名' },
          }
        : null;
    },
  },
  'POST /api/accounts/{id}/assignments': {
    allow: ASSIGNMENT_MANAGERS,
    scope: 'scoped',
    call: async (a, rel) => {
      const target = areaAt(a.home, rel);
      return target
        ? {
            method: 'POST',
            url: `/api/accounts/${(await newTargetAccount(target)).id}/assignments`,
            payload: { role: 'evaluator', areaCode: target },
          }
        : null;
    },
  },
  'DELETE /api/accounts/{id}/assignments/{assignmentId}': {
    allow: ASSIGNMENT_MANAGERS,
    scope: 'scoped',
    call: async (a, rel) => {
      const target = areaAt(a.home, rel);
      if (!target) return null;
      const t = await newTargetAccount(target);
      const [row] = await env.ctx.db.select().from(assignments).where(eq(assignments.accountId, t.id));
      return { method: 'DELETE', url: `/api/accounts/${t.id}/assignments/${row!.id}` };
    },
  },
  'POST /api/accounts/{id}/reset-password': {
    allow: ACCOUNT_UPDATERS,
    scope: 'scoped',
    call: async (a, rel) => {
      const target = areaAt(a.home, rel);
      return target
        ? { method: 'POST', url: `/api/accounts/${(await newTargetAccount(target)).id}/reset-password` }
        : null;
    },
  },
  'POST /api/accounts/{id}/unlock': {
    allow: ACCOUNT_UPDATERS,
    scope: 'scoped',
    call: async (a, rel) => {
      const target = areaAt(a.home, rel);
      return target
        ? { method: 'POST', url: `/api/accounts/${(await newTargetAccount(target)).id}/unlock` }
        : null;
    },
  },
  'POST /api/accounts/{id}/reveal': {
    allow: REVEALERS,
    scope: 'scoped',
    call: async (a, rel) => {
      const target = areaAt(a.home, rel);
      return target
        ? {
            method: 'POST',
            url: `/api/accounts/${(await newTargetAccount(target)).id}/reveal`,
            payload: { field: 'phone', purpose: '核实身份以便回访' },
          }
        : null;
    },
  },
  'GET /api/sessions': {
    allow: SESSION_MANAGERS,
    scope: 'any',
    call: async () => ({ method: 'GET', url: '/api/sessions' }),
  },
  'DELETE /api/sessions/{id}': {
    allow: SESSION_MANAGERS,
    scope: 'scoped',
    call: async (a, rel) => {
      const target = areaAt(a.home, rel);
      if (!target) return null;
      const t = await newTargetAccount(target);
      await login(env.app, t.username);
      const [s] = await env.ctx.db.select().from(sessions).where(eq(sessions.accountId, t.id));
      return { method: 'DELETE', url: `/api/sessions/${s!.id}` };
    },
  },
  'GET /api/audit': {
    allow: AUDITORS,
    scope: 'any',
    call: async () => ({ method: 'GET', url: '/api/audit' }),
  },
  'GET /api/audit/verify': {
    allow: AUDITORS,
    scope: 'any',
    call: async () => ({ method: 'GET', url: '/api/audit/verify' }),
  },
};

// Each module lists its own routes beside its code.
const MODULE_CASES = import.meta.glob<{ routeCases: Record<string, RouteCase> }>(
  '../modules/*/authorization.cases.ts',
  { eager: true },
);
const ROUTES: Record<string, RouteCase> = Object.assign(
  {},
  CORE_ROUTES,
  ...Object.values(MODULE_CASES).map((m) => m.routeCases),
);

/** Outcome classes: 'allowed' is anything the authorization layer let through (it may still be a 400 or 409). */
function outcome(status: number, code: string | undefined): 'allowed' | 'denied' | 'unauthenticated' {
  if (status === 401 && (code === 'auth.required' || code === 'auth.session_expired'))
    return 'unauthenticated';
  if (status === 403 || status === 404) return 'denied';
  return 'allowed';
}

async function send(call: Call, session: Session | null) {
  const res = await env.app.inject({
    method: call.method,
    url: call.url,
    headers: session ? session.headers : {},
    ...(call.payload === undefined ? {} : { payload: call.payload as object }),
  });
  // Files (photos, downloads) are not JSON: their status alone tells the outcome.
  const json = String(res.headers['content-type'] ?? '').includes('json');
  const body =
    res.body && json
      ? (JSON.parse(res.body) as { error?: { code: string }; items?: Record<string, unknown>[] })
      : {};
  return { status: res.statusCode, body };
}

const matrix: Matrix = {
  get env() {
    return env;
  },
  get departmentId() {
    return departmentId;
  },
  get otherDepartmentId() {
    return otherDepartmentId;
  },
  seq: () => ++seq,
  newTargetAccount,
  newGrid,
  loginAs,
};

beforeAll(async () => {
  env = await startTestApp();
  ({ departmentId, otherDepartmentId } = await seedFixtureAreas(env.ctx));
  await addArea(EXTRA.gridB1a, '延安社区第1网格');
  await addArea(EXTRA.otherStreet, '蚌山街道');
  await addArea(EXTRA.otherCommunity, '蚌山社区居委会');
  await addArea(EXTRA.otherGrid, '蚌山社区第1网格');
  for (const role of ROLES) {
    const username = `matrix.${role}`;
    const extra: { totpSecret?: string } = {};
    if (ADMIN_ROLES.includes(role)) {
      extra.totpSecret = generateTotpSecret();
      totpSecrets.set(username, extra.totpSecret);
    }
    const target =
      role === 'dept_handler'
        ? { departmentId, departmentPath: areaPath(FIXTURE.district) }
        : { areaCode: HOME[role] };
    await createStaff(env.ctx, username, role, target, extra);
    actors.set(role, { role, home: HOME[role], session: await loginAs(username) });
  }
});

afterAll(async () => env?.close());

describe('the authorization table', () => {
  it('lists every route of the OpenAPI document', async () => {
    const doc = (await env.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = Object.entries(doc.paths)
      .filter(([p]) => p.startsWith('/api/'))
      .flatMap(([p, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${p}`));
    const missing = documented.filter((r) => !(r in ROUTES));
    expect(missing, 'routes without an entry in the authorization table').toEqual([]);
    const stale = Object.keys(ROUTES).filter((r) => !documented.includes(r));
    expect(stale, 'table entries for routes that no longer exist').toEqual([]);
  });

  it('turns anonymous callers away from every non-public route', async () => {
    const failures: string[] = [];
    const someone = actors.get('admin')!;
    for (const [route, rc] of Object.entries(ROUTES)) {
      const call = await rc.call(someone, 'own', matrix);
      if (!call) continue;
      const { status, body } = await send(call, null);
      const got = outcome(status, body.error?.code);
      const want = rc.public ? 'allowed' : 'unauthenticated';
      if (got !== want)
        failures.push(`${route} anonymous: expected ${want}, got ${status} ${body.error?.code ?? ''}`);
    }
    expect(failures).toEqual([]);
  });

  for (const [route, rc] of Object.entries(ROUTES)) {
    if (rc.public) continue;
    it(`${route}: ${rc.allow.length === ROLES.length ? 'every role' : rc.allow.join(', ')}${rc.scope === 'scoped' ? ', own area and below only' : ''}`, async () => {
      const failures: string[] = [];
      for (const role of ROLES) {
        const actor = actors.get(role)!;
        const relations = rc.scope === 'scoped' ? RELATIONS : (['own'] as Relation[]);
        for (const rel of relations) {
          const call = await rc.call(actor, rel, matrix);
          if (!call) continue;
          const session = rc.freshSession ? await loginAs(`matrix.${role}`) : actor.session;
          const { status, body } = await send(call, session);
          const may = rc.allow.includes(role) && (rc.scope === 'any' || SCOPED.includes(rel));
          let got = outcome(status, body.error?.code);
          if (call.listed && got === 'allowed' && !may) {
            // A list may answer 200 to someone without rights, as long as the row is not in it.
            const present = (body.items ?? []).some((i) => i[call.listed!.field] === call.listed!.value);
            got = present ? 'allowed' : 'denied';
          } else if (call.listed && got === 'allowed' && may) {
            const present = (body.items ?? []).some((i) => i[call.listed!.field] === call.listed!.value);
            if (!present) got = 'denied';
          }
          const want = may ? 'allowed' : 'denied';
          if (got !== want)
            failures.push(`${role} × ${rel}: expected ${want}, got ${status} ${body.error?.code ?? ''}`);
        }
      }
      expect(failures).toEqual([]);
    });
  }
});
