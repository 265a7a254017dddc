/**
 * The whole closed loop of a case through the real screens, each person on their own phone (390×844, zh-CN): a
 * resident reports with a photo from the phone's location, the community worker accepts it from the work list and
 * dispatches it to the demo department, the department's handler starts and handles it, the grid worker of the
 * case's grid verifies it, the community worker closes it, the resident rates it 满意, and the public tracking page
 * (no login) shows it rated, without personal data.
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DEMO_PASSWORD, startE2E, type E2E } from './harness';
import {
  act,
  catchSms,
  gridCentre,
  openPhone,
  residentLogin as residentSignIn,
  shot as snapshot,
  staffLogin,
  statusOf,
  type Sms,
  type StorageState,
} from './helpers';

let e2e: E2E;
let photo: Buffer;
let sms: Sms[] = [];

/** 东风社区第1网格 of the demo city (the demo grid worker's grid, in the demo community worker's community). */
const GRID = '340302001001001';
const COMMUNITY = '340302001001';
let HERE = { latitude: 0, longitude: 0 };
const RESIDENT_PHONE = '13900002468';
const TITLE = '5栋门前建筑垃圾堆了一周';
const DESCRIPTION = '5栋门前装修垃圾堆了一周没人清运，挡住了路，老人出门不方便，请尽快清理。';
const ADDRESS = '和平小区5栋门前';

interface Me {
  account: { displayName: string };
  assignments: {
    role: string;
    areaCode: string | null;
    departmentId: string | null;
    departmentName: string | null;
  }[];
}

/** What a demo staff account's /api/me says (its place and department), asked through the API. */
async function meOf(username: string): Promise<Me> {
  const context = await e2e.browser.newContext({ baseURL: e2e.baseUrl });
  const login = await context.request.post('/api/auth/login', {
    data: { username, password: DEMO_PASSWORD },
  });
  expect(login.status(), `${username} logs in`).toBe(200);
  const me = (await (await context.request.get('/api/me')).json()) as Me;
  await context.close();
  return me;
}

beforeAll(async () => {
  e2e = await startE2E();
  // The resident's login code arrives by "SMS": catch what the sender would send.
  sms = catchSms(e2e);
  // The demo seed drew the grid; the resident's phone stands in its middle.
  HERE = await gridCentre(e2e, GRID);
  photo = await sharp({
    create: { width: 160, height: 120, channels: 3, background: { r: 40, g: 60, b: 140 } },
  })
    .png()
    .toBuffer();
});
afterAll(async () => e2e?.close());

/** A phone with its own cookies (zh-CN), optionally signed in already or standing somewhere. */
function phone(
  opts: { geolocation?: { latitude: number; longitude: number }; storageState?: StorageState } = {},
) {
  return openPhone(e2e, opts);
}

/** This file's screenshots are named full-loop-*. */
function shot(page: Page, name: string, fullPage = false) {
  return snapshot(page, `full-loop-${name}`, fullPage);
}

function residentLogin(page: Page, number: string) {
  return residentSignIn(page, number, sms);
}

/** The case as the signed-in user of `page` sees it through the API. */
async function caseAsSeen(page: Page): Promise<{
  status: string;
  rating: string | null;
  leadDepartmentId: string | null;
  areaCode: string;
  photoCount: number;
}> {
  const res = await page.request.get(`/api/cases/${caseId}`);
  expect(res.status()).toBe(200);
  return (await res.json()) as Awaited<ReturnType<typeof caseAsSeen>>;
}

/** Opens the case from the user's work list, in the given group. */
async function openFromWorkList(page: Page, group: string) {
  await page.goto('/work');
  await page.getByTestId(`work-group-${group}`).waitFor();
  await page.getByTestId(`work-group-${group}`).getByTestId(`case-card-${caseNumber}`).click();
  await page.waitForURL(new RegExp(`/cases/${caseId}$`));
  await page.getByTestId('case-head').waitFor();
}

let caseId = '';
let caseNumber = '';
let residentState: StorageState | undefined;
let department = { id: '', name: '' };

