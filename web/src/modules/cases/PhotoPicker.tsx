/**
 * Photos chosen before saving and uploaded afterwards, one by one, each with its own progress and error: the
 * intake form uploads them right after the case is created, the action form before it sends the action.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { Alert, Button, Progress, Typography } from 'antd';
import { CameraOutlined, CloseOutlined } from '@ant-design/icons';
import { PHOTO_MAX_BYTES, PHOTO_MIME_TYPES, PHOTOS_PER_CASE } from '../../../../common/schemas/cases';
import { isApiError, newUuid } from '../../api';
import { useLocale } from '../../i18n';
import { useSession } from '../../session';
import { uploadPhoto } from './api';
import './cases.css';

export interface PhotoItem {
  key: string;
  file: File;
  /** A small data: URL for the preview, once made (the CSP allows data: images, not blob:). */
  url: string | null;
  status: 'waiting' | 'uploading' | 'done' | 'failed';
  percent: number;
  error?: string;
  attachmentId?: string;
}

const MB = Math.round(PHOTO_MAX_BYTES / (1024 * 1024));
const PREVIEW_PX = 192;

/** A downscaled JPEG data URL of a photo, so nine 10 MB photos do not sit in memory as full-size previews. */
async function previewOf(file: File): Promise<string> {
  try {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, PREVIEW_PX / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(bitmap.width * scale));
    canvas.height = Math.max(1, Math.round(bitmap.height * scale));
    canvas.getContext('2d')?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    return canvas.toDataURL('image/jpeg', 0.8);
  } catch {
    // A format the browser cannot decode: the server will say so on upload; show the name meanwhile.
    return '';
  }
}

/**
 * The chosen photos and their upload; `max` is how many more the case can take; `pathOf` sends them elsewhere
 * (a visit's photos).
 */
export function usePhotoQueue(max: number = PHOTOS_PER_CASE, pathOf?: (id: string) => string) {
  const { t, locale } = useLocale();
  const { me } = useSession();
  const [items, setItems] = useState<PhotoItem[]>([]);
  const [rejected, setRejected] = useState<string[]>([]);
  const itemsRef = useRef(items);
  itemsRef.current = items;

  // Previews are made after the photos are listed, one by one.
  useEffect(() => {
    const next = items.find((i) => i.url === null);
    if (!next) return;
    let live = true;
    void previewOf(next.file).then((url) => {
      if (live) setItems((prev) => prev.map((i) => (i.key === next.key ? { ...i, url } : i)));
    });
    return () => {
      live = false;
    };
  }, [items]);

  const add = useCallback(
    (files: File[]) => {
      const errors: string[] = [];
      const accepted: PhotoItem[] = [];
      let room = max - itemsRef.current.length;
      for (const file of files) {
        if (!(PHOTO_MIME_TYPES as readonly string[]).includes(file.type)) {
          errors.push(t('cases.photos.badType', { name: file.name }));
          continue;
        }
        if (file.size > PHOTO_MAX_BYTES) {
          errors.push(t('cases.photos.tooBig', { name: file.name, mb: MB }));
          continue;
        }
        if (room <= 0) {
          errors.push(t('cases.photos.tooMany', { max }));
          break;
        }
        room--;
        accepted.push({
          key: newUuid(),
          file,
          url: null,
          status: 'waiting',
          percent: 0,
        });
      }
      setRejected(errors);
      setItems((prev) => [...prev, ...accepted]);
    },
    [max, t],
  );

  const remove = useCallback((key: string) => {
    setItems((prev) => prev.filter((i) => i.key !== key));
  }, []);

  const patch = (key: string, p: Partial<PhotoItem>) =>
    setItems((prev) => prev.map((i) => (i.key === key ? { ...i, ...p } : i)));

  /** Uploads every photo not uploaded yet, in order; answers the ids of all uploaded ones and how many failed. */
  const uploadAll = useCallback(
    async (caseId: string): Promise<{ ids: string[]; failed: number }> => {
      const ids: string[] = [];
      let failed = 0;
      for (const item of itemsRef.current) {
        if (item.status === 'done' && item.attachmentId) {
          ids.push(item.attachmentId);
          continue;
        }
        patch(item.key, { status: 'uploading', percent: 0, error: undefined });
        try {
          const a = await uploadPhoto(caseId, item.file, {
            csrfToken: me?.csrfToken ?? null,
            locale,
            onProgress: (percent) => patch(item.key, { percent }),
            ...(pathOf ? { path: pathOf(caseId) } : {}),
          });
          patch(item.key, { status: 'done', percent: 100, attachmentId: a.id });
          ids.push(a.id);
        } catch (e) {
          failed++;
          patch(item.key, { status: 'failed', error: isApiError(e) ? e.message : String(e) });
        }
      }
      return { ids, failed };
    },
    [me, locale, pathOf],
  );

  const reset = useCallback(() => {
    setItems([]);
    setRejected([]);
  }, []);

  return { items, rejected, add, remove, uploadAll, reset, max };
}

