/** Calls of the population register: residents, households, their links and events, and the audited reveal. */
import type {
  Household,
  HouseholdCard,
  HouseholdCreate,
  HouseholdRelation,
  LivingType,
  ResidentCard,
  ResidentCreate,
  ResidentEvent,
  ResidentSummary,
  Revealed,
  RevealField,
} from '../../../../common/schemas/people';
import { api, seg } from '../../api';

export type {
  Household,
  HouseholdCard,
  HouseholdCreate,
  HouseholdRelation,
  LivingType,
  ResidentCard,
  ResidentCreate,
  ResidentEvent,
  ResidentSummary,
  Revealed,
  RevealField,
};

export interface HouseholdQuery {
  dwellingId?: string;
  areaCode?: string;
  q?: string;
  limit?: number;
  offset?: number;
}

export const peopleApi = {
  households: (query: HouseholdQuery, signal?: AbortSignal) =>
    api.get<{ items: Household[]; total: number }>('/api/households', { ...query }, signal),
  household: (id: string, signal?: AbortSignal) =>
    api.get<HouseholdCard>(`/api/households/${seg(id)}`, undefined, signal),
  createHousehold: (body: HouseholdCreate) =>
    api.post<HouseholdCard>('/api/households', body, { idempotencyKey: true }),
  addMember: (id: string, residentId: string, relation: HouseholdRelation) =>
    api.post<HouseholdCard>(`/api/households/${seg(id)}/members`, { residentId, relation }),
  changeRelation: (id: string, residentId: string, relation: HouseholdRelation) =>
    api.patch<HouseholdCard>(`/api/households/${seg(id)}/members/${seg(residentId)}`, { relation }),
  leave: (id: string, residentId: string, date?: string) =>
    api.post<HouseholdCard>(
      `/api/households/${seg(id)}/members/${seg(residentId)}/leave`,
      date ? { date } : {},
    ),
  moveIn: (id: string, body: { dwellingId: string; livingType: LivingType; date?: string }) =>
    api.post<HouseholdCard>(`/api/households/${seg(id)}/move-in`, body),
  moveOut: (id: string, body: { date?: string; leftArea?: boolean }) =>
    api.post<HouseholdCard>(`/api/households/${seg(id)}/move-out`, body),
  resident: (id: string, signal?: AbortSignal) =>
    api.get<ResidentCard>(`/api/residents/${seg(id)}`, undefined, signal),
  createResident: (body: ResidentCreate, idempotencyKey: string) =>
    api.post<ResidentCard>('/api/residents', body, { idempotencyKey }),
  death: (id: string, body: { date?: string; note?: string }) =>
    api.post<ResidentCard>(`/api/residents/${seg(id)}/death`, body),
  reveal: (id: string, field: RevealField, purpose: string) =>
    api.post<Revealed>(`/api/residents/${seg(id)}/reveal`, { field, purpose }),
};
