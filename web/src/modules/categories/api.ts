/** Calls of the categories module: the case category tree, routing rules and the routing preview. */
import type {
  Category,
  CategoryCreate,
  CategoryList,
  CategoryUpdate,
  RoutingResolution,
  RoutingRule,
  RoutingRuleCreate,
} from '../../../../common/schemas/categories';
import { api, seg } from '../../api';

export type { Category, CategoryCreate, CategoryUpdate, RoutingResolution, RoutingRule, RoutingRuleCreate };

export const categoriesApi = {
  list: (includeInactive: boolean, signal?: AbortSignal) =>
    api.get<CategoryList>('/api/categories', { active: !includeInactive }, signal),
  create: (body: CategoryCreate, idempotencyKey: string) =>
    api.post<Category>('/api/categories', body, { idempotencyKey }),
  update: (id: string, body: CategoryUpdate) => api.patch<Category>(`/api/categories/${seg(id)}`, body),
  rules: (signal?: AbortSignal) => api.get<{ items: RoutingRule[] }>('/api/routing-rules', undefined, signal),
  createRule: (body: RoutingRuleCreate, idempotencyKey: string) =>
    api.post<RoutingRule>('/api/routing-rules', body, { idempotencyKey }),
  removeRule: (id: string) => api.delete<{ ok: true }>(`/api/routing-rules/${seg(id)}`),
  resolve: (categoryId: string, areaCode: string, signal?: AbortSignal) =>
    api.get<RoutingResolution>('/api/routing-rules/resolve', { categoryId, areaCode }, signal),
};
