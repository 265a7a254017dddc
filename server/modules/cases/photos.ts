/**
 * Photos of a case (照片): uploaded one per request as the raw image, checked by its magic bytes and by decoding it,
 * re-encoded (turned upright by its EXIF orientation, every metadata block dropped: no GPS position, no camera
 * serial), at most 2560 px on the long edge, with a 320 px WebP thumbnail. Files go to the upload store; the row
 * (case_attachments) and the audit entry to the database in one transaction.
 *
 * Who may upload: while the case is open, anyone who may act on it (holder, co-handler, verifier, area staff) and
 * its reporter or the staff member who took it in. Reading follows the case: whoever may read the case. A photo the
 * reporter or creator adds while the case is still `reported` belongs to the report (step 1); any other waits
 * for the uploader's next action naming it in `attachmentIds`.
 */
import crypto from 'node:crypto';
import { and, asc, count, eq, inArray, isNull, sql } from 'drizzle-orm';
import sharp from 'sharp';
import {
  PHOTO_MAX_BYTES,
  PHOTO_MIME_TYPES,
  PHOTOS_PER_CASE,
  type AttachmentView,
} from '../../../common/schemas/cases';
import type { AppContext } from '../../context';
import type { Tx } from '../../db/client';
import { AppError, invalidField } from '../../http/errors';
import { Ability, type Actor } from '../../policy/ability';
import { caseReadable } from '../../policy/scope';
import { uploadStore } from '../../storage';
import { auditActor, type RequestMeta } from '../areas/audit-meta';
import { appendAudit } from '../audit/log';
import { OPEN_STATUSES, relationsOf, type CaseRelation } from './machine';
import { caseAttachments, cases } from './tables';

type PhotoMime = (typeof PHOTO_MIME_TYPES)[number];
type CaseRow = typeof cases.$inferSelect;
type AttachmentRow = typeof caseAttachments.$inferSelect;

/** Long edge of the stored photo and of its thumbnail, in pixels. */
export const PHOTO_LONG_EDGE = 2560;
export const THUMB_LONG_EDGE = 320;
/** Decoding more pixels than this is refused (a small file can declare a huge image: a decompression bomb). */
export const PHOTO_MAX_PIXELS = 8192 * 8192;

const UPLOADERS: CaseRelation[] = ['holder', 'coHandler', 'verifier', 'areaStaff'];
const FORMAT_OF: Record<PhotoMime, 'jpeg' | 'png' | 'webp'> = {
  'image/jpeg': 'jpeg',
  'image/png': 'png',
  'image/webp': 'webp',
};
const EXTENSION: Record<PhotoMime, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
};

/** The image type the bytes start with, from their magic numbers; null for anything else. */
export function sniffImage(buf: Buffer): PhotoMime | null {
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'image/jpeg';
  if (
    buf.length >= 8 &&
    buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
  )
    return 'image/png';
  if (
    buf.length >= 12 &&
    buf.subarray(0, 4).toString('latin1') === 'RIFF' &&
    buf.subarray(8, 12).toString('latin1') === 'WEBP'
  )
    return 'image/webp';
  return null;
}

/** The declared media type without parameters, when it is one of the accepted photo types. */
export function photoMime(contentType: string | undefined): PhotoMime | null {
  const t = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return (PHOTO_MIME_TYPES as readonly string[]).includes(t) ? (t as PhotoMime) : null;
}

export function unsupportedType(): AppError {
  return new AppError('request.unsupported_media_type', [
    { field: 'headers.content-type', rule: 'mediaType', limit: PHOTO_MIME_TYPES.join(', ') },
  ]);
}

function invalidPhoto(why: string): AppError {
  return new AppError('photo.invalid', [{ field: 'body', rule: 'image', limit: why }]);
}

export interface ProcessedPhoto {
  data: Buffer;
  thumb: Buffer;
  mime: PhotoMime;
  width: number;
  height: number;
  sha256: string;
}

/**
 * Checks and re-encodes an uploaded image: 400 photo.invalid when the bytes are not an image of the declared type,
 * are cut short or corrupt, or decode to too many pixels.
 */
