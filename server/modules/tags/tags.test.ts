import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../db/client';
import {
  FIXTURE,
  createStaff,
  login,
  seedFixtureAreas,
  startTestApp,
  type Session,
  type TestEnv,
} from '../../test/harness';
import { auditLog } from '../audit/tables';
import { residentDwellings } from '../people/tables';
import { insertResident, makeDwelling } from '../people/test-fixtures';
import { ensureDefaultTags } from './service';
import { residentTags, tags } from './tables';

type TagJson = {
  id: string;
  code: string;
  parentId: string | null;
  name: string;
  sensitivity: string;
  visibleRoles: string[];
  active: boolean;
  version: number;
  fields: { key: string; type: string }[];
};
type ResidentTagJson = {
  id: string;
  tagId: string;
  tagCode: string;
  details: Record<string, unknown>;
  fromDate: string;
  toDate: string | null;
};
type ErrorJson = { error: { code: string; details?: { field: string; rule: string }[] } };
type Counts = {
  areaCode: string;
  areas: { areaCode: string | null; areaName: string | null }[];
  rows: { tagId: string; counts: number[]; total: number }[];
};

let env: TestEnv;
const s: Record<string, Session> = {};
const byCode = new Map<string, TagJson>();
/** Clear detail values that must never be stored or logged as they are. */
const CERT = 'JZ-2024-00731';

/** Every clear ID and phone number of this file's residents: no answer may carry one. */
const clear = new Set<string>();

async function person(areaCode: string, opts: { name?: string } = {}) {
  const r = await insertResident(env.ctx, areaCode, opts);
  clear.add(r.idNumber);
  clear.add(r.phone);
  return r;
}

