/** Builds the Fastify application: plugins, the session and CSRF gate, idempotency, errors, routes and the web app. */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyRequest } from 'fastify';
import compress from '@fastify/compress';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import helmet from 'helmet';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context';
import { mapTileOrigin } from '../config';
import { Ability, type Actor } from '../policy/ability';
import { appendAudit, appendAuditStandalone, type AuditInput } from '../modules/audit/log';
import type { Tx } from '../db/client';
import {
  createSessionsCache,
  resolveSession,
  SESSION_COOKIE,
  type Resolved,
  type SessionsCache,
} from '../modules/accounts/sessions';
import type { SessionCacheOptions } from '../modules/accounts/session-cache';
import { NameBook, type NameBookOptions } from '../modules/cases/names';
import { restrictionError, type SessionRestriction } from '../modules/accounts/restrictions';
import { AppError, classify, localeOf, sendError } from './errors';
import { validatorCompiler } from './validation';
import { registerIdempotency } from './idempotency';
import type { App } from './types';
import type { Locale } from '../../common/locale';
import { sendOpen311FrameworkError } from '../modules/open311/routes';
import { registerRoutes } from './routes';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
    /** The resolved session with the account fields loaded alongside it (null without a valid session). */
    sessionInfo: Extract<Resolved, { ok: true }> | null;
    ability: Ability;
    locale: Locale;
    /** Records an audit entry for this request inside the given transaction. */
    audit(tx: Tx, entry: Omit<AuditInput, 'actorId' | 'actorName' | 'ip' | 'requestId'>): Promise<void>;
    /** The actor, or 401: for handlers of routes that need a session. */
    requireActor(): Actor;
  }
}

const here = path.dirname(fileURLToPath(import.meta.url));
export const WEB_DIST = path.resolve(here, '../../web/dist');

