/**
 * The resident's path on a phone (390×844): SMS login, report a case with a photo from the phone's location (inside
 * a demo grid's synthetic boundary), see it under 我的诉求, rate it once the staff closed it, find it on the public
 * tracking page without personal data; a report from a point outside every grid, placed by picking the community by
 * name instead; the inbox bell; the statistics dashboard with its charts; and one pass in large-text mode, where
 * refused location access offers the community search.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import sharp from 'sharp';
import type { BrowserContext, Page } from 'playwright-core';
import { cases } from '../server/modules/cases/tables';
import { DESKTOP, startE2E, type E2E } from './harness';
import {
  catchSms,
  gridCentre,
  largeText,
  openMenu,
  openPage,
  openPhone,
  overflowX,
  residentLogin as residentSignIn,
  shot,
  staffApi,
  staffLogin,
  type Sms,
  type StorageState,
} from './helpers';

let e2e: E2E;
let sms: Sms[] = [];

/** 东风社区第1网格 of the demo city: the phone stands in the middle of its seeded (synthetic) boundary. */
const GRID = '340302001001001';
const COMMUNITY = '340302001001';
let HERE = { latitude: 0, longitude: 0 };
/** 合肥, far from every demo grid. */
const NOWHERE = { latitude: 31.8206, longitude: 117.2272 };
const RESIDENT_PHONE = '13900005678';

beforeAll(async () => {
  e2e = await startE2E();
  // The login code arrives by "SMS": catch what the sender would send.
  sms = catchSms(e2e);
  // The demo seed drew the grid; stand in its middle.
  HERE = await gridCentre(e2e, GRID);
});
afterAll(async () => e2e?.close());

/** A phone; with a position, location access is granted and the phone stands there. */
function phoneContext(
  opts: { geolocation?: { latitude: number; longitude: number }; storageState?: StorageState } = {},
) {
  return openPhone(e2e, opts);
}

function residentLogin(page: Page, phone: string) {
  return residentSignIn(page, phone, sms);
}

let caseId = '';
/**
 * The first resident's phone, kept open from the first report to the second: every fresh page load costs some fifty
 * requests against the server's per-IP limit (600 a minute, static files included), and this file makes many.
 */
let residentPhone: { context: BrowserContext; page: Page } | null = null;
// The resident's signed-in browser state: a second SMS code for the same number within a minute is refused.
let residentState: StorageState | undefined;
let caseNumber = '';
const TITLE = '3栋楼下垃圾堆了三天';
const ADDRESS = '幸福小区3栋2单元门口';

