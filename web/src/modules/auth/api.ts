/** Calls of the auth module: staff and resident login, password and TOTP of the signed-in account. */
import type { Static } from 'typebox';
import type { TotpSetupResponse } from '../../../../common/schemas/auth';
import { api } from '../../api';

export const authApi = {
  login: (body: { username: string; password: string; totp?: string }) =>
    api.post<unknown>('/api/auth/login', body),
  residentCode: (phone: string) => api.post<unknown>('/api/auth/resident/code', { phone }),
  residentLogin: (phone: string, code: string) =>
    api.post<unknown>('/api/auth/resident/login', { phone, code }),
  changePassword: (currentPassword: string, newPassword: string) =>
    api.post<unknown>('/api/me/password', { currentPassword, newPassword }),
  totpSetup: () => api.post<Static<typeof TotpSetupResponse>>('/api/me/totp/setup'),
  totpEnable: (code: string) => api.post<unknown>('/api/me/totp/enable', { code }),
  totpDisable: (code: string) => api.post<unknown>('/api/me/totp/disable', { code }),
};
