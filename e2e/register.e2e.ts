/**
 * The living register in the browser, zh-CN at phone width: a grid worker records a due visit in large-text mode and
 * the grid's coverage moves on its due page and on the community worker's ledger; the community worker imports a
 * 1,000-row spreadsheet and is told each of its 20 bad rows by row, column and rule; a community-corrections tag is
 * absent for the community worker and present for the street worker; an export is masked unless a purpose is
 * stated, and the auditor finds both exports in the audit log.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Download, Page } from 'playwright-core';
import { parseIdNumber } from '../common/id-number';
import { e2eImportFile } from '../server/modules/people/io/fixtures';
import { readSheetRows } from '../server/modules/people/io/spreadsheet';
import type { CellValue } from '../server/modules/people/io/xlsx';
import { residentTags, tags } from '../server/modules/tags/tables';
import { DESKTOP, startE2E, type E2E } from './harness';
import { largeText, modalSettled, newPage, openPhone, overflowX, shot, staffLogin } from './helpers';

let e2e: E2E;

beforeAll(async () => {
  e2e = await startE2E();
});
afterAll(async () => {
  await e2e?.close();
});

async function noOverflow(page: Page) {
  expect(await overflowX(page)).toBeLessThanOrEqual(1);
}

/** The ledger's row of the demo grid, as its cells' texts (grid, households, visited, coverage, visits). */
async function ledgerRow(page: Page): Promise<string[]> {
  const row = page.locator('[data-testid="ledger-grids"] tbody tr').filter({ hasText: '东风社区第1网格' });
  await row.waitFor();
  return row.locator('td').allInnerTexts();
}

/** The rows of a downloaded XLSX file, header first. */
async function sheetOf(download: Download): Promise<CellValue[][]> {
  const out: CellValue[][] = [];
  for await (const batch of readSheetRows(await download.path(), 'xlsx'))
    for (const r of batch) out.push(r.cells);
  return out;
}

