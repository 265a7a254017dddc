/** Picks up to nine photos with previews and a remove button each; large ones are scaled down before upload. */
import { useEffect, useRef, useState } from 'react';
import { App, Button } from 'antd';
import { CameraOutlined, CloseOutlined } from '@ant-design/icons';
import { PHOTO_MAX_BYTES, PHOTO_MIME_TYPES, PHOTOS_PER_CASE } from '../../../../common/schemas/cases';
import { useT } from '../../i18n';

export interface PickedPhoto {
  /** Stable key for React and for retrying one upload. */
  key: string;
  file: File;
}

let counter = 0;

export function PhotoPicker({
  value,
  onChange,
  disabled,
}: {
  value: PickedPhoto[];
  onChange: (photos: PickedPhoto[]) => void;
  disabled?: boolean;
}) {
  const t = useT();
  const { message } = App.useApp();
  const input = useRef<HTMLInputElement>(null);

  const add = (files: FileList | null) => {
    if (!files) return;
    const next = [...value];
    let skippedType = 0;
    let skippedSize = 0;
    for (const file of Array.from(files)) {
      if (!(PHOTO_MIME_TYPES as readonly string[]).includes(file.type)) skippedType++;
      // Scaled down before upload, so only absurd originals are refused here.
      else if (file.size > PHOTO_MAX_BYTES * 3) skippedSize++;
      else if (next.length < PHOTOS_PER_CASE) next.push({ key: `p${++counter}`, file });
    }
    if (skippedType) void message.warning(t('resident.photoWrongType'));
    if (skippedSize) void message.warning(t('resident.photoTooLarge'));
    if (files.length > 0 && next.length === PHOTOS_PER_CASE && value.length + files.length > PHOTOS_PER_CASE)
      void message.info(t('resident.photoLimit', { n: PHOTOS_PER_CASE }));
    onChange(next);
  };

  return (
    <div className="photo-picker" data-testid="photo-picker">
      <div className="photo-grid">
        {value.map((u, i) => (
          <div className="photo-cell" key={u.key} data-testid="photo-preview">
            <Preview file={u.file} alt={t('resident.photoAlt', { n: i + 1 })} />
            <Button
              className="photo-remove"
              shape="circle"
              size="small"
              danger
              icon={<CloseOutlined />}
              aria-label={t('resident.photoRemove', { n: i + 1 })}
              disabled={disabled}
              onClick={() => onChange(value.filter((p) => p.key !== u.key))}
              data-testid={`photo-remove-${i}`}
            />
          </div>
        ))}
        {value.length < PHOTOS_PER_CASE ? (
          <button
            type="button"
            className="photo-add"
            onClick={() => input.current?.click()}
            disabled={disabled}
            data-testid="photo-add"
          >
            <CameraOutlined className="photo-add-icon" />
            <span>{t('resident.photoAdd')}</span>
            <span className="photo-count">
              {value.length}/{PHOTOS_PER_CASE}
            </span>
          </button>
        ) : null}
      </div>
      <input
        ref={input}
        type="file"
        accept={PHOTO_MIME_TYPES.join(',')}
        multiple
        style={{ display: 'none' }}
        onChange={(e) => {
          add(e.target.files);
          e.target.value = '';
        }}
        data-testid="photo-input"
      />
    </div>
  );
}

const PREVIEW_SIDE = 240;

/**
 * A small preview drawn into a data: URL: the Content-Security-Policy allows data: images but not blob: ones, and a
 * thumbnail keeps nine phone photos from holding megabytes of base64 in the page.
 */
async function previewUrl(file: File): Promise<string | null> {
  try {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, PREVIEW_SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(bitmap.width * scale));
    canvas.height = Math.max(1, Math.round(bitmap.height * scale));
    canvas.getContext('2d')?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    return canvas.toDataURL('image/jpeg', 0.8);
  } catch {
    return null;
  }
}

function Preview({ file, alt }: { file: File; alt: string }) {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void previewUrl(file).then((u) => {
      if (live) setUrl(u);
    });
    return () => {
      live = false;
    };
  }, [file]);
  return url ? (
    <img src={url} alt={alt} />
  ) : (
    <CameraOutlined className="photo-placeholder" aria-label={alt} />
  );
}

const MAX_SIDE = 2048;
const SCALE_ABOVE_BYTES = 1.5 * 1024 * 1024;

/**
 * A phone photo of several megabytes scaled to at most 2048 px as JPEG: quicker on a slow line and well inside the
 * server's limit. Small files and anything the browser cannot decode go as they are (the server checks them).
 */
export async function downscale(file: File): Promise<Blob> {
  if (file.size <= SCALE_ABOVE_BYTES || typeof createImageBitmap !== 'function') return file;
  try {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    const g = canvas.getContext('2d');
    if (!g) return file;
    g.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.85));
    return blob && blob.size < file.size ? blob : file;
  } catch {
    return file;
  }
}
