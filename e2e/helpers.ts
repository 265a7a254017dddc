/**
 * Page-level helpers the browser tests share: phones and pages with their own cookies, logins (staff by password,
 * residents by SMS code), the menu, the case action dialog, screenshots, large text, and staff acting through the API.
 */
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { expect } from 'vitest';
import type { APIRequestContext, BrowserContext, Page } from 'playwright-core';
import { WEB_DIST } from '../server/http/app';
import { areas } from '../server/modules/areas/tables';
import { DEMO_PASSWORD, PHONE, SHOTS_DIR, type E2E } from './harness';

export type StorageState = Awaited<ReturnType<BrowserContext['storageState']>>;

export interface PageOptions {
  viewport?: { width: number; height: number };
  locale?: string;
  /** A phone: touch and the mobile viewport behaviour. */
  mobile?: boolean;
  /** Location access granted, the device standing there. */
  geolocation?: { latitude: number; longitude: number };
  /** Cookies and localStorage of an earlier context (a user still signed in). */
  storageState?: StorageState;
  /** The browser's time zone (the machine's unless told). */
  timezoneId?: string;
  /**
   * The device's motion preference. Pages ask for reduced motion unless told, which the app follows by showing
   * antd's dropdowns, modals and drawers at once: a click never lands on an option still sliding in.
   */
  reducedMotion?: 'reduce' | 'no-preference';
}

/**
 * A fresh browser context (own cookies and localStorage) and a page in it. Hashed static assets come straight from
 * web/dist: every page load fetches some forty chunks, and the server allows 600 requests a minute from one address.
 */
export async function openPage(
  e2e: E2E,
  opts: PageOptions = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await e2e.browser.newContext({
    ...(opts.storageState ? { storageState: opts.storageState } : {}),
    viewport: opts.viewport ?? PHONE,
    locale: opts.locale ?? 'zh-CN',
    baseURL: e2e.baseUrl,
    ...(opts.mobile ? { isMobile: true, hasTouch: true } : {}),
    ...(opts.timezoneId ? { timezoneId: opts.timezoneId } : {}),
    reducedMotion: opts.reducedMotion ?? 'reduce',
  });
  await context.route(/\/assets\//, (route) =>
    route.fulfill({ path: path.join(WEB_DIST, new URL(route.request().url()).pathname) }),
  );
  if (opts.geolocation) {
    await context.grantPermissions(['geolocation'], { origin: e2e.baseUrl });
    await context.setGeolocation(opts.geolocation);
  }
  return { context, page: await context.newPage() };
}

/** A fresh context and page at a viewport size and UI language (no touch: a narrow desktop window). */
export function newPage(e2e: E2E, viewport = PHONE, locale = 'zh-CN') {
  return openPage(e2e, { viewport, locale });
}

/** A phone (390×844, touch, zh-CN unless told otherwise). */
export function openPhone(e2e: E2E, opts: Omit<PageOptions, 'viewport' | 'mobile'> = {}) {
  return openPage(e2e, { ...opts, viewport: PHONE, mobile: true });
}