async function call(who: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) {
  const res = await env.app.inject({
    method,
    url,
    headers: s[who]!.headers,
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
  for (const secret of clear)
    expect(res.body, 'a clear ID or phone number in an answer').not.toContain(secret);
  return res;
}

const problems = (res: { json(): unknown }) =>
  ((res.json() as ErrorJson).error.details ?? []).map((d) => `${d.field}:${d.rule}`);

async function tree(who: string, query = ''): Promise<TagJson[]> {
  const res = await call(who, 'GET', `/api/tags${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { items: TagJson[] }).items;
}

async function tag(who: string, residentId: string, code: string, extra: Record<string, unknown> = {}) {
  const res = await call(who, 'POST', `/api/residents/${residentId}/focus-tags`, {
    tagId: byCode.get(code)!.id,
    ...extra,
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as ResidentTagJson;
}

async function counts(who: string, areaCode: string): Promise<Counts> {
  const res = await call(who, 'GET', `/api/tags/counts?areaCode=${areaCode}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Counts;
}

function countOf(c: Counts, code: string, areaCode: string | null): number | undefined {
  const row = c.rows.find((r) => r.tagId === byCode.get(code)!.id);
  const i = c.areas.findIndex((a) => a.areaCode === areaCode);
  return row && i >= 0 ? row.counts[i] : undefined;
}

beforeAll(async () => {
  env = await startTestApp({ demo: true });
  await seedFixtureAreas(env.ctx);
  await ensureDefaultTags(env.ctx);
  // demo: the administrator is a demo account, so it needs no TOTP enrolment in this test.
  await createStaff(env.ctx, 'admin', 'admin', { areaCode: FIXTURE.city }, { demo: true });
  await createStaff(env.ctx, 'comm', 'community_worker', { areaCode: FIXTURE.communityA1 });
  await createStaff(env.ctx, 'grid', 'grid_worker', { areaCode: FIXTURE.gridA1a });
  await createStaff(env.ctx, 'streetA', 'street_staff', { areaCode: FIXTURE.streetA });
  await createStaff(env.ctx, 'streetB', 'street_staff', { areaCode: FIXTURE.streetB });
  await createStaff(env.ctx, 'leader', 'leader', { areaCode: FIXTURE.district });
  for (const u of ['admin', 'comm', 'grid', 'streetA', 'streetB', 'leader']) s[u] = await login(env.app, u);
  for (const t of await tree('admin', '?active=false')) byCode.set(t.code, t);
});
afterAll(async () => env?.close());

describe('the tag tree', () => {
  it('loads the default tree once, idempotently, with restricted tags for leaders and street staff only', async () => {
    expect((await ensureDefaultTags(env.ctx)).inserted).toBe(0);
    expect([...byCode.keys()]).toEqual(
      expect.arrayContaining([
        'elderly.alone',
        'hardship.dibao',
        'disabled',
        'special.corrections',
        'special.mental',
      ]),
    );
    expect(byCode.get('special.corrections')).toMatchObject({
      sensitivity: 'restricted',
      visibleRoles: ['leader', 'street_staff'],
    });
    expect(byCode.get('disabled')!.fields.map((f) => f.key)).toEqual(['kind', 'grade', 'certificate']);
    expect(byCode.get('hardship.dibao')!.visibleRoles).toContain('grid_worker');
  });

  it('sends a community worker the tree without the restricted tags; street staff get them', async () => {
    const comm = (await tree('comm')).map((t) => t.code);
    expect(comm).toContain('elderly.alone');
    expect(comm).toContain('disabled');
    expect(comm).not.toContain('special');
    expect(comm).not.toContain('special.corrections');
    expect((await tree('streetA')).map((t) => t.code)).toContain('special.corrections');
  });

  it('answers a hidden tag asked for by id exactly as a tag that does not exist', async () => {
    const hidden = await call('comm', 'GET', `/api/tags/${byCode.get('special.corrections')!.id}`);
    const missing = await call('comm', 'GET', '/api/tags/00000000-0000-4000-8000-000000000000');
    expect(hidden.statusCode).toBe(404);
    expect(hidden.json()).toEqual({
      error: { ...missing.json().error, requestId: hidden.json().error.requestId },
    });
    const list = await call('comm', 'GET', `/api/tags/${byCode.get('special.corrections')!.id}/members`);
    expect(list.statusCode).toBe(404);
    expect((list.json() as ErrorJson).error.code).toBe('tag.unknown');
    expect(
      (await call('streetA', 'GET', `/api/tags/${byCode.get('special.corrections')!.id}`)).statusCode,
    ).toBe(200);
  });

  it('lets the administrator create, change and deactivate tags, checking the field definitions', async () => {
    const bad = await call('admin', 'POST', '/api/tags', {
      code: 'test.bad',
      name: '坏标签',
      sensitivity: 'normal',
      fields: [{ key: 'kind', label: '类别', type: 'select', required: true }],
    });
    expect(bad.statusCode).toBe(400);
    expect(problems(bad)).toEqual(['body.fields.0.options:required']);
    const created = await call('admin', 'POST', '/api/tags', {
      code: 'test.subsidy',
      parentId: byCode.get('hardship')!.id,
      name: '临时救助',
      sensitivity: 'restricted',
      fields: [{ key: 'amount', label: '金额', type: 'number', required: true, min: 0 }],
    });
    expect(created.statusCode, created.body).toBe(200);
    const t = created.json() as TagJson;
    expect(t.visibleRoles).toEqual(['leader', 'street_staff']);
    expect(
      (await call('admin', 'POST', '/api/tags', { code: 'test.subsidy', name: 'x', sensitivity: 'normal' }))
        .statusCode,
    ).toBe(409);
    const widened = await call('admin', 'PATCH', `/api/tags/${t.id}`, {
      visibleRoles: ['leader', 'street_staff', 'community_worker'],
      version: t.version,
    });
    expect(widened.statusCode, widened.body).toBe(200);
    expect((await tree('comm')).map((x) => x.code)).toContain('test.subsidy');
    expect((await tree('grid')).map((x) => x.code)).not.toContain('test.subsidy');
    const stale = await call('admin', 'PATCH', `/api/tags/${t.id}`, { name: '改名', version: t.version });
    expect(stale.statusCode).toBe(409);
    const off = await call('admin', 'PATCH', `/api/tags/${t.id}`, { active: false });
    expect(off.json().active).toBe(false);
    expect((await tree('comm')).map((x) => x.code)).not.toContain('test.subsidy');
    const cycle = await call('admin', 'PATCH', `/api/tags/${byCode.get('hardship')!.id}`, { parentId: t.id });
    expect(problems(cycle)).toEqual(['body.parentId:cycle']);
    const [entry] = await env.ctx.db.select().from(auditLog).where(eq(auditLog.action, 'tag.deactivate'));
    expect(entry).toMatchObject({ actorName: 'admin', targetId: t.id });
  });

  it('refuses tree changes to everyone but the administrator, and residents to the administrator', async () => {
    expect(
      (await call('streetA', 'POST', '/api/tags', { code: 'x.y', name: 'x', sensitivity: 'normal' }))
        .statusCode,
    ).toBe(403);
    expect((await call('admin', 'GET', `/api/tags/counts?areaCode=${FIXTURE.communityA1}`)).statusCode).toBe(
      403,
    );
    expect((await call('admin', 'GET', `/api/tags/${byCode.get('disabled')!.id}/members`)).statusCode).toBe(
      403,
    );
  });
});

describe("residents' tags", () => {
  it('keeps detail values encrypted, shows them to those allowed, and hides restricted tags from the others', async () => {
    const r = await person(FIXTURE.gridA1a, { name: '矫正甲' });
    const corr = await tag('streetA', r.id, 'special.corrections', {
      details: { kind: '缓刑', periodStart: '2025-01-01', periodEnd: '2026-12-31' },
      fromDate: '2025-01-01',
    });
    const dis = await tag('comm', r.id, 'disabled', {
      details: { kind: '肢体', grade: '二级', certificate: CERT },
    });
    expect(dis.details).toEqual({ kind: '肢体', grade: '二级', certificate: CERT });

    const [stored] = await env.ctx.db.select().from(residentTags).where(eq(residentTags.id, dis.id));
    expect(stored!.detailsEnc).not.toContain(CERT);
    expect(stored!.detailsEnc).not.toContain('肢体');
    const audits = await queryRows<{ n: number }>(
      env.ctx.db,
      sql`select count(*)::int as n from audit_log where details::text like ${'%' + CERT + '%'}`,
    );
    expect(audits[0]!.n).toBe(0);

    const forComm = await call('comm', 'GET', `/api/residents/${r.id}/focus-tags`);
    expect(forComm.statusCode).toBe(200);
    expect(forComm.body).not.toContain('corrections');
    expect(forComm.body).not.toContain('缓刑');
    expect((forComm.json() as { items: ResidentTagJson[] }).items.map((i) => i.tagCode)).toEqual([
      'disabled',
    ]);
    const forStreet = (await call('streetA', 'GET', `/api/residents/${r.id}/focus-tags`)).json() as {
      items: ResidentTagJson[];
      canEdit: boolean;
    };
    expect(forStreet.items.map((i) => i.tagCode).sort()).toEqual(['disabled', 'special.corrections']);
    expect(forStreet.items.find((i) => i.id === corr.id)!.details).toMatchObject({ kind: '缓刑' });
    expect(forStreet.canEdit).toBe(true);
    const viewed = await env.ctx.db.select().from(auditLog).where(eq(auditLog.action, 'resident_tag.view'));
    expect(viewed.some((v) => v.actorName === 'streetA' && v.targetId === r.id)).toBe(true);

    // The community worker cannot end it either: the tag is absent for it.
    const end = await call('comm', 'POST', `/api/residents/${r.id}/focus-tags/${corr.id}/end`, {});
    expect(end.statusCode).toBe(404);
    expect((end.json() as ErrorJson).error.code).toBe('resident_tag.unknown');
    // Nor can it tag anyone with it: 404 as for an unknown tag.
    const r2 = await person(FIXTURE.gridA1a);
    const add = await call('comm', 'POST', `/api/residents/${r2.id}/focus-tags`, {
      tagId: byCode.get('special.corrections')!.id,
      details: { kind: '缓刑', periodStart: '2025-01-01', periodEnd: '2026-12-31' },
    });
    expect(add.statusCode).toBe(404);
    expect((add.json() as ErrorJson).error.code).toBe('tag.unknown');
    // Another street's staff does not see the resident at all.
    expect((await call('streetB', 'GET', `/api/residents/${r.id}/focus-tags`)).statusCode).toBe(404);
  });

  it('checks detail values against the field definitions and names each wrong field', async () => {
    const r = await person(FIXTURE.gridA1a);
    const url = `/api/residents/${r.id}/focus-tags`;
    const mental = byCode.get('special.mental')!.id;
    const wrongType = await call('streetA', 'POST', url, { tagId: mental, details: { riskLevel: 'high' } });
    expect(wrongType.statusCode).toBe(400);
    expect(problems(wrongType)).toEqual(['body.details.riskLevel:type']);
    expect(
      problems(await call('streetA', 'POST', url, { tagId: mental, details: { riskLevel: 7 } })),
    ).toEqual(['body.details.riskLevel:maximum']);
    expect(
      problems(await call('streetA', 'POST', url, { tagId: mental, details: { riskLevel: 2.5 } })),
    ).toEqual(['body.details.riskLevel:type']);
    expect(problems(await call('streetA', 'POST', url, { tagId: mental, details: {} }))).toEqual([
      'body.details.riskLevel:required',
    ]);
    const many = await call('streetA', 'POST', url, {
      tagId: byCode.get('special.corrections')!.id,
      details: { kind: '拘役', periodStart: '2025-02-30', periodEnd: 20251231, colour: 'red' },
    });
    expect(problems(many).sort()).toEqual(
      [
        'body.details.colour:additionalProperties',
        'body.details.kind:enum',
        'body.details.periodStart:format',
        'body.details.periodEnd:type',
      ].sort(),
    );
    const unknown = await call('streetA', 'POST', url, { tagId: '00000000-0000-4000-8000-000000000000' });
    expect(unknown.statusCode).toBe(404);
    expect((unknown.json() as ErrorJson).error.code).toBe('tag.unknown');
    const future = await call('streetA', 'POST', url, {
      tagId: byCode.get('elderly.alone')!.id,
      fromDate: '2999-01-01',
    });
    expect(problems(future)).toEqual(['body.fromDate:future']);
    expect(await env.ctx.db.select().from(residentTags).where(eq(residentTags.residentId, r.id))).toEqual([]);
  });

  it('ends a tag without deleting it, refuses a second holder of the same tag, and keeps the history', async () => {
    const r = await person(FIXTURE.gridA1a);
    const t = await tag('grid', r.id, 'elderly.alone', { fromDate: '2024-03-01', note: '子女在外地' });
    const again = await call('grid', 'POST', `/api/residents/${r.id}/focus-tags`, {
      tagId: byCode.get('elderly.alone')!.id,
    });
    expect(again.statusCode).toBe(409);
    expect((again.json() as ErrorJson).error.code).toBe('resident_tag.duplicate');
    const early = await call('grid', 'POST', `/api/residents/${r.id}/focus-tags/${t.id}/end`, {
      toDate: '2024-01-01',
    });
    expect(problems(early)).toEqual(['body.toDate:dateOrder']);
    const ended = await call('grid', 'POST', `/api/residents/${r.id}/focus-tags/${t.id}/end`, {
      note: '搬去与子女同住',
    });
    expect(ended.statusCode, ended.body).toBe(200);
    expect((ended.json() as ResidentTagJson).toDate).not.toBeNull();
    const twice = await call('grid', 'POST', `/api/residents/${r.id}/focus-tags/${t.id}/end`, {});
    expect((twice.json() as ErrorJson).error.code).toBe('resident_tag.ended');
    const now = (await call('grid', 'GET', `/api/residents/${r.id}/focus-tags`)).json() as {
      items: unknown[];
    };
    expect(now.items).toEqual([]);
    const history = (await call('grid', 'GET', `/api/residents/${r.id}/focus-tags?history=true`)).json() as {
      items: ResidentTagJson[];
    };
    expect(history.items.map((i) => i.id)).toEqual([t.id]);
    // Tagged again later: a new row, the old one stays.
    await tag('grid', r.id, 'elderly.alone');
    expect(
      await env.ctx.db.select().from(residentTags).where(eq(residentTags.residentId, r.id)),
    ).toHaveLength(2);
    const actions = (await env.ctx.db.select().from(auditLog).where(eq(auditLog.targetId, r.id))).map(
      (e) => e.action,
    );
    expect(actions).toEqual(expect.arrayContaining(['resident_tag.add', 'resident_tag.end']));
    // The database itself refuses to delete or rewrite a resident's tag.
    await expect(env.ctx.db.delete(residentTags).where(eq(residentTags.id, t.id))).rejects.toThrow();
    await expect(
      env.ctx.db.update(residentTags).set({ fromDate: '2020-01-01' }).where(eq(residentTags.id, t.id)),
    ).rejects.toThrow();
  });
});

describe('lists and counts per grid', () => {
  it('counts each group per grid, rolling tags up to their group, without the tags the reader may not see', async () => {
    await createStaff(env.ctx, 'comm2', 'community_worker', { areaCode: FIXTURE.communityA2 });
    await createStaff(env.ctx, 'street2', 'street_staff', { areaCode: FIXTURE.communityA2 });
    s.comm2 = await login(env.app, 'comm2');
    s.street2 = await login(env.app, 'street2');
    const grid = FIXTURE.gridA2a;
    const a = await person(grid);
    const b = await person(grid);
    const atCommunity = await person(FIXTURE.communityA2);
    await tag('comm2', a.id, 'elderly.alone');
    await tag('comm2', a.id, 'elderly.advanced');
    await tag('comm2', b.id, 'elderly.empty_nest');
    await tag('comm2', atCommunity.id, 'elderly.alone');
    await tag('street2', b.id, 'special.corrections', {
      details: { kind: '假释', periodStart: '2025-01-01', periodEnd: '2025-12-31' },
    });

    const c = await counts('comm2', FIXTURE.communityA2);
    expect(c.areas[0]).toEqual({ areaCode: grid, areaName: expect.any(String) });
    expect(c.areas.at(-1)).toEqual({ areaCode: null, areaName: null });
    // a holds two elderly tags: counted once in the group.
    expect(countOf(c, 'elderly', grid)).toBe(2);
    expect(countOf(c, 'elderly.alone', grid)).toBe(1);
    expect(countOf(c, 'elderly', null)).toBe(1);
    expect(c.rows.find((r) => r.tagId === byCode.get('elderly')!.id)!.total).toBe(3);
    // The community worker's counts have no row for the restricted tags at all.
    expect(c.rows.some((r) => r.tagId === byCode.get('special.corrections')!.id)).toBe(false);
    expect(c.rows.some((r) => r.tagId === byCode.get('special')!.id)).toBe(false);
    const street = await counts('street2', FIXTURE.communityA2);
    expect(countOf(street, 'special.corrections', grid)).toBe(1);
    expect(countOf(street, 'special', grid)).toBe(1);

    // Outside its scope: refused; the grid worker counts its own grid only.
    expect((await call('comm2', 'GET', `/api/tags/counts?areaCode=${FIXTURE.communityA1}`)).statusCode).toBe(
      403,
    );
    const own = await counts('grid', FIXTURE.gridA1a);
    expect(own.areas).toEqual([{ areaCode: FIXTURE.gridA1a, areaName: expect.any(String) }]);
    const defaulted = await call('comm2', 'GET', '/api/tags/counts');
    expect((defaulted.json() as Counts).areaCode).toBe(FIXTURE.communityA2);
  });

  it('lists the residents of a group, masked and paged, within scope', async () => {
    const r = await person(FIXTURE.gridA1b, { name: '独居乙' });
    await tag('comm', r.id, 'elderly.alone');
    const res = await call(
      'comm',
      'GET',
      `/api/tags/${byCode.get('elderly')!.id}/members?areaCode=${FIXTURE.gridA1b}`,
    );
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as {
      items: { id: string; idNumberMasked: string; tags: { tagName: string }[] }[];
      total: number;
    };
    const item = body.items.find((i) => i.id === r.id)!;
    expect(item.tags.map((t) => t.tagName)).toEqual(['独居老人']);
    expect(res.body).not.toContain(r.idNumber);
    expect(res.body).not.toContain(r.phone);
    expect(item.idNumberMasked).toContain('********');
    expect(body.total).toBeGreaterThanOrEqual(1);
    const page = await call('comm', 'GET', `/api/tags/${byCode.get('elderly')!.id}/members?limit=1`);
    expect((page.json() as { items: unknown[] }).items).toHaveLength(1);
    // Another street's staff do not get them.
    const other = await call('streetB', 'GET', `/api/tags/${byCode.get('elderly')!.id}/members`);
    expect((other.json() as { items: { id: string }[] }).items.map((i) => i.id)).not.toContain(r.id);
    expect(
      (
        await call(
          'streetB',
          'GET',
          `/api/tags/${byCode.get('elderly')!.id}/members?areaCode=${FIXTURE.gridA1b}`,
        )
      ).statusCode,
    ).toBe(403);
  });

  it('lets an administrator widen a restricted tag to community workers', async () => {
    const corr = byCode.get('special.corrections')!;
    const fresh = (await call('admin', 'GET', `/api/tags/${corr.id}`)).json() as TagJson;
    const res = await call('admin', 'PATCH', `/api/tags/${corr.id}`, {
      visibleRoles: ['leader', 'street_staff', 'community_worker'],
      version: fresh.version,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect((await call('comm2', 'GET', `/api/tags/${corr.id}`)).statusCode).toBe(200);
    expect(countOf(await counts('comm2', FIXTURE.communityA2), 'special.corrections', FIXTURE.gridA2a)).toBe(
      1,
    );
    expect((await call('grid', 'GET', `/api/tags/${corr.id}`)).statusCode).toBe(404);
    await call('admin', 'PATCH', `/api/tags/${corr.id}`, { visibleRoles: ['leader', 'street_staff'] });
    expect((await call('comm2', 'GET', `/api/tags/${corr.id}`)).statusCode).toBe(404);
  });
});

describe('searching residents by address', () => {
  it('finds the residents living in a dwelling by estate, building and number, within scope', async () => {
    const dwelling = await makeDwelling(env.ctx, FIXTURE.gridA1a, '502');
    const r = await person(FIXTURE.gridA1a, { name: '住户丙' });
    await env.ctx.db
      .insert(residentDwellings)
      .values({ dwellingId: dwelling, residentId: r.id, livingType: 'own', fromDate: '2020-01-01' });
    const [label] = await queryRows<{ estate: string; building: string }>(
      env.ctx.db,
      sql`select e.name as estate, b.name as building from dwellings d join buildings b on b.id = d.building_id
          join estates e on e.id = b.estate_id where d.id = ${dwelling}`,
    );
    const q = encodeURIComponent(`${label!.estate} ${label!.building}`);
    const found = await call('comm', 'GET', `/api/residents?q=${q}`);
    expect(found.statusCode, found.body).toBe(200);
    expect((found.json() as { items: { id: string }[] }).items.map((i) => i.id)).toEqual([r.id]);
    const byEstate = await call('comm', 'GET', `/api/residents?q=${encodeURIComponent(label!.estate)}`);
    expect((byEstate.json() as { items: { id: string }[] }).items.map((i) => i.id)).toEqual([r.id]);
    const elsewhere = await call('streetB', 'GET', `/api/residents?q=${q}`);
    expect((elsewhere.json() as { items: unknown[] }).items).toEqual([]);
    // The tag rows were written by this file only.
    expect((await env.ctx.db.select().from(tags)).length).toBeGreaterThan(10);
  });
});
