/**
 * Intake writes the case, its first event, its audit entry and its notices with one statement built once and run
 * with each intake's values: every intake must write its own values, none left over from the intake it was built on.
 */
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  countRows,
  FIXTURE,
  seedFixtureAreas,
  startTestApp,
  type Session,
  type TestEnv,
  signInStaff,
  type StaffSpec,
} from '../../test/harness';
import { verifyAuditChain } from '../audit/log';
import { auditLog } from '../audit/tables';
import { routingRules } from '../categories/tables';
import { notifications } from '../notifications/tables';
import { intake, intakeBatchStats } from './service';
import { insertCategory } from './test-fixtures';
import { caseEvents, cases } from './tables';

type CaseJson = {
  id: string;
  number: string;
  channel: string;
  level: string;
  leadDepartmentId: string | null;
  reporterName: string | null;
  reporterPhone: string | null;
  title: string;
};

/** What an intake was asked to write, and by whom. */
interface Expected {
  who: string | null;
  role: string;
  channel: string;
  title: string;
  description: string;
  areaCode: string;
  address: string | null;
  sourceRef: string | null;
  name: string;
  phone: string;
  callbackWanted: boolean;
  urgency: string;
  level: string;
  categoryId: string;
  leadDepartmentId: string | null;
  /** Who is told of the new case. */
  told: string[];
}

