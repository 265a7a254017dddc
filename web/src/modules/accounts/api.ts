/** Calls of the accounts module: staff accounts, their assignments, and sessions. */
import type { Static } from 'typebox';
import type {
  PasswordReset,
  RevealResponse,
  SessionList,
  SessionView,
} from '../../../../common/schemas/accounts';
import type { AccountCreate, AccountView, AssignmentInput } from '../../contract';
import type { Role } from '../../../../common/roles';
import { api, seg } from '../../api';

export type { AccountCreate, AccountView, AssignmentInput };
export type Session = Static<typeof SessionView>;

export interface AccountFilter {
  q?: string;
  role?: Role;
  area?: string;
  disabled?: boolean;
  limit: number;
  offset: number;
}

export const accountsApi = {
  list: (f: AccountFilter, signal?: AbortSignal) =>
    api.get<{ items: AccountView[]; total: number }>('/api/accounts', { ...f }, signal),
  get: (id: string, signal?: AbortSignal) =>
    api.get<AccountView>(`/api/accounts/${seg(id)}`, undefined, signal),
  create: (body: AccountCreate, idempotencyKey: string) =>
    api.post<{ account: AccountView; temporaryPassword: string | null }>('/api/accounts', body, {
      idempotencyKey,
    }),
  update: (id: string, body: { displayName?: string; phone?: string | null; disabled?: boolean }) =>
    api.patch<AccountView>(`/api/accounts/${seg(id)}`, body),
  addAssignment: (id: string, body: AssignmentInput, idempotencyKey: string) =>
    api.post<AccountView>(`/api/accounts/${seg(id)}/assignments`, body, { idempotencyKey }),
  removeAssignment: (id: string, assignmentId: string) =>
    api.delete<AccountView>(`/api/accounts/${seg(id)}/assignments/${seg(assignmentId)}`),
  resetPassword: (id: string) =>
    api.post<Static<typeof PasswordReset>>(`/api/accounts/${seg(id)}/reset-password`),
  unlock: (id: string) => api.post<unknown>(`/api/accounts/${seg(id)}/unlock`),
  reveal: (id: string, purpose: string) =>
    api.post<Static<typeof RevealResponse>>(`/api/accounts/${seg(id)}/reveal`, { field: 'phone', purpose }),
  sessions: (signal?: AbortSignal) => api.get<Static<typeof SessionList>>('/api/sessions', undefined, signal),
  revokeSession: (id: string) => api.delete<unknown>(`/api/sessions/${seg(id)}`),
};