/** Whether a file of the built web app is one of its content-hashed assets (web/dist/assets/…). */
function isHashedAsset(file: string): boolean {
  return path.relative(WEB_DIST, file).split(path.sep)[0] === 'assets';
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** The readable API documentation (Swagger UI) is public, like the OpenAPI document it renders. */
const DOCS_PREFIX = '/api/docs';

function auditFields(req: FastifyRequest) {
  return {
    actorId: req.actor?.accountId ?? null,
    actorName: req.actor?.username ?? req.actor?.displayName ?? null,
    ip: req.ip,
    requestId: req.id,
  };
}

export interface BuildOptions {
  /** Pino logger options, or false to keep tests quiet. */
  logger?: boolean | object;
  /** Serve web/dist when it exists (off in API tests). */
  serveWeb?: boolean;
  /**
   * How the server remembers resolved sessions (accounts/session-cache.ts); false, or config.caches off, to read
   * each from the database.
   */
  sessionCache?: SessionCacheOptions | false;
  /**
   * How the server keeps the names case lists show (cases/names.ts); false, or config.caches off, to read a page's
   * names from the database every time.
   */
  nameBook?: NameBookOptions | false;
}

/** Creates the app around a context; the caller listens or injects. */
export async function buildApp(ctx: AppContext, opts: BuildOptions = {}): Promise<App> {
  const app = Fastify({
    logger: opts.logger ?? { level: ctx.config.logLevel },
    bodyLimit: ctx.config.bodyLimitBytes,
    trustProxy: ctx.config.trustProxy,
    // A proxy's X-Request-Id is kept when it looks like an id (so logs line up); anything else gets a fresh one.
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[A-Za-z0-9._:-]{8,128}$/.test(given)
        ? given
        : crypto.randomUUID();
    },
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    // The router's own refusals (bad %-escapes, overlong path parameters) get the one error shape too.
    // Open311 clients get the specification's error shape even for a URL the router cannot parse.
    frameworkErrors: (err, req, reply) => {
      if (!sendOpen311FrameworkError(req, reply, err)) sendError(req, reply, err);
    },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;

  app.setValidatorCompiler(validatorCompiler);
  // Set before any plugin registers: a plugin's routes keep the error handler that existed when it was added.
  app.setErrorHandler(async (err, req, reply) => {
    const c = classify(err);
    if (c.status === 403) {
      // Every denial leaves a trace; a failing audit write must not turn a 403 into a 500.
      await appendAuditStandalone(ctx.db, {
        ...auditFields(req),
        action: 'access.denied',
        targetType: 'route',
        targetId: `${req.method} ${req.routeOptions.url ?? req.url}`,
        outcome: 'denied',
        details: { code: c.code, url: req.url.slice(0, 300) },
      }).catch((e: unknown) => req.log.error({ err: e }, 'audit of denial failed'));
    }
    return sendError(req, reply, err);
  });
  app.decorate('ctx', ctx);
  const sessionsCache: SessionsCache | null =
    opts.sessionCache === false || !ctx.config.caches ? null : createSessionsCache(opts.sessionCache ?? {});
  if (sessionsCache) {
    await sessionsCache.start(ctx.database);
    app.addHook('onClose', async () => sessionsCache.stop());
  }
  app.decorate('sessionsCache', sessionsCache);
  const nameBook = opts.nameBook === false || !ctx.config.caches ? null : new NameBook(opts.nameBook ?? {});
  if (nameBook) {
    await nameBook.start(ctx.database);
    app.addHook('onClose', async () => nameBook.stop());
  }
  app.decorate('nameBook', nameBook);
  app.decorateRequest('actor', null);
  app.decorateRequest('sessionInfo', null);
  app.decorateRequest('ability', null as unknown as Ability);
  app.decorateRequest('locale', 'zh-CN');
  app.decorateRequest('audit', async function (this: FastifyRequest, tx: Tx, entry) {
    await appendAudit(tx, { ...entry, ...auditFields(this) });
  });
  app.decorateRequest('requireActor', function (this: FastifyRequest) {
    if (!this.actor) throw new AppError('auth.required');
    return this.actor;
  });

  await app.register(cookie);
  // Responses over 1 KiB go out compressed when the client accepts it (every browser does): a street's ledger is
  // 260 KB of JSON and 28 KB in brotli, on a grid worker's phone. Request bodies are taken as sent: nothing here
  // accepts compressed uploads. The web app's files are compressed once, at build time (preCompressed below).
  await app.register(compress, {
    encodings: ['br', 'gzip'],
    threshold: 1024,
    // Brotli at quality 1: a case list's page (49 KB of JSON) in 85 µs against 134 µs at 2 and 288 µs at the plugin's
    // default 4, for 5% more bytes than at 2 (4.9 against 4.6 KB); the OpenAPI document 9% more in half the time.
    brotliOptions: { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1 } },
    // In one call rather than through a stream: this server shares a few cores with its database, so the thread pool has
    // nothing to overlap, and a stream cost more CPU per response than the compression itself.
    syncThreshold: 4 << 20,
    globalDecompression: false,
  });
  // Security headers, by helmet's middleware built once: the Fastify plugin built it again on every request, parsing
  // the Content-Security-Policy each time (2.4% of the server's time under intake).
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        // Ant Design injects its CSS-in-JS styles at run time.
        styleSrc: ["'self'", "'unsafe-inline'"],
        // A configured map tile server (LINLI_MAP_TILE_URL) serves the housing map's background images.
        imgSrc: ["'self'", 'data:', ...[mapTileOrigin(ctx.config)].filter((o): o is string => o !== null)],
        scriptSrc: ["'self'"],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    hsts: ctx.config.cookieSecure,
  });
  app.addHook('onRequest', (req, reply, done) =>
    // helmet throws its errors rather than passing them on (since 8.1): `done` only ever continues.
    securityHeaders(req.raw, reply.raw, () => done()),
  );
  await app.register(rateLimit, {
    max: ctx.config.rateLimitPerMinute,
    timeWindow: '1 minute',
    // The web app's own files (one page load fetches dozens of chunks) are not what the limit protects; a community
    // office behind one address would otherwise run into it. The API, Open311 and everything else are counted.
    allowList: (req) =>
      req.method === 'GET' && (req.url.startsWith('/assets/') || req.url === '/favicon.svg'),
    // The default message is English plain text; ours goes through the error handler.
    errorResponseBuilder: (_req, context) => {
      const err = new AppError('rate_limited', [], { retryAfterSeconds: Math.ceil(context.ttl / 1000) });
      return err;
    },
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Linli (邻里) API',
        version: '0.1.0',
        description:
          'Grid-based community governance and service. Log in with POST /api/auth/login; cookie-authenticated writes send the X-CSRF-Token header from GET /api/me.',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
          csrf: { type: 'apiKey', in: 'header', name: 'X-CSRF-Token' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: DOCS_PREFIX, uiConfig: { docExpansion: 'list' } });

  // Session gate: deny by default; only routes marked public skip it.
  app.addHook('onRequest', async (req) => {
    req.locale = localeOf(req);
    const token = req.cookies[SESSION_COOKIE];
    let expired = false;
    let restriction: SessionRestriction | null = null;
    if (token) {
      const resolved = await resolveSession(ctx, token, sessionsCache ?? undefined);
      if (resolved.ok) {
        req.actor = resolved.actor;
        req.sessionInfo = resolved;
        restriction = resolved.restriction;
      } else expired = resolved.reason === 'expired';
    }
    req.ability = new Ability(req.actor);
    const cfg = req.routeOptions.config;
    const routeUrl = req.routeOptions.url ?? '';
    const isPublic =
      cfg?.auth === 'public' ||
      !routeUrl.startsWith('/api/') ||
      routeUrl === DOCS_PREFIX ||
      routeUrl.startsWith(`${DOCS_PREFIX}/`);
    if (!isPublic && !req.actor) throw new AppError(expired ? 'auth.session_expired' : 'auth.required');
    // Temporary or expired password, administrator without TOTP: only the way out is open.
    const restricted =
      !isPublic && restriction ? restrictionError(req.method, req.routeOptions.url, restriction) : null;
    if (restricted) throw new AppError(restricted);
    if (req.actor && MUTATING.has(req.method) && cfg?.csrf !== false) {
      const sent = req.headers['x-csrf-token'];
      const expected = Buffer.from(req.actor.csrfToken);
      const given = Buffer.from(typeof sent === 'string' ? sent : '');
      if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected))
        throw new AppError('auth.csrf');
    }
  });

  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
    // A signed-in write may have ended or changed sessions (logout, a revoked role) or renamed what lists show: this
    // server forgets what it cached before answering, so the client's next request sees it here at once; other
    // servers, and this one after a write without a session (which could otherwise empty the caches at will), learn
    // of it from PostgreSQL's notification within milliseconds. Routes that never touch sessions, accounts,
    // assignments or names say so and keep the caches (cases' intake and actions, the busiest writes).
    if (req.actor && MUTATING.has(req.method) && req.routeOptions.config?.keepsCaches !== true) {
      sessionsCache?.forgetAll();
      nameBook?.forgetAll();
    }
  });

  registerIdempotency(app, ctx);

  app.setNotFoundHandler(async (req, reply) => {
    if (req.url.startsWith('/api/') || req.url === '/api')
      return sendError(req, reply, new AppError('route.not_found'));
    if (opts.serveWeb && fs.existsSync(path.join(WEB_DIST, 'index.html')) && req.method === 'GET') {
      // Client-side routes of the single-page app all load index.html.
      return reply.type('text/html').sendFile('index.html');
    }
    return sendError(req, reply, new AppError('route.not_found'));
  });

  if (opts.serveWeb && fs.existsSync(WEB_DIST)) {
    await app.register(fastifyStatic, {
      root: WEB_DIST,
      prefix: '/',
      wildcard: false,
      index: ['index.html'],
      // The build writes .br and .gz beside each file (vite.config.ts); the one the browser accepts is sent.
      preCompressed: true,
      // Files under assets/ carry a hash of their content in their name, so a phone keeps them for good and never asks
      // again; everything else (index.html, which names the current assets) is checked on every load.
      cacheControl: false,
      setHeaders: (reply, file) => {
        reply.header(
          'cache-control',
          isHashedAsset(file) ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
      },
    });
  }

  await registerRoutes(app, ctx);
  return app;
}

declare module 'fastify' {
  interface FastifyInstance {
    ctx: AppContext;
    /** The server's resolved sessions, or null when it reads each from the database. */
    sessionsCache: SessionsCache | null;
    /** The names the server keeps for case lists, or null when it reads them for every page. */
    nameBook: NameBook | null;
  }
}
