/** Routes of login (password + TOTP, resident SMS code), logout, the current account, password and TOTP. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  ChangePasswordBody,
  LoginBody,
  MeResponse,
  ResidentCodeRequest,
  ResidentLoginBody,
  TotpCodeBody,
  TotpSetupResponse,
} from '../../../common/schemas/auth';
import { ErrorBody, Ok } from '../../../common/schemas/common';
import type { AppContext } from '../../context';
import type { App } from '../../http/types';
import type { RegisterRoutes } from '../index';
import {
  changePassword,
  getMe,
  logout,
  passwordLogin,
  totpDisable,
  totpEnable,
  totpSetup,
  type LoginResult,
  type RequestMeta,
} from './auth';
import { requestResidentCode, residentLogin } from './resident';
import { SESSION_COOKIE } from './sessions';
import { AppError } from '../../http/errors';

const TAGS = ['auth'];
const ok = { ok: true as const };

function metaOf(req: FastifyRequest): RequestMeta {
  const ua = req.headers['user-agent'];
  return { ip: req.ip ?? null, userAgent: typeof ua === 'string' ? ua : null, requestId: req.id };
}

function cookieOptions(ctx: AppContext) {
  return { httpOnly: true, sameSite: 'lax' as const, path: '/', secure: ctx.config.cookieSecure };
}

function setSessionCookie(ctx: AppContext, reply: FastifyReply, session: LoginResult): void {
  reply.setCookie(SESSION_COOKIE, session.token, { ...cookieOptions(ctx), maxAge: session.maxAgeSeconds });
}

const errors = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, ErrorBody]));

export const authRoutes: RegisterRoutes = async (app: App, ctx: AppContext) => {
  const publicWrite = { auth: 'public' as const, csrf: false, idempotency: false };

  app.post(
    '/api/auth/login',
    {
      config: publicWrite,
      schema: {
        tags: TAGS,
        summary: 'Log in with username and password (and a TOTP code when enabled); sets the session cookie',
        body: LoginBody,
        response: { 200: Ok, ...errors(400, 401, 413, 415, 429) },
      },
    },
    async (req, reply) => {
      const session = await passwordLogin(ctx, req.actor, req.body, metaOf(req));
      setSessionCookie(ctx, reply, session);
      return ok;
    },
  );

  app.post(
    '/api/auth/logout',
    {
      config: { idempotency: false },
      schema: {
        tags: TAGS,
        summary: 'Log out: ends the session and clears the cookie',
        security: [{ session: [], csrf: [] }],
        response: { 200: Ok, ...errors(401, 403) },
      },
    },
    async (req, reply) => {
      await logout(ctx, req.requireActor(), metaOf(req));
      reply.clearCookie(SESSION_COOKIE, cookieOptions(ctx));
      return ok;
    },
  );

  app.post(
    '/api/auth/resident/code',
    {
      config: publicWrite,
      schema: {
        tags: TAGS,
        summary: 'Send a 6-digit login code by SMS to a resident (at most once a minute per number)',
        body: ResidentCodeRequest,
        response: { 200: Ok, ...errors(400, 413, 415, 429, 503) },
      },
    },
    async (req) => {
      await requestResidentCode(ctx, req.body.phone, metaOf(req));
      return ok;
    },
  );

  app.post(
    '/api/auth/resident/login',
    {
      config: publicWrite,
      schema: {
        tags: TAGS,
        summary: 'Log a resident in with phone number and SMS code; the first login creates the account',
        body: ResidentLoginBody,
        response: { 200: Ok, ...errors(400, 401, 413, 415, 429) },
      },
    },
    async (req, reply) => {
      const session = await residentLogin(ctx, req.actor, req.body, metaOf(req));
      setSessionCookie(ctx, reply, session);
      return ok;
    },
  );

  app.get(
    '/api/me',
    {
      schema: {
        tags: TAGS,
        summary:
          'The signed-in account, its assignments and abilities, the CSRF token and the session limits',
        security: [{ session: [] }],
        response: { 200: MeResponse, ...errors(401) },
      },
    },
    async (req) => {
      const actor = req.requireActor();
      if (!req.sessionInfo) throw new AppError('auth.required');
      return getMe(ctx, actor, req.ability, req.sessionInfo);
    },
  );

  app.post(
    '/api/me/password',
    {
      // The body holds passwords: nothing of it may be kept for idempotent replays.
      config: { idempotency: false },
      schema: {
        tags: TAGS,
        summary: 'Change the own password; other sessions of the account end',
        security: [{ session: [], csrf: [] }],
        body: ChangePasswordBody,
        response: { 200: Ok, ...errors(400, 401, 403, 429) },
      },
    },
    async (req) => {
      await changePassword(ctx, req.requireActor(), req.body, metaOf(req));
      return ok;
    },
  );

  app.post(
    '/api/me/totp/setup',
    {
      // The answer holds the secret: it must not be stored for idempotent replays.
      config: { idempotency: false },
      schema: {
        tags: TAGS,
        summary: 'Start TOTP enrolment: a new secret and its otpauth:// URL (not active until enabled)',
        security: [{ session: [], csrf: [] }],
        response: { 200: TotpSetupResponse, ...errors(401, 403, 409) },
      },
    },
    async (req) => totpSetup(ctx, req.requireActor(), metaOf(req)),
  );

  app.post(
    '/api/me/totp/enable',
    {
      schema: {
        tags: TAGS,
        summary: 'Finish TOTP enrolment with a code from the authenticator app',
        security: [{ session: [], csrf: [] }],
        body: TotpCodeBody,
        response: { 200: Ok, ...errors(400, 401, 403, 409) },
      },
    },
    async (req) => {
      await totpEnable(ctx, req.requireActor(), req.body.code, metaOf(req));
      return ok;
    },
  );

  app.post(
    '/api/me/totp/disable',
    {
      schema: {
        tags: TAGS,
        summary: 'Turn TOTP off with a current code (not allowed for the three administrator roles)',
        security: [{ session: [], csrf: [] }],
        body: TotpCodeBody,
        response: { 200: Ok, ...errors(400, 401, 403, 409, 429) },
      },
    },
    async (req) => {
      await totpDisable(ctx, req.requireActor(), req.body.code, metaOf(req));
      return ok;
    },
  );
};
