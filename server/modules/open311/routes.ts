/**
 * Open311 GeoReport v2 at /open311/v2/: discovery, services, service definitions, POST requests (API key), GET
 * requests and GET request, each as .json or .xml. Key-authenticated, not session-authenticated: outside the
 * session gate and CSRF, and hidden from the OpenAPI document (this API has its own specification and error shape).
 * Every failure, including malformed bodies and unknown paths under the prefix, answers the specification's error
 * shape with a 4xx status.
 */
import formbody from '@fastify/formbody';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ERRORS } from '../../../common/errors';
import type { AppContext } from '../../context';
import { AppError, classify } from '../../http/errors';
import type { App } from '../../http/types';
import { appendAuditStandalone } from '../audit/log';
import type { RegisterRoutes } from '../index';
import {
  formatOfUrl,
  Open311Error,
  sendFormatted,
  sendOpen311Error,
  splitFormat,
  type Format,
} from './format';
import {
  fromAppError,
  getRequest,
  listRequests,
  listServices,
  serviceDefinition,
  submitRequest,
  type Fields,
  type Query,
} from './service';

export const OPEN311_PREFIX = '/open311/v2';
const SPECIFICATION = 'http://wiki.open311.org/GeoReport_v2';
/** When this server's Open311 interface last changed (discovery's changeset). */
const CHANGESET = '2026-05-01T00:00:00+08:00';

/** Public, key-authenticated, no CSRF (no cookie is used), no idempotency replay (it is per session). */
// Open311 writes change cases and an api key's last use, never sessions: the server keeps its cached sessions.
const config = { auth: 'public' as const, csrf: false, idempotency: false, keepsCaches: true };
const schema = { hide: true };

function handleError(ctx: AppContext) {
  return async (err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const format = formatOfUrl(req.url);
    let e: Open311Error;
    if (err instanceof Open311Error) e = err;
    else if (err instanceof AppError) e = fromAppError(err, req.locale);
    else {
      const c = classify(err);
      if (c.status >= 500) req.log.error({ err }, 'open311 request failed');
      e = new Open311Error(c.status, ERRORS[c.code].en);
    }
    if (e.status === 403) {
      // Refused keys leave a trace, like every other denial; a failing audit write must not turn 403 into 500.
      await appendAuditStandalone(ctx.db, {
        actorName: 'open311',
        action: 'access.denied',
        targetType: 'route',
        targetId: `${req.method} ${req.routeOptions.url ?? req.url}`.slice(0, 300),
        ip: req.ip,
        requestId: req.id,
        outcome: 'denied',
        details: { reason: e.description.slice(0, 200) },
      }).catch((x: unknown) => req.log.error({ err: x }, 'audit of denial failed'));
    }
    return sendOpen311Error(reply, format, e.status, e.description);
  };
}

/** The format of a route with a fixed extension. */
function both(path: string): [string, Format][] {
  return [
    [`${path}.json`, 'json'],
    [`${path}.xml`, 'xml'],
  ];
}

function fileParam(file: string): { name: string; format: Format } {
  const split = splitFormat(file);
  if (!split) throw new Open311Error(404, 'Not found: add .json or .xml to the resource');
  return split;
}

function bodyFields(body: unknown): Fields {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body))
    throw new Open311Error(
      400,
      'The body must be form fields (application/x-www-form-urlencoded) or a JSON object',
    );
  return body as Fields;
}

async function open311(app: App, ctx: AppContext): Promise<void> {
  await app.register(formbody, { bodyLimit: ctx.config.bodyLimitBytes });
  app.setErrorHandler(handleError(ctx));
  app.setNotFoundHandler(async (req, reply) =>
    sendOpen311Error(reply, formatOfUrl(req.url), 404, 'Not found: see discovery.json for the resources'),
  );

  for (const [path, format] of both('/discovery')) {
    app.get(path, { config, schema }, async (req, reply) => {
      const base = `${req.protocol}://${req.host}${OPEN311_PREFIX}`;
      return sendFormatted(reply, format, 200, 'discovery', {
        changeset: CHANGESET,
        contact: 'Linli (邻里): the administrator of your district or city',
        key_service: 'API keys are issued per client and area by an administrator (linli apikeys create)',
        endpoints: [
          {
            specification: SPECIFICATION,
            url: base,
            changeset: CHANGESET,
            type: 'production',
            formats: ['text/xml', 'application/json'],
          },
        ],
      });
    });
  }

  for (const [path, format] of both('/services')) {
    app.get(path, { config, schema }, async (req, reply) =>
      sendFormatted(reply, format, 200, 'services', await listServices(ctx, req.locale)),
    );
  }

  // Wildcards rather than parameters: the router's length limit on parameters would answer outside this scope.
  app.get<{ Params: { '*': string } }>('/services/*', { config, schema }, async (req, reply) => {
    const { name, format } = fileParam(req.params['*']);
    return sendFormatted(
      reply,
      format,
      200,
      'service_definition',
      await serviceDefinition(ctx, name, req.locale),
    );
  });

  for (const [path, format] of both('/requests')) {
    app.post(path, { config, schema }, async (req, reply) => {
      const created = await submitRequest(ctx, bodyFields(req.body), req.locale, {
        ip: req.ip,
        requestId: req.id,
      });
      return sendFormatted(reply, format, 201, 'service_requests', created);
    });
    app.get(path, { config, schema }, async (req, reply) =>
      sendFormatted(
        reply,
        format,
        200,
        'service_requests',
        await listRequests(ctx, req.query as Query, req.locale),
      ),
    );
  }

  app.get<{ Params: { '*': string } }>('/requests/*', { config, schema }, async (req, reply) => {
    const { name, format } = fileParam(req.params['*']);
    return sendFormatted(reply, format, 200, 'service_requests', await getRequest(ctx, name, req.locale));
  });
}

/**
 * For the app's `frameworkErrors` (router refusals such as broken %-escapes, answered before any route scope exists):
 * answers a URL under the Open311 prefix in the specification's shape and returns true; false for any other URL.
 */
export function sendOpen311FrameworkError(req: FastifyRequest, reply: FastifyReply, err: unknown): boolean {
  if (!req.url.startsWith(`${OPEN311_PREFIX}/`)) return false;
  const c = classify(err);
  void sendOpen311Error(reply, formatOfUrl(req.url), c.status >= 500 ? 400 : c.status, ERRORS[c.code].en);
  return true;
}

export const open311Routes: RegisterRoutes = async (app, ctx) => {
  await app.register(async (scope) => open311(scope as App, ctx), { prefix: OPEN311_PREFIX });
};
