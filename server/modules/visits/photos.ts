/**
 * Photos of a visit (走访照片), through the photo pipeline shared with case photos (server/photos.ts: checked by magic
 * bytes and by decoding, re-encoded without metadata, with a thumbnail, kept in the upload store). The grid worker who recorded the
 * visit adds them after saving it (one request per photo, like case photos); whoever may read the visit sees them.
 * Photos are append-only like the visit.
 */
import { and, count, eq, sql } from 'drizzle-orm';
import { VISIT_PHOTOS_MAX, type VisitPhoto } from '../../../common/schemas/visits';
import type { AppContext } from '../../context';
import { AppError } from '../../http/errors';
import { checkPhotoUpload, keepPhoto, photoView, readPhotoFile, type PhotoFile } from '../../photos';
import { Ability, type Actor } from '../../policy/ability';
import { auditActor, type RequestMeta } from '../areas/audit-meta';
import { appendAudit } from '../audit/log';
import { visitPhotos, visits } from './tables';

type PhotoRow = typeof visitPhotos.$inferSelect;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A visit photo as the API shows it. */
export function toVisitPhoto(p: PhotoRow): VisitPhoto {
  return photoView(p, '/api/visit-photos');
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
  const upload = checkPhotoUpload(contentType, body);
  const limit = () =>
    new AppError('visit.photo_limit', [{ field: 'body', rule: 'maxItems', limit: VISIT_PHOTOS_MAX }]);
  if ((await photoCount(ctx, visitId)) >= VISIT_PHOTOS_MAX) throw limit();
  return keepPhoto(ctx, `visits/${visitId}`, upload, (photo) =>
    ctx.db.transaction(async (tx) => {
      // The visit row is append-only, so the photos' own rows are counted under an advisory lock per visit.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'visit-photos:' + visitId}))`);
      const [same] = await tx
        .select()
        .from(visitPhotos)
        .where(and(eq(visitPhotos.visitId, visitId), eq(visitPhotos.sha256, photo.sha256)))
        .limit(1);
      if (same) return { photo: toVisitPhoto(same), created: false };
      const [n] = await tx.select({ n: count() }).from(visitPhotos).where(eq(visitPhotos.visitId, visitId));
      if (Number(n?.n ?? 0) >= VISIT_PHOTOS_MAX) throw limit();
      const [row] = await tx
        .insert(visitPhotos)
        .values({ ...photo, visitId, uploadedBy: actor.accountId })
        .returning();
      await appendAudit(tx, {
        ...auditActor(actor, meta),
        action: 'visit.photo_upload',
        targetType: 'visit',
        targetId: visitId,
        areaPath: v.areaPath,
        outcome: 'success',
        details: { photoId: photo.id, bytes: photo.bytes, sha256: photo.sha256 },
      });
      return { photo: toVisitPhoto(row!), created: true };
    }),
  );
}

/** The bytes of a visit photo or its thumbnail, for a reader of the visit. */
export async function readVisitPhoto(
  ctx: AppContext,
  actor: Actor,
  id: string,
  variant: 'full' | 'thumb',
): Promise<PhotoFile> {
  const ability = new Ability(actor);
  ability.authorize('read', 'Visit');
  if (!UUID.test(id)) throw new AppError('attachment.unknown');
  const [p] = await ctx.db.select().from(visitPhotos).where(eq(visitPhotos.id, id));
  if (!p) throw new AppError('attachment.unknown');
  const [v] = await ctx.db.select({ areaPath: visits.areaPath }).from(visits).where(eq(visits.id, p.visitId));
  if (!v || !ability.can('read', 'Visit', v.areaPath)) throw new AppError('forbidden');
  return readPhotoFile(ctx, p, variant);
}
