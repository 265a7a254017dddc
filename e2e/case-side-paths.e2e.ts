/**
 * The side paths of a case through the staff screens, on phones in zh-CN: a community worker transfers a case to
 * a department in large-text mode and the department returns it (转办, 退回); a reported case escalated to the
 * street (上报); an extension asked for by the community and approved by the street above it (申请延期 → 批准);
 * a long-term case suspended and resumed (挂账); a duplicate merged into the open case (合并). Each test checks what
 * the page then shows: status tag, holder, deadline and the timeline's step. Then the timeline's step names in
 * English and in zh-TW.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { demoPlaces } from '../server/modules/demo/seed';
import { startE2E, type E2E } from './harness';
import {
  act,
  largeText,
  openPhone,
  overflowX,
  pickOption,
  shot,
  staffApi,
  staffLogin,
  statusOf,
  type StaffApi,
} from './helpers';

let e2e: E2E;
/** The demo community worker, setting cases up through the API. */
let community: StaffApi;
let categoryId = '';
let department = { id: '', name: '' };

/** 东风社区第1网格 of the demo city (in the demo community worker's community, the demo street staff's street). */
const GRID = '340302001001001';

beforeAll(async () => {
  e2e = await startE2E();
  community = await staffApi(e2e, 'demo.community_worker');
  const categories = await community.get<{ items: { id: string; code: string }[] }>('/api/categories');
  categoryId = categories.items.find((c) => c.code === 'env.garbage')!.id;
  const places = await demoPlaces(e2e.ctx);
  department = { id: places.department!.id, name: places.department!.name };
});
afterAll(async () => {
  await community?.close();
  await e2e?.close();
});

interface Made {
  id: string;
  number: string;
}

