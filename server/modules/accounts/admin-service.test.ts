/** The account service as the CLI and the demo seed call it (no actor), and its edges that HTTP does not reach. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { desc, eq } from 'drizzle-orm';
import { FIXTURE, seedFixtureAreas, startTestApp, type TestEnv } from '../../test/harness';
import { AppError, classify } from '../../http/errors';
import { auditLog } from '../audit/tables';
import { checkPasswordPolicy } from './passwords';
import { createAccount, generateTemporaryPassword } from './service';
import { accounts, passwordHistory } from './tables';

let env: TestEnv;

beforeAll(async () => {
  env = await startTestApp({ passwordProfile: 'dengbao3' });
  await seedFixtureAreas(env.ctx);
});

afterAll(async () => {
  await env?.close();
});

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return classify(err).code;
  }
  return 'resolved';
}

describe('createAccount as the system', () => {
  it('creates without authorization, audits as "system" and keeps the flags it was given', async () => {
    const { account, temporaryPassword } = await createAccount(env.ctx, null, {
      username: 'demo.leader',
      displayName: '演示领导',
      assignments: [{ role: 'leader', areaCode: FIXTURE.city }],
      mustChangePassword: false,
      demo: true,
    });
    expect(temporaryPassword).not.toBeNull();
    const [row] = await env.ctx.db.select().from(accounts).where(eq(accounts.id, account.id));
    expect(row).toMatchObject({ demo: true, mustChangePassword: false, kind: 'staff', homeAreaPath: '3403' });
    expect(
      await env.ctx.db.select().from(passwordHistory).where(eq(passwordHistory.accountId, account.id)),
    ).toHaveLength(1);
    const [audit] = await env.ctx.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, 'account.create'))
      .orderBy(desc(auditLog.id))
      .limit(1);
    expect(audit).toMatchObject({
      actorId: null,
      actorName: 'system',
      targetId: account.id,
      areaPath: '3403',
    });
    expect(JSON.stringify(audit!.details)).not.toContain(temporaryPassword!);
  });

  it('applies the password policy of the configured profile to given passwords', async () => {
    const weak = createAccount(env.ctx, null, {
      username: 'weakling',
      displayName: 'W',
      password: 'alllowercase',
      assignments: [{ role: 'grid_worker', areaCode: FIXTURE.gridA1a }],
    });
    await expect(weak).rejects.toBeInstanceOf(AppError);
    await expect(weak).rejects.toMatchObject({
      details: [{ field: 'body.password', rule: 'password.classes' }],
    });
  });

  it('generates temporary passwords that the strict profile accepts', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const pw = generateTemporaryPassword(env.ctx, 'abc');
      expect(pw).toHaveLength(14);
      expect(checkPasswordPolicy(pw, 'dengbao3', { username: 'abc' })).toEqual([]);
      seen.add(pw);
    }
    expect(seen.size).toBe(200);
  });

  it('answers input the CLI passes unchecked with a 4xx, never a crash', async () => {
    const base = { username: 'cliuser', displayName: 'C' };
    expect(
      await codeOf(
        createAccount(env.ctx, null, {
          ...base,
          assignments: [{ role: 'dept_handler', departmentId: 'abc' }],
        }),
      ),
    ).toBe('validation.failed');
    expect(
      await codeOf(
        createAccount(env.ctx, null, { ...base, assignments: [{ role: 'grid_worker', areaCode: 'x' }] }),
      ),
    ).toBe('validation.failed');
    expect(
      await codeOf(
        createAccount(env.ctx, null, {
          ...base,
          assignments: [{ role: 'nobody' as 'admin', areaCode: FIXTURE.city }],
        }),
      ),
    ).toBe('validation.failed');
    expect(
      await codeOf(
        createAccount(env.ctx, null, {
          ...base,
          phone: '123',
          assignments: [{ role: 'grid_worker', areaCode: FIXTURE.gridA1a }],
        }),
      ),
    ).toBe('validation.failed');
    expect(
      await codeOf(
        createAccount(env.ctx, null, {
          ...base,
          displayName: 'a\u0000b',
          assignments: [{ role: 'grid_worker', areaCode: FIXTURE.gridA1a }],
        }),
      ),
    ).toBe('validation.failed');
  });

  it('turns a race on the same username into username_taken, and other unique clashes into conflict', async () => {
    const input = (username: string) => ({
      username,
      displayName: 'R',
      assignments: [{ role: 'grid_worker' as const, areaCode: FIXTURE.gridA1a }],
    });
    const results = await Promise.allSettled([
      createAccount(env.ctx, null, input('racer')),
      createAccount(env.ctx, null, input('RACER')),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(classify(rejected.reason).code).toBe('account.username_taken');

    const resident = (username: string) => ({
      username,
      displayName: '居民',
      phone: '13500000001',
      kind: 'resident' as const,
      assignments: [{ role: 'resident' as const, areaCode: FIXTURE.communityA1 }],
    });
    await createAccount(env.ctx, null, resident('resident1'));
    expect(await codeOf(createAccount(env.ctx, null, resident('resident2')))).toBe('conflict');
  });
});

describe('OpenAPI', () => {
  it('documents the account administration routes', async () => {
    const res = await env.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const paths = Object.keys((res.json() as { paths: Record<string, unknown> }).paths);
    for (const p of [
      '/api/accounts',
      '/api/accounts/{id}',
      '/api/accounts/{id}/assignments',
      '/api/accounts/{id}/assignments/{assignmentId}',
      '/api/accounts/{id}/reset-password',
      '/api/accounts/{id}/unlock',
      '/api/accounts/{id}/reveal',
      '/api/sessions',
      '/api/sessions/{id}',
    ]) {
      expect(paths, p).toContain(p);
    }
  });
});
