/**
 * A long work list in a real browser: a community worker with more cases waiting than one page holds still sees its
 * oldest, overdue cases (a page comes newest first) and the overdue count of the whole list, on the work list and on
 * the home page's card, in large text at phone width.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertCategory, placeCase, type PlacedCase } from '../server/modules/cases/test-fixtures';
import { WORK_LIMIT } from '../web/src/modules/cases/WorkListPage';
import { PHONE, startE2E, type E2E } from './harness';
import { largeText, newPage, overflowX, shot, staffApi, staffLogin } from './helpers';

let e2e: E2E;
const COMMUNITY = '340302001001';
const GRID = '340302001001001';

beforeAll(async () => {
  e2e = await startE2E();
});
afterAll(async () => e2e?.close());

describe('a work list longer than a page', () => {
  it('shows the oldest overdue cases and the whole list’s overdue count', async () => {
    const category = await insertCategory(e2e.ctx);
    const day = 86_400_000;
    // Taken in first, so the newest page leaves them out: two cases days past their deadline.
    const late: PlacedCase[] = [];
    for (const area of [COMMUNITY, GRID])
      late.push(
        await placeCase(e2e.ctx, category, area, {
          status: 'accepted',
          dueAt: new Date(Date.now() - 3 * day),
        }),
      );
    // Then more cases waiting to be accepted than the work list loads at once, all with time left.
    for (let i = 0; i < WORK_LIMIT + 5; i++)
      await placeCase(e2e.ctx, category, GRID, { dueAt: new Date(Date.now() + 2 * day) });

    const api = await staffApi(e2e, 'demo.community_worker');
    const newest = await api.get<{ total: number; items: { id: string }[] }>(
      `/api/cases?mine=true&limit=${WORK_LIMIT}`,
    );
    expect(newest.total).toBeGreaterThan(WORK_LIMIT);
    for (const c of late) expect(newest.items.map((i) => i.id)).not.toContain(c.id);
    const overdue = await api.get<{ total: number }>(`/api/cases?mine=true&overdue=true&limit=1`);
    expect(overdue.total).toBeGreaterThanOrEqual(late.length);
    await api.close();

    const { context, page } = await newPage(e2e, PHONE);
    await staffLogin(page, 'demo.community_worker');
    await largeText(page);
    await expect
      .poll(() => page.getByTestId('work-stat-overdue').innerText())
      .toContain(String(overdue.total));
    await page.goto('/work');
    await expect
      .poll(() => page.getByTestId('work-overdue-count').innerText())
      .toContain(String(overdue.total));
    for (const c of late) await page.getByTestId(`case-card-${c.number}`).first().waitFor();
    await page.getByTestId(`case-card-${late[0]!.number}`).first().scrollIntoViewIfNeeded();
    expect(await overflowX(page)).toBeLessThanOrEqual(1);
    await shot(page, 'cases-work-list-long-large-phone');
    await context.close();
  });
});
