/**
 * Home visits' rows of the authorization table (server/policy/authorization.test.ts). Grid workers record visits in
 * their grids and read them and their due lists; community workers and street staff read visits and due lists in
 * their area and manage its visit rules; leaders, street staff and community workers read the ledger (coverage).
 * Households live at grids, so each relation's target sits in a grid at that relation (gridAt); rules are set with a
 * fresh tag each time (one rule in force per area and tag).
 */
import { eq } from 'drizzle-orm';
import sharp from 'sharp';
import { ROLES, type Role } from '../../../common/roles';
import { memoryUploadStore } from '../../storage';
import { gridAt, type Actor, type Matrix, type Relation, type RouteCase } from '../../test/matrix';
import { areaOf, get, gridOf, inGrid, listed, on, patch, post } from '../../test/route-cases';
import { accounts } from '../accounts/tables';
import { sharedCategory } from '../cases/test-fixtures';
import { tags } from '../tags/tables';
import { visitPhotos } from './tables';
import { householdAt, insertRule, insertVisit } from './test-fixtures';

const RECORDERS: Role[] = ['grid_worker'];
const READERS: Role[] = ['street_staff', 'community_worker', 'grid_worker'];
const RULE_MANAGERS: Role[] = ['street_staff', 'community_worker'];
const LEDGER_READERS: Role[] = ['leader', 'street_staff', 'community_worker'];

const today = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
const PERIOD = () => `from=${today().slice(0, 4)}-01-01&to=${today()}`;

async function accountOf(m: Matrix, a: Actor): Promise<string> {
  const [row] = await m.env.ctx.db
    .select({ id: accounts.id })
    .from(accounts)
    .where(eq(accounts.username, `matrix.${a.role}`));
  return row!.id;
}

/** A visit (by the actor itself, with one need) to a fresh household in a grid at the relation. */
async function visitAt(a: Actor, rel: Relation, m: Matrix) {
  const grid = gridAt(a.home, rel);
  if (!grid) return null;
  const h = await householdAt(m.env.ctx, grid);
  const id = await insertVisit(m.env.ctx, h, grid, {
    visitorId: await accountOf(m, a),
    needs: ['楼道灯坏了'],
  });
  return { id, household: h, grid };
}

/** A fresh tag every role could see, so that each rule set here is new (one rule in force per area and tag). */
async function freshTag(m: Matrix): Promise<string> {
  const [row] = await m.env.ctx.db
    .insert(tags)
    .values({ code: `matrix.visit.${m.seq()}`, name: '矩阵人群', visibleRoles: [...ROLES] })
    .returning({ id: tags.id });
  return row!.id;
}

async function placePhoto(m: Matrix, visitId: string): Promise<string> {
  m.env.ctx.uploads ??= memoryUploadStore();
  const data = await sharp({ create: { width: 8, height: 8, channels: 3, background: 'white' } })
    .jpeg()
    .toBuffer();
  const n = m.seq();
  await m.env.ctx.uploads.put(`visits/${visitId}/${n}.jpg`, data);
  await m.env.ctx.uploads.put(`visits/${visitId}/${n}.thumb.webp`, data);
  const [row] = await m.env.ctx.db
    .insert(visitPhotos)
    .values({
      visitId,
      mime: 'image/jpeg',
      bytes: data.length,
      width: 8,
      height: 8,
      sha256: `x${n}`,
      storageKey: `visits/${visitId}/${n}.jpg`,
      thumbKey: `visits/${visitId}/${n}.thumb.webp`,
      uploadedBy: '00000000-0000-0000-0000-000000000000',
    })
    .returning({ id: visitPhotos.id });
  return row!.id;
}

/** A rule (on a fresh tag) in the grid at the relation. */
const rule = inGrid(async (grid, m) => insertRule(m.env.ctx, grid, 30, await freshTag(m)));

export const routeCases: Record<string, RouteCase> = {
  'GET /api/visit-rules': on(RULE_MANAGERS, areaOf, (area) => get(`/api/visit-rules?areaCode=${area}`)),
  'POST /api/visit-rules': on(RULE_MANAGERS, gridOf, async (grid, m) =>
    post('/api/visit-rules', { areaCode: grid, tagId: await freshTag(m), intervalDays: 30 }),
  ),
  'PATCH /api/visit-rules/{id}': on(RULE_MANAGERS, rule, (id) =>
    patch(`/api/visit-rules/${id}`, { version: 1, intervalDays: 20 }),
  ),
  'POST /api/visit-rules/{id}/retire': on(RULE_MANAGERS, rule, (id) =>
    post(`/api/visit-rules/${id}/retire`, { version: 1 }),
  ),
  'GET /api/visits/due': on(READERS, gridOf, (grid) => get(`/api/visits/due?areaCode=${grid}`)),
  'GET /api/visits/coverage': on(LEDGER_READERS, gridOf, (grid) =>
    get(`/api/visits/coverage?areaCode=${grid}&${PERIOD()}`),
  ),
  'GET /api/visits/coverage/export': on(LEDGER_READERS, gridOf, (grid) =>
    get(`/api/visits/coverage/export?areaCode=${grid}&${PERIOD()}`),
  ),
  'GET /api/visits/coverage/never': on(LEDGER_READERS, gridOf, (grid) =>
    get(`/api/visits/coverage/never?areaCode=${grid}&${PERIOD()}`),
  ),
  'GET /api/visits': on(READERS, visitAt, (v) =>
    get(`/api/visits?householdId=${v.household.id}`, listed(v.id)),
  ),
  'POST /api/visits': on(
    RECORDERS,
    inGrid((grid, m) => householdAt(m.env.ctx, grid)),
    (h) =>
      post('/api/visits', {
        householdId: h.id,
        visitedOn: today(),
        personsMet: [h.memberId],
        situation: '家中一切正常',
      }),
  ),
  'GET /api/visits/{id}': on(READERS, visitAt, (v) => get(`/api/visits/${v.id}`)),
  'POST /api/visits/{id}/correction': on(RECORDERS, visitAt, (v) =>
    post(`/api/visits/${v.id}/correction`, {
      visitedOn: today(),
      personsMet: [],
      situation: '更正：家中无人',
    }),
  ),
  'POST /api/visits/{id}/needs/{n}/case': on(RECORDERS, visitAt, async (v, m) => {
    return post(`/api/visits/${v.id}/needs/1/case`, { categoryId: await sharedCategory(m.env.ctx) });
  }),
  // Bytes without a Content-Type: whoever passes authorization gets 415, so nothing is stored here.
  'POST /api/visits/{id}/photos': on(RECORDERS, visitAt, (v) =>
    post(`/api/visits/${v.id}/photos`, Buffer.from('not an image')),
  ),
  'GET /api/visit-photos/{id}': on(READERS, visitAt, async (v, m) =>
    get(`/api/visit-photos/${await placePhoto(m, v.id)}`),
  ),
  'GET /api/visit-photos/{id}/thumb': on(READERS, visitAt, async (v, m) =>
    get(`/api/visit-photos/${await placePhoto(m, v.id)}/thumb`),
  ),
};