/** Signs a staff account in with the demo password and waits for the home page. */
export async function staffLogin(page: Page, username: string): Promise<void> {
  await page.goto('/login');
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(DEMO_PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('welcome-card').waitFor();
}

/** An SMS sent by the server (login codes), as the test's stand-in sender caught it. */
export interface Sms {
  phone: string;
  text: string;
}

/** Replaces the server's SMS sender with one that keeps every message in the returned list. */
export function catchSms(e2e: E2E): Sms[] {
  const sent: Sms[] = [];
  e2e.ctx.sms = {
    send: async (phone, text) => {
      sent.push({ phone, text });
    },
  };
  return sent;
}

/** Signs a resident in by phone number and the SMS code the server sent (caught by catchSms). */
export async function residentLogin(page: Page, phone: string, sms: Sms[]): Promise<void> {
  await page.goto('/login');
  await page.getByTestId('login-tab-resident').click();
  await page.getByTestId('resident-phone').fill(phone);
  const before = sms.length;
  await page.getByTestId('resident-send-code').click();
  await expect.poll(() => sms.slice(before).some((m) => m.phone === phone)).toBe(true);
  const code = /(\d{6})/.exec(sms.slice(before).find((m) => m.phone === phone)!.text)![1]!;
  await page.getByTestId('resident-code').fill(code);
  await page.getByTestId('resident-submit').click();
  await page.getByTestId('welcome-card').waitFor();
}

/** Saves a screenshot under e2e/screenshots; a full-page one draws the sticky header once, at the top. */
export async function shot(page: Page, name: string, fullPage = false): Promise<void> {
  const style = fullPage
    ? await page.addStyleTag({ content: '.shell-header{position:static!important}' })
    : null;
  await page.screenshot({ path: path.join(SHOTS_DIR, `${name}.png`), fullPage });
  await style?.evaluate((el) => (el as Element).remove());
}

/**
 * The keys of the menu entries the user is shown, opening the drawer on a phone. The drawer stays open (to click an
 * entry next) unless `close` is set.
 */
export async function menuKeys(page: Page, opts: { close?: boolean } = {}): Promise<string[]> {
  const toggle = page.getByTestId('nav-toggle');
  if (await toggle.isVisible()) await toggle.click();
  const items = page.locator('[data-testid^="menu-"]:visible');
  await items.first().waitFor();
  const ids = await items.evaluateAll((els) => els.map((el) => el.getAttribute('data-testid') ?? ''));
  if (opts.close && (await toggle.isVisible())) await page.keyboard.press('Escape');
  return [...new Set(ids.map((id) => id.replace(/^menu-/, '')))].sort();
}

/** Opens a menu entry, through the drawer on a phone. */
export async function openMenu(page: Page, key: string): Promise<void> {
  const toggle = page.getByTestId('nav-toggle');
  if (await toggle.isVisible()) await toggle.click();
  await page.locator(`[data-testid="menu-${key}"]:visible`).first().click();
}

/** Turns large-text mode on and waits until the page shows it. */
export async function largeText(page: Page): Promise<void> {
  await page.getByTestId('large-text-toggle').click();
  await expect
    .poll(() => page.evaluate(() => document.documentElement.classList.contains('large-text')))
    .toBe(true);
}

/** How far the page is wider than the window (0 or 1 on a page that fits a phone). */
export function overflowX(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

/**
 * Waits until no modal is zooming: a click on a modal still moving can land beside its button. Pages ask for reduced
 * motion (openPage), so a modal normally shows at once; a page that does not gets its motion classes waited out.
 */
export async function modalSettled(page: Page): Promise<void> {
  await expect.poll(() => page.locator('.ant-modal[class*="-zoom-"]').count()).toBe(0);
}

/** Opens an action's form on the staff case page, lets `fill` fill it, submits, and waits for the form to close. */
export async function act(page: Page, action: string, fill?: () => Promise<void>): Promise<void> {
  await page
    .getByTestId(`case-action-${action}`)
    .click({ timeout: 10_000 })
    .catch(async (e: unknown) => {
      await shot(page, `debug-${action}`, true);
      throw e;
    });
  await page.getByTestId('action-form').waitFor();
  await modalSettled(page);
  if (fill) await fill();
  await page.getByTestId('action-submit').click();
  await page
    .getByTestId('action-form')
    .waitFor({ state: 'detached', timeout: 15_000 })
    .catch(async (e: unknown) => {
      await shot(page, `debug-${action}-submit`, true);
      throw e;
    });
}

/** The status the case page's head shows (its machine name). */
export async function statusOf(page: Page): Promise<string> {
  return (await page.getByTestId('case-head').locator('.case-status').getAttribute('data-status')) ?? '';
}

/** Waits until no select or tree-select list is open (a single choice closes its list once picked). */
export async function dropdownsClosed(page: Page): Promise<void> {
  await expect.poll(() => page.locator('.ant-select-dropdown:visible').count()).toBe(0);
}

/**
 * Picks the one option of an open antd Select after typing into its search: the list is filtered first, so the
 * click lands on the option meant even while the list still settles.
 */
export async function pickOption(page: Page, typed: string, text = typed): Promise<void> {
  await page.keyboard.type(typed);
  const options = page.locator('.ant-select-dropdown:visible .ant-select-item-option');
  await expect.poll(() => options.count()).toBe(1);
  await options.filter({ hasText: text }).click();
}

/** The middle of a grid's seeded (synthetic) boundary, where a phone can stand inside it. */
export async function gridCentre(e2e: E2E, code: string): Promise<{ latitude: number; longitude: number }> {
  const [row] = await e2e.ctx.db.select({ boundary: areas.boundary }).from(areas).where(eq(areas.code, code));
  const ring = (row?.boundary as { coordinates: [number, number][][] } | null)?.coordinates[0];
  expect(ring, 'the demo seed gives the grid a boundary').toBeTruthy();
  const xs = ring!.map((p) => p[0]);
  const ys = ring!.map((p) => p[1]);
  return {
    latitude: (Math.min(...ys) + Math.max(...ys)) / 2,
    longitude: (Math.min(...xs) + Math.max(...xs)) / 2,
  };
}

/** A staff member working through the API (cookie + CSRF), to set up or move cases between the screens' steps. */
export interface StaffApi {
  request: APIRequestContext;
  csrf: string;
  /** Takes an action at the case's current version; expects 200. */
  act(caseId: string, body: Record<string, unknown>): Promise<void>;
  /** POSTs JSON with the CSRF header; answers status and body. */
  post(url: string, data: unknown): Promise<{ status: number; body: unknown }>;
  /** GETs JSON (expects 200). */
  get<T>(url: string): Promise<T>;
  close(): Promise<void>;
}

/** Signs a demo staff account in through the API, in a context of its own. */
export async function staffApi(e2e: E2E, username: string): Promise<StaffApi> {
  const context = await e2e.browser.newContext({ baseURL: e2e.baseUrl });
  const request = context.request;
  const login = await request.post('/api/auth/login', { data: { username, password: DEMO_PASSWORD } });
  expect(login.status(), `${username} logs in`).toBe(200);
  const me = (await (await request.get('/api/me')).json()) as { csrfToken: string };
  const get = async <T>(url: string): Promise<T> => {
    const res = await request.get(url);
    expect(res.status(), `GET ${url}`).toBe(200);
    return (await res.json()) as T;
  };
  return {
    request,
    csrf: me.csrfToken,
    async act(caseId, body) {
      const c = await get<{ version: number }>(`/api/cases/${caseId}`);
      const res = await request.post(`/api/cases/${caseId}/actions`, {
        data: { ...body, version: c.version },
        headers: { 'X-CSRF-Token': me.csrfToken },
      });
      expect(res.status(), `${username} ${String(body.action)}: ${await res.text()}`).toBe(200);
    },
    async post(url, data) {
      const res = await request.post(url, { data, headers: { 'X-CSRF-Token': me.csrfToken } });
      return { status: res.status(), body: await res.json().catch(() => null) };
    },
    get,
    close: () => context.close(),
  };
}

/** The demo grid worker's grid, 东风社区第1网格 of the demo city. */
export const DEMO_GRID = '340302001001001';
/** The phone the demo seed gives 王建国, head of household 1001 in the demo grid (he signs in as a resident). */
export const DEMO_HEAD_PHONE = '13905521001';
