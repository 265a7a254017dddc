/**
 * Photos of a visit (走访照片), through the cases module's photo pipeline (processPhoto: checked by magic bytes and by
 * decoding, re-encoded without metadata, with a thumbnail) and the upload store. The grid worker who recorded the
 * visit adds them after saving it (one request per photo, like case photos); whoever may read the visit sees them.
 * Photos are append-only like the visit.
 */
import crypto from 'node:crypto';
import { and, count, eq, sql } from 'drizzle-orm';
import { PHOTO_MAX_BYTES } from '../../../common/schemas/cases';
import { VISIT_PHOTOS_MAX, type VisitPhoto } from '../../../common/schemas/visits';
import type { AppContext } from '../../context';
import { AppError } from '../../http/errors';
import { Ability, type Actor } from '../../policy/ability';
import { uploadStore } from '../../storage';
import { auditActor, type RequestMeta } from '../areas/audit-meta';
import { appendAudit } from '../audit/log';
import { photoMime, processPhoto, unsupportedType } from '../cases/photos';
import { visitPhotos, visits } from './tables';

type PhotoRow = typeof visitPhotos.$inferSelect;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EXTENSION: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' };

function toView(p: PhotoRow): VisitPhoto {
  return {
    id: p.id,
    mime: p.mime,
    bytes: p.bytes,
    width: p.width,
    height: p.height,
    url: `/api/visit-photos/${p.id}`,
    thumbUrl: `/api/visit-photos/${p.id}/thumb`,
    createdAt: p.createdAt.toISOString(),
  };
}

/** The visit, when the actor recorded it and may still record visits there (else 404/403). */
async function ownVisit(ctx: AppContext, actor: Actor, visitId: string) {
  const ability = new Ability(actor);
  ability.authorize('create', 'Visit');
  const [v] = await ctx.db.select().from(visits).where(eq(visits.id, visitId));
  if (!v) throw new AppError('visit.unknown', [{ field: 'params.id', rule: 'exists' }]);
  if (v.visitorId !== actor.accountId || !ability.can('create', 'Visit', v.areaPath))
    throw new AppError('forbidden');
  return v;
}

async function photoCount(ctx: AppContext, visitId: string): Promise<number> {
  const [row] = await ctx.db.select({ n: count() }).from(visitPhotos).where(eq(visitPhotos.visitId, visitId));
  return Number(row?.n ?? 0);
}

/**
 * Adds a photo to a visit; the same bytes sent again answer the photo already stored (`created: false`), so a retry
 * on a poor connection does not use up the visit's photos.
 */
export async function uploadVisitPhoto(
  ctx: AppContext,
  actor: Actor,
  visitId: string,
  contentType: string | undefined,
  body: unknown,
  meta: RequestMeta = {},
): Promise<{ photo: VisitPhoto; created: boolean }> {
  const v = await ownVisit(ctx, actor, visitId);
  const mime = photoMime(contentType);
  if (!mime || !Buffer.isBuffer(body)) throw unsupportedType();
  if (body.length > PHOTO_MAX_BYTES) throw new AppError('request.too_large');
  const limit = () =>
    new AppError('visit.photo_limit', [{ field: 'body', rule: 'maxItems', limit: VISIT_PHOTOS_MAX }]);
  if ((await photoCount(ctx, visitId)) >= VISIT_PHOTOS_MAX) throw limit();
  const photo = await processPhoto(body, mime);
  const id = crypto.randomUUID();
  const key = `visits/${visitId}/${id}.${EXTENSION[mime] ?? 'bin'}`;
  const thumbKey = `visits/${visitId}/${id}.thumb.webp`;
  const store = uploadStore(ctx);
  await store.put(key, photo.data);
  await store.put(thumbKey, photo.thumb);
  let kept = false;
  try {
    return await ctx.db.transaction(async (tx) => {
      // The visit row is append-only, so the photos' own rows are counted under an advisory lock per visit.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'visit-photos:' + visitId}))`);
      const [same] = await tx
        .select()
        .from(visitPhotos)
        .where(and(eq(visitPhotos.visitId, visitId), eq(visitPhotos.sha256, photo.sha256)))
        .limit(1);
      if (same) return { photo: toView(same), created: false };
      const [n] = await tx.select({ n: count() }).from(visitPhotos).where(eq(visitPhotos.visitId, visitId));
      if (Number(n?.n ?? 0) >= VISIT_PHOTOS_MAX) throw limit();
      const [row] = await tx
        .insert(visitPhotos)
        .values({
          id,
          visitId,
          mime: photo.mime,
          bytes: photo.data.length,
          width: photo.width,
          height: photo.height,
          sha256: photo.sha256,
          storageKey: key,
          thumbKey,
          uploadedBy: actor.accountId,
        })
        .returning();
      await appendAudit(tx, {
        ...auditActor(actor, meta),
        action: 'visit.photo_upload',
        targetType: 'visit',
        targetId: visitId,
        areaPath: v.areaPath,
        outcome: 'success',
        details: { photoId: id, bytes: photo.data.length, sha256: photo.sha256 },
      });
      kept = true;
      return { photo: toView(row!), created: true };
    });
  } finally {
    if (!kept) await Promise.allSettled([store.delete(key), store.delete(thumbKey)]);
  }
}

/** The bytes of a visit photo or its thumbnail, for a reader of the visit. */
export async function readVisitPhoto(
  ctx: AppContext,
  actor: Actor,
  id: string,
  variant: 'full' | 'thumb',
): Promise<{ data: Buffer; mime: string; sha256: string; name: string }> {
  const ability = new Ability(actor);
  ability.authorize('read', 'Visit');
  if (!UUID.test(id)) throw new AppError('attachment.unknown');
  const [p] = await ctx.db.select().from(visitPhotos).where(eq(visitPhotos.id, id));
  if (!p) throw new AppError('attachment.unknown');
  const [v] = await ctx.db.select({ areaPath: visits.areaPath }).from(visits).where(eq(visits.id, p.visitId));
  if (!v || !ability.can('read', 'Visit', v.areaPath)) throw new AppError('forbidden');
  const data = await uploadStore(ctx).get(variant === 'full' ? p.storageKey : p.thumbKey);
  if (!data) throw new AppError('attachment.unknown');
  return variant === 'full'
    ? { data, mime: p.mime, sha256: p.sha256, name: `${p.id}.${EXTENSION[p.mime] ?? 'bin'}` }
    : { data, mime: 'image/webp', sha256: `${p.sha256}-thumb`, name: `${p.id}.thumb.webp` };
}
