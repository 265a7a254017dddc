/** Small helpers the authentication tests share (raw logins, cookies, TOTP codes, audit rows). */
import { desc, eq } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import type { AppContext } from '../../context';
import type { App } from '../../http/types';
import { auditLog } from '../audit/tables';
import { SESSION_COOKIE } from './sessions';
import { totpCode, totpStep } from './totp';

/** The `linli_session=…` cookie header from a login answer (throws when there is none). */
export function sessionCookie(res: LightMyRequestResponse): string {
  const c = res.cookies.find((x) => x.name === SESSION_COOKIE);
  if (!c) throw new Error(`no session cookie in ${res.statusCode} ${res.body}`);
  return `${SESSION_COOKIE}=${c.value}`;
}

export function postLogin(app: App, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url: '/api/auth/login', payload: body, headers });
}

/** Cookie and CSRF headers of a fresh session. */
export async function sessionHeaders(app: App, cookie: string): Promise<Record<string, string>> {
  const me = await app.inject({ method: 'GET', url: '/api/me', headers: { cookie } });
  if (me.statusCode !== 200) throw new Error(`/api/me: ${me.statusCode} ${me.body}`);
  return { cookie, 'x-csrf-token': (me.json() as { csrfToken: string }).csrfToken };
}

/** The code of a secret for the current step plus an offset (to test the window and replays). */
export function codeAt(secret: string, offsetSteps = 0): string {
  return totpCode(secret, totpStep() + offsetSteps);
}

/** The newest audit rows of an action. */
export async function auditRows(ctx: AppContext, action: string) {
  return ctx.db.select().from(auditLog).where(eq(auditLog.action, action)).orderBy(desc(auditLog.id));
}

/** Signs a resident in through the real SMS login (the code read from the test SMS sender); answers its session. */
export async function residentSession(
  env: { app: App; sms: { sent: { phone: string; text: string }[] } },
  phone: string,
): Promise<{ cookie: string; csrf: string; headers: Record<string, string> }> {
  await env.app.inject({ method: 'POST', url: '/api/auth/resident/code', payload: { phone } });
  const text = env.sms.sent.filter((m) => m.phone === phone).at(-1)?.text ?? '';
  const code = text.match(/\d{6}/)?.[0];
  if (!code) throw new Error(`no SMS code was sent to ${phone}`);
  const res = await env.app.inject({
    method: 'POST',
    url: '/api/auth/resident/login',
    payload: { phone, code },
  });
  const cookie = sessionCookie(res);
  const headers = await sessionHeaders(env.app, cookie);
  return { cookie, csrf: headers['x-csrf-token'] ?? '', headers };
}
