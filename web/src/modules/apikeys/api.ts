/** Calls of the Open311 API keys: list, create (the key is in that answer only) and revoke. */
import type { Static } from 'typebox';
import type { ApiKeyCreate, ApiKeyCreated, ApiKeyView } from '../../../../common/schemas/apikeys';
import { api, seg } from '../../api';

export type ApiKey = ApiKeyView;
export type NewApiKey = Static<typeof ApiKeyCreated>;
export type { ApiKeyCreate };

export const apiKeysApi = {
  list: (signal?: AbortSignal) => api.get<{ items: ApiKey[] }>('/api/apikeys', undefined, signal),
  create: (body: ApiKeyCreate) => api.post<NewApiKey>('/api/apikeys', body),
  revoke: (id: string) => api.post<ApiKey>(`/api/apikeys/${seg(id)}/revoke`),
};