/** A window case of rubbish in the grid, reported by the community worker through the API. */
async function newCase(title: string): Promise<Made> {
  const res = await community.post('/api/cases', {
    channel: 'window',
    categoryId,
    title,
    description: `${title}，请尽快处理。`,
    areaCode: GRID,
    reporterName: '张桂兰',
    reporterPhone: '13800007788',
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const c = res.body as Made;
  return { id: c.id, number: c.number };
}

/** The case as the API tells the community worker. */
function apiCase(id: string) {
  return community.get<{
    status: string;
    dueAt: string | null;
    level: string;
    leadDepartmentId: string | null;
  }>(`/api/cases/${id}`);
}

/** Opens the case page and waits until its head and timeline are there. */
async function openCase(page: Page, id: string) {
  await page.goto(`/cases/${id}`);
  await page.getByTestId('case-head').waitFor();
  await page.getByTestId('case-timeline').waitFor();
}

/** The timeline's step names, in order. */
function steps(page: Page): Promise<string[]> {
  return page
    .getByTestId('case-timeline')
    .getByTestId('case-event-step')
    .evaluateAll((els) => els.map((el) => (el.textContent ?? '').trim()));
}

/** The step name of the latest event of an action. */
function lastStep(page: Page, action: string) {
  return page.getByTestId('case-timeline').locator(`[data-action="${action}"]`).last();
}

/** The deadline as the info card writes it. */
function dueAt(page: Page): Promise<string> {
  return page.getByTestId('case-due-at').innerText();
}

let transferred: Made;
let escalated: Made;
let extended: Made;

describe('side paths of a case on the staff screens', () => {
  it('transfers a case to a department in large-text mode, and the department returns it', async () => {
    transferred = await newCase('东风路12号门前垃圾无人清运');
    await community.act(transferred.id, { action: 'accept' });

    const cw = await openPhone(e2e);
    await staffLogin(cw.page, 'demo.community_worker');
    await largeText(cw.page);
    await openCase(cw.page, transferred.id);
    expect(await statusOf(cw.page)).toBe('accepted');
    const communityDue = await dueAt(cw.page);
    await act(cw.page, 'transfer', async () => {
      // A department is the default target: choose it by typing its name.
      await cw.page.getByTestId('action-department').click();
      await pickOption(cw.page, '民政局', department.name);
      await cw.page.getByTestId('action-reason').fill('属于民政救助事项，转民政局办理。');
      await shot(cw.page, 'side-transfer-form-large-phone');
    });
    await expect.poll(() => statusOf(cw.page)).toBe('dispatched');
    await expect.poll(() => cw.page.getByTestId('case-holder').innerText()).toContain(department.name);
    const step = lastStep(cw.page, 'transfer');
    await expect
      .poll(() => step.getByTestId('case-event-step').innerText())
      .toBe(`已转办至${department.name}`);
    expect(await step.innerText()).toContain('属于民政救助事项');
    // The department works to the district's deadline, not the community's.
    await expect.poll(() => dueAt(cw.page)).not.toBe(communityDue);
    const c = await apiCase(transferred.id);
    expect(c).toMatchObject({ level: 'district', leadDepartmentId: department.id });
    expect(await overflowX(cw.page)).toBeLessThanOrEqual(1);
    await shot(cw.page, 'side-transferred-large-phone', true);
    await cw.context.close();

    const dept = await openPhone(e2e);
    await staffLogin(dept.page, 'demo.dept_handler');
    await openCase(dept.page, transferred.id);
    await act(dept.page, 'return', async () => {
      await dept.page.getByTestId('action-reason').fill('不属于本局职责，请社区核实后重新派遣。');
    });
    // Returned, the case is out of the department's reach: the page says so and goes back to the work list.
    await dept.page.getByText('该诉求已转出，您无法再查看或办理').waitFor();
    await dept.page.waitForURL(/\/work$/);
    await dept.page
      .getByTestId('work-empty')
      .or(dept.page.locator('[data-testid^="work-group-"]'))
      .first()
      .waitFor();
    expect(await dept.page.getByTestId(`case-card-${transferred.number}`).count()).toBe(0);
    await shot(dept.page, 'side-returned-dept-phone');
    await dept.context.close();

    // The community that transferred it holds it again, accepted, with the department's reason on the step.
    const back = await openPhone(e2e);
    await staffLogin(back.page, 'demo.community_worker');
    await openCase(back.page, transferred.id);
    expect(await statusOf(back.page)).toBe('accepted');
    const ret = lastStep(back.page, 'return');
    expect(await ret.getByTestId('case-event-step').innerText()).toBe('已退回派遣单位');
    expect(await ret.innerText()).toContain('不属于本局职责');
    expect(await back.page.getByTestId('case-holder').innerText()).toBe('社区');
    await back.page.getByTestId('case-action-dispatch').waitFor();
    expect(await apiCase(transferred.id)).toMatchObject({ level: 'community', leadDepartmentId: null });
    await shot(back.page, 'side-returned-phone', true);
    await back.context.close();
  });

  it('escalates a reported case one level, to the street', async () => {
    escalated = await newCase('小区北门垃圾桶破损');
    const { context, page } = await openPhone(e2e);
    await staffLogin(page, 'demo.community_worker');
    await openCase(page, escalated.id);
    expect(await statusOf(page)).toBe('reported');
    expect(await page.getByTestId('case-holder').innerText()).toBe('社区');
    const before = await dueAt(page);
    await act(page, 'escalate', async () => {
      await page.getByTestId('action-reason').fill('需更换垃圾桶，社区无经费，报街道协调。');
    });
    await expect.poll(() => statusOf(page)).toBe('accepted');
    await expect.poll(() => page.getByTestId('case-holder').innerText()).toBe('街道');
    await expect
      .poll(() => lastStep(page, 'escalate').getByTestId('case-event-step').innerText())
      .toBe('已上报至街道');
    // The street's own deadline (3 working days) starts anew.
    expect(await dueAt(page)).not.toBe(before);
    expect((await apiCase(escalated.id)).level).toBe('street');
    await shot(page, 'side-escalated-phone', true);
    await context.close();
  });

  it('asks for an extension, which the street above approves with a later deadline', async () => {
    extended = await newCase('楼道杂物需协调多户清理');
    await community.act(extended.id, { action: 'accept' });
    await community.act(extended.id, { action: 'dispatch' });

    const cw = await openPhone(e2e);
    await staffLogin(cw.page, 'demo.community_worker');
    await openCase(cw.page, extended.id);
    expect(await statusOf(cw.page)).toBe('dispatched');
    const before = await dueAt(cw.page);
    await act(cw.page, 'request_extension', async () => {
      await cw.page.getByTestId('action-form').locator('.ant-input-number input').fill('2');
      await cw.page.getByTestId('action-reason').fill('涉及六户居民，需逐户协调。');
    });
    await expect
      .poll(() => lastStep(cw.page, 'request_extension').getByTestId('case-event-step').innerText())
      .toBe('已申请延期 2 个工作日');
    // Asked, not granted: same status, same deadline, and the community cannot approve its own request.
    expect(await statusOf(cw.page)).toBe('dispatched');
    expect(await dueAt(cw.page)).toBe(before);
    expect(await cw.page.getByTestId('case-action-approve_extension').count()).toBe(0);
    const dueBefore = (await apiCase(extended.id)).dueAt!;
    await cw.context.close();

    const street = await openPhone(e2e);
    await staffLogin(street.page, 'demo.street_staff');
    await openCase(street.page, extended.id);
    await act(street.page, 'approve_extension', async () => {
      await street.page.getByTestId('action-note').fill('同意延期两个工作日。');
    });
    const approved = lastStep(street.page, 'approve_extension');
    await expect
      .poll(() => approved.getByTestId('case-event-step').innerText())
      .toBe('已批准延期 2 个工作日');
    await expect.poll(() => dueAt(street.page)).not.toBe(before);
    // The step names the new deadline, the one the case now shows.
    const shown = await dueAt(street.page);
    expect(await approved.innerText()).toContain(`新时限：${shown}`);
    expect(await statusOf(street.page)).toBe('dispatched');
    const dueAfter = (await apiCase(extended.id)).dueAt!;
    expect(Date.parse(dueAfter)).toBeGreaterThan(Date.parse(dueBefore));
    expect(await street.page.getByTestId('case-action-approve_extension').count()).toBe(0);
    await shot(street.page, 'side-extension-approved-phone', true);
    await street.context.close();
  });

  it('suspends a long-term case, lists it as such, and resumes it with a fresh deadline', async () => {
    const made = await newCase('小区围墙外违建堆放需长期整治');
    await community.act(made.id, { action: 'accept' });
    await community.act(made.id, { action: 'dispatch' });
    await community.act(made.id, { action: 'start' });

    const { context, page } = await openPhone(e2e);
    await staffLogin(page, 'demo.community_worker');
    await openCase(page, made.id);
    expect(await statusOf(page)).toBe('handling');
    await act(page, 'suspend', async () => {
      await page.getByTestId('action-reason').fill('需等待街道统一拆违计划，暂时挂账。');
    });
    await expect.poll(() => statusOf(page)).toBe('suspended');
    const head = page.getByTestId('case-head');
    expect(await head.locator('.case-status').innerText()).toBe('挂账');
    // The deadline stops running.
    expect(await head.getByTestId('case-due-tag').innerText()).toBe('时限暂停');
    await expect
      .poll(() => lastStep(page, 'suspend').getByTestId('case-event-step').innerText())
      .toBe('已挂账');
    await shot(page, 'side-suspended-phone', true);

    // The work list keeps it in its own group.
    await page.goto('/work');
    await page.getByTestId('work-group-suspended').getByTestId(`case-card-${made.number}`).waitFor();

    await openCase(page, made.id);
    await act(page, 'resume', async () => {
      await page.getByTestId('action-note').fill('拆违计划已下达，恢复办理。');
    });
    await expect.poll(() => statusOf(page)).toBe('handling');
    await expect
      .poll(() => lastStep(page, 'resume').getByTestId('case-event-step').innerText())
      .toBe('已恢复办理');
    await expect.poll(() => head.getByTestId('case-due-tag').innerText()).toMatch(/^还剩/);
    const c = await apiCase(made.id);
    expect(c.status).toBe('handling');
    expect(Date.parse(c.dueAt!)).toBeGreaterThan(Date.now());
    await context.close();
  });

  it('merges a duplicate into the open case, and the open case records it', async () => {
    const original = await newCase('幸福里5栋垃圾站满溢');
    const duplicate = await newCase('幸福里5栋垃圾站满溢发臭');

    const { context, page } = await openPhone(e2e);
    await staffLogin(page, 'demo.community_worker');
    await openCase(page, duplicate.id);
    await act(page, 'merge', async () => {
      // The open cases alike are offered; choose the original by its number (the radio, not its link).
      const option = page
        .getByTestId('action-merge-target')
        .locator('.ant-radio-wrapper')
        .filter({ hasText: original.number });
      await option.waitFor();
      await shot(page, 'side-merge-form-phone');
      await option.locator('.ant-radio').click();
    });
    await expect.poll(() => statusOf(page)).toBe('merged');
    await page.getByTestId('case-merged').waitFor();
    await expect
      .poll(() => lastStep(page, 'merge').getByTestId('case-event-step').innerText())
      .toBe(`已合并到 ${original.number}`);
    expect(await page.getByTestId('case-no-actions').isVisible()).toBe(true);
    await shot(page, 'side-merged-phone', true);

    await page.getByTestId('case-merged-link').click();
    await page.waitForURL(new RegExp(`/cases/${original.id}$`));
    await expect
      .poll(() => lastStep(page, 'absorb').getByTestId('case-event-step').innerText())
      .toBe(`已并入重复诉求 ${duplicate.number}`);
    expect(await statusOf(page)).toBe('reported');
    await context.close();
  });
});

describe('timeline step names', () => {
  it('names every step in English, past tense and with where it went', async () => {
    expect(transferred && escalated && extended).toBeTruthy();
    const { context, page } = await openPhone(e2e, { locale: 'en' });
    await staffLogin(page, 'demo.community_worker');
    await openCase(page, transferred.id);
    await expect
      .poll(() => steps(page))
      .toEqual(['Reported', 'Accepted', `Transferred to ${department.name}`, 'Returned to the dispatcher']);
    await shot(page, 'side-timeline-en-phone', true);
    await openCase(page, escalated.id);
    await expect.poll(() => steps(page)).toEqual(['Reported', 'Escalated to Street level']);
    await openCase(page, extended.id);
    await expect
      .poll(() => steps(page))
      .toEqual([
        'Reported',
        'Accepted',
        'Dispatched for handling at Community level',
        'Extension of 2 working days requested',
        'Extension of 2 working days approved',
      ]);
    // No bare machine names anywhere on the timeline.
    for (const s of await steps(page)) expect(s).not.toMatch(/^[a-z_]+$/);
    await context.close();
  });

  it('names them in zh-TW too', async () => {
    const { context, page } = await openPhone(e2e, { locale: 'zh-TW' });
    await staffLogin(page, 'demo.community_worker');
    await openCase(page, transferred.id);
    await expect
      .poll(() => steps(page))
      .toEqual(['已登記上報', '已受理', `已轉辦至${department.name}`, '已退回派遣單位']);
    await context.close();
  });
});
