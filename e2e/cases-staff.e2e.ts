/**
 * The staff's case screens in a real browser, at phone width in zh-CN: a community worker registers a window case
 * with a photo, finds it in its work list, accepts it (a second, stale tab is told and reloaded) and dispatches it
 * to a department; the department's handler starts and handles it with a photo; a grid worker, not the handler,
 * verifies it in large-text mode; the community worker closes it. Then possible duplicates at intake, the grid map,
 * the work list and case list on a desktop (and in English), and a leader's supervision list.
 */
import { eq } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cases } from '../server/modules/cases/tables';
import { demoPlaces } from '../server/modules/demo/seed';
import { DESKTOP, PHONE, startE2E, type E2E } from './harness';
import {
  act,
  catchSms,
  largeText,
  menuKeys,
  newPage,
  overflowX,
  residentLogin,
  shot,
  staffLogin,
  statusOf,
  type Sms,
} from './helpers';

let e2e: E2E;
let photo: Buffer;
let sms: Sms[] = [];
const RESIDENT_PHONE = '13900006789';

const COMMUNITY = '340302001001';
const GRID = '340302001001001';
const TITLE = '幸福小区3栋楼道堆放杂物';

beforeAll(async () => {
  e2e = await startE2E();
  // The resident's login code arrives by "SMS": catch what the sender would send.
  sms = catchSms(e2e);
  photo = await sharp({
    create: { width: 640, height: 480, channels: 3, background: { r: 180, g: 130, b: 70 } },
  })
    .jpeg()
    .toBuffer();
});
afterAll(async () => e2e?.close());

let caseId = '';
let caseNumber = '';

/**
 * When the dispatch step above failed, dispatches through the API instead (as the community worker), so that the
 * later steps still test their own screens.
 */
async function ensureDispatched() {
  const { context, page } = await newPage(e2e, PHONE);
  await staffLogin(page, 'demo.community_worker');
  const me = (await (await page.request.get('/api/me')).json()) as { csrfToken: string };
  const c = (await (await page.request.get(`/api/cases/${caseId}`)).json()) as {
    status: string;
    version: number;
  };
  if (c.status === 'accepted') {
    const { department } = await demoPlaces(e2e.ctx);
    const res = await page.request.post(`/api/cases/${caseId}/actions`, {
      headers: { 'X-CSRF-Token': me.csrfToken },
      data: { action: 'dispatch', version: c.version, departmentId: department!.id },
    });
    expect(res.status()).toBe(200);
  }
  await context.close();
}