describe('the register on the staff screens', () => {
  it('has a grid worker record a due visit on the phone, and the coverage of its grid moves', async () => {
    // The community worker's ledger first: the demo grid's figure over the last 60 days.
    const ledger = await openPhone(e2e);
    await staffLogin(ledger.page, 'demo.community_worker');
    await ledger.page.goto('/visits/ledger');
    const before = await ledgerRow(ledger.page);

    const { context, page } = await openPhone(e2e);
    await staffLogin(page, 'demo.grid_worker');
    await largeText(page);
    await page.goto('/visits');
    const items = page.getByTestId('visit-due-item');
    await items.first().waitFor();
    // Overdue first: no overdue household after one that is not.
    const statuses = await items.evaluateAll((els) => els.map((el) => el.getAttribute('data-status')));
    expect(statuses[0]).toBe('overdue');
    expect(statuses.lastIndexOf('overdue')).toBeLessThan(statuses.findIndex((s) => s !== 'overdue'));
    const coverage = await page.getByTestId('visit-coverage').innerText();
    const overdue = Number(await page.getByTestId('visit-overdue').innerText());
    expect(overdue).toBeGreaterThan(0);
    await noOverflow(page);
    await shot(page, 'register-visits-due-large-phone', true);

    // The first overdue household: persons met, what was found, one need.
    const first = items.first();
    const head = (await first.locator('.visits-due-name').innerText()).split(' · ')[0]!.trim();
    await first.getByTestId('visit-record').click();
    const form = page.getByTestId('visit-form');
    await form.waitFor();
    await form.locator('.visits-persons').getByText(head, { exact: true }).click();
    await page.getByTestId('visit-situation').fill('老人在家，精神尚可，独自做饭有困难。');
    await page.getByTestId('visit-need-add').click();
    await form.locator('.visits-need-text input').fill('希望每周有人上门送餐');
    await noOverflow(page);
    await shot(page, 'register-visit-form-large-phone');
    await page.getByTestId('visit-submit').click();
    await form.waitFor({ state: 'detached' });
    await expect.poll(() => page.getByTestId('visit-overdue').innerText()).toBe(String(overdue - 1));
    expect(await page.getByTestId('visit-coverage').innerText()).not.toBe(coverage);
    await context.close();

    // The ledger counts one more visited household in the grid, and a higher coverage.
    await ledger.page.reload();
    const after = await ledgerRow(ledger.page);
    expect(Number(after[2])).toBe(Number(before[2]) + 1);
    expect(parseInt(after[3]!, 10)).toBeGreaterThan(parseInt(before[3]!, 10));
    await noOverflow(ledger.page);
    await shot(ledger.page, 'register-ledger-phone', true);
    await ledger.context.close();
  });

  it("pages, filters and sorts a street's ledger in large text, and exports it as a spreadsheet", async () => {
    const { context, page } = await openPhone(e2e);
    await staffLogin(page, 'demo.street_staff');
    await page.goto('/visits/ledger');
    await largeText(page);
    const table = page.getByTestId('ledger-grids');
    const rows = table.locator('tbody tr.ant-table-row');
    await rows.first().waitFor();
    // The demo street has 30 grids: 20 on the first page, and the count of all.
    expect(await rows.count()).toBe(20);
    const card = page.locator('.ant-card', { has: table });
    const totalText = await card.locator('.ant-pagination-total-text').innerText();
    const total = Number(/共 (\d+) 条/.exec(totalText)?.[1]);
    expect(total).toBeGreaterThan(20);

    const filter = page
      .locator('input[data-testid="ledger-filter"], [data-testid="ledger-filter"] input')
      .first();
    await filter.fill('第2网格');
    await expect.poll(() => rows.count()).toBeLessThan(20);
    for (const name of await rows.locator('td:first-child').allInnerTexts())
      expect(name).toContain('第2网格');
    await filter.fill('');
    await expect.poll(() => rows.count()).toBe(20);

    // Lowest coverage first (the grids that need visits most), grids without households after every figure.
    await table.locator('th').filter({ hasText: '走访覆盖率' }).click();
    const figure = (text: string) => (text.trim() === '—' ? Infinity : parseFloat(text));
    await expect
      .poll(async () => {
        const values = (await rows.locator('td:nth-child(4)').allInnerTexts()).map(figure);
        return values[0]! < Infinity && values.every((v, i) => i === 0 || values[i - 1]! <= v);
      })
      .toBe(true);
    await noOverflow(page);
    await shot(page, 'register-ledger-street-phone', true);

    await page.getByTestId('ledger-export').click();
    const [file] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('ledger-export-xlsx').click(),
    ]);
    expect(file.suggestedFilename()).toMatch(/^ledger-340302001000-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d\.xlsx$/);
    const sheet = await sheetOf(file);
    expect(sheet[0]).toEqual(['网格', '区域编码', '住户', '已走访户', '走访覆盖率（%）', '走访次数']);
    // Every grid, then the street's total.
    expect(sheet).toHaveLength(total + 2);
    expect(String(sheet[total + 1]![0])).toMatch(/^合计 · /);
    await context.close();
  });

  it('imports a 1,000-row spreadsheet and names the row, column and rule of each of its 20 bad rows', async () => {
    const file = await e2eImportFile(7);
    const { context, page } = await openPhone(e2e);
    await staffLogin(page, 'demo.community_worker');
    await page.goto('/people/import');
    await page.getByTestId('import-area').click();
    await page
      .locator('.ant-select-tree-node-content-wrapper')
      .filter({ hasText: '东风社区居委会' })
      .first()
      .click();
    await page.getByTestId('import-file').locator('input[type=file]').setInputFiles({
      name: '东风社区居民.xlsx',
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buffer: file.xlsx,
    });
    await page.getByText('东风社区居民.xlsx').waitFor();
    await page.getByTestId('import-start').click();
    await page.getByTestId('import-result').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('import-count-rows').innerText()).toBe('1000');
    expect(await page.getByTestId('import-count-created').innerText()).toBe(String(file.good));
    expect(await page.getByTestId('import-count-rejected').innerText()).toBe('20');
    expect(file.expected).toHaveLength(20);
    for (const p of file.expected) {
      const cells = await page.getByTestId(`import-problem-${p.row}`).locator('td').allInnerTexts();
      expect(cells[0], `row ${p.row}`).toBe(String(p.row));
      expect(cells[1], `row ${p.row}`).toBe(p.header);
      expect(cells[2], `row ${p.row}`).toContain(p.rule);
    }
    await noOverflow(page);
    await shot(page, 'register-import-report-phone', true);
    await context.close();
  });

  it('keeps a community-corrections tag absent for a community worker and shows it to the street worker', async () => {
    // The demo seed places one person of the demo grid under community corrections.
    const [held] = await e2e.ctx.db
      .select({ residentId: residentTags.residentId })
      .from(residentTags)
      .innerJoin(tags, eq(tags.id, residentTags.tagId))
      .where(eq(tags.code, 'special.corrections'));
    expect(held, 'the demo seed tags a resident').toBeTruthy();

    const { context, page } = await openPhone(e2e);
    await staffLogin(page, 'demo.community_worker');
    await page.goto('/focus-groups');
    await page.getByTestId('focus-counts').locator('.ant-table-row').first().waitFor();
    const tree = await page.getByTestId('focus-counts').innerText();
    expect(tree).toContain('独居老人');
    expect(tree).not.toContain('社区矫正对象');
    expect(tree).not.toContain('特殊人群');
    await noOverflow(page);
    await shot(page, 'register-focus-groups-community-phone');
    await page.goto(`/residents/${held!.residentId}`);
    const card = page.getByTestId('resident-tags');
    await card.getByText('暂无标签').waitFor();
    expect(await card.innerText()).not.toContain('矫正');
    expect(await page.getByTestId('resident-tag-special.corrections').count()).toBe(0);
    await noOverflow(page);
    await card.scrollIntoViewIfNeeded();
    await shot(page, 'register-resident-tags-community-phone');
    await context.close();

    const street = await newPage(e2e, DESKTOP);
    await staffLogin(street.page, 'demo.street_staff');
    await street.page.goto('/focus-groups');
    await expect.poll(() => street.page.getByTestId('focus-counts').innerText()).toContain('社区矫正对象');
    await street.page.goto(`/residents/${held!.residentId}`);
    await street.page.getByTestId('resident-tag-special.corrections').waitFor();
    expect(await street.page.getByTestId('resident-tags').innerText()).toContain('缓刑');
    await shot(street.page, 'register-corrections-street-desktop');
    await street.context.close();
  });

  it('exports masked by default, in clear only for a stated purpose, and audits both', async () => {
    const { context, page } = await openPhone(e2e);
    await staffLogin(page, 'demo.community_worker');
    await page.goto('/households');
    await page.getByTestId('export-button').click();
    const [masked] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-masked-xlsx').click(),
    ]);
    const rows = await sheetOf(masked);
    const idColumn = rows[0]!.indexOf('公民身份号码');
    expect(idColumn).toBeGreaterThanOrEqual(0);
    const ids = rows.slice(1).map((r) => String(r[idColumn] ?? ''));
    expect(ids.length).toBeGreaterThan(10);
    for (const id of ids) expect(id).toMatch(/^\d{6}\*{8}\d{3}[\dX]$/);

    // In clear: refused until a purpose is given, then every ID number whole.
    await page.getByTestId('export-button').click();
    await page.getByTestId('export-unmasked').click();
    await modalSettled(page);
    await page.getByTestId('export-confirm').click();
    await page.locator('.ant-modal:visible .ant-form-item-explain-error').first().waitFor();
    await shot(page, 'register-export-purpose-phone');
    await page.getByTestId('export-purpose').fill('核对辖区户籍人口名单');
    const [clear] = await Promise.all([
      page.waitForEvent('download').catch(async (e: unknown) => {
        await shot(page, 'debug-export-clear', true);
        throw e;
      }),
      page.getByTestId('export-confirm').click(),
    ]);
    // Saved under the name the server gives, as the masked file is, not the fetched copy's random one.
    expect(clear.suggestedFilename()).toMatch(/^residents-\d{4}-\d\d-\d\d\.xlsx$/);
    const clearRows = await sheetOf(clear);
    const clearIds = clearRows.slice(1).map((r) => String(r[idColumn] ?? ''));
    expect(clearIds).toHaveLength(ids.length);
    for (const id of clearIds) expect(parseIdNumber(id).ok, id).toBe(true);
    await context.close();

    const auditor = await newPage(e2e, DESKTOP);
    await staffLogin(auditor.page, 'demo.auditor');
    await auditor.page.goto('/audit');
    const action = auditor.page
      .locator('input[data-testid="audit-action"], [data-testid="audit-action"] input')
      .first();
    for (const name of ['people.export', 'personal.export']) {
      await action.fill(name);
      await auditor.page.getByTestId('audit-search').click();
      const table = auditor.page.getByTestId('audit-table');
      await expect.poll(() => table.locator('tbody').innerText()).toContain(name);
      expect(await table.locator('tbody').innerText()).toContain('demo.community_worker');
    }
    await shot(auditor.page, 'register-audit-export-desktop');
    await auditor.context.close();
  });
});
