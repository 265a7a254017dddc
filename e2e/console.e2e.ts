/**
 * The newcomer's path in a real browser: demo accounts of several roles log in, see the menus their abilities allow,
 * stay inside their area, create an account, and switch language and large-text mode — at phone width, in zh-CN.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, startE2E, type E2E } from './harness';
import { dropdownsClosed, largeText, menuKeys, newPage, openPage, shot, staffLogin } from './helpers';

let e2e: E2E;

beforeAll(async () => {
  e2e = await startE2E();
});
afterAll(async () => e2e?.close());

describe('the web app', () => {
  it('shows a street worker its menu and only its own street', async () => {
    const { context, page } = await newPage(e2e, PHONE);
    await staffLogin(page, 'demo.street_staff');
    await shot(page, 'street-staff-home-phone');
    const keys = await menuKeys(page);
    expect(keys).toEqual(expect.arrayContaining(['home', 'areas', 'accounts', 'profile']));
    expect(keys).not.toContain('audit');
    expect(keys).not.toContain('sessions');
    await page.getByTestId('menu-areas').click();
    await page.getByTestId('area-tree').waitFor();
    // The tree starts at the worker's street (东风街道) and never shows the neighbouring 延安街道.
    await expect.poll(() => page.getByTestId('area-tree').innerText()).toContain('东风街道');
    expect(await page.getByTestId('area-tree').innerText()).not.toContain('延安街道');
    await shot(page, 'street-staff-areas-phone');
    // The API agrees: a community of the neighbouring street is out of reach.
    const sibling = await page.request.get('/api/areas/340302002001');
    expect([403, 404]).toContain(sibling.status());
    await context.close();
  });

  it('keeps a grid worker out of the neighbouring grid, in the API and the menu', async () => {
    const { context, page } = await newPage(e2e, PHONE);
    await staffLogin(page, 'demo.grid_worker');
    const keys = await menuKeys(page);
    expect(keys).toContain('areas');
    expect(keys).not.toContain('accounts');
    expect(keys).not.toContain('audit');
    const me = (await (await page.request.get('/api/me')).json()) as {
      assignments: { role: string; areaCode: string }[];
    };
    const own = me.assignments.find((a) => a.role === 'grid_worker')!.areaCode;
    const siblingCode = `${own.slice(0, 12)}${String(Number(own.slice(12)) + 1).padStart(3, '0')}`;
    expect((await page.request.get(`/api/areas/${own}`)).status()).toBe(200);
    expect([403, 404]).toContain((await page.request.get(`/api/areas/${siblingCode}`)).status());
    await context.close();
  });

  it('gives the auditor the audit log and nothing else', async () => {
    const { context, page } = await newPage(e2e, DESKTOP);
    await staffLogin(page, 'demo.auditor');
    const keys = await menuKeys(page);
    expect(keys).toContain('audit');
    expect(keys).not.toContain('accounts');
    expect(keys).not.toContain('areas');
    await page.getByTestId('menu-audit').click();
    await page.getByTestId('audit-table').waitFor();
    await expect.poll(() => page.getByTestId('audit-table').innerText()).toContain('auth.login');
    await page.getByTestId('audit-verify').click();
    await expect
      .poll(() => page.getByTestId('audit-verify-result').innerText())
      .toMatch(/完整|通过|intact|✓/);
    await shot(page, 'auditor-audit-desktop');
    await context.close();
  });

  it('lets the administrator create an account and shows its temporary password once', async () => {
    const { context, page } = await newPage(e2e, PHONE);
    await staffLogin(page, 'demo.admin');
    const keys = await menuKeys(page);
    expect(keys).toContain('accounts');
    expect(keys).not.toContain('audit');
    await page.getByTestId('menu-accounts').click();
    await page.getByTestId('accounts-create').click();
    await page.getByTestId('account-username').fill('e2e.leader');
    await page.getByTestId('account-display-name').fill('测试领导');
    // The form opens with one assignment row.
    if (!(await page.getByTestId('assignment-role-0').isVisible()))
      await page.getByTestId('account-add-assignment').click();
    await page.getByTestId('assignment-role-0').click();
    await page.locator('.ant-select-item-option').filter({ hasText: '领导/督查' }).click();
    await page.getByTestId('assignment-area-0').locator('.ant-select').click();
    await page.locator('.ant-select-tree-node-content-wrapper').filter({ hasText: '蚌埠市' }).first().click();
    await dropdownsClosed(page);
    await shot(page, 'admin-create-account-phone');
    await page.getByTestId('account-create-submit').click();
    const temp = page.getByTestId('temp-password');
    await temp.waitFor();
    const temporary = (await temp.innerText()).trim();
    expect(temporary.length).toBeGreaterThanOrEqual(12);
    await page.getByTestId('temp-password-close').click();
    const list = (await (await page.request.get('/api/accounts?q=e2e.leader')).json()) as {
      items: { username: string }[];
    };
    expect(list.items.map((a) => a.username)).toContain('e2e.leader');
    await context.close();

    // The new account's first login must change the temporary password before anything else.
    const first = await newPage(e2e, PHONE);
    await first.page.goto('/');
    await first.page.getByTestId('login-username').fill('e2e.leader');
    await first.page.getByTestId('login-password').fill(temporary);
    await first.page.getByTestId('login-submit').click();
    await first.page.getByTestId('forced-password-page').waitFor();
    await shot(first.page, 'forced-password-phone');
    await first.page.getByTestId('password-current').fill(temporary);
    await first.page.getByTestId('password-new').fill('Huaihe-River-2026');
    await first.page.getByTestId('password-confirm').fill('Huaihe-River-2026');
    await first.page.getByTestId('password-submit').click();
    await first.page.getByTestId('welcome-card').waitFor();
    await first.context.close();
  });

  it('lets the administrator issue an Open311 key once and revoke it, with large text on a phone', async () => {
    const { context, page } = await newPage(e2e, PHONE);
    await staffLogin(page, 'demo.admin');
    expect(await menuKeys(page)).toContain('apikeys');
    // The menu drawer opened to read the menu: a fresh page load closes it.
    await page.goto('/apikeys');
    await largeText(page);
    await page.getByTestId('apikeys-create').click();
    await page.getByTestId('apikey-name').fill('12345 热线平台');
    await page.getByTestId('apikey-area').locator('.ant-select').click();
    await page.locator('.ant-select-tree-node-content-wrapper').filter({ hasText: '蚌埠市' }).first().click();
    await dropdownsClosed(page);
    await page.getByTestId('apikey-create-submit').click();
    const keyText = page.getByTestId('apikey-new-key');
    await keyText.waitFor();
    const key = (await keyText.innerText()).trim();
    expect(key).toMatch(/^l311_/);
    await shot(page, 'admin-apikey-created-large-text-phone');
    await page.getByTestId('apikey-new-close').click();
    await keyText.waitFor({ state: 'detached' });
    // The key is shown once: the list keeps only its prefix.
    const list = (await (await page.request.get('/api/apikeys')).json()) as {
      items: { id: string; name: string; keyPrefix: string }[];
    };
    const created = list.items.find((k) => k.name === '12345 热线平台')!;
    expect(key.startsWith(created.keyPrefix)).toBe(true);
    expect(await page.locator('body').innerText()).not.toContain(key);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    expect((await page.getByTestId(`apikey-status-${created.id}`).innerText()).trim()).toBe('有效');
    await page.getByTestId(`apikey-revoke-${created.id}`).click();
    await page.getByTestId(`apikey-revoke-confirm-${created.id}`).click();
    await expect
      .poll(async () => (await page.getByTestId(`apikey-status-${created.id}`).innerText()).trim())
      .toBe('已吊销');
    expect(await page.getByTestId(`apikey-revoke-${created.id}`).count()).toBe(0);
    await context.close();
  });

  it('switches language and keeps large-text mode across reloads', async () => {
    const { context, page } = await newPage(e2e, PHONE);
    // The zh-TW and en catalogues are fetched only when chosen: a first load in zh-CN carries neither.
    const catalogues: string[] = [];
    page.on('request', (r) => {
      const m = /\/assets\/(en|zh-TW)-[\w-]+\.js$/.exec(new URL(r.url()).pathname);
      if (m) catalogues.push(m[1]!);
    });
    await staffLogin(page, 'demo.community_worker');
    expect(await page.locator('html').getAttribute('lang')).toMatch(/^zh/);
    const normalSize = await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
    await largeText(page);
    const largeSize = await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
    expect(largeSize).toBeGreaterThan(normalSize);
    await shot(page, 'community-worker-large-text-phone');
    await page.reload();
    await page.getByTestId('welcome-card').waitFor();
    expect(await page.evaluate(() => document.documentElement.classList.contains('large-text'))).toBe(true);
    expect(catalogues).toEqual([]);

    await page.getByTestId('lang-switch').click();
    await page.getByTestId('lang-en').click();
    await expect.poll(() => page.getByTestId('welcome-card').innerText()).toMatch(/[A-Za-z]{4,}/);
    const toggle = page.getByTestId('nav-toggle');
    if (await toggle.isVisible()) await toggle.click();
    // The menu item on screen (the menu may also keep a hidden copy of its items for measuring).
    await expect
      .poll(() => page.locator('[data-testid="menu-areas"]:visible').first().innerText())
      .toMatch(/Areas?/);
    await page.keyboard.press('Escape');
    await page.getByTestId('lang-switch').click();
    await page.getByTestId('lang-zh-TW').click();
    await expect.poll(() => page.locator('body').innerText()).toMatch(/區域|首頁/);
    expect(catalogues).toEqual(['en', 'zh-TW']);
    await shot(page, 'community-worker-zh-TW-phone');
    // A saved choice other than zh-CN is fetched before the app shows anything: no flash of zh-CN.
    await page.reload();
    await page.getByTestId('welcome-card').waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-TW');
    expect(await page.locator('body').innerText()).toMatch(/區域|首頁/);
    await context.close();
  });

  it("follows the device's reduced-motion setting", async () => {
    // Transitions take antd's motion durations: none at all when the device asks for reduced motion.
    const durationOf = async (reducedMotion: 'reduce' | 'no-preference') => {
      const { context, page } = await openPage(e2e, { reducedMotion });
      await page.goto('/login');
      const submit = page.getByTestId('login-submit');
      await submit.waitFor();
      const duration = await submit.evaluate((el) => getComputedStyle(el).transitionDuration);
      await context.close();
      return duration.split(',').map((d) => parseFloat(d));
    };
    expect(Math.max(...(await durationOf('no-preference')))).toBeGreaterThan(0);
    expect(Math.max(...(await durationOf('reduce')))).toBe(0);
  });

  it('loads its files compressed and keeps the hashed ones for good', async () => {
    // Straight from the server (openPage serves assets from disk to spare the rate limit).
    const context = await e2e.browser.newContext({ viewport: PHONE, locale: 'zh-CN', baseURL: e2e.baseUrl });
    const page = await context.newPage();
    const assets: { url: string; encoding: string | undefined; cache: string | undefined }[] = [];
    page.on('response', (res) => {
      const url = new URL(res.url());
      if (url.pathname.startsWith('/assets/') && /\.(js|css)$/.test(url.pathname))
        assets.push({
          url: url.pathname,
          encoding: res.headers()['content-encoding'],
          cache: res.headers()['cache-control'],
        });
    });
    const doc = await page.goto('/login');
    expect(doc?.headers()['content-encoding']).toBe('br');
    expect(doc?.headers()['cache-control']).toBe('no-cache');
    await page.getByTestId('login-submit').waitFor();
    expect(assets.length).toBeGreaterThan(0);
    for (const a of assets) {
      expect(a.encoding, a.url).toBe('br');
      expect(a.cache, a.url).toBe('public, max-age=31536000, immutable');
    }
    // The API's larger answers come compressed too.
    const api = await page.request.get('/api/openapi.json');
    expect(api.headers()['content-encoding']).toBe('br');
    expect((await api.json()).openapi).toBe('3.1.0');
    await context.close();
  });

  it('shows the resident a phone login with an SMS code', async () => {
    const { context, page } = await newPage(e2e, PHONE);
    await page.goto('/');
    await page.getByTestId('login-tab-resident').click();
    await page.getByTestId('resident-phone').fill('13912345678');
    await page.getByTestId('resident-send-code').click();
    await expect.poll(() => page.getByTestId('resident-send-code').innerText()).toMatch(/\d+/);
    await shot(page, 'resident-login-phone');
    await context.close();
  });
});
