/**
 * Photos uploaded as raw images (case photos, visit photos): one per request, checked by their magic bytes and by
 * decoding them, re-encoded (turned upright by the EXIF orientation, every metadata block dropped: no GPS position,
 * no camera serial), at most 2560 px on the long edge, with a 320 px WebP thumbnail. The files go to the upload store
 * under a folder of the owning row; the module that owns the photos writes its row and audit entry (`keepPhoto`) and
 * decides who may read them (`readPhotoFile` only fetches the bytes).
 */
import crypto from 'node:crypto';
import sharp from 'sharp';
import { PHOTO_MAX_BYTES, PHOTO_MIME_TYPES } from '../common/schemas/cases';
import type { AppContext } from './context';
import { AppError } from './http/errors';
import { uploadStore } from './storage';

export type PhotoMime = (typeof PHOTO_MIME_TYPES)[number];

/** Long edge of the stored photo and of its thumbnail, in pixels. */
export const PHOTO_LONG_EDGE = 2560;
export const THUMB_LONG_EDGE = 320;
/** Decoding more pixels than this is refused (a small file can declare a huge image: a decompression bomb). */
export const PHOTO_MAX_PIXELS = 8192 * 8192;

const FORMAT_OF: Record<PhotoMime, 'jpeg' | 'png' | 'webp'> = {
  'image/jpeg': 'jpeg',
  'image/png': 'png',
  'image/webp': 'webp',
};
const EXTENSION: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' };

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

/** 415 naming the accepted photo types. */
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

/** An upload's body once its declared type and size passed: 415 for another type or no bytes, 413 when too large. */
export interface PhotoUpload {
  mime: PhotoMime;
  body: Buffer;
}

/** Checks the raw upload's Content-Type and size (before any decoding). */
export function checkPhotoUpload(contentType: string | undefined, body: unknown): PhotoUpload {
  const mime = photoMime(contentType);
  if (!mime || !Buffer.isBuffer(body)) throw unsupportedType();
  if (body.length > PHOTO_MAX_BYTES) throw new AppError('request.too_large');
  return { mime, body };
}

/** The columns a photo row keeps (case_attachments and visit_photos share them). */
export interface StoredPhoto {
  id: string;
  mime: PhotoMime;
  bytes: number;
  width: number;
  height: number;
  sha256: string;
  storageKey: string;
  thumbKey: string;
}

/**
 * Re-encodes the upload, puts the photo and its thumbnail under `folder` in the upload store, then lets `save` write
 * the row (and audit entry) in its transaction. Unless `save` answers `created: true` (refused, or the same photo
 * already stored), both files are removed again: an orphan can only remain after a crash in between.
 */
export async function keepPhoto<R extends { created: boolean }>(
  ctx: AppContext,
  folder: string,
  upload: PhotoUpload,
  save: (photo: StoredPhoto) => Promise<R>,
): Promise<R> {
  const photo = await processPhoto(upload.body, upload.mime);
  const id = crypto.randomUUID();
  const stored: StoredPhoto = {
    id,
    mime: photo.mime,
    bytes: photo.data.length,
    width: photo.width,
    height: photo.height,
    sha256: photo.sha256,
    storageKey: `${folder}/${id}.${EXTENSION[photo.mime]}`,
    thumbKey: `${folder}/${id}.thumb.webp`,
  };
  const store = uploadStore(ctx);
  await store.put(stored.storageKey, photo.data);
  await store.put(stored.thumbKey, photo.thumb);
  let kept = false;
  try {
    const result = await save(stored);
    kept = result.created;
    return result;
  } finally {
    if (!kept) await Promise.allSettled([store.delete(stored.storageKey), store.delete(stored.thumbKey)]);
  }
}

/** The urls and sizes of a stored photo as the API shows it; `base` is its route (`/api/attachments`). */
export function photoView(
  row: Pick<StoredPhoto, 'id' | 'bytes' | 'width' | 'height'> & { mime: string; createdAt: Date | string },
  base: string,
) {
  return {
    id: row.id,
    mime: row.mime,
    bytes: row.bytes,
    width: row.width,
    height: row.height,
    url: `${base}/${row.id}`,
    thumbUrl: `${base}/${row.id}/thumb`,
    createdAt: new Date(row.createdAt).toISOString(),
  };
}

/** What a photo route sends: the bytes of the photo or its thumbnail, their type, an ETag and a file name. */
export interface PhotoFile {
  data: Buffer;
  mime: string;
  sha256: string;
  name: string;
}

/** The stored bytes of a photo or of its thumbnail (the caller has checked who may read it); 404 when missing. */
export async function readPhotoFile(
  ctx: AppContext,
  row: Pick<StoredPhoto, 'id' | 'sha256' | 'storageKey' | 'thumbKey'> & { mime: string },
  variant: 'full' | 'thumb',
): Promise<PhotoFile> {
  const data = await uploadStore(ctx).get(variant === 'full' ? row.storageKey : row.thumbKey);
  if (!data) throw new AppError('attachment.unknown');
  return variant === 'full'
    ? { data, mime: row.mime, sha256: row.sha256, name: `${row.id}.${EXTENSION[row.mime] ?? 'bin'}` }
    : { data, mime: 'image/webp', sha256: `${row.sha256}-thumb`, name: `${row.id}.thumb.webp` };
}
