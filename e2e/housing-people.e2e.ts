/**
 * Issue 4's remaining screens in the browser, zh-CN on a 390 px phone: the housing map over a configured tile server
 * (a tiny local one on 127.0.0.1, no network) and without one; moving a household in with the dwelling picker
 * (estate → building → unit → dwelling) from a member's card; and a resident's 我的家庭 with the focus-group tags
 * held about the household (his own sensitive tag with details, another member's sensitive tag absent).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { makeIdNumber } from '../common/id-number';
import { startE2E, type E2E } from './harness';
import {
  catchSms,
  largeText,
  modalSettled,
  openPhone,
  overflowX,
  residentLogin,
  shot,
  staffApi,
  staffLogin,
  type Sms,
  type StaffApi,
  DEMO_GRID,
  DEMO_HEAD_PHONE,
} from './helpers';

interface Building {
  id: string;
  name: string;
  estateName: string | null;
  lat: number | null;
  lng: number | null;
}
interface Household {
  id: string;
  number: string;
  headResidentId: string | null;
}

/** A tile server on 127.0.0.1: one generated PNG for every /tiles/{z}/{x}/{y}.png, and the paths asked for. */
async function startTileServer(): Promise<{ template: string; asked: string[]; close: () => Promise<void> }> {
  const png = await sharp({
    create: { width: 256, height: 256, channels: 3, background: { r: 200, g: 225, b: 205 } },
  })
    .png()
    .toBuffer();
  const asked: string[] = [];
  const server = http.createServer((req, res) => {
    asked.push(req.url ?? '');
    if (!/^\/tiles\/\d+\/\d+\/\d+\.png$/.test(req.url ?? '')) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': png.length }).end(png);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    template: `http://127.0.0.1:${port}/tiles/{z}/{x}/{y}.png`,
    asked,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let tiles: Awaited<ReturnType<typeof startTileServer>>;
let e2e: E2E;
let sms: Sms[];
let community: StaffApi;

beforeAll(async () => {
  tiles = await startTileServer();
  e2e = await startE2E({ mapTileUrl: tiles.template, mapTileAttribution: '© 本地测试底图' });
  sms = catchSms(e2e);
  community = await staffApi(e2e, 'demo.community_worker');
});
afterAll(async () => {
  await community?.close();
  await e2e?.close();
  await tiles?.close();
});

async function noOverflow(page: Page) {
  expect(await overflowX(page)).toBeLessThanOrEqual(1);
}

/** Opens an antd select by its test id, types to filter, and clicks the option with exactly this label. */
async function choose(page: Page, testId: string, label: string) {
  await page.getByTestId(testId).click();
  await page.keyboard.type(label);
  await page.locator(`.ant-select-dropdown:visible .ant-select-item-option[title="${label}"]`).click();
}

describe('the housing map', () => {
  it('draws the configured tiles under the buildings, in the same projection', async () => {
    const { context, page } = await openPhone(e2e);
    await staffLogin(page, 'demo.grid_worker');
    await page.goto(`/housing/map?grid=${DEMO_GRID}`);
    await page.getByTestId('housing-map-tiles').waitFor();
    const hrefs = await page
      .getByTestId('housing-map-tile')
      .evaluateAll((els) => els.map((el) => el.getAttribute('href') ?? ''));
    expect(hrefs.length).toBeGreaterThan(0);
    const prefix = tiles.template.slice(0, tiles.template.indexOf('{z}'));
    for (const h of hrefs)
      expect(h).toMatch(new RegExp(`^${prefix.replace(/[.]/g, '\\.')}\\d+/\\d+/\\d+\\.png$`));
    // The browser loaded them from the tile server (the page's Content-Security-Policy lets it).
    await expect.poll(() => tiles.asked.filter((p) => p.startsWith('/tiles/')).length).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('housing-map-attribution').innerText()).toBe('© 本地测试底图');

    // Each building's square sits on the tile that holds its point (slippy-map x/y at the tiles' zoom).
    const buildings = await community.get<{ items: Building[] }>(`/api/buildings?area=${DEMO_GRID}&limit=50`);
    const located = buildings.items.filter((b) => b.lat !== null && b.lng !== null);
    expect(located.length, 'the demo places buildings on the map').toBeGreaterThan(0);
    const z = Number(/\/tiles\/(\d+)\//.exec(hrefs[0]!)![1]);
    for (const b of located) {
      const n = 2 ** z;
      const tx = Math.floor(((b.lng! + 180) / 360) * n);
      const rad = (b.lat! * Math.PI) / 180;
      const ty = Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n);
      const href = tiles.template
        .replace('{z}', String(z))
        .replace('{x}', String(tx))
        .replace('{y}', String(ty));
      const onTile = await page.evaluate(
        ({ id, href }) => {
          const tile = [...document.querySelectorAll('[data-testid="housing-map-tile"]')].find(
            (el) => el.getAttribute('href') === href,
          );
          const mark = document.querySelector(`[data-testid="map-building-${id}"] rect`);
          if (!tile || !mark) return false;
          const [x, y, s] = ['x', 'y', 'width'].map((a) => Number(tile.getAttribute(a)));
          const cx = Number(mark.getAttribute('x')) + 10;
          const cy = Number(mark.getAttribute('y')) + 10;
          return cx >= x! && cx <= x! + s! && cy >= y! && cy <= y! + s!;
        },
        { id: b.id, href },
      );
      expect(onTile, `${b.name} lies on tile ${z}/${tx}/${ty}`).toBe(true);
    }
    await page.getByTestId('housing-map-boundary').waitFor();
    await noOverflow(page);
    await shot(page, 'housing-map-tiles-phone', true);
    await context.close();
  });

  it('still draws the map from the data alone when no tile server is configured', async () => {
    // The setting is read per request: the server answers as if started without LINLI_MAP_TILE_URL.
    const saved = e2e.ctx.config.mapTileUrl;
    e2e.ctx.config.mapTileUrl = null;
    try {
      const { context, page } = await openPhone(e2e);
      await staffLogin(page, 'demo.grid_worker');
      await page.goto(`/housing/map?grid=${DEMO_GRID}`);
      await page.getByTestId('housing-map-boundary').waitFor();
      await expect.poll(() => page.locator('[data-testid^="map-building-"]').count()).toBeGreaterThan(0);
      expect(await page.getByTestId('housing-map-tiles').count()).toBe(0);
      expect(await page.getByTestId('housing-map-attribution').count()).toBe(0);
      await shot(page, 'housing-map-no-tiles-phone', true);
      await context.close();
    } finally {
      e2e.ctx.config.mapTileUrl = saved;
    }
  });
});

describe('moving in with the dwelling picker', () => {
  it('moves a member’s household into a dwelling picked estate → building → unit → dwelling, on a phone', async () => {
    // A new household in the grid, living nowhere yet, with one member.
    const h = await community.post('/api/households', {
      number: 'E2E-PICK-1',
      type: 'family',
      areaCode: DEMO_GRID,
    });
    expect([200, 201], JSON.stringify(h.body)).toContain(h.status);
    const householdId = (h.body as { id: string }).id;
    const r = await community.post('/api/residents', {
      name: '冯迁入',
      idNumber: makeIdNumber('340302', '1978-06-12', 531),
      residenceType: 'registered',
      householdId,
      relation: 'head',
    });
    expect([200, 201], JSON.stringify(r.body)).toContain(r.status);
    const residentId = (r.body as { id: string }).id;

    // A dwelling of the grid in an estate that no household lives in.
    const buildings = await community.get<{ items: Building[] }>(`/api/buildings?area=${DEMO_GRID}&limit=50`);
    let target: { estate: string; building: string; unit: string; door: string; label: string } | null = null;
    for (const b of buildings.items.filter((x) => x.estateName)) {
      const detail = await community.get<{ units: { id: string; number: string; name: string | null }[] }>(
        `/api/buildings/${b.id}`,
      );
      for (const u of detail.units) {
        const unit = await community.get<{ dwellings: { id: string; number: string; label: string }[] }>(
          `/api/units/${u.id}`,
        );
        for (const d of unit.dwellings) {
          const hs = await community.get<{ total: number }>(`/api/households?dwellingId=${d.id}`);
          if (hs.total === 0) {
            target = {
              estate: b.estateName!,
              building: b.name,
              unit: u.name ?? `${u.number}单元`,
              door: d.number,
              label: d.label,
            };
            break;
          }
        }
        if (target) break;
      }
      if (target) break;
    }
    expect(target, 'a dwelling without a household').not.toBeNull();

    const { context, page } = await openPhone(e2e);
    await staffLogin(page, 'demo.community_worker');
    await largeText(page);
    await page.goto(`/residents/${residentId}`);
    await page.getByTestId('resident-card').waitFor();
    await page.getByTestId('resident-move-in').click();
    await modalSettled(page);
    await choose(page, 'picker-estate', target!.estate);
    await choose(page, 'picker-building', target!.building);
    await choose(page, 'picker-unit', target!.unit);
    await page.getByTestId('picker-dwelling').click();
    await page.keyboard.type(target!.door);
    await page
      .locator('.ant-select-dropdown:visible .ant-select-item-option')
      .filter({ hasText: new RegExp(`^${target!.door}（`) })
      .click();
    await expect.poll(() => page.getByTestId('picker-chosen').innerText()).toContain(target!.label);
    await noOverflow(page);
    await shot(page, 'population-move-in-picker-large-phone');
    await page
      .locator('.ant-modal:visible')
      .getByRole('button', { name: /确\s?定|OK/ })
      .click();
    await page.getByTestId('move-in-modal').waitFor({ state: 'detached' });
    // The dwelling is in the resident's history now, and the move is in the timeline.
    await expect.poll(() => page.getByText(target!.label).count()).toBeGreaterThan(0);
    expect(await page.getByTestId('resident-move-in').count()).toBe(0);
    const card = await community.get<{ dwellings: { label: string; toDate: string | null }[] }>(
      `/api/residents/${residentId}`,
    );
    expect(card.dwellings).toEqual([expect.objectContaining({ label: target!.label, toDate: null })]);
    await noOverflow(page);
    await shot(page, 'population-moved-in-large-phone', true);
    await context.close();
  });
});

describe('moving in from the household card', () => {
  it('fills the picker from the dwelling the card was opened for, and moves the household there', async () => {
    const h = await community.post('/api/households', {
      number: 'E2E-PICK-2',
      type: 'family',
      areaCode: DEMO_GRID,
    });
    expect([200, 201], JSON.stringify(h.body)).toContain(h.status);
    const householdId = (h.body as { id: string }).id;
    // A dwelling of the grid that no household lives in (the first one found).
    const buildings = await community.get<{ items: Building[] }>(`/api/buildings?area=${DEMO_GRID}&limit=50`);
    let dwelling: { id: string; label: string } | null = null;
    for (const b of buildings.items) {
      const detail = await community.get<{ units: { id: string }[] }>(`/api/buildings/${b.id}`);
      for (const u of detail.units) {
        const unit = await community.get<{ dwellings: { id: string; label: string }[] }>(
          `/api/units/${u.id}`,
        );
        for (const d of unit.dwellings)
          if ((await community.get<{ total: number }>(`/api/households?dwellingId=${d.id}`)).total === 0) {
            dwelling = d;
            break;
          }
        if (dwelling) break;
      }
      if (dwelling) break;
    }
    expect(dwelling, 'a dwelling without a household').not.toBeNull();

    const { context, page } = await openPhone(e2e);
    await staffLogin(page, 'demo.community_worker');
    await page.goto(`/households/${householdId}?dwellingId=${dwelling!.id}`);
    await page.getByTestId('household-card').waitFor();
    await page.getByTestId('move-in').click();
    await modalSettled(page);
    await expect.poll(() => page.getByTestId('picker-chosen').innerText()).toContain(dwelling!.label);
    await shot(page, 'population-move-in-prefilled-phone');
    await page
      .locator('.ant-modal:visible')
      .getByRole('button', { name: /确\s?定|OK/ })
      .click();
    await expect.poll(() => page.getByTestId('household-card').innerText()).toContain(dwelling!.label);
    expect(await page.getByTestId('move-out').count()).toBe(1);
    await context.close();
  });
});

describe("the resident's own household", () => {
  it('shows the tags held about the household: all of his own with details, of the others only ordinary ones', async () => {
    const h = (
      await community.get<{ items: Household[] }>(`/api/households?areaCode=${DEMO_GRID}&limit=50`)
    ).items.find((x) => x.number === '1001')!;
    const card = await community.get<{ members: { id: string; name: string; toDate: string | null }[] }>(
      `/api/households/${h.id}`,
    );
    const other = card.members.find((m) => m.id !== h.headResidentId && !m.toDate)!;
    const tagList = await community.get<{ items: { id: string; code: string }[] }>('/api/tags');
    const tagId = (code: string) => tagList.items.find((t) => t.code === code)!.id;
    const tag = async (residentId: string, code: string, details?: Record<string, string | number>) => {
      const res = await community.post(`/api/residents/${residentId}/focus-tags`, {
        tagId: tagId(code),
        ...(details ? { details } : {}),
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    };
    await tag(h.headResidentId!, 'hardship.dibao', { certificate: 'DB-E2E-0042', amount: 760 });
    await tag(other.id, 'disabled', { kind: '听力', grade: '二级', certificate: 'CJ-E2E-SECRET' });
    await tag(other.id, 'elderly.empty_nest');

    const { context, page } = await openPhone(e2e);
    await residentLogin(page, DEMO_HEAD_PHONE, sms);
    await largeText(page);
    await page.getByTestId('resident-tile-my-household').click();
    await page.getByTestId('my-household').waitFor();
    const mine = page.getByTestId('my-member').filter({ hasText: '本人' });
    const theirs = page.getByTestId('my-member').filter({ hasText: other.name });
    await expect.poll(() => mine.locator('[data-code="hardship.dibao"]').innerText()).toContain('低保户');
    const details = await mine.locator('[data-code="hardship.dibao"]').innerText();
    expect(details).toContain('低保证号：DB-E2E-0042');
    expect(details).toContain('敏感');
    expect(await theirs.locator('[data-code="elderly.empty_nest"]').innerText()).toContain('空巢老人');
    expect(await theirs.locator('[data-code="disabled"]').count()).toBe(0);
    const text = await page.getByTestId('my-household-page').innerText();
    expect(text).not.toContain('CJ-E2E-SECRET');
    expect(text).not.toContain('残疾人');
    await noOverflow(page);
    await shot(page, 'population-my-household-tags-large-phone', true);
    await context.close();
  });
});

describe('the shared form dialog', () => {
  it('adds a visit rule through it and lists the rule (the visit rules page)', async () => {
    const { context, page } = await openPhone(e2e);
    await staffLogin(page, 'demo.community_worker');
    await page.goto('/visits/rules');
    await page.getByTestId('rule-add').click();
    await modalSettled(page);
    const modal = page.locator('.ant-modal:visible');
    // OK without an area: the form says what is missing and stays open.
    await modal.getByRole('button', { name: /确\s?定|OK/ }).click();
    await modal.locator('.ant-form-item-explain-error').first().waitFor();
    await modal.locator('.ant-select').first().click();
    await page.locator('.ant-select-dropdown:visible .ant-select-tree-node-content-wrapper').first().click();
    await modal.locator('.ant-input-number-input').fill('45');
    await modal.getByRole('button', { name: /确\s?定|OK/ }).click();
    await expect.poll(() => modal.count()).toBe(0);
    await expect
      .poll(() => page.getByTestId('rule-item').allInnerTexts())
      .toContainEqual(expect.stringContaining('45'));
    await noOverflow(page);
    await shot(page, 'visits-rules-added-phone', true);
    await context.close();
  });
});