export async function processPhoto(input: Buffer, mime: PhotoMime): Promise<ProcessedPhoto> {
  const sniffed = sniffImage(input);
  if (!sniffed) throw invalidPhoto('magic');
  if (sniffed !== mime) throw invalidPhoto(`not ${mime}`);
  // failOn 'warning': a truncated or corrupt file is refused rather than decoded with grey blocks.
  const options = { limitInputPixels: PHOTO_MAX_PIXELS, failOn: 'warning' as const, pages: 1 };
  const meta = await sharp(input, options)
    .metadata()
    .catch((err: unknown) => {
      throw invalidPhoto(/pixel limit/i.test(String(err)) ? 'pixels' : 'decode');
    });
  if (meta.format !== FORMAT_OF[mime] || !meta.width || !meta.height) throw invalidPhoto('decode');
  if (meta.width * meta.height > PHOTO_MAX_PIXELS) throw invalidPhoto('pixels');
  try {
    // rotate() turns the pixels upright by the EXIF orientation; without withMetadata() nothing else is kept.
    let pipeline = sharp(input, options)
      .rotate()
      .resize({ width: PHOTO_LONG_EDGE, height: PHOTO_LONG_EDGE, fit: 'inside', withoutEnlargement: true });
    if (mime === 'image/jpeg') pipeline = pipeline.jpeg({ quality: 85, mozjpeg: true });
    else if (mime === 'image/png') pipeline = pipeline.png({ compressionLevel: 8 });
    else pipeline = pipeline.webp({ quality: 85 });
    const main = await pipeline.toBuffer({ resolveWithObject: true });
    const thumb = await sharp(main.data)
      .resize({ width: THUMB_LONG_EDGE, height: THUMB_LONG_EDGE, fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 75 })
      .toBuffer();
    return {
      data: main.data,
      thumb,
      mime,
      width: main.info.width,
      height: main.info.height,
      sha256: crypto.createHash('sha256').update(main.data).digest('hex'),
    };
  } catch (err) {
    throw invalidPhoto(/pixel limit/i.test(String(err)) ? 'pixels' : 'decode');
  }
}

function toAttachmentView(a: AttachmentRow): AttachmentView {
  return {
    id: a.id,
    caseId: a.caseId,
    eventSeq: a.eventSeq,
    mime: a.mime,
    bytes: a.bytes,
    width: a.width,
    height: a.height,
    url: `/api/attachments/${a.id}`,
    thumbUrl: `/api/attachments/${a.id}/thumb`,
    createdAt: new Date(a.createdAt).toISOString(),
  };
}

async function loadCase(tx: Tx, id: string, lock = false): Promise<CaseRow> {
  const q = tx.select().from(cases).where(eq(cases.id, id));
  const [row] = lock ? await q.for('update') : await q;
  if (!row) throw new AppError('case.unknown');
  return row;
}

/** Whether the actor may add photos to the case now (403 / 409), and whether they belong to the report. */
function uploadRight(actor: Actor, row: CaseRow): { toReport: boolean } {
  if (!caseReadable(new Ability(actor), actor, row)) throw new AppError('forbidden');
  const own = row.reporterAccountId === actor.accountId || row.createdBy === actor.accountId;
  const rel = relationsOf(actor, row);
  if (!own && !UPLOADERS.some((r) => rel.has(r))) throw new AppError('forbidden');
  if (!(OPEN_STATUSES as string[]).includes(row.status)) throw new AppError('photo.case_ended');
  return { toReport: own && row.status === 'reported' };
}

async function photoCount(tx: Tx, caseId: string): Promise<number> {
  const [row] = await tx
    .select({ n: count() })
    .from(caseAttachments)
    .where(eq(caseAttachments.caseId, caseId));
  return Number(row?.n ?? 0);
}

/**
 * Adds a photo to a case. The same bytes uploaded again by the same person answer the photo already stored
 * (`created: false`), so a retried upload on a poor connection does not use up the case's photos.
 */
export async function uploadPhoto(
  ctx: AppContext,
  actor: Actor,
  caseId: string,
  contentType: string | undefined,
  body: unknown,
  meta: RequestMeta = {},
): Promise<{ photo: AttachmentView; created: boolean }> {
  // Who and where first, so nobody learns anything from the answers to a case they may not touch.
  uploadRight(actor, await loadCase(ctx.db, caseId));
  const mime = photoMime(contentType);
  if (!mime || !Buffer.isBuffer(body)) throw unsupportedType();
  if (body.length > PHOTO_MAX_BYTES) throw new AppError('request.too_large');
  if ((await photoCount(ctx.db, caseId)) >= PHOTOS_PER_CASE)
    throw new AppError('photo.limit', [{ field: 'body', rule: 'maxItems', limit: PHOTOS_PER_CASE }]);

  const photo = await processPhoto(body, mime);
  const id = crypto.randomUUID();
  const key = `cases/${caseId}/${id}.${EXTENSION[mime]}`;
  const thumbKey = `cases/${caseId}/${id}.thumb.webp`;
  const store = uploadStore(ctx);
  await store.put(key, photo.data);
  await store.put(thumbKey, photo.thumb);
  let kept = false;
  try {
    const result = await ctx.db.transaction(async (tx) => {
      // Locked, so two uploads at once cannot both take the ninth place.
      const row = await loadCase(tx, caseId, true);
      const { toReport } = uploadRight(actor, row);
      const [same] = await tx
        .select()
        .from(caseAttachments)
        .where(
          and(
            eq(caseAttachments.caseId, caseId),
            eq(caseAttachments.uploadedBy, actor.accountId),
            eq(caseAttachments.sha256, photo.sha256),
          ),
        )
        .limit(1);
      if (same) return { photo: toAttachmentView(same), created: false };
      if ((await photoCount(tx, caseId)) >= PHOTOS_PER_CASE)
        throw new AppError('photo.limit', [{ field: 'body', rule: 'maxItems', limit: PHOTOS_PER_CASE }]);
      const [inserted] = await tx
        .insert(caseAttachments)
        .values({
          id,
          caseId,
          eventSeq: toReport ? 1 : null,
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
        action: 'case.photo_upload',
        targetType: 'case',
        targetId: caseId,
        areaPath: row.areaPath,
        outcome: 'success',
        details: { number: row.number, attachmentId: id, bytes: photo.data.length, sha256: photo.sha256 },
      });
      kept = true;
      return { photo: toAttachmentView(inserted!), created: true };
    });
    return result;
  } finally {
    // Files of a refused or repeated upload are not kept (an orphan can only remain after a crash right here).
    if (!kept) await Promise.allSettled([store.delete(key), store.delete(thumbKey)]);
  }
}

