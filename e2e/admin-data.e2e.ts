/**
 * The administrator's reference data on a phone (390×844) in large-text mode, zh-CN: the working-day calendar (a
 * holiday marked moves the deadline preview by a day, and deleting it moves it back) and the case categories and
 * routing (a category's deadline edited; a routing rule added, after which the routing preview names the rule's
 * department).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { demoPlaces } from '../server/modules/demo/seed';
import { startE2E, type E2E } from './harness';
import {
  largeText,
  modalSettled,
  openPhone,
  overflowX,
  pickOption,
  shot,
  staffApi,
  staffLogin,
  type StaffApi,
} from './helpers';

let e2e: E2E;
let admin: StaffApi;

beforeAll(async () => {
  e2e = await startE2E();
  admin = await staffApi(e2e, 'demo.admin');
});
afterAll(async () => {
  await admin?.close();
  await e2e?.close();
});

/** The text input of an antd field, whether the test id sits on the input itself or on its wrapper. */
function inputOf(field: Locator): Locator {
  return field.locator('xpath=self::input | .//input').first();
}

/** Chooses a node of a tree select (areas load lazily): opens each named level in turn, then clicks the last. */
async function pickInTree(page: Page, testId: string, path: string[]) {
  await page.getByTestId(testId).click();
  // The newest popup is this select's; clicks land once its slide-in motion ended.
  const popup = page.locator('.ant-select-dropdown:visible').last();
  await popup.waitFor();
  await expect.poll(() => popup.getAttribute('class')).not.toMatch(/-slide-/);
  for (const [i, name] of path.entries()) {
    const node = popup.locator('.ant-select-tree-treenode').filter({ hasText: name }).first();
    await node.waitFor();
    if (i < path.length - 1) {
      // Open once its children are drawn (an area's load from the server on the first click).
      await node.locator('.ant-select-tree-switcher').click();
      await expect
        .poll(() => node.getAttribute('class'), { timeout: 15_000 })
        .toContain('treenode-switcher-open');
    } else await node.locator('.ant-select-tree-node-content-wrapper').click();
  }
  await expect.poll(() => page.getByTestId(testId).innerText()).toContain(path[path.length - 1]);
}

/** The admin's forms stay in the page once opened (forceRender): a saved form is hidden, not removed. */

/** YYYY-MM-DD of a date (its UTC calendar day). */
const ymd = (d: Date) => d.toISOString().slice(0, 10);

describe('the working-day calendar', () => {
  it('marks a holiday, and the deadline preview moves past it', async () => {
    // A December week of this year: no official holiday falls there.
    const year = new Date(Date.now() + 8 * 3600_000).getUTCFullYear();
    const monday = new Date(Date.UTC(year, 11, 8));
    while (monday.getUTCDay() !== 1) monday.setUTCDate(monday.getUTCDate() + 1);
    const day = (offset: number) => ymd(new Date(monday.getTime() + offset * 86_400_000));
    const holiday = day(2); // the Wednesday
    const deadline = async () =>
      (
        await admin.get<{ dueAt: string }>(
          `/api/calendar/deadline?from=${encodeURIComponent(`${day(0)}T02:00:00.000Z`)}&workingDays=3`,
        )
      ).dueAt;
    // Three working days from Monday 10:00: the end of Thursday (China time).
    expect(await deadline()).toBe(`${day(3)}T15:59:59.999Z`);

    const { context, page } = await openPhone(e2e, { timezoneId: 'Asia/Shanghai' });
    await staffLogin(page, 'demo.admin');
    await largeText(page);
    await page.goto('/calendar');
    await page.getByTestId('calendar-working-days').waitFor();

    // The preview: Monday 10:00 plus 3 working days.
    const from = inputOf(page.getByTestId('calendar-preview-from'));
    await from.click();
    await from.fill(`${day(0)} 10:00:00`);
    await from.press('Enter');
    await expect.poll(() => inputOf(page.getByTestId('calendar-preview-days')).inputValue()).toBe('3');
    const result = page.getByTestId('calendar-preview-result');
    await expect.poll(() => result.innerText().catch(() => '')).toContain(day(3).replaceAll('-', '/'));
    const before = await result.innerText();

    // Mark the Wednesday a holiday.
    await page.getByTestId('calendar-add').click();
    await page.getByTestId('calendar-form').waitFor();
    await modalSettled(page);
    const dayInput = inputOf(page.getByTestId('calendar-day'));
    await dayInput.click();
    await dayInput.fill(holiday);
    await dayInput.press('Enter');
    await page.getByTestId('calendar-name').fill('社区演练假日');
    await shot(page, 'admin-calendar-add-large-phone');
    await page.getByTestId('calendar-submit').click();
    await page.getByTestId('calendar-form').waitFor({ state: 'hidden', timeout: 15_000 });
    const row = page.getByTestId('calendar-table').locator('tr').filter({ hasText: holiday });
    await expect.poll(() => row.innerText()).toContain('社区演练假日');
    expect(await row.innerText()).toContain('放假');

    // The preview, asked again with the calendar, now ends on Friday.
    await expect.poll(() => result.innerText()).toContain(day(4).replaceAll('-', '/'));
    expect(await result.innerText()).not.toBe(before);
    expect(await deadline()).toBe(`${day(4)}T15:59:59.999Z`);
    expect(await overflowX(page)).toBeLessThanOrEqual(1);
    await page.getByTestId('calendar-preview-result').scrollIntoViewIfNeeded();
    await shot(page, 'admin-calendar-holiday-large-phone', true);

    // Deleted again, the deadline is Thursday once more.
    await page.getByTestId(`calendar-delete-${holiday}`).click();
    const confirm = page.locator('.ant-popconfirm-buttons:visible .ant-btn-dangerous');
    await confirm.waitFor();
    await confirm.click();
    await expect.poll(() => page.getByTestId(`calendar-delete-${holiday}`).count()).toBe(0);
    await expect.poll(() => result.innerText()).toBe(before);
    await context.close();
  });
});

