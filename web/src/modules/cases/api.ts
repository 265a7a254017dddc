/** Calls of the cases module: lists, detail, timeline, actions, intake, photos, similar cases and the grid map. */
import type { Static } from 'typebox';
import type {
  AttachmentList,
  AttachmentView as AttachmentViewSchema,
  CaseActionBody,
  CaseCreate,
  CaseDetail as CaseDetailSchema,
  CaseEventList,
  CaseEventView as CaseEventViewSchema,
  CaseList as CaseListSchema,
  CaseListQuery,
  CaseSummary as CaseSummarySchema,
  SimilarCase as SimilarCaseSchema,
  SimilarList,
  SimilarQuery,
} from '../../../../common/schemas/cases';
import type { GridMap as GridMapSchema } from '../../../../common/schemas/stats';
import type { Department } from '../../../../common/schemas/areas';
import { api, ApiError, seg, type Query } from '../../api';
import { translateIn } from '../../catalogues';
import type { Locale } from '../../../../common/locale';

export type CaseSummary = Static<typeof CaseSummarySchema>;
export type CaseDetail = Static<typeof CaseDetailSchema>;
export type CaseList = Static<typeof CaseListSchema>;
export type CaseEvent = Static<typeof CaseEventViewSchema>;
export type Attachment = Static<typeof AttachmentViewSchema>;
export type SimilarCase = Static<typeof SimilarCaseSchema>;
export type GridMap = Static<typeof GridMapSchema>;
export type GridMapEntry = GridMap['grids'][number];
export type { CaseActionBody, CaseCreate, CaseListQuery, Department };

/** The query object as the API client takes it (undefined values are left out of the URL). */
function q(query: object): Query {
  return query as Query;
}

export const casesApi = {
  list: (query: CaseListQuery, signal?: AbortSignal) => api.get<CaseList>('/api/cases', q(query), signal),
  get: (id: string, signal?: AbortSignal) => api.get<CaseDetail>(`/api/cases/${seg(id)}`, undefined, signal),
  events: (id: string, signal?: AbortSignal) =>
    api.get<Static<typeof CaseEventList>>(`/api/cases/${seg(id)}/events`, undefined, signal),
  photos: (id: string, signal?: AbortSignal) =>
    api.get<Static<typeof AttachmentList>>(`/api/cases/${seg(id)}/photos`, undefined, signal),
  act: (id: string, body: CaseActionBody, idempotencyKey: string) =>
    api.post<CaseDetail>(`/api/cases/${seg(id)}/actions`, body, { idempotencyKey }),
  create: (body: CaseCreate, idempotencyKey: string) =>
    api.post<CaseDetail>('/api/cases', body, { idempotencyKey }),
  similar: (query: SimilarQuery, signal?: AbortSignal) =>
    api.get<Static<typeof SimilarList>>('/api/cases/similar', q(query), signal),
  gridMap: (area: string | undefined, signal?: AbortSignal) =>
    api.get<GridMap>('/api/stats/grid-map', { area }, signal),
  /** The departments of the case's district: where it may be dispatched or transferred. */
  departments: (caseId: string, signal?: AbortSignal) =>
    api.get<{ items: Department[] }>(`/api/cases/${caseId}/dispatch-targets`, {}, signal),
};

/**
 * Uploads one photo as the raw request body (the server re-encodes it and strips location data), reporting
 * progress; XMLHttpRequest because fetch cannot report upload progress.
 */
export function uploadPhoto(
  caseId: string,
  file: File,
  opts: {
    csrfToken: string | null;
    locale: Locale;
    onProgress?: (percent: number) => void;
    signal?: AbortSignal;
    /** Where to send it; default the case's photos (visits reuse this for their own photos). */
    path?: string;
  },
): Promise<Attachment> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', opts.path ?? `/api/cases/${seg(caseId)}/photos`);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Accept-Language', opts.locale);
    if (opts.csrfToken) xhr.setRequestHeader('X-CSRF-Token', opts.csrfToken);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) opts.onProgress?.(Math.round((e.loaded / e.total) * 100));
    };
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        // A proxy's HTML error page: handled as an unknown error below.
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(body as Attachment);
        return;
      }
      const err = (body as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
      const details = Array.isArray(err?.details)
        ? (err.details as { field?: unknown; rule?: unknown }[]).flatMap((d) =>
            typeof d?.field === 'string' ? [{ field: d.field, rule: String(d.rule ?? '') }] : [],
          )
        : [];
      reject(
        new ApiError(
          xhr.status,
          err?.code ?? `http.${xhr.status}`,
          err?.message ?? translateIn(opts.locale, 'common.unknownError', { status: xhr.status }),
          details,
        ),
      );
    };
    xhr.onerror = () =>
      reject(new ApiError(0, 'network.error', translateIn(opts.locale, 'common.networkError')));
    xhr.onabort = () => reject(new DOMException('aborted', 'AbortError'));
    opts.signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}
