/**
 * The cases' rows of the authorization table (server/policy/authorization.test.ts). Cases are area-scoped: the
 * relation is where the case is located relative to the actor's home. A department handler's relation is its
 * department's (own, child: a case led by its department; parent, sibling: one led by the other district's); a
 * resident's is ownership (own, child: a case it reported; parent, sibling: one somebody else reported).
 * Residents report online in any community: that is tested in cases.test.ts, not here (their parent and sibling
 * intake calls are left out).
 */
import crypto from 'node:crypto';
import { eq } from 'drizzle-orm';
import sharp from 'sharp';
import type { Role } from '../../../common/roles';
import { memoryUploadStore, uploadStore } from '../../storage';
import { FIXTURE } from '../../test/harness';
import {
  EVERYONE,
  gridAt,
  SCOPED,
  type Actor,
  type Matrix,
  type Relation,
  type RouteCase,
} from '../../test/matrix';
import { accounts } from '../accounts/tables';
import { caseAttachments, cases } from './tables';
import { placeCase, sharedCategory, type PlacedCase } from './test-fixtures';

const CASE_READERS: Role[] = [
  'leader',
  'dept_handler',
  'street_staff',
  'community_worker',
  'grid_worker',
  'resident',
];
const CASE_CREATORS: Role[] = ['street_staff', 'community_worker', 'grid_worker', 'resident'];
const CASE_ACTORS: Role[] = CASE_READERS;

function category(m: Matrix): Promise<string> {
  return sharedCategory(m.env.ctx);
}

async function residentId(m: Matrix): Promise<string> {
  const [row] = await m.env.ctx.db
    .select({ id: accounts.id })
    .from(accounts)
    .where(eq(accounts.username, 'matrix.resident'));
  return row!.id;
}

/** Roles that may add photos: those who may act on a case, and its reporter (see photos.ts). */
const PHOTO_UPLOADERS: Role[] = [
  'dept_handler',
  'street_staff',
  'community_worker',
  'grid_worker',
  'resident',
];

/** A photo of a case, stored in memory (the matrix never writes files), for the download routes. */
async function placePhoto(m: Matrix, caseId: string): Promise<string> {
  m.env.ctx.uploads ??= memoryUploadStore();
  const data = await sharp({ create: { width: 8, height: 8, channels: 3, background: 'white' } })
    .jpeg()
    .toBuffer();
  const id = crypto.randomUUID();
  const key = `cases/${caseId}/${id}.jpg`;
  const thumbKey = `cases/${caseId}/${id}.thumb.webp`;
  await uploadStore(m.env.ctx).put(key, data);
  await uploadStore(m.env.ctx).put(thumbKey, data);
  await m.env.ctx.db.insert(caseAttachments).values({
    id,
    caseId,
    eventSeq: 1,
    mime: 'image/jpeg',
    bytes: data.length,
    width: 8,
    height: 8,
    sha256: 'x',
    storageKey: key,
    thumbKey,
  });
  return id;
}

/** A case at the relation to the actor, at a status (null: the relation has no target for this actor). */
async function target(a: Actor, rel: Relation, m: Matrix, status?: string): Promise<PlacedCase | null> {
  const cat = await category(m);
  const inside = SCOPED.includes(rel);
  if (a.role === 'resident') {
    return placeCase(m.env.ctx, cat, rel === 'child' ? FIXTURE.gridA1a : FIXTURE.communityA1, {
      ...(status ? { status } : {}),
      reporterAccountId: inside ? await residentId(m) : null,
    });
  }
  const area = gridAt(a.home, rel);
  if (!area) return null;
  const dept = a.role === 'dept_handler' ? (inside ? m.departmentId : m.otherDepartmentId) : null;
  return placeCase(m.env.ctx, cat, area, {
    ...(status ? { status } : {}),
    ...(dept ? { leadDepartmentId: dept, departmentPath: area.slice(0, 6) } : {}),
  });
}

/** One action each acting role may take on a case of its own at the given status. */
const ACTION_FOR: Partial<Record<Role, { status: string; body: Record<string, unknown> }>> = {
  street_staff: { status: 'reported', body: { action: 'accept' } },
  community_worker: { status: 'reported', body: { action: 'accept' } },
  grid_worker: { status: 'handled', body: { action: 'verify' } },
  dept_handler: { status: 'dispatched', body: { action: 'start' } },
  resident: { status: 'closed', body: { action: 'rate', rating: 'satisfied' } },
};
const SUPERVISE = { status: 'reported', body: { action: 'supervise', note: '请加快办理' } };

