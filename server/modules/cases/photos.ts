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
import { and, asc, count, eq, inArray, isNull, sql } from 'drizzle-orm';
import { PHOTOS_PER_CASE, type AttachmentView } from '../../../common/schemas/cases';
import type { AppContext } from '../../context';
import type { Tx } from '../../db/client';
import { AppError, invalidField } from '../../http/errors';
import { checkPhotoUpload, keepPhoto, photoView, readPhotoFile, type PhotoFile } from '../../photos';
import { Ability, type Actor } from '../../policy/ability';
import { caseReadable } from '../../policy/scope';
import { auditActor, type RequestMeta } from '../areas/audit-meta';
import { appendAudit } from '../audit/log';
import { OPEN_STATUSES, relationsOf, type CaseRelation } from './machine';
import { caseAttachments, cases } from './tables';

// The photo pipeline itself (checks, re-encoding, storage) is shared with visit photos: server/photos.ts.
export { unsupportedType } from '../../photos';

type CaseRow = typeof cases.$inferSelect;
type AttachmentRow = typeof caseAttachments.$inferSelect;

const UPLOADERS: CaseRelation[] = ['holder', 'coHandler', 'verifier', 'areaStaff'];

function toAttachmentView(a: AttachmentRow): AttachmentView {
  return { ...photoView(a, '/api/attachments'), caseId: a.caseId, eventSeq: a.eventSeq };
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
  const upload = checkPhotoUpload(contentType, body);
  const limit = () =>
    new AppError('photo.limit', [{ field: 'body', rule: 'maxItems', limit: PHOTOS_PER_CASE }]);
  if ((await photoCount(ctx.db, caseId)) >= PHOTOS_PER_CASE) throw limit();
  return keepPhoto(ctx, `cases/${caseId}`, upload, (photo) =>
    ctx.db.transaction(async (tx) => {
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
      if ((await photoCount(tx, caseId)) >= PHOTOS_PER_CASE) throw limit();
      const [inserted] = await tx
        .insert(caseAttachments)
        .values({ ...photo, caseId, eventSeq: toReport ? 1 : null, uploadedBy: actor.accountId })
        .returning();
      await appendAudit(tx, {
        ...auditActor(actor, meta),
        action: 'case.photo_upload',
        targetType: 'case',
        targetId: caseId,
        areaPath: row.areaPath,
        outcome: 'success',
        details: { number: row.number, attachmentId: photo.id, bytes: photo.bytes, sha256: photo.sha256 },
      });
      return { photo: toAttachmentView(inserted!), created: true };
    }),
  );
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
): Promise<PhotoFile> {
  if (!UUID.test(id)) throw new AppError('attachment.unknown');
  const [a] = await ctx.db.select().from(caseAttachments).where(eq(caseAttachments.id, id)).limit(1);
  if (!a) throw new AppError('attachment.unknown');
  const row = await loadCase(ctx.db, a.caseId);
  if (!caseReadable(new Ability(actor), actor, row)) throw new AppError('forbidden');
  return readPhotoFile(ctx, a, variant);
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
