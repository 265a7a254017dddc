/** The one error shape: AppError for domain code, and the handler that turns every failure into it. */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ERRORS, ruleMessage, type ErrorCode } from '../../common/errors';
import { DEFAULT_LOCALE, pickLocale, type Locale } from '../../common/locale';

export interface FieldProblem {
  field: string;
  rule: string;
  /** The rule's limit or expected value, for the message (e.g. a maximum length). */
  limit?: string | number;
  /** A message that overrides the rule's template. */
  message?: string;
}

/** An error a person can act on: a stable code, an HTTP status, and the fields at fault. */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    readonly details: FieldProblem[] = [],
    readonly extra: { retryAfterSeconds?: number; status?: number } = {},
  ) {
    super(code);
    this.status = extra.status ?? ERRORS[code].status;
  }
}

/** Shorthand for a 400 naming one field and the rule it broke. */
export function invalidField(field: string, rule: string, limit?: string | number): AppError {
  return new AppError('validation.failed', [{ field, rule, ...(limit === undefined ? {} : { limit }) }]);
}

export function localeOf(req: FastifyRequest): Locale {
  return pickLocale(req.headers['accept-language']);
}

interface AjvLikeError {
  instancePath?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

function jsonPointerToField(pointer: string): string {
  return pointer
    .split('/')
    .filter(Boolean)
    .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'))
    .join('.');
}

/** Turns Ajv's errors into field/rule pairs (one per field, first rule wins). */
export function problemsFromValidation(context: string, errors: AjvLikeError[]): FieldProblem[] {
  const seen = new Set<string>();
  const out: FieldProblem[] = [];
  for (const e of errors) {
    const params = e.params ?? {};
    let path = jsonPointerToField(e.instancePath ?? '');
    let rule = e.keyword ?? 'invalid';
    let limit: string | number | undefined;
    if (rule === 'required' && typeof params.missingProperty === 'string') {
      path = path ? `${path}.${params.missingProperty}` : params.missingProperty;
    } else if (rule === 'additionalProperties' && typeof params.additionalProperty === 'string') {
      path = path ? `${path}.${params.additionalProperty}` : params.additionalProperty;
    } else if ('limit' in params) {
      limit = params.limit as number;
    } else if (rule === 'type' && params.type !== undefined) {
      limit = String(params.type);
    } else if (rule === 'format' && typeof params.format === 'string') {
      limit = params.format;
    }
    // Union branches produce noise; report the union itself once.
    if (rule === 'anyOf' || rule === 'oneOf') rule = 'anyOf';
    const field = path ? `${context}.${path}` : context;
    if (seen.has(field)) continue;
    seen.add(field);
    out.push({ field, rule, ...(limit === undefined ? {} : { limit }) });
  }
  return out;
}

/** The field as a person reads it: without the request part it came in (body., querystring., params.). */
function fieldLabel(field: string): string {
  return field.replace(/^(body|querystring|params|headers)\./, '');
}

/** Builds the error body in the request's language. */
export function errorBody(
  locale: Locale,
  code: ErrorCode,
  details: FieldProblem[],
  requestId?: string,
  retryAfterSeconds?: number,
) {
  const entry = ERRORS[code];
  return {
    error: {
      code,
      message: entry[locale] ?? entry[DEFAULT_LOCALE],
      ...(details.length
        ? {
            details: details.map((d) => ({
              field: d.field,
              rule: d.rule,
              message: d.message ?? ruleMessage(locale, d.rule, fieldLabel(d.field), d.limit),
            })),
          }
        : {}),
      ...(requestId ? { requestId } : {}),
      ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    },
  };
}

/**
 * PostgreSQL data exceptions that only input can cause: string too long (22001), numeric or date/time out of range
 * (22003, 22008), bad date/time or text representation such as a non-uuid (22007, 22P02), NUL or unpaired
 * surrogates (22021, 22P05). Validation should catch them first; this keeps a gap there from becoming a 500.
 */
const CLIENT_DATA_ERRORS = new Set(['22001', '22003', '22007', '22008', '22P02', '22021', '22P05']);

/** Maps any thrown value to a status, code and details; unknown errors become 500 "internal". */
export function classify(err: unknown): {
  status: number;
  code: ErrorCode;
  details: FieldProblem[];
  retryAfterSeconds?: number;
} {
  if (err instanceof AppError) {
    return {
      status: err.status,
      code: err.code,
      details: err.details,
      ...(err.extra.retryAfterSeconds !== undefined
        ? { retryAfterSeconds: err.extra.retryAfterSeconds }
        : {}),
    };
  }
  const fe = err as FastifyError & { validationContext?: string; validation?: AjvLikeError[] };
  if (fe && Array.isArray(fe.validation)) {
    return {
      status: 400,
      code: 'validation.failed',
      details: problemsFromValidation(fe.validationContext ?? 'body', fe.validation),
    };
  }
  switch (fe?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, code: 'request.too_large', details: [] };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, code: 'request.unsupported_media_type', details: [] };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_INVALID_TYPE':
      return { status: 400, code: 'request.malformed', details: [] };
  }
  if (fe instanceof SyntaxError) return { status: 400, code: 'request.malformed', details: [] };
  if (fe && typeof fe.statusCode === 'number' && fe.statusCode === 429) {
    return { status: 429, code: 'rate_limited', details: [] };
  }
  if (fe && typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return {
      status: fe.statusCode,
      code: fe.statusCode === 404 ? 'not_found' : 'request.malformed',
      details: [],
    };
  }
  // Unique violations from PostgreSQL that slipped past domain checks are still the client's conflict.
  const pgCode = (fe as { cause?: { code?: string } })?.cause?.code ?? (fe as { code?: string })?.code;
  if (pgCode === '23505') return { status: 409, code: 'conflict', details: [] };
  // Data PostgreSQL refuses to take (bad text encoding, not a uuid, out of range) came from the client.
  if (pgCode && CLIENT_DATA_ERRORS.has(pgCode))
    return { status: 400, code: 'request.malformed', details: [] };
  return { status: 500, code: 'internal', details: [] };
}

/** Sends an error in the one shape. */
export function sendError(req: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  const c = classify(err);
  if (c.status >= 500) req.log.error({ err }, 'request failed');
  if (c.retryAfterSeconds !== undefined) reply.header('retry-after', String(c.retryAfterSeconds));
  return reply.code(c.status).send(errorBody(localeOf(req), c.code, c.details, req.id, c.retryAfterSeconds));
}
