/** Staff account administration over HTTP: scope, 三员分立, assignments, disable, reveal, sessions, bad input. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, desc, eq } from 'drizzle-orm';
import type { Role } from '../../../common/roles';
import {
  FIXTURE,
  createStaff,
  login,
  seedFixtureAreas,
  startTestApp,
  type Session,
  type TestEnv,
} from '../../test/harness';
import { auditLog } from '../audit/tables';
import { accounts, assignments, loginFailures, sessions } from './tables';
import { generateTotpSecret, totpCode, totpStep } from './totp';

let env: TestEnv;
let departmentId: string;
let otherDepartmentId: string;
const ids: Record<string, string> = {};
const s: Record<string, Session> = {};
const secrets: Record<string, string> = {};

/** An administrator-role account (三员 must use TOTP) with TOTP enabled, logged in with a fresh code. */
async function createAdmin(username: string, role: Role, areaCode: string): Promise<string> {
  const secret = generateTotpSecret();
  secrets[username] = secret;
  const id = await createStaff(env.ctx, username, role, { areaCode });
  await env.ctx.db
    .update(accounts)
    .set({ totpEnabled: true, totpSecretEnc: env.ctx.secrets.encrypt(secret) })
    .where(eq(accounts.id, id));
  return id;
}

async function loginAdmin(username: string): Promise<Session> {
  // Each login claims a TOTP step; the next step (within the accepted window) serves a second login.
  const [acc] = await env.ctx.db.select().from(accounts).where(eq(accounts.username, username));
  const step = Math.max(totpStep(), (acc!.totpLastStep ?? 0) + 1);
  const res = await env.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { username, password: 'Correct-Horse-9', totp: totpCode(secrets[username]!, step) },
  });
  if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`);
  const cookie = `linli_session=${res.cookies.find((c) => c.name === 'linli_session')!.value}`;
  const me = await env.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } });
  const csrf = (me.json() as { csrfToken: string }).csrfToken;
  return { cookie, csrf, headers: { cookie, 'x-csrf-token': csrf } };
}

function req(session: Session | null, method: string, url: string, payload?: unknown) {
  return env.app.inject({
    method: method as 'GET',
    url,
    headers: session ? session.headers : {},
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
}

async function lastAudit(action: string) {
  const [row] = await env.ctx.db
    .select()
    .from(auditLog)
    .where(eq(auditLog.action, action))
    .orderBy(desc(auditLog.id))
    .limit(1);
  return row;
}

interface AccountJson {
  id: string;
  username: string;
  phone: string | null;
  disabled: boolean;
  locked: boolean;
  homeAreaCode: string | null;
  assignments: {
    id: string;
    role: string;
    areaCode: string | null;
    areaName: string | null;
    departmentName: string | null;
  }[];
}

beforeAll(async () => {
  env = await startTestApp();
  ({ departmentId, otherDepartmentId } = await seedFixtureAreas(env.ctx));
  ids.cityAdmin = await createAdmin('cityadmin', 'admin', FIXTURE.city);
  ids.streetAdminA = await createAdmin('streetadmina', 'admin', FIXTURE.streetA);
  ids.secAdmin = await createAdmin('secadmin', 'security_admin', FIXTURE.city);
  ids.auditor = await createAdmin('auditor1', 'auditor', FIXTURE.city);
  ids.leader = await createStaff(env.ctx, 'leader1', 'leader', { areaCode: FIXTURE.district });
  ids.streetStaffA = await createStaff(env.ctx, 'staffa', 'street_staff', { areaCode: FIXTURE.streetA });
  ids.streetStaffB = await createStaff(env.ctx, 'staffb', 'street_staff', { areaCode: FIXTURE.streetB });
  ids.worker = await createStaff(
    env.ctx,
    'workera1',
    'community_worker',
    { areaCode: FIXTURE.communityA1 },
    { phone: '13812345678' },
  );
  ids.grid = await createStaff(env.ctx, 'grida1', 'grid_worker', { areaCode: FIXTURE.gridA1a });
  s.cityAdmin = await loginAdmin('cityadmin');
  s.streetAdminA = await loginAdmin('streetadmina');
  s.secAdmin = await loginAdmin('secadmin');
  s.auditor = await loginAdmin('auditor1');
  s.leader = await login(env.app, 'leader1');
  s.streetStaffA = await login(env.app, 'staffa');
  s.streetStaffB = await login(env.app, 'staffb');
  s.grid = await login(env.app, 'grida1');
});

afterAll(async () => {
  await env?.close();
});

describe('create', () => {
  it('lets the city admin create a community worker whose temporary password logs in and must be changed', async () => {
    const res = await req(s.cityAdmin!, 'POST', '/api/accounts', {
      username: 'NewWorker',
      displayName: '张三',
      phone: '13900001111',
      assignments: [{ role: 'community_worker', areaCode: FIXTURE.communityA2 }],
    });
    expect(res.statusCode).toBe(201);
    const body = res.json() as { account: AccountJson; temporaryPassword: string };
    expect(body.temporaryPassword).toMatch(/^.{14}$/);
    expect(body.account.phone).toBe('139****1111');
    expect(body.account.homeAreaCode).toBe(FIXTURE.communityA2);
    expect(body.account.assignments).toEqual([
      expect.objectContaining({
        role: 'community_worker',
        areaCode: FIXTURE.communityA2,
        areaName: '燕山社区居委会',
      }),
    ]);

    const audit = await lastAudit('account.create');
    expect(audit?.actorId).toBe(ids.cityAdmin);
    expect(audit?.details).toMatchObject({ username: 'NewWorker', roles: ['community_worker'] });
    expect(JSON.stringify(audit?.details)).not.toContain(body.temporaryPassword);

    const session = await login(env.app, 'newworker', body.temporaryPassword);
    const me = await req(session, 'GET', '/api/me');
    expect((me.json() as { account: { mustChangePassword: boolean } }).account.mustChangePassword).toBe(true);
    const blocked = await req(session, 'GET', '/api/accounts');
    expect(blocked.statusCode).toBe(403);
  });

  it('creates with a given password that meets the policy, and rejects a weak one', async () => {
    const weak = await req(s.cityAdmin!, 'POST', '/api/accounts', {
      username: 'weakpw',
      displayName: 'W',
      password: '123',
      assignments: [{ role: 'grid_worker', areaCode: FIXTURE.gridA1b }],
    });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().error.details[0]).toMatchObject({ field: 'body.password', rule: 'password.length' });
    const ok = await req(s.cityAdmin!, 'POST', '/api/accounts', {
      username: 'strongpw',
      displayName: 'S',
      password: 'Another-Good-7',
      assignments: [{ role: 'grid_worker', areaCode: FIXTURE.gridA1b }],
    });
    expect(ok.statusCode).toBe(201);
    expect(ok.json().temporaryPassword).toBeNull();
    await login(env.app, 'strongpw', 'Another-Good-7');
  });

  it('keeps a street admin inside its street', async () => {
    const sibling = await req(s.streetAdminA!, 'POST', '/api/accounts', {
      username: 'instreetb',
      displayName: 'B',
      assignments: [{ role: 'community_worker', areaCode: FIXTURE.communityB1 }],
    });
    expect(sibling.statusCode).toBe(403);
    expect(sibling.json().error.code).toBe('forbidden');
    const denied = await lastAudit('access.denied');
    expect(denied?.actorId).toBe(ids.streetAdminA);
    // Home in street A but an assignment in street B: still refused.
    const mixed = await req(s.streetAdminA!, 'POST', '/api/accounts', {
      username: 'mixed',
      displayName: 'M',
      homeAreaCode: FIXTURE.streetA,
      assignments: [{ role: 'community_worker', areaCode: FIXTURE.communityB1 }],
    });
    expect(mixed.statusCode).toBe(403);
    const own = await req(s.streetAdminA!, 'POST', '/api/accounts', {
      username: 'instreeta',
      displayName: 'A',
      assignments: [{ role: 'grid_worker', areaCode: FIXTURE.gridA2a }],
    });
    expect(own.statusCode).toBe(201);
  });

  it('lets only the security admin grant the three administrator roles, never two to one account', async () => {
    for (const role of ['security_admin', 'auditor', 'admin'] as const) {
      const res = await req(s.cityAdmin!, 'POST', '/api/accounts', {
        username: `grant${role.replace('_', '')}`,
        displayName: 'X',
        assignments: [{ role, areaCode: FIXTURE.district }],
      });
      expect(res.statusCode, role).toBe(403);
    }
    const add = await req(s.cityAdmin!, 'POST', `/api/accounts/${ids.streetStaffA}/assignments`, {
      role: 'auditor',
      areaCode: FIXTURE.streetA,
    });
    expect(add.statusCode).toBe(403);

    // 三员分立: the system administrator creates the account, the security administrator grants the role.
    const created = await req(s.cityAdmin!, 'POST', '/api/accounts', {
      username: 'districtauditor',
      displayName: '审计员',
      homeAreaCode: FIXTURE.district,
      assignments: [],
    });
    expect(created.statusCode).toBe(201);
    ids.districtAuditor = (created.json() as { account: AccountJson }).account.id;
    const byAdmin = await req(s.cityAdmin!, 'POST', `/api/accounts/${ids.districtAuditor}/assignments`, {
      role: 'auditor',
      areaCode: FIXTURE.district,
    });
    expect(byAdmin.statusCode).toBe(403);
    const bySecurity = await req(s.secAdmin!, 'POST', `/api/accounts/${ids.districtAuditor}/assignments`, {
      role: 'auditor',
      areaCode: FIXTURE.district,
    });
    expect(bySecurity.statusCode).toBe(200);
    expect((bySecurity.json() as AccountJson).assignments.map((a) => a.role)).toEqual(['auditor']);
    // The security administrator grants roles but does not create accounts.
    const secCreate = await req(s.secAdmin!, 'POST', '/api/accounts', {
      username: 'bysecadmin',
      displayName: 'X',
      assignments: [{ role: 'auditor', areaCode: FIXTURE.district }],
    });
    expect(secCreate.statusCode).toBe(403);

    const both = await req(s.cityAdmin!, 'POST', '/api/accounts', {
      username: 'bothroles',
      displayName: 'X',
      assignments: [
        { role: 'admin', areaCode: FIXTURE.district },
        { role: 'auditor', areaCode: FIXTURE.district },
      ],
    });
    expect(both.statusCode).toBe(409);
    expect(both.json().error.code).toBe('account.roles_separated');
    const addSecond = await req(s.secAdmin!, 'POST', `/api/accounts/${ids.districtAuditor}/assignments`, {
      role: 'admin',
      areaCode: FIXTURE.district,
    });
    expect(addSecond.statusCode).toBe(409);
    expect(addSecond.json().error.code).toBe('account.roles_separated');
  });

  it('keeps the system admin away from an administrator-role account (三员分立)', async () => {
    const reset = await req(s.cityAdmin!, 'POST', `/api/accounts/${ids.districtAuditor}/reset-password`);
    expect(reset.statusCode).toBe(403);
    const disable = await req(s.cityAdmin!, 'PATCH', `/api/accounts/${ids.districtAuditor}`, {
      disabled: true,
    });
    expect(disable.statusCode).toBe(403);
    const extraRole = await req(s.cityAdmin!, 'POST', `/api/accounts/${ids.districtAuditor}/assignments`, {
      role: 'leader',
      areaCode: FIXTURE.district,
    });
    expect(extraRole.statusCode).toBe(403);
    // The security administrator administers it instead.
    const bySecurity = await req(s.secAdmin!, 'POST', `/api/accounts/${ids.districtAuditor}/reset-password`);
    expect(bySecurity.statusCode).toBe(200);
  });

  it('answers bad assignments with the field at fault', async () => {
    const base = { username: 'badassign', displayName: 'X' };
    const cases: [unknown, number, string, string][] = [
      [
        { role: 'community_worker', areaCode: '340302009009' },
        400,
        'body.assignments.0.areaCode',
        'areaCode',
      ],
      [{ role: 'community_worker', areaCode: FIXTURE.streetA }, 400, 'body.assignments.0.areaCode', 'level'],
      [{ role: 'grid_worker', areaCode: FIXTURE.communityA1 }, 400, 'body.assignments.0.areaCode', 'level'],
      [{ role: 'street_staff', areaCode: FIXTURE.district }, 400, 'body.assignments.0.areaCode', 'level'],
      [{ role: 'community_worker' }, 400, 'body.assignments.0.areaCode', 'required'],
      [{ role: 'dept_handler' }, 400, 'body.assignments.0.departmentId', 'required'],
      [
        { role: 'dept_handler', departmentId, areaCode: FIXTURE.district },
        400,
        'body.assignments.0.areaCode',
        'notApplicable',
      ],
      [
        { role: 'grid_worker', areaCode: FIXTURE.gridA1a, departmentId },
        400,
        'body.assignments.0.departmentId',
        'notApplicable',
      ],
      [
        { role: 'dept_handler', departmentId: '00000000-0000-4000-8000-000000000000' },
        404,
        'body.assignments.0.departmentId',
        'exists',
      ],
      [{ role: 'superuser', areaCode: FIXTURE.district }, 400, 'body.assignments.0.role', 'enum'],
      [{ role: 'grid_worker', areaCode: '34030200100' }, 400, 'body.assignments.0.areaCode', 'pattern'],
    ];
    for (const [assignment, status, field, expectedRule] of cases) {
      // How the schema spells a bad role (enum, or a union of literals) is the schema's business.
      const rule = expectedRule === 'enum' ? expect.stringMatching(/^(enum|const|anyOf)$/) : expectedRule;
      const res = await req(s.cityAdmin!, 'POST', '/api/accounts', { ...base, assignments: [assignment] });
      expect(res.statusCode, JSON.stringify(assignment)).toBe(status);
      const err = res.json().error;
      if (status === 404) expect(err.code).toBe('account.department_unknown');
      expect(err.details?.[0], JSON.stringify(assignment)).toMatchObject({ field, rule });
    }
    const none = await req(s.cityAdmin!, 'POST', '/api/accounts', { ...base, assignments: [] });
    expect(none.statusCode).toBe(400);
    const dup = await req(s.cityAdmin!, 'POST', '/api/accounts', {
      ...base,
      assignments: [
        { role: 'grid_worker', areaCode: FIXTURE.gridA1a },
        { role: 'grid_worker', areaCode: FIXTURE.gridA1a },
      ],
    });
    expect(dup.statusCode).toBe(400);
    expect(dup.json().error.details[0]).toMatchObject({ field: 'body.assignments.1', rule: 'unique' });
  });

  it('creates a department handler at the department and refuses another district’s department out of scope', async () => {
    const ok = await req(s.cityAdmin!, 'POST', '/api/accounts', {
      username: 'handler1',
      displayName: '办理人',
      assignments: [{ role: 'dept_handler', departmentId }],
    });
    expect(ok.statusCode).toBe(201);
    const acc = (ok.json() as { account: AccountJson }).account;
    expect(acc.homeAreaCode).toBe(FIXTURE.district);
    expect(acc.assignments[0]).toMatchObject({
      role: 'dept_handler',
      departmentName: '龙子湖区民政局',
      areaCode: null,
    });
    const other = await req(s.streetAdminA!, 'POST', '/api/accounts', {
      username: 'handler2',
      displayName: '办理人',
      assignments: [{ role: 'dept_handler', departmentId: otherDepartmentId }],
    });
    expect(other.statusCode).toBe(403);
  });

  it('refuses a taken username, whatever its case', async () => {
    const res = await req(s.cityAdmin!, 'POST', '/api/accounts', {
      username: 'WORKERA1',
      displayName: 'X',
      assignments: [{ role: 'grid_worker', areaCode: FIXTURE.gridA1a }],
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({
      code: 'account.username_taken',
      details: [{ field: 'body.username', rule: 'unique' }],
    });
  });
});

describe('list and read', () => {
  it('is refused to grid workers, residents and auditors', async () => {
    for (const session of [s.grid!, s.auditor!]) {
      const res = await req(session, 'GET', '/api/accounts');
      expect(res.statusCode).toBe(403);
    }
    await req(null, 'POST', '/api/auth/resident/code', { phone: '13700001234' });
    const code = /\d{6}/.exec(env.sms.sent.at(-1)!.text)![0];
    const r = await req(null, 'POST', '/api/auth/resident/login', { phone: '13700001234', code });
    expect(r.statusCode).toBe(200);
    const cookie = `linli_session=${r.cookies.find((c) => c.name === 'linli_session')!.value}`;
    const res = await env.app.inject({ method: 'GET', url: '/api/accounts', headers: { cookie } });
    expect(res.statusCode).toBe(403);
    expect((await req(null, 'GET', '/api/accounts')).statusCode).toBe(401);
  });

  it("shows street staff only its street's accounts, phones masked", async () => {
    const res = await req(s.streetStaffA!, 'GET', '/api/accounts?limit=200');
    expect(res.statusCode).toBe(200);
    const body = res.json() as { items: AccountJson[]; total: number };
    expect(body.total).toBe(body.items.length);
    const names = body.items.map((a) => a.username);
    expect(names).toContain('workera1');
    expect(names).toContain('staffa');
    expect(names).not.toContain('staffb');
    expect(names).not.toContain('cityadmin');
    for (const a of body.items) expect(a.homeAreaCode?.startsWith('340302001')).toBe(true);
    expect(body.items.find((a) => a.username === 'workera1')!.phone).toBe('138****5678');
    expect(res.body).not.toContain('13812345678');
    const sorted = [...names].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
    expect(names).toEqual(sorted);
  });

  it('filters by q (name or exact phone), role, area and disabled, with paging', async () => {
    const get = async (qs: string) =>
      (await req(s.cityAdmin!, 'GET', `/api/accounts?${qs}`)).json() as {
        items: AccountJson[];
        total: number;
      };
    expect((await get('q=WORKER')).items.map((a) => a.username)).toEqual(
      expect.arrayContaining(['workera1', 'NewWorker']),
    );
    expect((await get('q=张')).items.map((a) => a.username)).toEqual(['NewWorker']);
    expect((await get('q=13812345678')).items.map((a) => a.username)).toEqual(['workera1']);
    expect((await get('q=%25')).total).toBe(0);
    expect((await get('role=street_staff')).items.map((a) => a.username)).toEqual(['staffa', 'staffb']);
    const inB = await get(`area=${FIXTURE.streetB}`);
    expect(inB.items.map((a) => a.username)).toEqual(['staffb']);
    expect((await get('disabled=true')).total).toBe(0);
    const page1 = await get('limit=2&offset=0');
    const page2 = await get('limit=2&offset=2');
    expect(page1.items).toHaveLength(2);
    expect(page1.total).toBe(page2.total);
    expect(page2.items[0]!.username).not.toBe(page1.items[1]!.username);
  });

  it('answers 404 for ids outside scope, and reads ids inside', async () => {
    const out = await req(s.streetStaffA!, 'GET', `/api/accounts/${ids.streetStaffB}`);
    expect(out.statusCode).toBe(404);
    const missing = await req(s.streetStaffA!, 'GET', '/api/accounts/00000000-0000-4000-8000-000000000000');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe(out.json().error.code);
    const inside = await req(s.streetStaffA!, 'GET', `/api/accounts/${ids.worker}`);
    expect(inside.statusCode).toBe(200);
    expect((inside.json() as AccountJson).phone).toBe('138****5678');
    // Street staff may read accounts but not change them.
    const patch = await req(s.streetStaffA!, 'PATCH', `/api/accounts/${ids.worker}`, { displayName: 'Y' });
    expect(patch.statusCode).toBe(403);
    const outPatch = await req(s.streetAdminA!, 'PATCH', `/api/accounts/${ids.streetStaffB}`, {
      disabled: true,
    });
    expect(outPatch.statusCode).toBe(404);
  });
});

describe('assignments', () => {
  it('never lets anyone change their own assignments', async () => {
    const add = await req(s.cityAdmin!, 'POST', `/api/accounts/${ids.cityAdmin}/assignments`, {
      role: 'leader',
      areaCode: FIXTURE.city,
    });
    expect(add.statusCode).toBe(403);
    expect(add.json().error.code).toBe('account.self_assignment');
    const [own] = await env.ctx.db.select().from(assignments).where(eq(assignments.accountId, ids.secAdmin!));
    const del = await req(s.secAdmin!, 'DELETE', `/api/accounts/${ids.secAdmin}/assignments/${own!.id}`);
    expect(del.statusCode).toBe(403);
    expect(del.json().error.code).toBe('account.self_assignment');
  });

  it('adds and revokes assignments, ending the sessions so abilities refresh', async () => {
    const worker = await login(env.app, 'workera1');
    const add = await req(s.cityAdmin!, 'POST', `/api/accounts/${ids.worker}/assignments`, {
      role: 'grid_worker',
      areaCode: FIXTURE.gridA1b,
    });
    expect(add.statusCode).toBe(200);
    const view = add.json() as AccountJson;
    expect(view.assignments.map((a) => a.role).sort()).toEqual(['community_worker', 'grid_worker']);
    expect((await req(worker, 'GET', '/api/me')).statusCode).toBe(401);
    expect((await lastAudit('assignment.add'))?.details).toMatchObject({
      role: 'grid_worker',
      areaCode: FIXTURE.gridA1b,
    });

    const dup = await req(s.cityAdmin!, 'POST', `/api/accounts/${ids.worker}/assignments`, {
      role: 'grid_worker',
      areaCode: FIXTURE.gridA1b,
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.code).toBe('conflict');

    const gridAssignment = view.assignments.find((a) => a.role === 'grid_worker')!;
    const del = await req(
      s.cityAdmin!,
      'DELETE',
      `/api/accounts/${ids.worker}/assignments/${gridAssignment.id}`,
    );
    expect(del.statusCode).toBe(200);
    expect((del.json() as AccountJson).assignments.map((a) => a.role)).toEqual(['community_worker']);
    const [row] = await env.ctx.db.select().from(assignments).where(eq(assignments.id, gridAssignment.id));
    expect(row!.revokedAt).not.toBeNull();
    expect(row!.revokedBy).toBe(ids.cityAdmin);
    expect((await lastAudit('assignment.revoke'))?.targetId).toBe(ids.worker);
    const again = await req(
      s.cityAdmin!,
      'DELETE',
      `/api/accounts/${ids.worker}/assignments/${gridAssignment.id}`,
    );
    expect(again.statusCode).toBe(404);
  });

  it('refuses a street admin assignments outside its street', async () => {
    const res = await req(s.streetAdminA!, 'POST', `/api/accounts/${ids.worker}/assignments`, {
      role: 'volunteer',
      areaCode: FIXTURE.communityB1,
    });
    expect(res.statusCode).toBe(403);
    const [assignment] = await env.ctx.db
      .select()
      .from(assignments)
      .where(eq(assignments.accountId, ids.streetStaffB!));
    const del = await req(
      s.streetAdminA!,
      'DELETE',
      `/api/accounts/${ids.streetStaffB}/assignments/${assignment!.id}`,
    );
    expect(del.statusCode).toBe(404);
  });
});

describe('disable, reset, unlock', () => {
  it('disabling ends the sessions at once; nobody disables themselves', async () => {
    const victimId = await createStaff(env.ctx, 'victim', 'grid_worker', { areaCode: FIXTURE.gridA1a });
    const victim = await login(env.app, 'victim');
    expect((await req(victim, 'GET', '/api/me')).statusCode).toBe(200);
    const res = await req(s.cityAdmin!, 'PATCH', `/api/accounts/${victimId}`, { disabled: true });
    expect(res.statusCode).toBe(200);
    expect((res.json() as AccountJson).disabled).toBe(true);
    expect((await req(victim, 'GET', '/api/me')).statusCode).toBe(401);
    expect((await lastAudit('account.disable'))?.targetId).toBe(victimId);
    expect(
      (
        await env.app.inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: { username: 'victim', password: 'Correct-Horse-9' },
        })
      ).statusCode,
    ).toBe(401);
    const disabledList = await req(s.cityAdmin!, 'GET', '/api/accounts?disabled=true');
    expect((disabledList.json() as { items: AccountJson[] }).items.map((a) => a.username)).toEqual([
      'victim',
    ]);

    const self = await req(s.cityAdmin!, 'PATCH', `/api/accounts/${ids.cityAdmin}`, { disabled: true });
    expect(self.statusCode).toBe(403);
    const [me] = await env.ctx.db.select().from(accounts).where(eq(accounts.id, ids.cityAdmin!));
    expect(me!.disabled).toBe(false);
  });

  it('updates the display name and phone, auditing which fields changed but not their values', async () => {
    const res = await req(s.cityAdmin!, 'PATCH', `/api/accounts/${ids.streetStaffA}`, {
      displayName: '李四',
      phone: '13611112222',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ displayName: '李四', phone: '136****2222' });
    const audit = await lastAudit('account.update');
    expect(audit?.details).toMatchObject({ fields: ['displayName', 'phone'] });
    expect(JSON.stringify(audit?.details)).not.toContain('13611112222');
    const cleared = await req(s.cityAdmin!, 'PATCH', `/api/accounts/${ids.streetStaffA}`, { phone: null });
    expect(cleared.json().phone).toBeNull();
  });

  it('resets a password to a temporary one, ending sessions and lifting the lock-out', async () => {
    const id = await createStaff(env.ctx, 'forgetful', 'grid_worker', { areaCode: FIXTURE.gridA1a });
    const session = await login(env.app, 'forgetful');
    await env.ctx.db
      .insert(loginFailures)
      .values({ key: 'forgetful', count: 9, lockedUntil: new Date(Date.now() + 600_000) });
    const locked = await req(s.cityAdmin!, 'GET', `/api/accounts/${id}`);
    expect((locked.json() as AccountJson).locked).toBe(true);
    const listed = await req(s.cityAdmin!, 'GET', '/api/accounts?q=forgetful');
    expect((listed.json() as { items: AccountJson[] }).items[0]!.locked).toBe(true);

    const res = await req(s.cityAdmin!, 'POST', `/api/accounts/${id}/reset-password`);
    expect(res.statusCode).toBe(200);
    const { temporaryPassword } = res.json() as { temporaryPassword: string };
    expect(temporaryPassword).toHaveLength(14);
    expect((await req(session, 'GET', '/api/me')).statusCode).toBe(401);
    expect((await req(s.cityAdmin!, 'GET', `/api/accounts/${id}`)).json().locked).toBe(false);
    const fresh = await login(env.app, 'forgetful', temporaryPassword);
    expect((await req(fresh, 'GET', '/api/me')).json().account.mustChangePassword).toBe(true);
    const audit = await lastAudit('account.password.reset');
    expect(audit?.targetId).toBe(id);
    expect(JSON.stringify(audit?.details)).not.toContain(temporaryPassword);
  });

  it('unlocks an account', async () => {
    await env.ctx.db
      .insert(loginFailures)
      .values({ key: 'grida1', count: 9, lockedUntil: new Date(Date.now() + 600_000) });
    const denied = await req(s.streetStaffA!, 'POST', `/api/accounts/${ids.grid}/unlock`);
    expect(denied.statusCode).toBe(403);
    const res = await req(s.cityAdmin!, 'POST', `/api/accounts/${ids.grid}/unlock`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true });
    expect(await env.ctx.db.select().from(loginFailures).where(eq(loginFailures.key, 'grida1'))).toHaveLength(
      0,
    );
    expect((await lastAudit('account.unlock'))?.targetId).toBe(ids.grid);
  });
});

describe('reveal', () => {
  it('needs a purpose and the reveal ability, and is audited with the purpose', async () => {
    const url = `/api/accounts/${ids.worker}/reveal`;
    const missing = await req(s.leader!, 'POST', url, { field: 'phone' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.details[0]).toMatchObject({ field: 'body.purpose', rule: 'required' });
    const blank = await req(s.leader!, 'POST', url, { field: 'phone', purpose: '    ' });
    expect(blank.statusCode).toBe(400);
    const wrongField = await req(s.leader!, 'POST', url, { field: 'idNumber', purpose: '核实身份' });
    expect(wrongField.statusCode).toBe(400);

    const admin = await req(s.cityAdmin!, 'POST', url, { field: 'phone', purpose: '核实身份' });
    expect(admin.statusCode).toBe(403);
    expect((await lastAudit('access.denied'))?.actorId).toBe(ids.cityAdmin);
    const outside = await req(s.streetStaffB!, 'POST', url, { field: 'phone', purpose: '核实身份' });
    expect(outside.statusCode).toBe(404);

    const ok = await req(s.leader!, 'POST', url, { field: 'phone', purpose: '联系核实走访情况' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ field: 'phone', value: '13812345678' });
    const audit = await lastAudit('personal.reveal');
    expect(audit).toMatchObject({ actorId: ids.leader, targetId: ids.worker, outcome: 'success' });
    expect(audit?.details).toMatchObject({ field: 'phone', purpose: '联系核实走访情况' });
    // Everywhere else the number stays masked.
    const detail = await req(s.leader!, 'GET', `/api/accounts/${ids.worker}`);
    expect(detail.body).not.toContain('13812345678');
  });
});

describe('sessions', () => {
  it('lets the security admin list and end sessions; nobody else', async () => {
    const target = await login(env.app, 'staffb');
    expect((await req(s.cityAdmin!, 'GET', '/api/sessions')).statusCode).toBe(403);
    const res = await req(s.secAdmin!, 'GET', `/api/sessions?accountId=${ids.streetStaffB}`);
    expect(res.statusCode).toBe(200);
    const items = (res.json() as { items: { id: string; username: string }[] }).items;
    expect(items.length).toBeGreaterThanOrEqual(1);
    expect(items.every((i) => i.username === 'staffb')).toBe(true);
    const all = await req(s.secAdmin!, 'GET', '/api/sessions');
    expect(all.body).not.toContain('token');

    const [row] = await env.ctx.db
      .select({ id: sessions.id })
      .from(sessions)
      .where(and(eq(sessions.accountId, ids.streetStaffB!)))
      .orderBy(desc(sessions.createdAt))
      .limit(1);
    expect((await req(s.cityAdmin!, 'DELETE', `/api/sessions/${row!.id}`)).statusCode).toBe(403);
    const del = await req(s.secAdmin!, 'DELETE', `/api/sessions/${row!.id}`);
    expect(del.statusCode).toBe(200);
    expect((await req(target, 'GET', '/api/me')).statusCode).toBe(401);
    expect((await lastAudit('session.revoke'))?.targetId).toBe(row!.id);
    expect(
      (await req(s.secAdmin!, 'DELETE', '/api/sessions/00000000-0000-4000-8000-000000000000')).statusCode,
    ).toBe(404);
  });
});

describe('bad input never yields a 500', () => {
  it('answers wrong types, unknown fields, huge strings and bad ids with the error shape', async () => {
    const bodies: unknown[] = [
      { username: 42, displayName: 'X', assignments: [] },
      { username: 'okname', displayName: 'X', assignments: 'none' },
      { username: 'okname', displayName: 'X', assignments: [], admin: true },
      { username: 'okname', displayName: 'x'.repeat(100_000), assignments: [] },
      { username: 'okname', displayName: 'X', phone: '12345', assignments: [] },
      { username: 'a'.repeat(500), displayName: 'X', assignments: [] },
      {
        username: 'okname',
        displayName: 'X',
        assignments: Array.from({ length: 50 }, () => ({ role: 'grid_worker', areaCode: FIXTURE.gridA1a })),
      },
      {
        username: 'okname',
        displayName: 'X',
        assignments: [{ role: 'dept_handler', departmentId: 'not-a-uuid' }],
      },
      {
        username: 'okname',
        displayName: 'X',
        homeAreaCode: '999999999999',
        assignments: [{ role: 'grid_worker', areaCode: FIXTURE.gridA1a }],
      },
      null,
      [],
      'text',
    ];
    for (const body of bodies) {
      const res = await env.app.inject({
        method: 'POST',
        url: '/api/accounts',
        headers: { ...s.cityAdmin!.headers, 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
      expect(res.statusCode, JSON.stringify(body)?.slice(0, 80)).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, JSON.stringify(body)?.slice(0, 80)).toBeLessThan(500);
      expect(res.json().error.code).toEqual(expect.any(String));
    }
    const home = await req(s.cityAdmin!, 'POST', '/api/accounts', {
      username: 'okname',
      displayName: 'X',
      homeAreaCode: '340302009000',
      assignments: [{ role: 'grid_worker', areaCode: FIXTURE.gridA1a }],
    });
    expect(home.json().error.details[0]).toMatchObject({ field: 'body.homeAreaCode', rule: 'areaCode' });

    const urls: [string, string, unknown?][] = [
      ['GET', '/api/accounts/not-a-uuid'],
      ['GET', "/api/accounts/1'%20or%201=1"],
      ['PATCH', '/api/accounts/not-a-uuid', { displayName: 'X' }],
      ['PATCH', `/api/accounts/${ids.worker}`, { displayName: 7 }],
      ['PATCH', `/api/accounts/${ids.worker}`, { displayName: '' }],
      ['PATCH', `/api/accounts/${ids.worker}`, { disabled: 'yes' }],
      ['PATCH', `/api/accounts/${ids.worker}`, { role: 'admin' }],
      ['POST', '/api/accounts/not-a-uuid/assignments', { role: 'grid_worker', areaCode: FIXTURE.gridA1a }],
      [
        'POST',
        `/api/accounts/${ids.worker}/assignments`,
        { role: 'grid_worker', areaCode: FIXTURE.gridA1a, extra: 1 },
      ],
      ['DELETE', `/api/accounts/${ids.worker}/assignments/not-a-uuid`],
      ['POST', '/api/accounts/not-a-uuid/reset-password'],
      ['POST', '/api/accounts/not-a-uuid/reveal', { field: 'phone', purpose: 'xx' }],
      ['POST', `/api/accounts/${ids.worker}/reveal`, { field: 'phone', purpose: 'x'.repeat(5000) }],
      ['DELETE', '/api/sessions/not-a-uuid'],
      ['GET', '/api/sessions?limit=abc'],
      ['GET', '/api/accounts?limit=0'],
      ['GET', '/api/accounts?limit=100000'],
      ['GET', '/api/accounts?offset=-1'],
      ['GET', `/api/accounts?q=${'x'.repeat(1000)}`],
      ['GET', '/api/accounts?role=superuser'],
      ['GET', '/api/accounts?area=12'],
      ['GET', '/api/accounts?disabled=maybe'],
      ['GET', '/api/accounts?q=%00'],
    ];
    for (const [method, url, payload] of urls) {
      const res = await req(s.cityAdmin!, method, url, payload);
      expect(res.statusCode, `${method} ${url.slice(0, 60)}`).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, `${method} ${url.slice(0, 60)}`).toBeLessThan(500);
      expect(res.json().error.code).toEqual(expect.any(String));
    }
  });

  it('searches for LIKE wildcards and backslashes literally', async () => {
    for (const q of ['%5C', '%25', '_', '%5C%25']) {
      const res = await req(s.cityAdmin!, 'GET', `/api/accounts?q=${q}`);
      expect(res.statusCode, q).toBe(200);
      expect(res.json().total, q).toBe(0);
    }
  });

  it('needs the CSRF token for writes', async () => {
    const res = await env.app.inject({
      method: 'POST',
      url: '/api/accounts',
      headers: { cookie: s.cityAdmin!.cookie },
      payload: {
        username: 'nocsrf',
        displayName: 'X',
        assignments: [{ role: 'grid_worker', areaCode: FIXTURE.gridA1a }],
      },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('auth.csrf');
  });
});