describe('staff case screens', () => {
  it('shows case menus to staff and none to the resident', async () => {
    const cw = await newPage(e2e, PHONE);
    await staffLogin(cw.page, 'demo.community_worker');
    expect(await menuKeys(cw.page, { close: true })).toEqual(
      expect.arrayContaining(['work', 'cases', 'caseNew', 'caseMap']),
    );
    await cw.page.getByTestId('work-card').waitFor();
    await cw.context.close();

    const dept = await newPage(e2e, PHONE);
    await staffLogin(dept.page, 'demo.dept_handler');
    const keys = await menuKeys(dept.page, { close: true });
    expect(keys).toEqual(expect.arrayContaining(['work', 'cases']));
    expect(keys).not.toContain('caseNew');
    await dept.context.close();

    const resident = await newPage(e2e, PHONE);
    // A resident may create cases (online), yet gets none of the staff entries.
    await residentLogin(resident.page, RESIDENT_PHONE, sms);
    const rk = await menuKeys(resident.page, { close: true });
    for (const key of ['work', 'cases', 'caseNew', 'caseMap']) expect(rk).not.toContain(key);
    await resident.context.close();
  });

  it('lets a community worker register a window case with a photo on a phone', async () => {
    const { context, page } = await newPage(e2e, PHONE);
    await staffLogin(page, 'demo.community_worker');
    await page.goto('/cases/new');
    await page.getByTestId('intake-form').waitFor();
    // Window is the first channel of a community worker.
    expect(await page.getByTestId('intake-channel-window').isVisible()).toBe(true);
    await page.getByTestId('intake-category').click();
    await page.keyboard.type('垃圾堆放');
    await page
      .locator('.ant-select-tree-node-content-wrapper')
      .filter({ hasText: '垃圾堆放' })
      .first()
      .click();
    await page.getByTestId('intake-area').locator('.ant-select').click();
    const community = page.locator('.ant-select-tree-treenode').filter({ hasText: '东风社区' }).first();
    await community.locator('.ant-select-tree-switcher').click();
    await page
      .locator('.ant-select-tree-node-content-wrapper')
      .filter({ hasText: '第1网格' })
      .first()
      .click();
    await page.getByTestId('intake-address').fill('幸福小区3栋2单元');
    await page.getByTestId('intake-title').fill(TITLE);
    await page
      .getByTestId('intake-description')
      .fill('3栋2单元楼道堆放纸箱和旧家具，影响通行，存在消防隐患。');
    await page.getByTestId('intake-reporter-name').fill('王秀英');
    await page.getByTestId('intake-reporter-phone').fill('13955551234');
    await page.getByTestId('intake-callback').click();
    await page.getByTestId('intake-photos-input').setInputFiles({
      name: 'scene.jpg',
      mimeType: 'image/jpeg',
      buffer: photo,
    });
    await page.getByTestId('intake-photos-item-0').waitFor();
    await shot(page, 'cases-intake-phone', true);
    await page.getByTestId('intake-submit').click();
    await page.waitForURL(/\/cases\/[0-9a-f-]{36}$/, { timeout: 30_000 });
    caseId = page.url().split('/').pop()!;
    await page.getByTestId('case-title').waitFor();
    expect(await page.getByTestId('case-title').innerText()).toBe(TITLE);
    caseNumber = (await page.getByTestId('case-number').innerText()).trim();
    expect(caseNumber).toMatch(/^\d{6}-\d{8}-\d{6}$/);
    expect(await statusOf(page)).toBe('reported');
    // Personal data masked as the server gives it.
    const reporter = await page.getByTestId('case-reporter').innerText();
    expect(reporter).toContain('王*');
    expect(reporter).toContain('139****1234');
    expect(reporter).not.toContain('13955551234');
    // The photo was uploaded with the report and shows on its step.
    await expect.poll(() => page.getByTestId('case-photo').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    await page.getByTestId('case-action-accept').waitFor();
    await shot(page, 'cases-detail-reported-phone', true);
    await context.close();
  });

  it('shows the case in the work list, and tells a stale tab that someone else acted', async () => {
    const { context, page } = await newPage(e2e, PHONE);
    await staffLogin(page, 'demo.community_worker');
    // The home page's work card counts it.
    await page.getByTestId('work-stat-toAccept').waitFor();
    await page.getByTestId('work-card').scrollIntoViewIfNeeded();
    await shot(page, 'cases-home-work-card-phone');
    await page.getByTestId('work-card-open').click();
    await page.getByTestId('work-group-toAccept').waitFor();
    await page.getByTestId(`case-card-${caseNumber}`).waitFor();
    await shot(page, 'cases-work-list-phone', true);
    await page.getByTestId(`case-card-${caseNumber}`).click();
    await page.getByTestId('case-action-accept').waitFor();

    // A second tab still shows version 1.
    const stale = await context.newPage();
    await stale.goto(`/cases/${caseId}`);
    await stale.getByTestId('case-action-accept').waitFor();

    await act(page, 'accept');
    await expect.poll(() => statusOf(page)).toBe('accepted');

    await stale.getByTestId('case-action-accept').click();
    await stale.getByTestId('action-submit').click();
    await stale
      .getByText('已被他人处理，已为您刷新')
      .waitFor({ timeout: 10_000 })
      .catch(async (e: unknown) => {
        await shot(stale, 'debug-stale', true);
        throw e;
      });
    await expect.poll(() => statusOf(stale)).toBe('accepted');
    expect(await stale.getByTestId('case-action-accept').count()).toBe(0);
    await stale.close();
    await context.close();
  });

  it('dispatches it to a department from the detail page', async () => {
    const { context, page } = await newPage(e2e, PHONE);
    await staffLogin(page, 'demo.community_worker');
    await page.goto(`/cases/${caseId}`);
    // Dispatch to the district's civil affairs bureau (the demo department handler's department).
    await act(page, 'dispatch', async () => {
      await page.getByTestId('action-mode').getByText('派往职能部门').click();
      await page.getByTestId('action-department').click();
      const none = page.getByTestId('action-no-departments');
      await Promise.race([page.locator('.ant-select-item-option').first().waitFor(), none.waitFor()]);
      await shot(page, 'cases-dispatch-phone');
      if (await none.isVisible())
        throw new Error('the dispatch form shows the community worker no department to dispatch to');
      // Typed into the search, so the one option left is clicked after the list settles.
      await page.keyboard.type('民政局');
      const options = page.locator('.ant-select-item-option');
      await expect.poll(() => options.count()).toBe(1);
      await options.filter({ hasText: '民政局' }).click();
      await expect
        .poll(() => page.getByTestId('action-form').locator('.ant-select').first().innerText())
        .toContain('民政局');
    });
    await expect.poll(() => statusOf(page)).toBe('dispatched');
    expect(await page.getByTestId('case-holder').innerText()).toContain('民政局');
    await context.close();
  });

  it('lets the department handler start and handle it with a photo', async () => {
    const { context, page } = await newPage(e2e, PHONE);
    await ensureDispatched();
    await staffLogin(page, 'demo.dept_handler');
    await page.goto('/work');
    await page.getByTestId('work-group-toHandle').waitFor();
    await page.getByTestId(`case-card-${caseNumber}`).click();
    await act(page, 'start');
    await expect.poll(() => statusOf(page)).toBe('handling');
    await act(page, 'handle', async () => {
      await page.getByTestId('action-note').fill('已联系物业清理楼道杂物，现场恢复通行。');
      await page.getByTestId('action-photos-input').setInputFiles({
        name: 'after.jpg',
        mimeType: 'image/jpeg',
        buffer: photo,
      });
      await page.getByTestId('action-photos-item-0').waitFor();
      await shot(page, 'cases-handle-form-phone');
    });
    await expect.poll(() => statusOf(page)).toBe('handled');
    // The handled step carries its note and its photo.
    const handled = page.locator('[data-action="handle"]');
    await expect.poll(() => handled.innerText()).toContain('已联系物业清理楼道杂物');
    await expect.poll(() => handled.getByTestId('case-photo').count(), { timeout: 15_000 }).toBe(1);
    // The handler may not verify its own work.
    expect(await page.getByTestId('case-action-verify').count()).toBe(0);
    await shot(page, 'cases-detail-handled-phone', true);
    await context.close();
  });

  it('lets a grid worker verify it in large-text mode', async () => {
    const { context, page } = await newPage(e2e, PHONE);
    await staffLogin(page, 'demo.grid_worker');
    await largeText(page);
    await page.goto('/work');
    await page.getByTestId('work-group-toVerify').waitFor();
    await shot(page, 'cases-work-list-large-text-phone', true);
    await page.getByTestId(`case-card-${caseNumber}`).click();
    await page.getByTestId('case-action-verify').waitFor();
    await shot(page, 'cases-detail-large-text-phone');
    await act(page, 'verify', async () => {
      await page.getByTestId('action-note').fill('现场核查，楼道已清理干净。');
    });
    await expect.poll(() => statusOf(page)).toBe('verified');
    // No page wider than the phone.
    expect(await overflowX(page)).toBeLessThanOrEqual(1);
    await context.close();
  });

  it('lets the community worker close it, and lists it with filters', async () => {
    const { context, page } = await newPage(e2e, PHONE);
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
    for (const label of ['登记上报', '受理', '派遣', '开始处置', '办结反馈', '核查通过', '结案'])
      expect(await timeline.innerText()).toContain(label);
    await shot(page, 'cases-detail-closed-phone', true);

    await page.goto('/cases');
    await page.getByTestId('cases-search').fill(caseNumber.slice(0, 15));
    await page.getByTestId(`case-card-${caseNumber}`).waitFor();
    await page.getByTestId('case-tab-closed').click();
    await page.getByTestId(`case-card-${caseNumber}`).waitFor();
    await shot(page, 'cases-list-phone', true);
    await context.close();
  });

  it('draws open cases by grid on the map', async () => {
    const { context, page } = await newPage(e2e, PHONE);
    await staffLogin(page, 'demo.community_worker');
    // The demo seed draws every grid's boundary; a grid without one would be listed as a tile instead.
    const csrf = ((await (await page.request.get('/api/me')).json()) as { csrfToken: string }).csrfToken;
    const grid = (await (await page.request.get(`/api/areas/${GRID}`)).json()) as { boundary?: unknown };
    expect(grid.boundary, 'the demo seed draws the grids').toBeTruthy();
    // Two open cases in the first grid, one in the second.
    for (const [grid, title] of [
      [GRID, '路灯不亮'],
      [GRID, '井盖松动'],
      [`${COMMUNITY}002`, '绿地垃圾'],
    ] as const) {
      const categories = (await (await page.request.get('/api/categories')).json()) as {
        items: { id: string; code: string }[];
      };
      const res = await page.request.post('/api/cases', {
        headers: { 'X-CSRF-Token': csrf },
        data: {
          channel: 'window',
          categoryId: categories.items.find((c) => c.code === 'env.garbage')!.id,
          title,
          description: `${title}，请尽快处理`,
          areaCode: grid,
          reporterName: '李四',
          reporterPhone: '13800004321',
        },
      });
      expect(res.status()).toBe(201);
    }
    // A new report of the same kind in the same grid: the form shows the open one before saving.
    await page.goto('/cases/new');
    await page.getByTestId('intake-category').click();
    await page.keyboard.type('垃圾堆放');
    await page
      .locator('.ant-select-tree-node-content-wrapper')
      .filter({ hasText: '垃圾堆放' })
      .first()
      .click();
    await page.getByTestId('intake-area').locator('.ant-select').click();
    const community = page.locator('.ant-select-tree-treenode').filter({ hasText: '东风社区' }).first();
    await community.locator('.ant-select-tree-switcher').click();
    await page
      .locator('.ant-select-tree-node-content-wrapper')
      .filter({ hasText: '第1网格' })
      .first()
      .click();
    await page.getByTestId('intake-title').fill('井盖松动有异响');
    await expect
      .poll(() => page.getByTestId('intake-similar').innerText(), { timeout: 15_000 })
      .toContain('井盖松动');
    await page.getByTestId('intake-similar').scrollIntoViewIfNeeded();
    await shot(page, 'cases-intake-similar-phone');

    // Open cases of the first grid, as the case list counts them.
    const OPEN = ['reported', 'accepted', 'dispatched', 'handling', 'handled', 'verified', 'suspended'];
    const inGrid = (await (await page.request.get(`/api/cases?area=${GRID}&limit=200`)).json()) as {
      items: { status: string }[];
    };
    const openInGrid = inGrid.items.filter((c) => OPEN.includes(c.status)).length;
    await page.goto('/cases/map');
    const map = page.getByTestId('grid-map-svg');
    const error = page.getByTestId('grid-map-error');
    await Promise.race([map.waitFor(), error.waitFor()]);
    if (await error.isVisible()) {
      // The statistics endpoint is another helper's; without it the page must still explain itself.
      await shot(page, 'cases-map-phone');
      await context.close();
      return;
    }
    expect(await page.getByTestId(`grid-shape-${GRID}`).getAttribute('data-open')).toBe(String(openInGrid));
    await page.getByTestId(`grid-shape-${GRID}`).click();
    await page.getByTestId('grid-map-tooltip').waitFor();
    await shot(page, 'cases-map-phone');
    await page.getByTestId('grid-map-tooltip-open').click();
    await page.waitForURL(/\/cases\?area=340302001001001/);
    await page.getByTestId('cases-cards').waitFor();
    await context.close();
  });
  it('shows the case list as a table on a desktop, in English too', async () => {
    const { context, page } = await newPage(e2e, DESKTOP);
    await staffLogin(page, 'demo.street_staff');
    // One of the open cases of the map test runs late: it comes first, in red, saying how late.
    await e2e.ctx.db
      .update(cases)
      // Reported before its deadline, as every case is (cases_due_after_report_check).
      .set({
        createdAt: new Date(Date.now() - 3 * 86_400_000),
        dueAt: new Date(Date.now() - 2 * 86_400_000 - 3_600_000),
      })
      .where(eq(cases.title, '路灯不亮'));
    await page.goto('/work');
    const toAccept = page.getByTestId('work-group-toAccept');
    await toAccept.waitFor();
    await expect.poll(() => toAccept.locator('.ant-table-row').first().innerText()).toContain('路灯不亮');
    expect(await toAccept.getByTestId('case-overdue-tag').first().innerText()).toContain('已逾期 2 天');
    await shot(page, 'cases-work-list-desktop');
    // The street's grids on the map, with the area chooser of a street worker.
    await page.goto('/cases/map');
    await page.getByTestId('grid-map-svg').waitFor();
    await page.getByTestId(`grid-shape-${GRID}`).hover();
    await page.getByTestId('grid-map-tooltip').waitFor();
    await shot(page, 'cases-map-desktop');
    await page.goto('/cases');
    await page.getByTestId(`case-row-${caseNumber}`).waitFor();
    await shot(page, 'cases-list-desktop');
    await page.getByTestId('lang-switch').click();
    await page.getByTestId('lang-en').click();
    await expect.poll(() => page.getByTestId('cases-status-tabs').innerText()).toContain('Closed');
    await page.goto(`/cases/${caseId}`);
    await page.getByTestId('case-timeline').waitFor();
    // Step names in the past tense, with where the case went.
    await expect.poll(() => page.getByTestId('case-timeline').innerText()).toContain('Verified');
    expect(await page.getByTestId('case-timeline').innerText()).toContain('Dispatched to');
    await shot(page, 'cases-detail-desktop-en');
    await context.close();
  });
  it("lets a leader supervise an overdue case and find it on the supervisor's list", async () => {
    const { context, page } = await newPage(e2e, DESKTOP);
    await staffLogin(page, 'demo.leader');
    await page.goto('/cases?overdue=true');
    await page.getByTestId('cases-table').getByText('路灯不亮').click();
    await act(page, 'supervise', async () => {
      await page.getByTestId('action-note').fill('请东风社区今日内处理，明早报结果。');
    });
    await page.getByTestId('case-head').getByText('督办').waitFor();
    await page.goto('/cases');
    await page.getByTestId('cases-supervision').click();
    await page.waitForURL(/view=supervision/);
    // Only the supervised case: the others of the list are not on it.
    await expect.poll(() => page.getByTestId('cases-table').locator('.ant-table-row').count()).toBe(1);
    expect(await page.getByTestId('cases-table').innerText()).toContain('路灯不亮');
    await shot(page, 'cases-supervision-desktop');
    await context.close();
  });
});