describe('intake statement', () => {
  let env: TestEnv;
  const s: Record<string, Session> = {};
  const ids: Record<string, string> = {};
  const cat: Record<string, string> = {};
  let departmentId: string;

  const post = (who: string, payload: unknown) =>
    env.app.inject({
      method: 'POST',
      url: '/api/cases',
      headers: s[who]!.headers,
      payload: payload as object,
    });

  beforeAll(async () => {
    env = await startTestApp();
    ({ departmentId } = await seedFixtureAreas(env.ctx));
    cat.community = await insertCategory(env.ctx);
    cat.street = await insertCategory(env.ctx, { handlingLevel: 'street', matterClass: 'public' });
    cat.dept = await insertCategory(env.ctx, { handlingLevel: 'district', matterClass: 'public' });
    await env.ctx.db.insert(routingRules).values({ categoryId: cat.dept, areaPath: '340302', departmentId });
    const staff: StaffSpec[] = [
      ['comm.a1', 'community_worker', { areaCode: FIXTURE.communityA1 }],
      ['comm.a1b', 'community_worker', { areaCode: FIXTURE.communityA1 }],
      ['comm.a2', 'community_worker', { areaCode: FIXTURE.communityA2 }],
      ['street.a', 'street_staff', { areaCode: FIXTURE.streetA }],
      ['leader.d', 'leader', { areaCode: FIXTURE.district }],
      ['dept.h', 'dept_handler', { departmentId, departmentPath: '340302' }],
    ];
    await signInStaff(env, staff, ids, s);
  });
  afterAll(async () => env?.close());

  /** Checks the case row, its one event, its audit entry and its notices against what the intake was given. */
  async function expectWritten(c: CaseJson, x: Expected) {
    const [row] = await env.ctx.db.select().from(cases).where(eq(cases.id, c.id));
    expect(row).toMatchObject({
      number: c.number,
      channel: x.channel,
      sourceRef: x.sourceRef,
      categoryId: x.categoryId,
      urgency: x.urgency,
      title: x.title,
      description: x.description,
      areaCode: x.areaCode,
      address: x.address,
      reporterPhoneMasked: `${x.phone.slice(0, 3)}****${x.phone.slice(-4)}`,
      callbackWanted: x.callbackWanted,
      status: 'reported',
      level: x.level,
      leadDepartmentId: x.leadDepartmentId,
      createdBy: x.who ? ids[x.who] : null,
      version: 1,
    });
    expect(env.ctx.secrets.decrypt(row!.reporterNameEnc!)).toBe(x.name);
    expect(env.ctx.secrets.decrypt(row!.reporterPhoneEnc!)).toBe(x.phone);
    expect(row!.reporterPhoneHash).toBe(env.ctx.secrets.keyedHash(x.phone, 'phone'));
    expect(c.reporterName).toBe(`${[...x.name][0]}${'*'.repeat([...x.name].length - 1)}`);

    const events = await env.ctx.db.select().from(caseEvents).where(eq(caseEvents.caseId, c.id));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      seq: 1,
      action: 'report',
      fromStatus: null,
      toStatus: 'reported',
      actorId: x.who ? ids[x.who] : null,
      actorName: x.who ?? 'system',
      actorRole: x.role,
      data: {
        channel: x.channel,
        level: x.level,
        holderPath: row!.holderPath,
        departmentId: x.leadDepartmentId,
        dueAt: row!.dueAt!.toISOString(),
      },
    });
    expect(events[0]!.at.getTime()).toBe(row!.createdAt.getTime());

    const audit = await env.ctx.db.select().from(auditLog).where(eq(auditLog.targetId, c.id));
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'case.create',
      targetType: 'case',
      actorId: x.who ? ids[x.who] : null,
      actorName: x.who ?? 'system',
      areaPath: row!.areaPath,
      outcome: 'success',
      details: { number: c.number, channel: x.channel, categoryId: x.categoryId, level: x.level },
    });
    // Entered through the API, the entry names the request; the system's own intake has none.
    expect(audit[0]!.requestId === null).toBe(x.who === null);

    const notices = await env.ctx.db
      .select()
      .from(notifications)
      .where(eq(notifications.caseId, c.id))
      .orderBy(asc(notifications.id));
    expect(notices.map((n) => n.accountId).sort()).toEqual(x.told.map((u) => ids[u]).sort());
    for (const n of notices) {
      expect(n.kind).toBe('case.assigned');
      expect(n.dedupeKey).toBe(`case:${c.id}:1:case.assigned`);
      expect(n.data).toEqual({
        number: c.number,
        title: x.title,
        status: 'reported',
        action: 'report',
        level: x.level,
      });
    }
  }

  it('writes each intake’s own case, event, audit entry and notices, whoever enters it', async () => {
    const first: Expected = {
      who: 'comm.a1',
      role: 'community_worker',
      channel: 'window',
      title: '楼道灯不亮',
      description: '二单元楼道灯坏了一周',
      areaCode: FIXTURE.gridA1a,
      address: '淮河路1号',
      sourceRef: null,
      name: '张三',
      phone: '13800001234',
      callbackWanted: true,
      urgency: 'normal',
      level: 'community',
      categoryId: cat.community!,
      leadDepartmentId: null,
      told: ['comm.a1b'],
    };
    const a = await post('comm.a1', {
      channel: first.channel,
      categoryId: first.categoryId,
      title: first.title,
      description: first.description,
      areaCode: first.areaCode,
      address: first.address,
      reporterName: first.name,
      reporterPhone: first.phone,
      callbackWanted: true,
    });
    expect(a.statusCode, a.body).toBe(201);

    // Another actor, channel, area, category (routed to a department), urgency and reporter.
    const second: Expected = {
      who: 'comm.a2',
      role: 'community_worker',
      channel: 'transfer',
      title: '路面塌陷',
      description: '燕山路中段路面塌陷约一米',
      areaCode: FIXTURE.gridA2a,
      address: null,
      sourceRef: '12345-20261206-0001',
      name: '欧阳修',
      phone: '13900005678',
      callbackWanted: false,
      urgency: 'urgent',
      level: 'district',
      categoryId: cat.dept!,
      leadDepartmentId: departmentId,
      told: ['dept.h'],
    };
    const b = await post('comm.a2', {
      channel: second.channel,
      categoryId: second.categoryId,
      title: second.title,
      description: second.description,
      areaCode: second.areaCode,
      sourceRef: second.sourceRef,
      reporterName: second.name,
      reporterPhone: second.phone,
      urgency: 'urgent',
    });
    expect(b.statusCode, b.body).toBe(201);

    // The system's own intake (no actor, no request), held at the street.
    const third: Expected = {
      who: null,
      role: 'system',
      channel: 'window',
      title: '垃圾清运不及时',
      description: '小区垃圾三天未清运',
      areaCode: FIXTURE.gridA1b,
      address: null,
      sourceRef: null,
      name: '李四',
      phone: '13700009999',
      callbackWanted: false,
      urgency: 'normal',
      level: 'street',
      categoryId: cat.street!,
      leadDepartmentId: null,
      told: ['street.a'],
    };
    const c = await intake(env.ctx, null, {
      channel: 'window',
      categoryId: third.categoryId,
      title: third.title,
      description: third.description,
      areaCode: third.areaCode,
      reporterName: third.name,
      reporterPhone: third.phone,
    });

    await expectWritten(a.json() as CaseJson, first);
    await expectWritten(b.json() as CaseJson, second);
    await expectWritten(c as CaseJson, third);
    expect(new Set([a.json<CaseJson>().number, b.json<CaseJson>().number, c.number]).size).toBe(3);
    // The entries hash what was written: the chain verifies.
    expect((await verifyAuditChain(env.ctx.db)).ok).toBe(true);
  });

  it('writes intakes taken in at the same moment in shared statements, each its own rows', async () => {
    const many: Expected[] = Array.from({ length: 12 }, (_, i) => {
      const inA1 = i % 2 === 0;
      const toDept = i % 3 === 0;
      return {
        who: null,
        role: 'system',
        channel: i % 4 === 1 ? 'transfer' : 'window',
        title: `同时受理第${i + 1}件`,
        description: `第${i + 1}件的描述`,
        areaCode: inA1 ? FIXTURE.gridA1a : FIXTURE.gridA2a,
        address: i % 5 === 0 ? `淮河路${i + 1}号` : null,
        sourceRef: i % 4 === 1 ? `12345-20261207-${String(i).padStart(4, '0')}` : null,
        name: ['张三', '欧阳修', '李四'][i % 3]!,
        phone: `1380000${String(1000 + i)}`,
        callbackWanted: i % 2 === 1,
        urgency: i % 3 === 2 ? 'urgent' : 'normal',
        level: toDept ? 'district' : 'community',
        categoryId: toDept ? cat.dept! : cat.community!,
        leadDepartmentId: toDept ? departmentId : null,
        told: toDept ? ['dept.h'] : inA1 ? ['comm.a1', 'comm.a1b'] : ['comm.a2'],
      };
    });
    const before = intakeBatchStats(env.ctx);
    // Called in one go, so they reach the write together, as requests on a busy server do.
    const taken = await Promise.all(
      many.map((x) =>
        intake(env.ctx, null, {
          channel: x.channel as 'window' | 'transfer',
          categoryId: x.categoryId,
          title: x.title,
          description: x.description,
          areaCode: x.areaCode,
          ...(x.address ? { address: x.address } : {}),
          ...(x.sourceRef ? { sourceRef: x.sourceRef } : {}),
          reporterName: x.name,
          reporterPhone: x.phone,
          callbackWanted: x.callbackWanted,
          urgency: x.urgency as 'normal' | 'urgent',
        }),
      ),
    );
    const after = intakeBatchStats(env.ctx);
    // Twelve cases in fewer statements, none run again: a batch carried several cases.
    expect(after.writes - before.writes).toBe(12);
    expect(after.batches - before.batches).toBeLessThan(12);
    expect(after.retried - before.retried).toBe(0);
    for (const [i, c] of taken.entries()) await expectWritten(c as CaseJson, many[i]!);
    expect(new Set(taken.map((c) => c.number)).size).toBe(12);
    expect((await verifyAuditChain(env.ctx.db)).ok).toBe(true);
  });

  it('routes again and writes once when the reference data changed since the server read it', async () => {
    const categoryId = await insertCategory(env.ctx);
    const payload = {
      channel: 'window',
      categoryId,
      title: '井盖缺失',
      description: '三号楼前井盖缺失',
      areaCode: FIXTURE.gridA1a,
      reporterName: '王五',
      reporterPhone: '13600003333',
    };
    const kept = await post('comm.a1', payload);
    expect(kept.json<CaseJson>().level).toBe('community');
    // Changed straight in the database, as another server would: this server's kept copy is now stale, and the
    // statement refuses it (LI001) before intake decides again on the current rules.
    await env.ctx.db.insert(routingRules).values({ categoryId, areaPath: '340302', departmentId });
    const tables = ['cases', 'case_events', 'audit_log', 'notifications'];
    const before = await Promise.all(tables.map((t) => countRows(env.ctx, t)));
    const res = await post('comm.a1', payload);
    expect(res.statusCode, res.body).toBe(201);
    const routed = res.json<CaseJson>();
    expect(routed).toMatchObject({ level: 'district', leadDepartmentId: departmentId });
    const after = await Promise.all(tables.map((t) => countRows(env.ctx, t)));
    expect(after.map((n, i) => n - before[i]!)).toEqual([1, 1, 1, 1]);
    await expectWritten(routed, {
      who: 'comm.a1',
      role: 'community_worker',
      channel: 'window',
      title: payload.title,
      description: payload.description,
      areaCode: payload.areaCode,
      address: null,
      sourceRef: null,
      name: payload.reporterName,
      phone: payload.reporterPhone,
      callbackWanted: false,
      urgency: 'normal',
      level: 'district',
      categoryId,
      leadDepartmentId: departmentId,
      told: ['dept.h'],
    });

    // Stale again, with intakes taken in together: their shared statement is refused, and each is written alone
    // on the current rules, once.
    await env.ctx.db.delete(routingRules).where(eq(routingRules.categoryId, categoryId));
    const again = await Promise.all(tables.map((t) => countRows(env.ctx, t)));
    const stats = intakeBatchStats(env.ctx);
    const together = await Promise.all(
      [1, 2, 3, 4, 5].map((i) =>
        intake(env.ctx, null, { ...payload, channel: 'window', title: `井盖缺失${i}` }),
      ),
    );
    expect(together.map((c) => c.level)).toEqual(Array(5).fill('community'));
    expect(intakeBatchStats(env.ctx).retried).toBeGreaterThan(stats.retried);
    const last = await Promise.all(tables.map((t) => countRows(env.ctx, t)));
    // Each table gained five rows; a community's case tells its two community workers.
    expect(last.map((n, i) => n - again[i]!)).toEqual([5, 5, 5, 10]);
  });
});