export const routeCases: Record<string, RouteCase> = {
  'POST /api/cases': {
    allow: CASE_CREATORS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const categoryId = await category(m);
      const base = { categoryId, title: '路灯不亮', description: '小区门口路灯不亮' };
      if (a.role === 'resident') {
        if (!SCOPED.includes(rel)) return null;
        const areaCode = rel === 'own' ? FIXTURE.communityA1 : FIXTURE.gridA1a;
        return { method: 'POST', url: '/api/cases', payload: { ...base, channel: 'online', areaCode } };
      }
      if (a.role === 'grid_worker') {
        const areaCode = rel === 'own' ? a.home : rel === 'child' ? null : gridAt(a.home, rel);
        return areaCode
          ? { method: 'POST', url: '/api/cases', payload: { ...base, channel: 'patrol', areaCode } }
          : null;
      }
      const areaCode = gridAt(a.home, rel);
      return areaCode
        ? {
            method: 'POST',
            url: '/api/cases',
            payload: {
              ...base,
              channel: 'window',
              areaCode,
              reporterName: '李四',
              reporterPhone: '13900001111',
            },
          }
        : null;
    },
  },
  'GET /api/cases': {
    allow: CASE_READERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const c = await target(a, rel, m);
      return c
        ? { method: 'GET', url: `/api/cases?q=${c.number}`, listed: { field: 'id', value: c.id } }
        : null;
    },
  },
  'GET /api/cases/{id}': {
    allow: CASE_READERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const c = await target(a, rel, m);
      return c ? { method: 'GET', url: `/api/cases/${c.id}` } : null;
    },
  },
  'GET /api/cases/{id}/events': {
    allow: CASE_READERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const c = await target(a, rel, m);
      return c ? { method: 'GET', url: `/api/cases/${c.id}/events` } : null;
    },
  },
  'GET /api/cases/{id}/dispatch-targets': {
    allow: CASE_READERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const c = await target(a, rel, m);
      return c ? { method: 'GET', url: `/api/cases/${c.id}/dispatch-targets` } : null;
    },
  },
  'POST /api/cases/{id}/actions': {
    allow: CASE_ACTORS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const plan = a.role === 'leader' ? SUPERVISE : (ACTION_FOR[a.role] ?? SUPERVISE);
      const c = await target(a, rel, m, plan.status);
      return c
        ? {
            method: 'POST',
            url: `/api/cases/${c.id}/actions`,
            payload: { ...plan.body, version: c.version },
          }
        : null;
    },
  },
  'GET /api/cases/similar': {
    allow: CASE_READERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const c = await target(a, rel, m);
      if (!c) return null;
      const [row] = await m.env.ctx.db
        .select({ areaCode: cases.areaCode })
        .from(cases)
        .where(eq(cases.id, c.id));
      const community = row!.areaCode.slice(0, 12);
      return {
        method: 'GET',
        url: `/api/cases/similar?categoryId=${await category(m)}&areaCode=${community}`,
        listed: { field: 'id', value: c.id },
      };
    },
  },
  'POST /api/cases/{id}/photos': {
    allow: PHOTO_UPLOADERS,
    scope: 'scoped',
    // Bytes without a Content-Type: whoever passes authorization gets 415, so nothing is ever stored here.
    call: async (a, rel, m) => {
      const c = await target(a, rel, m);
      return c
        ? { method: 'POST', url: `/api/cases/${c.id}/photos`, payload: Buffer.from('not an image') }
        : null;
    },
  },
  'GET /api/cases/{id}/photos': {
    allow: CASE_READERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const c = await target(a, rel, m);
      return c ? { method: 'GET', url: `/api/cases/${c.id}/photos` } : null;
    },
  },
  'GET /api/attachments/{id}': {
    allow: CASE_READERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const c = await target(a, rel, m);
      return c ? { method: 'GET', url: `/api/attachments/${await placePhoto(m, c.id)}` } : null;
    },
  },
  'GET /api/attachments/{id}/thumb': {
    allow: CASE_READERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const c = await target(a, rel, m);
      return c ? { method: 'GET', url: `/api/attachments/${await placePhoto(m, c.id)}/thumb` } : null;
    },
  },
  'GET /api/track': {
    allow: EVERYONE,
    scope: 'any',
    public: true,
    call: async (_a, _rel, m) => {
      const c = await placeCase(m.env.ctx, await category(m), FIXTURE.gridA1a);
      return { method: 'GET', url: `/api/track?number=${c.number}&phone4=1234` };
    },
  },
};