describe('the resident on a phone', () => {
  it('reports a case with a photo from the phone and sees it under 我的诉求', async () => {
    const { context, page } = await phoneContext({ geolocation: HERE });
    await residentLogin(page, RESIDENT_PHONE);
    await shot(page, 'resident-home-phone');
    // The bell is in the header for every signed-in user.
    await expect.poll(() => page.getByTestId('inbox-bell').isVisible()).toBe(true);

    await page.getByTestId('resident-tile-report').click();
    await page.getByTestId('report-page').waitFor();
    await page.getByTestId('report-category-env').click();
    await page.getByTestId('report-category-env.garbage').click();
    await page.getByTestId('report-category-chosen').waitFor();
    await page.getByTestId('report-title').fill(TITLE);
    await page.getByTestId('report-description').fill('楼下垃圾桶满了没人清运，天热有异味，希望尽快清理。');
    await page.getByTestId('report-locate').click();
    await page.getByTestId('report-located').waitFor();
    await page.getByTestId('report-address').fill(ADDRESS);
    const png = await sharp({
      create: { width: 120, height: 90, channels: 3, background: { r: 15, g: 118, b: 110 } },
    })
      .png()
      .toBuffer();
    await page
      .getByTestId('photo-input')
      .setInputFiles({ name: 'garbage.png', mimeType: 'image/png', buffer: png });
    await expect.poll(() => page.getByTestId('photo-preview').count()).toBe(1);
    await page.getByTestId('report-callback-yes').click();
    await shot(page, 'resident-report-form-phone', true);

    await page.getByTestId('report-submit').click();
    await page.getByTestId('report-done').waitFor();
    caseNumber = (await page.getByTestId('report-number').innerText()).trim();
    expect(caseNumber).toMatch(/^\d{6}-\d{8}-\d{6}$/);
    expect(await page.getByTestId('report-photos-failed').count()).toBe(0);
    await shot(page, 'resident-report-done-phone');

    await page.getByTestId('report-open-case').click();
    await page.getByTestId('my-case-detail').waitFor();
    caseId = new URL(page.url()).pathname.split('/').pop()!;
    expect(await page.getByTestId('my-case-number').innerText()).toContain(caseNumber);
    // The point found the grid.
    const [placed] = await e2e.ctx.db
      .select({ areaCode: cases.areaCode })
      .from(cases)
      .where(eq(cases.id, caseId));
    expect(placed?.areaCode).toBe(GRID);
    // The photo went up and shows with the case.
    await page.getByTestId('my-case-photos').locator('img').first().waitFor();
    await shot(page, 'resident-case-detail-phone', true);

    await openMenu(page, 'myCases');
    await page.getByTestId('my-cases-list').waitFor();
    await page.getByTestId(`my-case-${caseNumber}`).waitFor();
    expect(await page.getByTestId(`my-case-${caseNumber}`).innerText()).toContain(TITLE);
    await shot(page, 'resident-my-cases-phone');

    await page.getByTestId('inbox-bell').click();
    await page.getByTestId('inbox-page').waitFor();
    await shot(page, 'resident-inbox-phone');
    residentState = await context.storageState();
    residentPhone = { context, page };
  });

  it('places a report outside every grid by picking the community by name', async () => {
    expect(residentPhone).not.toBeNull();
    const { context, page } = residentPhone!;
    // The same phone, somewhere no demo grid covers.
    await context.setGeolocation(NOWHERE);
    await openMenu(page, 'report');
    await page.getByTestId('report-page').waitFor();
    await page.getByTestId('report-category-env').click();
    await page.getByTestId('report-category-env.garbage').click();
    await page.getByTestId('report-title').fill('小区门口垃圾没人收');
    await page.getByTestId('report-description').fill('门口的垃圾两天没人收了。');
    await page.getByTestId('report-locate').click();
    await page.getByTestId('report-located').waitFor();
    await page.getByTestId('report-submit').click();
    // The server finds the point in no grid: the page says so in plain words and offers the community search.
    await page.getByTestId('report-location-outside').waitFor();
    await page.getByTestId('report-place-prompt').waitFor();
    expect(await page.getByTestId('report-error').innerText()).toContain('第 3 步');
    await page.getByTestId('report-place-search').fill('东风');
    const option = page.getByTestId(`report-place-option-${COMMUNITY}`);
    await option.waitFor();
    expect(await option.innerText()).toContain('东风社区居委会');
    expect(await option.innerText()).toContain('龙子湖区 东风街道');
    await shot(page, 'resident-report-pick-place-phone', true);
    await option.click();
    await page.getByTestId('report-place-chosen').waitFor();
    expect(await page.getByTestId('report-error').count()).toBe(0);
    expect(await overflowX(page)).toBeLessThanOrEqual(1);
    await page.getByTestId('report-submit').click();
    await page.getByTestId('report-done').waitFor();
    const number = (await page.getByTestId('report-number').innerText()).trim();
    // Sent as the community's code, without the point.
    const [placed] = await e2e.ctx.db
      .select({ areaCode: cases.areaCode, lat: cases.lat })
      .from(cases)
      .where(eq(cases.number, number));
    expect(placed).toEqual({ areaCode: COMMUNITY, lat: null });
    await page.getByTestId('report-open-case').click();
    await page.getByTestId('my-case-detail').waitFor();
    expect(await page.getByTestId('my-case-detail').innerText()).toContain('东风社区');
    await context.close();
  });

  it('rates the case once the community closed it, and gets told in the inbox', async () => {
    expect(caseId).not.toBe('');
    const community = await staffApi(e2e, 'demo.community_worker');
    const grid = await staffApi(e2e, 'demo.grid_worker');
    await community.act(caseId, { action: 'accept' });
    await community.act(caseId, { action: 'dispatch' });
    await community.act(caseId, { action: 'start' });
    await community.act(caseId, { action: 'handle', note: '已联系保洁公司清运' });
    await grid.act(caseId, { action: 'verify' });
    await community.act(caseId, { action: 'close' });
    await community.close();
    await grid.close();

    const { context, page } = await phoneContext({ storageState: residentState });
    await page.goto('/');
    await page.getByTestId('welcome-card').waitFor();
    // Accepted, handled and closed: the resident has unread news, and the bell says so.
    await expect.poll(() => page.getByTestId('inbox-bell').getAttribute('aria-label')).toMatch(/\d+ 条未读/);
    await page.getByTestId('inbox-bell').click();
    await page.getByTestId('inbox-list').waitFor();
    expect(await page.getByTestId('inbox-list').innerText()).toContain('已办结');
    await shot(page, 'resident-inbox-news-phone');
    // Clicking the closing notice opens the case.
    await page.locator('[data-testid^="inbox-item-"]').filter({ hasText: '请评价' }).first().click();
    await page.getByTestId('my-case-detail').waitFor();
    await page.getByTestId('rating-card').waitFor();
    await page.getByTestId('rating-satisfied').click();
    await page.getByTestId('rating-comment').fill('清理得很及时，谢谢！');
    await shot(page, 'resident-rate-phone', true);
    await page.getByTestId('rating-submit').click();
    await page.getByTestId('my-case-rated').waitFor();
    expect(await page.getByTestId('my-case-status').innerText()).toContain('已评价');
    await context.close();
  });

  it('finds the case on the public tracking page by number and phone, without personal data', async () => {
    expect(caseNumber).not.toBe('');
    const { context, page } = await phoneContext();
    await page.goto('/login');
    await page.getByTestId('login-track-link').click();
    await page.getByTestId('track-page').waitFor();

    // A wrong phone gets the same "not found" as a wrong number.
    await page.getByTestId('track-number-input').fill(caseNumber.replaceAll('-', ''));
    await page.getByTestId('track-phone4').fill('0000');
    await page.getByTestId('track-submit').click();
    await page.getByTestId('track-not-found').waitFor();

    await page.goto(`/track?number=${caseNumber}`);
    await expect.poll(() => page.getByTestId('track-number-input').inputValue()).toBe(caseNumber);
    await page.getByTestId('track-phone4').fill(RESIDENT_PHONE.slice(-4));
    await page.getByTestId('track-submit').click();
    await page.getByTestId('track-result').waitFor();
    const text = await page.getByTestId('track-result').innerText();
    expect(text).toContain(caseNumber);
    expect(text).toContain('垃圾堆放');
    expect(text).toMatch(/已办结|已评价/);
    // Never the reporter's phone, the text, the address or anyone's name.
    const whole = await page.locator('body').innerText();
    for (const secret of [
      RESIDENT_PHONE,
      RESIDENT_PHONE.slice(0, 3) + '****',
      TITLE,
      ADDRESS,
      '居民5678',
      '演示',
    ])
      expect(whole).not.toContain(secret);
    await shot(page, 'track-result-phone', true);
    await context.close();
  });
});

