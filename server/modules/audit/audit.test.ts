import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import type { Role } from '../../../common/roles';
import { queryRows } from '../../db/client';
import {
  createStaff,
  FIXTURE,
  login,
  seedFixtureAreas,
  startTestApp,
  TEST_PASSWORD,
  type Session,
  type TestEnv,
} from '../../test/harness';
import { accounts } from '../accounts/tables';
import { generateTotpSecret, totpCode, totpStep } from '../accounts/totp';
import { AUDIT_ALGORITHM, appendAuditStandalone, sealAudit, verifyAuditChain } from './log';

interface Entry {
  id: string;
  at: string;
  actorId: string | null;
  actorName: string | null;
  action: string;
  areaPath: string | null;
  outcome: string;
  details: Record<string, unknown>;
  hash: string;
}
interface Page {
  items: Entry[];
  nextBefore: string | null;
}

/** 三员 must log in with TOTP: enable it on the account, then log in once with the current code. */
async function loginWithTotp(env: TestEnv, username: string, accountId: string): Promise<Session> {
  const secret = generateTotpSecret();
  await env.ctx.db
    .update(accounts)
    .set({ totpSecretEnc: env.ctx.secrets.encrypt(secret), totpEnabled: true })
    .where(eq(accounts.id, accountId));
  const res = await env.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { username, password: TEST_PASSWORD, totp: totpCode(secret, totpStep()) },
  });
  if (res.statusCode !== 200) throw new Error(`login ${username} failed: ${res.statusCode} ${res.body}`);
  const cookie = `linli_session=${res.cookies.find((c) => c.name === 'linli_session')!.value}`;
  const me = await env.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } });
  const csrf = (me.json() as { csrfToken: string }).csrfToken;
  return { cookie, csrf, headers: { cookie, 'x-csrf-token': csrf } };
}

/** Tampering needs the append-only trigger out of the way; it is always switched back on. */
async function withoutTrigger(env: TestEnv, fn: () => Promise<void>): Promise<void> {
  await env.ctx.db.execute(sql`alter table audit_log disable trigger audit_log_append_only`);
  try {
    await fn();
  } finally {
    await env.ctx.db.execute(sql`alter table audit_log enable trigger audit_log_append_only`);
  }
}