describe('the closed loop of a case, on phones', () => {
  it('the demo accounts sit where the loop needs them', async () => {
    const community = await meOf('demo.community_worker');
    expect(community.assignments.map((a) => a.areaCode)).toContain(COMMUNITY);
    const grid = await meOf('demo.grid_worker');
    expect(grid.assignments.find((a) => a.role === 'grid_worker')?.areaCode).toBe(GRID);
    const handler = await meOf('demo.dept_handler');
    const a = handler.assignments.find((x) => x.role === 'dept_handler');
    expect(a?.departmentId).toBeTruthy();
    department = { id: a!.departmentId!, name: a!.departmentName! };
    expect(department.name).toContain('民政局');
  });

  it('1. the resident reports with a photo from the phone', async () => {
    const { context, page } = await phone({ geolocation: HERE });
    await residentLogin(page, RESIDENT_PHONE);
    await page.getByTestId('resident-tile-report').click();
    await page.getByTestId('report-page').waitFor();
    await page.getByTestId('report-category-env').click();
    await page.getByTestId('report-category-env.garbage').click();
    await page.getByTestId('report-category-chosen').waitFor();
    await page.getByTestId('report-title').fill(TITLE);
    await page.getByTestId('report-description').fill(DESCRIPTION);
    await page.getByTestId('report-locate').click();
    await page.getByTestId('report-located').waitFor();
    await page.getByTestId('report-address').fill(ADDRESS);
    await page
      .getByTestId('photo-input')
      .setInputFiles({ name: 'rubbish.png', mimeType: 'image/png', buffer: photo });
    await expect.poll(() => page.getByTestId('photo-preview').count()).toBe(1);
    await page.getByTestId('report-callback-yes').click();
    await shot(page, '1-report-form', true);
    await page.getByTestId('report-submit').click();
    await page.getByTestId('report-done').waitFor();
    caseNumber = (await page.getByTestId('report-number').innerText()).trim();
    expect(caseNumber).toMatch(/^\d{6}-\d{8}-\d{6}$/);
    expect(await page.getByTestId('report-photos-failed').count()).toBe(0);
    await shot(page, '1-report-done');

    await page.getByTestId('report-open-case').click();
    await page.getByTestId('my-case-detail').waitFor();
    caseId = new URL(page.url()).pathname.split('/').pop()!;
    expect(await page.getByTestId('my-case-number').innerText()).toContain(caseNumber);
    await page.getByTestId('my-case-photos').locator('img').first().waitFor();
    // The phone's point found the grid, and the photo is the report's.
    const c = await caseAsSeen(page);
    expect(c.status).toBe('reported');
    expect(c.areaCode).toBe(GRID);
    expect(c.photoCount).toBe(1);
    await shot(page, '1-my-case-reported', true);
    residentState = await context.storageState();
    await context.close();
  });

  it('2. the community worker accepts it from the work list and dispatches it to the department', async () => {
    expect(caseId).not.toBe('');
    const { context, page } = await phone();
    await staffLogin(page, 'demo.community_worker');
    await openFromWorkList(page, 'toAccept');
    expect(await page.getByTestId('case-title').innerText()).toBe(TITLE);
    expect(await statusOf(page)).toBe('reported');
    await expect.poll(() => page.getByTestId('case-photo').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    await act(page, 'accept');
    await expect.poll(() => statusOf(page)).toBe('accepted');

    // The form offers the district's departments; the handler's is among them.
    const targets = (await (await page.request.get(`/api/cases/${caseId}/dispatch-targets`)).json()) as {
      items: { id: string; name: string }[];
    };
    expect(targets.items.map((d) => d.id)).toContain(department.id);
    await act(page, 'dispatch', async () => {
      await page.getByTestId('action-mode').getByText('派往职能部门').click();
      // Typed into the search, so the one option left is clicked after the list settles.
      await page.getByTestId('action-department').click();
      await page.locator('.ant-select-item-option').first().waitFor();
      await shot(page, '2-dispatch-form');
      await page.keyboard.type(department.name);
      const options = page.locator('.ant-select-item-option');
      await expect.poll(() => options.count()).toBe(1);
      await options.filter({ hasText: department.name }).click();
      await expect
        .poll(() => page.getByTestId('action-form').locator('.ant-select').first().innerText())
        .toContain(department.name);
    });
    await expect.poll(() => statusOf(page)).toBe('dispatched');
    expect(await page.getByTestId('case-holder').innerText()).toContain(department.name);
    expect((await caseAsSeen(page)).leadDepartmentId).toBe(department.id);
    await shot(page, '2-dispatched', true);
    await context.close();
  });

  it('3. the department handler starts and handles it with a note', async () => {
    const { context, page } = await phone();
    await staffLogin(page, 'demo.dept_handler');
    await openFromWorkList(page, 'toHandle');
    await act(page, 'start');
    await expect.poll(() => statusOf(page)).toBe('handling');
    await act(page, 'handle', async () => {
      await page.getByTestId('action-note').fill('已安排环卫车清运5栋门前的装修垃圾，道路已通。');
    });
    await expect.poll(() => statusOf(page)).toBe('handled');
    await expect
      .poll(() => page.locator('[data-action="handle"]').innerText())
      .toContain('已安排环卫车清运5栋门前');
    // Whoever handled it may not verify it.
    expect(await page.getByTestId('case-action-verify').count()).toBe(0);
    await shot(page, '3-handled', true);
    await context.close();
  });

  it('4. the grid worker of the grid verifies it, and the community worker closes it', async () => {
    const grid = await phone();
    await staffLogin(grid.page, 'demo.grid_worker');
    await openFromWorkList(grid.page, 'toVerify');
    await act(grid.page, 'verify', async () => {
      await grid.page.getByTestId('action-note').fill('现场查看，垃圾已清运干净。');
    });
    await expect.poll(() => statusOf(grid.page)).toBe('verified');
    await shot(grid.page, '4-verified');
    await grid.context.close();

    const { context, page } = await phone();
    await staffLogin(page, 'demo.community_worker');
    await page.goto(`/cases/${caseId}`);
    await act(page, 'close');
    await expect.poll(() => statusOf(page)).toBe('closed');
    const timeline = page.getByTestId('case-timeline');
    await expect.poll(() => timeline.locator('[data-action]').count()).toBe(7);
    const steps = await timeline
      .locator('[data-action]')
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-action')));
    expect(steps).toEqual(['report', 'accept', 'dispatch', 'start', 'handle', 'verify', 'close']);
    await shot(page, '4-closed', true);
    await context.close();
  });

  it('5. the resident rates it 满意', async () => {
    const { context, page } = await phone({ storageState: residentState });
    await page.goto(`/my-cases/${caseId}`);
    await page.getByTestId('my-case-detail').waitFor();
    await page.getByTestId('rating-card').waitFor();
    await page.getByTestId('rating-satisfied').click();
    await page.getByTestId('rating-comment').fill('修得很快，谢谢！');
    await shot(page, '5-rate', true);
    await page.getByTestId('rating-submit').click();
    await page.getByTestId('my-case-rated').waitFor();
    expect(await page.getByTestId('my-case-rated').innerText()).toContain('满意');
    expect(await page.getByTestId('my-case-status').innerText()).toContain('已评价');
    expect(await page.getByTestId('rating-card').count()).toBe(0);
    const c = await caseAsSeen(page);
    expect(c).toMatchObject({ status: 'rated', rating: 'satisfied' });
    await shot(page, '5-rated', true);
    await context.close();
  });

  it('6. the public tracking page shows it rated, without personal data', async () => {
    const { context, page } = await phone();
    await page.goto('/track');
    await page.getByTestId('track-form').waitFor();
    await page.getByTestId('track-number-input').fill(caseNumber);
    await page.getByTestId('track-phone4').fill(RESIDENT_PHONE.slice(-4));
    await page.getByTestId('track-submit').click();
    await page.getByTestId('track-result').waitFor();
    expect(await page.getByTestId('track-number').innerText()).toContain(caseNumber);
    expect(await page.getByTestId('track-status').innerText()).toContain('已评价');
    const result = await page.getByTestId('track-result').innerText();
    expect(result).toContain('满意');
    expect(result).toContain('东风社区');
    // Every step of the loop is listed.
    for (const step of ['受理', '派遣办理', '开始办理', '办理完成', '核查通过', '办结', '评价'])
      expect(result).toContain(step);
    // Never the phone (whole or masked), the title, the text, the address or anyone's name.
    const whole = await page.locator('body').innerText();
    for (const secret of [
      RESIDENT_PHONE,
      `${RESIDENT_PHONE.slice(0, 3)}****${RESIDENT_PHONE.slice(-4)}`,
      TITLE,
      DESCRIPTION,
      ADDRESS,
      '演示',
      '修得很快',
      '已安排环卫车',
    ])
      expect(whole).not.toContain(secret);
    // The answer itself carries none of it either.
    const api = await page.request.get(
      `/api/track?number=${encodeURIComponent(caseNumber)}&phone4=${RESIDENT_PHONE.slice(-4)}`,
    );
    expect(api.status()).toBe(200);
    const view = (await api.json()) as Record<string, unknown>;
    expect(view).toMatchObject({ number: caseNumber, status: 'rated', rating: 'satisfied' });
    const json = JSON.stringify(view);
    for (const secret of [RESIDENT_PHONE, TITLE, ADDRESS, '演示', 'reporter', 'phone'])
      expect(json).not.toContain(secret);
    await shot(page, '6-track', true);
    await context.close();
  });
});