describe('the statistics dashboard', () => {
  it('shows a leader the KPIs, charts and table of the city', async () => {
    const { context, page } = await openPage(e2e, { viewport: DESKTOP });
    await staffLogin(page, 'demo.leader');
    await openMenu(page, 'stats');
    await page.getByTestId('stats-page').waitFor();
    await page.getByTestId('stats-kpis').waitFor();
    await page.getByTestId('stats-chart-bar').locator('canvas').waitFor();
    await page.getByTestId('stats-chart-line').locator('canvas').waitFor();
    expect(await page.getByTestId('stats-kpi-total').innerText()).toMatch(/[1-9]/);
    const href = await page.getByTestId('stats-export').getAttribute('href');
    expect(href).toContain('/api/stats/cases.xlsx?by=area');
    const xlsx = await page.request.get(href!);
    expect(xlsx.status()).toBe(200);
    expect(xlsx.headers()['content-type']).toContain('spreadsheetml');
    await page.getByTestId('stats-by-category').click();
    await expect.poll(() => page.getByTestId('stats-table').innerText()).toContain('市容环境');
    await shot(page, 'stats-leader-desktop', true);
    await context.close();
  });

  it('fits a street worker’s phone', async () => {
    const { context, page } = await phoneContext();
    await staffLogin(page, 'demo.street_staff');
    await openMenu(page, 'stats');
    await page.getByTestId('stats-chart-bar').locator('canvas').waitFor();
    expect(await overflowX(page)).toBeLessThanOrEqual(1);
    await shot(page, 'stats-street-phone', true);
    await context.close();
  });
});

describe('large-text mode', () => {
  it('keeps the resident pages usable with large text', async () => {
    // No location access granted: the phone refuses, as many elderly users' phones do.
    const { context, page } = await phoneContext();
    await residentLogin(page, '13900001111');
    await largeText(page);
    await shot(page, 'resident-home-large-phone');
    await page.getByTestId('resident-tile-my-cases').click();
    await page.getByTestId('my-cases-empty').waitFor();
    await page.goto('/report');
    await page.getByTestId('report-category-noise').click();
    await page.getByTestId('report-category-noise.domestic').click();
    // The category's extra questions appear.
    await page.getByTestId('report-answer-timeOfDay').waitFor();
    // Submitting without location or text names what is missing instead of sending.
    await page.getByTestId('report-submit').click();
    await page.getByTestId('report-location-missing').waitFor();
    expect(await overflowX(page)).toBeLessThanOrEqual(1);
    await shot(page, 'resident-report-large-phone', true);
    // Location refused: the community search opens with plain words, and works in large text.
    await page.getByTestId('report-locate').click();
    await page.getByTestId('report-location-error').waitFor();
    await page.getByTestId('report-place-prompt').waitFor();
    await shot(page, 'resident-report-no-location-large-phone');
    await page.getByTestId('report-place-search').fill('东风社区');
    await page.getByTestId(`report-place-option-${COMMUNITY}`).click();
    await page.getByTestId('report-place-chosen').waitFor();
    expect(await page.getByTestId('report-location-missing').count()).toBe(0);
    expect(await overflowX(page)).toBeLessThanOrEqual(1);
    await shot(page, 'resident-report-place-large-phone', true);
    await page.goto('/track');
    await page.getByTestId('track-form').waitFor();
    await shot(page, 'track-large-phone');
    await context.close();
  });
});
