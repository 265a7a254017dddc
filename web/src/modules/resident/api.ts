/** Calls of the resident pages: report a case online, list and read one's own cases, add photos, rate. */
import type { Static } from 'typebox';
import type {
  AttachmentList as AttachmentListSchema,
  AttachmentView as AttachmentViewSchema,
  CaseCreate,
  CaseDetail as CaseDetailSchema,
  CaseEventList as CaseEventListSchema,
  CaseList as CaseListSchema,
  CaseSummary as CaseSummarySchema,
  Rating,
} from '../../../../common/schemas/cases';
import type {
  AreaLookupItem,
  AreaLookupList as AreaLookupListSchema,
} from '../../../../common/schemas/areas';
import { api, ApiError, isApiError, seg, type ApiErrorDetail } from '../../api';
import type { Locale } from '../../../../common/locale';

export type CaseSummary = Static<typeof CaseSummarySchema>;
export type CaseDetail = Static<typeof CaseDetailSchema>;
export type CaseList = Static<typeof CaseListSchema>;
export type CaseEvent = Static<typeof CaseEventListSchema>['items'][number];
export type Attachment = Static<typeof AttachmentViewSchema>;
export type RatingValue = Static<typeof Rating>;
export type Place = AreaLookupItem;

/** An online report: either the point (lat, lng) finds the grid, or the resident picked a community or grid by name. */
export type ResidentReport = Omit<CaseCreate, 'areaCode' | 'channel'> & {
  channel: 'online';
  areaCode?: string;
};

/** Parses the server's one error shape from a raw response (the JSON helpers cannot send a binary body). */
async function rawError(res: Response, fallback: string): Promise<ApiError> {
  try {
    const body = (await res.json()) as {
      error?: { code?: string; message?: string; details?: ApiErrorDetail[] };
    };
    if (body.error?.message)
      return new ApiError(
        res.status,
        body.error.code ?? `http.${res.status}`,
        body.error.message,
        body.error.details ?? [],
      );
  } catch {
    // Not JSON: the generic message below.
  }
  return new ApiError(res.status, `http.${res.status}`, fallback);
}

export const residentApi = {
  /** Communities and grids by a part of their (or their street's, district's) name: public names, for residents. */
  lookup: (q: string, signal?: AbortSignal) =>
    api.get<Static<typeof AreaLookupListSchema>>('/api/areas/lookup', { q, limit: 20 }, signal),
  create: (body: ResidentReport, idempotencyKey: string) =>
    api.post<CaseDetail>('/api/cases', body, { idempotencyKey }),
  list: (query: { limit: number; offset: number; status?: string }, signal?: AbortSignal) =>
    api.get<CaseList>('/api/cases', query, signal),
  get: (id: string, signal?: AbortSignal) => api.get<CaseDetail>(`/api/cases/${seg(id)}`, undefined, signal),
  events: (id: string, signal?: AbortSignal) =>
    api.get<{ items: CaseEvent[] }>(`/api/cases/${seg(id)}/events`, undefined, signal),
  /** The case's photos; an empty list while the photo endpoint is not there (404 of the route, not the case). */
  photos: async (id: string, signal?: AbortSignal): Promise<Attachment[]> => {
    try {
      return (
        await api.get<Static<typeof AttachmentListSchema>>(`/api/cases/${seg(id)}/photos`, undefined, signal)
      ).items;
    } catch (e) {
      if (isApiError(e) && e.status === 404) return [];
      throw e;
    }
  },
  rate: (id: string, version: number, rating: RatingValue, comment: string | undefined) =>
    api.post<CaseDetail>(
      `/api/cases/${seg(id)}/actions`,
      { action: 'rate', version, rating, ...(comment ? { comment } : {}) },
      { idempotencyKey: true },
    ),
  /** Uploads one photo as the raw request body with its own Content-Type. */
  uploadPhoto: async (
    caseId: string,
    photo: Blob,
    opts: { csrfToken: string; locale: Locale; fallbackMessage: string },
  ): Promise<Attachment> => {
    let res: Response;
    try {
      res = await fetch(`/api/cases/${seg(caseId)}/photos`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: {
          'Content-Type': photo.type || 'application/octet-stream',
          Accept: 'application/json',
          'Accept-Language': opts.locale,
          'X-CSRF-Token': opts.csrfToken,
        },
        body: photo,
      });
    } catch {
      throw new ApiError(0, 'network.error', opts.fallbackMessage);
    }
    if (!res.ok) throw await rawError(res, opts.fallbackMessage);
    return (await res.json()) as Attachment;
  },
};