/** The photos of a case the actor may read, oldest first. */
export async function listPhotos(ctx: AppContext, actor: Actor, caseId: string): Promise<AttachmentView[]> {
  const row = await loadCase(ctx.db, caseId);
  if (!caseReadable(new Ability(actor), actor, row)) throw new AppError('forbidden');
  const rows = await ctx.db
    .select()
    .from(caseAttachments)
    .where(eq(caseAttachments.caseId, caseId))
    .orderBy(asc(caseAttachments.createdAt), asc(caseAttachments.id));
  return rows.map(toAttachmentView);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The bytes of a photo or of its thumbnail, for a reader of its case. */
export async function readAttachment(
  ctx: AppContext,
  actor: Actor,
  id: string,
  variant: 'full' | 'thumb',
): Promise<{ data: Buffer; mime: string; sha256: string; name: string }> {
  if (!UUID.test(id)) throw new AppError('attachment.unknown');
  const [a] = await ctx.db.select().from(caseAttachments).where(eq(caseAttachments.id, id)).limit(1);
  if (!a) throw new AppError('attachment.unknown');
  const row = await loadCase(ctx.db, a.caseId);
  if (!caseReadable(new Ability(actor), actor, row)) throw new AppError('forbidden');
  const data = await uploadStore(ctx).get(variant === 'full' ? a.storageKey : a.thumbKey);
  if (!data) throw new AppError('attachment.unknown');
  return variant === 'full'
    ? { data, mime: a.mime, sha256: a.sha256, name: `${a.id}.${EXTENSION[a.mime as PhotoMime] ?? 'bin'}` }
    : { data, mime: 'image/webp', sha256: `${a.sha256}-thumb`, name: `${a.id}.thumb.webp` };
}

/** The photo ids of every step of a case: event seq → ids, oldest first. */
export async function photosByStep(tx: Tx, caseId: string): Promise<Map<number, string[]>> {
  const rows = await tx
    .select({ id: caseAttachments.id, seq: caseAttachments.eventSeq })
    .from(caseAttachments)
    .where(and(eq(caseAttachments.caseId, caseId), sql`${caseAttachments.eventSeq} is not null`))
    .orderBy(asc(caseAttachments.createdAt), asc(caseAttachments.id));
  const out = new Map<number, string[]>();
  for (const r of rows) {
    const list = out.get(r.seq!) ?? [];
    list.push(r.id);
    out.set(r.seq!, list);
  }
  return out;
}

/**
 * Attaches the actor's own, not yet attached photos of the case to the step it just took (inside the action's
 * transaction); 400 naming body.attachmentIds when any id is not such a photo.
 */
export async function bindPhotos(
  tx: Tx,
  actor: Actor | null,
  caseId: string,
  seq: number,
  ids: readonly string[],
): Promise<void> {
  if (ids.length === 0) return;
  if (!actor) throw invalidField('body.attachmentIds', 'ownUnattachedPhoto');
  const bound = await tx
    .update(caseAttachments)
    .set({ eventSeq: seq })
    .where(
      and(
        inArray(caseAttachments.id, [...ids]),
        eq(caseAttachments.caseId, caseId),
        eq(caseAttachments.uploadedBy, actor.accountId),
        isNull(caseAttachments.eventSeq),
      ),
    )
    .returning({ id: caseAttachments.id });
  if (bound.length !== ids.length) throw invalidField('body.attachmentIds', 'ownUnattachedPhoto');
}
