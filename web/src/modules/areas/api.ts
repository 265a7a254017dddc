/** Calls of the areas module: the area tree, search, grids and departments. */
import type { Static } from 'typebox';
import type { Department, GridBoundary } from '../../../../common/schemas/areas';
import type { Area, AreaDetail } from '../../contract';
import { api, seg } from '../../api';

export type { Area, AreaDetail, Department };
export type Boundary = Static<typeof GridBoundary>;

export const areasApi = {
  roots: (signal?: AbortSignal) => api.get<{ items: Area[] }>('/api/areas', undefined, signal),
  children: (parent: string, signal?: AbortSignal) =>
    api.get<{ items: Area[] }>('/api/areas', { parent }, signal),
  search: (q: string, limit = 20, signal?: AbortSignal) =>
    api.get<{ items: Area[] }>('/api/areas/search', { q, limit }, signal),
  get: (code: string, signal?: AbortSignal) =>
    api.get<AreaDetail>(`/api/areas/${seg(code)}`, undefined, signal),
  createGrid: (
    communityCode: string,
    body: { name: string; suffix?: string; boundary?: Boundary | null },
    idempotencyKey: string,
  ) => api.post<Area>(`/api/areas/${seg(communityCode)}/grids`, body, { idempotencyKey }),
  updateGrid: (code: string, body: { name?: string; boundary?: Boundary | null }) =>
    api.patch<Area>(`/api/grids/${seg(code)}`, body),
  deleteGrid: (code: string) => api.delete<unknown>(`/api/grids/${seg(code)}`),
  departments: () => api.get<{ items: Department[] }>('/api/departments'),
};