describe('categories and routing', () => {
  it("edits a category's deadline and adds a routing rule that the preview then follows", async () => {
    const { department } = await demoPlaces(e2e.ctx);
    const { context, page } = await openPhone(e2e);
    await staffLogin(page, 'demo.admin');
    await largeText(page);
    await page.goto('/categories');
    const table = page.getByTestId('categories-table');
    await page.getByTestId('category-edit-env').waitFor();

    // 市容环境 › 垃圾堆放: open the parent row, edit the child's deadline to 5 working days.
    const parentRow = table.locator('tr').filter({ has: page.getByTestId('category-edit-env') });
    await parentRow.locator('.ant-table-row-expand-icon').click();
    await page.getByTestId('category-edit-env.garbage').click();
    await page.getByTestId('category-form').waitFor();
    await modalSettled(page);
    const days = inputOf(page.getByTestId('category-days'));
    await days.fill('5');
    await shot(page, 'admin-category-edit-large-phone');
    await page.getByTestId('category-submit').click();
    await page.getByTestId('category-form').waitFor({ state: 'hidden', timeout: 15_000 });
    const garbageRow = table.locator('tr').filter({ has: page.getByTestId('category-edit-env.garbage') });
    await expect.poll(() => garbageRow.innerText()).toContain('5 个工作日');
    const cats = await admin.get<{ items: { code: string; deadlineWorkingDays: number | null }[] }>(
      '/api/categories',
    );
    expect(cats.items.find((c) => c.code === 'env.garbage')?.deadlineWorkingDays).toBe(5);

    // The routing preview for rubbish in 东风社区, before any rule.
    await page.getByTestId('preview-category').click();
    await pickOption(page, '垃圾堆放');
    await pickInTree(page, 'preview-area', ['蚌埠市', '龙子湖区', '东风街道', '东风社区']);
    const preview = page.getByTestId('preview-result');
    await preview.waitFor();
    expect(await preview.innerText()).not.toContain(department!.name);

    // A rule: rubbish anywhere in 龙子湖区 goes to its civil affairs bureau.
    await page.getByTestId('rules-add').click();
    await page.getByTestId('rule-form').waitFor();
    await modalSettled(page);
    await pickInTree(page, 'rule-category', ['市容环境', '垃圾堆放']);
    await pickInTree(page, 'rule-area', ['蚌埠市', '龙子湖区']);
    await page.getByTestId('rule-kind').getByText('职能部门').click();
    await page.getByTestId('rule-department').click();
    await pickOption(page, department!.name);
    await shot(page, 'admin-rule-form-large-phone');
    await page.getByTestId('rule-submit').click();
    await page.getByTestId('rule-form').waitFor({ state: 'hidden', timeout: 15_000 });
    const ruleRow = page.getByTestId('rules-table').locator('tr').filter({ hasText: department!.name });
    await expect.poll(() => ruleRow.innerText()).toContain('垃圾堆放');
    expect(await ruleRow.innerText()).toContain('龙子湖区');

    // The preview, asked again with the rules, names the department and the rule.
    await expect.poll(() => preview.innerText()).toContain(department!.name);
    expect(await preview.innerText()).toContain('按规则');
    expect(await overflowX(page)).toBeLessThanOrEqual(1);
    await preview.scrollIntoViewIfNeeded();
    await shot(page, 'admin-routing-large-phone', true);
    await context.close();
  });
});
