/** Calls of the focus groups (重点人群): the tag tree, residents' tags, lists and counts per area. */
import type {
  ResidentTag,
  ResidentTagCreate,
  ResidentTagList,
  Tag,
  TagCounts,
  TagCreate,
  TagDetails,
  TagField,
  TaggedResident,
  TagList,
  TagUpdate,
} from '../../../../common/schemas/tags';
import { api, seg } from '../../api';

export type { ResidentTag, Tag, TagCounts, TagCreate, TagDetails, TagField, TaggedResident, TagUpdate };

export const tagsApi = {
  tree: (includeInactive = false, signal?: AbortSignal) =>
    api.get<TagList>('/api/tags', { active: !includeInactive }, signal),
  create: (body: TagCreate, idempotencyKey: string) => api.post<Tag>('/api/tags', body, { idempotencyKey }),
  update: (id: string, body: TagUpdate) => api.patch<Tag>(`/api/tags/${seg(id)}`, body),
  counts: (areaCode: string | undefined, signal?: AbortSignal) =>
    api.get<TagCounts>('/api/tags/counts', areaCode ? { areaCode } : {}, signal),
  members: (
    id: string,
    query: { areaCode?: string; limit?: number; offset?: number },
    signal?: AbortSignal,
  ) =>
    api.get<{ items: TaggedResident[]; total: number }>(`/api/tags/${seg(id)}/members`, { ...query }, signal),
  ofResident: (residentId: string, history: boolean, signal?: AbortSignal) =>
    api.get<ResidentTagList>(`/api/residents/${seg(residentId)}/focus-tags`, { history }, signal),
  add: (residentId: string, body: ResidentTagCreate) =>
    api.post<ResidentTag>(`/api/residents/${seg(residentId)}/focus-tags`, body),
  end: (residentId: string, residentTagId: string, body: { toDate?: string; note?: string }) =>
    api.post<ResidentTag>(`/api/residents/${seg(residentId)}/focus-tags/${seg(residentTagId)}/end`, body),
};

/** A tag's name in the reader's language. */
export function tagName(tag: { name: string; nameEn: string | null }, locale: string): string {
  return locale === 'en' && tag.nameEn ? tag.nameEn : tag.name;
}

/** A field's label in the reader's language. */
export function fieldLabel(field: TagField, locale: string): string {
  return locale === 'en' && field.labelEn ? field.labelEn : field.label;
}
