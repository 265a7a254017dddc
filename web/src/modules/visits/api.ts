/** Calls of home visits: rules, due list, recording, a need to a case, and the ledger (民情台账). */
import type { Static } from 'typebox';
import type {
  Coverage,
  DueList,
  DueStatus,
  NeedCategory,
  NeverList,
  Visit,
  VisitCreate,
  VisitRule,
  VisitRuleCreate,
} from '../../../../common/schemas/visits';
import { api, seg } from '../../api';

export type { Coverage, DueList, DueStatus, NeedCategory, Visit, VisitCreate, VisitRule };
export type NeverItems = Static<typeof NeverList>;
export type DueItem = DueList['items'][number];

export const visitsApi = {
  due: (
    query: { areaCode?: string; status?: DueStatus; limit?: number; offset?: number },
    signal?: AbortSignal,
  ) => api.get<DueList>('/api/visits/due', { ...query }, signal),
  list: (query: { householdId?: string; areaCode?: string; limit?: number }, signal?: AbortSignal) =>
    api.get<{ items: Visit[]; total: number }>('/api/visits', { ...query }, signal),
  record: (body: VisitCreate) => api.post<Visit>('/api/visits', body, { idempotencyKey: true }),
  needToCase: (visitId: string, n: number, categoryId: string) =>
    api.post<{ visit: Visit; caseId: string; caseNumber: string }>(
      `/api/visits/${seg(visitId)}/needs/${n}/case`,
      { categoryId },
      { idempotencyKey: true },
    ),
  coverage: (query: { areaCode: string; from: string; to: string }, signal?: AbortSignal) =>
    api.get<Coverage>('/api/visits/coverage', { ...query }, signal),
  never: (
    query: { areaCode: string; from: string; to: string; limit?: number; offset?: number },
    signal?: AbortSignal,
  ) => api.get<NeverItems>('/api/visits/coverage/never', { ...query }, signal),
  rules: (areaCode: string | undefined, signal?: AbortSignal) =>
    api.get<{ items: VisitRule[]; defaultIntervalDays: number }>(
      '/api/visit-rules',
      areaCode ? { areaCode } : {},
      signal,
    ),
  createRule: (body: VisitRuleCreate) =>
    api.post<VisitRule>('/api/visit-rules', body, { idempotencyKey: true }),
  updateRule: (id: string, body: { version: number; intervalDays?: number; note?: string | null }) =>
    api.patch<VisitRule>(`/api/visit-rules/${seg(id)}`, body),
  retireRule: (id: string, version: number) =>
    api.post<{ ok: true }>(`/api/visit-rules/${seg(id)}/retire`, { version }),
};

/** A YYYY-MM-DD day in China time, `offset` days from today. */
export function chinaDay(offset = 0): string {
  const d = new Date(Date.now() + 8 * 3_600_000);
  d.setUTCDate(d.getUTCDate() + offset);
  return d.toISOString().slice(0, 10);
}

export type { NeedCategory as Category };
