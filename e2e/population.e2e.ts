/**
 * The population register in the browser, zh-CN on phones: a grid worker drills building → unit → dwelling →
 * household → person in large-text mode and is refused a building of the neighbouring grid; a street worker of
 * another street sees none of this street's residents; a community worker shows a masked phone number for a stated
 * purpose (countdown), the auditor finds the reveal in the audit log and the resident sees it on 我的家庭; a
 * community worker enters a household and a resident, told the ID number's check digit is wrong first.
 */
import { and, asc, eq, like, ne } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { areaPath } from '../common/area-code';
import { makeIdNumber } from '../common/id-number';
import { createAccount } from '../server/modules/accounts/service';
import { areas } from '../server/modules/areas/tables';
import { DEMO_DISTRICT, DEMO_STREET } from '../server/modules/demo/seed';
import { DESKTOP, startE2E, type E2E } from './harness';
import {
  catchSms,
  largeText,
  modalSettled,
  newPage,
  openMenu,
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

/** The grid beside the demo grid (东风社区第2网格). */
const NEIGHBOUR_GRID = '340302001001002';

interface Household {
  id: string;
  number: string;
  dwellingId: string | null;
  dwellingLabel: string | null;
  headResidentId: string | null;
  headName: string | null;
}
interface Building {
  id: string;
  name: string;
}

let e2e: E2E;
let sms: Sms[];
let community: StaffApi;

beforeAll(async () => {
  e2e = await startE2E();
  sms = catchSms(e2e);
  community = await staffApi(e2e, 'demo.community_worker');
});
afterAll(async () => {
  await community?.close();
  await e2e?.close();
});

/** The households of an area, as the community worker's API answers. */
async function householdsOf(area: string): Promise<Household[]> {
  return (await community.get<{ items: Household[] }>(`/api/households?areaCode=${area}&limit=50`)).items;
}

async function noOverflow(page: Page) {
  expect(await overflowX(page)).toBeLessThanOrEqual(1);
}

describe('the population register on the staff screens', () => {
  it('lets a grid worker drill from building to person on a phone, and not into the next grid', async () => {
    const h = (await householdsOf(DEMO_GRID)).find((x) => x.number === '1001')!;
    // 东风社区花园 2号楼 2单元 101: estate, building, unit, door.
    const [, buildingName, unitName, door] = h.dwellingLabel!.split(' ');
    const buildings = await community.get<{ items: Building[] }>(`/api/buildings?area=${DEMO_GRID}&limit=50`);
    const building = buildings.items.find((b) => b.name === buildingName)!;
    const { units } = await community.get<{ units: { id: string }[] }>(`/api/buildings/${building.id}`);
    let unitId = '';
    for (const u of units) {
      const detail = await community.get<{ dwellings: { id: string }[] }>(`/api/units/${u.id}`);
      if (detail.dwellings.some((d) => d.id === h.dwellingId)) unitId = u.id;
    }

    const { context, page } = await openPhone(e2e);
    await staffLogin(page, 'demo.grid_worker');
    await largeText(page);
    await openMenu(page, 'housing');
    await page.waitForURL(/\/housing$/);
    // A grid given in the address shows by its name in the area picker, not as a code.
    await page.goto(`/housing?area=${DEMO_GRID}`);
    await expect.poll(() => page.getByTestId('housing-area').innerText()).toContain('东风社区第1网格');
    await page.getByTestId(`building-${building.id}`).click();
    await page.getByTestId('floor-table').waitFor();
    await noOverflow(page);
    await shot(page, 'population-building-large-phone', true);
    await page.getByTestId('unit-tabs').getByText(unitName!, { exact: false }).click();
    // Every unit has a door 101: tap it only once the chosen unit's table is the one shown.
    await page.locator(`[data-testid="floor-table"][data-unit="${unitId}"]`).waitFor();
    await page.getByTestId(`dwelling-${door}`).click();
    await modalSettled(page);
    await shot(page, 'population-dwelling-large-phone');
    await page.getByTestId('dwelling-households').click();
    await page.getByTestId('households-list').getByText(`${h.number} · ${h.headName}`).click();
    await page.getByTestId('household-card').waitFor();
    await noOverflow(page);
    await shot(page, 'population-household-large-phone', true);
    await page.getByTestId('household-member').getByText(h.headName!, { exact: true }).click();
    await page.getByTestId('resident-card').waitFor();
    expect(await page.getByTestId('masked-idNumber').innerText()).toMatch(/^340302\*{8}\d{3}[\dX]$/);
    // A grid worker may read but not reveal: no 显示 button.
    expect(await page.getByTestId('reveal-idNumber').count()).toBe(0);
    await noOverflow(page);
    await shot(page, 'population-resident-large-phone', true);

    // A building of the neighbouring grid does not exist for this grid worker.
    const other = await community.get<{ items: Building[] }>(`/api/buildings?area=${NEIGHBOUR_GRID}&limit=1`);
    await page.goto(`/housing/buildings/${other.items[0]!.id}`);
    await page.getByTestId('error-not-found').or(page.getByTestId('error-forbidden')).waitFor();
    expect(await page.getByTestId('floor-table').count()).toBe(0);
    await context.close();
  });

  it("shows a street worker of another street none of this street's residents", async () => {
    const [otherStreet] = await e2e.ctx.db
      .select({ code: areas.code })
      .from(areas)
      .where(
        and(
          eq(areas.level, 'street'),
          like(areas.path, `${areaPath(DEMO_DISTRICT)}%`),
          ne(areas.code, DEMO_STREET),
        ),
      )
      .orderBy(asc(areas.code))
      .limit(1);
    await createAccount(e2e.ctx, null, {
      username: 'e2e.other_street',
      displayName: '邻街街道工作人员',
      password: e2e.ctx.config.demoPassword,
      homeAreaCode: otherStreet!.code,
      assignments: [{ role: 'street_staff', areaCode: otherStreet!.code }],
      mustChangePassword: false,
      demo: true,
      kind: 'staff',
    });
    const wang = (await householdsOf(DEMO_GRID)).find((x) => x.number === '1001')!;

    const { context, page } = await newPage(e2e, DESKTOP);
    await staffLogin(page, 'e2e.other_street');
    await page.goto('/households');
    await page.locator('.ant-empty').first().waitFor();
    expect(await page.getByTestId('households-list').count()).toBe(0);
    const api = await context.request.get(`/api/residents?q=${DEMO_HEAD_PHONE}`);
    expect(((await api.json()) as { total: number }).total).toBe(0);
    await page.goto(`/residents/${wang.headResidentId}`);
    await page.getByTestId('error-not-found').waitFor();
    await shot(page, 'population-other-street-desktop');
    await context.close();
  });

  it('reveals a phone number for a purpose, audited, and shown to the resident on 我的家庭', async () => {
    const wang = (await householdsOf(DEMO_GRID)).find((x) => x.number === '1001')!;
    const { context, page } = await openPhone(e2e);
    await staffLogin(page, 'demo.community_worker');
    await page.goto(`/residents/${wang.headResidentId}`);
    await page.getByTestId('resident-card').waitFor();
    expect(await page.getByTestId('masked-phone').innerText()).toBe('139****1001');
    expect(await page.getByTestId('masked-idNumber').innerText()).toContain('********');
    await page.getByTestId('reveal-phone').click();
    await modalSettled(page);
    const dialog = page.locator('.ant-modal:visible');
    await dialog.getByTestId('reveal-purpose').fill('通知参加老年人体检');
    await dialog.getByTestId('reveal-submit').click();
    await expect.poll(() => page.getByTestId('revealed-phone').innerText()).toBe(DEMO_HEAD_PHONE);
    await page.getByText(/\d+ 秒后隐藏/).waitFor();
    await shot(page, 'population-revealed-phone');
    await context.close();

    const auditor = await newPage(e2e, DESKTOP);
    await staffLogin(auditor.page, 'demo.auditor');
    await auditor.page.goto('/audit');
    await auditor.page
      .locator('input[data-testid="audit-action"], [data-testid="audit-action"] input')
      .first()
      .fill('personal.reveal');
    await auditor.page.getByTestId('audit-search').click();
    await expect
      .poll(() => auditor.page.getByTestId('audit-table').innerText())
      .toContain(`resident:${wang.headResidentId}`);
    await shot(auditor.page, 'population-audit-reveal-desktop');
    await auditor.context.close();

    const resident = await openPhone(e2e);
    await residentLogin(resident.page, DEMO_HEAD_PHONE, sms);
    await largeText(resident.page);
    await resident.page.getByTestId('resident-tile-my-household').click();
    await resident.page.getByTestId('my-household').waitFor();
    expect(await resident.page.getByTestId('my-member').count()).toBe(3);
    const reveal = resident.page.locator('[data-testid="my-access-item"][data-kind="reveal"]').first();
    await expect.poll(() => reveal.innerText()).toContain('社区工作者');
    expect(await reveal.innerText()).toContain('通知参加老年人体检');
    expect(await reveal.innerText()).toContain('手机号');
    expect(await resident.page.getByTestId('my-household-page').innerText()).not.toContain(DEMO_HEAD_PHONE);
    await noOverflow(resident.page);
    await shot(resident.page, 'population-my-household-large-phone', true);
    await resident.context.close();
  });

  it('enters a new household and a resident, naming the check-digit rule of a wrong ID number', async () => {
    // A dwelling of the grid that no household lives in.
    const buildings = await community.get<{ items: Building[] }>(`/api/buildings?area=${DEMO_GRID}&limit=50`);
    const detail = await community.get<{ units: { id: string }[] }>(
      `/api/buildings/${buildings.items[0]!.id}`,
    );
    const unit = await community.get<{ dwellings: { id: string; use: string }[] }>(
      `/api/units/${detail.units[0]!.id}`,
    );
    let dwellingId = '';
    for (const d of unit.dwellings.filter((x) => x.use === 'self_occupied')) {
      const hs = await community.get<{ total: number }>(`/api/households?dwellingId=${d.id}`);
      if (hs.total === 0) {
        dwellingId = d.id;
        break;
      }
    }
    expect(dwellingId, 'a self-occupied dwelling without a household').not.toBe('');

    const { context, page } = await openPhone(e2e);
    await staffLogin(page, 'demo.community_worker');
    await page.goto(`/households?dwellingId=${dwellingId}`);
    await page.getByTestId('household-create').click();
    await modalSettled(page);
    await page.getByTestId('household-number').fill('E2E-0301');
    await page
      .locator('.ant-modal:visible')
      .getByRole('button', { name: /保\s?存/ })
      .click();
    await page.getByTestId('household-card').waitFor();

    await page.getByTestId('member-add').click();
    await modalSettled(page);
    const valid = makeIdNumber('340302', '1985-03-08', 778);
    const wrong = valid.slice(0, 17) + (valid[17] === '1' ? '2' : '1');
    await page.getByTestId('resident-name').fill('孙晓梅');
    await page.getByTestId('resident-id').fill(wrong);
    const modal = page.locator('.ant-modal:visible');
    // The rule is named under the field, in words (not only a red border).
    await modal.locator('.ant-form-item-explain-error', { hasText: '校验码不正确' }).waitFor();
    await shot(page, 'population-id-check-digit-phone');
    await page.getByTestId('resident-id').fill(valid);
    await expect.poll(() => modal.innerText()).not.toContain('校验码不正确');
    await modal.getByRole('button', { name: /保\s?存/ }).click();
    await expect
      .poll(() => page.getByTestId('household-member').allInnerTexts())
      .toEqual([expect.stringContaining('孙晓梅')]);
    expect(await page.getByTestId('household-member').innerText()).toContain('户主');
    await noOverflow(page);
    await shot(page, 'population-new-household-phone', true);
    await context.close();
  });
});
