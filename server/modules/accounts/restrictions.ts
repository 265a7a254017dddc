/**
 * Restricted sessions: an account that must change its password, or an administrator-role account that has not
 * enrolled TOTP yet, may only use the few routes that get it out of that state. The app checks this centrally,
 * right after the session gate, for every /api route that needs a session.
 */
import { ADMIN_ROLES, type Role } from '../../../common/roles';
import type { ErrorCode } from '../../../common/errors';
import type { AppContext } from '../../context';

export interface SessionRestriction {
  /** Temporary password, or password expired under the dengbao3 profile. */
  passwordChangeRequired: boolean;
  /** An administrator role without TOTP (outside the demo): TOTP must be enrolled first. */
  totpSetupRequired: boolean;
}

/** Whether an account holding these assignments must use TOTP (三员: admin, security_admin, auditor). */
export function mustUseTotp(assignments: readonly { role: Role }[]): boolean {
  return assignments.some((a) => ADMIN_ROLES.includes(a.role));
}

/** Demo accounts of a demo install log in without TOTP, so that anyone can try every role. */
export function totpExempt(ctx: AppContext, account: { demo: boolean }): boolean {
  return ctx.config.demo && account.demo;
}

/**
 * Whether the session still has to enrol TOTP: marked so at login, or (role granted since) an administrator
 * role without TOTP enabled.
 */
export function totpSetupRequired(
  ctx: AppContext,
  s: { pendingTotp: boolean; totpEnabled: boolean; demo: boolean },
  assignments: readonly { role: Role }[],
): boolean {
  if (s.totpEnabled || totpExempt(ctx, s)) return false;
  return s.pendingTotp || mustUseTotp(assignments);
}

function isRead(method: string): boolean {
  return method === 'GET' || method === 'HEAD';
}

const ME = '/api/me';
const LOGOUT = '/api/auth/logout';
const PASSWORD = '/api/me/password';
const TOTP_PREFIX = '/api/me/totp/';

/** The error a restricted session gets on this route, or null when the route is allowed. */
export function restrictionError(
  method: string,
  url: string | undefined,
  r: SessionRestriction,
): ErrorCode | null {
  if (!url) return null;
  const me = isRead(method) && url === ME;
  const logout = method === 'POST' && url === LOGOUT;
  // The password comes first: an administrator with a temporary password changes it, then enrols TOTP.
  if (r.passwordChangeRequired) {
    const allowed = me || logout || (method === 'POST' && url === PASSWORD);
    return allowed ? null : 'auth.password_change_required';
  }
  if (r.totpSetupRequired) {
    const allowed = me || logout || url.startsWith(TOTP_PREFIX);
    return allowed ? null : 'auth.totp_setup_required';
  }
  return null;
}
