/** Calls of the audit module: the log and its hash-chain check. */
import type { Static } from 'typebox';
import type { AuditEntry, AuditPage, AuditVerifyResult } from '../../../../common/schemas/audit';
import { api } from '../../api';

export type { AuditEntry };
export type AuditVerify = Static<typeof AuditVerifyResult>;
export type AuditOutcome = AuditEntry['outcome'];

export interface AuditFilter {
  actor?: string;
  action?: string;
  outcome?: AuditOutcome;
  from?: string;
  to?: string;
  before?: string;
  limit?: number;
}

export const auditApi = {
  list: (f: AuditFilter, signal?: AbortSignal) =>
    api.get<Static<typeof AuditPage>>('/api/audit', { ...f }, signal),
  verify: () => api.get<AuditVerify>('/api/audit/verify'),
};