describe('the audit log', () => {
  let env: TestEnv;
  let auditor: Session;
  let auditorId: string;
  const ids: Partial<Record<Role, string>> = {};
  const sessions: Partial<Record<Role, Session>> = {};

  const read = async (query = '', s: Session | null = auditor) =>
    env.app.inject({ method: 'GET', url: `/api/audit${query}`, headers: s ? { cookie: s.cookie } : {} });
  const page = async (query = ''): Promise<Page> => {
    const res = await read(query);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as Page;
  };

  beforeAll(async () => {
    env = await startTestApp();
    await seedFixtureAreas(env.ctx);
    auditorId = await createStaff(env.ctx, 'auditor1', 'auditor', { areaCode: FIXTURE.district });
    ids.admin = await createStaff(env.ctx, 'admin1', 'admin', { areaCode: FIXTURE.city });
    ids.leader = await createStaff(env.ctx, 'leader1', 'leader', { areaCode: FIXTURE.district });
    ids.street_staff = await createStaff(env.ctx, 'street1', 'street_staff', { areaCode: FIXTURE.streetA });
    ids.grid_worker = await createStaff(env.ctx, 'grid1', 'grid_worker', { areaCode: FIXTURE.gridA1a });
    auditor = await loginWithTotp(env, 'auditor1', auditorId);
    sessions.admin = await loginWithTotp(env, 'admin1', ids.admin);
    sessions.leader = await login(env.app, 'leader1');
    sessions.street_staff = await login(env.app, 'street1');
    sessions.grid_worker = await login(env.app, 'grid1');
    // Entries of other modules, at several places of the area tree.
    const entry = (action: string, areaPath: string | null) =>
      appendAuditStandalone(env.ctx.db, {
        actorName: 'seed',
        action,
        targetType: 'test',
        areaPath,
        outcome: 'success',
        details: { n: action },
      });
    await entry('test.street_a', '340302001');
    await entry('test.grid_a1a', '340302001001001');
    await entry('test.other_district', '340303');
    await entry('test.system', null);
    await entry('test_like', null);
  });
  afterAll(async () => env.close());

  it('lets the auditor read the log, newest first, ids as strings, with the logins in it', async () => {
    const p = await page('?limit=200');
    expect(p.items.length).toBeGreaterThan(5);
    for (const e of p.items) expect(typeof e.id).toBe('string');
    const numeric = p.items.map((e) => BigInt(e.id));
    expect(numeric).toEqual([...numeric].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0)));
    expect(p.items.some((e) => e.action === 'auth.login' && e.actorName === 'auditor1')).toBe(true);
    // The newest entries wait for the sealer (null); once sealed, each carries its chain hash.
    expect(p.items[0]!.hash).toBeNull();
    await sealAudit(env.ctx.db);
    const sealed = await page('?limit=5');
    expect(sealed.items[0]!.hash).toMatch(new RegExp(`^${AUDIT_ALGORITHM}:[0-9a-f]{64}$`));
    expect(p.nextBefore).toBeNull();
  });

  it('writes entries without waiting on each other, and seals them into one chain in order of commit', async () => {
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        appendAuditStandalone(env.ctx.db, {
          action: 'sealtest.unsealed',
          outcome: 'success',
          details: { i },
        }),
      ),
    );
    const pending = await queryRows<{ n: number }>(
      env.ctx.db,
      sql`select count(*)::int as n from audit_log where seq is null and action = 'sealtest.unsealed'`,
    );
    expect(pending[0]!.n).toBe(10);
    expect(await sealAudit(env.ctx.db)).toBeGreaterThanOrEqual(10);
    expect(await sealAudit(env.ctx.db)).toBe(0);
    // Sealing is the one change the database allows, and only once.
    await expect(
      env.ctx.db.execute(sql`update audit_log set seq = seq + 1000000 where action = 'sealtest.unsealed'`),
    ).rejects.toThrow();
    expect((await verifyAuditChain(env.ctx.db)).ok).toBe(true);
  });

  it('records every read as audit.read with the filters, never inside the page it returns', async () => {
    const first = await page('?action=test.&outcome=success&limit=3');
    expect(first.items.every((e) => e.action !== 'audit.read')).toBe(true);
    const reads = await page('?action=audit.read&limit=1');
    const last = reads.items[0]!;
    expect(last).toMatchObject({
      actorId: auditorId,
      actorName: 'auditor1',
      outcome: 'success',
      areaPath: null,
    });
    expect(last.details).toMatchObject({
      filters: { action: 'test.', outcome: 'success' },
      limit: 3,
      returned: 3,
    });
  });

  it('keeps area entries within the auditor’s subtree and shows system-wide entries', async () => {
    const actions = (await page('?action=test')).items.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['test.street_a', 'test.grid_a1a', 'test.system']));
    expect(actions).not.toContain('test.other_district');
  });

  it.each(['admin', 'leader', 'street_staff', 'grid_worker'] as const)(
    'refuses the log to %s with 403, and the denial is itself in the log',
    async (role) => {
      const s = sessions[role]!;
      const list = await read('', s);
      expect(list.statusCode).toBe(403);
      expect(list.json().error).toMatchObject({ code: 'forbidden' });
      const verify = await env.app.inject({
        method: 'GET',
        url: '/api/audit/verify',
        headers: { cookie: s.cookie },
      });
      expect(verify.statusCode).toBe(403);
      const denied = await page(`?actor=${ids[role]}&action=access.denied`);
      expect(denied.items.map((e) => e.details)).toEqual([
        expect.objectContaining({ code: 'forbidden', url: '/api/audit/verify' }),
        expect.objectContaining({ code: 'forbidden', url: '/api/audit' }),
      ]);
      expect(denied.items.every((e) => e.outcome === 'denied')).toBe(true);
    },
  );

  it('asks anonymous callers to log in', async () => {
    const res = await read('', null);
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('auth.required');
  });

  it('filters by actor: username in any case, or account id', async () => {
    const byName = await page('?actor=LEADER1');
    expect(byName.items.length).toBeGreaterThan(0);
    expect(byName.items.every((e) => e.actorId === ids.leader)).toBe(true);
    const byId = await page(`?actor=${ids.leader!.toUpperCase()}`);
    expect(byId.items.map((e) => e.id)).toEqual(byName.items.map((e) => e.id));
    expect((await page('?actor=nobody')).items).toEqual([]);
  });

  it('filters by action prefix (literally: % and _ are not wildcards) and by outcome', async () => {
    const prefix = await page('?action=test.');
    expect(prefix.items.every((e) => e.action.startsWith('test.'))).toBe(true);
    expect(prefix.items.map((e) => e.action)).not.toContain('test_like');
    expect((await page('?action=test_')).items.map((e) => e.action)).toEqual(['test_like']);
    expect((await page('?action=%25')).items).toEqual([]);
    const denied = await page('?outcome=denied');
    expect(denied.items.length).toBeGreaterThan(0);
    expect(denied.items.every((e) => e.outcome === 'denied')).toBe(true);
  });

  it('filters by time range, both ends inclusive', async () => {
    const all = (await page('?action=test.')).items;
    const oldest = all[all.length - 1]!;
    const newest = all[0]!;
    const range = await page(`?action=test.&from=${oldest.at}&to=${newest.at}`);
    expect(range.items.map((e) => e.id)).toEqual(all.map((e) => e.id));
    const future = new Date(Date.now() + 3600_000).toISOString();
    expect((await page(`?action=test.&from=${future}`)).items).toEqual([]);
    expect((await page(`?action=test.&to=2000-01-01T00:00:00Z`)).items).toEqual([]);
  });

  it('pages with before / nextBefore without gaps or repeats', async () => {
    const all = (await page('?action=test')).items.map((e) => e.id);
    expect(all.length).toBe(4);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const p: Page = await page(`?action=test&limit=3${cursor ? `&before=${cursor}` : ''}`);
      seen.push(...p.items.map((e) => e.id));
      cursor = p.nextBefore;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(2);
    expect(seen).toEqual(all);
  });

  it('rejects bad filters with 400 naming the field and rule (never 500)', async () => {
    const cases: [string, string, string][] = [
      ['?limit=0', 'querystring.limit', 'minimum'],
      ['?limit=201', 'querystring.limit', 'maximum'],
      ['?limit=ten', 'querystring.limit', 'type'],
      ['?before=abc', 'querystring.before', 'pattern'],
      ['?before=1234567890123456789', 'querystring.before', 'pattern'],
      ['?from=yesterday', 'querystring.from', 'format'],
      // Accepted by the date-time format, but not a moment JavaScript or PostgreSQL can hold.
      ['?from=2016-12-31T23:59:60Z', 'querystring.from', 'format'],
      ['?to=0000-01-01T00:00:00Z', 'querystring.to', 'format'],
      // A union of literals reports its first branch's rule (const: "not an allowed value").
      ['?outcome=maybe', 'querystring.outcome', 'const'],
      [`?actor=${'x'.repeat(65)}`, 'querystring.actor', 'maxLength'],
      ['?actor=a%00b', 'querystring.actor', 'characters'],
      ['?actor=a&actor=b', 'querystring.actor', 'type'],
    ];
    for (const [query, field, rule] of cases) {
      const res = await read(query);
      expect(res.statusCode, `${query}: ${res.body}`).toBe(400);
      expect(res.json().error.details, query).toEqual([expect.objectContaining({ field, rule })]);
    }
  });

  it('verifies the chain over HTTP, and records the check as audit.verify', async () => {
    const res = await env.app.inject({
      method: 'GET',
      url: '/api/audit/verify',
      headers: { cookie: auditor.cookie },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ ok: true, algorithm: AUDIT_ALGORITHM, firstBadId: null, problem: null });
    expect(body.checked).toBeGreaterThan(10);
    const [entry] = (await page('?action=audit.verify&limit=1')).items;
    expect(entry).toMatchObject({ actorId: auditorId, outcome: 'success' });
    expect(entry!.details).toMatchObject({ ok: true, checked: body.checked });
  });

  it('stores text PostgreSQL refuses (NUL, lone surrogates) in a form that still verifies', async () => {
    await appendAuditStandalone(env.ctx.db, {
      actorName: 'nul\u0000name',
      action: 'test.text',
      targetId: 'lone\ud800',
      outcome: 'failure',
      details: { 'key\u0000': ['a\u0000b', 'c\udc00d', '𠮷 ok'] },
    });
    const [e] = (await page('?action=test.text')).items;
    expect(e).toMatchObject({
      actorName: 'nul\ufffdname',
      details: { 'key\ufffd': ['a\ufffdb', 'c\ufffdd', '𠮷 ok'] },
    });
    expect((await verifyAuditChain(env.ctx.db)).ok).toBe(true);
  });

  it('keeps one chain when many requests append at once', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        appendAuditStandalone(env.ctx.db, { action: 'test.concurrent', outcome: 'success', details: { i } }),
      ),
    );
    const reads = Array.from({ length: 5 }, () => read('?action=test.concurrent&limit=5'));
    for (const res of await Promise.all(reads)) expect(res.statusCode).toBe(200);
    expect((await page('?action=test.concurrent&limit=200')).items).toHaveLength(20);
    expect((await verifyAuditChain(env.ctx.db)).ok).toBe(true);
  });

  it('is append-only in the database: UPDATE, DELETE and TRUNCATE are refused', async () => {
    for (const stmt of [
      sql`update audit_log set action = 'x' where id = (select min(id) from audit_log)`,
      sql`delete from audit_log where id = (select max(id) from audit_log)`,
      sql`truncate audit_log`,
    ]) {
      await expect(env.ctx.db.execute(stmt)).rejects.toThrow();
    }
    expect((await verifyAuditChain(env.ctx.db)).ok).toBe(true);
  });

  it('detects a changed row (hash) and a deleted row (link at the next one)', async () => {
    const rows = await queryRows<{ id: string; action: string }>(
      env.ctx.db,
      sql`select id::text as id, action from audit_log order by audit_log.id`,
    );
    expect(rows.length).toBeGreaterThan(10);
    const victim = rows[5]!;
    const next = rows[6]!;

    await withoutTrigger(env, async () => {
      await env.ctx.db.execute(
        sql`update audit_log set action = 'auth.logout' where id = ${victim.id}::bigint`,
      );
      expect(await verifyAuditChain(env.ctx.db, 4)).toMatchObject({
        ok: false,
        firstBadId: victim.id,
        problem: 'hash',
        checked: 5,
      });
      // The HTTP check says the same, and leaves a failure in the log for everyone to find.
      const res = await env.app.inject({
        method: 'GET',
        url: '/api/audit/verify',
        headers: { cookie: auditor.cookie },
      });
      expect(res.json()).toMatchObject({ ok: false, firstBadId: victim.id, problem: 'hash' });
      const [entry] = (await page('?action=audit.verify&outcome=failure')).items;
      expect(entry!.details).toMatchObject({ ok: false, firstBadId: victim.id, problem: 'hash' });

      // Put the row back as it was: the chain is whole again.
      await env.ctx.db.execute(
        sql`update audit_log set action = ${victim.action} where id = ${victim.id}::bigint`,
      );
      expect((await verifyAuditChain(env.ctx.db)).ok).toBe(true);

      const [saved] = await queryRows<{ row: string }>(
        env.ctx.db,
        sql`select to_jsonb(a)::text as row from audit_log a where id = ${victim.id}::bigint`,
      );
      await env.ctx.db.execute(sql`delete from audit_log where id = ${victim.id}::bigint`);
      expect(await verifyAuditChain(env.ctx.db)).toMatchObject({
        ok: false,
        firstBadId: next.id,
        problem: 'link',
      });

      // Re-inserting the row with its id restores the chain (the check is of content, not of the table).
      await env.ctx.db.execute(
        sql`insert into audit_log overriding system value
            select * from jsonb_populate_record(null::audit_log, ${saved!.row}::jsonb)`,
      );
      expect((await verifyAuditChain(env.ctx.db)).ok).toBe(true);
    });
  });
});