export type PhotoQueue = ReturnType<typeof usePhotoQueue>;

export function PhotoPicker({
  queue,
  disabled,
  testId = 'photo-picker',
}: {
  queue: PhotoQueue;
  disabled?: boolean;
  testId?: string;
}) {
  const { t } = useLocale();
  const input = useRef<HTMLInputElement>(null);
  const full = queue.items.length >= queue.max;
  return (
    <div data-testid={testId}>
      <div className="photo-picker">
        {queue.items.map((p, i) => (
          <div
            key={p.key}
            className={p.status === 'failed' ? 'photo-item photo-item-failed' : 'photo-item'}
            data-testid={`${testId}-item-${i}`}
            data-status={p.status}
            title={p.error ?? p.file.name}
          >
            {p.url ? (
              <img src={p.url} alt={p.file.name} />
            ) : (
              <span className="photo-item-name">{p.file.name}</span>
            )}
            {p.status === 'uploading' ? <Progress percent={p.percent} size="small" showInfo={false} /> : null}
            <div className="photo-item-status">
              {p.status === 'uploading' ? `${p.percent}%` : t(`cases.photos.${p.status}`)}
            </div>
            {p.status !== 'uploading' && p.status !== 'done' && !disabled ? (
              <Button
                size="small"
                shape="circle"
                icon={<CloseOutlined />}
                className="photo-item-remove"
                aria-label={t('cases.photos.remove')}
                onClick={() => queue.remove(p.key)}
                data-testid={`${testId}-remove-${i}`}
              />
            ) : null}
          </div>
        ))}
        {!full && !disabled ? (
          <button
            type="button"
            className="photo-add"
            onClick={() => input.current?.click()}
            data-testid={`${testId}-add`}
          >
            <CameraOutlined style={{ fontSize: 22 }} />
            {t('cases.photos.add')}
          </button>
        ) : null}
        <input
          ref={input}
          type="file"
          accept={PHOTO_MIME_TYPES.join(',')}
          multiple
          style={{ display: 'none' }}
          onChange={(e) => {
            queue.add(Array.from(e.target.files ?? []));
            e.target.value = '';
          }}
          data-testid={`${testId}-input`}
        />
      </div>
      <Typography.Text type="secondary" style={{ fontSize: '0.85em' }}>
        {t('cases.photos.hint', { max: queue.max, mb: MB })}
      </Typography.Text>
      {queue.rejected.length ? (
        <Alert
          type="warning"
          showIcon
          className="photo-errors"
          title={queue.rejected.join('；')}
          data-testid={`${testId}-rejected`}
        />
      ) : null}
      {queue.items.some((p) => p.status === 'failed') ? (
        <Alert
          type="error"
          showIcon
          className="photo-errors"
          title={queue.items
            .filter((p) => p.status === 'failed')
            .map((p) => `${p.file.name}: ${p.error ?? t('cases.photos.failed')}`)
            .join('；')}
          data-testid={`${testId}-failed`}
        />
      ) : null}
    </div>
  );
}
